//! `requests list|show|submit|deny`: procedure 2 (the user's "Request approval") and the
//! reviewer's inbox.
//!
//! `submit` and `deny` play the user's prompt and the reviewer's buttons; Microsoft Graph has no API
//! for either, so on Graph they fail with the backend's `Unsupported` error and its hint.

use std::io;

use clap::{Args, Subcommand, ValueEnum};
use consent::{
    AppConsentRequest, ConsentGraph, ConsentRequestSubmission, ConsentReview, ConsentType, Error, Justification, RequestFilter,
    ReviewDecision,
};
use serde::Serialize;

use super::views::{AppRequestView, RequestStatus};
use crate::app::{parse_app_id, AppArgs};
use crate::backend::Backend;
use crate::exit::{CliError, CliResult};
use crate::output::{Human, Output, Report};

/// `consentctl requests …`
#[derive(Debug, Subcommand)]
pub enum RequestsCommand {
    /// List app consent requests with their user requests.
    List(ListArgs),
    /// Show one app consent request.
    Show {
        /// The app consent request id (from `requests list`).
        id: String,
    },
    /// Mock: as the user given by --as, answer "Approval required" with a justification and press "Request approval".
    Submit(SubmitArgs),
    /// Mock: as a reviewer (--as), deny (or block) a request.
    Deny(DenyArgs),
}

/// `requests list` filters.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only requests for this app.
    #[arg(long, value_name = "APP_ID", value_parser = parse_app_id)]
    pub app: Option<consent::AppId>,
    /// Which requests.
    #[arg(long, value_enum, default_value_t = StatusFilter::All)]
    pub status: StatusFilter,
}

/// `--status` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StatusFilter {
    /// At least one user request awaits review.
    Pending,
    /// Decided (approved or denied).
    Completed,
    /// Every user request expired undecided.
    Expired,
    /// Everything.
    All,
}

impl StatusFilter {
    fn admits(self, s: RequestStatus) -> bool {
        match self {
            StatusFilter::All => true,
            StatusFilter::Pending => s == RequestStatus::Pending,
            StatusFilter::Completed => s == RequestStatus::Completed,
            StatusFilter::Expired => s == RequestStatus::Expired,
        }
    }
}

/// `requests submit` arguments (the user is the global `--as`).
#[derive(Debug, Args)]
pub struct SubmitArgs {
    #[command(flatten)]
    pub app: AppArgs,
    /// Why the user needs the app (what they type on the "Approval required" form).
    #[arg(long, value_name = "TEXT", value_parser = parse_justification)]
    pub justification: Justification,
}

/// `requests deny` arguments (the reviewer is the global `--as`, default the Global Administrator).
#[derive(Debug, Args)]
pub struct DenyArgs {
    /// The app consent request id.
    pub id: String,
    /// The reviewer's reason, sent to the requesters.
    #[arg(long, value_name = "TEXT", value_parser = parse_justification)]
    pub justification: Justification,
    /// Block the app as well: its enterprise application is disabled and new requests are refused.
    #[arg(long)]
    pub block: bool,
}

fn parse_justification(s: &str) -> Result<Justification, String> {
    Justification::parse(s).map_err(|e| e.to_string())
}

/// Runs a `requests` command.
pub async fn run(cmd: RequestsCommand, backend: &Backend, out: Output) -> CliResult<RequestsReport> {
    match cmd {
        RequestsCommand::List(a) => list(a, backend, out).await,
        RequestsCommand::Show { id } => show(&id, backend).await,
        RequestsCommand::Submit(a) => submit(a, backend).await,
        RequestsCommand::Deny(a) => deny(a, backend).await,
    }
}

async fn list(a: ListArgs, backend: &Backend, out: Output) -> CliResult<RequestsReport> {
    let admin = backend.admin()?;
    let progress = out.progress("reading consent requests");
    let filter = RequestFilter {
        app_id: a.app,
        pending_only: a.status == StatusFilter::Pending,
    };
    let mut found = admin.list_app_consent_requests(&filter).await?;
    let total = found.len();
    for (i, r) in found.iter_mut().enumerate() {
        progress.set_message(format!("reading user requests {}/{total}", i + 1));
        fill_user_requests(admin.as_ref(), r).await?;
    }
    drop(progress);
    let requests: Vec<AppRequestView> = found
        .iter()
        .map(AppRequestView::new)
        .filter(|v| a.status.admits(v.status))
        .collect();
    Ok(RequestsReport::List {
        count: requests.len(),
        requests,
    })
}

