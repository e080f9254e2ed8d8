//! consent-graph's own cost per call, against the in-process emulator (one tenant, no latency), on a
//! current-thread runtime: `snapshot` (one `$batch` of 7 items) and `get_request_policy` (one GET).
//! Prints wall time per call; under callgrind, the inclusive instruction count of the calls' futures
//! is the load-independent figure (docs/performance.md has the commands).
//!
//! ```sh
//! cargo bench -p consent-emulator --bench graph_calls            # 2,000 calls of each
//! cargo bench -p consent-emulator --bench graph_calls -- 200      # fewer (e.g. under callgrind)
//! ```
#![allow(clippy::unwrap_used)] // a benchmark's setup failing should stop it loudly
#![allow(clippy::print_stdout)] // a bench binary reports on the terminal

use std::sync::Arc;
use std::time::Instant;

use consent::{AppId, ConsentGraph, GrantConsentType, NewDelegatedGrant, ScopeSet};
use consent_emulator::{Emulator, EmulatorConfig};
use consent_graph::{GraphBackend, GraphEndpoint, StaticToken};
use consent_mock::{demo, MockTenant, Preset};

fn main() {
    let calls: u32 = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with("--"))
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000);
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(run(calls));
}

async fn run(calls: u32) {
    let tenant = MockTenant::preset(Preset::WorkflowOn);
    let emu = Emulator::new(tenant.clone(), EmulatorConfig::default())
        .bind("127.0.0.1:0")
        .await
        .unwrap();
    // The demo app granted User.Read: the snapshot reads a client, a grant and Graph's principal.
    let admin = tenant.as_admin();
    let client = admin.create_service_principal(&demo::CARERIX_APP_ID).await.unwrap();
    let graph = admin.get_service_principal(&AppId::MICROSOFT_GRAPH).await.unwrap().unwrap();
    admin
        .create_delegated_grant(&NewDelegatedGrant {
            client_id: client.id,
            consent_type: GrantConsentType::AllPrincipals,
            principal_id: None,
            resource_id: graph.id,
            scope: ScopeSet::parse("User.Read").unwrap(),
        })
        .await
        .unwrap();
    let backend = GraphBackend::builder()
        .tenant(tenant.tenant_id())
        .token_provider(Arc::new(StaticToken::new(emu.admin_app_token())))
        .endpoint(GraphEndpoint::custom(emu.graph_url().as_str()).unwrap())
        .build()
        .unwrap();
    let resources = [AppId::MICROSOFT_GRAPH];
    // Warm the connection pool and the emulator before timing.
    backend.snapshot(&demo::CARERIX_APP_ID, &resources).await.unwrap();

    let start = Instant::now();
    for _ in 0..calls {
        backend.snapshot(&demo::CARERIX_APP_ID, &resources).await.unwrap();
    }
    let snapshot = start.elapsed() / calls;
    let start = Instant::now();
    for _ in 0..calls {
        backend.get_request_policy().await.unwrap();
    }
    let policy = start.elapsed() / calls;
    println!("{calls} calls each: snapshot {snapshot:?} per call, get_request_policy {policy:?} per call");
    emu.shutdown().await.unwrap();
}
