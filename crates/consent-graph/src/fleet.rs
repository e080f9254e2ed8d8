//! [`GraphFleet`]: one [`GraphBackend`] per customer tenant from one management app's credentials,
//! for [`consent::workflow::observe_many`] and [`approve_many`](consent::workflow::approve_many).
//!
//! The management app (multi-tenant, consented in every customer tenant with the read or approve
//! permissions of docs/graph-permissions.md) gets an app-only token per tenant with client
//! credentials. Each tenant's backend, and with it that tenant's token cache, is built on first use
//! and kept for the life of the fleet, so a run asks each tenant's token endpoint once and reuses
//! the token until shortly before it expires. All tenants share one Graph client (one connection
//! pool to the Graph host) and one token HTTP client (one pool to the login host; it follows no
//! redirects, so it is kept apart from the Graph client, which follows up to two).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use consent::workflow::TenantGraphs;
use consent::{AppId, ConsentGraph, Result, TenantId};
use url::Url;

use crate::backend::{graph_client, GraphBackend};
use crate::endpoint::GraphEndpoint;
use crate::retry::RetryPolicy;
use crate::token::{http_client, ClientCredentials, Secret};

/// Connect timeout of the shared Graph client (the backend's default).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Request timeout of the shared clients unless [`GraphFleet::timeout`] sets one (the defaults of
/// the backend and of [`ClientCredentials`]).
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// Builds and caches one Graph backend per tenant, acting as one management app.
///
/// ```no_run
/// use consent::workflow::{observe_many, FleetOptions, FleetTenant};
/// use consent::{AppId, TenantId};
/// use consent_graph::{GraphFleet, Secret};
/// use futures::StreamExt;
///
/// # async fn run(app: consent::AppRegistration, options: FleetOptions) -> consent::Result<()> {
/// let app_id = AppId::parse("4b3c6a52-2f1d-4c7e-9a38-6f0e4d2b8c11")?;
/// let fleet = GraphFleet::new(app_id, Secret::new("…"));
/// let tenants = vec![FleetTenant::new(TenantId::parse("contoso.onmicrosoft.com")?)];
/// let mut results = observe_many(&fleet, tenants, &app, options);
/// while let Some(r) = results.next().await {
///     println!("{}: {:?}", r.tenant.tenant_id, r.result.map(|s| s.name()));
/// }
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct GraphFleet {
    client_id: AppId,
    secret: Secret,
    endpoint: GraphEndpoint,
    authority: Option<Url>,
    retry: RetryPolicy,
    timeout: Option<Duration>,
    backends: Mutex<HashMap<TenantId, Arc<GraphBackend>>>,
    /// The Graph client and the token client every tenant shares, built on first use.
    shared: Mutex<Option<(graph_rs_sdk::GraphClient, reqwest::Client)>>,
}

impl GraphFleet {
    /// A fleet acting as the management app `client_id` with `secret`, on Microsoft's global cloud.
    pub fn new(client_id: AppId, secret: Secret) -> Self {
        Self {
            client_id,
            secret,
            endpoint: GraphEndpoint::Global,
            authority: None,
            retry: RetryPolicy::default(),
            timeout: None,
            backends: Mutex::new(HashMap::new()),
            shared: Mutex::new(None),
        }
    }

    /// The Graph endpoint (a national cloud, or the emulator's loopback URL).
    pub fn endpoint(mut self, endpoint: GraphEndpoint) -> Self {
        self.endpoint = endpoint;
        self
    }

    /// A login authority other than the cloud's (the emulator's `http://127.0.0.1:PORT`).
    pub fn authority(mut self, authority: Url) -> Self {
        self.authority = Some(authority);
        self
    }

    /// The retry policy of every tenant's backend. Fleet runs usually retry less per request and
    /// let [`consent::workflow::FleetOptions`] retry the whole tenant instead.
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Timeout for one HTTP request (default: the backend's).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// The backend of `tenant`, built on first use and cached (with its token).
    ///
    /// # Errors
    /// `InvalidInput` when the endpoint, authority or secret is unusable.
    pub fn backend(&self, tenant: &TenantId) -> Result<Arc<GraphBackend>> {
        let mut map = self.backends.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(b) = map.get(tenant) {
            return Ok(b.clone());
        }
        let backend = Arc::new(self.build(tenant)?);
        map.insert(tenant.clone(), backend.clone());
        Ok(backend)
    }

    /// How many tenants have a backend (and token cache) so far.
    pub fn cached_tenants(&self) -> usize {
        self.backends.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    /// The clients every tenant's backend shares (clones share one connection pool).
    fn shared(&self) -> Result<(graph_rs_sdk::GraphClient, reqwest::Client)> {
        let mut slot = self.shared.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(s) = slot.as_ref() {
            return Ok(s.clone());
        }
        let timeout = self.timeout.unwrap_or(DEFAULT_TIMEOUT);
        let s = (graph_client(&self.endpoint, timeout, CONNECT_TIMEOUT)?, http_client(timeout)?);
        *slot = Some(s.clone());
        Ok(s)
    }

    fn build(&self, tenant: &TenantId) -> Result<GraphBackend> {
        let (graph, http) = self.shared()?;
        let mut tokens = ClientCredentials::builder(tenant.clone(), self.client_id, self.secret.clone())
            .cloud(self.endpoint.clone())
            .timeout(self.timeout.unwrap_or(DEFAULT_TIMEOUT))
            .shared_http(http);
        if let Some(a) = &self.authority {
            tokens = tokens.authority(a.clone());
        }
        let mut builder = GraphBackend::builder()
            .tenant(tenant.clone())
            .token_provider(Arc::new(tokens.build()?))
            .endpoint(self.endpoint.clone())
            .retry(self.retry.clone())
            .shared_graph_client(graph);
        if let Some(t) = self.timeout {
            builder = builder.timeout(t);
        }
        builder.build()
    }
}

#[async_trait]
impl TenantGraphs for GraphFleet {
    async fn graph(&self, tenant: &TenantId) -> Result<Arc<dyn ConsentGraph>> {
        Ok(self.backend(tenant)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_backend_per_tenant_is_built_once_and_reused() {
        let fleet = GraphFleet::new(AppId::parse("4b3c6a52-2f1d-4c7e-9a38-6f0e4d2b8c11").unwrap(), Secret::new("s3cret"));
        let a = TenantId::parse("contoso.onmicrosoft.com").unwrap();
        let b = TenantId::parse("fabrikam.onmicrosoft.com").unwrap();
        let first = fleet.backend(&a).unwrap();
        assert!(Arc::ptr_eq(&first, &fleet.backend(&a).unwrap()));
        assert_eq!(fleet.backend(&b).unwrap().tenant(), &b);
        assert_eq!(fleet.cached_tenants(), 2);
        assert!(!format!("{fleet:?}").contains("s3cret"));
    }

    #[test]
    fn an_empty_secret_is_refused_for_the_tenant() {
        let fleet = GraphFleet::new(AppId::parse("4b3c6a52-2f1d-4c7e-9a38-6f0e4d2b8c11").unwrap(), Secret::new(""));
        let err = fleet.backend(&TenantId::parse("contoso.onmicrosoft.com").unwrap()).unwrap_err();
        assert!(matches!(err, consent::Error::InvalidInput { .. }), "{err:?}");
    }
}
