//! `link url|classify`: the user's sign-in link and what came back from it (sans-IO, no backend).
//!
//! `link url` prints the authorize URL. The pending link it creates holds the PKCE verifier, a
//! single-use secret the token exchange needs: it is never printed in human output, only put in the
//! `--json` document (`pending_link`, for a script to store server-side) or written to a file
//! readable by the owner only (`--save-pending`).

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand, ValueEnum};
use consent::link::{classify_callback, Authority, LinkOutcome, LinkRequest, LinkTenant, PendingLink, Prompt};
use consent::{AppId, Guidance, ScopeSet, SystemClock};
use serde::Serialize;
use url::Url;

use super::views::{scope_list, AuthErrorView};
use crate::app::{parse_app_id, parse_scopes};
use crate::backend::parse_arg;
use crate::cli::GlobalArgs;
use crate::exit::{CliError, CliResult, Exit, StoreError};
use crate::guidance_args::GuidanceArgs;
use crate::output::{Human, Output, Report};

/// `consentctl link …`
#[derive(Debug, Subcommand)]
pub enum LinkCommand {
    /// Build the authorize URL (PKCE S256, random state) for the "Link calendar" button. Uses --tenant (default organizations) and --login-url.
    Url(UrlArgs),
    /// Classify the callback Microsoft redirected to; exit 0 when authorized, 3 otherwise.
    Classify(ClassifyArgs),
    /// After consent: classify a linked account's token-endpoint or Graph error; exit 0 healthy, 3 someone must act, 5 transient.
    Diagnose(super::diagnose::DiagnoseArgs),
}

/// `link url` arguments.
#[derive(Debug, Args)]
pub struct UrlArgs {
    /// The product's application (client) id.
    #[arg(long, value_name = "APP_ID", value_parser = parse_app_id)]
    pub client_id: AppId,
    /// The registered redirect URI (https, or http on loopback).
    #[arg(long, value_name = "URI")]
    pub redirect_uri: String,
    /// Delegated permissions to ask for, space-separated.
    #[arg(long, value_name = "SCOPES", value_parser = parse_scopes)]
    pub scopes: ScopeSet,
    /// What Microsoft shows first.
    #[arg(long, value_enum, default_value_t = PromptArg::SelectAccount)]
    pub prompt: PromptArg,
    /// Pre-fill the account (a UPN).
    #[arg(long, value_name = "UPN")]
    pub login_hint: Option<String>,
    /// Also write the pending link (with its PKCE verifier) to this file, owner-readable only.
    #[arg(long, value_name = "PATH")]
    pub save_pending: Option<PathBuf>,
}

/// `--prompt` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PromptArg {
    /// Let the user pick an account.
    SelectAccount,
    /// Force a fresh sign-in.
    Login,
    /// Always show the consent page.
    Consent,
    /// No interaction (fails if any is needed).
    None,
}

impl From<PromptArg> for Prompt {
    fn from(p: PromptArg) -> Self {
        match p {
            PromptArg::SelectAccount => Prompt::SelectAccount,
            PromptArg::Login => Prompt::Login,
            PromptArg::Consent => Prompt::Consent,
            PromptArg::None => Prompt::None,
        }
    }
}

/// `link classify` arguments.
#[derive(Debug, Args)]
pub struct ClassifyArgs {
    /// The callback: the full URL the browser landed on, or its query string.
    #[arg(long, value_name = "CALLBACK_URL")]
    pub url: String,
    /// The state the link was built with; the callback's must match (compared in constant time). Without it (and without --pending) the state is not checked. It may start with `-` (states are random base64url).
    #[arg(long, value_name = "S", conflicts_with = "pending", allow_hyphen_values = true)]
    pub state: Option<String>,
    /// The pending link saved by `link url --save-pending` (or its --json document): full check, including its age.
    #[arg(long, value_name = "PATH")]
    pub pending: Option<PathBuf>,
    /// The app's name, for the guidance text.
    #[arg(long, value_name = "NAME", default_value = "the app")]
    pub app_name: String,
    /// An admin-consent link (from `consentctl admin-consent url`) to hand over in the guidance.
    #[arg(long, value_name = "URL")]
    pub admin_consent_url: Option<String>,
    #[command(flatten)]
    pub guidance: GuidanceArgs,
}

