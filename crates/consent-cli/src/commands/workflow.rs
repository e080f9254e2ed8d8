//! `approve`, `status` and `guide`: procedure 3, the completion check, and the help article, all
//! from the library's typed workflow ([`consent::observe`], [`consent::grant_tenant_wide`]).

use std::io;

use clap::{Args, ValueEnum};
use consent::{grant_tenant_wide, observe, Audience, ConsentGraph, ConsentState, Error, GrantReport, Guidance};
use serde::Serialize;

use super::views::scope_list;
use crate::app::AppArgs;
use crate::backend::Backend;
use crate::exit::{CliError, CliResult, Exit, Needs};
use crate::guidance_args::GuidanceArgs;
use crate::output::{guidance_text, Human, Output, Report};

/// `approve` arguments.
#[derive(Debug, Args)]
pub struct ApproveArgs {
    #[command(flatten)]
    pub app: AppArgs,
}

/// `status` arguments.
#[derive(Debug, Args)]
pub struct StatusArgs {
    #[command(flatten)]
    pub app: AppArgs,
    #[command(flatten)]
    pub guidance: GuidanceArgs,
}

/// `guide` arguments.
#[derive(Debug, Args)]
pub struct GuideArgs {
    #[command(flatten)]
    pub app: AppArgs,
    #[command(flatten)]
    pub guidance: GuidanceArgs,
    /// Only the steps for this audience (default: both).
    #[arg(long, value_enum)]
    pub audience: Option<AudienceArg>,
    /// Markdown instead of plain text.
    #[arg(long)]
    pub markdown: bool,
}

/// `--audience` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AudienceArg {
    /// The employee linking their calendar.
    User,
    /// The tenant administrator or reviewer.
    Admin,
}

impl From<AudienceArg> for Audience {
    fn from(a: AudienceArg) -> Self {
        match a {
            AudienceArg::User => Audience::User,
            AudienceArg::Admin => Audience::Admin,
        }
    }
}

/// What `approve` needs: Microsoft's "Grant tenant-wide admin consent to an application" lists
/// Cloud Application Administrator or Application Administrator (any permission except Microsoft
/// Graph app roles) and Privileged Role Administrator (any permission); Global Administrator can do
/// everything. App-only, the grant's writes need the permissions in docs/graph-permissions.md.
pub static APPROVE_NEEDS: Needs = Needs {
    command: "approve",
    roles: "the role Cloud Application Administrator or Application Administrator (for any permission except Microsoft Graph app roles), or Privileged Role Administrator or Global Administrator (for any permission)",
    permissions: "DelegatedPermissionGrant.ReadWrite.All and Application.ReadWrite.All, plus AppRoleAssignment.ReadWrite.All for app roles",
};

/// `approve`: the idempotent tenant-wide grant, then a re-read and the completion check. A
/// permission refusal at any step names what approving needs, not what that step needed.
pub async fn approve(a: ApproveArgs, backend: &Backend, out: Output) -> CliResult<ApproveReport> {
    approve_steps(a, backend, out).await.map_err(|e| e.needing(&APPROVE_NEEDS))
}

async fn approve_steps(a: ApproveArgs, backend: &Backend, out: Output) -> CliResult<ApproveReport> {
    let admin = backend.admin()?;
    let app = a.app.registration(backend.mock().is_some())?;
    let progress = out.progress(&format!("approving {} tenant-wide", app.display_name));
    let before = observe(admin.as_ref(), &app).await?;
    if let ConsentState::Blocked(_) = before {
        return Err(Error::InvalidTransition {
            state: before.name().to_owned(),
            action: "approve",
            reason: "the app is blocked (its enterprise application is disabled); set \"Enabled for users to sign in?\" to Yes in the Entra admin center, then approve".to_owned(),
        }
        .into());
    }
    let grant = grant_tenant_wide(admin.as_ref(), &app).await?;
    progress.set_message("verifying");
    let after = observe(admin.as_ref(), &app).await?;
    let completion = verify(admin.as_ref(), &after).await?;
    Ok(ApproveReport {
        command: "approve",
        previous_state: before.name(),
        grant: GrantView::new(&grant),
        status: StateView::new(&after),
        completion,
    })
}

