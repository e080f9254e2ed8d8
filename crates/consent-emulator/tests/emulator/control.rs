//! Issue 9 item 12: the control API under `/_emulator/` and the same operations on `RunningEmulator`.

use consent_emulator::EmulatorConfig;
use consent_mock::{demo, MockTenant, Preset};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::common::{control, file_eva_request, read, start, start_with};

const APP_REQUESTS: &str = "/identityGovernance/appConsent/appConsentRequests";

#[tokio::test]
async fn every_control_call_needs_the_admin_secret() {
    let env = start(Preset::WorkflowOn).await;
    for (method, path) in [
        (Method::POST, "clock/advance"),
        (Method::GET, "outbox"),
        (Method::GET, "stats"),
        (Method::POST, "reset"),
        (Method::GET, "state"),
        (Method::PUT, "state"),
    ] {
        let url = env.login(&format!("/_emulator/{path}"));
        let none = env.http.request(method.clone(), &url).send().await.unwrap();
        assert_eq!(none.status(), StatusCode::UNAUTHORIZED, "{path} without a token");
        let graph_token = env
            .http
            .request(method.clone(), &url)
            .bearer_auth(&env.admin_token)
            .send()
            .await
            .unwrap();
        assert_eq!(graph_token.status(), StatusCode::UNAUTHORIZED, "{path} with a Graph token");
    }
    let r = control(&env, Method::GET, "stats?tenant=0b0b0b0b-0000-4000-8000-000000000000")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND, "a tenant not served");
}

