//! [`GraphBackend`]: the `ConsentGraph` port over Microsoft Graph, and its builder.

mod batch;
mod converge;
mod port;
mod revoke;

use std::sync::Arc;
use std::time::Duration;

use consent::{Clock, Error, Result, SystemClock, TenantId};
use futures::FutureExt as _;
use graph_rs_sdk::http::Method;
use graph_rs_sdk::{GraphClient, GraphClientConfiguration};
use serde::de::DeserializeOwned;

use crate::endpoint::GraphEndpoint;
use crate::request::GraphRequest;
use crate::retry::RetryPolicy;
use crate::token::TokenProvider;
use crate::transport::Transport;

/// The backend's name in [`consent::Capabilities`] and [`consent::Error::Unsupported`].
pub const BACKEND_NAME: &str = "microsoft-graph";

/// The real backend: every [`consent::ConsentGraph`] operation as Microsoft Graph v1.0 calls.
///
/// Build it with [`GraphBackend::builder`]. Cloning is not offered; share it as `Arc<GraphBackend>`
/// or `Arc<dyn ConsentGraph>`.
#[derive(Debug)]
pub struct GraphBackend {
    tenant: TenantId,
    endpoint: GraphEndpoint,
    transport: Transport,
}

impl GraphBackend {
    /// Starts a builder; `tenant` and `token_provider` are required.
    pub fn builder() -> GraphBackendBuilder {
        GraphBackendBuilder::default()
    }

    /// The tenant this backend acts in.
    pub fn tenant(&self) -> &TenantId {
        &self.tenant
    }

    /// The endpoint requests go to.
    pub fn endpoint(&self) -> &GraphEndpoint {
        &self.endpoint
    }

    async fn get_json<T: DeserializeOwned>(&self, req: &GraphRequest) -> Result<T> {
        let answer = self.transport.execute(req).await?;
        crate::transport::parse_body(req, &answer.body)
    }
}

/// Configures a [`GraphBackend`]. Timeouts are on by default (30 s per request, 10 s to connect).
#[derive(Debug)]
pub struct GraphBackendBuilder {
    tenant: Option<TenantId>,
    tokens: Option<Arc<dyn TokenProvider>>,
    endpoint: GraphEndpoint,
    timeout: Duration,
    connect_timeout: Duration,
    retry: RetryPolicy,
    clock: Arc<dyn Clock>,
    max_body: usize,
    http: Option<reqwest::Client>,
}

/// The HTTP client graph-rs-sdk configures for `endpoint` (timeouts, https-only outside loopback,
/// TLS 1.2 at least, at most two redirects, `Accept: */*`), taken out of the SDK once.
///
/// The SDK hands its client out only with a built request (`build_split`). Taking it once here,
/// instead of going through `custom()` on every request, spares each request a clone of the SDK's
/// client and configuration and a new tower service; requests are then built on the client directly
/// (see transport) and carry our token.
pub(crate) fn graph_http(endpoint: &GraphEndpoint, timeout: Duration, connect_timeout: Duration) -> Result<reqwest::Client> {
    let graph = graph_client(endpoint, timeout, connect_timeout)?;
    let unusable = |detail: String| Error::backend(0, None, format!("graph-rs-sdk could not build its HTTP client: {detail}"));
    // `build` awaits only the placeholder token, a `String` the SDK hands back at once, so the
    // future is ready on its first poll; anything else is reported, not waited for.
    let built = graph
        .custom(Method::GET, None)
        .build()
        .now_or_never()
        .ok_or_else(|| unusable("building a request did not complete at once".to_owned()))?
        .map_err(|e| unusable(e.to_string()))?;
    Ok(built.build_split().0)
}

