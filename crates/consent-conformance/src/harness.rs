//! How a backend plugs into the suite: a [`Harness`] hands out port connections acting as a given
//! [`Actor`] on the tenant a scenario arranged.

use std::fmt;
use std::sync::Arc;

use consent::{ConsentGraph, ObjectId};
use consent_mock::MockTenant;

/// Who a connection acts as.
#[derive(Clone, PartialEq, Eq)]
pub enum Actor {
    /// The tenant's seeded Global Administrator.
    Admin,
    /// A signed-in user (a delegated token); their directory roles decide what they may do.
    User(ObjectId),
    /// An app-only token holding these application permissions (e.g. `Policy.ReadWrite.ConsentRequest`).
    App(Vec<String>),
}

impl fmt::Debug for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Actor::Admin => f.write_str("Admin"),
            Actor::User(id) => write!(f, "User({id})"),
            Actor::App(permissions) => write!(f, "App({})", permissions.join(" ")),
        }
    }
}

/// A backend under test.
///
/// Scenarios arrange their tenant on a [`MockTenant`] (users, roles, settings, requests filed through
/// the prompt, the clock, faults) and then exercise the backend through the connections this hands
/// out. The mock connects to the tenant directly; an HTTP backend connects to an emulator serving the
/// same tenant, with a token for the actor.
pub trait Harness: Send + Sync {
    /// The backend's name, shown in the [`Report`](crate::Report).
    fn name(&self) -> &str;

    /// A port implementation acting as `actor` on `tenant`.
    fn connect(&self, tenant: &MockTenant, actor: &Actor) -> Arc<dyn ConsentGraph>;
}

/// The mock backend: connections are the tenant's own [`MockGraph`](consent_mock::MockGraph) handles.
#[derive(Debug, Clone, Copy, Default)]
pub struct MockHarness;

impl Harness for MockHarness {
    fn name(&self) -> &str {
        "mock"
    }

    fn connect(&self, tenant: &MockTenant, actor: &Actor) -> Arc<dyn ConsentGraph> {
        match actor {
            Actor::Admin => Arc::new(tenant.as_admin()),
            Actor::User(id) => Arc::new(tenant.as_user(*id)),
            Actor::App(permissions) => {
                let permissions: Vec<&str> = permissions.iter().map(String::as_str).collect();
                Arc::new(tenant.as_app(&permissions))
            }
        }
    }
}
