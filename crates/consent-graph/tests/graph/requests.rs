//! App and user consent requests.
#![allow(clippy::unwrap_used)] // fixtures are constants; a panic is the right failure in tests

use crate::common::*;
use consent::{ConsentGraph, RequestFilter, RequestOutcome};
use wiremock::matchers::{bearer_token, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn lists_app_requests_with_a_combined_filter() {
    let server = MockServer::start().await;
    let filter = format!("appId eq '{APP}' and userConsentRequests/any(u:u/status eq 'InProgress')");
    Mock::given(method("GET"))
        .and(path("/v1.0/identityGovernance/appConsent/appConsentRequests"))
        .and(query_param("$filter", filter.as_str()))
        .and(bearer_token(TOKEN))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(vec![app_request_json("r1")], None)))
        .expect(1)
        .mount(&server)
        .await;
    let got = backend(&server)
        .list_app_consent_requests(&RequestFilter {
            app_id: Some(app()),
            pending_only: true,
        })
        .await
        .unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(&*got[0].id, "r1");
    assert_eq!(got[0].pending_scope_set().to_wire(), "Calendars.ReadWrite");
    assert_eq!(query(&received(&server).await[0]), vec![("$filter".to_owned(), filter)]);
}

#[tokio::test]
async fn lists_all_app_requests_without_a_filter() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1.0/identityGovernance/appConsent/appConsentRequests"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(vec![], None)))
        .expect(1)
        .mount(&server)
        .await;
    let got = backend(&server).list_app_consent_requests(&RequestFilter::default()).await.unwrap();
    assert!(got.is_empty());
    assert!(query(&received(&server).await[0]).is_empty());
}

#[tokio::test]
async fn lists_user_requests_of_one_app_request() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(
            "/v1.0/identityGovernance/appConsent/appConsentRequests/r1/userConsentRequests",
        ))
        .and(bearer_token(TOKEN))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(vec![user_request_json("u1")], None)))
        .expect(1)
        .mount(&server)
        .await;
    let got = backend(&server).list_user_consent_requests("r1").await.unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].outcome(), RequestOutcome::Pending);
    assert_eq!(got[0].reason.as_deref(), Some("Need my calendar in the CRM"));
}

#[tokio::test]
async fn unknown_app_request_is_not_found_and_empty_id_is_refused_locally() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(
            "/v1.0/identityGovernance/appConsent/appConsentRequests/nope/userConsentRequests",
        ))
        .respond_with(ResponseTemplate::new(404).set_body_json(graph_error("Request_ResourceNotFound", "Resource 'nope' does not exist")))
        .expect(1)
        .mount(&server)
        .await;
    let b = backend(&server);
    let err = b.list_user_consent_requests("nope").await.unwrap_err();
    assert!(
        matches!(err, consent::Error::NotFound { ref what, .. } if what.contains("app consent request nope")),
        "{err}"
    );
    let err = b.list_user_consent_requests("").await.unwrap_err();
    assert!(
        matches!(
            err,
            consent::Error::InvalidInput {
                field: "app_request_id",
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(received(&server).await.len(), 1);
}
