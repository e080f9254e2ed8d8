//! Revoke on Microsoft Graph: the two DELETEs, and the core transition driving them.

use crate::common::*;
use consent::{ConsentGraph, Error};
use wiremock::matchers::{bearer_token, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn deletes_a_delegated_grant() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .and(path("/v1.0/oauth2PermissionGrants/g1"))
        .and(bearer_token(TOKEN))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    backend(&server).delete_delegated_grant("g1").await.unwrap();
}

#[tokio::test]
async fn deletes_an_app_role_assignment_on_the_resource() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .and(path(format!("/v1.0/servicePrincipals/{GRAPH_SP}/appRoleAssignedTo/as1")))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    backend(&server).delete_app_role_assignment(&oid(GRAPH_SP), "as1").await.unwrap();
}

#[tokio::test]
async fn an_unknown_grant_is_not_found() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .and(path("/v1.0/oauth2PermissionGrants/nope"))
        .respond_with(ResponseTemplate::new(404).set_body_json(serde_json::json!({
            "error": {"code": "Request_ResourceNotFound", "message": "Resource 'nope' does not exist."}
        })))
        .mount(&server)
        .await;
    let err = backend(&server).delete_delegated_grant("nope").await.unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
}
