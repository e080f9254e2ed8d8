//! What the emulator counts and how it throttles: request statistics for the control API, and the
//! `--rate-limit N/S` token bucket per (tenant, client app) with early-retry detection.
//!
//! Buckets run on real time (`Instant`), not on the tenants' clocks: a client that honours
//! `Retry-After` sleeps in real time, and advancing a tenant's clock must not refill its budget.
//!
//! The limit can differ per tenant (`PUT /_emulator/rate-limit?tenant=…`): Graph's limits depend on
//! the tenant (its size and what else calls Graph there), so a fleet test needs one tenant that
//! throttles while the others do not.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use consent::AppId;
use serde::{Deserialize, Serialize};

use crate::config::RateLimit;
use crate::sync::lock;

/// What the emulator answered since it started (or since the last reset): `GET /_emulator/stats`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmulatorStats {
    /// HTTP requests answered (Graph, token endpoint and login pages; not the control API).
    pub requests: u64,
    /// Those requests by status code (`"200"`, `"429"`, …).
    pub by_status: BTreeMap<String, u64>,
    /// Graph calls (`$batch` items one by one) refused by `--rate-limit`.
    pub throttled: u64,
    /// Requests that came back to a throttled (tenant, app) before its `Retry-After` had passed.
    pub early_retries: u64,
}

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    last: Instant,
    /// Until when the last `429` told the client to wait.
    retry_at: Option<Instant>,
}

/// Which rate limit applies where.
#[derive(Debug, Clone, Default)]
struct Limits {
    /// `EmulatorConfig::rate_limit`: what a full reset returns to.
    configured: Option<RateLimit>,
    /// Every tenant without its own limit.
    default: Option<RateLimit>,
    /// Tenants (by index) with their own limit; `None` there means "not limited".
    tenants: HashMap<usize, Option<RateLimit>>,
}

impl Limits {
    fn of(&self, tenant: usize) -> Option<RateLimit> {
        self.tenants.get(&tenant).copied().unwrap_or(self.default)
    }
}

/// Statistics and rate-limit buckets.
#[derive(Debug)]
pub(crate) struct Traffic {
    limits: Mutex<Limits>,
    buckets: Mutex<HashMap<(usize, AppId), Bucket>>,
    stats: Mutex<EmulatorStats>,
}

impl Traffic {
    pub(crate) fn new(limit: Option<RateLimit>) -> Self {
        Self {
            limits: Mutex::new(Limits {
                configured: limit,
                default: limit,
                tenants: HashMap::new(),
            }),
            buckets: Mutex::new(HashMap::new()),
            stats: Mutex::new(EmulatorStats::default()),
        }
    }

    /// The limit of tenant `index`.
    pub(crate) fn limit_of(&self, tenant: usize) -> Option<RateLimit> {
        lock(&self.limits).of(tenant)
    }

    /// Sets the limit of one tenant, or of every tenant (`None`: per-tenant limits are dropped).
    /// The affected buckets start full, so a new limit is not judged by the old one's history.
    pub(crate) fn set_limit(&self, tenant: Option<usize>, limit: Option<RateLimit>) {
        let mut limits = lock(&self.limits);
        match tenant {
            None => {
                limits.default = limit;
                limits.tenants.clear();
                lock(&self.buckets).clear();
            }
            Some(i) => {
                limits.tenants.insert(i, limit);
                lock(&self.buckets).retain(|(t, _), _| *t != i);
            }
        }
    }

    /// One tenant back to the configured limit with full buckets (`reset?tenant=`).
    pub(crate) fn reset_tenant(&self, tenant: usize) {
        lock(&self.limits).tenants.remove(&tenant);
        lock(&self.buckets).retain(|(t, _), _| *t != tenant);
    }

    /// Counts one answered request.
    pub(crate) fn record(&self, status: u16) {
        let mut s = lock(&self.stats);
        s.requests += 1;
        *s.by_status.entry(status.to_string()).or_default() += 1;
    }

    /// A Graph request of (tenant, client) arrived: counts it as an early retry when the last `429`
    /// for the pair asked to wait longer than this.
    pub(crate) fn arrive(&self, tenant: usize, client: AppId) {
        if self.limit_of(tenant).is_none() {
            return;
        }
        let now = Instant::now();
        let early = lock(&self.buckets)
            .get(&(tenant, client))
            .and_then(|b| b.retry_at)
            .is_some_and(|at| now < at);
        if early {
            lock(&self.stats).early_retries += 1;
        }
    }