async fn verify(g: &dyn ConsentGraph, state: &ConsentState) -> CliResult<Option<CompletionView>> {
    let ConsentState::Approved(handle) = state else {
        return Ok(None);
    };
    let c = handle.verify(g).await?;
    Ok(Some(CompletionView {
        all_users_can_link: c.all_users_can_link,
        granted: scope_list(&c.granted),
        missing: scope_list(&c.missing),
    }))
}

/// What reading the consent state (`status`, `guide`) needs: the read set of
/// docs/graph-permissions.md.
pub static READ_NEEDS: Needs = Needs {
    command: "reading the consent state",
    roles: "the role Global Reader (or a role that may approve)",
    permissions: "Policy.Read.All, ConsentRequest.Read.All, Application.Read.All and Directory.Read.All",
};

fn read_refused(e: Error) -> CliError {
    CliError::from(e).needing(&READ_NEEDS)
}

/// `status`: the observed state and its guidance.
pub async fn status(a: StatusArgs, backend: &Backend) -> CliResult<StatusReport> {
    let admin = backend.admin()?;
    let app = a.app.registration(backend.mock().is_some())?;
    let state = observe(admin.as_ref(), &app).await.map_err(read_refused)?;
    Ok(StatusReport {
        command: "status",
        status: StateView::new(&state),
        guidance: state.guidance(&a.guidance.product(&app.display_name), a.guidance.locale()),
    })
}

/// `guide`: the guidance for the observed state, for one audience or both.
pub async fn guide(a: GuideArgs, backend: &Backend) -> CliResult<GuideReport> {
    let admin = backend.admin()?;
    let app = a.app.registration(backend.mock().is_some())?;
    let state = observe(admin.as_ref(), &app).await.map_err(read_refused)?;
    let full = state.guidance(&a.guidance.product(&app.display_name), a.guidance.locale());
    let guidance = match a.audience {
        Some(aud) => full.for_audience(aud.into()),
        None => full,
    };
    Ok(GuideReport {
        command: "guide",
        state: state.name(),
        audience: a.audience,
        format: if a.markdown { "markdown" } else { "text" },
        text: guidance_text(&guidance, a.markdown),
        guidance,
    })
}

/// The observed state, as every consent command prints it.
#[derive(Debug, Serialize)]
pub struct StateView {
    app_id: String,
    app_display_name: String,
    /// `user_consent_allowed`, `requests_disabled`, `requests_enabled`, `pending`, `approved`,
    /// `denied`, `expired` or `blocked`.
    state: &'static str,
    users_can_link: bool,
    coverage: CoverageView,
    /// The state's own data, as the library serializes it (`ConsentState`'s `details`).
    details: serde_json::Value,
    observed_at: String,
}

#[derive(Debug, Serialize)]
struct CoverageView {
    granted: Vec<String>,
    missing: Vec<String>,
    missing_app_roles: Vec<String>,
    drift: bool,
}

impl StateView {
    pub(crate) fn new(s: &ConsentState) -> Self {
        let cov = s.coverage();
        let whole = serde_json::to_value(s).unwrap_or_default();
        Self {
            app_id: s.app().app_id.to_string(),
            app_display_name: s.app().display_name.clone(),
            state: s.name(),
            users_can_link: s.users_can_link(),
            coverage: CoverageView {
                granted: scope_list(&cov.granted),
                missing: scope_list(&cov.missing),
                missing_app_roles: cov.missing_app_roles.iter().map(|r| r.as_str().to_owned()).collect(),
                drift: cov.has_drift(),
            },
            details: whole.get("details").cloned().unwrap_or_default(),
            observed_at: whole.get("observed_at").and_then(|v| v.as_str()).unwrap_or_default().to_owned(),
        }
    }

    fn exit(&self) -> Exit {
        if self.users_can_link {
            Exit::Success
        } else {
            Exit::ActionNeeded
        }
    }

    pub(crate) fn human(&self, out: &mut Human) -> io::Result<()> {
        if self.app_display_name == self.app_id {
            out.field("App", &self.app_id)?;
        } else {
            out.field("App", format!("{} ({})", self.app_display_name, self.app_id))?;
        }
        out.field("State", state_line(self.state))?;
        out.field("Granted tenant-wide", or_none(&self.coverage.granted))?;
        out.field("Missing", or_none(&self.coverage.missing))?;
        if self.coverage.drift {
            out.line("Scope drift: the app now needs permissions beyond what was approved before.")?;
        }
        out.verdict(
            self.users_can_link,
            if self.users_can_link {
                "Every employee can link without an administrator."
            } else {
                "Action needed before employees can link."
            },
        )
    }
}

