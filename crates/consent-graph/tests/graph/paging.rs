//! `@odata.nextLink` paging: followed with retries, refused off-origin.
#![allow(clippy::unwrap_used)] // fixtures are constants; a panic is the right failure in tests

use crate::common::*;
use consent::{ConsentGraph, Error};
use wiremock::matchers::{bearer_token, method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn follows_three_pages_with_the_token_on_each() {
    let server = MockServer::start().await;
    let base = format!("{}/v1.0/oauth2PermissionGrants", server.uri());
    let filter = format!("clientId eq '{CLIENT_SP}'");
    Mock::given(method("GET"))
        .and(path("/v1.0/oauth2PermissionGrants"))
        .and(query_param_is_missing("$skiptoken"))
        .and(bearer_token(TOKEN))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(page(vec![grant_json("g1", "User.Read")], Some(format!("{base}?$skiptoken=p2")))),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1.0/oauth2PermissionGrants"))
        .and(query_param("$skiptoken", "p2"))
        .and(bearer_token(TOKEN))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(page(vec![grant_json("g2", "User.Read")], Some(format!("{base}?$skiptoken=p3")))),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1.0/oauth2PermissionGrants"))
        .and(query_param("$skiptoken", "p3"))
        .and(bearer_token(TOKEN))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(vec![grant_json("g3", "User.Read")], None)))
        .expect(1)
        .mount(&server)
        .await;
    let grants = backend(&server).list_delegated_grants(&oid(CLIENT_SP)).await.unwrap();
    let ids: Vec<_> = grants.iter().map(|g| g.id.as_str()).collect();
    assert_eq!(ids, ["g1", "g2", "g3"]);
    assert_eq!(query(&received(&server).await[0]), vec![("$filter".to_owned(), filter)]);
}

#[tokio::test]
async fn a_page_that_is_throttled_is_retried() {
    let server = MockServer::start().await;
    let next = format!("{}/v1.0/oauth2PermissionGrants?$skiptoken=p2", server.uri());
    Mock::given(method("GET"))
        .and(query_param_is_missing("$skiptoken"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(vec![grant_json("g1", "User.Read")], Some(next))))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(query_param("$skiptoken", "p2"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "0"))
        .up_to_n_times(1)
        .with_priority(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(query_param("$skiptoken", "p2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(vec![grant_json("g2", "User.Read")], None)))
        .with_priority(2)
        .expect(1)
        .mount(&server)
        .await;
    let grants = backend(&server).list_delegated_grants(&oid(CLIENT_SP)).await.unwrap();
    assert_eq!(grants.len(), 2);
}

#[tokio::test]
async fn refuses_a_next_link_to_another_host_or_port() {
    for foreign in [
        "http://evil.example/v1.0/oauth2PermissionGrants?$skiptoken=x",
        "http://127.0.0.1:1/v1.0/oauth2PermissionGrants",
    ] {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/v1.0/oauth2PermissionGrants"))
            .respond_with(ResponseTemplate::new(200).set_body_json(page(vec![grant_json("g1", "User.Read")], Some(foreign.to_owned()))))
            .expect(1)
            .mount(&server)
            .await;
        match backend(&server).list_delegated_grants(&oid(CLIENT_SP)).await.unwrap_err() {
            Error::Backend { message, .. } => {
                assert!(message.contains("refused to follow @odata.nextLink"), "{message}");
                assert!(message.contains("bearer token"), "{message}");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(received(&server).await.len(), 1, "nothing was sent to {foreign}");
    }
}
