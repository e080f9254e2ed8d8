//! The control API for test suites, under `/_emulator/`: move the clock, read the outbox and the
//! statistics, reset, save and load a tenant's state. Every call needs
//! `Authorization: Bearer <admin_client_secret>`; the emulator only listens on loopback, and the
//! API refuses to answer if it was bound elsewhere.
//!
//! `?tenant=<guid>` picks one tenant; without it writes (advance, reset, state PUT) apply to every
//! tenant and reads (outbox, state GET) to the first. [`RunningEmulator`](crate::RunningEmulator)
//! offers the same operations as Rust methods, through the functions here.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Duration, Utc};
use consent::{Clock, Error};
use consent_mock::{MockTenant, Notification, NotificationKind};
use serde::{Deserialize, Serialize};
use serde_json::json;
use subtle::ConstantTimeEq;

use crate::config::RateLimit;
use crate::server::Shared;

/// The longest clock step accepted in one call (100 years): larger ones would overflow dates.
const MAX_ADVANCE_SECONDS: i64 = 100 * 366 * 24 * 3600;

/// One email a tenant sent: `GET /_emulator/outbox` items.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OutboxMail {
    /// The recipient's address (their user principal name).
    pub to: String,
    /// The subject line.
    pub subject: String,
    /// The plain-text body.
    pub body: String,
    /// When it was sent, on the tenant's clock.
    pub sent_date_time: DateTime<Utc>,
}

impl From<&Notification> for OutboxMail {
    fn from(n: &Notification) -> Self {
        let app = &n.app_display_name;
        let (subject, body) = match n.kind {
            NotificationKind::NewRequest => (
                format!("Admin consent request for {app}"),
                format!("A user asked for admin consent to {app}. Review the request (id {}) in the Microsoft Entra admin center under Enterprise applications > Admin consent requests.", n.request_id),
            ),
            NotificationKind::Reminder => (
                format!("Reminder: admin consent request for {app} is waiting"),
                format!("The admin consent request for {app} (id {}) is still waiting for your review and will expire if nobody decides.", n.request_id),
            ),
            NotificationKind::RequestSubmitted => (
                format!("Your request for {app} was sent"),
                format!("Your request for admin consent to {app} was sent to the reviewers. You will get an email when it is decided."),
            ),
            NotificationKind::Approved => (
                format!("Your request for {app} was approved"),
                format!("An administrator granted consent to {app}. Sign in to {app} again to continue."),
            ),
            NotificationKind::Denied => (
                format!("Your request for {app} was denied"),
                format!("An administrator denied your request for admin consent to {app}."),
            ),
            NotificationKind::Blocked => (
                format!("Your request for {app} was denied and the app blocked"),
                format!("An administrator denied your request and blocked {app} for your organization."),
            ),
            NotificationKind::Expired => (
                format!("Your request for {app} expired"),
                format!("Nobody reviewed your request for admin consent to {app} in time. You can ask again."),
            ),
        };
        Self {
            to: n.to_upn.to_string(),
            subject,
            body,
            sent_date_time: n.at,
        }
    }
}

/// The control routes.
pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/_emulator/clock/advance", post(advance))
        .route("/_emulator/outbox", get(outbox))
        .route("/_emulator/stats", get(stats))
        .route("/_emulator/reset", post(reset))
        .route("/_emulator/state", get(get_state).put(put_state))
        .route("/_emulator/rate-limit", get(get_rate_limit).put(put_rate_limit))
        // A saved tenant with many requests can pass Graph's 1 MiB body limit.
        .layer(axum::extract::DefaultBodyLimit::max(MAX_STATE_BYTES))
}

/// The largest state a `PUT /_emulator/state` accepts.
const MAX_STATE_BYTES: usize = 64 * 1024 * 1024;

// ---- the operations (shared by HTTP and `RunningEmulator`) ------------------------------------

/// Which tenants a control call applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    /// Writes: every tenant; reads: the first.
    Default,
    One(usize),
}

impl Shared {
    fn target_tenant(&self, target: Target) -> consent::Result<MockTenant> {
        let index = match target {
            Target::Default => 0,
            Target::One(i) => i,
        };
        self.tenants.get(index).ok_or_else(|| Error::not_found(format!("tenant #{index}")))
    }

