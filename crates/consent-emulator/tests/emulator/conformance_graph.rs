//! The whole conformance suite through the real Microsoft Graph backend (`consent-graph`) talking
//! HTTP to an emulator that serves the scenario's tenant. Scenarios needing capabilities Graph lacks
//! (submitting and reviewing requests) are skipped visibly in the printed report.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use consent::ConsentGraph;
use consent_conformance::{run_all, Actor, Harness};
use consent_emulator::{Emulator, EmulatorConfig, RunningEmulator};
use consent_graph::{GraphBackend, GraphEndpoint, RetryPolicy, StaticToken};
use consent_mock::{MockTenant, Principal};

/// One emulator per connection, each serving the scenario's tenant (clones share its state), kept
/// alive until the harness is dropped. Binding is synchronous and takes well under a millisecond.
#[derive(Default)]
struct EmulatedGraph {
    running: Mutex<Vec<RunningEmulator>>,
}

impl EmulatedGraph {
    fn principal(tenant: &MockTenant, actor: &Actor) -> Principal {
        match actor {
            Actor::Admin => Principal::User { id: tenant.admin_id() },
            Actor::User(id) => Principal::User { id: *id },
            Actor::App(permissions) => Principal::App {
                permissions: permissions.clone(),
            },
        }
    }
}

impl Harness for EmulatedGraph {
    fn name(&self) -> &str {
        "microsoft-graph via consent-emulator"
    }

    fn connect(&self, tenant: &MockTenant, actor: &Actor) -> Arc<dyn ConsentGraph> {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free loopback port");
        let emulator = Emulator::new(tenant.clone(), EmulatorConfig::default())
            .serve_on(listener)
            .expect("serve");
        let token = emulator.issue_token(&Self::principal(tenant, actor));
        let endpoint = GraphEndpoint::custom(emulator.graph_url().as_str()).expect("loopback endpoint");
        let backend = GraphBackend::builder()
            .tenant(tenant.tenant_id())
            .token_provider(Arc::new(StaticToken::new(token)))
            .endpoint(endpoint)
            .timeout(Duration::from_secs(10))
            // The emulated tenant runs on the mock's clock, as a real tenant runs on real time.
            .clock(Arc::new(tenant.clock()))
            // Injected faults answer at once; short backoffs keep the suite fast.
            .retry(RetryPolicy {
                base_backoff: Duration::from_millis(5),
                ..RetryPolicy::default()
            })
            .build()
            .expect("backend");
        self.running.lock().unwrap_or_else(|p| p.into_inner()).push(emulator);
        Arc::new(backend)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graph_backend_passes_the_conformance_suite_against_the_emulator() {
    let harness = EmulatedGraph::default();
    let report = run_all(&harness).await;
    eprintln!("{report}");
    assert!(!report.passed.is_empty(), "no scenario ran");
    report.assert_all_passed();
}
