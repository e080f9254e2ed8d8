//! Named tenants that tests, the CLI and the emulator start from.

use std::fmt;
use std::str::FromStr;

use chrono::{TimeZone, Utc};
use consent::{AdminConsentRequestPolicy, Error, ManualClock, Result, Reviewer, UserConsentSetting};

use crate::demo;
use crate::tenant::MockTenant;

/// A common tenant configuration. Every preset seeds the [`demo`] users, the "Consent Reviewers"
/// group and publishes [`demo::carerix_app`] (unverified publisher); the clock starts at
/// 2026-01-05T09:00:00Z.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Preset {
    /// "Let Microsoft manage your consent settings", requests never configured: users hit AADSTS90094
    /// for calendar scopes (Microsoft-managed restrictions, Microsoft Learn: "Configure how users consent to applications", Microsoft-managed policy).
    MicrosoftManaged,
    /// "Do not allow user consent" (CISA SCuBA MS.AAD.5.2), requests never configured.
    UserConsentDisabled,
    /// User consent disabled; requests on with the "Consent Reviewers" group as reviewer, 30 days,
    /// reviewer notifications and reminders on.
    WorkflowOn,
    /// "Allow user consent for apps" (legacy): users consent to the calendar scopes alone.
    AllowUserConsent,
}

impl Preset {
    /// Every preset.
    pub const fn all() -> [Preset; 4] {
        [
            Preset::MicrosoftManaged,
            Preset::UserConsentDisabled,
            Preset::WorkflowOn,
            Preset::AllowUserConsent,
        ]
    }

    /// The kebab-case name (`workflow-on`).
    pub const fn name(self) -> &'static str {
        match self {
            Preset::MicrosoftManaged => "microsoft-managed",
            Preset::UserConsentDisabled => "user-consent-disabled",
            Preset::WorkflowOn => "workflow-on",
            Preset::AllowUserConsent => "allow-user-consent",
        }
    }

    /// The user-consent setting the preset applies.
    pub fn user_consent(self) -> UserConsentSetting {
        match self {
            Preset::MicrosoftManaged => UserConsentSetting::MicrosoftManaged,
            Preset::UserConsentDisabled | Preset::WorkflowOn => UserConsentSetting::Disabled,
            Preset::AllowUserConsent => UserConsentSetting::AllowAll,
        }
    }
}

impl fmt::Display for Preset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Preset {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        let key = s.trim().to_ascii_lowercase().replace('_', "-");
        Self::all().into_iter().find(|p| p.name() == key).ok_or_else(|| {
            let names: Vec<&str> = Self::all().iter().map(|p| p.name()).collect();
            Error::invalid("preset", format!("{:?} is not a preset; use one of {}", s.trim(), names.join(", ")))
        })
    }
}

impl MockTenant {
    /// A tenant configured as `p`, with the demo directory (see [`demo`]).
    pub fn preset(p: Preset) -> Self {
        let start = Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0).single().unwrap_or_default();
        let t = MockTenant::new(ManualClock::new(start));
        for (id, name, upn, role) in demo::USERS {
            t.seed_user(*id, name, upn, *role);
        }
        // The group's only member was seeded on the line above, so this cannot fail.
        let _ = t.seed_group(demo::REVIEWERS_GROUP_ID, demo::REVIEWERS_GROUP_NAME, &[demo::CLOUD_ADMIN_ID]);
        t.publish_app(&demo::carerix_app(), false);
        t.set_user_consent(p.user_consent());
        if p == Preset::WorkflowOn {
            t.with(|s| {
                s.request_policy = AdminConsentRequestPolicy {
                    is_enabled: true,
                    notify_reviewers: true,
                    reminders_enabled: true,
                    request_duration_in_days: 30,
                    reviewers: vec![Reviewer::Group(demo::REVIEWERS_GROUP_ID)],
                    version: 1,
                }
            });
        }
        tracing::debug!(preset = %p, "mock tenant seeded");
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_names_list_the_choices() {
        for p in Preset::all() {
            assert_eq!(p.name().parse::<Preset>().unwrap(), p);
        }
        let err = "workflow".parse::<Preset>().unwrap_err().to_string();
        // One name everywhere: the Rust variant is the CLI name in CamelCase.
        for p in Preset::all() {
            let camel: String = p.name().split('-').map(|w| w[..1].to_uppercase() + &w[1..]).collect();
            assert_eq!(format!("{p:?}"), camel);
        }
        assert!(err.contains("workflow-on") && err.contains("allow-user-consent"), "{err}");
    }

    #[test]
    fn presets_seed_the_documented_directory() {
        let t = MockTenant::preset(Preset::WorkflowOn);
        assert_eq!(t.users().len(), demo::USERS.len());
        assert_eq!(t.user_by_upn("EVA@contoso.example").unwrap().id, demo::EVA_ID);
        assert_eq!(consent::Clock::now(&t.clock()).to_rfc3339(), "2026-01-05T09:00:00+00:00");
        assert_eq!(t.groups()[0].members, vec![demo::CLOUD_ADMIN_ID]);
    }
}