/// A graph-rs-sdk client for `endpoint`. Its token is a placeholder that is never sent: requests
/// carry our token (see transport).
fn graph_client(endpoint: &GraphEndpoint, timeout: Duration, connect_timeout: Duration) -> Result<GraphClient> {
    let base = endpoint.base_url()?;
    let mut config = GraphClientConfiguration::new()
        .access_token("placeholder-replaced-per-request")
        .timeout(timeout)
        .connect_timeout(connect_timeout);
    if endpoint.is_loopback() {
        config = config.https_only(false);
    }
    let mut graph = GraphClient::from(config);
    // `use_test_endpoint` skips the SDK's host check; ours ran in `base_url` above.
    graph.use_test_endpoint(&base);
    Ok(graph)
}

/// The default timeout of one HTTP request, body included.
pub(crate) const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// The default timeout for establishing a connection.
pub(crate) const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The default cap on one response body: Graph pages are far smaller (at most 999 objects).
pub const DEFAULT_MAX_RESPONSE_BODY: usize = 16 * 1024 * 1024;

impl Default for GraphBackendBuilder {
    fn default() -> Self {
        Self {
            tenant: None,
            tokens: None,
            endpoint: GraphEndpoint::Global,
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            retry: RetryPolicy::default(),
            clock: Arc::new(SystemClock),
            max_body: DEFAULT_MAX_RESPONSE_BODY,
            http: None,
        }
    }
}

impl GraphBackendBuilder {
    /// The tenant to act in (required).
    pub fn tenant(mut self, tenant: TenantId) -> Self {
        self.tenant = Some(tenant);
        self
    }

    /// Where tokens come from (required), e.g. [`ClientCredentials`](crate::ClientCredentials).
    pub fn token_provider(mut self, tokens: Arc<dyn TokenProvider>) -> Self {
        self.tokens = Some(tokens);
        self
    }

    /// The Graph endpoint (default: the global cloud).
    pub fn endpoint(mut self, endpoint: GraphEndpoint) -> Self {
        self.endpoint = endpoint;
        self
    }

    /// Timeout for one HTTP request, body included (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Timeout for establishing a connection (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// The retry policy (default: [`RetryPolicy::default`]).
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// The wall clock, used to read an HTTP-date `Retry-After` (default: the system clock).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The largest response body read into memory (default [`DEFAULT_MAX_RESPONSE_BODY`], 16 MiB). A
    /// larger answer is refused with a `Backend` error instead of being buffered.
    pub fn max_response_body(mut self, bytes: usize) -> Self {
        self.max_body = bytes;
        self
    }

    /// Sends over `http` (a clone shares its connection pool) instead of a client of its own. The
    /// client's own timeouts apply; it must have been built by [`graph_http`] for this endpoint.
    pub(crate) fn shared_graph_http(mut self, http: reqwest::Client) -> Self {
        self.http = Some(http);
        self
    }

    /// Validates the configuration and builds the backend. Sends nothing.
    pub fn build(self) -> Result<GraphBackend> {
        let tenant = self
            .tenant
            .ok_or_else(|| Error::invalid("tenant", "is required: call .tenant(TenantId::parse(\"…\")?)"))?;
        let tokens = self.tokens.ok_or_else(|| {
            Error::invalid(
                "token_provider",
                "is required: pass ClientCredentials, StaticToken or your own TokenProvider",
            )
        })?;
        if self.timeout.is_zero() || self.connect_timeout.is_zero() {
            return Err(Error::invalid("timeout", "must be greater than zero"));
        }
        if self.retry.max_attempts == 0 {
            return Err(Error::invalid("retry.max_attempts", "must be at least 1 (1 disables retries)"));
        }
        let base = self.endpoint.base_url()?;
        let http = match self.http {
            Some(shared) => shared,
            None => graph_http(&self.endpoint, self.timeout, self.connect_timeout)?,
        };
        tracing::debug!(%tenant, %base, "graph backend ready");
        Ok(GraphBackend {
            tenant,
            endpoint: self.endpoint,
            transport: Transport {
                http,
                base,
                tokens,
                retry: self.retry,
                clock: self.clock,
                max_body: self.max_body,
            },
        })
    }
}
