//! Shared helpers: a wiremock Graph, a backend pointed at it, and canned Graph JSON.
#![allow(clippy::unwrap_used)] // fixtures are constants; a panic is the right failure in tests
#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use consent::workflow::Sleeper;
use consent::{AppId, AppRegistration, ObjectId, ScopeSet, TenantId};
use consent_graph::{GraphBackend, GraphEndpoint, RetryPolicy, StaticToken};
use serde_json::{json, Value};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

pub const TOKEN: &str = "test-token-abc";
pub const TENANT: &str = "contoso.onmicrosoft.com";
pub const APP: &str = "4b3c6a52-2f1d-4c7e-9a38-6f0e4d2b8c11";
pub const CLIENT_SP: &str = "a1a1a1a1-0000-4000-8000-000000000001";
pub const GRAPH_SP: &str = "b2b2b2b2-0000-4000-8000-000000000002";
pub const GRAPH_APP: &str = "00000003-0000-0000-c000-000000000000";

pub fn app() -> AppId {
    AppId::parse(APP).unwrap()
}

pub fn oid(s: &str) -> ObjectId {
    ObjectId::parse(s).unwrap()
}

/// Fast retries so tests do not sleep for seconds (the policy itself is unit-tested).
pub fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        base_backoff: Duration::from_millis(5),
        ..RetryPolicy::default()
    }
}

pub fn endpoint(server: &MockServer) -> GraphEndpoint {
    GraphEndpoint::custom(&format!("{}/v1.0", server.uri())).unwrap()
}

pub fn backend_with(server: &MockServer, retry: RetryPolicy) -> GraphBackend {
    GraphBackend::builder()
        .tenant(TenantId::parse(TENANT).unwrap())
        .token_provider(Arc::new(StaticToken::new(TOKEN)))
        .endpoint(endpoint(server))
        .timeout(Duration::from_secs(5))
        .retry(retry)
        .build()
        .unwrap()
}

pub fn backend(server: &MockServer) -> GraphBackend {
    backend_with(server, fast_retry())
}

/// Every request wiremock saw.
pub async fn received(server: &MockServer) -> Vec<Request> {
    server.received_requests().await.unwrap_or_default()
}

/// The decoded query pairs of a request.
pub fn query(req: &Request) -> Vec<(String, String)> {
    req.url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
}

pub fn body(req: &Request) -> Value {
    serde_json::from_slice(&req.body).unwrap()
}

pub fn bearer(req: &Request) -> Option<String> {
    req.headers.get("authorization").and_then(|v| v.to_str().ok()).map(str::to_owned)
}

pub fn graph_error(code: &str, message: &str) -> Value {
    json!({"error": {"code": code, "message": message, "innerError": {"request-id": "rid-123", "date": "2026-01-01T00:00:00"}}})
}

pub fn policy_json(enabled: bool) -> Value {
    json!({
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#policies/adminConsentRequestPolicy/$entity",
        "isEnabled": enabled, "notifyReviewers": true, "remindersEnabled": false,
        "requestDurationInDays": 14, "version": 3,
        "reviewers": [{"query": "/users/11111111-1111-1111-1111-111111111111", "queryType": "MicrosoftGraph", "queryRoot": null}]
    })
}

pub fn authz_json() -> Value {
    json!({"id": "authorizationPolicy", "defaultUserRolePermissions": {
        "permissionGrantPoliciesAssigned": ["ManagePermissionGrantsForSelf.microsoft-user-default-recommended"]}})
}

pub fn sp_json(id: &str, app_id: &str) -> Value {
    json!({"id": id, "appId": app_id, "displayName": "Carerix Calendar", "accountEnabled": true,
           "appRoleAssignmentRequired": false, "appRoles": [], "oauth2PermissionScopes": []})
}

pub fn graph_sp_json() -> Value {
    json!({"id": GRAPH_SP, "appId": GRAPH_APP, "displayName": "Microsoft Graph",
        "appRoles": [{"id": "ef54d2bf-783f-4e0f-bca1-3210c0444d99", "value": "Calendars.ReadWrite", "allowedMemberTypes": ["Application"], "isEnabled": true}],
        "oauth2PermissionScopes": [{"id": "1ec239c2-d7c9-4623-a91a-a9775856bb36", "value": "Calendars.ReadWrite", "type": "User", "isEnabled": true}]})
}

pub fn grant_json(id: &str, scope: &str) -> Value {
    json!({"id": id, "clientId": CLIENT_SP, "consentType": "AllPrincipals", "principalId": null, "resourceId": GRAPH_SP, "scope": scope})
}

