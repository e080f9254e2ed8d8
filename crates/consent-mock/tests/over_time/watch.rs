//! `consent::workflow::watch` against the mock tenant: approval mid-watch, throttling, deadline,
//! expiry, errors and cancellation. Time is the mock's `ManualClock` (a watch of hours runs in
//! microseconds) or tokio's paused clock.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use consent::workflow::{watch, Sleeper, TokioSleeper, WatchEvent, WatchOptions};
use consent::{
    Clock, ConsentGraph, ConsentRequestSubmission, ConsentReview, ConsentState, Error, ManualClock, RequestFilter, ReviewDecision,
};
use consent_mock::{demo, Fault, FaultPlan, FaultRule, MockTenant, Operation, Preset};
use futures::future::BoxFuture;
use futures::StreamExt;

/// A workflow-on tenant where Eva has asked for the demo app.
async fn pending_tenant() -> MockTenant {
    let tenant = MockTenant::preset(Preset::WorkflowOn);
    let app = demo::carerix_app();
    let submission = ConsentRequestSubmission::dynamic(app.app_id, app.delegated_scopes(), "I schedule interviews").unwrap();
    tenant.as_user(demo::EVA_ID).submit_consent_request(&submission).await.unwrap();
    tenant
}

async fn review(tenant: &MockTenant, decision: ReviewDecision) {
    let reviewer = tenant.as_user(demo::CLOUD_ADMIN_ID);
    let filter = RequestFilter {
        app_id: Some(demo::CARERIX_APP_ID),
        pending_only: true,
    };
    let open = reviewer.list_app_consent_requests(&filter).await.unwrap();
    let review = ConsentReview {
        app_request_id: open[0].id.clone(),
        decision,
    };
    reviewer.review_consent_request(&review).await.unwrap();
}

/// Sleeps by moving the tenant's clock, records every wait, and runs `on_sleep` at the n-th one.
#[derive(Debug)]
struct Recording {
    clock: ManualClock,
    waits: Mutex<Vec<Duration>>,
    approve_at: Option<(usize, MockTenant)>,
    count: AtomicUsize,
}

impl Recording {
    fn new(clock: ManualClock) -> Arc<Self> {
        Self::build(clock, None)
    }

    fn approving(tenant: &MockTenant, at: usize) -> Arc<Self> {
        Self::build(tenant.clock(), Some((at, tenant.clone())))
    }

    fn build(clock: ManualClock, approve_at: Option<(usize, MockTenant)>) -> Arc<Self> {
        Arc::new(Self {
            clock,
            waits: Mutex::new(Vec::new()),
            approve_at,
            count: AtomicUsize::new(0),
        })
    }

    fn waits(&self) -> Vec<Duration> {
        self.waits.lock().unwrap().clone()
    }
}

impl Sleeper for Recording {
    fn sleep(&self, d: Duration) -> BoxFuture<'static, ()> {
        self.waits.lock().unwrap().push(d);
        let n = self.count.fetch_add(1, Ordering::SeqCst) + 1;
        let sleep = self.clock.sleep(d);
        let approve = self.approve_at.clone().filter(|(at, _)| *at == n).map(|(_, t)| t);
        Box::pin(async move {
            sleep.await;
            if let Some(tenant) = approve {
                // The reviewer clicks Accept in the portal while the watcher sleeps.
                review(&tenant, ReviewDecision::Approve).await;
            }
        })
    }
}

fn changed(e: &WatchEvent) -> Option<&str> {
    match e {
        WatchEvent::Changed { state, .. } => Some(state.name()),
        _ => None,
    }
}

