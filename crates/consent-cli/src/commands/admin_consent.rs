//! `admin-consent url|classify`: the v2 admin-consent link an admin opens to approve in one click,
//! and its callback. Sans-IO, no backend.
//!
//! The callback's `tenant` can be forged, so `classify` needs the `state` and the tenant the link
//! was built for, and refuses anything that does not match.

use std::io;

use clap::{Args, Subcommand};
use consent::link::{AdminConsentLink, AdminConsentOutcome, LinkTenant, PendingAdminConsent, TenantCheck};
use consent::{AppId, Guidance, ScopeSet, SystemClock};
use serde::Serialize;

use super::link::authority;
use super::views::{scope_list, AuthErrorView};
use crate::app::{parse_app_id, parse_scopes};
use crate::backend::parse_arg;
use crate::cli::GlobalArgs;
use crate::exit::{CliError, CliResult, Exit};
use crate::guidance_args::GuidanceArgs;
use crate::output::{Human, Output, Report};

/// `consentctl admin-consent …`
#[derive(Debug, Subcommand)]
pub enum AdminConsentCommand {
    /// Build the admin-consent link for --tenant (GUID, domain or organizations; never common).
    Url(UrlArgs),
    /// Classify the admin-consent callback against --state and --tenant; exit 0 when granted, 3 otherwise.
    Classify(ClassifyArgs),
}

/// `admin-consent url` arguments.
#[derive(Debug, Args)]
pub struct UrlArgs {
    /// The product's application (client) id.
    #[arg(long, value_name = "APP_ID", value_parser = parse_app_id)]
    pub client_id: AppId,
    /// Where Microsoft sends the admin afterwards (https, or http on loopback).
    #[arg(long, value_name = "URI")]
    pub redirect_uri: String,
    /// Explicit permissions (default: Microsoft Graph's `.default`, every registered permission).
    #[arg(
        long,
        value_name = "SCOPES",
        value_parser = parse_scopes,
        help = "Explicit permissions (default: https://graph.microsoft.com/.default, every registered permission)"
    )]
    pub scopes: Option<ScopeSet>,
}

/// `admin-consent classify` arguments.
#[derive(Debug, Args)]
pub struct ClassifyArgs {
    /// The callback: the full URL the admin's browser landed on, or its query string.
    #[arg(long, value_name = "CALLBACK_URL")]
    pub url: String,
    /// The state printed by `admin-consent url`. It may start with `-` (states are random base64url).
    #[arg(long, value_name = "S", allow_hyphen_values = true)]
    pub state: String,
    /// The app's name, for the guidance text.
    #[arg(long, value_name = "NAME", default_value = "the app")]
    pub app_name: String,
    #[command(flatten)]
    pub guidance: GuidanceArgs,
}

/// Runs an `admin-consent` command and prints its report.
pub fn run(cmd: AdminConsentCommand, g: &GlobalArgs, out: &Output) -> CliResult<Exit> {
    let tenant = required_tenant(g)?;
    match cmd {
        AdminConsentCommand::Url(a) => Ok(out.emit(&url(a, tenant, g)?)),
        AdminConsentCommand::Classify(a) => Ok(out.emit(&classify(a, tenant)?)),
    }
}

fn required_tenant(g: &GlobalArgs) -> CliResult<LinkTenant> {
    match &g.graph.tenant {
        Some(t) => parse_arg("--tenant", LinkTenant::parse(t)),
        None => Err(CliError::Usage(
            "admin-consent needs --tenant TENANT: the customer's tenant GUID or verified domain".to_owned(),
        )),
    }
}

