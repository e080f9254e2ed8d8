//! `snapshot` over `$batch`: round trips counted by what wiremock received.
#![allow(clippy::unwrap_used)] // fixtures are constants; a panic is the right failure in tests

use crate::common::*;
use consent::{AppId, ConsentGraph};
use serde_json::{json, Value};
use wiremock::matchers::{bearer_token, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

/// Answers every `$batch` with `answer` per item, expecting `times` batches.
async fn mount_batch(server: &MockServer, answer: fn(&str) -> (u16, Value), times: u64) {
    batch_mock(answer).expect(times).mount(server).await;
}

fn fresh_tenant(url: &str) -> (u16, Value) {
    if url.starts_with("/policies/adminConsentRequestPolicy") {
        (200, policy_json(false))
    } else if url.starts_with("/policies/authorizationPolicy") {
        (200, authz_json())
    } else if url.starts_with("/identityGovernance") {
        (200, page(vec![], None))
    } else if url.contains(GRAPH_APP) {
        (200, graph_sp_json())
    } else {
        (404, graph_error("Request_ResourceNotFound", "no such service principal"))
    }
}

fn approved_tenant(url: &str) -> (u16, Value) {
    if url.starts_with(&format!("/servicePrincipals(appId='{APP}')/oauth2PermissionGrants")) {
        (200, page(vec![grant_json("g1", "Calendars.ReadWrite User.Read")], None))
    } else if url.starts_with(&format!("/servicePrincipals(appId='{APP}')/appRoleAssignments")) {
        (200, page(vec![assignment_json("as1")], None))
    } else if url.contains(&format!("servicePrincipals(appId='{APP}')")) {
        (200, sp_json(CLIENT_SP, APP))
    } else if url.starts_with("/identityGovernance/appConsent/appConsentRequests/r1/userConsentRequests") {
        (200, page(vec![user_request_json("u1")], None))
    } else if url.starts_with("/identityGovernance") {
        (200, page(vec![app_request_json("r1")], None))
    } else {
        fresh_tenant(url)
    }
}

#[tokio::test]
async fn fresh_tenant_snapshot_is_one_round_trip() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1.0/$batch"))
        .and(bearer_token(TOKEN))
        .respond_with(batch_responder(fresh_tenant))
        .expect(1)
        .mount(&server)
        .await;
    let snap = backend(&server).snapshot(&app(), &[AppId::MICROSOFT_GRAPH]).await.unwrap();
    assert!(snap.client.is_none());
    assert_eq!(snap.resources.len(), 1);
    assert_eq!(snap.resources[0].id, oid(GRAPH_SP));
    assert!(!snap.request_policy.is_enabled);
    assert!(snap.grants.is_empty() && snap.requests.is_empty());
    let reqs = received(&server).await;
    assert_eq!(reqs.len(), 1);
    let urls = batch_urls(&reqs[0]);
    assert_eq!(urls.len(), 7);
    assert_eq!(urls[0], "/policies/adminConsentRequestPolicy");
    assert!(
        urls.iter()
            .any(|u| u.starts_with(&format!("/servicePrincipals(appId='{APP}')?%24select="))),
        "{urls:?}"
    );
}

#[tokio::test]
async fn approved_tenant_snapshot_is_two_round_trips() {
    let server = MockServer::start().await;
    mount_batch(&server, approved_tenant, 2).await;
    let snap = backend(&server).snapshot(&app(), &[AppId::MICROSOFT_GRAPH]).await.unwrap();
    assert_eq!(snap.client.as_ref().unwrap().id, oid(CLIENT_SP));
    assert_eq!(snap.grants.len(), 1);
    assert_eq!(snap.app_role_assignments.len(), 1);
    assert_eq!(snap.requests.len(), 1);
    assert_eq!(snap.requests[0].user_consent_requests.len(), 1);
    let reqs = received(&server).await;
    assert_eq!(reqs.len(), 2);
    let second = batch_urls(&reqs[1]);
    assert_eq!(
        second,
        vec!["/identityGovernance/appConsent/appConsentRequests/r1/userConsentRequests".to_owned()]
    );
}

#[tokio::test]
async fn a_throttled_batch_item_is_resent_alone() {
    let server = MockServer::start().await;
    // First batch: the authorization policy item is throttled; the retry batch carries only it.
    Mock::given(method("POST"))
        .and(path("/v1.0/$batch"))
        .respond_with(|req: &Request| {
            let body: Value = serde_json::from_slice(&req.body).unwrap();
            let items = body["requests"].as_array().unwrap();
            let responses: Vec<Value> = items
                .iter()
                .map(|item| {
                    let url = item["url"].as_str().unwrap();
                    let throttled = items.len() > 1 && url.starts_with("/policies/authorizationPolicy");
                    if throttled {
                        json!({"id": item["id"], "status": 429, "headers": {"Retry-After": "0"}, "body": graph_error("TooManyRequests", "slow down")})
                    } else {
                        let (status, body) = fresh_tenant(url);
                        json!({"id": item["id"], "status": status, "body": body})
                    }
                })
                .collect();
            ResponseTemplate::new(200).set_body_json(json!({"responses": responses}))
        })
        .expect(2)
        .mount(&server)
        .await;
    let snap = backend(&server).snapshot(&app(), &[]).await.unwrap();
    assert_eq!(
        snap.authorization_policy.user_consent(),
        consent::UserConsentSetting::MicrosoftManaged
    );
    let reqs = received(&server).await;
    assert_eq!(batch_urls(&reqs[1]), vec!["/policies/authorizationPolicy".to_owned()]);
}