#[tokio::test]
async fn approved_mid_watch_ends_with_approved_after_backing_off() {
    let tenant = pending_tenant().await;
    let admin = tenant.as_admin();
    let app = demo::carerix_app();
    let start = tenant.clock().now();
    let sleeper = Recording::approving(&tenant, 4);
    let events: Vec<_> = watch(
        &admin,
        &app,
        WatchOptions::new(sleeper.clone()).seed(7).timeout(Duration::from_secs(3600)),
    )
    .collect()
    .await;
    let names: Vec<_> = events.iter().map(|e| changed(e.as_ref().unwrap())).collect();
    assert_eq!(names, vec![Some("pending"), Some("approved")]);
    assert!(events.last().unwrap().as_ref().unwrap().is_final());
    // Four unchanged waits growing 15 s → 30 s → 60 s → 120 s, each within ±20 % jitter.
    let waits = sleeper.waits();
    assert_eq!(waits.len(), 4, "{waits:?}");
    for (w, base) in waits.iter().zip([15.0, 30.0, 60.0, 120.0]) {
        assert!((base * 0.8..=base * 1.2).contains(&w.as_secs_f64()), "{waits:?}");
    }
    let WatchEvent::Changed { at, .. } = events[1].as_ref().unwrap() else {
        unreachable!()
    };
    assert_eq!(*at - start, chrono::Duration::from_std(waits.iter().sum()).unwrap());
}

#[tokio::test]
async fn denied_and_blocked_end_the_watch() {
    let why = || consent::Justification::parse("not now").unwrap();
    for (decision, expected) in [(ReviewDecision::Deny(why()), "denied"), (ReviewDecision::Block(why()), "blocked")] {
        let tenant = pending_tenant().await;
        let admin = tenant.as_admin();
        let app = demo::carerix_app();
        let sleeper = Recording::new(tenant.clock());
        let mut events = watch(&admin, &app, WatchOptions::new(sleeper));
        assert_eq!(changed(&events.next().await.unwrap().unwrap()), Some("pending"));
        review(&tenant, decision).await;
        let last = events.next().await.unwrap().unwrap();
        assert_eq!(changed(&last), Some(expected));
        assert!(events.next().await.is_none(), "the watch ends at {expected}");
    }
}

#[tokio::test]
async fn a_throttled_tenant_is_never_read_sooner_than_retry_after() {
    let tenant = pending_tenant().await;
    let throttle = Fault::Throttle {
        retry_after: Duration::from_secs(120),
    };
    tenant.set_faults(FaultPlan::none().with(FaultRule::always(Some(Operation::Snapshot), throttle).times(2)));
    let admin = tenant.as_admin();
    let app = demo::carerix_app();
    let sleeper = Recording::new(tenant.clock());
    let mut events = watch(&admin, &app, WatchOptions::new(sleeper.clone()).seed(1));
    for _ in 0..2 {
        match events.next().await.unwrap().unwrap() {
            WatchEvent::Retrying { error, wait } => {
                assert!(matches!(error, Error::Throttled { .. }));
                assert!(wait >= Duration::from_secs(120), "{wait:?}");
            }
            other => panic!("expected a retry, got {other:?}"),
        }
    }
    assert_eq!(changed(&events.next().await.unwrap().unwrap()), Some("pending"));
    let waits = sleeper.waits();
    assert_eq!(waits.len(), 2);
    assert!(waits.iter().all(|w| *w >= Duration::from_secs(120)), "{waits:?}");
}

#[tokio::test]
async fn retry_after_past_the_deadline_ends_without_another_read() {
    let tenant = pending_tenant().await;
    let throttle = Fault::Throttle {
        retry_after: Duration::from_secs(7200),
    };
    tenant.set_faults(FaultPlan::none().with(FaultRule::always(Some(Operation::Snapshot), throttle)));
    let admin = tenant.as_admin();
    let app = demo::carerix_app();
    let start = tenant.clock().now();
    let options = WatchOptions::new(Arc::new(tenant.clock())).timeout(Duration::from_secs(3600));
    let events: Vec<_> = watch(&admin, &app, options).map(Result::unwrap).collect().await;
    assert!(matches!(events[0], WatchEvent::Retrying { .. }));
    assert!(matches!(events[1], WatchEvent::TimedOut { last: None, .. }), "{events:?}");
    assert_eq!(events.len(), 2);
    assert_eq!(tenant.clock().now() - start, chrono::Duration::hours(1));
}

