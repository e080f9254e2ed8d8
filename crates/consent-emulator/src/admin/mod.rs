//! The Microsoft Entra admin center, as far as admin consent goes, served by the emulator itself
//! under `/admin`: sign-in through the emulator's own form, "Consent and permissions" (admin and
//! user consent settings), "Admin consent requests" (My Pending / All, a request's page, "Review
//! permissions and consent" → Accept, Deny, Block), an app's Permissions page (grant and revoke
//! tenant-wide consent) and a Mail page per user.
//!
//! Every page is an askama template (compile-time, HTML auto-escaping) extending one layout, with
//! one stylesheet (`/admin/admin.css`); forms work without JavaScript. A handler gathers what the
//! page shows from the tenant — acting as the signed-in user, so the mock's role checks apply —
//! and hands one struct to one template. Writes go through the same code as Graph and the `consent`
//! workflow: saving the settings is the policy PUT, Accept is [`consent::Consent::approve`].

// A handler's error is the page to answer with (see `Answer`), built once per request: boxing it
// would buy nothing.
#![allow(clippy::result_large_err)]

mod mail;
mod permissions;
mod requests;
mod session;
mod settings;

use std::sync::Arc;

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use axum_extra::extract::cookie::CookieJar;
use consent::ObjectId;
use consent_mock::{MockGraph, MockTenant, MockUser};
use serde::Deserialize;

pub(crate) use crate::login::{permission_rows, PermissionRow};
use crate::server::Shared;
pub(crate) use session::Sessions;
use session::{cookie, removal, token_matches, Session, SESSION_COOKIE, SIGNIN_COOKIE};

/// The admin center's routes (all under `/admin`).
pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/admin", get(home))
        .route("/admin/", get(home))
        .route("/admin/admin.css", get(stylesheet))
        .route("/admin/signin", get(signin_page).post(signin))
        .route("/admin/signout", post(signout))
        .route("/admin/consent-settings", get(settings::page).post(settings::save))
        .route("/admin/user-consent-settings", post(settings::save_user_consent))
        .route("/admin/requests", get(requests::list))
        .route("/admin/requests/{id}", get(requests::show))
        .route("/admin/requests/{id}/consent", get(requests::consent_dialog))
        .route("/admin/requests/{id}/approve", post(requests::approve))
        .route("/admin/requests/{id}/deny", post(requests::deny))
        .route("/admin/requests/{id}/block", post(requests::block))
        .route("/admin/apps", get(permissions::apps))
        .route("/admin/apps/{app}/permissions", get(permissions::page))
        .route("/admin/apps/{app}/grant", get(permissions::grant_dialog).post(permissions::grant))
        .route("/admin/apps/{app}/revoke", post(permissions::revoke))
        .route("/admin/mail", get(mail::page))
}

/// What the layout shows around every page.
#[derive(Debug, Clone, Default)]
pub(crate) struct Chrome {
    pub(crate) title: String,
    /// The signed-in user's display name (none on the sign-in page).
    pub(crate) user: Option<String>,
    pub(crate) csrf: String,
    /// Which left-navigation item is current: `apps`, `settings`, `requests`, `mail`.
    pub(crate) section: &'static str,
    /// Breadcrumb after "Home": (label, href; empty for the current page).
    pub(crate) crumbs: Vec<(String, String)>,
    /// A one-line status after a form was handled.
    pub(crate) notice: Option<String>,
}

/// A signed-in request: the session, its tenant, the user, and the tenant as that user.
pub(crate) struct Ctx {
    pub(crate) session: Session,
    pub(crate) tenant: MockTenant,
    pub(crate) user: MockUser,
    pub(crate) graph: MockGraph,
}

impl Ctx {
    /// The layout data for a page of this session.
    pub(crate) fn chrome(&self, title: &str, section: &'static str, crumbs: Vec<(String, String)>) -> Chrome {
        Chrome {
            title: title.to_owned(),
            user: Some(self.user.display_name.to_string()),
            csrf: self.session.csrf.clone(),
            section,
            crumbs,
            notice: None,
        }
    }

    /// The tenant's name as the pages show it ("Contoso"), from the users' domain.
    pub(crate) fn tenant_name(&self) -> String {
        tenant_name(&self.user.upn)
    }
}

/// "Contoso" from `ada@contoso.example`.
fn tenant_name(upn: &str) -> String {
    let label = upn.split('@').nth(1).and_then(|d| d.split('.').next()).unwrap_or("Contoso");
    let mut chars = label.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => "Contoso".to_owned(),
    }
}

