//! App-role assignments: list on the client, assign on the resource, duplicates, permission errors.
#![allow(clippy::unwrap_used)] // fixtures are constants; a panic is the right failure in tests

use crate::common::*;
use consent::{ConsentGraph, Error, NewAppRoleAssignment};
use serde_json::json;
use wiremock::matchers::{bearer_token, body_json, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const ROLE: &str = "ef54d2bf-783f-4e0f-bca1-3210c0444d99";

fn new_assignment() -> NewAppRoleAssignment {
    NewAppRoleAssignment {
        principal_id: oid(CLIENT_SP),
        resource_id: oid(GRAPH_SP),
        app_role_id: ROLE.parse().unwrap(),
    }
}

#[tokio::test]
async fn lists_assignments_held_by_the_client() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/v1.0/servicePrincipals/{CLIENT_SP}/appRoleAssignments")))
        .and(bearer_token(TOKEN))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(vec![assignment_json("as1")], None)))
        .expect(1)
        .mount(&server)
        .await;
    let got = backend(&server).list_app_role_assignments(&oid(CLIENT_SP)).await.unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].app_role_id.to_string(), ROLE);
    assert_eq!(got[0].resource_id, oid(GRAPH_SP));
}

#[tokio::test]
async fn assigns_on_the_resource_service_principal() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("/v1.0/servicePrincipals/{GRAPH_SP}/appRoleAssignedTo")))
        .and(body_json(
            json!({"principalId": CLIENT_SP, "resourceId": GRAPH_SP, "appRoleId": ROLE}),
        ))
        .and(bearer_token(TOKEN))
        .respond_with(ResponseTemplate::new(201).set_body_json(assignment_json("as1")))
        .expect(1)
        .mount(&server)
        .await;
    let a = backend(&server).create_app_role_assignment(&new_assignment()).await.unwrap();
    assert_eq!(a.id, "as1");
}

#[tokio::test]
async fn duplicate_assignment_400_is_a_conflict() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("/v1.0/servicePrincipals/{GRAPH_SP}/appRoleAssignedTo")))
        .respond_with(ResponseTemplate::new(400).set_body_json(graph_error(
            "Request_BadRequest",
            "Permission being assigned already exists on the object.",
        )))
        .expect(1)
        .mount(&server)
        .await;
    let err = backend(&server).create_app_role_assignment(&new_assignment()).await.unwrap_err();
    assert!(matches!(err, Error::Conflict { .. }), "{err}");
}

#[tokio::test]
async fn forbidden_names_privileged_role_administrator() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("/v1.0/servicePrincipals/{GRAPH_SP}/appRoleAssignedTo")))
        .respond_with(ResponseTemplate::new(403).set_body_json(graph_error(
            "Authorization_RequestDenied",
            "Insufficient privileges to complete the operation.",
        )))
        .expect(1)
        .mount(&server)
        .await;
    match backend(&server).create_app_role_assignment(&new_assignment()).await.unwrap_err() {
        Error::PermissionDenied { operation, needed, .. } => {
            assert_eq!(operation, "assign an app role");
            assert!(needed.contains("AppRoleAssignment.ReadWrite.All"), "{needed}");
            assert!(needed.contains("Privileged Role Administrator"), "{needed}");
        }
        other => panic!("{other:?}"),
    }
}
