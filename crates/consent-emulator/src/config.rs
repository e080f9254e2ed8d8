//! How an emulator is set up: limits, lifetimes, the seeded admin client, the apps the login pages
//! know by name, how many tenants it serves, and the latency and throttling it simulates.

use std::fmt;
use std::str::FromStr;

use chrono::Duration;
use consent::{AppId, AppRegistration, Error};

/// The largest request body accepted (Graph and login endpoints alike); larger ones get `413`.
pub const DEFAULT_BODY_LIMIT: usize = 1024 * 1024;

/// The application permissions of the seeded admin client: what `consent-graph` needs for every
/// port operation (see `docs/graph-permissions.md`).
pub const ADMIN_APP_PERMISSIONS: &[&str] = &[
    "Policy.Read.All",
    "Policy.ReadWrite.ConsentRequest",
    "ConsentRequest.Read.All",
    "Application.Read.All",
    "Application.ReadWrite.All",
    "Directory.Read.All",
    "DelegatedPermissionGrant.ReadWrite.All",
    "AppRoleAssignment.ReadWrite.All",
];

/// Settings of one emulator. `Default` is what the binary uses.
#[derive(Clone)]
pub struct EmulatorConfig {
    /// Request bodies above this many bytes get `413` (default [`DEFAULT_BODY_LIMIT`]).
    pub body_limit: usize,
    /// The seeded admin client's id; random when `None`.
    pub admin_client_id: Option<AppId>,
    /// The seeded admin client's secret; random when `None`.
    pub admin_client_secret: Option<String>,
    /// Lifetime of tokens from the token endpoint, on the tenant's clock (default 1 hour, like Entra).
    pub token_lifetime: Duration,
    /// Lifetime of authorization codes, on the tenant's clock (default 10 minutes, Microsoft Learn: "Microsoft identity platform and OAuth 2.0 authorization code flow").
    pub code_lifetime: Duration,
    /// App registrations the login pages show by name and expand `/.default` for, ahead of the apps
    /// published in the tenant (which the pages fall back to). The mock decides consent for any
    /// published app; this list only feeds the pages (default: the demo app).
    pub apps: Vec<AppRegistration>,
    /// How many tenants to serve (default 1, at least 1). The first is the tenant given to
    /// [`Emulator::new`](crate::Emulator::new); the others are copies of it as it was when the
    /// emulator started, each with its own tenant id and its own state (see `docs/emulator.md`).
    pub tenants: usize,
    /// Delay added to every Graph and token-endpoint answer (default none).
    pub latency: Option<Latency>,
    /// A token bucket per (tenant, client app) on Graph calls (default none: unlimited).
    pub rate_limit: Option<RateLimit>,
    /// Connections served at once; a connection beyond it is answered `503` with `Retry-After: 1`
    /// and closed (default [`DEFAULT_MAX_CONNECTIONS`]), so a flood never exhausts file descriptors.
    pub max_connections: usize,
    /// How long a connection may take to send a request's headers, and stay idle between
    /// keep-alive requests, before it is closed (default [`DEFAULT_HEADER_READ_TIMEOUT`]).
    pub header_read_timeout: std::time::Duration,
    /// Client secrets of vendor apps: an app listed here must send its secret when it redeems a
    /// code or a refresh token (a confidential client), else AADSTS7000218 / 7000215 (default
    /// none: every app is a public client).
    pub client_secrets: Vec<(AppId, String)>,
    /// Account status to seed at start, by UPN, in every given tenant (e.g. a user with no
    /// mailbox); an unknown UPN makes `bind` fail. Survives `reset`.
    pub accounts: Vec<(String, consent_mock::AccountChange)>,
}

/// Connections served at once by default: far below a default `ulimit -n` of 1024.
pub const DEFAULT_MAX_CONNECTIONS: usize = 512;

/// Header-read and keep-alive idle timeout by default.
pub const DEFAULT_HEADER_READ_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// `--latency MS[:JITTER_MS]`: every Graph and token answer waits `base` plus a uniformly drawn
/// extra in `-jitter..=+jitter` (never below zero), as Dev Proxy's LatencyPlugin does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Latency {
    /// The mean delay.
    pub base: std::time::Duration,
    /// The largest deviation from `base`, either way.
    pub jitter: std::time::Duration,
}

impl Latency {
    /// One delay: `base ± jitter`, uniformly, clamped at zero.
    pub fn sample(&self) -> std::time::Duration {
        use rand::Rng as _;
        let jitter = u64::try_from(self.jitter.as_millis()).unwrap_or(u64::MAX / 4);
        if jitter == 0 {
            return self.base;
        }
        let offset = rand::thread_rng().gen_range(0..=2 * jitter);
        let base = u64::try_from(self.base.as_millis()).unwrap_or(u64::MAX / 4);
        std::time::Duration::from_millis((base + offset).saturating_sub(jitter))
    }
}

