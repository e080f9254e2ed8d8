//! Issue 13 over HTTP: `observe_many`, `approve_many` and `watch` through the real Graph backend
//! (`consent-graph`'s `GraphFleet`, client credentials per tenant) against one emulator serving
//! several tenants — a tenant that throttles (its own `--rate-limit`, set through the control API),
//! one that fails, one the management app cannot sign in to, an approval made mid-watch, and a
//! crash-and-resume of `approve_many` through its journal.
//!
//! The same scenarios against the in-process mock, on a paused clock, are in
//! `crates/consent-mock/tests/over_time/`. These run on real time: waits are Retry-After seconds,
//! so each test takes a few seconds.
//!
//! Microsoft's pages followed: "Microsoft Graph throttling guidance" (honour `Retry-After`; a
//! throttled `$batch` item is retried on its own) and "Get access on behalf of a user" /
//! "client credentials flow" (a token per tenant).

use std::sync::Arc;
use std::time::{Duration, Instant};

use consent::workflow::{
    approve_many, observe_many, watch, FleetApproval, FleetOptions, FleetTenant, Journal, TokioSleeper, WatchEvent, WatchOptions,
};
use consent::{observe, ConsentState, Error, TenantId};
use consent_emulator::{EmulatorConfig, RateLimit};
use consent_graph::{GraphEndpoint, GraphFleet, RetryPolicy, Secret};
use consent_mock::{demo, Fault, FaultPlan, FaultRule, MockTenant, Preset, Principal};
use futures::StreamExt;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::common::{control, file_eva_request, read, start_with, Env};

/// An emulator serving `n` copies of the workflow-on preset.
async fn tenants(n: usize) -> (Env, Vec<TenantId>) {
    let config = EmulatorConfig {
        tenants: n,
        ..EmulatorConfig::default()
    };
    let env = start_with(MockTenant::preset(Preset::WorkflowOn), config).await;
    let ids = env.emu.tenant_ids();
    (env, ids)
}

/// The management app (the emulator's admin client) as a fleet, with short backoffs: injected
/// faults answer at once, and only `Retry-After` should make these tests wait.
fn fleet(env: &Env) -> GraphFleet {
    GraphFleet::new(env.emu.admin_client_id(), Secret::new(env.emu.admin_client_secret()))
        .endpoint(GraphEndpoint::custom(env.emu.graph_url().as_str()).unwrap())
        .authority(env.emu.login_url())
        .retry(RetryPolicy {
            base_backoff: Duration::from_millis(5),
            settle: Duration::from_millis(5),
            ..RetryPolicy::default()
        })
}

fn options(concurrency: usize) -> FleetOptions {
    let mut o = FleetOptions::default().concurrency(concurrency).retries(1);
    o.retry_base = Duration::from_millis(10);
    o
}

fn listed(ids: &[TenantId]) -> Vec<FleetTenant> {
    ids.iter()
        .enumerate()
        .map(|(i, id)| FleetTenant::new(id.clone()).named(format!("Customer {i}")))
        .collect()
}

/// Gives one tenant its own rate limit through the control API, as a test suite in another
/// language would.
async fn limit(env: &Env, tenant: &TenantId, limit: &str) {
    let r = control(env, Method::PUT, &format!("rate-limit?tenant={tenant}"))
        .json(&json!({ "limit": limit }))
        .send()
        .await
        .unwrap();
    let (status, body) = read(r).await;
    assert_eq!((status, body), (StatusCode::OK, json!({ "limit": limit })));
}

fn failing(tenant: &MockTenant) {
    tenant.set_faults(FaultPlan::none().with(FaultRule::always(None, Fault::ServerError { status: 503 })));
}