/// Runs a `link` command and prints its report.
pub fn run(cmd: LinkCommand, g: &GlobalArgs, out: &Output) -> CliResult<Exit> {
    match cmd {
        LinkCommand::Url(a) => Ok(out.emit(&url(a, g)?)),
        LinkCommand::Classify(a) => Ok(out.emit(&classify(a)?)),
        LinkCommand::Diagnose(a) => Ok(out.emit(&super::diagnose::run(a)?)),
    }
}

/// The `--login-url` authority (emulator), or Microsoft's global cloud.
pub fn authority(g: &GlobalArgs) -> CliResult<Authority> {
    match &g.graph.login_url {
        Some(u) => parse_arg("--login-url", Authority::parse(u)),
        None => Ok(Authority::Global),
    }
}

fn url(a: UrlArgs, g: &GlobalArgs) -> CliResult<UrlReport> {
    let tenant = match &g.graph.tenant {
        Some(t) => parse_arg("--tenant", LinkTenant::parse(t))?,
        None => LinkTenant::Organizations,
    };
    let mut req = parse_arg("--redirect-uri", LinkRequest::new(a.client_id, &a.redirect_uri, a.scopes.clone()))?
        .tenant(tenant.clone())
        .authority(authority(g)?)
        .prompt(a.prompt.into());
    if let Some(h) = &a.login_hint {
        req = req.login_hint(h);
    }
    let (url, pending) = req.build(&SystemClock)?;
    if let Some(path) = &a.save_pending {
        save_pending(path, &pending)?;
    }
    Ok(UrlReport {
        command: "link url",
        url: url.to_string(),
        state: pending.state().to_owned(),
        tenant: tenant.to_string(),
        client_id: a.client_id.to_string(),
        redirect_uri: a.redirect_uri,
        scopes: scope_list(&a.scopes),
        created_at: pending.created_at().to_rfc3339(),
        pending_saved_to: a.save_pending.map(|p| p.display().to_string()),
        pending_link: pending,
    })
}

/// Writes the pending link readable by the owner only (it contains the PKCE verifier).
///
/// The file is created new (mode 0600 on Unix) next to `path`, fsynced, then renamed over `path`: an
/// existing file's looser mode is never kept, and a symbolic link at `path` is refused rather than
/// written through (a rename replaces a link, never follows it, so a link swapped in later is safe too).
fn save_pending(path: &Path, pending: &PendingLink) -> CliResult<()> {
    let fail = |problem: &str, hint: &str, e: Option<io::Error>| {
        CliError::Store(StoreError {
            path: path.to_path_buf(),
            problem: problem.to_owned(),
            hint: hint.to_owned(),
            source: e,
        })
    };
    let err = |e: io::Error| fail("cannot be written", "check the directory and permissions", Some(e));
    if fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(fail(
            "is a symbolic link; the pending link holds a secret and is never written through a link",
            "pass the path of a regular file (or of one that does not exist yet)",
            None,
        ));
    }
    let json = serde_json::to_string_pretty(pending).map_err(|e| err(e.into()))?;
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    // tempfile creates the file with O_EXCL and mode 0600 on Unix.
    let mut tmp = tempfile::Builder::new()
        .prefix(".pending-link.")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(err)?;
    io::Write::write_all(&mut tmp, json.as_bytes()).map_err(err)?;
    tmp.as_file().sync_all().map_err(err)?;
    tmp.persist(path).map_err(|e| err(e.error))?;
    Ok(())
}

fn load_pending(path: &Path) -> CliResult<PendingLink> {
    let bad = |problem: String, source: Option<io::Error>| {
        CliError::Store(StoreError {
            path: path.to_path_buf(),
            problem,
            hint: "pass the file written by `consentctl link url --save-pending`, or its --json output".to_owned(),
            source,
        })
    };
    let text = fs::read_to_string(path).map_err(|e| bad("cannot be read".to_owned(), Some(e)))?;
    let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| bad(format!("is not JSON: {e}"), None))?;
    // Accept the whole `link url --json` document as well as the bare pending link.
    let pending = value.get("pending_link").cloned().unwrap_or(value);
    serde_json::from_value(pending).map_err(|e| bad(format!("is not a pending link: {e}"), None))
}

