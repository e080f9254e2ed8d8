//! Consent request policy and authorization policy.
#![allow(clippy::unwrap_used)] // fixtures are constants; a panic is the right failure in tests

use crate::common::*;
use consent::{ConsentGraph, Reviewer, UserConsentSetting};
use serde_json::json;
use wiremock::matchers::{bearer_token, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn reads_the_request_policy_with_the_bearer_token() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1.0/policies/adminConsentRequestPolicy"))
        .and(bearer_token(TOKEN))
        .respond_with(ResponseTemplate::new(200).set_body_json(policy_json(true)))
        .expect(1)
        .mount(&server)
        .await;
    let policy = backend(&server).get_request_policy().await.unwrap();
    assert!(policy.is_enabled);
    assert_eq!(policy.version, 3);
    assert_eq!(policy.request_duration_in_days, 14);
    assert_eq!(policy.reviewers, vec![Reviewer::User(oid("11111111-1111-1111-1111-111111111111"))]);
    let reqs = received(&server).await;
    assert!(query(&reqs[0]).is_empty());
    // The default header of the client graph-rs-sdk configured, as when requests went through its
    // `custom()`; one bearer, ours.
    assert_eq!(reqs[0].headers.get("accept").unwrap(), "*/*");
    assert_eq!(reqs[0].headers.get_all("authorization").iter().count(), 1);
}

#[tokio::test]
async fn writes_the_request_policy_with_put_and_without_version() {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path("/v1.0/policies/adminConsentRequestPolicy"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    let mut policy: consent::AdminConsentRequestPolicy = serde_json::from_value(policy_json(false)).unwrap();
    policy.is_enabled = true;
    policy.request_duration_in_days = 30;
    backend(&server).put_request_policy(&policy).await.unwrap();
    let reqs = received(&server).await;
    assert_eq!(bearer(&reqs[0]).as_deref(), Some(format!("Bearer {TOKEN}").as_str()));
    assert_eq!(reqs[0].headers.get("content-type").unwrap(), "application/json");
    assert_eq!(
        body(&reqs[0]),
        json!({"isEnabled": true, "notifyReviewers": true, "remindersEnabled": false, "requestDurationInDays": 30,
               "reviewers": [{"query": "/users/11111111-1111-1111-1111-111111111111", "queryType": "MicrosoftGraph", "queryRoot": null}]})
    );
}

#[tokio::test]
async fn reads_the_user_consent_setting_from_the_authorization_policy() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1.0/policies/authorizationPolicy"))
        .and(bearer_token(TOKEN))
        .respond_with(ResponseTemplate::new(200).set_body_json(authz_json()))
        .expect(1)
        .mount(&server)
        .await;
    let p = backend(&server).get_authorization_policy().await.unwrap();
    assert_eq!(p.user_consent(), UserConsentSetting::MicrosoftManaged);
}

#[tokio::test]
async fn capabilities_and_unsupported_operations_carry_hints() {
    let server = MockServer::start().await;
    let b = backend(&server);
    let caps = b.capabilities();
    assert_eq!(caps.backend, "microsoft-graph");
    assert!(!caps.submit_requests && !caps.review_requests);
    let submission =
        consent::ConsentRequestSubmission::dynamic(app(), consent::ScopeSet::parse("Calendars.ReadWrite").unwrap(), "need it").unwrap();
    match b.submit_consent_request(&submission).await.unwrap_err() {
        consent::Error::Unsupported { backend, hint, .. } => {
            assert_eq!(backend, "microsoft-graph");
            assert!(hint.contains("authorize URL") && hint.contains("Approval required"), "{hint}");
        }
        other => panic!("{other:?}"),
    }
    let review = consent::ConsentReview {
        app_request_id: "r1".into(),
        decision: consent::ReviewDecision::Approve,
    };
    match b.review_consent_request(&review).await.unwrap_err() {
        consent::Error::Unsupported { hint, .. } => assert!(hint.contains("Admin consent requests"), "{hint}"),
        other => panic!("{other:?}"),
    }
    assert!(received(&server).await.is_empty(), "unsupported operations must not call Graph");
}
