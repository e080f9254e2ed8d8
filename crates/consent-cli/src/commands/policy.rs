//! `policy show|enable|disable`: procedure 1, the consent-request policy.
//!
//! Graph's update is a PUT that replaces the whole object, so `enable`/`disable` read the current
//! policy, apply only the flags given ([`PolicyChange`]), validate, and write it back — and skip the
//! write entirely when nothing would change.

use std::io;

use clap::{Args, Subcommand};
use consent::{AdminConsentRequestPolicy, PolicyChange, Reviewer, UserConsentSetting};
use consent_mock::{DirectoryRole, MockTenant};
use serde::Serialize;

use crate::backend::Backend;
use crate::exit::{CliResult, Needs};
use crate::output::{FieldValue, Human, Report};

/// `consentctl policy …`
#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Show the consent-request policy and the tenant's user-consent setting.
    Show,
    /// Turn on "Users can request admin consent to apps they are unable to consent to"; changes only the flags given.
    Enable(EnableArgs),
    /// Turn consent requests off (reviewers and other settings are kept).
    Disable,
}

/// `policy enable` flags. Unset flags keep the tenant's current value.
#[derive(Debug, Args)]
pub struct EnableArgs {
    /// Who reviews requests: user:ID, group:ID or role:ID (role = directory role template id). Repeatable; replaces the list.
    #[arg(long = "reviewer", value_name = "KIND:ID", value_parser = parse_reviewer)]
    pub reviewers: Vec<Reviewer>,
    /// Days until an undecided request expires (1-30).
    #[arg(long, value_name = "N")]
    pub duration_days: Option<u32>,
    /// Email reviewers when a request arrives.
    #[arg(long, overrides_with = "no_notify")]
    pub notify: bool,
    /// Do not email reviewers when a request arrives.
    #[arg(long, overrides_with = "notify")]
    pub no_notify: bool,
    /// Email reviewers before a request expires.
    #[arg(long, overrides_with = "no_reminders")]
    pub reminders: bool,
    /// Do not send expiry reminders.
    #[arg(long, overrides_with = "reminders")]
    pub no_reminders: bool,
}

fn parse_reviewer(s: &str) -> Result<Reviewer, String> {
    Reviewer::parse_spec(s).map_err(|e| e.to_string())
}

fn flag(yes: bool, no: bool) -> Option<bool> {
    match (yes, no) {
        (true, _) => Some(true),
        (_, true) => Some(false),
        _ => None,
    }
}

impl EnableArgs {
    fn change(&self) -> PolicyChange {
        PolicyChange {
            enable: Some(true),
            reviewers: (!self.reviewers.is_empty()).then(|| self.reviewers.clone()),
            request_duration_in_days: self.duration_days,
            notify_reviewers: flag(self.notify, self.no_notify),
            reminders_enabled: flag(self.reminders, self.no_reminders),
        }
    }
}

/// What `policy enable` and `policy disable` need: the policy update's roles and permission
/// (docs/graph-permissions.md).
pub static CHANGE_NEEDS: Needs = Needs {
    command: "changing the consent-request policy",
    roles: "the role Cloud Application Administrator, Application Administrator or Global Administrator",
    permissions: "Policy.ReadWrite.ConsentRequest",
};

/// Runs a `policy` command.
pub async fn run(cmd: PolicyCommand, backend: &Backend) -> CliResult<PolicyReport> {
    match cmd {
        PolicyCommand::Show => show(backend).await,
        PolicyCommand::Enable(a) => change(backend, "policy enable", a.change()).await,
        PolicyCommand::Disable => {
            let change = PolicyChange {
                enable: Some(false),
                ..PolicyChange::default()
            };
            self::change(backend, "policy disable", change).await
        }
    }
}

async fn show(backend: &Backend) -> CliResult<PolicyReport> {
    let admin = backend.admin()?;
    let policy = admin.get_request_policy().await?;
    let authz = admin.get_authorization_policy().await?;
    Ok(PolicyReport {
        command: "policy show",
        changed: false,
        changed_fields: Vec::new(),
        request_policy: PolicyView::new(&policy, backend.mock()),
        previous: None,
        user_consent: UserConsentView::new(&authz.user_consent()),
    })
}

/// Reads, applies, validates and writes back the policy; a permission refusal at any step names
/// what changing the policy needs.
async fn change(backend: &Backend, command: &'static str, change: PolicyChange) -> CliResult<PolicyReport> {
    change_steps(backend, command, change).await.map_err(|e| e.needing(&CHANGE_NEEDS))
}

