//! The port is object-safe: backends are used as `Arc<dyn ConsentGraph>`, can be decorated by
//! another `dyn` implementation, and the workflow's futures over them can move between threads.

use std::sync::{Arc, Mutex};

use consent::{observe, ConsentGraph, ConsentState};
use consent_conformance::{run, scenarios, Actor, Harness, Interleaving, MockHarness};
use consent_mock::{demo, MockTenant, Preset};

fn assert_send_sync<T: Send + Sync + ?Sized>() {}

/// Hands out mock connections wrapped twice in `dyn`: the mock behind `Arc<dyn ConsentGraph>`,
/// inside an [`Interleaving`] decorator, itself behind `Arc<dyn ConsentGraph>`.
#[derive(Default)]
struct DecoratedHarness {
    handed_out: Mutex<Vec<Interleaving>>,
}

impl DecoratedHarness {
    fn calls(&self) -> usize {
        self.handed_out.lock().map(|v| v.iter().map(Interleaving::calls).sum()).unwrap_or(0)
    }
}

impl Harness for DecoratedHarness {
    fn name(&self) -> &str {
        "mock behind dyn decorators"
    }

    fn connect(&self, tenant: &MockTenant, actor: &Actor) -> Arc<dyn ConsentGraph> {
        let wrapped = Interleaving::new(MockHarness.connect(tenant, actor));
        if let Ok(mut v) = self.handed_out.lock() {
            v.push(wrapped.clone());
        }
        Arc::new(wrapped)
    }
}

#[tokio::test]
async fn the_suite_passes_through_dyn_decorators() {
    assert_send_sync::<Arc<dyn ConsentGraph>>();
    let harness = DecoratedHarness::default();
    let lifecycle = scenarios()
        .into_iter()
        .filter(|s| matches!(s.group, "lifecycle" | "grants" | "stale"));
    let report = run(&harness, lifecycle).await;
    println!("{report}");
    report.assert_all_passed();
    assert!(report.passed.len() >= 10, "{report}");
    assert!(harness.calls() > 0, "no call went through the decorators");
}

#[tokio::test]
async fn workflow_futures_over_dyn_run_on_another_task() {
    let tenant = MockTenant::preset(Preset::UserConsentDisabled);
    let graph: Arc<dyn ConsentGraph> = Arc::new(tenant.as_admin());
    let app = demo::carerix_app();
    let state = tokio::spawn(async move { observe(&*graph, &app).await })
        .await
        .expect("the task ran to completion")
        .expect("observe succeeds for the Global Administrator");
    assert!(matches!(state, ConsentState::RequestsDisabled(_)), "{}", state.name());
}