/// The signed-in context, or `None` (no cookie, unknown or ended session, user gone).
pub(crate) fn signed_in(shared: &Shared, jar: &CookieJar) -> Option<Ctx> {
    let session = shared.admin_sessions.find(jar)?;
    let tenant = shared.tenants.get(session.tenant)?;
    let user = tenant.users().into_iter().find(|u| u.id == session.user)?;
    let graph = tenant.as_user(user.id);
    Some(Ctx {
        session,
        tenant,
        user,
        graph,
    })
}

/// What a page or form handler answers: the page, or the page that refuses it (sign-in redirect,
/// 403, 404, a failed write) as the error, so handlers can use `?`.
pub(crate) type Answer = Result<Response, Response>;

/// A GET page's guard: the signed-in context, or a redirect to the sign-in page.
pub(crate) fn page_ctx(shared: &Shared, jar: &CookieJar) -> Result<Ctx, Response> {
    signed_in(shared, jar).ok_or_else(|| Redirect::to("/admin/signin").into_response())
}

/// A form POST's guard: a live session and its CSRF token in the form, else 403.
pub(crate) fn post_ctx(shared: &Shared, jar: &CookieJar, body: &Bytes) -> Result<(Ctx, Form), Response> {
    let form = Form::parse(body);
    let Some(ctx) = signed_in(shared, jar) else {
        return Err(forbidden("You are not signed in (or your session ended). Sign in again."));
    };
    if !token_matches(form.one("csrf"), &ctx.session.csrf) {
        return Err(forbidden(
            "The form is missing its security token or it does not belong to this session. Reload the page and try again.",
        ));
    }
    Ok((ctx, form))
}

/// A posted form: every pair, in order (checkbox lists repeat a name).
#[derive(Debug, Default)]
pub(crate) struct Form(Vec<(String, String)>);

impl Form {
    fn parse(body: &[u8]) -> Self {
        Form(url::form_urlencoded::parse(body).into_owned().collect())
    }

    /// The first value of `name`.
    pub(crate) fn one(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// Every value of `name`.
    pub(crate) fn all(&self, name: &str) -> Vec<&str> {
        self.0.iter().filter(|(k, _)| k == name).map(|(_, v)| v.as_str()).collect()
    }
}

/// Renders a template into a 200 page (a template error is a 500 with its text).
pub(crate) fn render(t: &impl Template) -> Response {
    render_status(StatusCode::OK, t)
}

pub(crate) fn render_status(status: StatusCode, t: &impl Template) -> Response {
    match t.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, format!("template error: {e}")).into_response(),
    }
}

/// The message page.
#[derive(Template)]
#[template(path = "admin/message.html")]
pub(crate) struct MessagePage {
    pub(crate) chrome: Chrome,
    pub(crate) heading: String,
    pub(crate) message: String,
    pub(crate) back: String,
}

/// A 403 page.
pub(crate) fn forbidden(message: &str) -> Response {
    message_page(StatusCode::FORBIDDEN, None, "Access denied", message, "/admin")
}

/// A message page with `status`, inside the signed-in chrome when there is a session.
pub(crate) fn message_page(status: StatusCode, ctx: Option<&Ctx>, heading: &str, message: &str, back: &str) -> Response {
    let chrome = match ctx {
        Some(c) => c.chrome(heading, "", Vec::new()),
        None => Chrome {
            title: heading.to_owned(),
            ..Chrome::default()
        },
    };
    render_status(
        status,
        &MessagePage {
            chrome,
            heading: heading.to_owned(),
            message: message.to_owned(),
            back: back.to_owned(),
        },
    )
}

/// What a refused or failed write says to the person.
pub(crate) fn write_error(ctx: &Ctx, e: &consent::Error, back: &str) -> Response {
    let status = match e {
        consent::Error::PermissionDenied { .. } => StatusCode::FORBIDDEN,
        consent::Error::NotFound { .. } => StatusCode::NOT_FOUND,
        consent::Error::InvalidInput { .. } | consent::Error::InvalidTransition { .. } => StatusCode::BAD_REQUEST,
        _ => StatusCode::CONFLICT,
    };
    message_page(status, Some(ctx), "That did not work", &e.to_string(), back)
}

/// A date as the pages show it.
pub(crate) fn date(d: chrono::DateTime<chrono::Utc>) -> String {
    d.format("%-d %b %Y, %H:%M UTC").to_string()
}

/// A 303 back to `to` with a notice in the query.
pub(crate) fn see_other(to: &str, notice: &str) -> Response {
    let q: String = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("notice", notice)
        .finish();
    Redirect::to(&format!("{to}?{q}")).into_response()
}

/// `?notice=` on a page after a redirect.
#[derive(Debug, Deserialize, Default)]
pub(crate) struct NoticeQuery {
    pub(crate) notice: Option<String>,
}

// ---- the stylesheet, sign-in, sign-out, home ------------------------------------------------------