async fn change_steps(backend: &Backend, command: &'static str, change: PolicyChange) -> CliResult<PolicyReport> {
    let admin = backend.admin()?;
    let current = admin.get_request_policy().await?;
    let next = change.apply(&current);
    next.validate()?;
    let after = if diff(&current, &next).is_empty() {
        current.clone()
    } else {
        admin.put_request_policy(&next).await?;
        // Read back: the service bumps the version, and what it stored is the truth.
        admin.get_request_policy().await?
    };
    // What changed is what the tenant now holds, compared with what it held.
    let changed_fields = diff(&current, &after);
    let authz = admin.get_authorization_policy().await?;
    Ok(PolicyReport {
        command,
        changed: !changed_fields.is_empty(),
        changed_fields,
        request_policy: PolicyView::new(&after, backend.mock()),
        previous: Some(PolicyView::new(&current, backend.mock())),
        user_consent: UserConsentView::new(&authz.user_consent()),
    })
}

/// A policy setting, by its JSON name (`changed_fields`) and its words for people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
enum PolicyField {
    IsEnabled,
    Reviewers,
    RequestDurationInDays,
    NotifyReviewers,
    RemindersEnabled,
}

impl PolicyField {
    const ALL: [PolicyField; 5] = [
        PolicyField::IsEnabled,
        PolicyField::Reviewers,
        PolicyField::RequestDurationInDays,
        PolicyField::NotifyReviewers,
        PolicyField::RemindersEnabled,
    ];

    /// The words human output uses (the admin center's, where it has them).
    fn label(self) -> &'static str {
        match self {
            PolicyField::IsEnabled => "Users can request",
            PolicyField::Reviewers => "Reviewers",
            PolicyField::RequestDurationInDays => "Expires after (days)",
            PolicyField::NotifyReviewers => "Email reviewers",
            PolicyField::RemindersEnabled => "Expiry reminders",
        }
    }

    fn differs(self, a: &AdminConsentRequestPolicy, b: &AdminConsentRequestPolicy) -> bool {
        match self {
            PolicyField::IsEnabled => a.is_enabled != b.is_enabled,
            PolicyField::Reviewers => a.reviewers != b.reviewers,
            PolicyField::RequestDurationInDays => a.request_duration_in_days != b.request_duration_in_days,
            PolicyField::NotifyReviewers => a.notify_reviewers != b.notify_reviewers,
            PolicyField::RemindersEnabled => a.reminders_enabled != b.reminders_enabled,
        }
    }

    /// The setting's value in `p`, as human output shows it.
    fn show(self, p: &PolicyView) -> String {
        match self {
            PolicyField::IsEnabled => p.enabled.render(),
            PolicyField::Reviewers => p.reviewer_names(),
            PolicyField::RequestDurationInDays => p.request_duration_in_days.render(),
            PolicyField::NotifyReviewers => p.notify_reviewers.render(),
            PolicyField::RemindersEnabled => p.reminders_enabled.render(),
        }
    }
}

/// The settings that differ between `a` and `b` (the version is bookkeeping, not a setting).
fn diff(a: &AdminConsentRequestPolicy, b: &AdminConsentRequestPolicy) -> Vec<PolicyField> {
    PolicyField::ALL.into_iter().filter(|f| f.differs(a, b)).collect()
}

/// The JSON document of every `policy` command.
#[derive(Debug, Serialize)]
pub struct PolicyReport {
    command: &'static str,
    changed: bool,
    changed_fields: Vec<PolicyField>,
    request_policy: PolicyView,
    #[serde(skip_serializing_if = "Option::is_none")]
    previous: Option<PolicyView>,
    user_consent: UserConsentView,
}

#[derive(Debug, Serialize)]
struct PolicyView {
    enabled: bool,
    reviewers: Vec<ReviewerView>,
    request_duration_in_days: u32,
    notify_reviewers: bool,
    reminders_enabled: bool,
    version: u32,
}

impl PolicyView {
    /// The reviewers by name where known, else by `kind:id`.
    fn reviewer_names(&self) -> String {
        if self.reviewers.is_empty() {
            return "(none)".to_owned();
        }
        let names: Vec<String> = self
            .reviewers
            .iter()
            .map(|r| r.name.clone().unwrap_or_else(|| r.spec.clone()))
            .collect();
        names.join(", ")
    }

    fn new(p: &AdminConsentRequestPolicy, mock: Option<&MockTenant>) -> Self {
        Self {
            enabled: p.is_enabled,
            reviewers: p.reviewers.iter().map(|r| ReviewerView::new(r, mock)).collect(),
            request_duration_in_days: p.request_duration_in_days,
            notify_reviewers: p.notify_reviewers,
            reminders_enabled: p.reminders_enabled,
            version: p.version,
        }
    }
}

#[derive(Debug, Serialize)]
struct ReviewerView {
    /// `user:ID`, `group:ID` or `role:ID`, the form `--reviewer` takes.
    spec: String,
    kind: &'static str,
    id: String,
    /// A display name when the CLI can tell (roles always; users and groups on the mock).
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
}

