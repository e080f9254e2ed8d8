//! Scope preflight: what will go wrong with a set of scopes before any user clicks "Link calendar".
//!
//! Checks the requested scopes against the app's registered (static) permissions and against the
//! resource's published permissions, so a vendor learns before release that a scope does not exist
//! (AADSTS650053), needs an admin in every tenant, or is one Microsoft's managed policy restricts.

use serde::{Deserialize, Serialize};

use crate::app::AppRegistration;
use crate::decision::MICROSOFT_MANAGED_RESTRICTED;
use crate::directory::{PermissionConsentType, ServicePrincipal};
use crate::ids::AppId;
use crate::scope::{Scope, ScopeSet};

/// Resource-URI prefixes under which Microsoft Graph's scopes may be written, per cloud.
const GRAPH_PREFIXES: &[&str] = &[
    "https://graph.microsoft.com/",
    "https://graph.microsoft.us/",
    "https://microsoftgraph.chinacloudapi.cn/",
    "00000003-0000-0000-c000-000000000000/",
];

/// The findings of [`preflight`]. A scope may appear in several lists (say, not registered *and*
/// admin-only); `ok` holds the scopes that appear in none.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreflightReport {
    /// Nothing to worry about.
    pub ok: ScopeSet,
    /// Requested but not in the app's registered permissions: consented dynamically. Admin-consent
    /// buttons and `/.default` only know the registered set, so a reviewer would see two requests and
    /// a portal approval would not cover these.
    pub not_registered: ScopeSet,
    /// Not offered (or disabled) by the resource: Microsoft answers AADSTS650053.
    pub unknown: ScopeSet,
    /// Flagged admin-only by the resource: every tenant needs an admin.
    pub admin_only: ScopeSet,
    /// Restricted for third-party apps by the Microsoft-managed default policy
    /// ([`MICROSOFT_MANAGED_RESTRICTED`]): most tenants will need an admin.
    pub restricted_by_microsoft_managed: ScopeSet,
    /// Scopes of another resource, which this catalog cannot judge.
    pub other_resource: ScopeSet,
}

impl PreflightReport {
    /// True when no list but `ok` has an entry.
    pub fn is_clean(&self) -> bool {
        [
            &self.not_registered,
            &self.unknown,
            &self.admin_only,
            &self.restricted_by_microsoft_managed,
            &self.other_resource,
        ]
        .iter()
        .all(|s| s.is_empty())
    }

    /// True when sign-in will fail in every tenant (a scope does not exist).
    pub fn blocks_sign_in(&self) -> bool {
        !self.unknown.is_empty()
    }

    /// True when at least some tenants will need an admin to approve.
    pub fn needs_admin_somewhere(&self) -> bool {
        !self.admin_only.is_empty() || !self.restricted_by_microsoft_managed.is_empty()
    }

    /// One line per finding, for logs, CI checks and the CLI.
    pub fn findings(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut add = |set: &ScopeSet, what: &str| {
            if !set.is_empty() {
                out.push(format!("{}: {what}", set.to_wire()));
            }
        };
        add(
            &self.unknown,
            "not offered by the resource; Microsoft will refuse the sign-in (AADSTS650053)",
        );
        add(&self.admin_only, "admin-only; every tenant needs an administrator to approve");
        add(
            &self.restricted_by_microsoft_managed,
            "restricted by Microsoft's managed consent policy; most tenants need an administrator",
        );
        add(
            &self.not_registered,
            "not in the app registration; register them so admin consent covers them (else reviewers see two requests)",
        );
        add(
            &self.other_resource,
            "belong to another resource; check them against that resource's catalog",
        );
        out
    }
}

/// Checks `requested` against the app's registered permissions on `resource_catalog`'s API and the
/// permissions that API publishes.
///
/// Scopes may be bare (`Calendars.ReadWrite`, meaning Microsoft Graph) or resource-qualified
/// (`https://graph.microsoft.com/Calendars.ReadWrite`). `…/.default` stands for the app's registered
/// scopes on the resource, which are checked in its place. OpenID Connect scopes (`openid`,
/// `profile`, `email`, `offline_access`) are always fine.
pub fn preflight(requested: &ScopeSet, app: &AppRegistration, resource_catalog: &ServicePrincipal) -> PreflightReport {
    let registered = registered_scopes(app, resource_catalog.app_id);
    let mut report = PreflightReport::default();
    for scope in requested {
        match local_name(scope, resource_catalog.app_id) {
            None => push(&mut report.other_resource, scope),
            Some(".default") => {
                for s in &registered {
                    classify(&mut report, s, s.as_str(), &registered, resource_catalog);
                }
            }
            Some(name) => classify(&mut report, scope, name, &registered, resource_catalog),
        }
    }
    report
}