#[tokio::test]
async fn the_deadline_ends_a_watch_that_sees_no_decision() {
    let tenant = pending_tenant().await;
    let admin = tenant.as_admin();
    let app = demo::carerix_app();
    let start = tenant.clock().now();
    let sleeper = Recording::new(tenant.clock());
    let options = WatchOptions::new(sleeper.clone()).seed(3).timeout(Duration::from_secs(3600));
    let events: Vec<_> = watch(&admin, &app, options).map(Result::unwrap).collect().await;
    assert_eq!(events.len(), 2, "{events:?}");
    assert_eq!(changed(&events[0]), Some("pending"));
    let WatchEvent::TimedOut { last: Some(last), at } = &events[1] else {
        panic!("{events:?}")
    };
    assert_eq!(last.name(), "pending");
    assert_eq!(*at - start, chrono::Duration::hours(1));
    let waits = sleeper.waits();
    assert!(
        waits.iter().all(|w| *w <= Duration::from_secs(300)),
        "never above the cap: {waits:?}"
    );
    assert!((10..=20).contains(&waits.len()), "backed off to a few reads an hour: {waits:?}");
}

#[tokio::test]
async fn an_open_request_is_read_again_right_after_it_expires() {
    let tenant = pending_tenant().await;
    let admin = tenant.as_admin();
    let app = demo::carerix_app();
    let ConsentState::Pending(p) = consent::observe(&admin, &app).await.unwrap() else {
        panic!("not pending")
    };
    let expires_at = p.details().expires_at.unwrap();
    let options = WatchOptions::new(Arc::new(tenant.clock())).intervals(Duration::from_secs(15), Duration::from_secs(86_400));
    let events: Vec<_> = watch(&admin, &app, options).map(Result::unwrap).collect().await;
    assert_eq!(changed(events.last().unwrap()), Some("expired"));
    let late = tenant.clock().now() - expires_at;
    assert!(late >= chrono::Duration::zero() && late <= chrono::Duration::seconds(2), "{late}");
}

#[tokio::test]
async fn a_refused_read_ends_the_watch_with_the_error() {
    let tenant = pending_tenant().await;
    let nobody = tenant.as_app(&[]);
    let app = demo::carerix_app();
    let events: Vec<_> = watch(&nobody, &app, WatchOptions::new(Arc::new(tenant.clock()))).collect().await;
    assert_eq!(events.len(), 1);
    assert!(matches!(events[0], Err(Error::PermissionDenied { .. })), "{events:?}");
}

#[tokio::test(start_paused = true)]
async fn on_tokio_time_the_watch_sees_an_approval_made_by_another_task_and_can_be_dropped_mid_sleep() {
    let tenant = pending_tenant().await;
    let app = demo::carerix_app();
    let approver = tenant.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_secs(100)).await;
        review(&approver, ReviewDecision::Approve).await;
    });
    let admin = tenant.as_admin();
    let started = tokio::time::Instant::now();
    let options = WatchOptions::new(Arc::new(TokioSleeper)).jitter(0.0);
    let names: Vec<_> = watch(&admin, &app, options)
        .map(|e| changed(&e.unwrap()).map(str::to_owned))
        .collect()
        .await;
    assert_eq!(names, vec![Some("pending".to_owned()), Some("approved".to_owned())]);
    // Reads at 0, 15, 45, 105 s: the first read after the approval at 100 s.
    assert_eq!(started.elapsed(), Duration::from_secs(105));

    // Cancellation: drop the stream while it sleeps; nothing is left running.
    let tenant = pending_tenant().await;
    let admin = tenant.as_admin();
    let mut events = watch(&admin, &app, WatchOptions::new(Arc::new(TokioSleeper)));
    assert!(events.next().await.is_some());
    assert!(tokio::time::timeout(Duration::from_secs(5), events.next()).await.is_err());
    drop(events);
}

#[tokio::test]
async fn huge_intervals_saturate_instead_of_panicking() {
    // `consentctl watch --interval 18446744073709551615` reaches the watch as `Duration::MAX`.
    let tenant = pending_tenant().await;
    let admin = tenant.as_admin();
    let app = demo::carerix_app();
    let options = WatchOptions::new(Arc::new(tenant.clock())).intervals(Duration::MAX, Duration::MAX);
    let events: Vec<_> = watch(&admin, &app, options).map(Result::unwrap).collect().await;
    assert_eq!(changed(events.last().unwrap()), Some("expired"), "{events:?}");
}
