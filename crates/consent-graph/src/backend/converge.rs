//! Creates that survive a lost response: read back, and resend only when nothing was created.

use std::future::Future;

use consent::{AppRoleAssignment, ConsentGraph, DelegatedGrant, Error, NewAppRoleAssignment, NewDelegatedGrant, Result};
use serde::de::DeserializeOwned;

use super::GraphBackend;
use crate::request::GraphRequest;

impl GraphBackend {
    /// POSTs `req`. A plain answer (created, 409, 403, …) is returned as is. When the response was
    /// lost (`Timeout`), the create may or may not have happened, so `read_back` looks for the object:
    /// found → it is returned; absent → the POST is sent once more, and a 409 on that second POST
    /// (the first one did land, but was not visible yet) reads back again.
    pub(super) async fn create_converging<T, F, Fut>(&self, req: &GraphRequest, read_back: F) -> Result<T>
    where
        T: DeserializeOwned,
        F: Fn() -> Fut,
        Fut: Future<Output = Result<Option<T>>>,
    {
        match self.get_json(req).await {
            Err(Error::Timeout { operation, .. }) => {
                tracing::info!(operation, "response lost; reading back before resending");
                if let Some(found) = read_back().await? {
                    return Ok(found);
                }
                match self.get_json(req).await {
                    Err(conflict @ Error::Conflict { .. }) => read_back().await?.ok_or(conflict),
                    other => other,
                }
            }
            other => other,
        }
    }

    /// The grant with the same (client, resource, consent type, principal) key, if any.
    pub(super) async fn find_grant(&self, grant: &NewDelegatedGrant) -> Result<Option<DelegatedGrant>> {
        let all = self.list_delegated_grants(&grant.client_id).await?;
        Ok(all
            .into_iter()
            .find(|g| g.resource_id == grant.resource_id && g.consent_type == grant.consent_type && g.principal_id == grant.principal_id))
    }

    /// The assignment with the same (principal, resource, role) key, if any.
    pub(super) async fn find_assignment(&self, a: &NewAppRoleAssignment) -> Result<Option<AppRoleAssignment>> {
        let all = self.list_app_role_assignments(&a.principal_id).await?;
        Ok(all
            .into_iter()
            .find(|x| x.resource_id == a.resource_id && x.app_role_id == a.app_role_id))
    }
}
