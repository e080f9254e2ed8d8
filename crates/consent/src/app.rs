//! What the client app needs: its id, name, and the permissions it requires per resource.

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::ids::AppId;
use crate::scope::{Scope, ScopeSet};

/// The client application whose consent is being handled, with the permissions it requires.
///
/// ```
/// use consent::{AppId, AppRegistration, ScopeSet};
/// let app = AppRegistration::new(
///     AppId::parse("4b3c6a52-2f1d-4c7e-9a38-6f0e4d2b8c11")?,
///     "Carerix Calendar - Production",
/// )
/// .with_delegated(
///     AppId::MICROSOFT_GRAPH,
///     ScopeSet::parse("Calendars.ReadWrite User.Read offline_access")?,
/// );
/// assert_eq!(app.delegated_scopes().to_wire(), "Calendars.ReadWrite User.Read offline_access");
/// # Ok::<(), consent::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppRegistration {
    /// The application (client) id.
    pub app_id: AppId,
    /// The name users and admins see.
    pub display_name: String,
    /// Required permissions, one entry per resource API.
    pub resources: Vec<ResourceAccess>,
}

/// The permissions an app requires on one resource API (`requiredResourceAccess`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResourceAccess {
    /// The resource's application id (Microsoft Graph: [`AppId::MICROSOFT_GRAPH`]).
    pub resource_app_id: AppId,
    /// Delegated permissions (scopes).
    pub scopes: ScopeSet,
    /// Application permissions (app role values); these always need admin consent.
    pub app_roles: Vec<Scope>,
}

impl AppRegistration {
    /// An app that requires nothing yet.
    pub fn new(app_id: AppId, display_name: impl Into<String>) -> Self {
        Self {
            app_id,
            display_name: display_name.into(),
            resources: Vec::new(),
        }
    }

    fn resource_mut(&mut self, resource_app_id: AppId) -> &mut ResourceAccess {
        if let Some(i) = self.resources.iter().position(|r| r.resource_app_id == resource_app_id) {
            return &mut self.resources[i];
        }
        self.resources.push(ResourceAccess {
            resource_app_id,
            scopes: ScopeSet::new(),
            app_roles: Vec::new(),
        });
        let last = self.resources.len() - 1;
        &mut self.resources[last]
    }

    /// Adds delegated scopes on a resource (merged with any already required).
    pub fn with_delegated(mut self, resource_app_id: AppId, scopes: ScopeSet) -> Self {
        let r = self.resource_mut(resource_app_id);
        // Both sides were validated; their union of two bounded sets only fails past 3850 chars,
        // in which case keeping the new set alone is the least surprising fallback.
        r.scopes = r.scopes.union(&scopes).unwrap_or(scopes);
        self
    }

    /// Adds application permissions (app role values) on a resource.
    pub fn with_app_roles(mut self, resource_app_id: AppId, roles: impl IntoIterator<Item = Scope>) -> Self {
        let r = self.resource_mut(resource_app_id);
        for role in roles {
            if !r.app_roles.contains(&role) {
                r.app_roles.push(role);
            }
        }
        self
    }

    /// Every delegated scope required, across resources, in order.
    pub fn delegated_scopes(&self) -> ScopeSet {
        let all = self.resources.iter().flat_map(|r| r.scopes.iter().cloned());
        ScopeSet::from_scopes(all).unwrap_or_default()
    }

    /// True when the app requires application permissions.
    pub fn needs_app_roles(&self) -> bool {
        self.resources.iter().any(|r| !r.app_roles.is_empty())
    }

    /// Checks that the app requires at least one permission.
    pub fn validate(&self) -> Result<()> {
        if self.resources.iter().all(|r| r.scopes.is_empty() && r.app_roles.is_empty()) {
            return Err(crate::Error::invalid("app", "requires no permission; add the scopes it asks for"));
        }
        Ok(())
    }
}
