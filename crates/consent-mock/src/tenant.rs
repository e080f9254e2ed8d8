//! [`MockTenant`]: the shared in-memory tenant, its arrangement API, observation and persistence.

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};

use chrono::Duration;
use consent::{
    AppId, AppRegistration, Clock, DelegatedGrant, Error, ManualClock, ObjectId, Operation, Result, ScopeSet, TenantId,
    UserConsentDecision, UserConsentSetting,
};
use rand::rngs::StdRng;

use crate::demo;
use crate::directory::{MockGroup, MockOptions, MockUser, PublishedApp};
use crate::faults::FaultPlan;
use crate::graph::MockGraph;
use crate::journal::{AuditActivity, AuditEvent, Notification};
use crate::principal::Principal;
use crate::roles::DirectoryRole;
use crate::state::{system_actor, TenantState, FORMAT_VERSION};

struct Inner {
    state: TenantState,
    /// Fault draws; reseeded from the plan's seed whenever a plan is set or loaded.
    rng: StdRng,
    /// A lagging replica ([`Fault::ReplicaLag`](crate::Fault::ReplicaLag)): the tenant before the
    /// write, and how many more reads it serves. Not persisted.
    lag: Option<(Box<TenantState>, u32)>,
}

/// An in-memory Microsoft Entra tenant. `Clone` shares the state; [`fork`](Self::fork) copies it.
#[derive(Clone)]
pub struct MockTenant {
    inner: Arc<Mutex<Inner>>,
    clock: ManualClock,
}

impl MockTenant {
    /// An empty tenant ([`demo::TENANT_ID`]): Microsoft Graph's service principal from the catalog,
    /// the Microsoft-managed user-consent setting, a never-configured request policy (disabled,
    /// version 0) and one Global Administrator, [`demo::ADMIN_UPN`].
    pub fn new(clock: ManualClock) -> Self {
        Self::from_state(TenantState::new(demo::TENANT_ID, clock.now()), clock)
    }

