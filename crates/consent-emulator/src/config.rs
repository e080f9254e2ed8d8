//! How an emulator is set up: limits, lifetimes, the seeded admin client, the apps the login pages
//! know by name.

use std::fmt;

use chrono::Duration;
use consent::{AppId, AppRegistration};

/// The largest request body accepted (Graph and login endpoints alike); larger ones get `413`.
pub const DEFAULT_BODY_LIMIT: usize = 1024 * 1024;

/// The application permissions of the seeded admin client: what `consent-graph` needs for every
/// port operation (see `docs/graph-permissions.md`).
pub const ADMIN_APP_PERMISSIONS: &[&str] = &[
    "Policy.Read.All",
    "Policy.ReadWrite.ConsentRequest",
    "ConsentRequest.Read.All",
    "Application.Read.All",
    "Application.ReadWrite.All",
    "Directory.Read.All",
    "DelegatedPermissionGrant.ReadWrite.All",
    "AppRoleAssignment.ReadWrite.All",
];

/// Settings of one emulator. `Default` is what the binary uses.
#[derive(Clone)]
pub struct EmulatorConfig {
    /// Request bodies above this many bytes get `413` (default [`DEFAULT_BODY_LIMIT`]).
    pub body_limit: usize,
    /// The seeded admin client's id; random when `None`.
    pub admin_client_id: Option<AppId>,
    /// The seeded admin client's secret; random when `None`.
    pub admin_client_secret: Option<String>,
    /// Lifetime of tokens from the token endpoint, on the tenant's clock (default 1 hour, like Entra).
    pub token_lifetime: Duration,
    /// Lifetime of authorization codes, on the tenant's clock (default 10 minutes, Microsoft Learn: "Microsoft identity platform and OAuth 2.0 authorization code flow").
    pub code_lifetime: Duration,
    /// App registrations the login pages show by name and expand `/.default` for, ahead of the apps
    /// published in the tenant (which the pages fall back to). The mock decides consent for any
    /// published app; this list only feeds the pages (default: the demo app).
    pub apps: Vec<AppRegistration>,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        Self {
            body_limit: DEFAULT_BODY_LIMIT,
            admin_client_id: None,
            admin_client_secret: None,
            token_lifetime: Duration::hours(1),
            code_lifetime: Duration::minutes(10),
            apps: vec![consent_mock::demo::carerix_app()],
        }
    }
}

impl EmulatorConfig {
    /// The registration of `app_id`, if configured.
    pub(crate) fn app(&self, app_id: &AppId) -> Option<&AppRegistration> {
        self.apps.iter().find(|a| a.app_id == *app_id)
    }
}

impl fmt::Debug for EmulatorConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmulatorConfig")
            .field("body_limit", &self.body_limit)
            .field("admin_client_id", &self.admin_client_id)
            .field("admin_client_secret", &self.admin_client_secret.as_ref().map(|_| "[redacted]"))
            .field("token_lifetime", &self.token_lifetime)
            .field("code_lifetime", &self.code_lifetime)
            .field("apps", &self.apps.iter().map(|a| a.app_id).collect::<Vec<_>>())
            .finish()
    }
}
