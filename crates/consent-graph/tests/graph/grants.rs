//! Delegated permission grants: list by client, create, patch scope, converge after a lost create.
#![allow(clippy::unwrap_used)] // fixtures are constants; a panic is the right failure in tests

use crate::common::*;
use consent::{ConsentGraph, Error, GrantConsentType, NewDelegatedGrant, ScopeSet};
use serde_json::json;
use wiremock::matchers::{bearer_token, body_json, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn new_grant() -> NewDelegatedGrant {
    NewDelegatedGrant {
        client_id: oid(CLIENT_SP),
        consent_type: GrantConsentType::AllPrincipals,
        principal_id: None,
        resource_id: oid(GRAPH_SP),
        scope: ScopeSet::parse("Calendars.ReadWrite User.Read").unwrap(),
    }
}

#[tokio::test]
async fn lists_grants_filtered_by_client() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1.0/oauth2PermissionGrants"))
        .and(query_param("$filter", format!("clientId eq '{CLIENT_SP}'").as_str()))
        .and(bearer_token(TOKEN))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(vec![grant_json("g1", "User.Read")], None)))
        .expect(1)
        .mount(&server)
        .await;
    let grants = backend(&server).list_delegated_grants(&oid(CLIENT_SP)).await.unwrap();
    assert_eq!(grants.len(), 1);
    assert_eq!(grants[0].consent_type, GrantConsentType::AllPrincipals);
    assert_eq!(grants[0].scope.to_wire(), "User.Read");
}

#[tokio::test]
async fn creates_an_all_principals_grant() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1.0/oauth2PermissionGrants"))
        .and(body_json(json!({"clientId": CLIENT_SP, "consentType": "AllPrincipals", "resourceId": GRAPH_SP, "scope": "Calendars.ReadWrite User.Read"})))
        .and(bearer_token(TOKEN))
        .respond_with(ResponseTemplate::new(201).set_body_json(grant_json("g1", "Calendars.ReadWrite User.Read")))
        .expect(1)
        .mount(&server)
        .await;
    let g = backend(&server).create_delegated_grant(&new_grant()).await.unwrap();
    assert_eq!(g.id, "g1");
    assert_eq!(g.resource_id, oid(GRAPH_SP));
}

#[tokio::test]
async fn patches_only_the_scope() {
    let server = MockServer::start().await;
    Mock::given(method("PATCH"))
        .and(path("/v1.0/oauth2PermissionGrants/g1-_x"))
        .and(body_json(json!({"scope": "User.Read Calendars.ReadWrite"})))
        .and(bearer_token(TOKEN))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    backend(&server)
        .update_delegated_grant("g1-_x", &ScopeSet::parse("User.Read Calendars.ReadWrite").unwrap())
        .await
        .unwrap();
}

#[tokio::test]
async fn patch_is_idempotent_so_a_503_is_retried() {
    let server = MockServer::start().await;
    Mock::given(method("PATCH"))
        .and(path("/v1.0/oauth2PermissionGrants/g1"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .with_priority(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PATCH"))
        .and(path("/v1.0/oauth2PermissionGrants/g1"))
        .respond_with(ResponseTemplate::new(204))
        .with_priority(2)
        .expect(1)
        .mount(&server)
        .await;
    backend(&server)
        .update_delegated_grant("g1", &ScopeSet::parse("User.Read").unwrap())
        .await
        .unwrap();
}

#[tokio::test]
async fn duplicate_grant_is_a_conflict_with_the_graph_code() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1.0/oauth2PermissionGrants"))
        .respond_with(ResponseTemplate::new(409).set_body_json(graph_error(
            "Request_MultipleObjectsWithSameKeyValue",
            "Permission entry already exists.",
        )))
        .expect(1)
        .mount(&server)
        .await;
    match backend(&server).create_delegated_grant(&new_grant()).await.unwrap_err() {
        Error::Conflict { code, what, .. } => {
            assert_eq!(code.as_deref(), Some("Request_MultipleObjectsWithSameKeyValue"));
            assert!(what.contains(CLIENT_SP), "{what}");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_lost_grant_create_reads_back_the_grant_instead_of_resending() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1.0/oauth2PermissionGrants"))
        .respond_with(ResponseTemplate::new(504))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1.0/oauth2PermissionGrants"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(
            vec![
                json!({"id": "other", "clientId": CLIENT_SP, "consentType": "Principal", "principalId": "e4e4e4e4-0000-4000-8000-000000000005", "resourceId": GRAPH_SP, "scope": "User.Read"}),
                grant_json("g1", "Calendars.ReadWrite User.Read"),
            ],
            None,
        )))
        .expect(1)
        .mount(&server)
        .await;
    let g = backend(&server).create_delegated_grant(&new_grant()).await.unwrap();
    assert_eq!(g.id, "g1", "the AllPrincipals grant, not the user's own");
}
