//! Picking the backend and the acting principal from the global flags.
//!
//! - `--mock`: the tenant is loaded from the state file under an exclusive lock that is held until
//!   [`Backend::finish`] saved it, so concurrent invocations serialise. Admin commands act as the
//!   seeded Global Administrator unless `--as USER` names someone else.
//! - `--tenant`: Microsoft Graph with client credentials from `ENTRA_CLIENT_ID` /
//!   `ENTRA_CLIENT_SECRET` (the secret is read from the environment only and never printed).

use std::sync::Arc;

use consent::{ConsentGraph, Error, ObjectId, TenantId};
use consent_graph::{ClientCredentials, GraphBackend, GraphEndpoint, Secret};
use consent_mock::{MockTenant, MockUser};
use url::Url;

use crate::cli::{GlobalArgs, GraphArgs};
use crate::exit::{CliError, CliResult};
use crate::store::{MockStore, StoreLock};

/// The environment variable holding the Graph caller app's client id.
pub const ENV_CLIENT_ID: &str = "ENTRA_CLIENT_ID";
/// The environment variable holding the Graph caller app's client secret.
pub const ENV_CLIENT_SECRET: &str = "ENTRA_CLIENT_SECRET";

/// The tenant a command talks to.
#[derive(Debug)]
pub enum Backend {
    /// The local mock tenant, locked.
    Mock(MockSession),
    /// Microsoft Graph (or the emulator).
    Graph {
        /// The backend, acting as the caller app.
        graph: Arc<GraphBackend>,
        /// Whether `--as` was given (meaningless on Graph).
        as_given: bool,
    },
}

/// A loaded mock tenant with its lock and the JSON it was loaded from (to save only on change).
pub struct MockSession {
    lock: StoreLock,
    tenant: MockTenant,
    loaded: String,
    as_user: Option<String>,
}

impl std::fmt::Debug for MockSession {
    // The loaded JSON holds the mock users' passwords: keep it out of Debug.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockSession")
            .field("lock", &self.lock)
            .field("tenant", &self.tenant)
            .field("as_user", &self.as_user)
            .finish_non_exhaustive()
    }
}

impl Backend {
    /// Opens the backend the flags choose.
    pub fn open(g: &GlobalArgs) -> CliResult<Backend> {
        if g.mock {
            return Self::open_mock(g);
        }
        if g.graph.tenant.is_some() {
            return Self::open_graph(&g.graph, g.as_user.is_some());
        }
        Err(CliError::Usage(
            "choose a backend: --mock for the local mock tenant, or --tenant TENANT (with ENTRA_CLIENT_ID and ENTRA_CLIENT_SECRET) for Microsoft Graph"
                .to_owned(),
        ))
    }

    /// Opens the mock tenant whatever the flags say (the `mock` commands).
    pub fn open_mock(g: &GlobalArgs) -> CliResult<Backend> {
        let store = mock_store(g)?;
        let lock = store.lock(false)?;
        let tenant = lock.load()?;
        let loaded = tenant.to_json();
        Ok(Backend::Mock(MockSession {
            lock,
            tenant,
            loaded,
            as_user: g.as_user.clone(),
        }))
    }

    fn open_graph(a: &GraphArgs, as_given: bool) -> CliResult<Backend> {
        let tenant = parse_arg("--tenant", TenantId::parse(a.tenant.as_deref().unwrap_or_default()))?;
        let (client_id, secret) = graph_credentials()?;
        let endpoint = match (&a.graph_url, &a.login_url) {
            (Some(u), Some(_)) => parse_arg("--graph-url", GraphEndpoint::custom(u))?,
            // An emulator serves its own token endpoint; Microsoft's would not issue tokens for it.
            (Some(_), None) => {
                return Err(CliError::Usage(
                    "--graph-url needs --login-url: the emulator's token authority".to_owned(),
                ))
            }
            (None, _) => GraphEndpoint::Global,
        };
        let mut tokens = ClientCredentials::builder(tenant.clone(), client_id, secret).cloud(endpoint.clone());
        if let Some(login) = &a.login_url {
            let url = Url::parse(login).map_err(|e| CliError::Usage(format!("invalid value for --login-url: {e}")))?;
            tokens = tokens.authority(url);
        }
        let graph = GraphBackend::builder()
            .tenant(tenant)
            .token_provider(Arc::new(tokens.build()?))
            .endpoint(endpoint)
            .build()?;
        Ok(Backend::Graph {
            graph: Arc::new(graph),
            as_given,
        })
    }

