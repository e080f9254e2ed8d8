//! The error table, end to end: status + Graph code → consent::Error, per operation.
#![allow(clippy::unwrap_used)] // fixtures are constants; a panic is the right failure in tests

use crate::common::*;
use consent::{ConsentGraph, Error};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn answering(status: u16, code: &str, message: &str) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(status).set_body_json(graph_error(code, message)))
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .respond_with(ResponseTemplate::new(status).set_body_json(graph_error(code, message)))
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn bad_request_is_invalid_input() {
    let server = answering(400, "Request_BadRequest", "Invalid value specified for property 'scope'").await;
    let err = backend(&server).list_delegated_grants(&oid(CLIENT_SP)).await.unwrap_err();
    assert!(
        matches!(err, Error::InvalidInput { ref reason, .. } if reason.contains("Invalid value specified")),
        "{err}"
    );
}

#[tokio::test]
async fn unauthorized_is_unauthenticated() {
    let server = answering(401, "InvalidAuthenticationToken", "Access token has expired").await;
    let err = backend(&server).get_request_policy().await.unwrap_err();
    assert!(
        matches!(err, Error::Unauthenticated { ref reason, .. } if reason.contains("InvalidAuthenticationToken")),
        "{err}"
    );
}

#[tokio::test]
async fn forbidden_names_the_permission_and_role_of_that_operation() {
    let server = answering(403, "Authorization_RequestDenied", "Insufficient privileges").await;
    let b = backend(&server);
    let policy = consent::AdminConsentRequestPolicy::never_configured();
    for (err, permission, role) in [
        (
            b.put_request_policy(&policy).await.unwrap_err(),
            "Policy.ReadWrite.ConsentRequest",
            "Cloud Application Administrator",
        ),
        (b.get_request_policy().await.unwrap_err(), "Policy.Read.All", "Global Reader"),
        (
            b.list_app_consent_requests(&consent::RequestFilter::default()).await.unwrap_err(),
            "ConsentRequest.Read.All",
            "Global Reader",
        ),
        (
            b.list_delegated_grants(&oid(CLIENT_SP)).await.unwrap_err(),
            "Directory.Read.All",
            "Global Reader",
        ),
    ] {
        match err {
            Error::PermissionDenied { needed, .. } => {
                assert!(needed.contains(permission), "{needed}");
                assert!(needed.contains(role), "{needed}");
            }
            other => panic!("{other:?}"),
        }
    }
}

#[tokio::test]
async fn not_found_and_conflict() {
    let server = answering(404, "Request_ResourceNotFound", "Resource does not exist").await;
    let err = backend(&server).list_app_role_assignments(&oid(CLIENT_SP)).await.unwrap_err();
    assert!(matches!(err, Error::NotFound { ref what, .. } if what.contains(CLIENT_SP)), "{err}");
}

#[tokio::test]
async fn server_errors_keep_code_request_id_and_raw_body() {
    let server = answering(500, "generalException", "Something broke").await;
    match backend(&server).get_authorization_policy().await.unwrap_err() {
        Error::Backend {
            status,
            code,
            context,
            body,
            message,
        } => {
            assert_eq!(status, 500);
            assert_eq!(code.as_deref(), Some("generalException"));
            assert_eq!(context.request_id(), Some("rid-123"));
            assert!(body.unwrap().contains("Something broke"));
            assert!(message.contains("Something broke"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(received(&server).await.len(), 1, "500 is not in the retry set");
}

#[tokio::test]
async fn a_success_with_an_unexpected_shape_is_a_clear_backend_error() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_string("<html>captive portal</html>"))
        .mount(&server)
        .await;
    match backend(&server).get_request_policy().await.unwrap_err() {
        Error::Backend { message, body, .. } => {
            assert!(message.contains("expected shape"), "{message}");
            assert!(body.unwrap().contains("captive portal"));
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn messages_name_the_operation_once() {
    let server = answering(500, "generalException", "Something broke").await;
    let err = backend(&server).get_request_policy().await.unwrap_err();
    let text = err.to_string();
    assert!(text.contains("read the consent request policy: Something broke"), "{text}");
    assert!(!text.contains("policy the consent request policy"), "{text}");
}

#[tokio::test]
async fn a_refusal_is_worded_by_the_shared_operation_table() {
    let server = answering(403, "Authorization_RequestDenied", "Insufficient privileges").await;
    let err = backend(&server)
        .put_request_policy(&consent::AdminConsentRequestPolicy::never_configured())
        .await
        .unwrap_err();
    let expected = consent::Operation::PutRequestPolicy.permission_denied();
    assert_eq!(err.to_string().split(" (request-id").next(), Some(expected.to_string().as_str()));
}
