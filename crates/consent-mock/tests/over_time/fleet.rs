//! `observe_many` / `approve_many` across several mock tenants: a tenant that throttles waits alone,
//! one that fails is reported and never fatal, the deadline, and crash-and-resume of `approve_many`
//! through its journal. Time is tokio's paused clock.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use consent::workflow::{
    approve_many, observe_many, FleetApproval, FleetOptions, FleetTenant, Journal, JournalEntry, TenantGraphs, TenantResult,
};
use consent::{ConsentGraph, ConsentState, Error, TenantId};
use consent_mock::{demo, Fault, FaultPlan, FaultRule, MockTenant, Operation, Preset};
use futures::StreamExt;
use tokio::time::Instant;

/// `n` mock tenants needing approval, and the fleet's view of them (`ids[i]` ↔ `tenants[i]`).
fn fleet(n: usize) -> (Vec<FleetTenant>, Vec<MockTenant>) {
    (0..n)
        .map(|i| {
            let id = TenantId::parse(&format!("00000000-0000-4000-8000-{:012}", i + 1)).unwrap();
            (
                FleetTenant::new(id).named(format!("Customer {i}")),
                MockTenant::preset(Preset::UserConsentDisabled),
            )
        })
        .unzip()
}

/// Hands out each tenant's Global Administrator; an unknown tenant cannot sign in.
fn graphs(ids: &[FleetTenant], tenants: &[MockTenant]) -> impl TenantGraphs {
    let map: HashMap<TenantId, MockTenant> = ids.iter().map(|t| t.tenant_id.clone()).zip(tenants.iter().cloned()).collect();
    move |id: TenantId| {
        let found = map.get(&id).map(|t| Arc::new(t.as_admin()) as Arc<dyn ConsentGraph>);
        async move { found.ok_or_else(|| Error::unauthenticated(format!("AADSTS700016: the management app is not in tenant {id}"))) }
    }
}

fn options() -> FleetOptions {
    FleetOptions::default().concurrency(2)
}

fn throttle(t: &MockTenant, secs: u64, times: u32) {
    let fault = Fault::Throttle {
        retry_after: Duration::from_secs(secs),
    };
    t.set_faults(FaultPlan::none().with(FaultRule::always(Some(Operation::Snapshot), fault).times(times)));
}

#[tokio::test(start_paused = true)]
async fn a_throttled_tenant_waits_alone_and_a_failing_one_is_reported() {
    let (mut ids, tenants) = fleet(5);
    throttle(&tenants[0], 60, 1);
    tenants[1].set_faults(FaultPlan::none().with(FaultRule::always(None, Fault::ServerError { status: 503 })));
    let unknown = FleetTenant::new(TenantId::parse("contoso-gone.onmicrosoft.com").unwrap());
    ids.push(unknown.clone());
    let graphs = graphs(&ids, &tenants);
    let app = demo::carerix_app();
    let start = Instant::now();
    let results: Vec<(TenantResult<ConsentState>, Duration)> = observe_many(&graphs, ids.clone(), &app, options())
        .map(|r| (r, start.elapsed()))
        .collect()
        .await;
    assert_eq!(results.len(), 6, "every tenant is reported");
    let by_id = |t: &FleetTenant| results.iter().find(|(r, _)| r.tenant == *t).unwrap();

    // The throttled tenant retried once, after Retry-After, and finished last; the others did not wait for it.
    let (throttled, at) = by_id(&ids[0]);
    assert_eq!(throttled.result.as_ref().unwrap().name(), "requests_disabled");
    assert_eq!((throttled.attempts, *at), (2, Duration::from_secs(60)));
    assert_eq!(results.last().unwrap().0.tenant, ids[0]);
    for t in &ids[2..5] {
        let (r, at) = by_id(t);
        assert_eq!((r.result.as_ref().unwrap().name(), r.attempts), ("requests_disabled", 1));
        assert!(*at < Duration::from_secs(60), "{t:?} waited for the throttled tenant: {at:?}");
    }
    // 503s are retried (1 + 4 attempts, backing off 1+2+4+8 s), then reported; the run goes on.
    let (failing, at) = by_id(&ids[1]);
    assert!(matches!(failing.result, Err(Error::Backend { status: 503, .. })), "{failing:?}");
    assert_eq!((failing.attempts, *at), (5, Duration::from_secs(15)));
    let (gone, _) = by_id(&unknown);
    assert!(matches!(gone.result, Err(Error::Unauthenticated { .. })));
}

#[tokio::test(start_paused = true)]
async fn the_deadline_reports_unfinished_tenants_as_timed_out() {
    let (ids, tenants) = fleet(4);
    throttle(&tenants[2], 600, 1);
    let graphs = graphs(&ids, &tenants);
    let app = demo::carerix_app();
    let start = Instant::now();
    let results: Vec<_> = observe_many(&graphs, ids.clone(), &app, options().timeout(Duration::from_secs(30)))
        .collect()
        .await;
    assert_eq!(start.elapsed(), Duration::from_secs(30));
    for r in &results {
        if r.tenant == ids[2] {
            assert!(matches!(r.result, Err(Error::Timeout { .. })), "{r:?}");
        } else {
            assert!(r.result.is_ok(), "{r:?}");
        }
    }
    assert_eq!(results.len(), 4);
}

