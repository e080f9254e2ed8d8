//! `consentctl revoke --app X`: remove the app's tenant-wide consent ("Revoke permission" on its
//! Permissions page) through the core `revoke` transition, then show the state the tenant falls
//! back to and its guidance.

use std::io;

use clap::Args;
use consent::{observe, revoke_tenant_wide, ConsentState, RevokeReport};
use serde::Serialize;

use super::workflow::StateView;
use crate::app::AppArgs;
use crate::backend::Backend;
use crate::exit::CliResult;
use crate::guidance_args::GuidanceArgs;
use crate::output::{guidance_text, Human, Output, Report};

/// `revoke` arguments.
#[derive(Debug, Args)]
pub struct RevokeArgs {
    #[command(flatten)]
    pub app: AppArgs,
    #[command(flatten)]
    pub guidance: GuidanceArgs,
}

/// The JSON document of `revoke`.
#[derive(Debug, Serialize)]
pub struct RevokeCommandReport {
    command: &'static str,
    previous_state: &'static str,
    grants_deleted: Vec<String>,
    app_role_assignments_deleted: Vec<String>,
    status: StateView,
    guidance: String,
}

/// Revokes tenant-wide consent: the `revoke` transition when the app reads as approved, else the
/// same recipe on whatever tenant-wide grants exist (a partial grant), so the command is idempotent.
pub async fn revoke(a: RevokeArgs, backend: &Backend, out: Output) -> CliResult<RevokeCommandReport> {
    let admin = backend.admin()?;
    let app = a.app.registration(backend.mock().is_some())?;
    let progress = out.progress(&format!("revoking admin consent for {}", app.display_name));
    let before = observe(admin.as_ref(), &app).await?;
    let (product, locale) = (a.guidance.product(&app.display_name), a.guidance.locale());
    let previous_state = before.name();
    let (report, after, guidance): (RevokeReport, ConsentState, consent::Guidance) = match before {
        ConsentState::Approved(handle) => {
            let r = handle.revoke(admin.as_ref()).await?;
            let g = r.guidance(&product, locale);
            (r.report, r.state, g)
        }
        _ => {
            let r = revoke_tenant_wide(admin.as_ref(), &app).await?;
            progress.set_message("reading the tenant again");
            let after = observe(admin.as_ref(), &app).await?;
            let g = after.guidance(&product, locale);
            (r, after, g)
        }
    };
    Ok(RevokeCommandReport {
        command: "revoke",
        previous_state,
        grants_deleted: report.grants_deleted,
        app_role_assignments_deleted: report.app_role_assignments_deleted,
        status: StateView::new(&after),
        guidance: guidance_text(&guidance, false),
    })
}

impl Report for RevokeCommandReport {
    fn human(&self, out: &mut Human) -> io::Result<()> {
        if self.grants_deleted.is_empty() && self.app_role_assignments_deleted.is_empty() {
            out.verdict(true, "No tenant-wide consent to revoke; nothing written")?;
        } else {
            out.verdict(true, "Tenant-wide consent revoked")?;
        }
        out.field("Was", self.previous_state)?;
        out.field("Grants deleted", self.grants_deleted.len())?;
        out.field("App roles removed", self.app_role_assignments_deleted.len())?;
        self.status.human(out)?;
        out.line("")?;
        out.line(&self.guidance)
    }
}
