//! The retry loop: 429/503/504, Retry-After forms, attempt cap, single-wait cap, connection errors.
#![allow(clippy::unwrap_used)] // fixtures are constants; a panic is the right failure in tests

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::common::*;
use chrono::{TimeZone, Utc};
use consent::{ConsentGraph, Error, ManualClock, TenantId};
use consent_graph::{GraphBackend, GraphEndpoint, RetryPolicy, StaticToken};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn mount_policy_sequence(server: &MockServer, first: ResponseTemplate, times: u64) {
    Mock::given(method("GET"))
        .and(path("/v1.0/policies/authorizationPolicy"))
        .respond_with(first)
        .up_to_n_times(times)
        .with_priority(1)
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1.0/policies/authorizationPolicy"))
        .respond_with(ResponseTemplate::new(200).set_body_json(authz_json()))
        .with_priority(2)
        .mount(server)
        .await;
}

#[tokio::test]
async fn throttled_once_then_ok() {
    let server = MockServer::start().await;
    mount_policy_sequence(&server, ResponseTemplate::new(429).insert_header("Retry-After", "0.05"), 1).await;
    let started = Instant::now();
    backend(&server).get_authorization_policy().await.unwrap();
    assert_eq!(received(&server).await.len(), 2);
    assert!(
        started.elapsed() >= Duration::from_millis(50),
        "the decimal Retry-After was honoured"
    );
}

#[tokio::test]
async fn retry_after_zero_forever_stops_at_the_attempt_cap() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "0"))
        .mount(&server)
        .await;
    let err = backend(&server).get_authorization_policy().await.unwrap_err();
    assert!(
        matches!(err, Error::Throttled { retry_after: Some(d), .. } if d.is_zero()),
        "{err:?}"
    );
    assert!(err.to_string().contains("gave up after 4 attempts"), "{err}");
    assert!(
        !err.is_retryable(),
        "the backend's retries are spent; a caller's own would multiply the load"
    );
    assert_eq!(received(&server).await.len(), 4, "default cap is 4 attempts");
}

#[tokio::test]
async fn an_http_date_retry_after_is_honoured() {
    let server = MockServer::start().await;
    let now = Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap();
    let when = std::time::SystemTime::from(now) + Duration::from_secs(1);
    mount_policy_sequence(
        &server,
        ResponseTemplate::new(503).insert_header("Retry-After", httpdate::fmt_http_date(when).as_str()),
        1,
    )
    .await;
    let b = GraphBackend::builder()
        .tenant(TenantId::parse(TENANT).unwrap())
        .token_provider(Arc::new(StaticToken::new(TOKEN)))
        .endpoint(endpoint(&server))
        .clock(Arc::new(ManualClock::new(now)))
        .retry(fast_retry())
        .build()
        .unwrap();
    let started = Instant::now();
    b.get_authorization_policy().await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "waited until the date, not the 5 ms backoff"
    );
    assert_eq!(received(&server).await.len(), 2);
}

#[tokio::test]
async fn service_unavailable_until_exhaustion_says_how_many_attempts() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(503)
                .set_body_json(graph_error("serviceNotAvailable", "try later"))
                .insert_header("request-id", "hdr-1"),
        )
        .mount(&server)
        .await;
    let err = backend(&server).get_request_policy().await.unwrap_err();
    match &err {
        Error::Backend { status, context, .. } => {
            assert_eq!(*status, 503);
            assert_eq!(context.request_id(), Some("hdr-1"));
            assert_eq!(context.gave_up_after(), Some(4));
        }
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().contains("gave up after 4 attempts"), "{err}");
    assert!(!err.is_retryable(), "after the last attempt the error says so and is not retryable");
    assert_eq!(received(&server).await.len(), 4);
}

#[tokio::test]
async fn the_attempt_cap_is_configurable() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(504))
        .mount(&server)
        .await;
    let retry = RetryPolicy {
        max_attempts: 2,
        ..fast_retry()
    };
    let err = backend_with(&server, retry).get_request_policy().await.unwrap_err();
    assert!(err.to_string().contains("gave up after 2 attempts"), "{err}");
    assert_eq!(received(&server).await.len(), 2);
}

#[tokio::test]
async fn a_retry_after_beyond_the_single_wait_cap_returns_throttled_at_once() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "120"))
        .mount(&server)
        .await;
    let started = Instant::now();
    let err = backend(&server).get_request_policy().await.unwrap_err();
    assert_eq!(err.retry_after(), Some(Duration::from_secs(120)));
    assert!(
        err.is_retryable(),
        "the service said when to come back; nothing was given up on: {err}"
    );
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(received(&server).await.len(), 1);
}

#[tokio::test]
async fn client_errors_are_not_retried() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(404).set_body_json(graph_error("Request_ResourceNotFound", "gone")))
        .mount(&server)
        .await;
    assert!(matches!(backend(&server).get_request_policy().await, Err(Error::NotFound { .. })));
    assert_eq!(received(&server).await.len(), 1);
}

#[tokio::test]
async fn posts_are_retried_after_429_because_nothing_was_applied() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "0"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(201).set_body_json(sp_json(CLIENT_SP, APP)))
        .with_priority(2)
        .mount(&server)
        .await;
    backend(&server).create_service_principal(&app()).await.unwrap();
    assert_eq!(received(&server).await.len(), 2);
}

#[tokio::test]
async fn connection_refused_is_retried_then_reported() {
    // Bind and drop a listener so the port is (almost certainly) closed.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let b = GraphBackend::builder()
        .tenant(TenantId::parse(TENANT).unwrap())
        .token_provider(Arc::new(StaticToken::new(TOKEN)))
        .endpoint(GraphEndpoint::custom(&format!("http://127.0.0.1:{port}/v1.0")).unwrap())
        .retry(fast_retry())
        .build()
        .unwrap();
    let err = b.get_request_policy().await.unwrap_err();
    assert!(matches!(err, Error::Backend { status: 0, .. }), "{err:?}");
    let text = err.to_string();
    assert!(text.contains("could not connect"), "{text}");
    assert!(text.contains("gave up after 4 attempts"), "{text}");
    // The cause reqwest keeps only in its sources is in the text, and `source()` is reqwest's error.
    assert!(text.contains("Connection refused"), "{text}");
    let source = std::error::Error::source(&err).expect("the transport error is the source");
    assert!(
        source.downcast_ref::<reqwest::Error>().is_some_and(|e| e.is_connect()),
        "{source:?}"
    );
}

#[tokio::test]
async fn other_server_errors_are_final_and_not_retryable() {
    for status in [500, 502] {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(status).set_body_json(graph_error("generalException", "broken")))
            .mount(&server)
            .await;
        let err = backend(&server).get_request_policy().await.unwrap_err();
        assert_eq!(received(&server).await.len(), 1, "{status} is not retried");
        assert!(!err.is_retryable(), "is_retryable agrees with the loop for {status}: {err}");
    }
}
