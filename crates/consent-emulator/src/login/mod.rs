//! Microsoft-like login endpoints under `/{tenant}/…`: the authorize flow with its sign-in, consent,
//! "Approval required" and "Need admin approval" pages; the v2 admin-consent page; the token
//! endpoint. Decisions are the mock's ([`consent_mock::MockTenant::sign_in`]); redirects carry
//! `error`, `error_description` (`AADSTS<code>: …`), `error_codes` and `state` as Microsoft's do.

mod admin;
mod authorize;
mod flows;
mod pages;
mod refusals;
mod token;

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use consent::{AppId, Scope, ScopeSet};
use consent_mock::MockUser;
use subtle::ConstantTimeEq;
use url::Url;

use crate::server::Shared;
pub(crate) use flows::Flows;
pub(crate) use pages::{permission_rows, PermissionRow};

/// Microsoft Graph's resource prefix on scopes (`https://graph.microsoft.com/User.Read`).
const GRAPH_RESOURCE: &str = "https://graph.microsoft.com/";

/// The login routes.
pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/{tenant}/oauth2/v2.0/authorize", get(authorize::start).post(authorize::step))
        .route("/{tenant}/v2.0/adminconsent", get(admin::start).post(admin::step))
        .route("/{tenant}/oauth2/v2.0/token", post(token::exchange))
}

/// `GET /`: a page saying where everything is.
pub(crate) async fn index(State(shared): State<Arc<Shared>>) -> Html<String> {
    let app = shared.config.apps.first().map(|a| a.app_id.to_string());
    Html(pages::index(
        &shared.tenants.first().tenant_id().to_string(),
        &shared.graph_base(),
        app.as_deref(),
    ))
}

/// Anything else: Graph-shaped 404 JSON (clients that hit a wrong base URL get a readable answer).
pub(crate) async fn not_found(State(shared): State<Arc<Shared>>, uri: axum::http::Uri) -> Response {
    let error = crate::graph::reply::GraphError::unknown_segment(uri.path());
    let trace = crate::graph::reply::Trace::new(None, shared.now(0));
    let body = error.body(&trace);
    (StatusCode::NOT_FOUND, [("request-id", trace.request_id.clone())], axum::Json(body)).into_response()
}

/// The tenant a login path names: one of the served tenants' GUIDs, or `organizations` / `common`,
/// which Entra resolves from the signed-in user and the emulator resolves to the first tenant
/// (the same demo users exist in every tenant, so the user cannot tell them apart).
fn resolve_tenant(shared: &Shared, path_tenant: &str) -> Option<usize> {
    let t = path_tenant.trim();
    if t.eq_ignore_ascii_case("organizations") || t.eq_ignore_ascii_case("common") {
        return Some(0);
    }
    shared.tenants.index_of(t)
}

/// An error page (no redirect: the redirect URI or the tenant could not be trusted).
fn error_page(status: StatusCode, code: u32, message: &str) -> Response {
    (status, Html(pages::error(code, message))).into_response()
}

/// `AADSTS<code>: <text>` followed by the trace lines Microsoft appends.
fn aadsts(shared: &Shared, code: u32, text: &str) -> String {
    format!(
        "AADSTS{code}: {text} Trace ID: {} Correlation ID: {} Timestamp: {}",
        uuid::Uuid::new_v4(),
        uuid::Uuid::new_v4(),
        shared.now(0).format("%Y-%m-%d %H:%M:%SZ")
    )
}

/// `redirect_uri` with `params` appended to its query.
fn redirect_to(redirect_uri: &Url, params: &[(&str, &str)]) -> Url {
    let mut url = redirect_uri.clone();
    {
        let mut q = url.query_pairs_mut();
        for (k, v) in params {
            q.append_pair(k, v);
        }
    }
    url
}

/// The error redirect: `error`, `error_description`, `error_codes`, `state`, plus `extra`.
fn error_redirect(
    shared: &Shared,
    redirect_uri: &Url,
    state: Option<&str>,
    error: &str,
    code: u32,
    text: &str,
    extra: &[(&str, &str)],
) -> Url {
    let description = aadsts(shared, code, text);
    let codes = format!("[{code}]");
    let mut params: Vec<(&str, &str)> = vec![("error", error), ("error_description", &description), ("error_codes", &codes)];
    params.extend_from_slice(extra);
    if let Some(s) = state {
        params.push(("state", s));
    }
    redirect_to(redirect_uri, &params)
}

/// A `302 Found` to `url`, as Entra answers.
fn found(url: &Url) -> Response {
    (StatusCode::FOUND, [(axum::http::header::LOCATION, url.to_string())]).into_response()
}

/// The form action of a login page: `/{tenant}/{rest}` with the tenant segment percent-encoded.
fn post_path(tenant: &str, rest: &str) -> String {
    format!(
        "/{}/{rest}",
        url::form_urlencoded::byte_serialize(tenant.as_bytes()).collect::<String>()
    )
}