/// The port may return user requests inline or not; read them when it did not.
async fn fill_user_requests(g: &dyn ConsentGraph, r: &mut AppConsentRequest) -> CliResult<()> {
    if r.user_consent_requests.is_empty() {
        r.user_consent_requests = g.list_user_consent_requests(&r.id).await?;
    }
    Ok(())
}

async fn find(g: &dyn ConsentGraph, id: &str) -> CliResult<AppConsentRequest> {
    let all = g.list_app_consent_requests(&RequestFilter::default()).await?;
    let mut r = all.into_iter().find(|r| *r.id == *id).ok_or_else(|| {
        CliError::hinted(
            Error::not_found(format!("consent request {id:?}")),
            "`consentctl requests list` shows the ids you can see (reviewers see only requests assigned to them)",
        )
    })?;
    fill_user_requests(g, &mut r).await?;
    Ok(r)
}

async fn show(id: &str, backend: &Backend) -> CliResult<RequestsReport> {
    let admin = backend.admin()?;
    let r = find(admin.as_ref(), id).await?;
    Ok(RequestsReport::Show {
        request: AppRequestView::new(&r),
    })
}

async fn submit(a: SubmitArgs, backend: &Backend) -> CliResult<RequestsReport> {
    let user = backend.acting(true, "requests submit")?;
    let app = a.app.registration(backend.mock().is_some())?;
    let submission = ConsentRequestSubmission {
        app_id: app.app_id,
        consent_type: ConsentType::Dynamic,
        scopes: app.delegated_scopes(),
        justification: a.justification,
    };
    let created = user.submit_consent_request(&submission).await?;
    Ok(RequestsReport::Submitted {
        request: AppRequestView::new(&created),
    })
}

async fn deny(a: DenyArgs, backend: &Backend) -> CliResult<RequestsReport> {
    let reviewer = backend.acting(false, "requests deny")?;
    let decision = if a.block {
        ReviewDecision::Block(a.justification)
    } else {
        ReviewDecision::Deny(a.justification)
    };
    let review = ConsentReview {
        app_request_id: a.id.as_str().into(),
        decision,
    };
    reviewer.review_consent_request(&review).await?;
    // The decision is recorded; re-reading it is only for display, so a failed read (e.g. a
    // reviewer who can no longer see the closed request) must not turn success into an error.
    let after = find(reviewer.as_ref(), &a.id).await.ok().map(|r| AppRequestView::new(&r));
    Ok(RequestsReport::Reviewed {
        request_id: a.id,
        decision: if a.block { "block" } else { "deny" },
        request: after,
    })
}

/// The JSON document of the `requests` commands, tagged by `command`.
#[derive(Debug, Serialize)]
#[serde(tag = "command")]
pub enum RequestsReport {
    /// `requests list`.
    #[serde(rename = "requests list")]
    List {
        /// How many requests matched.
        count: usize,
        /// The requests.
        requests: Vec<AppRequestView>,
    },
    /// `requests show`.
    #[serde(rename = "requests show")]
    Show {
        /// The request.
        request: AppRequestView,
    },
    /// `requests submit`: the app request the user's request joined.
    #[serde(rename = "requests submit")]
    Submitted {
        /// The request, with only the acting user's user request.
        request: AppRequestView,
    },
    /// `requests deny`.
    #[serde(rename = "requests deny")]
    Reviewed {
        /// The app request id.
        request_id: String,
        /// `deny` or `block`.
        decision: &'static str,
        /// The request after the decision, when the reviewer can still see it.
        request: Option<AppRequestView>,
    },
}

impl Report for RequestsReport {
    fn human(&self, out: &mut Human) -> io::Result<()> {
        match self {
            RequestsReport::List { requests, .. } if requests.is_empty() => out.line("No consent requests match."),
            RequestsReport::List { requests, .. } => {
                let rows = requests.iter().map(AppRequestView::row).collect();
                out.table(&["Request id", "App", "Status", "Scopes", "Requesters", "Oldest"], rows)
            }
            RequestsReport::Show { request } => request.human(out),
            RequestsReport::Submitted { request } => {
                out.verdict(true, &format!("Request submitted for {}", request.app_name()))?;
                request.human(out)?;
                out.line("The reviewers decide in the Entra admin center; the user is emailed when they do.")
            }
            RequestsReport::Reviewed {
                request_id,
                decision,
                request,
            } => {
                let what = if *decision == "block" {
                    "denied and the app blocked"
                } else {
                    "denied"
                };
                out.verdict(true, &format!("Request {request_id} {what}"))?;
                match request {
                    Some(r) => r.human(out),
                    None => Ok(()),
                }
            }
        }
    }
}