    /// Takes one request from the (tenant, client) bucket; `Err(wait)` (whole seconds, at least
    /// one) when it is empty.
    pub(crate) fn take(&self, tenant: usize, client: AppId) -> Result<(), Duration> {
        let Some(limit) = self.limit_of(tenant) else {
            return Ok(());
        };
        let now = Instant::now();
        let capacity = f64::from(limit.requests);
        let rate = capacity / limit.per.as_secs_f64();
        let mut buckets = lock(&self.buckets);
        let b = buckets.entry((tenant, client)).or_insert(Bucket {
            tokens: capacity,
            last: now,
            retry_at: None,
        });
        b.tokens = (b.tokens + now.duration_since(b.last).as_secs_f64() * rate).min(capacity);
        b.last = now;
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            return Ok(());
        }
        let wait = Duration::from_secs(((1.0 - b.tokens) / rate).ceil().max(1.0) as u64);
        b.retry_at = Some(now + wait);
        drop(buckets);
        lock(&self.stats).throttled += 1;
        Err(wait)
    }

    /// The counters so far.
    pub(crate) fn stats(&self) -> EmulatorStats {
        lock(&self.stats).clone()
    }

    /// Counters to zero, every bucket full, every tenant back to the configured limit.
    pub(crate) fn reset(&self) {
        *lock(&self.stats) = EmulatorStats::default();
        let mut limits = lock(&self.limits);
        limits.default = limits.configured;
        limits.tenants.clear();
        lock(&self.buckets).clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_per_tenant_and_app_refuses_past_its_budget() {
        let t = Traffic::new(Some(RateLimit {
            requests: 3,
            per: Duration::from_secs(30),
        }));
        let app = AppId::new_random();
        for _ in 0..3 {
            assert!(t.take(0, app).is_ok());
        }
        let wait = t.take(0, app).unwrap_err();
        assert!((9..=10).contains(&wait.as_secs()), "one request refills in 10 s: {wait:?}");
        assert!(t.take(1, app).is_ok(), "another tenant has its own bucket");
        assert!(t.take(0, AppId::new_random()).is_ok(), "another app has its own bucket");
        t.arrive(0, app);
        t.arrive(1, app);
        let s = t.stats();
        assert_eq!((s.throttled, s.early_retries), (1, 1));
        t.reset();
        assert!(t.take(0, app).is_ok());
        assert_eq!(t.stats(), EmulatorStats::default());
    }

    #[test]
    fn one_tenant_can_throttle_while_the_others_are_not_limited() {
        let t = Traffic::new(None);
        let app = AppId::new_random();
        let one = Some(RateLimit {
            requests: 1,
            per: Duration::from_secs(5),
        });
        t.set_limit(Some(2), one);
        assert!(t.take(2, app).is_ok());
        assert_eq!(t.take(2, app), Err(Duration::from_secs(5)));
        assert!((0..1000).all(|_| t.take(1, app).is_ok()), "tenant 1 is not limited");
        // Setting the limit of every tenant drops the per-tenant ones, "no limit" included.
        t.set_limit(Some(1), None);
        t.set_limit(None, one);
        assert!(t.take(1, app).is_ok());
        assert!(t.take(1, app).is_err(), "the default now applies to tenant 1 too");
        // reset?tenant= drops that tenant's own limit and refills its bucket.
        t.set_limit(Some(0), None);
        assert!((0..10).all(|_| t.take(0, app).is_ok()));
        t.reset_tenant(0);
        assert!(t.take(0, app).is_ok());
        assert!(t.take(0, app).is_err(), "back to the default");
        // A full reset returns to the configured limit (none).
        t.reset();
        assert_eq!((t.limit_of(0), t.limit_of(2)), (None, None));
    }

    #[test]
    fn without_a_limit_nothing_is_throttled() {
        let t = Traffic::new(None);
        let app = AppId::new_random();
        assert!((0..10_000).all(|_| t.take(0, app).is_ok()));
        t.record(200);
        t.record(200);
        t.record(404);
        let s = t.stats();
        assert_eq!((s.requests, s.by_status["200"], s.by_status["404"]), (3, 2, 1));
    }
}