    /// Moves the clock by `seconds` (≥ 0) and returns the target's (or the first tenant's) time.
    pub(crate) fn advance_clock(&self, target: Target, seconds: i64) -> consent::Result<DateTime<Utc>> {
        if !(0..=MAX_ADVANCE_SECONDS).contains(&seconds) {
            return Err(Error::invalid(
                "seconds",
                format!("must be between 0 and {MAX_ADVANCE_SECONDS}; the clock only moves forward"),
            ));
        }
        let by = Duration::seconds(seconds);
        let too_far = || Error::invalid("seconds", "would move a tenant's clock past the year 9999");
        match target {
            Target::Default if self.tenants.advance_all(by) => {}
            Target::Default => return Err(too_far()),
            Target::One(_) => {
                let tenant = self.target_tenant(target)?;
                if !crate::tenants::fits(&tenant, by) {
                    return Err(too_far());
                }
                tenant.advance(by);
            }
        }
        Ok(self.target_tenant(target)?.clock().now())
    }

    /// The emails the target tenant (default: the first) sent, oldest first.
    pub(crate) fn outbox_of(&self, target: Target) -> consent::Result<Vec<OutboxMail>> {
        Ok(self.target_tenant(target)?.outbox().iter().map(OutboxMail::from).collect())
    }

    /// Back to the preset: every tenant, statistics and rate-limit buckets (default), or one tenant.
    pub(crate) fn reset_to_preset(&self, target: Target) -> consent::Result<()> {
        match target {
            Target::Default => {
                self.tenants.reset();
                self.traffic.reset();
                self.apps.reset(&self.config);
                Ok(())
            }
            Target::One(i) if self.tenants.reset_one(i) => {
                self.traffic.reset_tenant(i);
                Ok(())
            }
            Target::One(i) => Err(Error::not_found(format!("tenant #{i}"))),
        }
    }

    /// The rate limit of the target tenant (default: the first).
    pub(crate) fn rate_limit_of(&self, target: Target) -> Option<RateLimit> {
        self.traffic.limit_of(match target {
            Target::Default => 0,
            Target::One(i) => i,
        })
    }

    /// Sets the rate limit of one tenant, or of every tenant (dropping per-tenant limits).
    pub(crate) fn set_rate_limit(&self, target: Target, limit: Option<RateLimit>) {
        self.traffic.set_limit(
            match target {
                Target::Default => None,
                Target::One(i) => Some(i),
            },
            limit,
        );
    }

    /// The target tenant's state (default: the first), as `MockTenant::to_json` writes it.
    pub(crate) fn state_of(&self, target: Target) -> consent::Result<String> {
        Ok(self.target_tenant(target)?.to_json())
    }

    /// Loads a saved tenant into the target (default: every tenant); each keeps its tenant id.
    pub(crate) fn load_state(&self, target: Target, json: &str) -> consent::Result<()> {
        let loaded = MockTenant::from_json(json)?;
        match target {
            Target::Default => {
                self.tenants.load_all(&loaded);
                Ok(())
            }
            Target::One(i) if self.tenants.load_one(i, &loaded) => Ok(()),
            Target::One(i) => Err(Error::not_found(format!("tenant #{i}"))),
        }
    }

    /// The target a `?tenant=` query names.
    pub(crate) fn target_of(&self, tenant: Option<&str>) -> Option<Target> {
        match tenant {
            None => Some(Target::Default),
            Some(t) => self.tenants.index_of(t).map(Target::One),
        }
    }
}

// ---- HTTP -------------------------------------------------------------------------------------

/// A control-API failure: status, code and message in Graph's error shape.
pub(crate) fn refuse(status: StatusCode, code: &str, message: impl Into<String>) -> Response {
    (status, Json(json!({ "error": { "code": code, "message": message.into() } }))).into_response()
}

pub(crate) fn from_error(e: &Error) -> Response {
    match e {
        Error::NotFound { .. } => refuse(StatusCode::NOT_FOUND, "notFound", e.to_string()),
        _ => refuse(StatusCode::BAD_REQUEST, "badRequest", e.to_string()),
    }
}

/// Checks the caller and the `?tenant=` parameter.
// The error is the response to send, built once per request: boxing it would buy nothing.
#[allow(clippy::result_large_err)]
pub(crate) fn admit(shared: &Shared, headers: &HeaderMap, raw_query: Option<&str>) -> Result<Target, Response> {
    if !shared.loopback {
        return Err(refuse(
            StatusCode::FORBIDDEN,
            "forbidden",
            "The control API answers only when the emulator listens on a loopback address.",
        ));
    }
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, secret)| secret.trim());
    let ok = presented.is_some_and(|p| bool::from(p.as_bytes().ct_eq(shared.admin.secret.as_bytes())));
    if !ok {
        let mut r = refuse(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "The control API needs 'Authorization: Bearer <admin_client_secret>' (from the startup line).",
        );
        r.headers_mut()
            .insert(header::WWW_AUTHENTICATE, header::HeaderValue::from_static("Bearer"));
        return Err(r);
    }
    let params: HashMap<String, String> = url::form_urlencoded::parse(raw_query.unwrap_or("").as_bytes())
        .into_owned()
        .collect();
    let tenant = params.get("tenant").map(String::as_str);
    shared.target_of(tenant).ok_or_else(|| {
        refuse(
            StatusCode::NOT_FOUND,
            "notFound",
            format!("Tenant '{}' is not served here.", tenant.unwrap_or("")),
        )
    })
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AdvanceBody {
    seconds: i64,
}

