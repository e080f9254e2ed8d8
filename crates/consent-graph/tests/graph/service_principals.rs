//! Service principals: get by appId (404 → None), create, and convergence after a lost response.
#![allow(clippy::unwrap_used)] // fixtures are constants; a panic is the right failure in tests

use std::time::Duration;

use crate::common::*;
use consent::{ConsentGraph, Error};
use serde_json::json;
use wiremock::matchers::{bearer_token, body_json, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const SELECT: &str = "id,appId,displayName,accountEnabled,appRoleAssignmentRequired,appRoles,oauth2PermissionScopes,verifiedPublisher";

fn sp_path(app_id: &str) -> String {
    format!("/v1.0/servicePrincipals(appId='{app_id}')")
}

#[tokio::test]
async fn gets_a_service_principal_by_app_id_with_select() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(sp_path(GRAPH_APP)))
        .and(query_param("$select", SELECT))
        .and(bearer_token(TOKEN))
        .respond_with(ResponseTemplate::new(200).set_body_json(graph_sp_json()))
        .expect(1)
        .mount(&server)
        .await;
    let sp = backend(&server)
        .get_service_principal(&consent::AppId::MICROSOFT_GRAPH)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(sp.id, oid(GRAPH_SP));
    assert_eq!(sp.oauth2_permission_scopes[0].value, "Calendars.ReadWrite");
    assert_eq!(sp.app_roles.len(), 1);
}

#[tokio::test]
async fn a_missing_service_principal_is_none() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(sp_path(APP)))
        .respond_with(ResponseTemplate::new(404).set_body_json(graph_error("Request_ResourceNotFound", "does not exist")))
        .expect(1)
        .mount(&server)
        .await;
    assert_eq!(backend(&server).get_service_principal(&app()).await.unwrap(), None);
}

#[tokio::test]
async fn creates_a_service_principal_with_the_app_id() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1.0/servicePrincipals"))
        .and(body_json(json!({"appId": APP})))
        .and(bearer_token(TOKEN))
        .respond_with(ResponseTemplate::new(201).set_body_json(sp_json(CLIENT_SP, APP)))
        .expect(1)
        .mount(&server)
        .await;
    let sp = backend(&server).create_service_principal(&app()).await.unwrap();
    assert_eq!(sp.id, oid(CLIENT_SP));
}

#[tokio::test]
async fn a_plain_conflict_is_reported_as_conflict() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1.0/servicePrincipals"))
        .respond_with(ResponseTemplate::new(409).set_body_json(graph_error("Request_MultipleObjectsWithSameKeyValue", "exists")))
        .expect(1)
        .mount(&server)
        .await;
    let err = backend(&server).create_service_principal(&app()).await.unwrap_err();
    assert!(matches!(err, Error::Conflict { .. }), "{err}");
}

#[tokio::test]
async fn a_lost_create_reads_back_and_does_not_resend() {
    let server = MockServer::start().await;
    // The POST is applied but its answer never arrives in time.
    Mock::given(method("POST"))
        .and(path("/v1.0/servicePrincipals"))
        .respond_with(
            ResponseTemplate::new(201)
                .set_body_json(sp_json(CLIENT_SP, APP))
                .set_delay(Duration::from_secs(3)),
        )
        .expect(1)
        .named("create")
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(sp_path(APP)))
        .respond_with(ResponseTemplate::new(200).set_body_json(sp_json(CLIENT_SP, APP)))
        .expect(1)
        .named("read back")
        .mount(&server)
        .await;
    let b = consent_graph::GraphBackend::builder()
        .tenant(consent::TenantId::parse(TENANT).unwrap())
        .token_provider(std::sync::Arc::new(consent_graph::StaticToken::new(TOKEN)))
        .endpoint(endpoint(&server))
        .timeout(Duration::from_millis(300))
        .retry(fast_retry())
        .build()
        .unwrap();
    let sp = b.create_service_principal(&app()).await.unwrap();
    assert_eq!(sp.id, oid(CLIENT_SP));
}

#[tokio::test]
async fn a_gateway_timeout_on_create_then_conflict_converges_on_the_existing_object() {
    let server = MockServer::start().await;
    // 1st POST: 504 (lost). Read back: not visible yet. 2nd POST: 409. Read back: there.
    Mock::given(method("POST"))
        .and(path("/v1.0/servicePrincipals"))
        .respond_with(ResponseTemplate::new(504))
        .up_to_n_times(1)
        .with_priority(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1.0/servicePrincipals"))
        .respond_with(ResponseTemplate::new(409).set_body_json(graph_error("Request_MultipleObjectsWithSameKeyValue", "exists")))
        .with_priority(2)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(sp_path(APP)))
        .respond_with(ResponseTemplate::new(404).set_body_json(graph_error("Request_ResourceNotFound", "no")))
        .up_to_n_times(1)
        .with_priority(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(sp_path(APP)))
        .respond_with(ResponseTemplate::new(200).set_body_json(sp_json(CLIENT_SP, APP)))
        .with_priority(2)
        .expect(1)
        .mount(&server)
        .await;
    let sp = backend(&server).create_service_principal(&app()).await.unwrap();
    assert_eq!(sp.id, oid(CLIENT_SP));
    assert_eq!(received(&server).await.len(), 4);
}
