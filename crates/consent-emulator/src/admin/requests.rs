//! Enterprise applications → Activity → Admin consent requests: "My Pending" (what the signed-in
//! reviewer may act on) and "All (Preview)"; a request's page with "App details", "Requested by" and
//! the permissions; "Review permissions and consent" → the consent dialog → Accept, which runs the
//! workflow's [`consent::Consent::approve`]; Deny and Block with a justification. Only a reviewer
//! of an open request (the policy's reviewers, resolved when the request was filed) may act: the
//! others see it read-only and their POSTs are refused with 403.

use std::sync::Arc;

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum_extra::extract::cookie::CookieJar;
use consent::{AppConsentRequest, ConsentGraph, ConsentState, Justification, RequestFilter, UserConsentRequest, UserRequestStatus};
use serde::Deserialize;

use super::{
    date, message_page, page_ctx, permission_rows, post_ctx, render, see_other, write_error, Answer, Chrome, Ctx, NoticeQuery,
    PermissionRow,
};
use crate::server::Shared;

struct RequestRow {
    id: String,
    app_name: String,
    requesters: usize,
    status: &'static str,
    created: String,
    expires: String,
}

#[derive(Template)]
#[template(path = "admin/requests.html")]
struct ListPage {
    chrome: Chrome,
    pending_tab: bool,
    rows: Vec<RequestRow>,
}

#[derive(Debug, Deserialize, Default)]
pub(crate) struct ListQuery {
    tab: Option<String>,
    notice: Option<String>,
}

fn is_open(u: &UserConsentRequest) -> bool {
    u.status == UserRequestStatus::InProgress
}

fn assigned_to_me(u: &UserConsentRequest) -> bool {
    u.approval
        .as_ref()
        .is_some_and(|a| a.stages.iter().any(|s| s.assigned_to_me == Some(true)))
}

/// True when the viewer of `r` may act on it: an open user request has a stage assigned to them.
fn can_act(r: &AppConsentRequest) -> bool {
    r.user_consent_requests.iter().any(|u| is_open(u) && assigned_to_me(u))
}

fn status_of(r: &AppConsentRequest) -> &'static str {
    if r.user_consent_requests.iter().any(is_open) {
        return "Pending";
    }
    match r
        .user_consent_requests
        .iter()
        .max_by_key(|u| u.created_date_time)
        .map(UserConsentRequest::outcome)
    {
        Some(consent::RequestOutcome::Approved) => "Approved",
        Some(consent::RequestOutcome::Denied) => "Denied",
        Some(consent::RequestOutcome::Expired) => "Expired",
        _ => "Closed",
    }
}

async fn visible_requests(ctx: &Ctx) -> consent::Result<Vec<AppConsentRequest>> {
    ctx.graph.list_app_consent_requests(&RequestFilter::default()).await
}

fn crumbs() -> Vec<(String, String)> {
    vec![
        ("Enterprise applications".to_owned(), "/admin/apps".to_owned()),
        ("Admin consent requests".to_owned(), "/admin/requests".to_owned()),
    ]
}

/// `GET /admin/requests[?tab=pending|all]`.
pub(crate) async fn list(State(shared): State<Arc<Shared>>, jar: CookieJar, Query(q): Query<ListQuery>) -> Answer {
    let ctx = page_ctx(&shared, &jar)?;
    let pending_tab = q.tab.as_deref() != Some("all");
    let all = match visible_requests(&ctx).await {
        Ok(v) => v,
        // A user who may not read requests at all sees an empty list.
        Err(consent::Error::PermissionDenied { .. }) => Vec::new(),
        Err(e) => return Err(write_error(&ctx, &e, "/admin")),
    };
    let days = ctx
        .graph
        .get_request_policy()
        .await
        .map(|p| i64::from(p.request_duration_in_days))
        .unwrap_or(30);
    let rows = all
        .iter()
        .filter(|r| !pending_tab || can_act(r))
        .map(|r| {
            let created = r.user_consent_requests.iter().map(|u| u.created_date_time).min();
            let latest = r.user_consent_requests.iter().map(|u| u.created_date_time).max();
            let mut requesters: Vec<String> = r
                .user_consent_requests
                .iter()
                .filter_map(|u| u.created_by.user.as_ref().map(|x| x.id.to_string()))
                .collect();
            requesters.sort();
            requesters.dedup();
            RequestRow {
                id: r.id.to_string(),
                app_name: r.app_display_name.as_deref().map_or_else(|| r.app_id.to_string(), str::to_owned),
                requesters: requesters.len(),
                status: status_of(r),
                created: created.map(date).unwrap_or_default(),
                expires: latest.map(|l| date(l + chrono::Duration::days(days))).unwrap_or_default(),
            }
        })
        .collect();
    let mut chrome = ctx.chrome("Admin consent requests", "requests", crumbs());
    chrome.notice = q.notice;
    Ok(render(&ListPage { chrome, pending_tab, rows }))
}

