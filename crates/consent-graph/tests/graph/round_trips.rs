//! The round-trip table of docs/performance.md ("Round trips per tenant"), asserted by what
//! wiremock received. Keep the two in step.
#![allow(clippy::unwrap_used)] // fixtures are constants; a panic is the right failure in tests

use std::sync::Arc;

use crate::common::*;
use consent::workflow::FleetApproval;
use consent::{AppId, ConsentGraph, ConsentState, FleetOptions, FleetTenant, TenantId};
use futures::StreamExt;
use serde_json::Value;
use wiremock::MockServer;

/// Answers each `$batch` item from `answer(url)`; any other request is unexpected (wiremock 404).
async fn mount_batch(server: &MockServer, answer: fn(&str) -> (u16, Value)) {
    batch_mock(answer).mount(server).await;
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
    let urls = batch_urls(&reqs[0]);
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
    batch_mock(not_in_tenant).up_to_n_times(1).mount(&server).await;
    mount_batch(&server, approved_without_request).await;
    mount_grant_writes(&server).await;
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
