//! Issue 9 items 1–4 and 7: where the emulator must answer exactly as Microsoft Graph documents.
//! Each test names the Microsoft page it follows.

use chrono::Duration;
use consent::ConsentState;
use consent_mock::{demo, Preset};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::common::{file_eva_request, graph_backend, graph_error, read, start};

const APP_REQUESTS: &str = "/identityGovernance/appConsent/appConsentRequests";

fn assert_not_expanded(item: &Value) {
    let id = item["id"].as_str().unwrap();
    assert_eq!(item["userConsentRequests"], json!([]), "no inline expansion: {item}");
    let ctx = item["userConsentRequests@odata.context"].as_str().unwrap();
    assert!(
        ctx.ends_with(&format!(
            "$metadata#identityGovernance/appConsent/appConsentRequests('{id}')/userConsentRequests"
        )),
        "{ctx}"
    );
}

/// learn.microsoft.com/graph/api/appconsentrequest-list and appconsentrequest-get: the examples
/// return `"userConsentRequests": []` with `userConsentRequests@odata.context`; the methods list
/// `$select`, `$skip`, `$top`, `$filter`, `$orderby` and no `$expand`. User requests come from
/// appconsentrequest-list-userconsentrequests.
#[tokio::test]
async fn app_requests_never_inline_user_requests_and_refuse_expand() {
    let env = start(Preset::WorkflowOn).await;
    let id = file_eva_request(&env.tenant).await;
    for query in ["", "?$filter=userConsentRequests/any(u:u/status eq 'InProgress')"] {
        let (status, body) = read(env.get(&format!("{APP_REQUESTS}{query}"), &env.admin_token).await).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["value"].as_array().unwrap().len(), 1, "{query}: {body}");
        assert_not_expanded(&body["value"][0]);
    }
    let (_, one) = read(env.get(&format!("{APP_REQUESTS}/{id}"), &env.admin_token).await).await;
    assert_not_expanded(&one);

    let (_, users) = read(env.get(&format!("{APP_REQUESTS}/{id}/userConsentRequests"), &env.admin_token).await).await;
    assert_eq!(users["value"][0]["reason"], "I schedule interviews");
    assert_eq!(users["value"][0]["status"], "InProgress");

    let (status, body) = read(
        env.get(&format!("{APP_REQUESTS}?$expand=userConsentRequests"), &env.admin_token)
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    graph_error(&body);
}

/// learn.microsoft.com/graph/api/resources/userconsentrequest: `status` is one of Initializing,
/// InProgress, Expired, Completed. An undecided request past `requestDurationInDays` reads Expired,
/// filters as Expired, and `observe` through the real Graph backend still reports the Expired state.
#[tokio::test]
async fn an_undecided_request_expires_with_status_expired() {
    let env = start(Preset::WorkflowOn).await;
    let id = file_eva_request(&env.tenant).await;
    env.tenant.advance(Duration::days(31));
    let users = format!("{APP_REQUESTS}/{id}/userConsentRequests");
    let (_, all) = read(env.get(&users, &env.admin_token).await).await;
    assert_eq!(all["value"][0]["status"], "Expired", "{all}");
    assert_eq!(all["value"][0]["approval"]["stages"][0]["status"], "Expired");

    let (_, expired) = read(env.get(&format!("{users}?$filter=status eq 'Expired'"), &env.admin_token).await).await;
    assert_eq!(expired["value"].as_array().unwrap().len(), 1, "{expired}");
    let (_, open) = read(env.get(&format!("{users}?$filter=status eq 'InProgress'"), &env.admin_token).await).await;
    assert!(open["value"].as_array().unwrap().is_empty(), "{open}");
    let any_expired = format!("{APP_REQUESTS}?$filter=userConsentRequests/any(u:u/status eq 'Expired')");
    let (_, apps) = read(env.get(&any_expired, &env.admin_token).await).await;
    assert_eq!(apps["value"].as_array().unwrap().len(), 1, "{apps}");

    let backend = graph_backend(&env.emu, env.admin_token.clone(), &env.tenant);
    let state = consent::observe(&backend, &demo::carerix_app()).await.unwrap();
    assert!(matches!(state, ConsentState::Expired(_)), "{state:?}");
    let product = consent::guidance::Product::new("Carerix");
    let guidance = state.guidance(&product, consent::guidance::Locale::En).to_text();
    assert!(guidance.to_lowercase().contains("expired"), "{guidance}");
}