impl FromStr for Latency {
    type Err = Error;
    /// `250` or `250:50` (milliseconds).
    fn from_str(s: &str) -> consent::Result<Self> {
        let bad = || {
            Error::invalid(
                "latency",
                format!("{s:?} is not MS or MS:JITTER_MS (whole milliseconds, at most 600000)"),
            )
        };
        let ms = |part: &str| part.trim().parse::<u64>().ok().filter(|v| *v <= 600_000).ok_or_else(bad);
        let (base, jitter) = match s.split_once(':') {
            Some((b, j)) => (ms(b)?, ms(j)?),
            None => (ms(s)?, 0),
        };
        Ok(Self {
            base: std::time::Duration::from_millis(base),
            jitter: std::time::Duration::from_millis(jitter),
        })
    }
}

/// `--rate-limit N/S`: each (tenant, client app) may make `requests` Graph calls per `per`; the bucket
/// refills continuously at `requests / per`. `$batch` items count one by one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Bucket size: requests allowed in a burst and per window.
    pub requests: u32,
    /// The window in which `requests` are refilled.
    pub per: std::time::Duration,
}

impl std::fmt::Display for RateLimit {
    /// The `N/S` form `--rate-limit` and the control API accept.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.requests, self.per.as_secs())
    }
}

impl FromStr for RateLimit {
    type Err = Error;
    /// `100/10` = 100 requests per 10 seconds.
    fn from_str(s: &str) -> consent::Result<Self> {
        let bad = || {
            Error::invalid(
                "rate_limit",
                format!("{s:?} is not N/S (N requests per S seconds, both whole and positive)"),
            )
        };
        let (n, secs) = s.split_once('/').ok_or_else(bad)?;
        let n = n.trim().parse::<u32>().ok().filter(|v| *v > 0).ok_or_else(bad)?;
        let secs = secs
            .trim()
            .parse::<u64>()
            .ok()
            .filter(|v| (1..=86_400).contains(v))
            .ok_or_else(bad)?;
        Ok(Self {
            requests: n,
            per: std::time::Duration::from_secs(secs),
        })
    }
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        Self {
            body_limit: DEFAULT_BODY_LIMIT,
            admin_client_id: None,
            admin_client_secret: None,
            token_lifetime: Duration::hours(1),
            code_lifetime: Duration::minutes(10),
            apps: vec![consent_mock::demo::carerix_app()],
            tenants: 1,
            latency: None,
            rate_limit: None,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            header_read_timeout: DEFAULT_HEADER_READ_TIMEOUT,
            client_secrets: Vec::new(),
            accounts: Vec::new(),
        }
    }
}

impl EmulatorConfig {
    /// The registration of `app_id`, if configured.
    pub(crate) fn app(&self, app_id: &AppId) -> Option<&AppRegistration> {
        self.apps.iter().find(|a| a.app_id == *app_id)
    }
}

impl fmt::Debug for EmulatorConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmulatorConfig")
            .field("body_limit", &self.body_limit)
            .field("admin_client_id", &self.admin_client_id)
            .field("admin_client_secret", &self.admin_client_secret.as_ref().map(|_| "[redacted]"))
            .field("token_lifetime", &self.token_lifetime)
            .field("code_lifetime", &self.code_lifetime)
            .field("apps", &self.apps.iter().map(|a| a.app_id).collect::<Vec<_>>())
            .field("tenants", &self.tenants)
            .field("latency", &self.latency)
            .field("rate_limit", &self.rate_limit)
            .field("max_connections", &self.max_connections)
            .field("header_read_timeout", &self.header_read_timeout)
            .field(
                "client_secrets",
                &self.client_secrets.iter().map(|(a, _)| (a, "[redacted]")).collect::<Vec<_>>(),
            )
            .field("accounts", &self.accounts)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latency_and_rate_limit_parse_and_refuse_nonsense() {
        let l: Latency = "50:10".parse().unwrap();
        assert_eq!((l.base.as_millis(), l.jitter.as_millis()), (50, 10));
        for _ in 0..200 {
            let d = l.sample().as_millis();
            assert!((40..=60).contains(&d), "{d}");
        }
        let fixed: Latency = "7".parse().unwrap();
        assert_eq!(fixed.sample().as_millis(), 7);
        let r: RateLimit = "100/10".parse().unwrap();
        assert_eq!((r.requests, r.per.as_secs()), (100, 10));
        for bad in ["", "x", "-1", "5:", "9999999", "1:2:3"] {
            assert!(bad.parse::<Latency>().is_err(), "{bad}");
        }
        for bad in ["", "10", "0/1", "1/0", "a/b", "1/-1", "10/100000"] {
            assert!(bad.parse::<RateLimit>().is_err(), "{bad}");
        }
    }
}
