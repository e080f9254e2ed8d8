//! `watch`: follow one app's consent state until a reviewer decides, printing one line (or, with
//! `--json`, one JSON object per line) per change. Exit 0 when approved (or users may consent
//! themselves), 3 when denied, blocked, expired or timed out.
//!
//! Unlike other commands it prints as it goes — a watch may last an hour, and a script reading its
//! output line by line must see each change when it happens. Retries (throttling, timeouts) are
//! reported on stderr only, so stdout holds exactly one line per change.
//!
//! On the mock, the state file is read afresh for every poll and never held locked, so another
//! `consentctl --mock` (say, `requests` approving as a reviewer) can change the tenant meanwhile.
//! The mock's clock moves only with `mock advance`, so there the deadline runs on the wall clock.

use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use clap::Args;
use consent::workflow::{watch, WatchEvent, WatchOptions};
use consent::{
    AdminConsentRequestPolicy, AppConsentRequest, AppId, AppRoleAssignment, AuthorizationPolicy, Capabilities, ConsentGraph,
    ConsentRequestSubmission, ConsentReview, ConsentState, DelegatedGrant, NewAppRoleAssignment, NewDelegatedGrant, ObjectId,
    RequestFilter, ScopeSet, ServicePrincipal, TenantSnapshot, UserConsentRequest,
};
use consent_mock::{MockGraph, MockTenant};
use futures::StreamExt;
use serde::Serialize;

use super::views::scope_list;
use crate::app::AppArgs;
use crate::backend::{mock_store, resolve_user, Backend};
use crate::cli::GlobalArgs;
use crate::exit::{CliError, CliResult, Exit};
use crate::store::MockStore;

/// `watch` arguments.
#[derive(Debug, Args)]
pub struct WatchArgs {
    #[command(flatten)]
    pub app: AppArgs,

    /// Stop after this long without a decision (e.g. 90s, 30m, 1h, 1h30m).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, default_value = "1h")]
    pub timeout: Duration,

    /// The first wait between reads; it doubles while nothing changes.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, default_value = "15s")]
    pub interval: Duration,

    /// The longest wait between reads.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, default_value = "5m")]
    pub max_interval: Duration,
}

/// Parses `90s`, `30m`, `1h`, `1h30m`, `2d` or a bare number of seconds.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    if let Ok(secs) = s.parse::<u64>() {
        return Ok(Duration::from_secs(secs));
    }
    let mut total = 0u64;
    let mut digits = String::new();
    for c in s.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let unit = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            _ => return Err(format!("{s:?} is not a duration like 90s, 30m, 1h or 1h30m")),
        };
        let n: u64 = digits
            .parse()
            .map_err(|_| format!("{s:?} is not a duration like 90s, 30m, 1h or 1h30m"))?;
        total = total.saturating_add(n.saturating_mul(unit));
        digits.clear();
    }
    if !digits.is_empty() || s.is_empty() {
        return Err(format!("{s:?} is not a duration like 90s, 30m, 1h or 1h30m"));
    }
    Ok(Duration::from_secs(total))
}

/// Runs `watch`.
pub async fn run(a: WatchArgs, g: &GlobalArgs) -> CliResult<Exit> {
    let on_mock = g.mock;
    let app = a.app.registration(on_mock)?;
    let graph: Arc<dyn ConsentGraph> = if on_mock {
        let fresh = FreshMock {
            store: mock_store(g)?,
            as_user: g.as_user.clone(),
        };
        fresh.load()?; // a missing or broken state file is reported before watching starts
        Arc::new(fresh)
    } else {
        // Graph holds no lock; the backend is only the caller app.
        Backend::open(g)?.admin()?
    };
    let options = WatchOptions::default().timeout(a.timeout).intervals(a.interval, a.max_interval);
    let mut events = watch(graph.as_ref(), &app, options);
    let mut exit = Exit::ActionNeeded;
    while let Some(event) = events.next().await {
        let event = event?;
        match &event {
            WatchEvent::Retrying { error, wait } => {
                let _ = writeln!(anstream::stderr(), "{error}; reading again in {}", human_duration(*wait));
                continue;
            }
            WatchEvent::Changed { state, .. } if state.users_can_link() => exit = Exit::Success,
            _ => {}
        }
        let line = ChangeLine::new(&event);
        let written = if g.json {
            serde_json::to_string(&line)
                .map_err(std::io::Error::from)
                .and_then(|j| println_flush(&j))
        } else {
            println_flush(&line.human())
        };
        match written {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(exit),
            Err(e) => return Err(CliError::Runtime(format!("cannot write the output: {e}"))),
            Ok(()) => {}
        }
    }
    Ok(exit)
}