async fn advance(State(shared): State<Arc<Shared>>, RawQuery(q): RawQuery, headers: HeaderMap, body: Bytes) -> Response {
    let target = match admit(&shared, &headers, q.as_deref()) {
        Ok(t) => t,
        Err(r) => return r,
    };
    let Ok(AdvanceBody { seconds }) = serde_json::from_slice::<AdvanceBody>(&body) else {
        return refuse(
            StatusCode::BAD_REQUEST,
            "badRequest",
            "The body must be {\"seconds\": N} with N a whole number of seconds.",
        );
    };
    match shared.advance_clock(target, seconds) {
        Ok(now) => Json(json!({ "now": now.to_rfc3339() })).into_response(),
        Err(e) => from_error(&e),
    }
}

async fn outbox(State(shared): State<Arc<Shared>>, RawQuery(q): RawQuery, headers: HeaderMap) -> Response {
    match admit(&shared, &headers, q.as_deref()).map(|t| shared.outbox_of(t)) {
        Ok(Ok(mails)) => Json(json!({ "value": mails })).into_response(),
        Ok(Err(e)) => from_error(&e),
        Err(r) => r,
    }
}

async fn stats(State(shared): State<Arc<Shared>>, RawQuery(q): RawQuery, headers: HeaderMap) -> Response {
    match admit(&shared, &headers, q.as_deref()) {
        Ok(_) => Json(shared.traffic.stats()).into_response(),
        Err(r) => r,
    }
}

async fn reset(State(shared): State<Arc<Shared>>, RawQuery(q): RawQuery, headers: HeaderMap) -> Response {
    match admit(&shared, &headers, q.as_deref()).map(|t| shared.reset_to_preset(t)) {
        Ok(Ok(())) => StatusCode::NO_CONTENT.into_response(),
        Ok(Err(e)) => from_error(&e),
        Err(r) => r,
    }
}

async fn get_state(State(shared): State<Arc<Shared>>, RawQuery(q): RawQuery, headers: HeaderMap) -> Response {
    match admit(&shared, &headers, q.as_deref()).map(|t| shared.state_of(t)) {
        Ok(Ok(json)) => ([(header::CONTENT_TYPE, "application/json")], json).into_response(),
        Ok(Err(e)) => from_error(&e),
        Err(r) => r,
    }
}

async fn put_state(State(shared): State<Arc<Shared>>, RawQuery(q): RawQuery, headers: HeaderMap, body: Bytes) -> Response {
    let target = match admit(&shared, &headers, q.as_deref()) {
        Ok(t) => t,
        Err(r) => return r,
    };
    let Ok(text) = std::str::from_utf8(&body) else {
        return refuse(StatusCode::BAD_REQUEST, "badRequest", "The state must be UTF-8 JSON.");
    };
    match shared.load_state(target, text) {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => from_error(&e),
    }
}

/// `{"limit": "N/S"}` or `{"limit": null}` (not limited).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RateLimitBody {
    limit: Option<String>,
}

fn rate_limit_reply(limit: Option<RateLimit>) -> Response {
    Json(json!({ "limit": limit.map(|l| l.to_string()) })).into_response()
}

async fn get_rate_limit(State(shared): State<Arc<Shared>>, RawQuery(q): RawQuery, headers: HeaderMap) -> Response {
    match admit(&shared, &headers, q.as_deref()) {
        Ok(target) => rate_limit_reply(shared.rate_limit_of(target)),
        Err(r) => r,
    }
}

async fn put_rate_limit(State(shared): State<Arc<Shared>>, RawQuery(q): RawQuery, headers: HeaderMap, body: Bytes) -> Response {
    let target = match admit(&shared, &headers, q.as_deref()) {
        Ok(t) => t,
        Err(r) => return r,
    };
    let Ok(RateLimitBody { limit }) = serde_json::from_slice::<RateLimitBody>(&body) else {
        return refuse(
            StatusCode::BAD_REQUEST,
            "badRequest",
            "The body must be {\"limit\": \"N/S\"} (N requests per S seconds) or {\"limit\": null}.",
        );
    };
    let limit = match limit.as_deref().map(str::parse::<RateLimit>).transpose() {
        Ok(l) => l,
        Err(e) => return from_error(&e),
    };
    shared.set_rate_limit(target, limit);
    rate_limit_reply(shared.rate_limit_of(target))
}
