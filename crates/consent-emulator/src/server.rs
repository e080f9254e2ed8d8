//! Binding and serving: [`Emulator`] → [`RunningEmulator`], the state every route shares, and the
//! router (Graph under `/v1.0`, login pages under `/{tenant}/…`, the control API under
//! `/_emulator/`).

use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{any, get};
use axum::Router;
use chrono::{DateTime, Utc};
use consent::{AppId, Clock, ObjectId, TenantId};
use consent_mock::{MockTenant, MockUser, Principal};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use url::Url;

use crate::auth::{random_token, TokenRecord, TokenStore};
use crate::config::{EmulatorConfig, RateLimit, ADMIN_APP_PERMISSIONS};
use crate::control::{OutboxMail, Target};
use crate::login::Flows;
use crate::tenants::Tenants;
use crate::traffic::EmulatorStats;
use crate::traffic::Traffic;

/// An emulator that is set up but not yet listening.
#[derive(Debug, Clone)]
pub struct Emulator {
    tenants: Vec<MockTenant>,
    config: EmulatorConfig,
}

/// The seeded confidential client that gets app-only tokens with [`ADMIN_APP_PERMISSIONS`].
#[derive(Clone)]
pub(crate) struct AdminClient {
    pub(crate) id: AppId,
    pub(crate) secret: String,
}

impl fmt::Debug for AdminClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AdminClient")
            .field("id", &self.id)
            .field("secret", &"[redacted]")
            .finish()
    }
}

impl AdminClient {
    pub(crate) fn principal() -> Principal {
        Principal::App {
            permissions: ADMIN_APP_PERMISSIONS.iter().map(|p| (*p).to_owned()).collect(),
        }
    }
}

/// What every route shares.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) tenants: Tenants,
    pub(crate) tokens: TokenStore,
    pub(crate) traffic: Traffic,
    pub(crate) config: EmulatorConfig,
    pub(crate) admin: AdminClient,
    pub(crate) flows: Flows,
    /// Vendor apps' client secrets and their expiry (link health).
    pub(crate) apps: crate::accounts::VendorApps,
    /// The admin center's signed-in browsers.
    pub(crate) admin_sessions: crate::admin::Sessions,
    /// `http://127.0.0.1:PORT/`.
    pub(crate) origin: Url,
    /// True when listening on a loopback address (the control API answers only then).
    pub(crate) loopback: bool,
}

impl Shared {
    /// `http://127.0.0.1:PORT/v1.0` (no trailing slash).
    pub(crate) fn graph_base(&self) -> String {
        format!("{}v1.0", self.origin)
    }

    /// The absolute URL of a Graph call on this host (for `@odata.nextLink`).
    pub(crate) fn call_url(&self, path: &str, query: Option<&str>) -> Url {
        let mut url = self.origin.clone();
        url.set_path(&format!("/v1.0{path}"));
        url.set_query(query);
        url
    }

    /// Tenant `index`'s clock time (the first tenant's for an index past the end).
    pub(crate) fn now(&self, index: usize) -> DateTime<Utc> {
        self.tenants
            .get(index)
            .unwrap_or_else(|| self.tenants.first().clone())
            .clock()
            .now()
    }

    /// The app's registration: from the emulator's configuration, else as published in `tenant`.
    pub(crate) fn registration(&self, tenant: &MockTenant, app_id: &AppId) -> Option<consent::AppRegistration> {
        self.config
            .app(app_id)
            .cloned()
            .or_else(|| tenant.published_app(app_id).map(|p| p.registration))
    }

    /// A bearer token for `principal` in tenant `tenant`, asked for by `client`.
    pub(crate) fn issue_token(&self, tenant: usize, client: AppId, principal: Principal, expires_at: Option<DateTime<Utc>>) -> String {
        let record = TokenRecord {
            principal,
            tenant,
            client,
            expires_at,
            scopes: None,
        };
        self.tokens.issue(record)
    }

