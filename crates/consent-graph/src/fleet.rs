//! [`GraphFleet`]: one [`GraphBackend`] per customer tenant from one management app's credentials,
//! for [`consent::workflow::observe_many`] and [`approve_many`](consent::workflow::approve_many).
//!
//! The management app (multi-tenant, consented in every customer tenant with the read or approve
//! permissions of docs/graph-permissions.md) gets an app-only token per tenant with client
//! credentials. A tenant's backend is built each time it is asked for and dropped when its caller is
//! done with it (a fleet run holds it while it works on that tenant); what the fleet keeps per
//! tenant is only that tenant's token cache, so a run asks each tenant's token endpoint once and
//! later runs reuse the token until shortly before it expires. A kept token costs its own length
//! (Entra's are 1–2.5 KB; the emulator's 564 bytes) plus about 200 bytes of cache and map entry; caches
//! whose token went stale are forgotten as the map grows, so memory follows the tenants with a live
//! token, not every tenant ever seen.
//!
//! All tenants share one Graph client (one connection pool to the Graph host) and one token HTTP
//! client (one pool to the login host; it follows no redirects, so it is kept apart from the Graph
//! client, which follows up to two).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use consent::workflow::TenantGraphs;
use consent::{AppId, Clock, ConsentGraph, Result, SystemClock, TenantId};
use url::Url;

use crate::backend::{graph_http, GraphBackend, DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT};
use crate::endpoint::GraphEndpoint;
use crate::retry::RetryPolicy;
use crate::token::{http_client, ClientCredentials, Secret, TokenCache, DEFAULT_REFRESH_MARGIN};

/// The token caches kept before the first sweep of stale ones; later sweeps run each time the map
/// has doubled since the last one, so sweeping costs O(1) per tenant added.
const FIRST_SWEEP: usize = 1024;

/// Builds one Graph backend per tenant on demand, acting as one management app, and keeps each
/// tenant's token.
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
    /// Request timeout of the shared clients (default: the backend's). The clients carry it, so
    /// the backends and token providers built on them need not.
    timeout: Duration,
    tokens: Mutex<TokenCaches>,
    /// The clock of every token cache, shared rather than allocated per tenant.
    clock: Arc<dyn Clock>,
    /// The Graph client and the token client every tenant shares, built on first use.
    shared: Mutex<Option<(reqwest::Client, reqwest::Client)>>,
}

