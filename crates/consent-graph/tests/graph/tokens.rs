//! Token providers against a wiremock token endpoint: request shape, caching, single flight,
#![allow(clippy::unwrap_used)] // fixtures are constants; a panic is the right failure in tests
//! AADSTS mapping, refresh, and secrets kept out of Debug, Display and logs.

use std::io::Write;
use std::sync::{Arc, Mutex};

use crate::common::*;
use chrono::{TimeZone, Utc};
use consent::{AppId, ConsentGraph, Error, ManualClock, ScopeSet, TenantId};
use consent_graph::{AuthorizationCodeExchange, AuthorizationCodeGrant, ClientCredentials, GraphBackend, Secret, TokenProvider};
use serde_json::json;
use url::Url;
use wiremock::matchers::{bearer_token, body_string_contains, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const SECRET: &str = "S3cr3t~value.never-printed";
const ISSUED: &str = "issued-access-token-xyz";
const TOKEN_PATH: &str = "/contoso.onmicrosoft.com/oauth2/v2.0/token";

fn start() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap()
}

fn credentials(server: &MockServer, clock: ManualClock) -> ClientCredentials {
    ClientCredentials::builder(TenantId::parse(TENANT).unwrap(), app(), Secret::new(SECRET))
        .authority(Url::parse(&server.uri()).unwrap())
        .clock(Arc::new(clock))
        .build()
        .unwrap()
}

async fn mount_token(server: &MockServer, expect: u64) {
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .and(body_string_contains("grant_type=client_credentials"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"access_token": ISSUED, "token_type": "Bearer", "expires_in": 3599})))
        .expect(expect)
        .named("token endpoint")
        .mount(server)
        .await;
}

#[tokio::test]
async fn client_credentials_sends_the_documented_form() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    let token = credentials(&server, ManualClock::new(start())).token().await.unwrap();
    assert_eq!(token.secret(), ISSUED);
    assert_eq!(token.expires_at(), Some(start() + chrono::Duration::seconds(3599)));
    let req = &received(&server).await[0];
    let form: Vec<(String, String)> = url::form_urlencoded::parse(&req.body).into_owned().collect();
    let get = |k: &str| form.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str());
    assert_eq!(get("grant_type"), Some("client_credentials"));
    assert_eq!(get("client_id"), Some(APP));
    assert_eq!(
        get("client_secret"),
        Some(SECRET),
        "AuthType::RequestBody puts the secret in the body"
    );
    assert_eq!(get("scope"), Some("https://graph.microsoft.com/.default"));
    assert!(req.headers.get("authorization").is_none(), "no Basic auth header");
}

#[tokio::test]
async fn one_token_request_for_many_sequential_graph_calls() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    Mock::given(method("GET"))
        .and(path("/v1.0/policies/authorizationPolicy"))
        .and(bearer_token(ISSUED))
        .respond_with(ResponseTemplate::new(200).set_body_json(authz_json()))
        .expect(5)
        .mount(&server)
        .await;
    let b = GraphBackend::builder()
        .tenant(TenantId::parse(TENANT).unwrap())
        .token_provider(Arc::new(credentials(&server, ManualClock::new(start()))))
        .endpoint(endpoint(&server))
        .build()
        .unwrap();
    for _ in 0..5 {
        b.get_authorization_policy().await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_token_request_for_many_concurrent_callers() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"access_token": ISSUED, "token_type": "Bearer", "expires_in": 3599}))
                .set_delay(std::time::Duration::from_millis(200)),
        )
        .expect(1)
        .mount(&server)
        .await;
    let provider = Arc::new(credentials(&server, ManualClock::new(start())));
    let calls = (0..16).map(|_| {
        let p = provider.clone();
        tokio::spawn(async move { p.token().await })
    });
    for result in futures::future::join_all(calls).await {
        assert_eq!(result.unwrap().unwrap().secret(), ISSUED);
    }
}

#[tokio::test]
async fn an_expiring_token_is_refreshed_five_minutes_early() {
    let server = MockServer::start().await;
    mount_token(&server, 2).await;
    let clock = ManualClock::new(start());
    let provider = credentials(&server, clock.clone());
    provider.token().await.unwrap();
    clock.advance(chrono::Duration::minutes(54));
    provider.token().await.unwrap();
    assert_eq!(received(&server).await.len(), 1, "still 5+ minutes left: cached");
    clock.advance(chrono::Duration::minutes(1));
    provider.token().await.unwrap();
    assert_eq!(received(&server).await.len(), 2, "inside the 5-minute margin: refreshed");
}

#[tokio::test]
async fn aadsts_codes_become_actionable_errors() {
    for (code, needle) in [
        (7_000_215, "Secret ID"),
        (7_000_222, "expired"),
        (700_016, "admin must consent"),
        (90_002, "tenant was not found"),
    ] {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path(TOKEN_PATH))
            .respond_with(ResponseTemplate::new(400).set_body_json(json!({
                "error": "invalid_client", "error_description": format!("AADSTS{code}: something"),
                "error_codes": [code], "trace_id": "trace-1", "correlation_id": "corr-1"})))
            .mount(&server)
            .await;
        match credentials(&server, ManualClock::new(start())).token().await.unwrap_err() {
            Error::Unauthenticated { reason, .. } => {
                assert!(reason.contains(needle), "{code}: {reason}");
                assert!(reason.contains("trace-1"), "{reason}");
                assert!(!reason.contains(SECRET));
            }
            other => panic!("{code}: {other:?}"),
        }
    }
}