    /// A delegated bearer token for `user` carrying `scopes` (its `scp`), from the token endpoint.
    pub(crate) fn issue_delegated_token(
        &self,
        tenant: usize,
        client: AppId,
        user: ObjectId,
        scopes: Vec<String>,
        expires_at: DateTime<Utc>,
    ) -> String {
        self.tokens.issue(TokenRecord {
            principal: Principal::User { id: user },
            tenant,
            client,
            expires_at: Some(expires_at),
            scopes: Some(scopes),
        })
    }
}

impl Emulator {
    /// An emulator serving `tenant` (clones of it share state, so tests can arrange the tenant while
    /// clients talk HTTP).
    pub fn new(tenant: MockTenant, config: EmulatorConfig) -> Self {
        Self {
            tenants: vec![tenant],
            config,
        }
    }

    /// An emulator serving several given tenants, in order, each under its own id (arrange them
    /// differently, e.g. with [`MockTenant::fork_as`]). If `config.tenants` asks for more, the rest
    /// are copies of the first as it was at start.
    ///
    /// # Errors
    /// `InvalidInput` when `tenants` is empty or two of them share a tenant id.
    pub fn with_tenants(tenants: Vec<MockTenant>, config: EmulatorConfig) -> consent::Result<Self> {
        // Validate now, so that `bind` cannot fail on it later.
        Tenants::check(&tenants, config.tenants)?;
        Ok(Self { tenants, config })
    }

    /// Listens on `addr` (e.g. `127.0.0.1:0` for a free port) and starts serving in the background.
    ///
    /// Every accepted connection has `TCP_NODELAY` set, so small responses are not held back ~40 ms
    /// by Nagle's algorithm waiting for the client's delayed ACK.
    pub async fn bind(self, addr: &str) -> std::io::Result<RunningEmulator> {
        let listener = TcpListener::bind(addr).await?;
        self.start(listener)
    }

    /// Serves on an already bound listener, without `.await` (for synchronous callers such as a
    /// conformance harness's `connect`). Must be called inside a Tokio runtime.
    pub fn serve_on(self, listener: std::net::TcpListener) -> std::io::Result<RunningEmulator> {
        listener.set_nonblocking(true)?;
        self.start(TcpListener::from_std(listener)?)
    }

    fn start(self, listener: TcpListener) -> std::io::Result<RunningEmulator> {
        let local = listener.local_addr()?;
        let origin = Url::parse(&format!("http://{local}/")).map_err(std::io::Error::other)?;
        let admin = AdminClient {
            id: self.config.admin_client_id.unwrap_or_else(AppId::new_random),
            secret: self.config.admin_client_secret.clone().unwrap_or_else(|| random_token("emu~")),
        };
        for tenant in &self.tenants {
            for (upn, change) in &self.config.accounts {
                let user = tenant.user_by_upn(upn).ok_or_else(|| {
                    std::io::Error::new(std::io::ErrorKind::InvalidInput, format!("EmulatorConfig::accounts: no user {upn}"))
                })?;
                tenant.set_account_status(user.id, change).map_err(std::io::Error::other)?;
            }
        }
        let shared = Arc::new(Shared {
            apps: crate::accounts::VendorApps::new(&self.config),
            tenants: Tenants::new(self.tenants, self.config.tenants).map_err(std::io::Error::other)?,
            tokens: TokenStore::default(),
            traffic: Traffic::new(self.config.rate_limit),
            config: self.config,
            admin,
            flows: Flows::default(),
            admin_sessions: crate::admin::Sessions::default(),
            origin,
            loopback: local.ip().is_loopback(),
        });
        let app = router(shared.clone());
        let (stop, stopped) = oneshot::channel::<()>();
        let limits = crate::listen::Limits {
            max_connections: shared.config.max_connections,
            header_read_timeout: shared.config.header_read_timeout,
        };
        // A dropped sender (the RunningEmulator went away) also stops the server.
        let task = tokio::spawn(crate::listen::serve(listener, app, limits, stopped));
        tracing::info!(%local, "consent emulator listening");
        Ok(RunningEmulator {
            shared,
            local,
            stop: Some(stop),
            task: Some(task),
        })
    }
}