pub fn assignment_json(id: &str) -> Value {
    json!({"id": id, "appRoleId": "ef54d2bf-783f-4e0f-bca1-3210c0444d99", "principalId": CLIENT_SP,
           "principalType": "ServicePrincipal", "resourceId": GRAPH_SP, "createdDateTime": "2026-01-01T00:00:00Z"})
}

pub fn app_request_json(id: &str) -> Value {
    json!({"id": id, "appId": APP, "appDisplayName": "Carerix Calendar", "consentType": "Dynamic",
           "pendingScopes": [{"displayName": "Calendars.ReadWrite"}], "userConsentRequests": []})
}

pub fn user_request_json(id: &str) -> Value {
    json!({"id": id, "approvalId": id, "status": "InProgress", "reason": "Need my calendar in the CRM",
           "createdDateTime": "2026-01-10T09:15:00Z", "completedDateTime": null,
           "createdBy": {"user": {"id": "e4e4e4e4-0000-4000-8000-000000000005", "displayName": "Ana"}},
           "approval": {"id": id, "stages": [{"id": "s1", "status": "InProgress", "reviewResult": "NotReviewed"}]}})
}

pub fn page(items: Vec<Value>, next: Option<String>) -> Value {
    match next {
        Some(n) => json!({"value": items, "@odata.nextLink": n}),
        None => json!({"value": items}),
    }
}

/// The app the workflow tests observe and approve: delegated `Calendars.ReadWrite` on Microsoft Graph.
pub fn calendar_app() -> AppRegistration {
    AppRegistration::new(app(), "Carerix Calendar").with_delegated(AppId::MICROSOFT_GRAPH, ScopeSet::parse("Calendars.ReadWrite").unwrap())
}

/// A sleeper that returns at once, for fleet runs that must never wait.
#[derive(Debug)]
pub struct NoSleep;

impl Sleeper for NoSleep {
    fn sleep(&self, _: Duration) -> futures::future::BoxFuture<'static, ()> {
        Box::pin(async {})
    }
}

/// Answers each item of a read-only `$batch` from `answer(url)`, as Graph would.
pub fn batch_responder(answer: fn(&str) -> (u16, Value)) -> impl Fn(&Request) -> ResponseTemplate {
    move |req: &Request| {
        let responses: Vec<Value> = body(req)["requests"]
            .as_array()
            .unwrap()
            .iter()
            .map(|item| {
                assert_eq!(item["method"], "GET", "a read batch only reads");
                let (status, body) = answer(item["url"].as_str().unwrap());
                json!({"id": item["id"], "status": status, "headers": {"Content-Type": "application/json"}, "body": body})
            })
            .collect();
        ResponseTemplate::new(200).set_body_json(json!({"responses": responses}))
    }
}

/// `POST /v1.0/$batch` answered by [`batch_responder`]; any other request is unexpected (wiremock 404).
pub fn batch_mock(answer: fn(&str) -> (u16, Value)) -> Mock {
    Mock::given(method("POST"))
        .and(path("/v1.0/$batch"))
        .respond_with(batch_responder(answer))
}

/// The item URLs of a `$batch` request.
pub fn batch_urls(req: &Request) -> Vec<String> {
    body(req)["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["url"].as_str().unwrap().to_owned())
        .collect()
}

/// A tenant where the app has no service principal and no request (requests enabled): the
/// alternate-key listings answer 404 as Graph does.
pub fn not_in_tenant(url: &str) -> (u16, Value) {
    if url.starts_with("/policies/adminConsentRequestPolicy") {
        (200, policy_json(true))
    } else if url.starts_with("/policies/authorizationPolicy") {
        (200, authz_json())
    } else if url.starts_with("/identityGovernance") {
        (200, page(vec![], None))
    } else if url.starts_with(&format!("/servicePrincipals(appId='{GRAPH_APP}')")) {
        (200, graph_sp_json())
    } else {
        (404, graph_error("Request_ResourceNotFound", "no such service principal"))
    }
}

/// The two writes of a tenant-wide grant on a tenant without the app: `POST /servicePrincipals`
/// and `POST /oauth2PermissionGrants`, each answered 201 and expected once.
pub async fn mount_grant_writes(server: &MockServer) {
    Mock::given(method("POST"))
        .and(path("/v1.0/servicePrincipals"))
        .respond_with(ResponseTemplate::new(201).set_body_json(sp_json(CLIENT_SP, APP)))
        .expect(1)
        .mount(server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1.0/oauth2PermissionGrants"))
        .respond_with(ResponseTemplate::new(201).set_body_json(grant_json("g1", "Calendars.ReadWrite")))
        .expect(1)
        .mount(server)
        .await;
}