#[tokio::test]
async fn authorization_code_exchange_then_refresh() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .and(body_string_contains("grant_type=authorization_code"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"access_token": "delegated-1", "token_type": "Bearer", "expires_in": 600, "refresh_token": "rt-1"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .and(body_string_contains("grant_type=refresh_token"))
        .and(body_string_contains("refresh_token=rt-1"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"access_token": "delegated-2", "token_type": "Bearer", "expires_in": 600})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let clock = ManualClock::new(start());
    let grant = AuthorizationCodeGrant {
        tenant: TenantId::parse(TENANT).unwrap(),
        client_id: AppId::parse(APP).unwrap(),
        code: Secret::new("the-code"),
        verifier: Secret::new("the-verifier-0123456789-0123456789-0123456789"),
        redirect_uri: Url::parse("https://crm.example/callback").unwrap(),
        scopes: ScopeSet::parse("Calendars.ReadWrite offline_access").unwrap(),
    };
    let provider = AuthorizationCodeExchange::builder(grant)
        .authority(Url::parse(&server.uri()).unwrap())
        .clock(Arc::new(clock.clone()))
        .build()
        .unwrap();
    assert_eq!(provider.token().await.unwrap().secret(), "delegated-1");
    let first = &received(&server).await[0];
    let form: Vec<(String, String)> = url::form_urlencoded::parse(&first.body).into_owned().collect();
    for (k, v) in [
        ("code", "the-code"),
        ("code_verifier", "the-verifier-0123456789-0123456789-0123456789"),
        ("redirect_uri", "https://crm.example/callback"),
    ] {
        assert!(form.contains(&(k.to_owned(), v.to_owned())), "{k} missing in {form:?}");
    }
    clock.advance(chrono::Duration::minutes(6));
    assert_eq!(provider.token().await.unwrap().secret(), "delegated-2");
}

/// A `MakeWriter` that appends every log line to a shared buffer.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn the_secret_and_token_never_reach_debug_display_or_logs() {
    let logs = Capture::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503).set_body_json(graph_error("serviceNotAvailable", "down")))
        .mount(&server)
        .await;
    let provider = Arc::new(credentials(&server, ManualClock::new(start())));
    let b = GraphBackend::builder()
        .tenant(TenantId::parse(TENANT).unwrap())
        .token_provider(provider.clone())
        .endpoint(endpoint(&server))
        .retry(fast_retry())
        .build()
        .unwrap();
    let err = b.get_request_policy().await.unwrap_err();
    let token = provider.token().await.unwrap();

    let mut printed = vec![
        format!("{provider:?}"),
        format!("{b:?}"),
        format!("{err}"),
        format!("{err:?}"),
        format!("{token:?}"),
        format!("{:?}", Secret::new(SECRET)),
    ];
    printed.push(String::from_utf8(logs.0.lock().unwrap().clone()).unwrap());
    assert!(printed.last().unwrap().contains("graph request"), "logging was captured");
    for text in printed {
        assert!(!text.contains(SECRET), "secret leaked: {text}");
        assert!(!text.contains(ISSUED), "token leaked: {text}");
    }
}

#[tokio::test]
async fn a_link_callback_is_redeemed_with_its_verifier_at_its_authority() {
    use consent::link::{LinkOutcome, LinkRequest, LinkTenant};
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .and(body_string_contains("grant_type=authorization_code"))
        .and(body_string_contains("code=code-from-redirect"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"access_token": "delegated", "token_type": "Bearer", "expires_in": 600})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let clock = ManualClock::new(start());
    let (authorize, pending) = LinkRequest::new(
        AppId::parse(APP).unwrap(),
        "http://127.0.0.1:9/cb",
        ScopeSet::parse("User.Read").unwrap(),
    )
    .unwrap()
    .tenant(LinkTenant::parse(TENANT).unwrap())
    .authority(consent::link::Authority::parse(&server.uri()).unwrap())
    .build(&clock)
    .unwrap();
    assert!(authorize.as_str().starts_with(&server.uri()));
    let state = pending.state().to_owned();
    let LinkOutcome::Authorized(exchange) = pending.finish(&format!("code=code-from-redirect&state={state}"), &clock).unwrap() else {
        panic!("expected an authorized outcome")
    };
    let provider = AuthorizationCodeExchange::for_link(&exchange)
        .unwrap()
        .clock(Arc::new(clock))
        .build()
        .unwrap();
    assert_eq!(provider.token().await.unwrap().secret(), "delegated");
    let form: Vec<(String, String)> = url::form_urlencoded::parse(&received(&server).await[0].body).into_owned().collect();
    assert!(
        form.contains(&("code_verifier".to_owned(), exchange.verifier.secret().to_owned())),
        "{form:?}"
    );
    assert!(
        form.contains(&("redirect_uri".to_owned(), "http://127.0.0.1:9/cb".to_owned())),
        "{form:?}"
    );
}