struct RequesterRow {
    name: String,
    justification: String,
    date: String,
    status: &'static str,
}

#[derive(Template)]
#[template(path = "admin/request.html")]
struct RequestPage {
    chrome: Chrome,
    id: String,
    app_name: String,
    app_id: String,
    status: &'static str,
    open: bool,
    can_act: bool,
    requesters: Vec<RequesterRow>,
    permissions: Vec<PermissionRow>,
}

/// The request `id` as the signed-in user sees it; a 404 page when they may not see it.
// The error is the response to send, built once per request: boxing it would buy nothing.
async fn find(ctx: &Ctx, id: &str) -> Result<AppConsentRequest, Response> {
    let all = match visible_requests(ctx).await {
        Ok(v) => v,
        Err(consent::Error::PermissionDenied { .. }) => Vec::new(),
        Err(e) => return Err(write_error(ctx, &e, "/admin/requests")),
    };
    all.into_iter().find(|r| *r.id == *id).ok_or_else(|| {
        message_page(
            StatusCode::NOT_FOUND,
            Some(ctx),
            "Admin consent requests",
            "There is no such request, or you may not see it.",
            "/admin/requests",
        )
    })
}

/// `GET /admin/requests/{id}`.
pub(crate) async fn show(
    State(shared): State<Arc<Shared>>,
    jar: CookieJar,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> Answer {
    let ctx = page_ctx(&shared, &jar)?;
    let r = find(&ctx, &id).await?;
    let app_name = r.app_display_name.as_deref().map_or_else(|| r.app_id.to_string(), str::to_owned);
    let requesters = r
        .user_consent_requests
        .iter()
        .map(|u| RequesterRow {
            name: u
                .created_by
                .user
                .as_ref()
                .map(|x| match (&x.display_name, &x.user_principal_name) {
                    (Some(n), Some(upn)) => format!("{n} ({upn})"),
                    (Some(n), None) => n.to_string(),
                    (None, Some(upn)) => upn.to_string(),
                    (None, None) => x.id.to_string(),
                })
                .unwrap_or_default(),
            justification: u.reason.as_deref().unwrap_or_default().to_owned(),
            date: date(u.created_date_time),
            status: match u.outcome() {
                consent::RequestOutcome::Pending => "Pending",
                consent::RequestOutcome::Approved => "Approved",
                consent::RequestOutcome::Denied => "Denied",
                consent::RequestOutcome::Expired => "Expired",
            },
        })
        .collect();
    let mut crumbs = crumbs();
    crumbs.push((app_name.clone(), String::new()));
    let mut chrome = ctx.chrome(&app_name, "requests", crumbs);
    chrome.notice = q.notice;
    let page = RequestPage {
        chrome,
        id: r.id.to_string(),
        app_id: r.app_id.to_string(),
        status: status_of(&r),
        open: r.user_consent_requests.iter().any(is_open),
        can_act: can_act(&r),
        requesters,
        permissions: permission_rows(&r.pending_scope_set()),
        app_name,
    };
    Ok(render(&page))
}

/// The consent dialog ("Permissions requested", for all users), shared with the Permissions page.
#[derive(Template)]
#[template(path = "admin/consent.html")]
pub(crate) struct ConsentDialog {
    pub(crate) chrome: Chrome,
    pub(crate) app_name: String,
    pub(crate) unverified: bool,
    pub(crate) permissions: Vec<PermissionRow>,
    pub(crate) accept_action: String,
    pub(crate) cancel_href: String,
}

/// `GET /admin/requests/{id}/consent`: "Review permissions and consent".
pub(crate) async fn consent_dialog(State(shared): State<Arc<Shared>>, jar: CookieJar, Path(id): Path<String>) -> Answer {
    let ctx = page_ctx(&shared, &jar)?;
    let r = find(&ctx, &id).await?;
    if !can_act(&r) {
        return Err(not_a_reviewer(&ctx, &id));
    }
    let app_name = r.app_display_name.as_deref().map_or_else(|| r.app_id.to_string(), str::to_owned);
    let scopes = shared
        .registration(&ctx.tenant, &r.app_id)
        .map(|a| a.delegated_scopes())
        .unwrap_or_else(|| r.pending_scope_set());
    let unverified = ctx.tenant.published_app(&r.app_id).is_some_and(|p| !p.publisher_verified);
    let mut crumbs = crumbs();
    crumbs.push((app_name.clone(), format!("/admin/requests/{id}")));
    crumbs.push(("Review permissions and consent".to_owned(), String::new()));
    Ok(render(&ConsentDialog {
        chrome: ctx.chrome("Permissions requested", "requests", crumbs),
        app_name,
        unverified,
        permissions: permission_rows(&scopes),
        accept_action: format!("/admin/requests/{id}/approve"),
        cancel_href: format!("/admin/requests/{id}"),
    }))
}

fn not_a_reviewer(ctx: &Ctx, id: &str) -> Response {
    message_page(
        StatusCode::FORBIDDEN,
        Some(ctx),
        "Access denied",
        "Only the reviewers named in the admin consent settings when this request was filed can act on it, and only while it is open.",
        &format!("/admin/requests/{id}"),
    )
}

/// The request, checked to be one the signed-in user may act on, and its workflow handle.
async fn pending_handle(shared: &Shared, ctx: &Ctx, id: &str) -> Result<consent::Consent<consent::Pending>, Response> {
    let r = find(ctx, id).await?;
    if !can_act(&r) {
        return Err(not_a_reviewer(ctx, id));
    }
    let back = format!("/admin/requests/{id}");
    let Some(app) = shared.registration(&ctx.tenant, &r.app_id) else {
        return Err(message_page(
            StatusCode::NOT_FOUND,
            Some(ctx),
            "Admin consent requests",
            "The app of this request is not published in the tenant.",
            &back,
        ));
    };
    match consent::observe(&ctx.graph, &app).await {
        Ok(ConsentState::Pending(p)) => Ok(p),
        Ok(other) => Err(message_page(
            StatusCode::CONFLICT,
            Some(ctx),
            "Admin consent requests",
            &format!("The app is no longer pending review (it is {}).", other.name()),
            &back,
        )),
        Err(e) => Err(write_error(ctx, &e, &back)),
    }
}

/// `POST /admin/requests/{id}/approve`: Accept in the consent dialog → the workflow's `approve`.
pub(crate) async fn approve(State(shared): State<Arc<Shared>>, jar: CookieJar, Path(id): Path<String>, body: Bytes) -> Answer {
    let (ctx, _) = post_ctx(&shared, &jar, &body)?;
    let handle = pending_handle(&shared, &ctx, &id).await?;
    Ok(match handle.approve(&ctx.graph).await {
        Ok(_) => see_other(
            &format!("/admin/requests/{id}"),
            "Approved: the permissions were granted for all users in the organization.",
        ),
        Err(e) => write_error(&ctx, &e, &format!("/admin/requests/{id}")),
    })
}

/// `POST /admin/requests/{id}/deny` with `reason`.
pub(crate) async fn deny(State(shared): State<Arc<Shared>>, jar: CookieJar, Path(id): Path<String>, body: Bytes) -> Answer {
    decide(shared, jar, id, body, false).await
}

/// `POST /admin/requests/{id}/block` with `reason`.
pub(crate) async fn block(State(shared): State<Arc<Shared>>, jar: CookieJar, Path(id): Path<String>, body: Bytes) -> Answer {
    decide(shared, jar, id, body, true).await
}

async fn decide(shared: Arc<Shared>, jar: CookieJar, id: String, body: Bytes, block: bool) -> Answer {
    let (ctx, form) = post_ctx(&shared, &jar, &body)?;
    let back = format!("/admin/requests/{id}");
    let reason = match Justification::parse(form.one("reason").unwrap_or_default()) {
        Ok(j) => j,
        Err(e) => {
            return Err(message_page(
                StatusCode::BAD_REQUEST,
                Some(&ctx),
                "A justification is required",
                &e.to_string(),
                &back,
            ))
        }
    };
    let handle = pending_handle(&shared, &ctx, &id).await?;
    let done = if block {
        handle
            .block(&ctx.graph, reason)
            .await
            .map(|_| "Blocked: the request was denied and the app disabled in this tenant.")
    } else {
        handle
            .deny(&ctx.graph, reason)
            .await
            .map(|_| "Denied: every requester was told, with your justification.")
    };
    Ok(match done {
        Ok(notice) => see_other(&back, notice),
        Err(e) => write_error(&ctx, &e, &back),
    })
}