impl ReviewerView {
    fn new(r: &Reviewer, mock: Option<&MockTenant>) -> Self {
        let (kind, id) = match r {
            Reviewer::User(id) => ("user", *id),
            Reviewer::Group(id) => ("group", *id),
            Reviewer::Role(id) => ("role", *id),
        };
        let name = reviewer_name(r, mock);
        Self {
            spec: r.to_string(),
            kind,
            id: id.to_string(),
            name,
        }
    }
}

/// A reviewer's display name when the CLI can tell (roles always; users and groups on the mock).
pub fn reviewer_name(r: &Reviewer, mock: Option<&MockTenant>) -> Option<String> {
    match r {
        Reviewer::Role(id) => DirectoryRole::from_template_id(*id).map(|d| d.display_name().to_owned()),
        Reviewer::User(id) => mock
            .and_then(|m| m.users().into_iter().find(|u| u.id == *id))
            .map(|u| u.display_name.to_string()),
        Reviewer::Group(id) => mock
            .and_then(|m| m.groups().into_iter().find(|g| g.id == *id))
            .map(|g| g.display_name),
    }
}

#[derive(Debug, Serialize)]
struct UserConsentView {
    /// `disabled`, `verified_publishers_low_risk`, `microsoft_managed`, `allow_all` or `custom`.
    setting: &'static str,
    /// The label the Entra admin center shows.
    label: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    custom_policies: Vec<String>,
}

impl UserConsentView {
    fn new(s: &UserConsentSetting) -> Self {
        let (setting, custom_policies) = match s {
            UserConsentSetting::Disabled => ("disabled", Vec::new()),
            UserConsentSetting::VerifiedPublishersLowRisk => ("verified_publishers_low_risk", Vec::new()),
            UserConsentSetting::MicrosoftManaged => ("microsoft_managed", Vec::new()),
            UserConsentSetting::AllowAll => ("allow_all", Vec::new()),
            UserConsentSetting::Custom(ids) => ("custom", ids.clone()),
        };
        Self {
            setting,
            label: s.portal_label(),
            custom_policies,
        }
    }
}

impl Report for PolicyReport {
    fn human(&self, out: &mut Human) -> io::Result<()> {
        match (&self.previous, self.changed) {
            (None, _) => {}
            (Some(before), true) => {
                out.verdict(true, "Policy updated")?;
                out.line("  Changed:")?;
                for f in &self.changed_fields {
                    out.change(f.label(), f.show(before), f.show(&self.request_policy))?;
                }
            }
            (Some(_), false) => out.verdict(true, "Policy already as requested; nothing written")?,
        }
        out.title("Admin consent request policy")?;
        let p = &self.request_policy;
        out.field(PolicyField::IsEnabled.label(), p.enabled)?;
        out.field(PolicyField::RequestDurationInDays.label(), p.request_duration_in_days)?;
        out.field(PolicyField::NotifyReviewers.label(), p.notify_reviewers)?;
        out.field(PolicyField::RemindersEnabled.label(), p.reminders_enabled)?;
        out.field("Version", p.version)?;
        out.field("User consent", self.user_consent.label)?;
        if p.reviewers.is_empty() {
            out.field(PolicyField::Reviewers.label(), "(none)")?;
        } else {
            let rows = p
                .reviewers
                .iter()
                .map(|r| vec![kind_words(r.kind).to_owned(), r.name.clone().unwrap_or_default(), r.id.clone()])
                .collect();
            out.table(&["Reviewer", "Name", "Object id"], rows)?;
        }
        if self.changed_fields.contains(&PolicyField::Reviewers) {
            out.line(
                "Note: new reviewers apply to requests created from now on; open requests keep the reviewers they were created with.",
            )?;
        }
        Ok(())
    }
}

fn kind_words(kind: &str) -> &'static str {
    match kind {
        "user" => "User",
        "group" => "Group",
        _ => "Directory role",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unset_flags_leave_fields_alone() {
        let a = EnableArgs {
            reviewers: vec![],
            duration_days: None,
            notify: false,
            no_notify: true,
            reminders: false,
            no_reminders: false,
        };
        let c = a.change();
        assert_eq!(c.enable, Some(true));
        assert_eq!(c.reviewers, None);
        assert_eq!(c.notify_reviewers, Some(false));
        assert_eq!(c.reminders_enabled, None);
    }

    #[test]
    fn diff_names_changed_fields_only() {
        let a = AdminConsentRequestPolicy::never_configured();
        let mut b = a.clone();
        b.is_enabled = true;
        b.version = 9;
        assert_eq!(diff(&a, &b), vec![PolicyField::IsEnabled]);
        assert_eq!(serde_json::to_value(diff(&a, &b)).unwrap(), serde_json::json!(["is_enabled"]));
        assert!(diff(&a, &a).is_empty());
    }
}
