//! The setup the throughput and graph_calls benches share: the in-process emulator (one tenant, no
//! latency) with the demo app's service principal granted `User.Read` tenant-wide, and the real
//! backend (`consent-graph`) talking to it with an app-only token.

use std::sync::Arc;

use consent::{AppId, ConsentGraph, GrantConsentType, NewDelegatedGrant, ObjectId, ScopeSet};
use consent_emulator::{Emulator, EmulatorConfig, RunningEmulator};
use consent_graph::{GraphBackend, GraphEndpoint, StaticToken};
use consent_mock::{demo, MockTenant, Preset};

#[allow(dead_code)] // each bench reads the fields it needs
pub struct Granted {
    pub emu: RunningEmulator,
    /// The admin client's app-only token, which `backend` sends too.
    pub token: String,
    pub backend: GraphBackend,
    /// The demo app's service principal.
    pub client_sp: ObjectId,
    /// Its `User.Read` grant on Microsoft Graph.
    pub grant_id: String,
}

pub async fn granted() -> Granted {
    let tenant = MockTenant::preset(Preset::WorkflowOn);
    let emu = Emulator::new(tenant.clone(), EmulatorConfig::default())
        .bind("127.0.0.1:0")
        .await
        .unwrap();
    let token = emu.admin_app_token();
    let admin = tenant.as_admin();
    let client = admin.create_service_principal(&demo::CARERIX_APP_ID).await.unwrap();
    let graph = admin.get_service_principal(&AppId::MICROSOFT_GRAPH).await.unwrap().unwrap();
    let grant = admin
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
        .token_provider(Arc::new(StaticToken::new(token.clone())))
        .endpoint(GraphEndpoint::custom(emu.graph_url().as_str()).unwrap())
        .build()
        .unwrap();
    Granted {
        emu,
        token,
        backend,
        client_sp: client.id,
        grant_id: grant.id,
    }
}
