//! Watching one tenant over time: [`watch`] polls [`observe`] until the app is approved, denied,
//! blocked or expired, or until a deadline, and streams every change of state.
//!
//! The approval happens out of band (a reviewer clicks Accept in the Entra admin center), so the
//! only way to learn of it is to read the tenant again. Polling backs off with jitter (15 s doubling
//! up to 5 minutes by default) so a long watch costs a few requests an hour, never polls sooner than
//! a `429`'s `Retry-After`, and measures its deadline on the tenant's clock
//! ([`ConsentGraph::now`]). Sleeping goes through a [`Sleeper`], so the core carries no runtime:
//! [`TokioSleeper`] (feature `tokio`) sleeps for real, and a [`ManualClock`] "sleeps" by moving the
//! mock tenant's clock, which makes an hour-long watch run in microseconds in tests.
//!
//! The stream is cancellation-safe: it owns no task and holds no lock across an `.await`, so dropping
//! it (or the future polling it) at any point stops the watch and leaves nothing behind.

use std::fmt::Debug;
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::future::BoxFuture;
use futures::stream::{self, BoxStream};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::observe::observe;
use super::ConsentState;
use crate::app::AppRegistration;
use crate::clock::ManualClock;
use crate::error::{Error, Result};
use crate::port::ConsentGraph;

/// Waits. The one piece of a runtime that [`watch`] and the fleet functions need.
pub trait Sleeper: Send + Sync + Debug {
    /// A future that completes after `duration`.
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()>;
}

/// A mock tenant's clock as a sleeper: "sleeping" moves the clock forward and returns at once, so
/// expiry and deadlines on the tenant's clock are reached without waiting.
impl Sleeper for ManualClock {
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        self.advance(chrono::Duration::from_std(duration).unwrap_or(chrono::Duration::MAX));
        Box::pin(futures::future::ready(()))
    }
}

/// Sleeps on the tokio runtime (`tokio::time::sleep`), so tests may pause and advance time.
#[cfg(feature = "tokio")]
#[derive(Debug, Clone, Copy, Default)]
pub struct TokioSleeper;

#[cfg(feature = "tokio")]
impl Sleeper for TokioSleeper {
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        Box::pin(tokio::time::sleep(duration))
    }
}

/// How [`watch`] polls.
#[derive(Debug, Clone)]
pub struct WatchOptions {
    /// The first wait between polls, and the wait after a change (default 15 s).
    pub initial_interval: Duration,
    /// The longest wait between polls, before jitter is capped (default 5 minutes).
    pub max_interval: Duration,
    /// Growth of the wait after each poll that saw no change (default 2).
    pub multiplier: f64,
    /// Each wait is scaled by a random factor in `1 ± jitter` (default 0.2), so many watchers do
    /// not poll a tenant in step. Never below a `Retry-After`, never above `max_interval`.
    pub jitter: f64,
    /// Stop after this long on the tenant's clock (default: no deadline).
    pub timeout: Option<Duration>,
    /// Seed for the jitter (default: random); fix it for reproducible tests.
    pub seed: Option<u64>,
    /// How to wait.
    pub sleeper: std::sync::Arc<dyn Sleeper>,
}

impl WatchOptions {
    /// Default intervals, waiting with `sleeper`.
    pub fn new(sleeper: std::sync::Arc<dyn Sleeper>) -> Self {
        Self {
            initial_interval: Duration::from_secs(15),
            max_interval: Duration::from_secs(300),
            multiplier: 2.0,
            jitter: 0.2,
            timeout: None,
            seed: None,
            sleeper,
        }
    }

    /// Sets the deadline, measured from the first poll on the tenant's clock.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Sets the first and the longest wait.
    pub fn intervals(mut self, initial: Duration, max: Duration) -> Self {
        self.initial_interval = initial;
        self.max_interval = max.max(initial);
        self
    }

    /// Sets the jitter fraction (clamped to 0–0.9).
    pub fn jitter(mut self, jitter: f64) -> Self {
        self.jitter = jitter.clamp(0.0, 0.9);
        self
    }

    /// Fixes the jitter's seed.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }
}

#[cfg(feature = "tokio")]
impl Default for WatchOptions {
    /// Default intervals, sleeping on tokio.
    fn default() -> Self {
        Self::new(std::sync::Arc::new(TokioSleeper))
    }
}