#[tokio::test]
async fn advancing_the_clock_expires_requests_and_the_outbox_shows_the_mail() {
    let env = start(Preset::WorkflowOn).await;
    let id = file_eva_request(&env.tenant).await;
    let (_, outbox) = read(control(&env, Method::GET, "outbox").send().await.unwrap()).await;
    let mails = outbox["value"].as_array().unwrap();
    let to_reviewer = mails
        .iter()
        .find(|m| m["to"] == demo::CLOUD_ADMIN_UPN)
        .unwrap_or_else(|| panic!("the reviewer is notified: {outbox}"));
    assert!(to_reviewer["subject"].as_str().unwrap().contains("Carerix"), "{to_reviewer}");
    assert!(to_reviewer["body"].as_str().unwrap().contains(&id), "{to_reviewer}");
    assert_eq!(to_reviewer["sentDateTime"], "2026-01-05T09:00:00Z");

    let (status, body) = read(
        control(&env, Method::POST, "clock/advance")
            .json(&json!({"seconds": 31 * 24 * 3600}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["now"], "2026-02-05T09:00:00+00:00");
    let (_, users) = read(env.get(&format!("{APP_REQUESTS}/{id}/userConsentRequests"), &env.admin_token).await).await;
    assert_eq!(users["value"][0]["status"], "Expired");
    let mails = env.emu.outbox(None).unwrap();
    assert!(
        mails.iter().any(|m| m.to == demo::EVA_UPN && m.subject.contains("expired")),
        "{mails:?}"
    );

    for bad in [
        json!({"seconds": -1}),
        json!({"secs": 1}),
        json!("x"),
        json!({"seconds": 1e300}),
        json!({"seconds": i64::MAX}),
    ] {
        let r = control(&env, Method::POST, "clock/advance").json(&bad).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{bad}");
    }
    // Many 100-year steps end at the year 9999 with a 400, never a panic.
    let step = json!({"seconds": 100_i64 * 365 * 24 * 3600});
    let mut last = StatusCode::OK;
    for _ in 0..90 {
        last = control(&env, Method::POST, "clock/advance")
            .json(&step)
            .send()
            .await
            .unwrap()
            .status();
        if last != StatusCode::OK {
            break;
        }
    }
    assert_eq!(last, StatusCode::BAD_REQUEST);
    assert_eq!(
        env.get("/policies/authorizationPolicy", &env.admin_token).await.status(),
        StatusCode::OK,
        "still serving"
    );
}

#[tokio::test]
async fn stats_count_answers_by_status_and_reset_restores_every_tenant() {
    let config = EmulatorConfig {
        tenants: 2,
        ..EmulatorConfig::default()
    };
    let env = start_with(MockTenant::preset(Preset::WorkflowOn), config).await;
    file_eva_request(&env.tenant).await;
    env.get("/policies/authorizationPolicy", &env.admin_token).await;
    env.get("/nope", &env.admin_token).await;
    let (_, stats) = read(control(&env, Method::GET, "stats").send().await.unwrap()).await;
    assert_eq!(stats["requests"], 2, "control calls are not counted: {stats}");
    assert_eq!(stats["by_status"], json!({"200": 1, "404": 1}));
    assert_eq!((stats["throttled"].clone(), stats["early_retries"].clone()), (json!(0), json!(0)));

    let second = env.emu.tenant_ids()[1].clone();
    let t2 = env.emu.tenant_by_id(&second).unwrap();
    file_eva_request(&t2).await;
    env.emu.advance_clock(chrono::Duration::days(1), None).unwrap();

    let r = control(&env, Method::POST, "reset").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let (_, list) = read(env.get(APP_REQUESTS, &env.admin_token).await).await;
    assert!(
        list["value"].as_array().unwrap().is_empty(),
        "first tenant back to its preset: {list}"
    );
    assert_eq!(consent::Clock::now(&env.tenant.clock()).to_rfc3339(), "2026-01-05T09:00:00+00:00");
    let t2 = env.emu.tenant_by_id(&second).unwrap();
    let reqs = consent::ConsentGraph::list_app_consent_requests(&t2.as_admin(), &consent::RequestFilter::default())
        .await
        .unwrap();
    assert!(reqs.is_empty(), "second tenant back to its preset");
    assert_eq!(env.emu.stats().requests, 1, "counters restart at reset (the GET above)");
}

#[tokio::test]
async fn state_saves_a_tenant_and_loads_it_into_another_keeping_its_id() {
    let config = EmulatorConfig {
        tenants: 3,
        ..EmulatorConfig::default()
    };
    let env = start_with(MockTenant::preset(Preset::WorkflowOn), config).await;
    file_eva_request(&env.tenant).await;
    let r = control(&env, Method::GET, "state").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let saved = r.text().await.unwrap();
    let parsed: Value = serde_json::from_str(&saved).unwrap();
    assert!(parsed["formatVersion"].is_u64(), "the format MockTenant::to_json writes");
    assert_eq!(saved, env.emu.state(None).unwrap());

    let third = env.emu.tenant_ids()[2].to_string();
    let r = control(&env, Method::PUT, &format!("state?tenant={third}"))
        .body(saved.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let t3 = env.emu.tenant_by_id(&env.emu.tenant_ids()[2]).unwrap();
    assert_eq!(t3.tenant_id().to_string(), third, "the tenant keeps its id");
    let reqs = consent::ConsentGraph::list_app_consent_requests(&t3.as_admin(), &consent::RequestFilter::default())
        .await
        .unwrap();
    assert_eq!(reqs.len(), 1, "the loaded state has the request");
    let second = env.emu.tenant_by_id(&env.emu.tenant_ids()[1]).unwrap();
    let untouched = consent::ConsentGraph::list_app_consent_requests(&second.as_admin(), &consent::RequestFilter::default())
        .await
        .unwrap();
    assert!(untouched.is_empty(), "only the named tenant was loaded");

    for bad in ["", "{}", "not json", r#"{"formatVersion": 999}"#] {
        let r = control(&env, Method::PUT, "state").body(bad).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{bad:?}");
    }
    let (_, state) = read(control(&env, Method::GET, &format!("state?tenant={third}")).send().await.unwrap()).await;
    assert_eq!(state["tenantId"], third.as_str());
}
