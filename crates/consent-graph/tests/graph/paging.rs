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

#[tokio::test]
async fn one_deadline_covers_a_whole_paged_listing() {
    let server = MockServer::start().await;
    let base = format!("{}/v1.0/oauth2PermissionGrants", server.uri());
    // Every page takes 200 ms and names a next page: each page alone is within the 500 ms deadline.
    Mock::given(method("GET"))
        .and(path("/v1.0/oauth2PermissionGrants"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(page(vec![grant_json("g", "User.Read")], Some(format!("{base}?$skiptoken=more"))))
                .set_delay(std::time::Duration::from_millis(200)),
        )
        .mount(&server)
        .await;
    let retry = consent_graph::RetryPolicy {
        deadline: std::time::Duration::from_millis(500),
        ..fast_retry()
    };
    let err = backend_with(&server, retry)
        .list_delegated_grants(&oid(CLIENT_SP))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    assert!(
        received(&server).await.len() <= 4,
        "{} pages fetched",
        received(&server).await.len()
    );
}

#[tokio::test]
async fn a_body_over_the_cap_is_refused_not_buffered() {
    let server = MockServer::start().await;
    let big: Vec<serde_json::Value> = (0..200).map(|i| grant_json(&format!("g{i}"), "User.Read")).collect();
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(big, None)))
        .mount(&server)
        .await;
    let capped = consent_graph::GraphBackend::builder()
        .tenant(consent::TenantId::parse(TENANT).unwrap())
        .token_provider(std::sync::Arc::new(consent_graph::StaticToken::new(TOKEN)))
        .endpoint(endpoint(&server))
        .retry(fast_retry())
        .max_response_body(4096)
        .build()
        .unwrap();
    let err = capped.list_delegated_grants(&oid(CLIENT_SP)).await.unwrap_err();
    assert!(err.to_string().contains("larger than the backend's cap"), "{err}");
    assert!(!err.is_retryable());
    assert_eq!(received(&server).await.len(), 1, "not retried");
    // The same answer under the default cap (16 MiB) is read.
    assert_eq!(backend(&server).list_delegated_grants(&oid(CLIENT_SP)).await.unwrap().len(), 200);
    assert_eq!(consent_graph::DEFAULT_MAX_RESPONSE_BODY, 16 * 1024 * 1024);
}