#[tokio::test(start_paused = true)]
async fn approve_many_after_a_crash_reruns_only_the_unfinished_tenants() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("approve.jsonl");
    let (ids, tenants) = fleet(4);
    let graphs = graphs(&ids, &tenants);
    let app = demo::carerix_app();

    // First run: two tenants finish, then the process "crashes" (the stream is dropped) mid-run,
    // leaving a torn last line.
    {
        let journal = Journal::open(&path, app.app_id).unwrap();
        let first: Vec<_> = approve_many(&graphs, ids.clone(), &app, &journal, options().concurrency(1))
            .take(2)
            .collect()
            .await;
        assert!(
            first.iter().all(|r| matches!(r.result, Ok(FleetApproval::Granted { .. }))),
            "{first:?}"
        );
    }
    std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .and_then(|mut f| std::io::Write::write_all(&mut f, br#"{"at":"2026-01-05T09:00:0"#))
        .unwrap();
    let done_before: Vec<_> = ids.iter().filter(|t| is_approved(&tenants, &ids, t)).cloned().collect();
    assert_eq!(done_before.len(), 2);
    // A tenant the journal marks done must not be contacted again: make any call to it fail.
    for t in &done_before {
        tenant_of(&tenants, &ids, t).set_faults(FaultPlan::none().with(FaultRule::always(None, Fault::ServerError { status: 503 })));
    }

    let journal = Journal::open(&path, app.app_id).unwrap();
    assert_eq!(journal.done_count(), 2);
    let second: Vec<_> = approve_many(&graphs, ids.clone(), &app, &journal, options()).collect().await;
    assert_eq!(second.len(), 4);
    for r in &second {
        match &r.result {
            Ok(FleetApproval::DoneEarlier) => assert!(done_before.contains(&r.tenant) && r.attempts == 0),
            Ok(FleetApproval::Granted { previous, grant }) => {
                assert!(!done_before.contains(&r.tenant));
                assert_eq!(previous, "requests_disabled");
                assert!(grant.grants_created == 1 && grant.created_service_principal);
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(journal.done_count(), 4);
    for t in &tenants {
        t.set_faults(FaultPlan::none());
    }
    assert!(ids.iter().all(|t| is_approved(&tenants, &ids, t)));
    // Every whole line of the journal is a valid entry; only the torn one is not.
    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<_> = text.lines().collect();
    let parsed = lines.iter().filter(|l| serde_json::from_str::<JournalEntry>(l).is_ok()).count();
    assert_eq!(parsed, lines.len() - 1, "{text}");
    assert_eq!(lines.len(), 2 * 2 + 1 + 2 * 2);
}

#[tokio::test(start_paused = true)]
async fn approve_many_is_idempotent_and_reports_failures_per_tenant() {
    let (ids, tenants) = fleet(3);
    let app = demo::carerix_app();
    // A reader cannot approve: that tenant fails, the others are granted.
    let mut acting: HashMap<TenantId, Arc<dyn ConsentGraph>> = ids
        .iter()
        .zip(&tenants)
        .map(|(id, t)| (id.tenant_id.clone(), Arc::new(t.as_admin()) as Arc<dyn ConsentGraph>))
        .collect();
    acting.insert(ids[1].tenant_id.clone(), Arc::new(tenants[1].as_user(demo::READER_ID)));
    let reader_graphs = move |id: TenantId| {
        let found = acting.get(&id).cloned();
        async move { found.ok_or(Error::not_found(format!("tenant {id}"))) }
    };
    let journal = Journal::disabled(app.app_id);
    let first: Vec<_> = approve_many(&reader_graphs, ids.clone(), &app, &journal, options()).collect().await;
    assert_eq!(first.len(), 3, "every tenant is reported");
    for r in &first {
        if r.tenant == ids[1] {
            assert!(matches!(r.result, Err(Error::PermissionDenied { .. })), "{r:?}");
        } else {
            assert!(matches!(r.result, Ok(FleetApproval::Granted { .. })), "{r:?}");
        }
    }
    let graphs = graphs(&ids, &tenants);
    let again: Vec<_> = approve_many(&graphs, ids.clone(), &app, &journal, options()).collect().await;
    let already = again
        .iter()
        .filter(|r| matches!(r.result, Ok(FleetApproval::AlreadyApproved)))
        .count();
    let granted = again
        .iter()
        .filter(|r| matches!(r.result, Ok(FleetApproval::Granted { .. })))
        .count();
    assert_eq!((already, granted), (2, 1), "{again:?}");
}

fn tenant_of<'a>(tenants: &'a [MockTenant], ids: &[FleetTenant], t: &FleetTenant) -> &'a MockTenant {
    &tenants[ids.iter().position(|x| x == t).unwrap()]
}

fn is_approved(tenants: &[MockTenant], ids: &[FleetTenant], t: &FleetTenant) -> bool {
    let tenant = tenant_of(tenants, ids, t);
    let app = demo::carerix_app();
    let decision = tenant.sign_in(demo::EVA_ID, &app.app_id, &app.delegated_scopes()).unwrap();
    decision == consent::UserConsentDecision::AlreadyGranted
}