    /// The mock tenant, when the backend is the mock.
    pub fn mock(&self) -> Option<&MockTenant> {
        match self {
            Backend::Mock(s) => Some(&s.tenant),
            Backend::Graph { .. } => None,
        }
    }

    /// The principal for admin commands: `--as USER` on the mock, else the seeded Global
    /// Administrator; the caller app on Graph.
    pub fn admin(&self) -> CliResult<Arc<dyn ConsentGraph>> {
        match self {
            Backend::Mock(s) => match &s.as_user {
                Some(who) => Ok(Arc::new(s.tenant.as_user(resolve_user(&s.tenant, who)?.id))),
                None => Ok(Arc::new(s.tenant.as_admin())),
            },
            Backend::Graph { as_given: true, .. } => Err(CliError::Usage(
                "--as only works with --mock; on Microsoft Graph the caller is the app in ENTRA_CLIENT_ID".to_owned(),
            )),
            Backend::Graph { graph, .. } => Ok(graph.clone()),
        }
    }

    /// The principal that plays a user or reviewer (`requests submit`, `requests deny`).
    ///
    /// On Graph this is the caller app: those operations do not exist there, and the backend's
    /// `Unsupported` error (with its hint) is what the user should see, not a complaint about `--as`.
    pub fn acting(&self, required_as: bool, command: &str) -> CliResult<Arc<dyn ConsentGraph>> {
        match self {
            Backend::Mock(s) if required_as && s.as_user.is_none() => Err(CliError::Usage(format!(
                "{command} needs --as USER (UPN or object id): the user who presses \"Request approval\""
            ))),
            Backend::Mock(_) => self.admin(),
            Backend::Graph { graph, .. } => Ok(graph.clone()),
        }
    }

    /// Ends the command: saves the mock tenant if it changed. Called whether or not the command
    /// succeeded, because a failed call may still have changed the tenant (e.g. a write whose
    /// answer was lost), and the saved state must match what the tenant did.
    pub fn finish(self) -> CliResult<()> {
        match self {
            Backend::Mock(s) if s.tenant.to_json() != s.loaded => s.lock.save(&s.tenant),
            _ => Ok(()),
        }
    }
}

/// The mock store the flags name.
pub fn mock_store(g: &GlobalArgs) -> CliResult<MockStore> {
    let path = match &g.mock_state {
        Some(p) => p.clone(),
        None => MockStore::default_path()?,
    };
    Ok(MockStore::new(path))
}

/// Finds a mock user by UPN (case-insensitive) or object id.
pub fn resolve_user(tenant: &MockTenant, who: &str) -> CliResult<MockUser> {
    let found = match ObjectId::parse(who) {
        Ok(id) => tenant.users().into_iter().find(|u| u.id == id),
        Err(_) => tenant.user_by_upn(who.trim()),
    };
    found.ok_or_else(|| {
        CliError::hinted(
            Error::not_found(format!("mock user {who:?}")),
            "give a UPN or object id from `consentctl --mock mock show`, or add one with `consentctl --mock mock add-user`",
        )
    })
}

/// Turns a library parse error on a command-line value into a usage error (exit 2) naming the flag.
pub fn parse_arg<T>(flag: &str, parsed: consent::Result<T>) -> CliResult<T> {
    parsed.map_err(|e| CliError::Usage(format!("invalid value for {flag}: {e}")))
}

fn graph_credentials() -> CliResult<(consent::AppId, Secret)> {
    let missing = || {
        CliError::Usage(format!(
            "Microsoft Graph needs {ENV_CLIENT_ID} and {ENV_CLIENT_SECRET} in the environment (the app registration's client id and secret), or use --mock"
        ))
    };
    let id = std::env::var(ENV_CLIENT_ID).map_err(|_| missing())?;
    let secret = std::env::var(ENV_CLIENT_SECRET).map_err(|_| missing())?;
    let id = parse_arg(ENV_CLIENT_ID, consent::AppId::parse(&id))?;
    Ok((id, Secret::new(secret)))
}
