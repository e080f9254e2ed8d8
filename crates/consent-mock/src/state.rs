//! The whole tenant as one serializable value, with its lookups and bookkeeping helpers.
//!
//! Everything the mock knows lives here so that `to_json`/`from_json` and `fork` are a plain
//! serialize/clone. Behaviour lives in `requests`, `grants` and `signin`, as `impl TenantState` blocks.

use std::sync::{Arc, LazyLock};

use chrono::{DateTime, Utc};
use consent::{
    catalog, AdminConsentRequestPolicy, AppId, AppRoleAssignment, AuthorizationPolicy, DelegatedGrant, Error, ObjectId, Result,
    ServicePrincipal, TenantId, UserConsentSetting,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::demo;
use crate::directory::{MockGroup, MockOptions, MockUser, PublishedApp};
use crate::faults::FaultPlan;
use crate::journal::{AuditActivity, AuditEvent, Notification, NotificationKind};
use crate::principal::Principal;
use crate::requests::AppRequestRecord;
use crate::roles::DirectoryRole;

/// The version of the JSON layout `to_json` writes. Bump it when a change would make an older
/// build misread a newer file.
pub(crate) const FORMAT_VERSION: u32 = 1;

/// The tenant.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TenantState {
    pub format_version: u32,
    pub tenant_id: TenantId,
    /// The clock's time at the last access (refreshed from the injected clock before every access).
    pub now: DateTime<Utc>,
    pub ids: IdGen,
    #[serde(default)]
    pub options: MockOptions,
    pub users: Vec<MockUser>,
    #[serde(default)]
    pub groups: Vec<MockGroup>,
    #[serde(default)]
    pub published_apps: Vec<PublishedApp>,
    pub authorization_policy: AuthorizationPolicy,
    pub request_policy: AdminConsentRequestPolicy,
    pub service_principals: Vec<ServicePrincipal>,
    #[serde(default)]
    pub grants: Vec<DelegatedGrant>,
    #[serde(default)]
    pub assignments: Vec<AppRoleAssignment>,
    #[serde(default)]
    pub requests: Vec<AppRequestRecord>,
    #[serde(default)]
    pub outbox: Vec<Notification>,
    #[serde(default)]
    pub audit: Vec<AuditEvent>,
    #[serde(default)]
    pub faults: FaultPlan,
    /// Users whose account status differs from the healthy default (`account.rs`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub accounts: Vec<crate::account::AccountRecord>,
}

/// Deterministic id generator: ids depend only on the seed and how many were made before, so a
/// scenario replays with the same ids and a saved tenant continues its sequence.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct IdGen {
    seed: u64,
    next: u64,
}

impl IdGen {
    pub(crate) fn new(seed: u64) -> Self {
        Self { seed, next: 0 }
    }

    /// The next random-looking (version 4) GUID.
    pub(crate) fn next_uuid(&mut self) -> Uuid {
        let a = splitmix64(self.seed ^ self.next.wrapping_mul(0x9e37_79b9_7f4a_7c15));
        let b = splitmix64(a);
        self.next += 1;
        let mut bytes = [0u8; 16];
        bytes[..8].copy_from_slice(&a.to_le_bytes());
        bytes[8..].copy_from_slice(&b.to_le_bytes());
        uuid::Builder::from_random_bytes(bytes).into_uuid()
    }

    pub(crate) fn next_object_id(&mut self) -> ObjectId {
        ObjectId::from_uuid(self.next_uuid())
    }
}

/// The audit log's actor for an app-only token.
static APP_ACTOR: LazyLock<Arc<str>> = LazyLock::new(|| Arc::from("app"));
/// The audit log's actor for what the tenant does by itself (expiry, settling covered requests).
static SYSTEM_ACTOR: LazyLock<Arc<str>> = LazyLock::new(|| Arc::from("system"));

/// The actor `system`, as every audit event the tenant makes by itself names it: a reference
/// count, not an allocation per event.
pub(crate) fn system_actor() -> Arc<str> {
    Arc::clone(&SYSTEM_ACTOR)
}

fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl TenantState {
    /// An empty tenant: Microsoft Graph's service principal, the Microsoft-managed user-consent
    /// setting, a never-configured request policy (Microsoft Learn: "adminConsentRequestPolicy resource type"; otherwise our choice `[I]`), and one Global Administrator.
    pub(crate) fn new(tenant_id: TenantId, now: DateTime<Utc>) -> Self {
        let seed = tenant_id.as_uuid().map_or(0, |u| u.as_u64_pair().0);
        let mut ids = IdGen::new(seed);
        let graph = catalog::microsoft_graph_service_principal(ids.next_object_id());
        let mut st = Self {
            format_version: FORMAT_VERSION,
            tenant_id,
            now,
            ids,
            options: MockOptions::default(),
            users: Vec::new(),
            groups: Vec::new(),
            published_apps: Vec::new(),
            authorization_policy: AuthorizationPolicy::with_user_consent(&UserConsentSetting::MicrosoftManaged),
            request_policy: AdminConsentRequestPolicy::never_configured(),
            service_principals: vec![graph],
            grants: Vec::new(),
            assignments: Vec::new(),
            requests: Vec::new(),
            outbox: Vec::new(),
            audit: Vec::new(),
            faults: FaultPlan::none(),
            accounts: Vec::new(),
        };
        let admin = MockUser {
            id: demo::ADMIN_ID,
            display_name: "Ada Admin".into(),
            upn: demo::ADMIN_UPN.into(),
            roles: vec![DirectoryRole::GlobalAdministrator],
            password: demo::PASSWORD.to_owned(),
        };
        st.users.push(admin);
        st
    }

    /// A copy of this state with room to grow in the lists that writes append to. A cloned `Vec`
    /// has no spare capacity, so without this a fresh fork's first audit event, mail, request,
    /// service principal and grant would each copy their whole list into a larger one; a few spare
    /// slots, allocated with the copy, let a fork's first workflow append in place.
    pub(crate) fn fork_copy(&self) -> Self {
        /// Appended per workflow step: audit events and mails come several at a time.
        const LOG_ROOM: usize = 8;
        /// Requests, service principals, grants and assignments: one or two per workflow.
        const OBJECT_ROOM: usize = 2;
        let mut copy = self.clone();
        copy.audit.reserve(LOG_ROOM);
        copy.outbox.reserve(LOG_ROOM);
        copy.requests.reserve(OBJECT_ROOM);
        copy.service_principals.reserve(OBJECT_ROOM);
        copy.grants.reserve(OBJECT_ROOM);
        copy.assignments.reserve(OBJECT_ROOM);
        copy
    }

    pub(crate) fn user(&self, id: ObjectId) -> Option<&MockUser> {
        self.users.iter().find(|u| u.id == id)
    }

    pub(crate) fn user_mut(&mut self, id: ObjectId) -> Result<&mut MockUser> {
        self.users
            .iter_mut()
            .find(|u| u.id == id)
            .ok_or_else(|| Error::not_found(format!("user {id}")))
    }

    pub(crate) fn group(&self, id: ObjectId) -> Option<&MockGroup> {
        self.groups.iter().find(|g| g.id == id)
    }

    pub(crate) fn published(&self, app_id: &AppId) -> Option<&PublishedApp> {
        self.published_apps.iter().find(|p| p.registration.app_id == *app_id)
    }

    pub(crate) fn sp(&self, id: ObjectId) -> Option<&ServicePrincipal> {
        self.service_principals.iter().find(|s| s.id == id)
    }

    pub(crate) fn sp_by_app(&self, app_id: &AppId) -> Option<&ServicePrincipal> {
        self.service_principals.iter().find(|s| s.app_id == *app_id)
    }

    /// Microsoft Graph's service principal (seeded in every tenant).
    pub(crate) fn graph_sp(&self) -> Result<&ServicePrincipal> {
        self.sp_by_app(&AppId::MICROSOFT_GRAPH)
            .ok_or_else(|| Error::not_found("the Microsoft Graph service principal (appId 00000003-0000-0000-c000-000000000000)"))
    }

    /// A new request or stage id: the next GUID as text, written straight into its shared string.
    pub(crate) fn new_id(&mut self) -> Arc<str> {
        crate::text::with_guid(self.ids.next_uuid(), |g| Arc::from(g))
    }

    /// A display name for an app: its registration's, its service principal's, or its id.
    pub(crate) fn app_name(&self, app_id: &AppId) -> Arc<str> {
        self.published(app_id)
            .map(|p| p.registration.display_name.as_str().into())
            .or_else(|| self.sp_by_app(app_id).and_then(|s| s.display_name.as_deref().map(Arc::from)))
            .unwrap_or_else(|| app_id.to_string().into())
    }

    /// How the audit log names the actor.
    pub(crate) fn actor_name(&self, principal: &Principal) -> Arc<str> {
        match principal {
            Principal::User { id } => self.user(*id).map_or_else(|| id.to_string().into(), |u| Arc::clone(&u.upn)),
            Principal::App { .. } => Arc::clone(&APP_ACTOR),
        }
    }

    pub(crate) fn audit(&mut self, actor: Arc<str>, activity: AuditActivity, target: impl Into<Arc<str>>, detail: impl Into<String>) {
        let event = AuditEvent {
            at: self.now,
            actor,
            activity,
            target: target.into(),
            detail: detail.into(),
        };
        tracing::debug!(activity = ?event.activity, target = %event.target, "mock tenant audit");
        self.audit.push(event);
    }

    /// Queues an email to `to` about an app request; unknown recipients are skipped (a deleted user
    /// gets no mail).
    pub(crate) fn notify(&mut self, to: ObjectId, kind: NotificationKind, app_id: AppId, request_id: &Arc<str>) {
        let Some(upn) = self.user(to).map(|u| Arc::clone(&u.upn)) else {
            return;
        };
        let n = Notification {
            at: self.now,
            to,
            to_upn: upn,
            kind,
            app_id,
            app_display_name: self.app_name(&app_id),
            request_id: Arc::clone(request_id),
        };
        self.outbox.push(n);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_deterministic_per_seed_and_distinct() {
        let (mut a, mut b, mut c) = (IdGen::new(7), IdGen::new(7), IdGen::new(8));
        let xs: Vec<Uuid> = (0..50).map(|_| a.next_uuid()).collect();
        let ys: Vec<Uuid> = (0..50).map(|_| b.next_uuid()).collect();
        assert_eq!(xs, ys);
        assert_ne!(xs[0], c.next_uuid());
        let mut sorted = xs.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), 50);
        assert_eq!(xs[0].get_version_num(), 4);
    }

    #[test]
    fn new_tenant_is_never_configured_microsoft_managed_with_graph() {
        let st = TenantState::new(demo::TENANT_ID, Utc::now());
        assert_eq!(st.request_policy, AdminConsentRequestPolicy::never_configured());
        assert_eq!(st.authorization_policy.user_consent(), UserConsentSetting::MicrosoftManaged);
        assert!(st
            .graph_sp()
            .unwrap()
            .scope(&consent::Scope::parse("Calendars.ReadWrite").unwrap())
            .is_some());
        assert!(st.user(demo::ADMIN_ID).unwrap().has_role(DirectoryRole::GlobalAdministrator));
    }
}