/// The client id and redirect URI, which every login endpoint checks first. Their errors are shown on
/// a page, never redirected: until both are valid the redirect URI cannot be trusted (as in Entra).
// The error is the page to send, built once per request: boxing it would buy nothing.
#[allow(clippy::result_large_err)]
fn client_and_redirect(p: &HashMap<String, String>) -> Result<(AppId, Url), Response> {
    let missing = |name: &str| {
        error_page(
            StatusCode::BAD_REQUEST,
            900144,
            &format!("The request body must contain the following parameter: '{name}'."),
        )
    };
    let raw_client = p.get("client_id").ok_or_else(|| missing("client_id"))?;
    let client_id = AppId::parse(raw_client).map_err(|_| {
        error_page(
            StatusCode::BAD_REQUEST,
            700016,
            &format!("Application with identifier '{raw_client}' was not found in the directory."),
        )
    })?;
    let redirect_uri = parse_redirect_uri(p.get("redirect_uri").ok_or_else(|| missing("redirect_uri"))?).ok_or_else(|| {
        error_page(
            StatusCode::BAD_REQUEST,
            50011,
            "The redirect URI specified in the request does not match: it must be https, or http on 127.0.0.1/localhost/[::1].",
        )
    })?;
    Ok((client_id, redirect_uri))
}

/// Redirect URIs must be https, or http on loopback (127.0.0.1, localhost, [::1]), without a fragment.
fn parse_redirect_uri(raw: &str) -> Option<Url> {
    let url = Url::parse(raw).ok()?;
    let loopback = matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
    let ok = (url.scheme() == "https" || (url.scheme() == "http" && loopback)) && url.fragment().is_none() && url.host_str().is_some();
    ok.then_some(url)
}

/// The query parameters of a GET, first value wins; a repeated security parameter is refused by
/// the callers that care.
fn params(raw: Option<&str>) -> HashMap<String, String> {
    let mut out = HashMap::new();
    for (k, v) in url::form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
        out.entry(k.into_owned()).or_insert_with(|| v.into_owned());
    }
    out
}

/// A form body (`application/x-www-form-urlencoded`) under the size limit; repeated keys refused.
async fn read_form(body: Body, limit: usize) -> Result<HashMap<String, String>, FormProblem> {
    let bytes = axum::body::to_bytes(body, limit).await.map_err(|_| FormProblem::TooLarge)?;
    let mut out = HashMap::new();
    for (k, v) in url::form_urlencoded::parse(&bytes) {
        if out.insert(k.clone().into_owned(), v.into_owned()).is_some() {
            return Err(FormProblem::Repeated(k.into_owned()));
        }
    }
    Ok(out)
}

/// Why a form body was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
enum FormProblem {
    TooLarge,
    Repeated(String),
}

/// Scopes from the `scope` parameter as Microsoft Graph names: the Graph resource prefix is dropped
/// and `/.default` expands to the app's registered Graph scopes. Returns `(scopes, is_static)`.
fn graph_scopes(shared: &Shared, tenant: usize, client_id: &AppId, raw: &str) -> Result<(ScopeSet, bool), String> {
    let mut set = ScopeSet::new();
    let mut is_static = false;
    for item in raw.split_whitespace() {
        let name = strip_prefix_ci(item, GRAPH_RESOURCE).unwrap_or(item);
        if name == ".default" || name == "/.default" {
            is_static = true;
            let app = registration(shared, tenant, client_id)
                .ok_or_else(|| format!("{client_id} is not a published app in this tenant; ask for explicit scopes"))?;
            set = set.union(&app.delegated_scopes()).map_err(|e| e.to_string())?;
            continue;
        }
        if name.contains("://") {
            return Err(format!(
                "scope '{item}' names a resource other than Microsoft Graph; the emulator only serves Graph"
            ));
        }
        let scope = Scope::parse(name).map_err(|e| e.to_string())?;
        set.insert(scope).map_err(|e| e.to_string())?;
    }
    if set.is_empty() {
        return Err("the scope parameter is empty".to_owned());
    }
    Ok((set, is_static))
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    s.get(..prefix.len())
        .filter(|p| p.eq_ignore_ascii_case(prefix))
        .map(|_| &s[prefix.len()..])
}

/// The app's registration in tenant `tenant` (see [`Shared::registration`]).
fn registration(shared: &Shared, tenant: usize, app_id: &AppId) -> Option<consent::AppRegistration> {
    shared.registration(&shared.tenants.get(tenant)?, app_id)
}

/// The app's display name for the pages.
fn app_name(shared: &Shared, tenant: usize, app_id: &AppId) -> String {
    registration(shared, tenant, app_id)
        .map(|a| a.display_name)
        .unwrap_or_else(|| app_id.to_string())
}

/// The user behind `upn` + `password`; the password is compared in constant time.
fn check_password(shared: &Shared, tenant: usize, upn: &str, password: &str) -> Option<MockUser> {
    let user = shared.tenants.get(tenant)?.user_by_upn(upn)?;
    bool::from(user.password.as_bytes().ct_eq(password.as_bytes())).then_some(user)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirect_uris_must_be_https_or_loopback_http() {
        for ok in [
            "https://crm.example.com/cb",
            "http://127.0.0.1:8080/cb",
            "http://localhost/cb?x=1",
            "http://[::1]:9/cb",
        ] {
            assert!(parse_redirect_uri(ok).is_some(), "{ok}");
        }
        for bad in [
            "http://crm.example.com/cb",
            "https://x/cb#frag",
            "ftp://127.0.0.1/",
            "not a url",
            "javascript:alert(1)",
        ] {
            assert!(parse_redirect_uri(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn error_redirects_keep_the_redirect_uris_query() {
        let url = redirect_to(
            &Url::parse("http://127.0.0.1:1/cb?tenant=x").unwrap(),
            &[("error", "access_denied")],
        );
        assert_eq!(url.query(), Some("tenant=x&error=access_denied"));
    }
}