fn println_flush(line: &str) -> std::io::Result<()> {
    let mut stdout = anstream::stdout();
    writeln!(stdout, "{line}")?;
    stdout.flush()
}

fn human_duration(d: Duration) -> String {
    let secs = d.as_secs();
    if secs >= 120 {
        format!("{} min {} s", secs / 60, secs % 60)
    } else {
        format!("{secs} s")
    }
}

/// One line of `watch --json`.
#[derive(Debug, Serialize)]
struct ChangeLine {
    /// `changed` or `timed_out`.
    event: &'static str,
    /// When, on the tenant's clock.
    at: DateTime<Utc>,
    /// The state (the last one seen, for `timed_out`; null if none was).
    state: Option<&'static str>,
    /// True when every employee can link now.
    users_can_link: bool,
    /// Required scopes not yet granted tenant-wide.
    missing_scopes: Vec<String>,
    /// True for the last line.
    #[serde(rename = "final")]
    is_final: bool,
}

impl ChangeLine {
    fn new(event: &WatchEvent) -> Self {
        let (name, at, state) = match event {
            WatchEvent::Changed { state, at } => ("changed", *at, Some(state.as_ref())),
            WatchEvent::TimedOut { last, at } => ("timed_out", *at, last.as_deref()),
            _ => ("retrying", Utc::now(), None),
        };
        Self {
            event: name,
            at,
            state: state.map(ConsentState::name),
            users_can_link: state.is_some_and(ConsentState::users_can_link),
            missing_scopes: state.map(|s| scope_list(&s.coverage().missing)).unwrap_or_default(),
            is_final: event.is_final(),
        }
    }

    fn human(&self) -> String {
        let at = self.at.format("%Y-%m-%d %H:%M:%SZ");
        let state = self.state.unwrap_or("unknown");
        let detail = match (self.event, state) {
            ("timed_out", _) => format!("timed out; the last state seen was {state}"),
            (_, "approved") => "approved: every employee can link".to_owned(),
            (_, "user_consent_allowed") => "users may consent themselves: nothing to wait for".to_owned(),
            (_, "pending") => "a request is waiting for a reviewer".to_owned(),
            (_, "denied") => "the request was denied".to_owned(),
            (_, "expired") => "the request expired undecided".to_owned(),
            (_, "blocked") => "the app is blocked in this tenant".to_owned(),
            (_, other) => other.replace('_', " "),
        };
        let missing = if self.missing_scopes.is_empty() || self.users_can_link {
            String::new()
        } else {
            format!(" (missing: {})", self.missing_scopes.join(" "))
        };
        format!("{at}  {state:<21} {detail}{missing}")
    }
}

/// The mock tenant read afresh from its state file for every call, never kept locked: a watch
/// may run for an hour while other commands change the tenant. Reads only; writes are not saved.
#[derive(Debug)]
struct FreshMock {
    store: MockStore,
    as_user: Option<String>,
}

impl FreshMock {
    fn load(&self) -> CliResult<MockTenant> {
        let lock = self.store.lock(false)?;
        lock.load()
    }

