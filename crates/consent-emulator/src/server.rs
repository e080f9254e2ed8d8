//! Binding and serving: [`Emulator`] → [`RunningEmulator`], the state every route shares, and the
//! router (Graph under `/v1.0`, login pages under `/{tenant}/…`).

use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::routing::{any, get};
use axum::serve::ListenerExt as _;
use axum::Router;
use consent::{AppId, Clock, ObjectId, TenantId};
use consent_mock::{MockGraph, MockTenant, MockUser, Principal};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use url::Url;

use crate::auth::{random_token, TokenStore};
use crate::config::{EmulatorConfig, ADMIN_APP_PERMISSIONS};
use crate::login::Flows;

/// An emulator that is set up but not yet listening.
#[derive(Debug, Clone)]
pub struct Emulator {
    tenant: MockTenant,
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
    pub(crate) tenant: MockTenant,
    pub(crate) tokens: TokenStore,
    pub(crate) config: EmulatorConfig,
    pub(crate) admin: AdminClient,
    pub(crate) flows: Flows,
    /// `http://127.0.0.1:PORT/`.
    pub(crate) origin: Url,
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

    /// The port acting as `principal` on this tenant.
    pub(crate) fn graph_as(&self, principal: &Principal) -> MockGraph {
        match principal {
            Principal::User { id } => self.tenant.as_user(*id),
            Principal::App { permissions } => {
                let perms: Vec<&str> = permissions.iter().map(String::as_str).collect();
                self.tenant.as_app(&perms)
            }
        }
    }
}

impl Emulator {
    /// An emulator serving `tenant` (clones of it share state, so tests can arrange the tenant while
    /// clients talk HTTP).
    pub fn new(tenant: MockTenant, config: EmulatorConfig) -> Self {
        Self { tenant, config }
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
        let shared = Arc::new(Shared {
            tenant: self.tenant,
            tokens: TokenStore::default(),
            config: self.config,
            admin,
            flows: Flows::default(),
            origin,
        });
        let app = router(shared.clone());
        let (stop, stopped) = oneshot::channel::<()>();
        let listener = listener.tap_io(|tcp| {
            if let Err(e) = tcp.set_nodelay(true) {
                tracing::debug!("could not set TCP_NODELAY: {e}");
            }
        });
        let task = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    // A dropped sender (the RunningEmulator went away) also stops the server.
                    let _ = stopped.await;
                })
                .await
        });
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
    Router::new()
        .route("/v1.0", any(crate::graph::handle))
        .route("/v1.0/", any(crate::graph::handle))
        .route("/v1.0/{*rest}", any(crate::graph::handle))
        .route("/", get(crate::login::index))
        .merge(crate::login::routes())
        .fallback(crate::login::not_found)
        .with_state(shared)
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

    /// The tenant served.
    pub fn tenant_id(&self) -> TenantId {
        self.shared.tenant.tenant_id()
    }

    /// The tenant itself (a clone sharing state), for arranging and inspecting.
    pub fn tenant(&self) -> &MockTenant {
        &self.shared.tenant
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
        self.shared.tenant.users()
    }

    /// A bearer token acting as `principal`, without going through the token endpoint (tests).
    /// It does not expire.
    pub fn issue_token(&self, principal: &Principal) -> String {
        self.shared.tokens.issue(principal.clone(), None)
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
            "now": self.shared.tenant.clock().now().to_rfc3339(),
        })
        .to_string()
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