fn classify(report: &mut PreflightReport, scope: &Scope, name: &str, registered: &ScopeSet, resource: &ServicePrincipal) {
    let Ok(bare) = Scope::parse(name) else {
        return push(&mut report.unknown, scope);
    };
    if bare.is_oidc() {
        return push(&mut report.ok, scope);
    }
    let mut flagged = false;
    let mut flag = |set: &mut ScopeSet| {
        flagged = true;
        push(set, scope);
    };
    match resource.scope(&bare).filter(|p| p.is_enabled) {
        None => flag(&mut report.unknown),
        Some(p) if p.consent_type == PermissionConsentType::Admin => flag(&mut report.admin_only),
        Some(_) => {}
    }
    if MICROSOFT_MANAGED_RESTRICTED.iter().any(|p| name.starts_with(p)) {
        flag(&mut report.restricted_by_microsoft_managed);
    }
    if !registered.contains(&bare) {
        flag(&mut report.not_registered);
    }
    if !flagged {
        push(&mut report.ok, scope);
    }
}

/// The scope's name on the resource, or `None` when it is qualified with another resource.
fn local_name(scope: &Scope, resource: AppId) -> Option<&str> {
    let s = scope.as_str();
    let is_graph = resource == AppId::MICROSOFT_GRAPH;
    if !s.contains('/') {
        // Bare names mean Microsoft Graph on the v2 endpoint.
        return is_graph.then_some(s);
    }
    let own_id = format!("{resource}/");
    let own_api = format!("api://{resource}/");
    let graph = if is_graph { GRAPH_PREFIXES } else { &[] };
    let lower = s.to_ascii_lowercase();
    let prefix_len = graph
        .iter()
        .map(|p| p.to_string())
        .chain([own_id, own_api])
        .find(|p| lower.starts_with(p.as_str()))
        .map(|p| p.len())?;
    s.get(prefix_len..)
}

fn registered_scopes(app: &AppRegistration, resource: AppId) -> ScopeSet {
    app.resources
        .iter()
        .find(|r| r.resource_app_id == resource)
        .map(|r| r.scopes.clone())
        .unwrap_or_default()
}

fn push(set: &mut ScopeSet, scope: &Scope) {
    // A report list never holds more than the (already length-checked) requested set, so the
    // 3850-character limit cannot be exceeded; ignoring the result is safe.
    let _ = set.insert(scope.clone());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::microsoft_graph_service_principal;
    use crate::ids::ObjectId;

    fn graph() -> ServicePrincipal {
        microsoft_graph_service_principal(ObjectId::new_random())
    }

    fn app() -> AppRegistration {
        AppRegistration::new(AppId::new_random(), "Carerix Calendar").with_delegated(
            AppId::MICROSOFT_GRAPH,
            ScopeSet::parse("Calendars.ReadWrite User.Read offline_access").unwrap(),
        )
    }

    fn set(s: &str) -> ScopeSet {
        ScopeSet::parse(s).unwrap()
    }

    #[test]
    fn calendar_app_needs_admin_in_microsoft_managed_tenants_only() {
        let r = preflight(&set("Calendars.ReadWrite User.Read offline_access openid"), &app(), &graph());
        assert_eq!(r.ok, set("User.Read offline_access openid"));
        assert_eq!(r.restricted_by_microsoft_managed, set("Calendars.ReadWrite"));
        assert!(r.unknown.is_empty() && r.admin_only.is_empty() && r.not_registered.is_empty());
        assert!(r.needs_admin_somewhere() && !r.blocks_sign_in() && !r.is_clean());
    }

    #[test]
    fn unknown_unregistered_and_admin_only_scopes_are_flagged() {
        let r = preflight(
            &set("Calendars.ReadWrite.All User.Read.All MailboxSettings.Read User.Read"),
            &app(),
            &graph(),
        );
        assert_eq!(r.unknown, set("Calendars.ReadWrite.All"));
        assert_eq!(r.admin_only, set("User.Read.All"));
        assert_eq!(r.not_registered, set("Calendars.ReadWrite.All User.Read.All MailboxSettings.Read"));
        assert_eq!(
            r.restricted_by_microsoft_managed,
            set("Calendars.ReadWrite.All MailboxSettings.Read")
        );
        assert_eq!(r.ok, set("User.Read"));
        assert!(r.blocks_sign_in());
        let findings = r.findings().join("\n");
        assert!(findings.contains("AADSTS650053") && findings.contains("two requests"), "{findings}");
    }

    #[test]
    fn qualified_names_default_and_other_resources() {
        let r = preflight(
            &set("https://graph.microsoft.com/User.Read api://11111111-2222-4333-8444-555555555555/read"),
            &app(),
            &graph(),
        );
        assert_eq!(r.ok, set("https://graph.microsoft.com/User.Read"));
        assert_eq!(r.other_resource, set("api://11111111-2222-4333-8444-555555555555/read"));
        let r = preflight(&set("https://graph.microsoft.com/.default"), &app(), &graph());
        assert_eq!(r.ok, set("User.Read offline_access"));
        assert_eq!(r.restricted_by_microsoft_managed, set("Calendars.ReadWrite"));
    }

    #[test]
    fn a_clean_request_is_clean() {
        let r = preflight(&set("User.Read openid"), &app(), &graph());
        assert!(r.is_clean(), "{r:?}");
        assert!(r.findings().is_empty());
    }
}
