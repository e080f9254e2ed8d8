//! `check_link` against a wiremock token endpoint and Graph: at most two round trips, every outcome
//! from the side that produces it, the rotated refresh token, and secrets kept out of Debug.

use std::sync::Arc;
use std::time::Duration;

use crate::common::*;
use chrono::{TimeZone, Utc};
use consent::link::{Authority, HealthOutcome, WhoActs};
use consent::{ManualClock, ScopeSet, TenantId};
use consent_graph::{check_link, LinkCheckReport, LinkChecker, LinkedAccount, Secret};
use serde_json::{json, Value};
use wiremock::matchers::{bearer_token, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const CLIENT_SECRET: &str = "Cl13nt~secret.never-printed";
const OLD_RT: &str = "old-refresh-token-0.AAAA";
const NEW_RT: &str = "new-refresh-token-1.BBBB";
const ACCESS: &str = "delegated-access-token-xyz";
const TOKEN_PATH: &str = "/contoso.onmicrosoft.com/oauth2/v2.0/token";
const CALENDAR_PATH: &str = "/v1.0/me/calendar";
const SCOPES: &str = "Calendars.ReadWrite User.Read offline_access";

fn checker(server: &MockServer) -> LinkChecker {
    let clock = ManualClock::new(Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap());
    LinkChecker::builder(app(), ScopeSet::parse(SCOPES).unwrap())
        .client_secret(Secret::new(CLIENT_SECRET))
        .graph_endpoint(endpoint(server))
        .authority(Authority::parse(&server.uri()).unwrap())
        .timeout(Duration::from_secs(5))
        .clock(Arc::new(clock))
        .build()
        .unwrap()
}

fn account() -> LinkedAccount {
    LinkedAccount {
        tenant: TenantId::parse(TENANT).unwrap(),
        refresh_token: Secret::new(OLD_RT),
    }
}

fn entra_error(error: &str, code: u32) -> Value {
    json!({
        "error": error,
        "error_description": format!("AADSTS{code}: Something happened. Trace ID: 0c7d Correlation ID: 5a1e Timestamp: 2026-03-02 09:00:00Z"),
        "error_codes": [code],
        "timestamp": "2026-03-02 09:00:00Z",
        "trace_id": "0c7d",
        "correlation_id": "5a1e",
    })
}

async fn mount_token(server: &MockServer, response: ResponseTemplate) {
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(response)
        .expect(1)
        .named("token endpoint")
        .mount(server)
        .await;
}

async fn mount_token_ok(server: &MockServer) {
    let body = json!({"token_type": "Bearer", "scope": SCOPES, "expires_in": 3599, "access_token": ACCESS, "refresh_token": NEW_RT});
    mount_token(server, ResponseTemplate::new(200).set_body_json(body)).await;
}

async fn mount_calendar(server: &MockServer, response: ResponseTemplate, expect: u64) {
    Mock::given(method("GET"))
        .and(path(CALENDAR_PATH))
        .and(query_param("$select", "id"))
        .and(bearer_token(ACCESS))
        .respond_with(response)
        .expect(expect)
        .named("calendar read")
        .mount(server)
        .await;
}

/// A refresh refused with `status` and `body`: the calendar is never read.
async fn refused(status: u16, body: Value) -> LinkCheckReport {
    let server = MockServer::start().await;
    mount_token(&server, ResponseTemplate::new(status).set_body_json(body)).await;
    mount_calendar(&server, ResponseTemplate::new(200), 0).await;
    let report = check_link(&checker(&server), &account()).await.unwrap();
    assert_eq!(report.round_trips, 1);
    assert_eq!(received(&server).await.len(), 1, "no Graph call after a failed refresh");
    assert!(report.refresh_token.is_none() && report.access_token.is_none());
    report
}

/// A refresh that works, then Graph answers `response`.
async fn read_answers(response: ResponseTemplate) -> LinkCheckReport {
    let server = MockServer::start().await;
    mount_token_ok(&server).await;
    mount_calendar(&server, response, 1).await;
    let report = check_link(&checker(&server), &account()).await.unwrap();
    assert_eq!(report.round_trips, 2);
    assert_eq!(received(&server).await.len(), 2, "exactly two round trips");
    assert_eq!(
        report.refresh_token.as_ref().map(Secret::secret),
        Some(NEW_RT),
        "the rotated token is returned even when the read fails"
    );
    report
}

fn assert_outcome(report: &LinkCheckReport, outcome: HealthOutcome, who: WhoActs, code: &str) {
    let h = &report.health;
    assert_eq!((h.outcome, h.who_acts, h.code.as_deref()), (outcome, who, Some(code)), "{h:?}");
}

#[tokio::test]
async fn healthy_sends_the_documented_refresh_and_one_cheap_read() {
    let server = MockServer::start().await;
    mount_token_ok(&server).await;
    mount_calendar(&server, ResponseTemplate::new(200).set_body_json(json!({"id": "AAMkAD"})), 1).await;
    let report = check_link(&checker(&server), &account()).await.unwrap();
    assert_eq!(report.health.outcome, HealthOutcome::Healthy);
    assert_eq!(report.refresh_token.as_ref().unwrap().secret(), NEW_RT);
    assert_eq!(report.access_token.as_ref().unwrap().secret(), ACCESS);
    assert_eq!(
        report.access_token.as_ref().unwrap().expires_at(),
        Some(Utc.with_ymd_and_hms(2026, 3, 2, 9, 59, 59).unwrap())
    );
    let requests = received(&server).await;
    assert_eq!(requests.len(), 2);
    let form: Vec<(String, String)> = url::form_urlencoded::parse(&requests[0].body).into_owned().collect();
    let get = |k: &str| form.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str());
    assert_eq!(get("grant_type"), Some("refresh_token"));
    assert_eq!(get("refresh_token"), Some(OLD_RT));
    assert_eq!(get("client_id"), Some(APP));
    assert_eq!(get("client_secret"), Some(CLIENT_SECRET));
    assert_eq!(get("scope"), Some(SCOPES));
    assert_eq!(query(&requests[1]), vec![("$select".to_owned(), "id".to_owned())]);
}

