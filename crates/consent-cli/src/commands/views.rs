//! JSON views of library objects shared by several commands. They are the CLI's documented schema,
//! decoupled from the library's Graph-shaped serde so the CLI's output stays stable.

use std::io;

use chrono::{DateTime, Utc};
use consent::{AppConsentRequest, ConsentType, RequestOutcome, ScopeSet, UserConsentRequest};
use serde::Serialize;

use crate::output::Human;

/// Scopes as a JSON array of strings.
pub fn scope_list(s: &ScopeSet) -> Vec<String> {
    s.iter().map(|x| x.as_str().to_owned()).collect()
}

/// An app request's overall status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestStatus {
    /// At least one user request awaits review.
    Pending,
    /// Every user request was decided (or it has none).
    Completed,
    /// Every user request expired undecided.
    Expired,
}

impl RequestStatus {
    fn of(users: &[UserConsentRequest]) -> Self {
        let outcomes: Vec<RequestOutcome> = users.iter().map(UserConsentRequest::outcome).collect();
        if outcomes.contains(&RequestOutcome::Pending) {
            RequestStatus::Pending
        } else if !outcomes.is_empty() && outcomes.iter().all(|o| *o == RequestOutcome::Expired) {
            RequestStatus::Expired
        } else {
            RequestStatus::Completed
        }
    }

    fn label(self) -> &'static str {
        match self {
            RequestStatus::Pending => "pending",
            RequestStatus::Completed => "completed",
            RequestStatus::Expired => "expired",
        }
    }
}

/// `appConsentRequest` as the CLI prints it.
#[derive(Debug, Serialize)]
pub struct AppRequestView {
    /// The app consent request id.
    pub id: String,
    /// The client app id.
    pub app_id: String,
    /// The app's display name, when known.
    pub app_display_name: Option<String>,
    /// `static`, `dynamic`, or null.
    pub consent_type: Option<&'static str>,
    /// Overall status.
    pub status: RequestStatus,
    /// Scopes awaiting consent.
    pub pending_scopes: Vec<String>,
    /// The users' requests, oldest first.
    pub user_requests: Vec<UserRequestView>,
}

/// `userConsentRequest` as the CLI prints it.
#[derive(Debug, Serialize)]
pub struct UserRequestView {
    /// The user request id.
    pub id: String,
    /// `pending`, `approved`, `denied` or `expired`.
    pub outcome: RequestOutcome,
    /// Who asked.
    pub requester: Option<Requester>,
    /// Their justification.
    pub reason: Option<String>,
    /// When they asked.
    pub created_at: DateTime<Utc>,
    /// Who decided, when someone did.
    pub reviewed_by: Option<String>,
    /// The reviewer's justification.
    pub review_justification: Option<String>,
    /// When it was decided.
    pub reviewed_at: Option<DateTime<Utc>>,
}

/// A requester.
#[derive(Debug, Serialize)]
pub struct Requester {
    /// Object id.
    pub id: String,
    /// Display name.
    pub display_name: Option<String>,
    /// UPN.
    pub user_principal_name: Option<String>,
}

impl AppRequestView {
    /// The view of `r` (its user requests must already be filled in).
    pub fn new(r: &AppConsentRequest) -> Self {
        let mut users: Vec<&UserConsentRequest> = r.user_consent_requests.iter().collect();
        users.sort_by_key(|u| u.created_date_time);
        Self {
            id: r.id.to_string(),
            app_id: r.app_id.to_string(),
            app_display_name: r.app_display_name.as_deref().map(str::to_owned),
            consent_type: r.consent_type.map(|c| match c {
                ConsentType::Static => "static",
                ConsentType::Dynamic => "dynamic",
            }),
            status: RequestStatus::of(&r.user_consent_requests),
            pending_scopes: scope_list(&r.pending_scope_set()),
            user_requests: users.into_iter().map(UserRequestView::new).collect(),
        }
    }

    /// The app's name, or its id.
    pub fn app_name(&self) -> &str {
        self.app_display_name.as_deref().unwrap_or(&self.app_id)
    }

    /// One table row for `requests list`.
    pub fn row(&self) -> Vec<String> {
        let who: Vec<String> = self.user_requests.iter().map(UserRequestView::who).collect();
        let oldest = self
            .user_requests
            .first()
            .map(|u| u.created_at.format("%Y-%m-%d").to_string())
            .unwrap_or_default();
        vec![
            self.id.clone(),
            self.app_name().to_owned(),
            self.status.label().to_owned(),
            self.pending_scopes.join(" "),
            who.join(", "),
            oldest,
        ]
    }

    /// The detailed human form.
    pub fn human(&self, out: &mut Human) -> io::Result<()> {
        out.field("Request id", &self.id)?;
        out.field("App", format!("{} ({})", self.app_name(), self.app_id))?;
        out.field("Status", self.status.label())?;
        out.field("Scopes", self.pending_scopes.join(" "))?;
        if self.user_requests.is_empty() {
            return Ok(());
        }
        let rows = self
            .user_requests
            .iter()
            .map(|u| {
                vec![
                    u.who(),
                    format!("{:?}", u.outcome).to_lowercase(),
                    u.created_at.format("%Y-%m-%d %H:%M").to_string(),
                    u.reason.clone().unwrap_or_default(),
                    u.reviewed_by.clone().unwrap_or_default(),
                ]
            })
            .collect();
        out.table(&["Requester", "Outcome", "Asked", "Justification", "Reviewed by"], rows)
    }
}

impl UserRequestView {
    fn new(u: &UserConsentRequest) -> Self {
        let stage = u.approval.as_ref().and_then(|a| a.stages.first());
        let reviewer = stage.and_then(|s| s.reviewed_by.as_ref());
        Self {
            id: u.id.to_string(),
            outcome: u.outcome(),
            requester: u.created_by.user.as_ref().map(|p| Requester {
                id: p.id.to_string(),
                display_name: p.display_name.as_deref().map(str::to_owned),
                user_principal_name: p.user_principal_name.as_deref().map(str::to_owned),
            }),
            reason: u.reason.as_deref().map(str::to_owned),
            created_at: u.created_date_time,
            reviewed_by: reviewer.map(|r| r.display_name.as_deref().filter(|n| !n.is_empty()).unwrap_or(&r.id).to_owned()),
            review_justification: stage.and_then(|s| s.justification.as_deref().map(str::to_owned)),
            reviewed_at: stage.and_then(|s| s.reviewed_date_time),
        }
    }

    fn who(&self) -> String {
        self.requester
            .as_ref()
            .map(|r| {
                r.user_principal_name
                    .clone()
                    .or_else(|| r.display_name.clone())
                    .unwrap_or_else(|| r.id.clone())
            })
            .unwrap_or_default()
    }
}

/// What Microsoft put in an error redirect, as the CLI prints it.
#[derive(Debug, Serialize)]
pub struct AuthErrorView {
    /// The OAuth `error`.
    pub error: String,
    /// `error_subcode` (`cancel` when the user backed out).
    pub error_subcode: Option<String>,
    /// AADSTS codes.
    pub error_codes: Vec<u32>,
    /// `error_description` (bounded by the library), with Microsoft's trace and correlation ids.
    pub description: Option<String>,
}

impl AuthErrorView {
    /// The view of a library [`consent::link::AuthError`].
    pub fn new(e: &consent::link::AuthError) -> Self {
        Self {
            error: e.error.clone(),
            error_subcode: e.error_subcode.clone(),
            error_codes: e.error_codes.clone(),
            description: e.description.clone(),
        }
    }
}