    fn from_state(state: TenantState, clock: ManualClock) -> Self {
        let rng = state.faults.rng();
        Self {
            inner: Arc::new(Mutex::new(Inner { state, rng, lag: None })),
            clock,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic inside a closure (a bug) must not make every later test fail on a poisoned lock.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Runs `f` on the state after bringing it up to the clock's time (expiry, reminders).
    pub(crate) fn with<R>(&self, f: impl FnOnce(&mut TenantState) -> R) -> R {
        let mut g = self.lock();
        g.state.now = self.clock.now();
        g.state.tick();
        f(&mut g.state)
    }

    /// Runs a port operation with fault injection: throttle, 5xx, timeout and concurrency violation
    /// fail before applying; committed-but-lost and landed-then-503 apply, then fail; replica lag
    /// applies a write, then serves the next reads from the tenant as it was before.
    pub(crate) fn run<R>(&self, op: Operation, f: impl FnOnce(&mut TenantState) -> Result<R>) -> Result<R> {
        self.run_reads(|r| r.op(op, f))
    }

    /// Runs several port operations under one lock, after one clock read and one expiry pass, so a
    /// snapshot is consistent (as Graph's `$batch` is) and pays for locking once. Each operation
    /// still draws its own faults ([`Reads::op`]).
    pub(crate) fn run_reads<R>(&self, f: impl FnOnce(&mut Reads<'_>) -> Result<R>) -> Result<R> {
        let mut g = self.lock();
        g.state.now = self.clock.now();
        g.state.tick();
        let Inner { state, rng, lag } = &mut *g;
        f(&mut Reads { state, rng, lag })
    }

    /// Ends any replica lag at once, as time passing would: the next reads see every write.
    pub fn settle_replicas(&self) {
        self.lock().lag = None;
    }

    /// The tenant id.
    pub fn tenant_id(&self) -> TenantId {
        self.with(|s| s.tenant_id.clone())
    }

    /// The tenant's clock (shared: advancing it advances the tenant).
    pub fn clock(&self) -> ManualClock {
        self.clock.clone()
    }

    /// Moves the tenant's clock forward; expiry is applied on the next access.
    pub fn advance(&self, by: Duration) {
        self.clock.advance(by);
    }

    /// A deep copy with its own state and its own clock (stopped at the same time).
    pub fn fork(&self) -> MockTenant {
        let state = self.with(|s| s.fork_copy());
        Self::from_state(state, ManualClock::new(self.clock.now()))
    }

    /// A deep copy (like [`fork`](Self::fork)) that is a different tenant: `tenant_id` replaces the
    /// id, everything else — directory, policies, requests, clock time — is copied. An emulator
    /// serving many tenants builds each of them this way from one preset.
    pub fn fork_as(&self, tenant_id: TenantId) -> MockTenant {
        let mut state = self.with(|s| s.fork_copy());
        state.tenant_id = tenant_id;
        Self::from_state(state, ManualClock::new(self.clock.now()))
    }

    /// Replaces this tenant's state and clock time with a copy of `source`'s, in place, so every
    /// clone of `self` sees the change (an emulator's reset, or loading a saved tenant into a
    /// running one). The tenant id is copied too; use [`fork_as`](Self::fork_as) first to keep it.
    pub fn restore_from(&self, source: &MockTenant) {
        // Copy first, then lock self: `source` may share state with `self`.
        let state = source.with(|s| s.clone());
        let now = source.clock.now();
        let mut g = self.lock();
        g.rng = state.faults.rng();
        g.state = state;
        self.clock.set(now);
    }

    // ---- arrangement -------------------------------------------------------------------------

    /// Adds a plain member and returns its id.
    ///
    /// # Panics
    /// When the UPN is malformed or taken; use [`try_add_user`](Self::try_add_user) to get an error.
    pub fn add_user(&self, display_name: &str, upn: &str) -> ObjectId {
        self.try_add_user(display_name, upn).unwrap_or_else(|e| panic!("add_user: {e}"))
    }

    /// Adds a plain member: `InvalidInput` for a malformed UPN, `Conflict` when it is taken.
    pub fn try_add_user(&self, display_name: &str, upn: &str) -> Result<ObjectId> {
        let upn = upn.trim();
        let valid = upn.split_once('@').is_some_and(|(l, d)| !l.is_empty() && d.contains('.')) && !upn.contains(char::is_whitespace);
        if !valid {
            return Err(Error::invalid(
                "upn",
                format!("{upn:?} is not a user principal name like eva@contoso.example"),
            ));
        }
        self.with(|s| {
            if s.users.iter().any(|u| u.upn.eq_ignore_ascii_case(upn)) {
                return Err(Error::conflict(
                    format!("a user with UPN {upn} already exists"),
                    Some(crate::DUPLICATE_KEY.to_owned()),
                ));
            }
            let id = s.ids.next_object_id();
            let password = format!("Mock-{}", &s.ids.next_uuid().simple().to_string()[..16]);
            s.users.push(MockUser {
                id,
                display_name: display_name.into(),
                upn: upn.into(),
                roles: Vec::new(),
                password,
            });
            s.audit(
                system_actor(),
                AuditActivity::ArrangeDirectory,
                id.to_string(),
                format!("add user {upn}"),
            );
            Ok(id)
        })
    }

    /// Adds a user with a fixed id and password (used to seed the demo users).
    pub(crate) fn seed_user(&self, id: ObjectId, display_name: &str, upn: &str, role: Option<DirectoryRole>) {
        self.with(|s| {
            s.users.retain(|u| u.id != id);
            s.users.push(MockUser {
                id,
                display_name: display_name.into(),
                upn: upn.into(),
                roles: role.into_iter().collect(),
                password: demo::PASSWORD.to_owned(),
            });
        });
    }

    /// Gives a user a directory role.
    ///
    /// # Panics
    /// When the user does not exist; use [`try_assign_role`](Self::try_assign_role) to get an error.
    pub fn assign_role(&self, user: ObjectId, role: DirectoryRole) {
        self.try_assign_role(user, role).unwrap_or_else(|e| panic!("assign_role: {e}"));
    }

    /// Gives a user a directory role; `NotFound` for an unknown user.
    pub fn try_assign_role(&self, user: ObjectId, role: DirectoryRole) -> Result<()> {
        self.with(|s| {
            let u = s.user_mut(user)?;
            if !u.roles.contains(&role) {
                u.roles.push(role);
            }
            s.audit(
                system_actor(),
                AuditActivity::ArrangeDirectory,
                user.to_string(),
                format!("assign {role}"),
            );
            Ok(())
        })
    }

    /// Adds a group of users (or groups) and returns its id.
    ///
    /// # Panics
    /// When a member does not exist; use [`try_add_group`](Self::try_add_group) to get an error.
    pub fn add_group(&self, display_name: &str, members: &[ObjectId]) -> ObjectId {
        self.try_add_group(display_name, members)
            .unwrap_or_else(|e| panic!("add_group: {e}"))
    }

    /// Adds a group; `NotFound` when a member is neither a user nor a group.
    pub fn try_add_group(&self, display_name: &str, members: &[ObjectId]) -> Result<ObjectId> {
        self.with(|s| {
            let id = s.ids.next_object_id();
            insert_group(s, id, display_name, members)?;
            Ok(id)
        })
    }

    /// Adds a group with a fixed id (used to seed the demo group).
    pub(crate) fn seed_group(&self, id: ObjectId, display_name: &str, members: &[ObjectId]) -> Result<()> {
        self.with(|s| insert_group(s, id, display_name, members))
    }

    /// Adds a member to a group.
    ///
    /// # Panics
    /// When the group or member does not exist; use [`try_add_group_member`](Self::try_add_group_member).
    pub fn add_group_member(&self, group: ObjectId, user: ObjectId) {
        self.try_add_group_member(group, user)
            .unwrap_or_else(|e| panic!("add_group_member: {e}"));
    }

    /// Adds a member to a group; `NotFound` for an unknown group or member.
    pub fn try_add_group_member(&self, group: ObjectId, member: ObjectId) -> Result<()> {
        self.with(|s| {
            check_member(s, member)?;
            let g = s
                .groups
                .iter_mut()
                .find(|g| g.id == group)
                .ok_or_else(|| Error::not_found(format!("group {group}")))?;
            if !g.members.contains(&member) {
                g.members.push(member);
            }
            s.audit(
                system_actor(),
                AuditActivity::ArrangeDirectory,
                group.to_string(),
                format!("add member {member}"),
            );
            Ok(())
        })
    }

    /// Sets the tenant's "User consent for applications" setting.
    pub fn set_user_consent(&self, setting: UserConsentSetting) {
        self.with(|s| s.set_user_consent(&setting));
    }

    /// Makes a multi-tenant app exist in its home tenant, so its service principal can be created
    /// here and users can sign in to it. Publishing again replaces the registration.
    pub fn publish_app(&self, app: &AppRegistration, publisher_verified: bool) {
        self.with(|s| {
            s.published_apps.retain(|p| p.registration.app_id != app.app_id);
            s.published_apps.push(PublishedApp {
                registration: app.clone(),
                publisher_verified,
            });
            s.audit(
                system_actor(),
                AuditActivity::ArrangeDirectory,
                app.app_id.to_string(),
                format!("publish {}", app.display_name),
            );
        });
    }

    /// Sets the modelling options.
    pub fn set_options(&self, o: MockOptions) {
        self.with(|s| s.options = o);
    }

    /// The current modelling options.
    pub fn options(&self) -> MockOptions {
        self.with(|s| s.options)
    }

    /// Every user.
    pub fn users(&self) -> Vec<MockUser> {
        self.with(|s| s.users.clone())
    }

    /// Every group.
    pub fn groups(&self) -> Vec<MockGroup> {
        self.with(|s| s.groups.clone())
    }

    /// The user with this UPN (case-insensitive).
    pub fn user_by_upn(&self, upn: &str) -> Option<MockUser> {
        self.with(|s| s.users.iter().find(|u| u.upn.eq_ignore_ascii_case(upn.trim())).cloned())
    }

    /// The published app with this id (its registration and publisher verification), if any.
    pub fn published_app(&self, app_id: &AppId) -> Option<PublishedApp> {
        self.with(|s| s.published(app_id).cloned())
    }

    /// The seeded Global Administrator ([`demo::ADMIN_ID`]).
    pub fn admin_id(&self) -> ObjectId {
        demo::ADMIN_ID
    }

    // ---- acting principals --------------------------------------------------------------------

    /// The port acting as a signed-in user (delegated token). An unknown user gets `Unauthenticated`.
    pub fn as_user(&self, user: ObjectId) -> MockGraph {
        MockGraph::new(self.clone(), Principal::User { id: user })
    }

    /// The port acting as the seeded Global Administrator.
    pub fn as_admin(&self) -> MockGraph {
        self.as_user(self.admin_id())
    }

    /// The port acting as an app-only token holding these application permissions.
    pub fn as_app(&self, application_permissions: &[&str]) -> MockGraph {
        let permissions = application_permissions.iter().map(|p| (*p).to_owned()).collect();
        MockGraph::new(self.clone(), Principal::App { permissions })
    }

    // ---- interactive sign-in ------------------------------------------------------------------

    /// What the authorize endpoint decides when `user` signs in to the app asking for `scopes`
    /// (Microsoft Learn: "Configure how users consent to applications"): already granted, consent page, approval required (90094/90095), blocked.
    pub fn sign_in(&self, user: ObjectId, app_id: &AppId, scopes: &ScopeSet) -> Result<UserConsentDecision> {
        self.with(|s| s.decide(user, app_id, scopes))
    }

    /// The user clicks Accept on the user consent page (only when [`sign_in`](Self::sign_in) says
    /// `UserMayConsent`, else `InvalidTransition`): provisions the client and merges the user's grant.
    pub fn consent_as_user(&self, user: ObjectId, app_id: &AppId, scopes: &ScopeSet) -> Result<DelegatedGrant> {
        self.with(|s| s.consent_as_user(user, app_id, scopes))
    }

    /// The admin clicks Accept on the v2 `/adminconsent` page: a role-checked tenant-wide grant.
    pub fn grant_admin_consent(&self, admin: ObjectId, app_id: &AppId, scopes: &ScopeSet) -> Result<()> {
        self.with(|s| s.grant_admin_consent(admin, app_id, scopes))
    }

    // ---- observation --------------------------------------------------------------------------

    /// Every email the tenant would have sent, oldest first.
    pub fn outbox(&self) -> Vec<Notification> {
        self.with(|s| s.outbox.clone())
    }

    /// Every service principal in the tenant (Microsoft Graph's first), in creation order. An
    /// observation for hosts such as the emulator, which serves directory lists and lookups by
    /// object id that the port does not have.
    pub fn service_principals(&self) -> Vec<consent::ServicePrincipal> {
        self.with(|s| s.service_principals.clone())
    }

    /// The audit trail, oldest first.
    pub fn audit_log(&self) -> Vec<AuditEvent> {
        self.with(|s| s.audit.clone())
    }

    /// Replaces the fault plan (and reseeds its RNG).
    pub fn set_faults(&self, plan: FaultPlan) {
        let mut g = self.lock();
        g.rng = plan.rng();
        g.state.faults = plan;
    }

    /// The fault plan, with the remaining `times` of each rule.
    pub fn faults(&self) -> FaultPlan {
        self.lock().state.faults.clone()
    }

    // ---- persistence --------------------------------------------------------------------------

    /// The whole tenant as JSON, including the clock's time and a `formatVersion`. Contains the
    /// mock users' passwords, as a saved tenant must.
    pub fn to_json(&self) -> String {
        let json = self.with(|s| serde_json::to_string_pretty(s));
        // Every field serializes to JSON with string keys; failure would be a bug in this crate.
        json.expect("a mock tenant always serializes")
    }

    /// Loads a tenant saved by [`to_json`](Self::to_json); its clock resumes at the saved time.
    ///
    /// `InvalidInput` for malformed JSON, a missing `formatVersion`, or a file written by a newer
    /// version of this crate.
    pub fn from_json(s: &str) -> Result<MockTenant> {
        let value: serde_json::Value = serde_json::from_str(s).map_err(|e| Error::invalid("tenant_json", format!("is not JSON: {e}")))?;
        let version = value.get("formatVersion").and_then(serde_json::Value::as_u64);
        match version {
            None => {
                return Err(Error::invalid(
                    "tenant_json",
                    "has no formatVersion; it was not written by MockTenant::to_json",
                ))
            }
            Some(v) if v > u64::from(FORMAT_VERSION) => {
                return Err(Error::invalid(
                    "tenant_json",
                    format!("has formatVersion {v}, newer than the {FORMAT_VERSION} this build reads; upgrade consent-mock"),
                ))
            }
            Some(_) => {}
        }
        let state: TenantState =
            serde_json::from_value(value).map_err(|e| Error::invalid("tenant_json", format!("is not a saved tenant: {e}")))?;
        state
            .graph_sp()
            .map_err(|_| Error::invalid("tenant_json", "has no Microsoft Graph service principal"))?;
        let clock = ManualClock::new(state.now);
        Ok(Self::from_state(state, clock))
    }
}

fn check_member(s: &TenantState, member: ObjectId) -> Result<()> {
    if s.user(member).is_none() && s.group(member).is_none() {
        return Err(Error::not_found(format!("group member {member} (neither a user nor a group)")));
    }
    Ok(())
}

fn insert_group(s: &mut TenantState, id: ObjectId, display_name: &str, members: &[ObjectId]) -> Result<()> {
    for m in members {
        check_member(s, *m)?;
    }
    s.groups.retain(|g| g.id != id);
    s.groups.push(MockGroup {
        id,
        display_name: display_name.to_owned(),
        members: members.to_vec(),
    });
    s.audit(
        system_actor(),
        AuditActivity::ArrangeDirectory,
        id.to_string(),
        format!("add group {display_name}"),
    );
    Ok(())
}

/// The locked tenant inside [`MockTenant::run_reads`].
pub(crate) struct Reads<'a> {
    state: &'a mut TenantState,
    rng: &'a mut StdRng,
    lag: &'a mut Option<(Box<TenantState>, u32)>,
}

impl Reads<'_> {
    /// One port operation with fault injection, as [`MockTenant::run`] does it: throttle, 5xx,
    /// timeout and concurrency violation fail before applying; committed-but-lost and
    /// landed-then-503 apply, then fail; replica lag applies a write, then serves the next reads
    /// from the tenant as it was before.
    pub(crate) fn op<R>(&mut self, op: Operation, f: impl FnOnce(&mut TenantState) -> Result<R>) -> Result<R> {
        let (state, lag) = (&mut *self.state, &mut *self.lag);
        match state.faults.draw(op, self.rng) {
            Some(fault @ (crate::Fault::CommittedButLost | crate::Fault::LandedThen503)) => {
                let applied = f(state);
                tracing::debug!(%op, ?fault, applied = applied.is_ok(), "mock fault: applied, then failed");
                Err(fault.to_error(op))
            }
            Some(crate::Fault::ReplicaLag { reads }) => {
                let before = Box::new(state.clone());
                let result = f(state);
                if result.is_ok() && reads > 0 {
                    tracing::debug!(%op, reads, "mock fault: the next reads miss this write");
                    *lag = Some((before, reads));
                }
                result
            }
            Some(fault) => {
                tracing::debug!(%op, ?fault, "mock fault injected");
                Err(fault.to_error(op))
            }
            None if !op.is_write() => match lag {
                Some((stale, left)) => {
                    stale.now = state.now;
                    let result = f(stale);
                    *left -= 1;
                    if *left == 0 {
                        *lag = None;
                    }
                    result
                }
                None => f(state),
            },
            None => f(state),
        }
    }
}

impl fmt::Debug for MockTenant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("MockTenant");
        // try_lock: Debug may run while the tenant is locked (e.g. from a tracing span).
        if let Ok(g) = self.inner.try_lock() {
            d.field("tenant_id", &g.state.tenant_id).field("users", &g.state.users.len());
        }
        d.field("now", &self.clock.now()).finish_non_exhaustive()
    }
}
