//! Prints the fault matrix (every write the approve recipe makes × every fault the service has) as
//! Markdown tables: on the mock backend, then through the Microsoft Graph backend (`consent-graph`)
//! over HTTP against the emulator serving the same tenant. Exits 1 if any cell broke its guarantee.
//!
//! `cargo run -p consent-emulator --example fault_matrix`
#![allow(clippy::print_stdout, clippy::print_stderr)] // printing the tables is the point

use std::sync::{Arc, Mutex};
use std::time::Duration;

use consent::ConsentGraph;
use consent_conformance::matrix::{run_matrix, Matrix};
use consent_conformance::{Actor, Harness, MockHarness};
use consent_emulator::{Emulator, EmulatorConfig, RunningEmulator};
use consent_graph::{GraphBackend, GraphEndpoint, RetryPolicy, StaticToken};
use consent_mock::{MockTenant, Principal};

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let mock = run_matrix(&MockHarness).await;
    let graph = run_matrix(&EmulatedGraph::default()).await;
    let mut failed = false;
    for m in [&mock, &graph] {
        println!("On `{}`:\n\n{}", m.backend, m.to_markdown());
        failed |= report_failures(m);
    }
    if failed {
        std::process::exit(1);
    }
}

fn report_failures(m: &Matrix) -> bool {
    let failures = m.failures();
    for c in &failures {
        eprintln!("{}: {} × {}: {:?} (fired: {})", m.backend, c.operation, c.fault, c.outcome, c.fired);
    }
    !failures.is_empty()
}

/// One emulator per connection, each serving the cell's tenant (clones share its state).
#[derive(Default)]
struct EmulatedGraph {
    running: Mutex<Vec<RunningEmulator>>,
}

impl Harness for EmulatedGraph {
    fn name(&self) -> &str {
        "microsoft-graph via consent-emulator"
    }

    fn connect(&self, tenant: &MockTenant, actor: &Actor) -> Arc<dyn ConsentGraph> {
        let principal = match actor {
            Actor::Admin => Principal::User { id: tenant.admin_id() },
            Actor::User(id) => Principal::User { id: *id },
            Actor::App(permissions) => Principal::App {
                permissions: permissions.clone(),
            },
        };
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free loopback port");
        let emulator = Emulator::new(tenant.clone(), EmulatorConfig::default())
            .serve_on(listener)
            .expect("serve the emulator");
        let token = emulator.issue_token(&principal);
        let endpoint = GraphEndpoint::custom(emulator.graph_url().as_str()).expect("loopback endpoint");
        let backend = GraphBackend::builder()
            .tenant(tenant.tenant_id())
            .token_provider(Arc::new(StaticToken::new(token)))
            .endpoint(endpoint)
            .timeout(Duration::from_secs(10))
            .clock(Arc::new(tenant.clock()))
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