#[tokio::test]
async fn an_unrotated_refresh_token_is_not_returned_as_new() {
    let server = MockServer::start().await;
    let body = json!({"token_type": "Bearer", "expires_in": 3599, "access_token": ACCESS, "refresh_token": OLD_RT});
    mount_token(&server, ResponseTemplate::new(200).set_body_json(body)).await;
    mount_calendar(&server, ResponseTemplate::new(200).set_body_json(json!({"id": "x"})), 1).await;
    let report = check_link(&checker(&server), &account()).await.unwrap();
    assert!(report.refresh_token.is_none());
}

#[tokio::test]
async fn revoked_consent() {
    let mut body = entra_error("invalid_grant", 65001);
    body["suberror"] = "consent_required".into();
    assert_outcome(
        &refused(400, body).await,
        HealthOutcome::ConsentRevoked,
        WhoActs::User,
        "AADSTS65001",
    );
}

#[tokio::test]
async fn password_reset_or_revoked_sessions() {
    let r = refused(400, entra_error("invalid_grant", 50173)).await;
    assert_outcome(&r, HealthOutcome::ReauthRequired, WhoActs::User, "AADSTS50173");
    assert_eq!(r.health.status, Some(400));
    assert!(r.health.description.as_deref().unwrap().contains("Trace ID: 0c7d"));
}

#[tokio::test]
async fn disabled_user() {
    assert_outcome(
        &refused(400, entra_error("invalid_grant", 50057)).await,
        HealthOutcome::AccountUnavailable,
        WhoActs::Admin,
        "AADSTS50057",
    );
}

#[tokio::test]
async fn conditional_access_block() {
    assert_outcome(
        &refused(400, entra_error("invalid_grant", 53003)).await,
        HealthOutcome::BlockedByPolicy,
        WhoActs::Admin,
        "AADSTS53003",
    );
}

#[tokio::test]
async fn app_disabled_and_app_not_in_tenant() {
    assert_outcome(
        &refused(400, entra_error("unauthorized_client", 7000112)).await,
        HealthOutcome::AppDisabled,
        WhoActs::Admin,
        "AADSTS7000112",
    );
    assert_outcome(
        &refused(400, entra_error("unauthorized_client", 700016)).await,
        HealthOutcome::AppNotInTenant,
        WhoActs::Admin,
        "AADSTS700016",
    );
}

#[tokio::test]
async fn expired_vendor_secret() {
    assert_outcome(
        &refused(401, entra_error("invalid_client", 7000222)).await,
        HealthOutcome::ClientCredentialsInvalid,
        WhoActs::Vendor,
        "AADSTS7000222",
    );
}

#[tokio::test]
async fn token_endpoint_unavailable_is_transient_with_its_retry_after_and_not_retried() {
    let server = MockServer::start().await;
    mount_token(
        &server,
        ResponseTemplate::new(503)
            .insert_header("Retry-After", "12")
            .set_body_string("<html>busy</html>"),
    )
    .await;
    let report = check_link(&checker(&server), &account()).await.unwrap();
    assert_outcome(&report, HealthOutcome::Transient, WhoActs::Nobody, "HTTP 503");
    assert_eq!(report.health.retry_after, Some(Duration::from_secs(12)));
    assert_eq!(
        received(&server).await.len(),
        1,
        "one attempt: the caller decides when to look again"
    );
}

#[tokio::test]
async fn user_without_a_mailbox() {
    let body = graph_error(
        "MailboxNotEnabledForRESTAPI",
        "The mailbox is either inactive, soft-deleted, or is hosted on-premise.",
    );
    let r = read_answers(ResponseTemplate::new(404).set_body_json(body)).await;
    assert_outcome(&r, HealthOutcome::MailboxUnavailable, WhoActs::Admin, "MailboxNotEnabledForRESTAPI");
    assert_eq!(r.health.status, Some(404));
}