fn router(shared: Arc<Shared>) -> Router {
    let served = Router::new()
        .route("/v1.0", any(crate::graph::handle))
        .route("/v1.0/", any(crate::graph::handle))
        .route("/v1.0/{*rest}", any(crate::graph::handle))
        .route("/", get(crate::login::index))
        .merge(crate::login::routes())
        .merge(crate::admin::routes())
        .fallback(crate::login::not_found)
        .layer(middleware::from_fn_with_state(shared.clone(), observe));
    // The control API is neither counted nor delayed: a test suite reading stats must not change them.
    crate::control::routes()
        .merge(crate::accounts::routes())
        .merge(served)
        .with_state(shared)
}

/// Counts every answered request for the stats, delays Graph and token answers by `--latency`, and
/// gives every answer a `request-id` (Graph's handler sets its own, equal to the error body's).
async fn observe(State(shared): State<Arc<Shared>>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let delayed = path == "/v1.0" || path.starts_with("/v1.0/") || path.ends_with("/oauth2/v2.0/token");
    if let (true, Some(latency)) = (delayed, shared.config.latency) {
        tokio::time::sleep(latency.sample()).await;
    }
    let mut response = next.run(req).await;
    shared.traffic.record(response.status().as_u16());
    if !response.headers().contains_key("request-id") {
        if let Ok(id) = axum::http::HeaderValue::from_str(&uuid::Uuid::new_v4().to_string()) {
            response.headers_mut().insert("request-id", id);
        }
    }
    response
}

/// A listening emulator. Dropping it (or [`shutdown`](Self::shutdown)) stops the server.
pub struct RunningEmulator {
    shared: Arc<Shared>,
    local: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

impl fmt::Debug for RunningEmulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RunningEmulator")
            .field("local_addr", &self.local)
            .field("tenant_id", &self.tenant_id())
            .field("tenants", &self.shared.tenants.len())
            .field("admin_client_id", &self.shared.admin.id)
            .field("admin_client_secret", &"[redacted]")
            .finish_non_exhaustive()
    }
}