#[tokio::test]
async fn a_forbidden_batch_item_fails_the_snapshot_with_its_permission() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1.0/$batch"))
        .respond_with(batch_responder(|url| {
            if url.starts_with("/identityGovernance") {
                (403, graph_error("Authorization_RequestDenied", "Insufficient privileges"))
            } else {
                fresh_tenant(url)
            }
        }))
        .mount(&server)
        .await;
    match backend(&server).snapshot(&app(), &[]).await.unwrap_err() {
        consent::Error::PermissionDenied { needed, .. } => assert!(needed.contains("ConsentRequest.Read.All"), "{needed}"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn approve_on_a_fresh_tenant_is_one_batch_and_two_writes() {
    let server = MockServer::start().await;
    mount_batch(&server, fresh_tenant, 1).await;
    mount_grant_writes(&server).await;
    let report = consent::grant_tenant_wide(&backend(&server), &calendar_app()).await.unwrap();
    assert!(report.created_service_principal);
    assert_eq!(report.grants_created, 1);
    let reqs = received(&server).await;
    assert_eq!(reqs.len(), 3, "snapshot batch + create service principal + create grant");
    assert_eq!(
        body(&reqs[2]),
        json!({"clientId": CLIENT_SP, "consentType": "AllPrincipals", "resourceId": GRAPH_SP, "scope": "Calendars.ReadWrite"})
    );
}

#[tokio::test]
async fn approve_when_already_approved_only_reads() {
    let server = MockServer::start().await;
    mount_batch(&server, approved_tenant, 2).await;
    let report = consent::grant_tenant_wide(&backend(&server), &calendar_app()).await.unwrap();
    assert!(report.is_noop(), "{report:?}");
    assert_eq!(received(&server).await.len(), 2, "two read batches, no write");
}

/// Answers every batch item per `fresh_tenant`, except that in the first batch the authorization
/// policy is throttled with `Retry-After: 0` and the request policy answers 503 (`always_503`: in
/// every batch).
fn mixed_failures(always_503: bool) -> impl Fn(&Request) -> ResponseTemplate {
    let calls = std::sync::atomic::AtomicUsize::new(0);
    move |req: &Request| {
        let first = calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0;
        let body: Value = serde_json::from_slice(&req.body).unwrap();
        let items = body["requests"].as_array().unwrap();
        let responses: Vec<Value> = items
            .iter()
            .map(|item| {
                let url = item["url"].as_str().unwrap();
                if first && url.starts_with("/policies/authorizationPolicy") {
                    json!({"id": item["id"], "status": 429, "headers": {"Retry-After": "0"}, "body": graph_error("TooManyRequests", "slow down")})
                } else if (first || always_503) && url.starts_with("/policies/adminConsentRequestPolicy") {
                    json!({"id": item["id"], "status": 503, "body": graph_error("serviceNotAvailable", "busy")})
                } else {
                    let (status, body) = fresh_tenant(url);
                    json!({"id": item["id"], "status": status, "body": body})
                }
            })
            .collect();
        ResponseTemplate::new(200).set_body_json(json!({"responses": responses}))
    }
}

#[tokio::test]
async fn a_retry_after_zero_item_does_not_cancel_another_items_backoff() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1.0/$batch"))
        .respond_with(mixed_failures(false))
        .expect(2)
        .mount(&server)
        .await;
    let retry = consent_graph::RetryPolicy {
        base_backoff: std::time::Duration::from_millis(400),
        ..fast_retry()
    };
    let started = std::time::Instant::now();
    backend_with(&server, retry).snapshot(&app(), &[]).await.unwrap();
    // The 503 item backs off at least half of 400 ms; the 429 item's Retry-After: 0 must not win.
    assert!(
        started.elapsed() >= std::time::Duration::from_millis(200),
        "resent after {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn one_deadline_covers_every_retry_of_a_batch() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1.0/$batch"))
        .respond_with(mixed_failures(true))
        .mount(&server)
        .await;
    let retry = consent_graph::RetryPolicy {
        max_attempts: 20,
        base_backoff: std::time::Duration::from_millis(100),
        deadline: std::time::Duration::from_millis(500),
        ..fast_retry()
    };
    let started = std::time::Instant::now();
    let err = backend_with(&server, retry).snapshot(&app(), &[]).await.unwrap_err();
    assert!(
        started.elapsed() < std::time::Duration::from_millis(1500),
        "the batch's retries ran for {:?}, past the 500 ms deadline",
        started.elapsed()
    );
    assert!(matches!(err, consent::Error::Backend { status: 503, .. }), "{err:?}");
    assert!(err.to_string().contains("gave up after"), "{err}");
    assert!(!err.is_retryable(), "{err}");
}