#[tokio::test]
async fn the_rate_limit_of_one_tenant_is_set_read_and_reset_through_the_control_api() {
    let (env, ids) = tenants(3).await;
    let get = |t: &TenantId| control(&env, Method::GET, &format!("rate-limit?tenant={t}")).send();
    assert_eq!(read(get(&ids[1]).await.unwrap()).await.1, json!({ "limit": null }));
    limit(&env, &ids[1], "3/1").await;
    assert_eq!(read(get(&ids[1]).await.unwrap()).await.1, json!({ "limit": "3/1" }));
    assert_eq!(
        read(get(&ids[2]).await.unwrap()).await.1,
        json!({ "limit": null }),
        "only that tenant"
    );
    assert_eq!(
        env.emu.rate_limit(Some(&ids[1])).unwrap(),
        Some(RateLimit {
            requests: 3,
            per: Duration::from_secs(1)
        })
    );

    // Bad input: a malformed limit, an unknown field, an unknown tenant, no secret.
    for body in [
        json!({ "limit": "3" }),
        json!({ "limit": "0/1" }),
        json!({ "limt": "3/1" }),
        json!([]),
    ] {
        let r = control(&env, Method::PUT, &format!("rate-limit?tenant={}", ids[1]))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{body}");
    }
    let unknown = control(&env, Method::PUT, "rate-limit?tenant=00000000-0000-4000-8000-00000000dead")
        .json(&json!({ "limit": "3/1" }))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    let anonymous = env
        .http
        .put(env.login("/_emulator/rate-limit"))
        .json(&json!({ "limit": "3/1" }))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        env.emu.rate_limit(Some(&ids[1])).unwrap().map(|l| l.requests),
        Some(3),
        "nothing changed"
    );

    // `reset?tenant=` returns that tenant to the configured limit (none here).
    env.emu.reset(Some(&ids[1])).unwrap();
    assert_eq!(env.emu.rate_limit(Some(&ids[1])).unwrap(), None);
    // Without `?tenant=` the limit applies to every tenant; `null` lifts it.
    env.emu.set_rate_limit(Some("5/1".parse().unwrap()), None).unwrap();
    assert!(ids.iter().all(|t| env.emu.rate_limit(Some(t)).unwrap().is_some()));
    limit(&env, &ids[0], "5/1").await;
    let lifted = control(&env, Method::PUT, "rate-limit")
        .json(&json!({ "limit": null }))
        .send()
        .await
        .unwrap();
    assert_eq!(read(lifted).await.1, json!({ "limit": null }));
    assert!(ids.iter().all(|t| env.emu.rate_limit(Some(t)).unwrap().is_none()));
}

#[tokio::test]
async fn fleet_status_a_throttled_tenant_waits_alone_and_failing_tenants_are_reported() {
    let (env, ids) = tenants(4).await;
    // Customer 0 allows 3 Graph calls a second: its 7-item snapshot batch gets 429 on 4 items, and
    // the backend resends only those after the `Retry-After` the emulator names.
    limit(&env, &ids[0], "3/1").await;
    // Customer 1 answers 503 to everything; "Fabrikam" is not a tenant the management app is in.
    failing(&env.emu.tenant_by_id(&ids[1]).unwrap());
    let mut list = listed(&ids);
    list.insert(
        2,
        FleetTenant::new(TenantId::parse("fabrikam.onmicrosoft.com").unwrap()).named("Fabrikam"),
    );
    let app = demo::carerix_app();
    let fleet = fleet(&env);

    let start = Instant::now();
    let results: Vec<_> = observe_many(&fleet, list, &app, options(2)).collect().await;
    let wall = start.elapsed();

    assert_eq!(results.len(), 5);
    // Results stream as they finish: the throttled tenant is last, every other finished while it waited.
    let last = results.last().unwrap();
    assert_eq!(last.tenant.tenant_id, ids[0], "{results:#?}");
    assert!(matches!(last.result, Ok(ConsentState::RequestsEnabled(_))), "{last:?}");
    assert!(wall >= Duration::from_secs(1), "Retry-After is at least 1 s: {wall:?}");
    for r in &results[..4] {
        let name = r.tenant.name.as_deref().unwrap();
        match name {
            "Customer 1" => {
                assert!(matches!(r.result, Err(Error::Backend { status: 503, .. })), "{r:?}");
                // The backend retried 4 times and gave up; the fleet does not multiply that load.
                let gave_up = r.result.as_ref().unwrap_err().context().and_then(|c| c.gave_up_after());
                assert_eq!((r.attempts, gave_up), (1, Some(4)), "{r:?}");
            }
            "Fabrikam" => {
                let e = r.result.as_ref().unwrap_err();
                assert!(e.to_string().contains("AADSTS90002"), "{e}");
                assert_eq!(r.attempts, 1, "an unknown tenant is not retried");
            }
            _ => assert!(matches!(r.result, Ok(ConsentState::RequestsEnabled(_))), "{r:?}"),
        }
    }
    // The backend never came back before a Retry-After had passed.
    let stats = env.emu.stats();
    assert!(stats.throttled >= 4, "{stats:?}");
    assert_eq!(stats.early_retries, 0, "{stats:?}");
}