    fn graph(&self) -> consent::Result<MockGraph> {
        let tenant = self.load().map_err(|e| consent::Error::invalid("mock_state", e.to_string()))?;
        match &self.as_user {
            Some(who) => {
                let user = resolve_user(&tenant, who).map_err(|e| consent::Error::invalid("as", e.to_string()))?;
                Ok(tenant.as_user(user.id))
            }
            None => Ok(tenant.as_admin()),
        }
    }
}

#[async_trait]
impl ConsentGraph for FreshMock {
    fn capabilities(&self) -> Capabilities {
        Capabilities {
            backend: consent_mock::BACKEND,
            submit_requests: true,
            review_requests: true,
        }
    }

    /// The wall clock: the saved mock's clock only moves with `mock advance`.
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }

    async fn snapshot(&self, app_id: &AppId, resources: &[AppId]) -> consent::Result<TenantSnapshot> {
        self.graph()?.snapshot(app_id, resources).await
    }

    async fn get_request_policy(&self) -> consent::Result<AdminConsentRequestPolicy> {
        self.graph()?.get_request_policy().await
    }

    async fn put_request_policy(&self, policy: &AdminConsentRequestPolicy) -> consent::Result<()> {
        self.graph()?.put_request_policy(policy).await
    }

    async fn get_authorization_policy(&self) -> consent::Result<AuthorizationPolicy> {
        self.graph()?.get_authorization_policy().await
    }

    async fn list_app_consent_requests(&self, filter: &RequestFilter) -> consent::Result<Vec<AppConsentRequest>> {
        self.graph()?.list_app_consent_requests(filter).await
    }

    async fn list_user_consent_requests(&self, app_request_id: &str) -> consent::Result<Vec<UserConsentRequest>> {
        self.graph()?.list_user_consent_requests(app_request_id).await
    }

    async fn get_service_principal(&self, app_id: &AppId) -> consent::Result<Option<ServicePrincipal>> {
        self.graph()?.get_service_principal(app_id).await
    }

    async fn create_service_principal(&self, app_id: &AppId) -> consent::Result<ServicePrincipal> {
        self.graph()?.create_service_principal(app_id).await
    }

    async fn list_delegated_grants(&self, client_id: &ObjectId) -> consent::Result<Vec<DelegatedGrant>> {
        self.graph()?.list_delegated_grants(client_id).await
    }

    async fn create_delegated_grant(&self, grant: &NewDelegatedGrant) -> consent::Result<DelegatedGrant> {
        self.graph()?.create_delegated_grant(grant).await
    }

    async fn update_delegated_grant(&self, grant_id: &str, scope: &ScopeSet) -> consent::Result<()> {
        self.graph()?.update_delegated_grant(grant_id, scope).await
    }

    async fn list_app_role_assignments(&self, client_id: &ObjectId) -> consent::Result<Vec<AppRoleAssignment>> {
        self.graph()?.list_app_role_assignments(client_id).await
    }

    async fn create_app_role_assignment(&self, assignment: &NewAppRoleAssignment) -> consent::Result<AppRoleAssignment> {
        self.graph()?.create_app_role_assignment(assignment).await
    }

    async fn submit_consent_request(&self, submission: &ConsentRequestSubmission) -> consent::Result<AppConsentRequest> {
        self.graph()?.submit_consent_request(submission).await
    }

    async fn review_consent_request(&self, review: &ConsentReview) -> consent::Result<()> {
        self.graph()?.review_consent_request(review).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_in_the_usual_forms() {
        assert_eq!(parse_duration("90").unwrap(), Duration::from_secs(90));
        assert_eq!(parse_duration("90s").unwrap(), Duration::from_secs(90));
        assert_eq!(parse_duration("30m").unwrap(), Duration::from_secs(1800));
        assert_eq!(parse_duration("1h30m").unwrap(), Duration::from_secs(5400));
        assert_eq!(parse_duration("2d").unwrap(), Duration::from_secs(172_800));
        for bad in ["", "h", "1x", "1h3", "-1s"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }
}