/// Each tenant's token cache: all a fleet keeps per tenant between the backends it builds.
#[derive(Debug)]
struct TokenCaches {
    by_tenant: HashMap<TenantId, Arc<TokenCache>>,
    /// The map's size that triggers the next sweep of stale caches.
    sweep_at: usize,
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
            timeout: DEFAULT_TIMEOUT,
            tokens: Mutex::new(TokenCaches {
                by_tenant: HashMap::new(),
                sweep_at: FIRST_SWEEP,
            }),
            clock: Arc::new(SystemClock),
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
        self.timeout = timeout;
        self
    }

    /// A backend for `tenant`, built now (cheaply: it shares the fleet's clients) around the token
    /// cache the fleet keeps for that tenant, so every backend of one tenant shares one token and
    /// one refresh. Drop it when done with the tenant.
    ///
    /// # Errors
    /// `InvalidInput` when the endpoint, authority or secret is unusable.
    pub fn backend(&self, tenant: &TenantId) -> Result<Arc<GraphBackend>> {
        let cache = self.token_cache(tenant);
        Ok(Arc::new(self.build(tenant, cache)?))
    }

    /// How many tenants the fleet keeps a token cache for (tenants whose token went stale may have
    /// been forgotten).
    pub fn cached_tenants(&self) -> usize {
        self.tokens.lock().unwrap_or_else(|p| p.into_inner()).by_tenant.len()
    }

    /// The token cache of `tenant`, made on first use. When the map has grown to its sweep mark,
    /// caches no backend uses and whose token is stale (or was never fetched) are dropped first: a
    /// forgotten tenant only asks its token endpoint again next time.
    fn token_cache(&self, tenant: &TenantId) -> Arc<TokenCache> {
        let mut caches = self.tokens.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(c) = caches.by_tenant.get(tenant) {
            return c.clone();
        }
        if caches.by_tenant.len() >= caches.sweep_at {
            caches.by_tenant.retain(|_, c| Arc::strong_count(c) > 1 || c.holds_fresh());
            caches.sweep_at = (caches.by_tenant.len() * 2).max(FIRST_SWEEP);
        }
        let cache = Arc::new(TokenCache::new(self.clock.clone(), DEFAULT_REFRESH_MARGIN));
        caches.by_tenant.insert(tenant.clone(), cache.clone());
        cache
    }

    /// The clients every tenant's backend shares (clones share one connection pool).
    fn shared(&self) -> Result<(reqwest::Client, reqwest::Client)> {
        let mut slot = self.shared.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(s) = slot.as_ref() {
            return Ok(s.clone());
        }
        let s = (
            graph_http(&self.endpoint, self.timeout, DEFAULT_CONNECT_TIMEOUT)?,
            http_client(self.timeout)?,
        );
        *slot = Some(s.clone());
        Ok(s)
    }

    fn build(&self, tenant: &TenantId, cache: Arc<TokenCache>) -> Result<GraphBackend> {
        let (graph, http) = self.shared()?;
        let mut tokens = ClientCredentials::builder(tenant.clone(), self.client_id, self.secret.clone())
            .cloud(self.endpoint.clone())
            .shared_http(http)
            .shared_cache(cache);
        if let Some(a) = &self.authority {
            tokens = tokens.authority(a.clone());
        }
        GraphBackend::builder()
            .tenant(tenant.clone())
            .token_provider(Arc::new(tokens.build()?))
            .endpoint(self.endpoint.clone())
            .retry(self.retry.clone())
            .shared_graph_http(graph)
            .build()
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
    fn backends_of_one_tenant_share_its_token_cache_and_nothing_else_is_kept() {
        let fleet = GraphFleet::new(AppId::parse("4b3c6a52-2f1d-4c7e-9a38-6f0e4d2b8c11").unwrap(), Secret::new("s3cret"));
        let a = TenantId::parse("contoso.onmicrosoft.com").unwrap();
        let b = TenantId::parse("fabrikam.onmicrosoft.com").unwrap();
        let first = fleet.backend(&a).unwrap();
        let again = fleet.backend(&a).unwrap();
        assert!(!Arc::ptr_eq(&first, &again), "a backend is built per use");
        assert!(Arc::ptr_eq(&fleet.token_cache(&a), &fleet.token_cache(&a)));
        assert_eq!(fleet.backend(&b).unwrap().tenant(), &b);
        assert_eq!(fleet.cached_tenants(), 2);
        assert!(!format!("{fleet:?}").contains("s3cret"));
    }

    #[test]
    fn stale_token_caches_are_forgotten_as_the_map_grows() {
        let fleet = GraphFleet::new(AppId::parse("4b3c6a52-2f1d-4c7e-9a38-6f0e4d2b8c11").unwrap(), Secret::new("s3cret"));
        let tenant = |i: usize| TenantId::parse(&format!("t{i}.onmicrosoft.com")).unwrap();
        // A backend in use keeps its tenant's cache through a sweep, even with no token yet.
        let held = fleet.backend(&tenant(0)).unwrap();
        for i in 1..FIRST_SWEEP {
            fleet.backend(&tenant(i)).unwrap();
        }
        assert_eq!(fleet.cached_tenants(), FIRST_SWEEP);
        // The next new tenant sweeps: none of the others fetched a token, so they go.
        fleet.backend(&tenant(FIRST_SWEEP)).unwrap();
        assert_eq!(fleet.cached_tenants(), 2);
        drop(held);
    }

    #[test]
    fn an_empty_secret_is_refused_for_the_tenant() {
        let fleet = GraphFleet::new(AppId::parse("4b3c6a52-2f1d-4c7e-9a38-6f0e4d2b8c11").unwrap(), Secret::new(""));
        let err = fleet.backend(&TenantId::parse("contoso.onmicrosoft.com").unwrap()).unwrap_err();
        assert!(matches!(err, consent::Error::InvalidInput { .. }), "{err:?}");
    }
}
