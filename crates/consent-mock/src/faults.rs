//! Injected failures: throttling, server errors, timeouts, writes whose response is lost or answered
//! 503 after landing, concurrency violations, and replica lag.
//!
//! A [`FaultPlan`] is a list of [`FaultRule`]s checked in order before every port call. The first rule
//! that matches the [`Operation`], still has `times` left and wins its draw fires. Draws come from an
//! RNG seeded with [`FaultPlan::seed`], so a plan replays identically; with `probability` 1.0 no draw
//! is made and the rule fires deterministically.

use std::time::Duration;

use consent::{Error, Operation, Result};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

/// What goes wrong.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Fault {
    /// `429 TooManyRequests` with `Retry-After` → [`Error::Throttled`]; nothing is applied.
    Throttle {
        /// The wait the service asks for.
        retry_after: Duration,
    },
    /// A 5xx answer → [`Error::Backend`]; nothing is applied.
    ServerError {
        /// HTTP status (500, 502, 503, 504, …).
        status: u16,
    },
    /// No answer in time → [`Error::Timeout`]; nothing is applied.
    Timeout,
    /// The write is applied but the answer is lost → [`Error::Timeout`]. The caller must read back.
    CommittedButLost,
    /// The write is applied, then answered `503 serviceNotAvailable` → [`Error::Backend`]: the caller
    /// cannot tell it landed and must read back.
    LandedThen503,
    /// `409 Directory_ConcurrencyViolation` → [`Error::Conflict`] with that code: another write to
    /// the same object was in flight; nothing is applied and the write may be retried.
    ConcurrencyViolation,
    /// The write is applied and answered, but the next `reads` reads (any read operation, any
    /// caller) are served from the tenant as it was before it: Entra replicates directory writes,
    /// and a read just after a create can answer 404. Fires on writes only.
    ReplicaLag {
        /// How many reads miss the write.
        reads: u32,
    },
}

impl Fault {
    /// The error the caller sees.
    pub(crate) fn to_error(self, operation: Operation) -> Error {
        match self {
            Fault::Throttle { retry_after } => Error::throttled(Some(retry_after)),
            Fault::ServerError { status } => Error::backend(
                status,
                Some(server_error_code(status).to_owned()),
                format!("injected fault: {operation} answered {status}"),
            ),
            Fault::Timeout | Fault::CommittedButLost => Error::timeout(operation.describe()),
            Fault::LandedThen503 => Error::backend(
                503,
                Some(server_error_code(503).to_owned()),
                format!("injected fault: {operation} was applied, then answered 503"),
            ),
            Fault::ConcurrencyViolation => Error::conflict(
                format!("injected fault: {operation} collided with a concurrent write to the same object; retry"),
                Some(Error::CONCURRENCY_VIOLATION.to_owned()),
            ),
            // Not an error: the write succeeds; `MockTenant::run` serves the next reads stale.
            Fault::ReplicaLag { .. } => Error::backend(500, None, "injected fault: replica lag is not an error"),
        }
    }
}

fn server_error_code(status: u16) -> &'static str {
    match status {
        503 => "serviceNotAvailable",
        504 => "gatewayTimeout",
        _ => "generalException",
    }
}

/// One rule of a [`FaultPlan`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FaultRule {
    /// The operation it targets; `None` targets every operation.
    pub operation: Option<Operation>,
    /// What happens.
    pub fault: Fault,
    /// How many more times it may fire; `None` is unlimited. Decremented when it fires.
    pub times: Option<u32>,
    /// Chance of firing per matching call, 0.0–1.0.
    pub probability: f64,
}

impl FaultRule {
    /// A rule that fires on every call of `operation` (or every call), without limit.
    pub fn always(operation: Option<Operation>, fault: Fault) -> Self {
        Self {
            operation,
            fault,
            times: None,
            probability: 1.0,
        }
    }

    /// Limits how many times the rule fires.
    pub fn times(mut self, n: u32) -> Self {
        self.times = Some(n);
        self
    }

    fn matches(&self, op: Operation) -> bool {
        let applies = op.is_write() || !matches!(self.fault, Fault::ReplicaLag { .. });
        applies && self.operation.is_none_or(|o| o == op) && self.times != Some(0) && self.probability > 0.0
    }
}

/// A list of fault rules plus the seed of the RNG that decides probabilistic ones.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FaultPlan {
    /// Rules, checked in order; the first that fires wins.
    pub rules: Vec<FaultRule>,
    /// Seed for the draws.
    #[serde(default)]
    pub seed: u64,
}

impl FaultPlan {
    /// No faults.
    pub fn none() -> Self {
        Self::default()
    }

    /// Adds a rule.
    pub fn with(mut self, rule: FaultRule) -> Self {
        self.rules.push(rule);
        self
    }