/// What a watch reports.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum WatchEvent {
    /// The state changed; the first observation counts as a change. When
    /// [`is_final`](WatchEvent::is_final), the stream ends after it.
    Changed {
        /// The new state.
        state: Box<ConsentState>,
        /// When it was seen, on the tenant's clock.
        at: DateTime<Utc>,
    },
    /// A read failed with a retryable error (throttled, timed out, 5xx); the watch waits `wait`
    /// (never less than the service's `Retry-After`) and reads again.
    Retrying {
        /// The error.
        error: Error,
        /// How long the watch waits before the next read.
        wait: Duration,
    },
    /// The deadline passed before a final state; the stream ends.
    TimedOut {
        /// The last state seen, if any read succeeded.
        last: Option<Box<ConsentState>>,
        /// When, on the tenant's clock.
        at: DateTime<Utc>,
    },
}

impl WatchEvent {
    /// True for the last event of a watch: a final state or the deadline.
    pub fn is_final(&self) -> bool {
        match self {
            WatchEvent::Changed { state, .. } => is_final_state(state),
            WatchEvent::Retrying { .. } => false,
            WatchEvent::TimedOut { .. } => true,
        }
    }
}

/// True for the states a watch ends at: approved, denied, blocked, expired — and "users may consent
/// themselves", where no approval will ever come because none is needed.
pub fn is_final_state(state: &ConsentState) -> bool {
    matches!(
        state,
        ConsentState::Approved(_)
            | ConsentState::Denied(_)
            | ConsentState::Blocked(_)
            | ConsentState::Expired(_)
            | ConsentState::UserConsentAllowed(_)
    )
}

/// Watches `app` in the tenant behind `graph`: a stream of [`WatchEvent`]s that ends after a final
/// state, the deadline, or a non-retryable error (yielded as the last item).
///
/// # Polling
/// - Reads at once, then waits `initial_interval`, growing by `multiplier` after every read that
///   saw no change, up to `max_interval`; a change resets the wait. Each wait is jittered.
/// - A retryable error (e.g. [`Error::Throttled`]) is reported as [`WatchEvent::Retrying`] and the
///   next read waits at least the service's `Retry-After`, even past the deadline's last read.
/// - A pending request is read again right after it expires, so `Expired` is seen promptly.
/// - The deadline is `timeout` after the first read, on the tenant's clock. A read is made at the
///   deadline unless a `Retry-After` forbids it.
///
/// ```
/// # #[cfg(feature = "tokio")] {
/// use futures::StreamExt;
/// use consent::workflow::{watch, WatchEvent, WatchOptions};
/// # use consent::{AppRegistration, ConsentGraph};
/// # async fn f(graph: &dyn ConsentGraph, app: &AppRegistration) -> consent::Result<()> {
/// let options = WatchOptions::default().timeout(std::time::Duration::from_secs(3600));
/// let mut events = watch(graph, app, options);
/// while let Some(event) = events.next().await {
///     if let WatchEvent::Changed { state, .. } = event? {
///         println!("now {}", state.name());
///     }
/// }
/// # Ok(()) }
/// # }
/// ```
pub fn watch<'a>(graph: &'a dyn ConsentGraph, app: &'a AppRegistration, options: WatchOptions) -> BoxStream<'a, Result<WatchEvent>> {
    let rng = match options.seed {
        Some(seed) => StdRng::seed_from_u64(seed),
        None => StdRng::from_entropy(),
    };
    let watcher = Watcher {
        graph,
        app,
        interval: options.initial_interval,
        options,
        rng,
        last: None,
        deadline: None,
        next: Next::PollNow,
        done: false,
    };
    Box::pin(stream::unfold(watcher, |mut w| async move {
        let item = w.step().await?;
        Some((item, w))
    }))
}

/// What the watcher does next.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Next {
    /// Read now.
    PollNow,
    /// Wait, then read.
    SleepThenPoll(Duration),
    /// Wait until the deadline, then end (a `Retry-After` reaches past it).
    SleepThenTimeOut(Duration),
}

struct Watcher<'a> {
    graph: &'a dyn ConsentGraph,
    app: &'a AppRegistration,
    options: WatchOptions,
    rng: StdRng,
    interval: Duration,
    last: Option<ConsentState>,
    deadline: Option<DateTime<Utc>>,
    next: Next,
    done: bool,
}

