//! The round-trip table of docs/performance.md ("Round trips per tenant"), asserted by what
//! wiremock received. Keep the two in step.
#![allow(clippy::unwrap_used)] // fixtures are constants; a panic is the right failure in tests

use std::sync::Arc;

use crate::common::*;
use consent::workflow::{FleetApproval, Sleeper};
use consent::{AppId, AppRegistration, ConsentGraph, ConsentState, FleetOptions, FleetTenant, ScopeSet, TenantId};
use futures::StreamExt;
use serde_json::{json, Value};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

/// Answers each `$batch` item from `answer(url)`; any other request is unexpected (wiremock 404).
async fn mount_batch(server: &MockServer, answer: fn(&str) -> (u16, Value)) {
    batch_answering(answer).mount(server).await;
}

fn batch_answering(answer: fn(&str) -> (u16, Value)) -> Mock {
    Mock::given(method("POST"))
        .and(path("/v1.0/$batch"))
        .respond_with(move |req: &Request| {
            let body: Value = serde_json::from_slice(&req.body).unwrap();
            let responses: Vec<Value> = body["requests"]
                .as_array()
                .unwrap()
                .iter()
                .map(|item| {
                    assert_eq!(item["method"], "GET", "a read batch only reads");
                    let (status, body) = answer(item["url"].as_str().unwrap());
                    json!({"id": item["id"], "status": status, "body": body})
                })
                .collect();
            ResponseTemplate::new(200).set_body_json(json!({"responses": responses}))
        })
}

fn not_found() -> (u16, Value) {
    (404, graph_error("Request_ResourceNotFound", "no such service principal"))
}

/// The app has no service principal and no request: the alternate-key listings answer 404.
fn not_in_tenant(url: &str) -> (u16, Value) {
    if url.starts_with("/policies/adminConsentRequestPolicy") {
        (200, policy_json(true))
    } else if url.starts_with("/policies/authorizationPolicy") {
        (200, authz_json())
    } else if url.starts_with("/identityGovernance") {
        (200, page(vec![], None))
    } else if url.starts_with(&format!("/servicePrincipals(appId='{GRAPH_APP}')")) {
        (200, graph_sp_json())
    } else {
        not_found()
    }
}

/// An admin granted the app directly; nobody ever asked.
fn approved_without_request(url: &str) -> (u16, Value) {
    let key = format!("/servicePrincipals(appId='{APP}')");
    if url.starts_with(&format!("{key}/oauth2PermissionGrants")) {
        (200, page(vec![grant_json("g1", "Calendars.ReadWrite")], None))
    } else if url.starts_with(&format!("{key}/appRoleAssignments")) {
        (200, page(vec![], None))
    } else if url.starts_with(&key) {
        (200, sp_json(CLIENT_SP, APP))
    } else {
        not_in_tenant(url)
    }
}

/// A user asked; the request waits for a reviewer.
fn with_open_request(url: &str) -> (u16, Value) {
    if url.starts_with("/identityGovernance/appConsent/appConsentRequests/r1/userConsentRequests") {
        (200, page(vec![user_request_json("u1")], None))
    } else if url.starts_with("/identityGovernance") {
        (200, page(vec![app_request_json("r1")], None))
    } else {
        not_in_tenant(url)
    }
}

/// A user asked and an admin approved: the grant covers the app, and Graph keeps the (completed)
/// request. Its user requests are never read, so this fixture has none to answer.
fn approved_through_a_request(url: &str) -> (u16, Value) {
    if url.contains("/userConsentRequests") {
        panic!("read the user requests of an approved app: {url}")
    } else if url.starts_with("/identityGovernance") {
        (200, page(vec![app_request_json("r1")], None))
    } else {
        approved_without_request(url)
    }
}

/// The run never waits (nothing is retried); a sleeper that returns at once keeps it that way.
#[derive(Debug)]
struct NoSleep;

impl Sleeper for NoSleep {
    fn sleep(&self, _: std::time::Duration) -> futures::future::BoxFuture<'static, ()> {
        Box::pin(async {})
    }
}

fn calendar_app() -> AppRegistration {
    AppRegistration::new(app(), "Carerix Calendar").with_delegated(AppId::MICROSOFT_GRAPH, ScopeSet::parse("Calendars.ReadWrite").unwrap())
}

async fn observe_counting(answer: fn(&str) -> (u16, Value)) -> (ConsentState, usize) {
    let server = MockServer::start().await;
    mount_batch(&server, answer).await;
    let state = consent::observe(&backend(&server), &calendar_app()).await.unwrap();
    (state, received(&server).await.len())
}

