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
use crate::exit::CliResult;
use crate::output::{Human, Report};

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

async fn change(backend: &Backend, command: &'static str, change: PolicyChange) -> CliResult<PolicyReport> {
    let admin = backend.admin()?;
    let current = admin.get_request_policy().await?;
    let next = change.apply(&current);
    next.validate()?;
    let changed_fields = diff(&current, &next);
    let after = if changed_fields.is_empty() {
        current.clone()
    } else {
        admin.put_request_policy(&next).await?;
        // Read back: the service bumps the version, and what it stored is the truth.
        admin.get_request_policy().await?
    };
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

fn diff(a: &AdminConsentRequestPolicy, b: &AdminConsentRequestPolicy) -> Vec<&'static str> {
    let mut out = Vec::new();
    if a.is_enabled != b.is_enabled {
        out.push("is_enabled");
    }
    if a.reviewers != b.reviewers {
        out.push("reviewers");
    }
    if a.request_duration_in_days != b.request_duration_in_days {
        out.push("request_duration_in_days");
    }
    if a.notify_reviewers != b.notify_reviewers {
        out.push("notify_reviewers");
    }
    if a.reminders_enabled != b.reminders_enabled {
        out.push("reminders_enabled");
    }
    out
}

/// The JSON document of every `policy` command.
#[derive(Debug, Serialize)]
pub struct PolicyReport {
    command: &'static str,
    changed: bool,
    changed_fields: Vec<&'static str>,
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
        let name = match r {
            Reviewer::Role(id) => DirectoryRole::from_template_id(*id).map(|d| d.display_name().to_owned()),
            Reviewer::User(id) => mock
                .and_then(|m| m.users().into_iter().find(|u| u.id == *id))
                .map(|u| u.display_name),
            Reviewer::Group(id) => mock
                .and_then(|m| m.groups().into_iter().find(|g| g.id == *id))
                .map(|g| g.display_name),
        };
        Self {
            spec: r.to_string(),
            kind,
            id: id.to_string(),
            name,
        }
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
        match (self.command, self.changed) {
            ("policy show", _) => out.title("Admin consent request policy")?,
            (_, true) => out.verdict(true, &format!("Policy updated: {}", self.changed_fields.join(", ")))?,
            (_, false) => out.verdict(true, "Policy already as requested; nothing written")?,
        }
        let p = &self.request_policy;
        let on = if p.enabled { "Yes" } else { "No" };
        out.field("Users can request", on)?;
        out.field("Expires after (days)", p.request_duration_in_days)?;
        out.field("Notify reviewers", p.notify_reviewers)?;
        out.field("Reminders", p.reminders_enabled)?;
        out.field("Version", p.version)?;
        out.field("User consent", self.user_consent.label)?;
        if p.reviewers.is_empty() {
            out.field("Reviewers", "(none)")?;
        } else {
            let rows = p
                .reviewers
                .iter()
                .map(|r| vec![r.kind.to_owned(), r.name.clone().unwrap_or_default(), r.id.clone()])
                .collect();
            out.table(&["Reviewer", "Name", "Id"], rows)?;
        }
        if self.changed_fields.contains(&"reviewers") {
            out.line(
                "Note: new reviewers apply to requests created from now on; open requests keep the reviewers they were created with.",
            )?;
        }
        Ok(())
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
        assert_eq!(diff(&a, &b), vec!["is_enabled"]);
        assert!(diff(&a, &a).is_empty());
    }
}