    /// Sets the RNG seed.
    pub fn seeded(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// True when no rule can fire any more.
    pub fn is_exhausted(&self) -> bool {
        self.rules.iter().all(|r| r.times == Some(0) || r.probability <= 0.0)
    }

    /// Parses the emulator's compact form: comma-separated `FAULT[@OPERATION]:PROBABILITY[xTIMES]`.
    ///
    /// `FAULT` is `429` (optionally `429/SECONDS` for Retry-After; default 1 s), a 5xx status
    /// (`500`–`599`), `timeout`, `lost` (committed but the answer lost), `landed-503` (applied, then
    /// answered 503), `409` or `concurrency` (`409 Directory_ConcurrencyViolation`), or `lag`
    /// (`lag/K`: the next K reads miss the write; default 2). Example:
    /// `429:0.1,503:0.05,timeout:0.01,lost@create-delegated-grant:1x1,lag/3@update-delegated-grant:1`.
    pub fn parse(spec: &str) -> Result<Self> {
        let rules = spec
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(parse_rule)
            .collect::<Result<Vec<_>>>()?;
        Ok(Self { rules, seed: 0 })
    }

    /// Picks the fault for a call of `op`, consuming one use of the rule that fired.
    pub(crate) fn draw(&mut self, op: Operation, rng: &mut StdRng) -> Option<Fault> {
        for rule in self.rules.iter_mut().filter(|r| r.matches(op)) {
            // Certain rules take no draw, so adding one does not shift the dice of the others.
            let fires = rule.probability >= 1.0 || rng.gen_bool(rule.probability);
            if fires {
                rule.times = rule.times.map(|n| n.saturating_sub(1));
                return Some(rule.fault);
            }
        }
        None
    }

    /// A fresh RNG for this plan's seed.
    pub(crate) fn rng(&self) -> StdRng {
        StdRng::seed_from_u64(self.seed)
    }
}

fn parse_rule(item: &str) -> Result<FaultRule> {
    let bad = |why: String| {
        Error::invalid(
            "faults",
            format!("{:?}: {why}; expected FAULT[@OPERATION]:PROBABILITY[xTIMES]", short(item)),
        )
    };
    let (head, tail) = item.rsplit_once(':').ok_or_else(|| bad("missing ':PROBABILITY'".into()))?;
    let (fault, operation) = match head.split_once('@') {
        Some((f, o)) => (f, Some(o.parse::<Operation>().map_err(|e| bad(e.to_string()))?)),
        None => (head, None),
    };
    let (prob, times) = match tail.split_once(['x', 'X']) {
        Some((p, t)) => (p, Some(t.trim().parse::<u32>().map_err(|_| bad(format!("{t:?} is not a count")))?)),
        None => (tail, None),
    };
    let probability: f64 = prob.trim().parse().map_err(|_| bad(format!("{prob:?} is not a number")))?;
    if !(0.0..=1.0).contains(&probability) {
        return Err(bad(format!("probability {probability} is outside 0..=1")));
    }
    let fault = parse_fault(fault.trim()).map_err(bad)?;
    Ok(FaultRule {
        operation,
        fault,
        times,
        probability,
    })
}

fn parse_fault(s: &str) -> std::result::Result<Fault, String> {
    match s.to_ascii_lowercase().as_str() {
        "timeout" => return Ok(Fault::Timeout),
        "lost" | "committed-but-lost" => return Ok(Fault::CommittedButLost),
        "landed-503" => return Ok(Fault::LandedThen503),
        "409" | "concurrency" => return Ok(Fault::ConcurrencyViolation),
        _ => {}
    }
    let (status, secs) = s.split_once('/').map_or((s, None), |(a, b)| (a, Some(b)));
    if status.eq_ignore_ascii_case("lag") {
        let reads = secs
            .map_or(Ok(2), str::parse)
            .map_err(|_| format!("{s:?}: lag/K needs a whole number of reads"))?;
        return Ok(Fault::ReplicaLag { reads });
    }
    let status: u16 = status
        .parse()
        .map_err(|_| format!("unknown fault {s:?} (use 429, 5xx, timeout, lost, landed-503, 409 or lag)"))?;
    match status {
        429 => {
            let secs: f64 = secs
                .map_or(Ok(1.0), str::parse)
                .map_err(|_| format!("{s:?}: Retry-After must be seconds"))?;
            let retry_after = Duration::try_from_secs_f64(secs).map_err(|_| format!("{s:?}: Retry-After must be 0 or more seconds"))?;
            Ok(Fault::Throttle { retry_after })
        }
        500..=599 if secs.is_none() => Ok(Fault::ServerError { status }),
        _ => Err(format!("unknown fault {s:?} (use 429, 5xx, timeout, lost, landed-503, 409 or lag)")),
    }
}

fn short(s: &str) -> String {
    s.chars().take(64).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_emulator_form() {
        let plan = FaultPlan::parse("429:0.1, 503:0.05,timeout:0.01,lost@create-delegated-grant:1x1,429/2.5@get-request-policy:1").unwrap();
        assert_eq!(plan.rules.len(), 5);
        assert_eq!(
            plan.rules[0].fault,
            Fault::Throttle {
                retry_after: Duration::from_secs(1)
            }
        );
        assert_eq!(plan.rules[1].fault, Fault::ServerError { status: 503 });
        assert_eq!(plan.rules[2].fault, Fault::Timeout);
        assert_eq!(plan.rules[3].operation, Some(Operation::CreateDelegatedGrant));
        assert_eq!(plan.rules[3].times, Some(1));
        assert_eq!(
            plan.rules[4].fault,
            Fault::Throttle {
                retry_after: Duration::from_millis(2500)
            }
        );
    }

    #[test]
    fn parses_the_service_faults() {
        let plan =
            FaultPlan::parse("landed-503@create-service-principal:1x1,409:0.5,concurrency:1,lag:1,lag/5@update-delegated-grant:1").unwrap();
        let faults: Vec<Fault> = plan.rules.iter().map(|r| r.fault).collect();
        assert_eq!(
            faults,
            [
                Fault::LandedThen503,
                Fault::ConcurrencyViolation,
                Fault::ConcurrencyViolation,
                Fault::ReplicaLag { reads: 2 },
                Fault::ReplicaLag { reads: 5 },
            ]
        );
        let e = Fault::ConcurrencyViolation.to_error(Operation::UpdateDelegatedGrant);
        assert!(matches!(&e, Error::Conflict { code: Some(c), .. } if c == "Directory_ConcurrencyViolation"));
        assert!(e.is_retryable(), "a concurrency violation is worth retrying");
        assert!(matches!(
            Fault::LandedThen503.to_error(Operation::CreateDelegatedGrant),
            Error::Backend { status: 503, .. }
        ));
        for bad in ["lag/x:1", "lag/-1:1", "landed-504:1"] {
            assert!(FaultPlan::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn replica_lag_fires_on_writes_only() {
        let mut plan = FaultPlan::parse("lag/3:1x1").unwrap();
        let mut rng = plan.rng();
        assert_eq!(plan.draw(Operation::ListDelegatedGrants, &mut rng), None);
        assert_eq!(
            plan.draw(Operation::CreateDelegatedGrant, &mut rng),
            Some(Fault::ReplicaLag { reads: 3 })
        );
        assert!(plan.is_exhausted());
    }

    #[test]
    fn refuses_malformed_specs_with_the_expected_form() {
        for bad in [
            "429",
            "418:0.5",
            "429:1.5",
            "timeout@nope:1",
            "503:abc",
            "lost:1xmany",
            "429/-1:1",
            "503/2:1",
        ] {
            let err = FaultPlan::parse(bad).unwrap_err();
            assert!(matches!(err, Error::InvalidInput { field: "faults", .. }), "{bad}: {err:?}");
        }
    }

    #[test]
    fn certain_rules_fire_exactly_times_times() {
        let mut plan = FaultPlan::none().with(FaultRule::always(Some(Operation::PutRequestPolicy), Fault::Timeout).times(2));
        let mut rng = plan.rng();
        assert_eq!(plan.draw(Operation::GetRequestPolicy, &mut rng), None);
        assert_eq!(plan.draw(Operation::PutRequestPolicy, &mut rng), Some(Fault::Timeout));
        assert_eq!(plan.draw(Operation::PutRequestPolicy, &mut rng), Some(Fault::Timeout));
        assert_eq!(plan.draw(Operation::PutRequestPolicy, &mut rng), None);
        assert!(plan.is_exhausted());
    }

    #[test]
    fn probabilistic_rules_replay_with_the_same_seed() {
        let run = || {
            let mut plan = FaultPlan::parse("503:0.3").unwrap().seeded(42);
            let mut rng = plan.rng();
            (0..200)
                .map(|_| plan.draw(Operation::GetAuthorizationPolicy, &mut rng).is_some())
                .collect::<Vec<_>>()
        };
        let a = run();
        assert_eq!(a, run());
        let hits = a.iter().filter(|h| **h).count();
        assert!((30..=90).contains(&hits), "{hits} of 200 at p=0.3");
    }

    #[test]
    fn faults_map_to_the_port_errors() {
        let e = Fault::ServerError { status: 503 }.to_error(Operation::ListDelegatedGrants);
        assert!(matches!(e, Error::Backend { status: 503, .. }) && e.is_retryable());
        let e = Fault::Throttle {
            retry_after: Duration::from_secs(3),
        }
        .to_error(Operation::ListDelegatedGrants);
        assert_eq!(e.retry_after(), Some(Duration::from_secs(3)));
        assert_eq!(
            Fault::CommittedButLost.to_error(Operation::CreateDelegatedGrant),
            Error::timeout("create a delegated permission grant")
        );
    }

    #[test]
    fn operation_names_round_trip() {
        for op in Operation::ALL {
            assert_eq!(op.to_string().parse::<Operation>().unwrap(), op);
        }
        assert!("delete-everything".parse::<Operation>().is_err());
    }

    proptest::proptest! {
        #[test]
        fn parse_never_panics(s in "\\PC{0,80}") {
            let _ = FaultPlan::parse(&s);
        }
    }
}
