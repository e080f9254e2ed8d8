//! Link health in the emulator (issue 15): what can go wrong with a linked account after consent.
//!
//! - Users' account status ([`consent_mock::AccountStatus`]: mailbox, enabled, Conditional Access
//!   block, password changed) is stored in the mock tenant; `PATCH /_emulator/users/{upn}` and
//!   [`RunningEmulator::set_account`](crate::RunningEmulator::set_account) change it,
//!   [`EmulatorConfig::accounts`](crate::EmulatorConfig::accounts) seeds it.
//! - Vendor apps' credentials live here, outside any tenant (a client secret belongs to the app's
//!   registration in its home tenant): an optional client secret the token endpoint then requires
//!   ([`EmulatorConfig::client_secrets`](crate::EmulatorConfig::client_secrets)), and whether it
//!   expired (`PATCH /_emulator/apps/{app_id}`,
//!   [`RunningEmulator::set_app_credentials`](crate::RunningEmulator::set_app_credentials)).
//!
//! The token endpoint (`login/token.rs`) and the `/me` routes (`graph/me.rs`) apply them.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::patch;
use axum::{Json, Router};
use consent::{AppId, Error};
use consent_mock::{AccountChange, AccountStatus};
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;

use crate::config::EmulatorConfig;
use crate::control::{admit, from_error, refuse, Target};
use crate::server::Shared;

/// A change to a vendor app's credentials: `PATCH /_emulator/apps/{app_id}` bodies.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppCredentialChange {
    /// `true`: the app's client secret expired (the token endpoint answers AADSTS7000222);
    /// `false`: it was renewed.
    #[serde(default)]
    pub secret_expired: Option<bool>,
    /// A new client secret the token endpoint requires from now on.
    #[serde(default)]
    pub client_secret: Option<String>,
}

/// A vendor app's credential state as the control API reports it (never the secret itself).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct AppCredentials {
    /// A client secret is registered, so code and refresh redemptions must send it.
    pub has_secret: bool,
    /// The client secret expired.
    pub secret_expired: bool,
}

#[derive(Clone, Default)]
struct VendorApp {
    secret: Option<String>,
    secret_expired: bool,
}

/// Vendor apps' credentials, shared by every tenant.
#[derive(Default)]
pub(crate) struct VendorApps {
    inner: Mutex<HashMap<AppId, VendorApp>>,
}

impl fmt::Debug for VendorApps {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VendorApps")
            .field("apps", &self.lock().len())
            .finish_non_exhaustive()
    }
}

/// Why a client's credentials were refused at the token endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CredentialProblem {
    /// A secret is registered and none was sent (AADSTS7000218).
    Missing,
    /// The secret sent is not the app's (AADSTS7000215).
    Wrong,
    /// The app's secret expired (AADSTS7000222).
    Expired,
}

impl VendorApps {
    pub(crate) fn new(config: &EmulatorConfig) -> Self {
        let apps = Self::default();
        apps.reset(config);
        apps
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<AppId, VendorApp>> {
        crate::sync::lock(&self.inner)
    }

    /// Back to the configured secrets, none expired.
    pub(crate) fn reset(&self, config: &EmulatorConfig) {
        let mut g = self.lock();
        g.clear();
        for (app, secret) in &config.client_secrets {
            g.insert(
                *app,
                VendorApp {
                    secret: Some(secret.clone()),
                    secret_expired: false,
                },
            );
        }
    }

    /// Checks the credentials a code or refresh redemption sent for `app`, in Entra's order: a
    /// wrong secret first, then an expired one. An app without a registered secret is a public
    /// client: nothing is required, but an expired secret is still reported.
    pub(crate) fn check(&self, app: AppId, sent: Option<&str>) -> Result<(), CredentialProblem> {
        let g = self.lock();
        let Some(state) = g.get(&app) else { return Ok(()) };
        if let Some(secret) = &state.secret {
            let sent = sent.ok_or(CredentialProblem::Missing)?;
            if !bool::from(sent.as_bytes().ct_eq(secret.as_bytes())) {
                return Err(CredentialProblem::Wrong);
            }
        }
        if state.secret_expired {
            return Err(CredentialProblem::Expired);
        }
        Ok(())
    }

    fn change(&self, app: AppId, change: &AppCredentialChange) -> AppCredentials {
        let mut g = self.lock();
        let state = g.entry(app).or_default();
        if let Some(e) = change.secret_expired {
            state.secret_expired = e;
        }
        if let Some(s) = &change.client_secret {
            state.secret = Some(s.clone());
        }
        AppCredentials {
            has_secret: state.secret.is_some(),
            secret_expired: state.secret_expired,
        }
    }
}

impl Shared {
    /// Changes the account of the user `upn` in the target tenant (default: the first).
    pub(crate) fn set_account(&self, target: Target, upn: &str, change: &AccountChange) -> consent::Result<AccountStatus> {
        let index = match target {
            Target::Default => 0,
            Target::One(i) => i,
        };
        let tenant = self
            .tenants
            .get(index)
            .ok_or_else(|| Error::not_found(format!("tenant #{index}")))?;
        let user = tenant.user_by_upn(upn).ok_or_else(|| Error::not_found(format!("user {upn}")))?;
        tenant.set_account_status(user.id, change)
    }

    /// Changes a vendor app's credentials. `NotFound` for an app neither configured, published in
    /// the first tenant, nor given a secret.
    pub(crate) fn set_app_credentials(&self, app: AppId, change: &AppCredentialChange) -> consent::Result<AppCredentials> {
        let known = self.config.app(&app).is_some()
            || self.config.client_secrets.iter().any(|(a, _)| *a == app)
            || self.tenants.first().published_app(&app).is_some()
            || self.tenants.first().service_principals().iter().any(|sp| sp.app_id == app);
        if !known {
            return Err(Error::not_found(format!("app {app}")));
        }
        if change.client_secret.as_deref().is_some_and(str::is_empty) {
            return Err(Error::invalid("client_secret", "must not be empty"));
        }
        Ok(self.apps.change(app, change))
    }
}

/// The control routes for link health.
pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/_emulator/users/{upn}", patch(patch_user))
        .route("/_emulator/apps/{app_id}", patch(patch_app))
}

async fn patch_user(
    State(shared): State<Arc<Shared>>,
    Path(upn): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let target = match admit(&shared, &headers, q.as_deref()) {
        Ok(t) => t,
        Err(r) => return r,
    };
    let change = match serde_json::from_slice::<AccountChange>(&body) {
        Ok(c) => c,
        Err(e) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                "badRequest",
                format!(
                    "The body must be an object with any of mailbox, enabled, conditional_access_block, password_changed (booleans): {e}."
                ),
            )
        }
    };
    match shared.set_account(target, &upn, &change) {
        Ok(status) => Json(status).into_response(),
        Err(e) => from_error(&e),
    }
}

async fn patch_app(
    State(shared): State<Arc<Shared>>,
    Path(app_id): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Err(r) = admit(&shared, &headers, q.as_deref()) {
        return r;
    }
    let Ok(app) = AppId::parse(&app_id) else {
        return refuse(StatusCode::NOT_FOUND, "notFound", format!("No app {app_id:?}: not an app id."));
    };
    let change = match serde_json::from_slice::<AppCredentialChange>(&body) {
        Ok(c) => c,
        Err(e) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                "badRequest",
                format!("The body must be an object with secret_expired (boolean) and/or client_secret (string): {e}."),
            )
        }
    };
    match shared.set_app_credentials(app, &change) {
        Ok(state) => Json(state).into_response(),
        Err(e) => from_error(&e),
    }
}
