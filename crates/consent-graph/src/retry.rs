//! The retry policy: which answers are retried, and how long to wait between attempts.
//!
//! graph-rs-sdk's own retry layers are left off: they have no attempt cap on 429, ignore an
//! HTTP-date `Retry-After`, sleep on OS threads, and do not cover paging.

use std::time::{Duration, SystemTime};

use rand::Rng;

/// How the backend retries throttled and failed requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts per request, the first included (default 4). `1` disables retries.
    pub max_attempts: u32,
    /// The longest single wait (default 30 s). A `Retry-After` longer than this ends the loop with
    /// `Throttled { retry_after }` so the caller can decide, instead of blocking for minutes.
    pub max_wait: Duration,
    /// The whole budget for one request including waits (default 2 minutes).
    pub deadline: Duration,
    /// The first backoff when the service gave no `Retry-After` (default 1 s); doubles per attempt.
    pub base_backoff: Duration,
    /// The least pause before the workflow reads a write back to confirm it (default 250 ms).
    /// Graph has no conditional write on grants: a concurrent approver that read before our PATCH
    /// may still be sending its own, and the confirming read must come after it lands.
    pub settle: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 4,
            max_wait: Duration::from_secs(30),
            deadline: Duration::from_secs(120),
            base_backoff: Duration::from_secs(1),
            settle: Duration::from_millis(250),
        }
    }
}

impl RetryPolicy {
    /// No retries: every failure is returned at once.
    pub fn none() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// The wait before attempt `attempt + 1`: the service's `Retry-After` when given, otherwise
    /// exponential backoff with "equal jitter" (half fixed, half random) so clients spread out.
    pub(crate) fn delay(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        if let Some(d) = retry_after {
            return d;
        }
        let exp = self.base_backoff.saturating_mul(2u32.saturating_pow(attempt.saturating_sub(1)));
        let capped = exp.min(self.max_wait);
        let half = capped / 2;
        half + random_up_to(half)
    }

    /// The pause before the workflow's read-back round `round` (from 1): at least
    /// [`settle`](Self::settle), plus "full jitter" over a window starting at a tenth of
    /// `base_backoff` and doubling per round (capped at 2 s and `max_wait`). The floor lets a
    /// concurrent writer's request land before we confirm; the jitter breaks up approvers that
    /// raced in lockstep.
    pub(crate) fn pause(&self, round: u32) -> Duration {
        let unit = self.base_backoff / 10;
        let window = unit
            .saturating_mul(2u32.saturating_pow(round.saturating_sub(1).min(16)))
            .min(MAX_PAUSE)
            .min(self.max_wait);
        self.settle + random_up_to(window)
    }
}

/// The longest pause between the workflow's read-back rounds.
const MAX_PAUSE: Duration = Duration::from_secs(2);

/// A uniformly random duration from zero to `max`, in whole milliseconds.
fn random_up_to(max: Duration) -> Duration {
    let ms = max.as_millis().min(u128::from(u64::MAX)) as u64;
    Duration::from_millis(rand::thread_rng().gen_range(0..=ms))
}

/// Parses `Retry-After`: decimal seconds (Graph sends e.g. `2.128`) or an HTTP-date, relative to `now`.
///
/// A date in the past means "now" (zero). Anything else is ignored (`None`), falling back to backoff.
pub(crate) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let v = value.trim();
    if let Ok(secs) = v.parse::<f64>() {
        return (0.0..1e9).contains(&secs).then(|| Duration::from_secs_f64(secs));
    }
    let at = httpdate::parse_http_date(v).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_seconds_decimal_and_date() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(parse_retry_after("2", now), Some(Duration::from_secs(2)));
        assert_eq!(parse_retry_after(" 2.5 ", now), Some(Duration::from_millis(2500)));
        let later = httpdate::fmt_http_date(now + Duration::from_secs(7));
        assert_eq!(parse_retry_after(&later, now), Some(Duration::from_secs(7)));
        let earlier = httpdate::fmt_http_date(now - Duration::from_secs(7));
        assert_eq!(parse_retry_after(&earlier, now), Some(Duration::ZERO));
        for bad in ["", "-1", "soon", "NaN", "inf", "1e30"] {
            assert_eq!(parse_retry_after(bad, now), None, "{bad}");
        }
    }

    #[test]
    fn backoff_grows_is_jittered_and_capped() {
        let p = RetryPolicy::default();
        for attempt in 1..=10 {
            let d = p.delay(attempt, None);
            let full = p.base_backoff.saturating_mul(1 << (attempt - 1).min(20)).min(p.max_wait);
            assert!(d >= full / 2 && d <= full, "attempt {attempt}: {d:?} vs {full:?}");
        }
        assert_eq!(p.delay(3, Some(Duration::from_millis(1500))), Duration::from_millis(1500));
    }

    #[test]
    fn read_back_pauses_are_jittered_growing_and_capped() {
        let p = RetryPolicy::default();
        for round in 1..=40 {
            let window = (p.base_backoff / 10).saturating_mul(1 << (round - 1).min(16)).min(MAX_PAUSE);
            let d = p.pause(round);
            assert!(d >= p.settle && d <= p.settle + window, "round {round}: {d:?}");
        }
        let spread: std::collections::HashSet<Duration> = (0..50).map(|_| p.pause(4)).collect();
        assert!(spread.len() > 5, "pauses are not jittered: {spread:?}");
        let none = RetryPolicy {
            base_backoff: Duration::ZERO,
            settle: Duration::ZERO,
            ..p
        };
        assert_eq!(none.pause(9), Duration::ZERO);
    }

    proptest::proptest! {
        #[test]
        fn retry_after_parser_never_panics(s in ".{0,40}") {
            let _ = parse_retry_after(&s, SystemTime::UNIX_EPOCH);
        }
    }
}