impl Watcher<'_> {
    /// The next event; `None` once the watch is over.
    async fn step(&mut self) -> Option<Result<WatchEvent>> {
        loop {
            if self.done {
                return None;
            }
            match self.next {
                Next::PollNow => {}
                Next::SleepThenPoll(d) => self.options.sleeper.sleep(d).await,
                Next::SleepThenTimeOut(d) => {
                    self.options.sleeper.sleep(d).await;
                    return Some(Ok(self.time_out()));
                }
            }
            if let Some(event) = self.poll().await {
                return Some(event);
            }
        }
    }

    /// One read. Returns an event to yield, or `None` to keep going silently.
    async fn poll(&mut self) -> Option<Result<WatchEvent>> {
        let result = observe(self.graph, self.app).await;
        let now = self.graph.now();
        let deadline = *self
            .deadline
            .get_or_insert_with(|| self.options.timeout.map_or(DateTime::<Utc>::MAX_UTC, |t| add(now, t)));
        match result {
            Ok(state) => self.observed(state, now, deadline).map(Ok),
            Err(error) if error.is_retryable() => {
                let wait = self.backoff().max(error.retry_after().unwrap_or_default());
                self.schedule(now, deadline, wait, error.retry_after().is_some());
                let wait = match self.next {
                    Next::SleepThenPoll(d) | Next::SleepThenTimeOut(d) => d,
                    Next::PollNow => Duration::ZERO,
                };
                tracing::info!(%error, wait_secs = wait.as_secs_f64(), "watch: read failed, retrying");
                Some(Ok(WatchEvent::Retrying { error, wait }))
            }
            Err(error) => {
                self.done = true;
                Some(Err(error))
            }
        }
    }

    /// Plans the next read after a successful one; the event to yield when the state changed.
    fn observed(&mut self, state: ConsentState, now: DateTime<Utc>, deadline: DateTime<Utc>) -> Option<WatchEvent> {
        let changed = self.last.as_ref().is_none_or(|last| !same_state(last, &state));
        if changed {
            self.interval = self.options.initial_interval;
        }
        let wait = self.backoff();
        let wait = match &state {
            ConsentState::Pending(p) => match p.details().expires_at.map(|e| e - now) {
                // Wake just after the request expires, to report Expired at once.
                Some(left) if left > chrono::Duration::zero() => wait.min(to_std(left) + Duration::from_secs(1)),
                _ => wait,
            },
            _ => wait,
        };
        self.schedule(now, deadline, wait, false);
        if is_final_state(&state) {
            self.done = true;
        }
        self.last = Some(state.clone());
        // Unchanged: nothing to report; the next step sleeps, then reads (or times out).
        changed.then(|| {
            tracing::info!(state = state.name(), "watch: state changed");
            WatchEvent::Changed {
                state: Box::new(state),
                at: now,
            }
        })
    }

    /// Plans the next step after a read at `now`.
    fn schedule(&mut self, now: DateTime<Utc>, deadline: DateTime<Utc>, wait: Duration, forced: bool) {
        let left = if deadline == DateTime::<Utc>::MAX_UTC {
            Duration::MAX
        } else {
            to_std(deadline - now)
        };
        self.next = if left.is_zero() {
            Next::SleepThenTimeOut(Duration::ZERO)
        } else if wait < left {
            Next::SleepThenPoll(wait)
        } else if forced {
            // The service asked us to wait past the deadline: honour it, do not read again.
            Next::SleepThenTimeOut(left)
        } else {
            Next::SleepThenPoll(left)
        };
    }

    /// The current wait with jitter, then grows it for next time.
    fn backoff(&mut self) -> Duration {
        let base = self.interval;
        let max = self.options.max_interval;
        self.interval = scale(base, self.options.multiplier.max(1.0)).min(max);
        let j = self.options.jitter.clamp(0.0, 0.9);
        let factor = if j > 0.0 { self.rng.gen_range(1.0 - j..=1.0 + j) } else { 1.0 };
        scale(base, factor).min(max)
    }

    fn time_out(&mut self) -> WatchEvent {
        self.done = true;
        WatchEvent::TimedOut {
            last: self.last.clone().map(Box::new),
            at: self.graph.now(),
        }
    }
}

/// Two observations of the same state: equal apart from when they were made.
fn same_state(a: &ConsentState, b: &ConsentState) -> bool {
    let strip = |s: &ConsentState| {
        let mut v = serde_json::to_value(s).unwrap_or_default();
        if let Some(o) = v.as_object_mut() {
            o.remove("observed_at");
        }
        v
    };
    a.name() == b.name() && strip(a) == strip(b)
}

fn add(now: DateTime<Utc>, d: Duration) -> DateTime<Utc> {
    chrono::Duration::from_std(d)
        .ok()
        .and_then(|d| now.checked_add_signed(d))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// `d` times `factor`, saturating at `Duration::MAX`: intervals come from the caller (a CLI flag may
/// say `Duration::MAX`), and `Duration::from_secs_f64` panics past it.
fn scale(d: Duration, factor: f64) -> Duration {
    Duration::try_from_secs_f64(d.as_secs_f64() * factor).unwrap_or(Duration::MAX)
}

fn to_std(d: chrono::Duration) -> Duration {
    d.to_std().unwrap_or(Duration::ZERO)
}
