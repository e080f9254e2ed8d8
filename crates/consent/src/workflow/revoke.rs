//! Revoke: the reverse of the tenant-wide grant, as "Revoke permission" on the app's Permissions
//! page (Admin consent tab) does. Removes the app's `AllPrincipals` delegated grants and the app
//! roles its service principal holds on the app's resources; users' own consents (`Principal`
//! grants) stay, as in the admin center. Afterwards the tenant falls back to whatever its settings
//! say for this app: requests enabled, requests disabled, or users consenting themselves.

use serde::{Deserialize, Serialize};

use super::observe::observe_shared;
use super::states::Approved;
use super::{Consent, ConsentState};
use crate::app::AppRegistration;
use crate::directory::GrantConsentType;
use crate::error::Result;
use fluent_bundle::FluentValue;

use crate::guidance::{Catalog, Guidance, Locale, Product};
use crate::ids::{AppId, ObjectId};
use crate::port::ConsentGraph;

/// What [`revoke_tenant_wide`] removed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevokeReport {
    /// Ids of the tenant-wide delegated grants deleted.
    pub grants_deleted: Vec<String>,
    /// Ids of the app-role assignments removed.
    pub app_role_assignments_deleted: Vec<String>,
}

impl RevokeReport {
    /// True when there was nothing to remove.
    pub fn is_noop(&self) -> bool {
        self.grants_deleted.is_empty() && self.app_role_assignments_deleted.is_empty()
    }
}

/// The result of [`Consent::<Approved>::revoke`]: what was removed and the state the tenant fell
/// back to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Revocation {
    /// What was removed.
    pub report: RevokeReport,
    /// The app's state after the revoke (read from the tenant).
    pub state: ConsentState,
}

impl Revocation {
    /// Next steps, written for `product` in `locale`: what was removed, then the steps of the state
    /// the tenant fell back to, and where an admin grants it again.
    pub fn guidance(&self, product: &Product, locale: Locale) -> Guidance {
        let app = &self.state.app().display_name;
        let c = Catalog::new(locale, product, app);
        let next = self.state.guidance(product, locale);
        if self.report.is_noop() {
            let mut g = Guidance::new(c.t("revoke-nothing"), next.summary).in_locale(locale);
            g.steps = next.steps;
            return g;
        }
        let counts = [
            ("grants", FluentValue::from(self.report.grants_deleted.len())),
            ("roles", FluentValue::from(self.report.app_role_assignments_deleted.len())),
        ];
        let mut g = Guidance::new(c.t("revoke-title"), c.t_with("revoke-summary", counts)).in_locale(locale);
        g.steps = next.steps;
        g.links = next.links;
        g.admin(c.t("revoke-admin-where"), None)
    }
}

/// Removes the app's tenant-wide consent, acting as `admin`: every `AllPrincipals` grant whose
/// client is the app's service principal, and every app-role assignment that service principal
/// holds on one of the app's resources. Idempotent: an app without tenant-wide consent costs one
/// read and removes nothing.
///
/// # Errors
/// `PermissionDenied` when `admin` may not delete grants or assignments (Microsoft Graph app roles
/// need Privileged Role Administrator or Global Administrator), `Unsupported` on a backend without
/// deletes, and backend errors. A grant or assignment deleted meanwhile by someone else (`NotFound`)
/// is not an error: it is gone, and the report lists it as removed.
pub async fn revoke_tenant_wide(admin: &dyn ConsentGraph, app: &AppRegistration) -> Result<RevokeReport> {
    let resources: Vec<AppId> = app.resources.iter().map(|r| r.resource_app_id).collect();
    let snap = admin.snapshot(&app.app_id, &resources).await?;
    let mut report = RevokeReport::default();
    let Some(client) = snap.client else {
        return Ok(report);
    };
    let resource_ids: Vec<ObjectId> = snap.resources.iter().map(|r| r.id).collect();
    for grant in snap
        .grants
        .iter()
        .filter(|g| g.client_id == client.id && g.consent_type == GrantConsentType::AllPrincipals)
    {
        match admin.delete_delegated_grant(&grant.id).await {
            Ok(()) | Err(crate::Error::NotFound { .. }) => report.grants_deleted.push(grant.id.clone()),
            Err(e) => return Err(e),
        }
    }
    for a in snap
        .app_role_assignments
        .iter()
        .filter(|a| a.principal_id == client.id && resource_ids.contains(&a.resource_id))
    {
        match admin.delete_app_role_assignment(&a.resource_id, &a.id).await {
            Ok(()) | Err(crate::Error::NotFound { .. }) => report.app_role_assignments_deleted.push(a.id.clone()),
            Err(e) => return Err(e),
        }
    }
    tracing::info!(app_id = %app.app_id, ?report, "tenant-wide consent revoked");
    Ok(report)
}

impl Consent<Approved> {
    /// Revokes the tenant-wide consent ("Revoke permission" on the app's Permissions page), acting
    /// as `admin`, and reads the state the tenant falls back to (usually `RequestsEnabled` or
    /// `RequestsDisabled`; `UserConsentAllowed` where users may consent themselves).
    ///
    /// # Errors
    /// See [`revoke_tenant_wide`].
    pub async fn revoke(self, admin: &dyn ConsentGraph) -> Result<Revocation> {
        let report = revoke_tenant_wide(admin, &self.app).await?;
        let state = observe_shared(admin, &self.app).await?;
        Ok(Revocation { report, state })
    }
}
