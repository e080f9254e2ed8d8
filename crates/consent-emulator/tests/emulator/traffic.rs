//! Issue 9 items 10 and 11: `--latency` and `--rate-limit` (a token bucket per tenant and app, with
//! `Retry-After` and early-retry counting, as Dev Proxy's LatencyPlugin and RetryAfterPlugin do).

use std::time::{Duration, Instant};

use consent_emulator::{EmulatorConfig, Latency, RateLimit};
use consent_mock::{MockTenant, Preset, Principal};
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::common::{client_credentials, control, graph_error, read, start_with};

#[tokio::test]
async fn latency_delays_graph_and_token_answers_but_not_the_control_api() {
    let config = EmulatorConfig {
        latency: Some("150:20".parse::<Latency>().unwrap()),
        ..EmulatorConfig::default()
    };
    let env = start_with(MockTenant::preset(Preset::WorkflowOn), config).await;
    let timed = |started: Instant| started.elapsed();

    let t = Instant::now();
    assert_eq!(
        env.get("/policies/authorizationPolicy", &env.admin_token).await.status(),
        StatusCode::OK
    );
    assert!(timed(t) >= Duration::from_millis(130), "graph: {:?}", timed(t));

    let t = Instant::now();
    let tenant = env.emu.tenant_id().to_string();
    assert_eq!(client_credentials(&env, &tenant).await.status(), StatusCode::OK);
    assert!(timed(t) >= Duration::from_millis(130), "token: {:?}", timed(t));

    let t = Instant::now();
    assert_eq!(control(&env, Method::GET, "stats").send().await.unwrap().status(), StatusCode::OK);
    assert!(timed(t) < Duration::from_millis(130), "control: {:?}", timed(t));
}

#[tokio::test]
async fn a_bucket_per_tenant_and_app_throttles_with_retry_after_and_counts_early_retries() {
    let config = EmulatorConfig {
        tenants: 2,
        rate_limit: Some("3/60".parse::<RateLimit>().unwrap()),
        ..EmulatorConfig::default()
    };
    let env = start_with(MockTenant::preset(Preset::WorkflowOn), config).await;
    let path = "/policies/authorizationPolicy";
    for _ in 0..3 {
        assert_eq!(env.get(path, &env.admin_token).await.status(), StatusCode::OK);
    }
    let r = env.get(path, &env.admin_token).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = r.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(
        (19..=20).contains(&retry_after),
        "3 per 60 s refills one request in 20 s: {retry_after}"
    );
    let (_, body) = read(r).await;
    assert_eq!(graph_error(&body), "TooManyRequests");
    assert_eq!(env.emu.stats().early_retries, 0, "the first 429 is not a retry");

    // Sending again at once, before Retry-After: throttled, and counted as an early retry.
    assert_eq!(env.get(path, &env.admin_token).await.status(), StatusCode::TOO_MANY_REQUESTS);
    let stats = env.emu.stats();
    assert_eq!((stats.throttled, stats.early_retries), (2, 1));
    assert_eq!(stats.by_status["429"], 2);

    // Another tenant (same app) and another app have buckets of their own.
    let second = env.emu.tenant_ids()[1].clone();
    let other_tenant = env
        .emu
        .issue_token_in(&second, &Principal::User { id: env.tenant.admin_id() })
        .unwrap();
    assert_eq!(env.get(path, &other_tenant).await.status(), StatusCode::OK);

    // `$batch` items count one by one: two left in the second tenant's bucket, three items.
    let item = |id: &str| json!({"id": id, "method": "GET", "url": path});
    let batch = json!({"requests": [item("1"), item("2"), item("3")]});
    let (status, body) = read(env.send_json(Method::POST, "/$batch", &other_tenant, batch).await).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let mut statuses: Vec<u64> = body["responses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_u64().unwrap())
        .collect();
    statuses.sort_unstable();
    assert_eq!(statuses, vec![200, 200, 429], "{body}");
    let throttled = body["responses"].as_array().unwrap().iter().find(|r| r["status"] == 429).unwrap();
    assert!(throttled["headers"]["Retry-After"].is_string(), "{throttled}");

    // A reset refills every bucket.
    env.emu.reset(None).unwrap();
    assert_eq!(env.get(path, &env.admin_token).await.status(), StatusCode::OK);
}