/// A state's name (`requests_enabled`, the JSON value) in words for people.
pub fn state_words(name: &str) -> &str {
    match name {
        "user_consent_allowed" => "users may consent themselves",
        "requests_disabled" => "consent requests are off",
        "requests_enabled" => "consent requests are on; none pending",
        "pending" => "a request awaits review",
        "approved" => "approved tenant-wide",
        "denied" => "the request was denied",
        "expired" => "the request expired undecided",
        "blocked" => "the app is blocked",
        other => other,
    }
}

/// The words, then the name `--json` and the docs use, so the two can be matched.
fn state_line(name: &str) -> String {
    format!("{} ({name})", state_words(name))
}

fn or_none(v: &[String]) -> String {
    if v.is_empty() {
        "(none)".to_owned()
    } else {
        v.join(" ")
    }
}

/// The JSON document of `status`.
#[derive(Debug, Serialize)]
pub struct StatusReport {
    command: &'static str,
    #[serde(flatten)]
    status: StateView,
    guidance: Guidance,
}

impl Report for StatusReport {
    fn human(&self, out: &mut Human) -> io::Result<()> {
        self.status.human(out)?;
        out.line("")?;
        out.line(self.guidance.to_text().trim_end())
    }

    fn exit(&self) -> Exit {
        self.status.exit()
    }
}

/// The JSON document of `guide`.
#[derive(Debug, Serialize)]
pub struct GuideReport {
    command: &'static str,
    state: &'static str,
    audience: Option<AudienceArg>,
    format: &'static str,
    text: String,
    guidance: Guidance,
}

impl Report for GuideReport {
    fn human(&self, out: &mut Human) -> io::Result<()> {
        out.line(self.text.trim_end())
    }
}

#[derive(Debug, Serialize)]
struct GrantView {
    changed: bool,
    service_principal_id: Option<String>,
    created_service_principal: bool,
    grants_created: usize,
    grants_updated: usize,
    app_roles_assigned: Vec<String>,
}

impl GrantView {
    fn new(g: &GrantReport) -> Self {
        Self {
            changed: !g.is_noop(),
            service_principal_id: g.service_principal_id.map(|i| i.to_string()),
            created_service_principal: g.created_service_principal,
            grants_created: g.grants_created,
            grants_updated: g.grants_updated,
            app_roles_assigned: g.app_roles_assigned.iter().map(|r| r.as_str().to_owned()).collect(),
        }
    }
}

#[derive(Debug, Serialize)]
struct CompletionView {
    all_users_can_link: bool,
    granted: Vec<String>,
    missing: Vec<String>,
}

/// The JSON document of `approve`.
#[derive(Debug, Serialize)]
pub struct ApproveReport {
    command: &'static str,
    previous_state: &'static str,
    grant: GrantView,
    status: StateView,
    completion: Option<CompletionView>,
}

impl Report for ApproveReport {
    fn human(&self, out: &mut Human) -> io::Result<()> {
        let g = &self.grant;
        if g.changed {
            out.verdict(true, "Tenant-wide consent granted")?;
        } else {
            out.verdict(true, "Already granted tenant-wide; nothing written")?;
        }
        out.field("Before", state_line(self.previous_state))?;
        out.field("Service principal", g.service_principal_id.as_deref().unwrap_or("-"))?;
        out.field("Created it", g.created_service_principal)?;
        out.field("Grants created", g.grants_created)?;
        out.field("Grants widened", g.grants_updated)?;
        if !g.app_roles_assigned.is_empty() {
            out.field("App roles assigned", g.app_roles_assigned.join(" "))?;
        }
        self.status.human(out)
    }

    fn exit(&self) -> Exit {
        match &self.completion {
            Some(c) if c.all_users_can_link => Exit::Success,
            _ => Exit::ActionNeeded,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_state_has_words() {
        for name in [
            "user_consent_allowed",
            "requests_disabled",
            "requests_enabled",
            "pending",
            "approved",
            "denied",
            "expired",
            "blocked",
        ] {
            assert_ne!(state_words(name), name);
        }
    }
}
