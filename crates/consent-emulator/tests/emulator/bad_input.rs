//! Hostile and broken requests get Graph's error shape with the right status — never a 500 or a hang.

use crate::common::{graph_error, read, start, start_with};
use consent_emulator::EmulatorConfig;
use consent_mock::{MockTenant, Preset};
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn missing_malformed_and_unknown_bearer_tokens_get_401() {
    let env = start(Preset::MicrosoftManaged).await;
    let url = env.graph("/policies/authorizationPolicy");
    for auth in [None, Some("Bearer "), Some("Basic abc"), Some("Bearer emu.not-issued")] {
        let mut req = env.http.get(&url);
        if let Some(a) = auth {
            req = req.header("Authorization", a);
        }
        let r = req.send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{auth:?}");
        assert!(r.headers().contains_key("www-authenticate"));
        let (_, body) = read(r).await;
        assert_eq!(graph_error(&body), "InvalidAuthenticationToken");
    }
}

#[tokio::test]
async fn unknown_routes_are_404_and_wrong_methods_405() {
    let env = start(Preset::MicrosoftManaged).await;
    for path in ["/me", "/policies/nope", "/servicePrincipals(displayName='x')", "/"] {
        let (status, body) = read(env.get(path, &env.admin_token).await).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        graph_error(&body);
    }
    let r = env
        .http
        .delete(env.graph("/policies/adminConsentRequestPolicy"))
        .bearer_auth(&env.admin_token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(r.headers()["allow"], "GET, PUT, PATCH");
    let (status, _) = read(env.http.get(env.login("/nowhere")).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn malformed_and_empty_json_bodies_are_400() {
    let env = start(Preset::MicrosoftManaged).await;
    for body in ["{", "[]", "", "\"text\"", "{\"isEnabled\": \"yes\"}"] {
        let r = env
            .http
            .put(env.graph("/policies/adminConsentRequestPolicy"))
            .bearer_auth(&env.admin_token)
            .header("Content-Type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        let (status, json) = read(r).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body:?}");
        assert_eq!(graph_error(&json), "Request_BadRequest");
    }
    let r = env
        .http
        .post(env.graph("/$batch"))
        .bearer_auth(&env.admin_token)
        .body("{\"requests\": 5}")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn oversized_bodies_are_413() {
    let config = EmulatorConfig {
        body_limit: 1024,
        ..EmulatorConfig::default()
    };
    let env = start_with(MockTenant::preset(Preset::MicrosoftManaged), config).await;
    let big = json!({"appId": "x".repeat(4096)});
    let (status, body) = env.admin(Method::POST, "/servicePrincipals", big).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    graph_error(&body);
    let form = format!("grant_type=client_credentials&pad={}", "x".repeat(4096));
    let r = env
        .http
        .post(env.token_url())
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn filters_outside_the_subset_are_unsupported_queries() {
    let env = start(Preset::WorkflowOn).await;
    let long = format!("appId eq '{}'", "a".repeat(5000));
    for filter in [
        "appId ne 'x'",
        "startswith(appDisplayName,'C')",
        "appId eq 'x' or appId eq 'y'",
        "userConsentRequests/any(u:u/reason eq 'x')",
        "appId eq 'unterminated",
        "((((((((((appId eq 'x'))))))))))",
        long.as_str(),
    ] {
        let url = format!(
            "{}?$filter={}",
            env.graph("/identityGovernance/appConsent/appConsentRequests"),
            urlencode(filter)
        );
        let (status, body) = read(env.http.get(url).bearer_auth(&env.admin_token).send().await.unwrap()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{filter}");
        assert_eq!(graph_error(&body), "Request_UnsupportedQuery", "{filter}");
    }
    for query in [
        "$orderby=appId sideways",
        "$orderby=pendingScopes",
        "$top=0",
        "$top=abc",
        "$expand=x",
        "$top=1&$top=2",
    ] {
        let (status, _) = read(
            env.get(
                &format!("/identityGovernance/appConsent/appConsentRequests?{query}"),
                &env.admin_token,
            )
            .await,
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
    }
    for directory in [
        "/oauth2PermissionGrants?$skip=1",
        "/servicePrincipals?$skip=1",
        "/servicePrincipals?$orderby=appId",
    ] {
        let (status, _) = read(env.get(directory, &env.admin_token).await).await;
        assert_eq!(
            status,
            StatusCode::BAD_REQUEST,
            "directory objects page with $skiptoken: {directory}"
        );
    }
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