#[tokio::test]
async fn observe_an_app_not_in_the_tenant_is_one_round_trip() {
    let (state, trips) = observe_counting(not_in_tenant).await;
    assert_eq!(trips, 1, "{state:?}");
}

#[tokio::test]
async fn observe_an_approved_app_without_a_request_is_one_round_trip() {
    let (state, trips) = observe_counting(approved_without_request).await;
    assert!(matches!(state, ConsentState::Approved(_)), "{state:?}");
    assert_eq!(trips, 1);
}

#[tokio::test]
async fn observe_an_app_approved_through_a_request_is_one_round_trip() {
    let (state, trips) = observe_counting(approved_through_a_request).await;
    assert!(matches!(state, ConsentState::Approved(_)), "{state:?}");
    assert_eq!(trips, 1);
}

#[tokio::test]
async fn observe_an_app_with_a_request_is_two_round_trips() {
    let (state, trips) = observe_counting(with_open_request).await;
    assert!(matches!(state, ConsentState::Pending(_)), "{state:?}");
    assert_eq!(trips, 2);
}

#[tokio::test]
async fn the_first_round_reads_grants_and_assignments_by_app_id() {
    let server = MockServer::start().await;
    mount_batch(&server, not_in_tenant).await;
    backend(&server).snapshot(&app(), &[AppId::MICROSOFT_GRAPH]).await.unwrap();
    let reqs = received(&server).await;
    let urls: Vec<String> = body(&reqs[0])["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["url"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        urls.contains(&format!("/servicePrincipals(appId='{APP}')/oauth2PermissionGrants")),
        "{urls:?}"
    );
    assert!(
        urls.contains(&format!("/servicePrincipals(appId='{APP}')/appRoleAssignments")),
        "{urls:?}"
    );
}

#[tokio::test]
async fn approve_many_when_already_approved_is_one_read() {
    let server = MockServer::start().await;
    mount_batch(&server, approved_without_request).await;
    let graph: Arc<dyn ConsentGraph> = Arc::new(backend(&server));
    let graphs = move |_t: TenantId| {
        let g = graph.clone();
        async move { Ok(g) }
    };
    let dir = std::env::temp_dir().join(format!("consent-graph-round-trips-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let journal = consent::Journal::open(dir.join("journal.jsonl"), app()).unwrap();
    let app = calendar_app();
    let tenants = vec![FleetTenant::new(TenantId::parse(TENANT).unwrap())];
    let results: Vec<_> = consent::approve_many(&graphs, tenants, &app, &journal, FleetOptions::new(Arc::new(NoSleep)))
        .collect()
        .await;
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        matches!(results[0].result, Ok(FleetApproval::AlreadyApproved)),
        "{:?}",
        results[0].result
    );
    assert_eq!(received(&server).await.len(), 1, "one read batch, nothing written");
}

#[tokio::test]
async fn approve_many_in_a_tenant_without_the_app_reads_once_before_writing() {
    let server = MockServer::start().await;
    // The first read finds the app absent; every later read (the read-back) finds it granted.
    batch_answering(not_in_tenant).up_to_n_times(1).mount(&server).await;
    mount_batch(&server, approved_without_request).await;
    Mock::given(method("POST"))
        .and(path("/v1.0/servicePrincipals"))
        .respond_with(ResponseTemplate::new(201).set_body_json(sp_json(CLIENT_SP, APP)))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1.0/oauth2PermissionGrants"))
        .respond_with(ResponseTemplate::new(201).set_body_json(grant_json("g1", "Calendars.ReadWrite")))
        .expect(1)
        .mount(&server)
        .await;
    let graph: Arc<dyn ConsentGraph> = Arc::new(backend(&server));
    let graphs = move |_t: TenantId| {
        let g = graph.clone();
        async move { Ok(g) }
    };
    let journal = consent::Journal::disabled(app());
    let app = calendar_app();
    let tenants = vec![FleetTenant::new(TenantId::parse(TENANT).unwrap())];
    let results: Vec<_> = consent::approve_many(&graphs, tenants, &app, &journal, FleetOptions::new(Arc::new(NoSleep)))
        .collect()
        .await;
    assert!(
        matches!(results[0].result, Ok(FleetApproval::Granted { .. })),
        "{:?}",
        results[0].result
    );
    let methods: Vec<String> = received(&server)
        .await
        .iter()
        .map(|r| format!("{} {}", r.method, r.url.path()))
        .collect();
    assert_eq!(
        methods,
        [
            "POST /v1.0/$batch",
            "POST /v1.0/servicePrincipals",
            "POST /v1.0/oauth2PermissionGrants",
            "POST /v1.0/$batch"
        ],
        "one read decides and feeds the grant, then two writes and one read-back"
    );
}
