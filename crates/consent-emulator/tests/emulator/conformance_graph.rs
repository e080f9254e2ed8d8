//! The whole conformance suite through the real Microsoft Graph backend (`consent-graph`) talking
//! HTTP to an emulator that serves the scenario's tenant: as its only tenant (`--tenants 1`), and
//! as the second of three tenants (`--tenants 3`, the token bound to the second). Scenarios needing
//! capabilities Graph lacks (submitting and reviewing requests) are skipped visibly in the report.

use std::sync::{Arc, Mutex};

use consent::{ConsentGraph, TenantId};
use consent_conformance::{run_all, Actor, Harness};
use consent_emulator::{Emulator, EmulatorConfig, RunningEmulator};
use consent_mock::{MockTenant, Preset, Principal};

use crate::common::graph_backend;

/// Where the scenario's tenant sits among the emulator's tenants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Position {
    /// The only tenant (`--tenants 1`).
    Only,
    /// The second of three (`--tenants 3`): a differently configured tenant first, a copy of it third.
    SecondOfThree,
}

/// One emulator per connection, each serving the scenario's tenant (clones share its state), kept
/// alive until the harness is dropped. Binding is synchronous and takes well under a millisecond.
struct EmulatedGraph {
    position: Position,
    running: Mutex<Vec<RunningEmulator>>,
}

impl EmulatedGraph {
    fn new(position: Position) -> Self {
        Self {
            position,
            running: Mutex::new(Vec::new()),
        }
    }

    fn emulator(&self, tenant: &MockTenant) -> Emulator {
        match self.position {
            Position::Only => Emulator::new(tenant.clone(), EmulatorConfig::default()),
            Position::SecondOfThree => {
                let other = TenantId::parse("0f0f0f0f-1111-4222-8333-444444444444").expect("a GUID");
                let first = MockTenant::preset(Preset::MicrosoftManaged).fork_as(other);
                let config = EmulatorConfig {
                    tenants: 3,
                    ..EmulatorConfig::default()
                };
                Emulator::with_tenants(vec![first, tenant.clone()], config).expect("distinct tenants")
            }
        }
    }
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
        let emulator = self.emulator(tenant).serve_on(listener).expect("serve");
        let token = emulator
            .issue_token_in(&tenant.tenant_id(), &Self::principal(tenant, actor))
            .expect("the scenario's tenant is served");
        let backend = graph_backend(&emulator, token, tenant);
        self.running.lock().unwrap_or_else(|p| p.into_inner()).push(emulator);
        Arc::new(backend)
    }
}

/// Runs every conformance scenario with the scenario's tenant at `position`; all must pass.
#[allow(clippy::print_stderr)] // the report, shown for a failure or with --nocapture
async fn passes_at(position: Position) {
    let report = run_all(&EmulatedGraph::new(position)).await;
    eprintln!("{report}");
    assert!(!report.passed.is_empty(), "no scenario ran");
    report.assert_all_passed();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graph_backend_passes_the_conformance_suite_against_the_emulator() {
    passes_at(Position::Only).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graph_backend_passes_the_conformance_suite_against_the_second_of_three_tenants() {
    passes_at(Position::SecondOfThree).await;
}