/// learn.microsoft.com/graph/json-batching: every request in a batch needs an `id` unique within
/// the batch; the emulator treats ids that differ only in case as the same (Graph refuses them).
#[tokio::test]
async fn batch_ids_differing_only_in_case_are_refused() {
    let env = start(Preset::WorkflowOn).await;
    let item = |id: &str| json!({"id": id, "method": "GET", "url": "/policies/authorizationPolicy"});
    let body = json!({"requests": [item("a"), item("A")]});
    let (status, err) = env.admin(Method::POST, "/$batch", body).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{err}");
    assert_eq!(graph_error(&err), "Request_BadRequest");
    let ok = json!({"requests": [item("a"), item("b")]});
    let r = env.send_json(Method::POST, "/$batch", &env.admin_token, ok).await;
    assert_eq!(r.status(), StatusCode::OK);
}

/// learn.microsoft.com/graph/errors (innerError carries `request-id`, `client-request-id`, `date`)
/// and learn.microsoft.com/graph/best-practices-concept (log `request-id`, send `client-request-id`,
/// which Graph echoes): one id per request, in the header and the error body alike.
#[tokio::test]
async fn request_ids_match_between_header_and_error_body_and_client_ids_are_echoed() {
    let env = start(Preset::WorkflowOn).await;
    let r = env
        .http
        .get(env.graph("/servicePrincipals(appId='00000000-0000-0000-0000-00000000beef')"))
        .bearer_auth(&env.admin_token)
        .header("client-request-id", "3f1b2c4d-0000-4000-8000-0000000000aa")
        .send()
        .await
        .unwrap();
    let header = |r: &reqwest::Response, name: &str| r.headers().get(name).map(|v| v.to_str().unwrap().to_owned());
    let request_id = header(&r, "request-id").expect("request-id header");
    let client_id = header(&r, "client-request-id");
    assert_eq!(header(&r, "odata-version").as_deref(), Some("4.0"));
    let (status, body) = read(r).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["innerError"]["request-id"], request_id.as_str());
    assert_eq!(client_id.as_deref(), Some("3f1b2c4d-0000-4000-8000-0000000000aa"));
    assert_eq!(
        body["error"]["innerError"]["client-request-id"],
        "3f1b2c4d-0000-4000-8000-0000000000aa"
    );

    // Without a client id, Graph still answers one (the request id); every answer has a request id,
    // a 204 included, and each request gets its own.
    let ok = env.get("/policies/authorizationPolicy", &env.admin_token).await;
    assert_eq!(header(&ok, "odata-version").as_deref(), Some("4.0"));
    let ok_id = header(&ok, "request-id").unwrap();
    assert_ne!(ok_id, request_id);
    assert_eq!(header(&ok, "client-request-id"), Some(ok_id));
    let patch = env
        .send_json(
            Method::PATCH,
            "/policies/adminConsentRequestPolicy",
            &env.admin_token,
            json!({"remindersEnabled": false}),
        )
        .await;
    assert_eq!(patch.status(), StatusCode::NO_CONTENT);
    assert!(header(&patch, "request-id").is_some());

    // Outside /v1.0 too: a 404 JSON carries the same id in header and body; the token endpoint and
    // the login pages carry one.
    let lost = env.http.get(env.login("/nowhere")).send().await.unwrap();
    let lost_id = header(&lost, "request-id").expect("request-id on the 404");
    let (_, body) = read(lost).await;
    assert_eq!(body["error"]["innerError"]["request-id"], lost_id.as_str());
    let token = crate::common::client_credentials(&env, &env.emu.tenant_id().to_string()).await;
    assert!(header(&token, "request-id").is_some());
}

/// learn.microsoft.com/graph/api/adminconsentrequestpolicy-update: the body carries the
/// adminConsentRequestPolicy's properties; a property the type lacks is a 400 and changes nothing.
#[tokio::test]
async fn policy_writes_with_an_unknown_property_are_refused() {
    let env = start(Preset::WorkflowOn).await;
    let path = "/policies/adminConsentRequestPolicy";
    for method in [Method::PATCH, Method::PUT] {
        let body = json!({"isEnabled": false, "notifyReviewers": true, "remindersEnabled": true,
            "requestDurationInDays": 30, "reviewers": [], "isEnabeld": false});
        let (status, err) = read(env.send_json(method.clone(), path, &env.admin_token, body).await).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{method}: {err}");
        assert!(err["error"]["message"].as_str().unwrap().contains("isEnabeld"), "{err}");
    }
    let (_, policy) = read(env.get(path, &env.admin_token).await).await;
    assert_eq!(policy["isEnabled"], true, "nothing was written");
    assert_eq!(policy["version"], 1);
}