impl RunningEmulator {
    /// The socket the emulator listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.local
    }

    /// The Graph base URL, `http://127.0.0.1:PORT/v1.0`.
    pub fn graph_url(&self) -> Url {
        // The origin is an http URL with a host, so appending a path segment always parses.
        self.shared.origin.join("v1.0").unwrap_or_else(|_| self.shared.origin.clone())
    }

    /// The login authority, `http://127.0.0.1:PORT` (authorize, admin consent, token endpoints live
    /// under `/{tenant}/…` below it).
    pub fn login_url(&self) -> Url {
        self.shared.origin.clone()
    }

    /// The first tenant's id (the tenant given to [`Emulator::new`]).
    pub fn tenant_id(&self) -> TenantId {
        self.shared.tenants.first().tenant_id()
    }

    /// The first tenant itself (a clone sharing state), for arranging and inspecting.
    pub fn tenant(&self) -> &MockTenant {
        self.shared.tenants.first()
    }

    /// Every served tenant's id, in order (`EmulatorConfig::tenants` of them; the first is
    /// [`tenant_id`](Self::tenant_id)).
    pub fn tenant_ids(&self) -> Vec<TenantId> {
        self.shared.tenants.ids().to_vec()
    }

    /// A served tenant (sharing state with what the emulator serves), built if it was not yet;
    /// `None` for a tenant this emulator does not serve.
    pub fn tenant_by_id(&self, tenant: &TenantId) -> Option<MockTenant> {
        self.index(Some(tenant)).and_then(|i| self.shared.tenants.get(i))
    }

    /// How many tenants have been built so far (extra tenants are built on first use).
    pub fn built_tenants(&self) -> usize {
        self.shared.tenants.built()
    }

    fn index(&self, tenant: Option<&TenantId>) -> Option<usize> {
        match tenant {
            None => Some(0),
            Some(t) => self.shared.tenants.index_of(&t.to_string()),
        }
    }

    /// The seeded admin client's id (client credentials → app-only token).
    pub fn admin_client_id(&self) -> AppId {
        self.shared.admin.id
    }

    /// The seeded admin client's secret. Handle it as a secret: it is printed only in the startup line.
    pub fn admin_client_secret(&self) -> &str {
        &self.shared.admin.secret
    }

    /// The app the login pages are set up for (the first configured app; the demo app by default).
    pub fn app_id(&self) -> Option<AppId> {
        self.shared.config.apps.first().map(|a| a.app_id)
    }

    /// The tenant's users, with their passwords for the sign-in page.
    pub fn users(&self) -> Vec<MockUser> {
        self.tenant().users()
    }

    /// A bearer token acting as `principal` in the first tenant, without going through the token
    /// endpoint (tests). It does not expire. Its client app (the `--rate-limit` key) is the admin
    /// client.
    pub fn issue_token(&self, principal: &Principal) -> String {
        self.shared.issue_token(0, self.shared.admin.id, principal.clone(), None)
    }

    /// Like [`issue_token`](Self::issue_token), in tenant `tenant`; `None` for a tenant this
    /// emulator does not serve.
    pub fn issue_token_in(&self, tenant: &TenantId, principal: &Principal) -> Option<String> {
        let index = self.index(Some(tenant))?;
        Some(self.shared.issue_token(index, self.shared.admin.id, principal.clone(), None))
    }

    /// A bearer token for `user` (see [`issue_token`](Self::issue_token)).
    pub fn user_token(&self, user: ObjectId) -> String {
        self.issue_token(&Principal::User { id: user })
    }

    /// A bearer token with the admin client's application permissions.
    pub fn admin_app_token(&self) -> String {
        self.issue_token(&AdminClient::principal())
    }

    /// The one JSON line the binary prints on start (contains the admin secret and user passwords).
    pub fn startup_line(&self) -> String {
        let users: Vec<serde_json::Value> = self
            .users()
            .iter()
            .map(|u| {
                serde_json::json!({
                    "id": u.id.to_string(), "upn": u.upn, "password": u.password,
                    "roles": u.roles.iter().map(|r| r.display_name()).collect::<Vec<_>>(),
                })
            })
            .collect();
        serde_json::json!({
            "graph_url": self.graph_url().as_str(),
            "login_url": self.login_url().as_str().trim_end_matches('/'),
            "tenant_id": self.tenant_id().to_string(),
            "admin_client_id": self.admin_client_id().to_string(),
            "admin_client_secret": self.admin_client_secret(),
            "app_id": self.app_id().map(|a| a.to_string()),
            "users": users,
            "now": self.tenant().clock().now().to_rfc3339(),
            "tenants": self.shared.tenants.ids().iter().map(ToString::to_string).collect::<Vec<_>>(),
        })
        .to_string()
    }

    // ---- the control API, as methods (see `docs/emulator.md`, "Control API") -------------------

    /// Moves the clock forward: every tenant's (`tenant: None`) or one tenant's. Returns that
    /// tenant's (or the first tenant's) time afterwards.
    ///
    /// # Errors
    /// `InvalidInput` for a negative step or one over 100 years; `NotFound` for a tenant not served.
    pub fn advance_clock(&self, by: chrono::Duration, tenant: Option<&TenantId>) -> consent::Result<DateTime<Utc>> {
        self.shared.advance_clock(self.target(tenant)?, by.num_seconds())
    }

    /// The emails a tenant (default: the first) sent, oldest first.
    ///
    /// # Errors
    /// `NotFound` for a tenant not served.
    pub fn outbox(&self, tenant: Option<&TenantId>) -> consent::Result<Vec<OutboxMail>> {
        self.shared.outbox_of(self.target(tenant)?)
    }

    /// Requests answered, by status, throttled and early retries, since start or the last reset.
    pub fn stats(&self) -> EmulatorStats {
        self.shared.traffic.stats()
    }

    /// Every tenant back to its starting state, statistics to zero and rate-limit buckets full
    /// (`tenant: None`); or one tenant back to its starting state. Tokens stay valid.
    ///
    /// # Errors
    /// `NotFound` for a tenant not served.
    pub fn reset(&self, tenant: Option<&TenantId>) -> consent::Result<()> {
        self.shared.reset_to_preset(self.target(tenant)?)
    }

    /// A tenant's state (default: the first) as `MockTenant::to_json` writes it — the format
    /// `consentctl` stores.
    ///
    /// # Errors
    /// `NotFound` for a tenant not served.
    pub fn state(&self, tenant: Option<&TenantId>) -> consent::Result<String> {
        self.shared.state_of(self.target(tenant)?)
    }

    /// Loads a saved tenant into one tenant, or into every tenant (`None`); each keeps its own
    /// tenant id, and the clock resumes at the saved time.
    ///
    /// # Errors
    /// `InvalidInput` when `json` is not a saved tenant; `NotFound` for a tenant not served.
    pub fn load_state(&self, json: &str, tenant: Option<&TenantId>) -> consent::Result<()> {
        self.shared.load_state(self.target(tenant)?, json)
    }

    /// Changes a user's account status (link health: mailbox, enabled, Conditional Access block,
    /// password changed) in one tenant, or the first (`None`); returns the new status. Same as
    /// `PATCH /_emulator/users/{upn}`.
    ///
    /// # Errors
    /// `NotFound` for an unknown user or a tenant not served.
    pub fn set_account(
        &self,
        upn: &str,
        change: &consent_mock::AccountChange,
        tenant: Option<&TenantId>,
    ) -> consent::Result<consent_mock::AccountStatus> {
        self.shared.set_account(self.target(tenant)?, upn, change)
    }

    /// Changes a vendor app's credentials (an expired client secret, a new secret). Same as
    /// `PATCH /_emulator/apps/{app_id}`.
    ///
    /// # Errors
    /// `NotFound` for an app the emulator does not know; `InvalidInput` for an empty secret.
    pub fn set_app_credentials(&self, app: AppId, change: &crate::AppCredentialChange) -> consent::Result<crate::AppCredentials> {
        self.shared.set_app_credentials(app, change)
    }

    /// The `--rate-limit` of one tenant, or the first (`None`). Same as `GET /_emulator/rate-limit`.
    ///
    /// # Errors
    /// `NotFound` for a tenant not served.
    pub fn rate_limit(&self, tenant: Option<&TenantId>) -> consent::Result<Option<RateLimit>> {
        Ok(self.shared.rate_limit_of(self.target(tenant)?))
    }

    /// Sets the rate limit of one tenant (e.g. one customer tenant that throttles in a fleet test),
    /// or of every tenant (`tenant: None`, which drops per-tenant limits); `limit: None` lifts it.
    /// The affected buckets start full. A full [`reset`](Self::reset) returns to
    /// `EmulatorConfig::rate_limit`. Same as `PUT /_emulator/rate-limit`.
    ///
    /// # Errors
    /// `NotFound` for a tenant not served.
    pub fn set_rate_limit(&self, limit: Option<RateLimit>, tenant: Option<&TenantId>) -> consent::Result<()> {
        self.shared.set_rate_limit(self.target(tenant)?, limit);
        Ok(())
    }

    fn target(&self, tenant: Option<&TenantId>) -> consent::Result<Target> {
        let raw = tenant.map(ToString::to_string);
        self.shared
            .target_of(raw.as_deref())
            .ok_or_else(|| consent::Error::not_found(format!("tenant {}", raw.unwrap_or_default())))
    }

    /// Stops accepting connections, lets in-flight requests finish, and waits for the server.
    pub async fn shutdown(mut self) -> std::io::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match self.task.take() {
            Some(task) => task.await.map_err(std::io::Error::other)?,
            None => Ok(()),
        }
    }
}
