//! The default, call-by-call implementation of [`ConsentGraph::snapshot`].

use crate::error::Result;
use crate::ids::AppId;
use crate::port::{ConsentGraph, RequestFilter, TenantSnapshot};

/// Reads a [`TenantSnapshot`] with one call per object.
pub async fn read_sequentially<G: ConsentGraph + ?Sized>(graph: &G, app_id: &AppId, resources: &[AppId]) -> Result<TenantSnapshot> {
    let request_policy = graph.get_request_policy().await?;
    let authorization_policy = graph.get_authorization_policy().await?;
    let client = graph.get_service_principal(app_id).await?;
    let mut found = Vec::new();
    for r in resources {
        if let Some(sp) = graph.get_service_principal(r).await? {
            found.push(sp);
        }
    }
    let (grants, app_role_assignments) = match &client {
        Some(sp) => (
            graph.list_delegated_grants(&sp.id).await?,
            graph.list_app_role_assignments(&sp.id).await?,
        ),
        None => (Vec::new(), Vec::new()),
    };
    let filter = RequestFilter {
        app_id: Some(*app_id),
        pending_only: false,
    };
    let mut requests = graph.list_app_consent_requests(&filter).await?;
    for r in &mut requests {
        r.user_consent_requests = graph.list_user_consent_requests(&r.id).await?;
    }
    Ok(TenantSnapshot {
        request_policy,
        authorization_policy,
        client,
        resources: found,
        grants,
        app_role_assignments,
        requests,
    })
}