fn classify(a: ClassifyArgs) -> CliResult<ClassifyReport> {
    let admin_url = a
        .admin_consent_url
        .as_deref()
        .map(|u| Url::parse(u).map_err(|e| CliError::Usage(format!("invalid value for --admin-consent-url: {e}"))))
        .transpose()?;
    let (outcome, redeemable, state_checked) = match &a.pending {
        Some(path) => (Some(load_pending(path)?.finish(&a.url, &SystemClock)?), true, true),
        None => (classify_callback(&a.url, a.state.as_deref())?, false, a.state.is_some()),
    };
    let product = a.guidance.product(&a.app_name);
    let guidance = outcome
        .as_ref()
        .map(|o| o.guidance(&product, a.guidance.locale(), admin_url.as_ref()));
    Ok(ClassifyReport::new(outcome.as_ref(), redeemable, state_checked, guidance))
}

/// `link url`'s document.
#[derive(Debug, Serialize)]
pub struct UrlReport {
    command: &'static str,
    url: String,
    state: String,
    tenant: String,
    client_id: String,
    redirect_uri: String,
    scopes: Vec<String>,
    created_at: String,
    pending_saved_to: Option<String>,
    /// Store server-side; holds the PKCE verifier.
    pending_link: PendingLink,
}

/// `link classify`'s document.
#[derive(Debug, Serialize)]
pub struct ClassifyReport {
    command: &'static str,
    outcome: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    can_request: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error_codes: Option<Vec<u32>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<AuthErrorView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    state_problem: Option<consent::link::StateProblem>,
    #[serde(skip_serializing_if = "Option::is_none")]
    misconfiguration: Option<consent::link::Misconfiguration>,
    /// Whether the callback's state was compared with an expected one.
    state_checked: bool,
    /// For `authorized`: whether this invocation could redeem the code (only with --pending).
    #[serde(skip_serializing_if = "Option::is_none")]
    code_redeemable: Option<bool>,
    guidance: Option<Guidance>,
}

impl ClassifyReport {
    fn new(o: Option<&LinkOutcome>, redeemable: bool, state_checked: bool, guidance: Option<Guidance>) -> Self {
        let err = o.and_then(LinkOutcome::auth_error);
        let codes = err.map(|e| e.error_codes.clone()).filter(|c| !c.is_empty());
        let (can_request, state_problem, misconfiguration) = match o {
            Some(LinkOutcome::AdminApprovalRequired { can_request, .. }) | Some(LinkOutcome::RiskyAppBlocked { can_request, .. }) => {
                (Some(*can_request), None, None)
            }
            Some(LinkOutcome::StateMismatch { problem }) => (None, Some(*problem), None),
            Some(LinkOutcome::Misconfigured { problem, .. }) => (None, None, Some(*problem)),
            _ => (None, None, None),
        };
        let authorized = o.is_none_or(|o| matches!(o, LinkOutcome::Authorized(_)));
        Self {
            command: "link classify",
            outcome: o.map_or("authorized", LinkOutcome::kind),
            can_request,
            error_codes: codes,
            error: err.map(AuthErrorView::new),
            state_problem,
            misconfiguration,
            state_checked,
            code_redeemable: authorized.then_some(redeemable),
            guidance,
        }
    }
}

impl Report for UrlReport {
    fn human(&self, out: &mut Human) -> io::Result<()> {
        out.line(&self.url)?;
        out.field("State", &self.state)?;
        match &self.pending_saved_to {
            Some(p) => out.field("Pending link saved", p),
            None => out.line(
                "Keep the pending link to finish the sign-in: rerun with --save-pending FILE or --json (it holds the PKCE verifier).",
            ),
        }
    }
}

impl Report for ClassifyReport {
    fn human(&self, out: &mut Human) -> io::Result<()> {
        self.human_text(out)
    }

    fn exit(&self) -> Exit {
        if self.outcome == "authorized" {
            Exit::Success
        } else {
            Exit::ActionNeeded
        }
    }
}

impl ClassifyReport {
    fn human_text(&self, out: &mut Human) -> io::Result<()> {
        out.verdict(self.outcome == "authorized", &format!("Outcome: {}", self.outcome))?;
        if let Some(c) = self.can_request {
            out.field("Can request approval", c)?;
        }
        if let Some(codes) = &self.error_codes {
            let list: Vec<String> = codes.iter().map(|c| format!("AADSTS{c}")).collect();
            out.field("Codes", list.join(", "))?;
        }
        if !self.state_checked {
            out.line("Note: the state was not checked (pass --state or --pending).")?;
        }
        if self.code_redeemable == Some(false) {
            out.line("Microsoft issued a code; only the pending link's verifier can redeem it (pass --pending).")?;
        }
        if let Some(g) = &self.guidance {
            out.line("")?;
            out.line(g.to_text().trim_end())?;
        }
        Ok(())
    }
}