const STYLESHEET: &str = include_str!("../../templates/admin/admin.css");

async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "max-age=300"),
        ],
        STYLESHEET,
    )
        .into_response()
}

#[derive(Template)]
#[template(path = "admin/signin.html")]
struct SigninPage {
    chrome: Chrome,
    tenant: String,
    upn: String,
    error: Option<String>,
}

#[derive(Debug, Deserialize)]
struct SigninQuery {
    tenant: Option<String>,
}

/// `GET /admin/signin[?tenant=<id>]`: the sign-in form, with a fresh double-submit token.
async fn signin_page(State(shared): State<Arc<Shared>>, jar: CookieJar, Query(q): Query<SigninQuery>) -> Response {
    let tenant = q.tenant.unwrap_or_else(|| shared.tenants.first().tenant_id().to_string());
    signin_form(jar, tenant, String::new(), None, StatusCode::OK)
}

fn signin_form(jar: CookieJar, tenant: String, upn: String, error: Option<String>, status: StatusCode) -> Response {
    let token = crate::auth::random_token("");
    let page = SigninPage {
        chrome: Chrome {
            title: "Sign in".to_owned(),
            csrf: token.clone(),
            ..Chrome::default()
        },
        tenant,
        upn,
        error,
    };
    (jar.add(cookie(SIGNIN_COOKIE, token)), render_status(status, &page)).into_response()
}

/// `POST /admin/signin`: the user's UPN and password; a session cookie on success.
async fn signin(State(shared): State<Arc<Shared>>, jar: CookieJar, body: Bytes) -> Response {
    let form = Form::parse(&body);
    let expected = jar.get(SIGNIN_COOKIE).map(|c| c.value().to_owned()).unwrap_or_default();
    if !token_matches(form.one("csrf"), &expected) {
        return forbidden("The sign-in form is missing its security token. Open the sign-in page again.");
    }
    let raw_tenant = form.one("tenant").unwrap_or_default().to_owned();
    let Some(index) = shared.tenants.index_of(&raw_tenant) else {
        return message_page(
            StatusCode::BAD_REQUEST,
            None,
            "Sign in",
            &format!("Tenant '{raw_tenant}' not found."),
            "/admin/signin",
        );
    };
    let upn = form.one("upn").unwrap_or_default().to_owned();
    let password = form.one("password").unwrap_or_default();
    let user = shared
        .tenants
        .get(index)
        .and_then(|t| t.user_by_upn(&upn))
        .filter(|u| token_matches(Some(password), &u.password));
    let Some(user) = user else {
        let error = Some("Your account or password is incorrect. (AADSTS50126)".to_owned());
        return signin_form(jar, raw_tenant, upn, error, StatusCode::OK);
    };
    let id = shared.admin_sessions.start(index, user.id);
    let jar = jar.remove(removal(SIGNIN_COOKIE)).add(cookie(SESSION_COOKIE, id));
    (jar, Redirect::to("/admin")).into_response()
}

/// `POST /admin/signout`: ends the session (CSRF-checked, so a foreign page cannot sign you out).
async fn signout(State(shared): State<Arc<Shared>>, jar: CookieJar, body: Bytes) -> Answer {
    post_ctx(&shared, &jar, &body)?;
    shared.admin_sessions.end(&jar);
    Ok((jar.remove(removal(SESSION_COOKIE)), Redirect::to("/admin/signin")).into_response())
}

#[derive(Template)]
#[template(path = "admin/home.html")]
struct HomePage {
    chrome: Chrome,
    tenant_name: String,
    tenant_id: String,
    user_name: String,
    roles: String,
}

/// `GET /admin`: the home page with the ways in.
async fn home(State(shared): State<Arc<Shared>>, jar: CookieJar) -> Answer {
    let ctx = page_ctx(&shared, &jar)?;
    let page = HomePage {
        chrome: ctx.chrome("Home", "", Vec::new()),
        tenant_name: ctx.tenant_name(),
        tenant_id: ctx.tenant.tenant_id().to_string(),
        user_name: ctx.user.display_name.to_string(),
        roles: ctx.user.roles.iter().map(|r| r.display_name()).collect::<Vec<_>>().join(", "),
    };
    Ok(render(&page))
}

/// The user with `id` in the context's tenant.
pub(crate) fn user_named(ctx: &Ctx, id: ObjectId) -> String {
    ctx.tenant
        .users()
        .into_iter()
        .find(|u| u.id == id)
        .map_or_else(|| id.to_string(), |u| u.display_name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenant_names_come_from_the_domain() {
        assert_eq!(tenant_name("ada@contoso.example"), "Contoso");
        assert_eq!(tenant_name("nobody"), "Contoso");
    }
}