#[tokio::test]
async fn fleet_approve_after_a_crash_reruns_only_the_unfinished_tenants() {
    let (env, ids) = tenants(3).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("approve.jsonl");
    let app = demo::carerix_app();

    // First run: one tenant finishes, then the process "crashes" (the stream is dropped mid-run).
    {
        let fleet = fleet(&env);
        let journal = Journal::open(&path, app.app_id).unwrap();
        let first: Vec<_> = approve_many(&fleet, listed(&ids), &app, &journal, options(1))
            .take(1)
            .collect()
            .await;
        assert!(matches!(first[0].result, Ok(FleetApproval::Granted { .. })), "{first:?}");
    }
    let approved = |t: &TenantId| {
        let tenant = env.emu.tenant_by_id(t).unwrap();
        async move {
            matches!(
                observe(&tenant.as_admin(), &demo::carerix_app()).await,
                Ok(ConsentState::Approved(_))
            )
        }
    };
    let mut done = Vec::new();
    for t in &ids {
        if approved(t).await {
            done.push(t.clone());
        }
    }
    assert_eq!(done.len(), 1, "exactly the tenant the first run finished");
    // A tenant the journal records as done must not be contacted again: it would fail now.
    failing(&env.emu.tenant_by_id(&done[0]).unwrap());
    let before = env.emu.stats().requests;

    // The rerun: a new process, so a new fleet (new tokens) and the journal read back.
    let fleet = fleet(&env);
    let journal = Journal::open(&path, app.app_id).unwrap();
    assert_eq!(journal.done_count(), 1);
    let second: Vec<_> = approve_many(&fleet, listed(&ids), &app, &journal, options(2)).collect().await;
    assert_eq!(second.len(), 3);
    for r in &second {
        match &r.result {
            Ok(FleetApproval::DoneEarlier) => assert!(r.tenant.tenant_id == done[0] && r.attempts == 0, "{r:?}"),
            Ok(FleetApproval::Granted { previous, grant }) => {
                assert!(r.tenant.tenant_id != done[0]);
                assert_eq!(previous, "requests_enabled");
                assert!(grant.grants_created == 1 && grant.created_service_principal, "{grant:?}");
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(journal.done_count(), 3);
    assert_eq!(fleet.cached_tenants(), 2, "the done tenant got no token request either");
    // Two tenants: a token each, then read, write and read back over Graph.
    assert!(env.emu.stats().requests > before);
    env.emu.tenant_by_id(&done[0]).unwrap().set_faults(FaultPlan::none());
    for t in &ids {
        assert!(approved(t).await, "{t} approved");
    }
}

/// Eva asked for the app in `tenant`; its Cloud Application Administrator will review it.
async fn pending(env: &Env, tenant: &TenantId) -> MockTenant {
    let t = env.emu.tenant_by_id(tenant).unwrap();
    file_eva_request(&t).await;
    t
}

fn quick_watch() -> WatchOptions {
    WatchOptions::new(Arc::new(TokioSleeper))
        .intervals(Duration::from_millis(50), Duration::from_millis(200))
        .timeout(Duration::from_secs(30))
}

#[tokio::test]
async fn watch_sees_an_approval_the_reviewer_makes_over_graph_mid_watch() {
    let (env, ids) = tenants(3).await;
    let tenant = pending(&env, &ids[1]).await;
    let app = demo::carerix_app();
    let fleet = fleet(&env);
    let watcher = fleet.backend(&ids[1]).unwrap();
    // The reviewer acts through Graph with their own delegated token, as the admin center does.
    let reviewer_token = env
        .emu
        .issue_token_in(&ids[1], &Principal::User { id: demo::CLOUD_ADMIN_ID })
        .unwrap();
    let reviewer = crate::common::graph_backend(&env.emu, reviewer_token, &tenant);

    let mut events = watch(watcher.as_ref(), &app, quick_watch());
    let mut seen = Vec::new();
    let mut approved_mid_watch = false;
    while let Some(event) = events.next().await {
        let event = event.unwrap();
        if let WatchEvent::Changed { state, .. } = &event {
            seen.push(state.name().to_owned());
            if matches!(state.as_ref(), ConsentState::Pending(_)) {
                assert!(!approved_mid_watch, "one pending change, then approved");
                let ConsentState::Pending(fresh) = observe(&reviewer, &app).await.unwrap() else {
                    panic!("the reviewer sees the request")
                };
                fresh.approve(&reviewer).await.unwrap();
                approved_mid_watch = true;
            }
        }
    }
    assert_eq!(seen, ["pending", "approved"]);
    // Other tenants never saw the request or the grant.
    for other in [&ids[0], &ids[2]] {
        let state = observe(fleet.backend(other).unwrap().as_ref(), &app).await.unwrap();
        assert_eq!(state.name(), "requests_enabled", "{other}");
    }
}

#[tokio::test]
async fn watch_on_a_throttled_tenant_never_reads_before_retry_after() {
    let (env, ids) = tenants(2).await;
    let tenant = pending(&env, &ids[1]).await;
    // 10 Graph calls per 2 s: the first snapshot (7 items) passes, the next ones are throttled in
    // part and finish after `Retry-After`.
    limit(&env, &ids[1], "10/2").await;
    let app = demo::carerix_app();
    let fleet = fleet(&env);
    let watcher = fleet.backend(&ids[1]).unwrap();

    // Approved out of band after a while, in the tenant itself (not over HTTP, whose calls would
    // share the management app's bucket and muddle the early-retry count).
    let approval = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(2500)).await;
        let reviewer = tenant.as_user(demo::CLOUD_ADMIN_ID);
        let ConsentState::Pending(p) = observe(&reviewer, &demo::carerix_app()).await.unwrap() else {
            panic!("pending")
        };
        p.approve(&reviewer).await.unwrap();
    });
    let mut events = watch(watcher.as_ref(), &app, quick_watch());
    let mut changes = Vec::new();
    while let Some(event) = events.next().await {
        match event.unwrap() {
            WatchEvent::Changed { state, .. } => changes.push(state.name().to_owned()),
            WatchEvent::Retrying { error, wait } => {
                assert!(matches!(error, Error::Throttled { .. }), "{error}");
                assert!(wait >= error.retry_after().unwrap_or_default());
            }
            other => panic!("the approval should end the watch: {other:?} after {changes:?}"),
        }
    }
    approval.await.unwrap();
    assert_eq!(changes.first().map(String::as_str), Some("pending"));
    assert_eq!(changes.last().map(String::as_str), Some("approved"));
    let stats = env.emu.stats();
    assert!(stats.throttled > 0, "the tenant's limit was reached: {stats:?}");
    assert_eq!(stats.early_retries, 0, "{stats:?}");
}