#[tokio::test]
async fn token_without_the_calendar_scope() {
    let body = graph_error("ErrorAccessDenied", "Access is denied. Check credentials and try again.");
    let r = read_answers(ResponseTemplate::new(403).set_body_json(body)).await;
    assert_outcome(&r, HealthOutcome::ScopesMissing, WhoActs::User, "ErrorAccessDenied");
}

#[tokio::test]
async fn graph_refuses_the_token() {
    let body = graph_error("InvalidAuthenticationToken", "Access token validation failure.");
    let r = read_answers(ResponseTemplate::new(401).set_body_json(body)).await;
    assert_outcome(&r, HealthOutcome::ReauthRequired, WhoActs::User, "InvalidAuthenticationToken");
}

#[tokio::test]
async fn graph_throttles_with_decimal_and_date_retry_after() {
    let body = graph_error("ApplicationThrottled", "Application is over its MailboxConcurrency limit.");
    let r = read_answers(ResponseTemplate::new(429).insert_header("Retry-After", "2.128").set_body_json(body)).await;
    assert_outcome(&r, HealthOutcome::Transient, WhoActs::Nobody, "ApplicationThrottled");
    assert_eq!(r.health.retry_after, Some(Duration::from_millis(2128)));
    // An HTTP-date is read against the injected clock (09:00:00): 90 seconds later.
    let r = read_answers(ResponseTemplate::new(503).insert_header("Retry-After", "Mon, 02 Mar 2026 09:01:30 GMT")).await;
    assert_eq!(r.health.retry_after, Some(Duration::from_secs(90)));
}

#[tokio::test]
async fn an_oversize_body_is_classified_by_status_alone() {
    let huge = format!(
        "{{\"error\":{{\"code\":\"MailboxNotEnabledForRESTAPI\",\"message\":\"{}\"}}}}",
        "x".repeat(100_000)
    );
    let r = read_answers(ResponseTemplate::new(404).set_body_string(huge)).await;
    assert_eq!(
        (r.health.outcome, r.health.code.as_deref()),
        (HealthOutcome::Unknown, Some("HTTP 404"))
    );
}

#[tokio::test]
async fn no_answer_is_an_error_not_a_health() {
    // A port nothing listens on (wiremock keeps a dropped server listening in its pool).
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let base = format!("http://127.0.0.1:{port}");
    let c = LinkChecker::builder(app(), ScopeSet::parse(SCOPES).unwrap())
        .client_secret(Secret::new(CLIENT_SECRET))
        .graph_endpoint(consent_graph::GraphEndpoint::custom(&format!("{base}/v1.0")).unwrap())
        .authority(Authority::parse(&base).unwrap())
        .build()
        .unwrap();
    let err = check_link(&c, &account()).await.unwrap_err();
    assert!(err.is_retryable(), "{err}");
    assert!(
        !err.to_string().contains(OLD_RT) && !err.to_string().contains(CLIENT_SECRET),
        "{err}"
    );
}

#[tokio::test]
async fn a_success_answer_that_is_not_a_token_is_an_error_without_the_body() {
    let server = MockServer::start().await;
    mount_token(&server, ResponseTemplate::new(200).set_body_json(json!({"refresh_token": NEW_RT}))).await;
    let err = check_link(&checker(&server), &account()).await.unwrap_err().to_string();
    assert!(err.contains("no access_token") && !err.contains(NEW_RT), "{err}");
}

#[tokio::test]
async fn secrets_never_print() {
    let server = MockServer::start().await;
    mount_token_ok(&server).await;
    mount_calendar(&server, ResponseTemplate::new(200).set_body_json(json!({"id": "x"})), 1).await;
    let c = checker(&server);
    let report = check_link(&c, &account()).await.unwrap();
    let printed = format!("{c:?} {report:?} {:?}", account());
    for secret in [CLIENT_SECRET, OLD_RT, NEW_RT, ACCESS] {
        assert!(!printed.contains(secret), "{secret} printed: {printed}");
    }
    assert!(printed.contains("[redacted]"));
}

#[test]
fn the_builder_refuses_what_it_cannot_use() {
    let scopes = ScopeSet::parse(SCOPES).unwrap();
    let loopback = consent_graph::GraphEndpoint::custom("http://127.0.0.1:9/v1.0").unwrap();
    let err = LinkChecker::builder(app(), scopes.clone())
        .graph_endpoint(loopback)
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("explicit login authority"), "{err}");
    let err = LinkChecker::builder(app(), ScopeSet::new()).build().unwrap_err();
    assert!(err.to_string().contains("scopes"), "{err}");
    assert!(
        LinkChecker::builder(app(), scopes).build().is_ok(),
        "the global cloud needs nothing else"
    );
}
