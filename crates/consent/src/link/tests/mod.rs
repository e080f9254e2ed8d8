//! Tests across the link modules: callback shapes from Microsoft's documentation, the code table,
//! hostile callbacks, admin consent, and guidance for every outcome.

mod admin_callbacks;
mod guidance_per_outcome;
mod hostile_callbacks;
mod user_callbacks;

use chrono::{DateTime, TimeDelta, Utc};

use super::{AdminConsentLink, LinkRequest, LinkTenant, PendingAdminConsent, PendingLink};
use crate::clock::ManualClock;
use crate::ids::AppId;
use crate::scope::ScopeSet;

pub(super) const APP: &str = "4b3c6a52-2f1d-4c7e-9a38-6f0e4d2b8c11";
pub(super) const TENANT: &str = "fa00d692-e9c7-4460-a743-29f2956fd429";

pub(super) fn start() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-03-02T09:00:00Z").unwrap().with_timezone(&Utc)
}

/// A clock `minutes` after the pending links were created.
pub(super) fn clock_after(minutes: i64) -> ManualClock {
    let c = ManualClock::new(start());
    c.advance(TimeDelta::minutes(minutes));
    c
}

pub(super) fn pending() -> PendingLink {
    LinkRequest::new(
        AppId::parse(APP).unwrap(),
        "https://crm.example.com/auth/microsoft/callback",
        ScopeSet::parse("Calendars.ReadWrite User.Read offline_access").unwrap(),
    )
    .unwrap()
    .build(&ManualClock::new(start()))
    .unwrap()
    .1
}

pub(super) fn pending_admin(tenant: &str) -> PendingAdminConsent {
    AdminConsentLink::new(
        AppId::parse(APP).unwrap(),
        LinkTenant::parse(tenant).unwrap(),
        "https://crm.example.com/auth/microsoft/admin-callback",
    )
    .unwrap()
    .build(&ManualClock::new(start()))
    .unwrap()
    .1
}