fn url(a: UrlArgs, tenant: LinkTenant, g: &GlobalArgs) -> CliResult<UrlReport> {
    let mut link = parse_arg("--redirect-uri", AdminConsentLink::new(a.client_id, tenant, &a.redirect_uri))?.authority(authority(g)?);
    if let Some(s) = a.scopes {
        link = link.scopes(s);
    }
    let (url, pending) = link.build(&SystemClock)?;
    Ok(UrlReport {
        command: "admin-consent url",
        url: url.to_string(),
        state: pending.state().to_owned(),
        tenant: pending.tenant().to_string(),
        client_id: pending.client_id().to_string(),
        scopes: scope_list(pending.scopes()),
        pending_admin_consent: pending,
    })
}

fn classify(a: ClassifyArgs, tenant: LinkTenant) -> CliResult<ClassifyReport> {
    let outcome = AdminConsentOutcome::classify(&a.url, &a.state, tenant.clone())?;
    Ok(ClassifyReport::new(
        &outcome,
        &tenant,
        outcome.guidance(&a.guidance.product(&a.app_name), a.guidance.locale(), None),
    ))
}

/// `admin-consent url`'s document.
#[derive(Debug, Serialize)]
pub struct UrlReport {
    command: &'static str,
    url: String,
    state: String,
    tenant: String,
    client_id: String,
    scopes: Vec<String>,
    /// Nothing secret: state, tenant, scopes, redirect URI, client id, authority, creation time.
    pending_admin_consent: PendingAdminConsent,
}

/// `admin-consent classify`'s document.
#[derive(Debug, Serialize)]
pub struct ClassifyReport {
    command: &'static str,
    /// `granted`, `declined`, `state_mismatch`, `tenant_mismatch` or `other`.
    outcome: &'static str,
    expected_tenant: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    tenant: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tenant_check: Option<TenantCheck>,
    #[serde(skip_serializing_if = "Option::is_none")]
    returned_tenant: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    scopes: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    state_problem: Option<consent::link::StateProblem>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error_codes: Option<Vec<u32>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<AuthErrorView>,
    guidance: Guidance,
}

impl ClassifyReport {
    fn new(o: &AdminConsentOutcome, expected: &LinkTenant, guidance: Guidance) -> Self {
        let mut r = Self {
            command: "admin-consent classify",
            outcome: o.kind(),
            expected_tenant: expected.to_string(),
            tenant: None,
            tenant_check: None,
            returned_tenant: None,
            scopes: None,
            state_problem: None,
            error_codes: None,
            error: None,
            guidance,
        };
        match o {
            AdminConsentOutcome::Granted { tenant, scopes, check } => {
                r.tenant = Some(tenant.to_string());
                r.tenant_check = Some(*check);
                r.scopes = scopes.as_ref().map(scope_list);
            }
            AdminConsentOutcome::Declined { error } | AdminConsentOutcome::Other { error } => {
                r.error_codes = Some(error.error_codes.clone()).filter(|c| !c.is_empty());
                r.error = Some(AuthErrorView::new(error));
            }
            AdminConsentOutcome::StateMismatch { problem } => r.state_problem = Some(*problem),
            AdminConsentOutcome::TenantMismatch { returned, .. } => r.returned_tenant = returned.clone(),
            _ => {}
        }
        r
    }
}

impl Report for UrlReport {
    fn human(&self, out: &mut Human) -> io::Result<()> {
        out.line(&self.url)?;
        out.field("State", &self.state)?;
        out.line("Send the link to an administrator; keep the state to classify the callback.")
    }
}

impl Report for ClassifyReport {
    fn human(&self, out: &mut Human) -> io::Result<()> {
        out.verdict(self.outcome == "granted", &format!("Outcome: {}", self.outcome))?;
        if self.tenant_check == Some(TenantCheck::Unconfirmed) {
            out.line("The returned tenant could not be compared (the link named a domain): confirm it before relying on it.")?;
        }
        out.line("")?;
        out.line(self.guidance.to_text().trim_end())
    }

    fn exit(&self) -> Exit {
        if self.outcome == "granted" {
            Exit::Success
        } else {
            Exit::ActionNeeded
        }
    }
}
