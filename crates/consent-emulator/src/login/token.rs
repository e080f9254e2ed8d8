//! `POST /{tenant}/oauth2/v2.0/token` (Microsoft Learn: "Microsoft identity platform and OAuth 2.0 authorization code flow"): `authorization_code` with PKCE S256,
//! `refresh_token` (rotated), and `client_credentials` for the seeded admin client. Errors use
//! Microsoft's JSON shape (`error`, `error_description`, `error_codes`, `timestamp`, `trace_id`,
//! `correlation_id`); `invalid_client` is 401, everything else 400.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use consent::{AppId, ScopeSet};
use serde_json::json;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::flows::{CodeProblem, RefreshGrant, RefreshProblem};
use super::refusals::{self, Refusal};
use super::{graph_scopes, read_form, resolve_tenant, FormProblem};
use crate::accounts::CredentialProblem;
use crate::server::{AdminClient, Shared};

/// A token-endpoint failure.
#[derive(Debug)]
struct TokenError {
    error: &'static str,
    code: u32,
    text: String,
    suberror: Option<&'static str>,
}

fn fail(error: &'static str, code: u32, text: impl Into<String>) -> TokenError {
    TokenError {
        error,
        code,
        text: text.into(),
        suberror: None,
    }
}

impl From<Refusal> for TokenError {
    fn from(r: Refusal) -> Self {
        Self {
            error: r.error,
            code: r.code,
            text: r.text,
            suberror: r.suberror,
        }
    }
}

/// The client's credentials for a code or refresh redemption (see `accounts.rs`).
fn check_client(shared: &Shared, app: AppId, headers: &HeaderMap, form: &HashMap<String, String>) -> Result<(), TokenError> {
    let sent = client_secret(headers, form)
        .filter(|(id, _)| AppId::parse(id).ok() == Some(app))
        .map(|(_, s)| s);
    shared.apps.check(app, sent.as_deref()).map_err(|p| match p {
        CredentialProblem::Missing => missing_secret(),
        CredentialProblem::Wrong => wrong_secret(&format!(", for a secret added to app '{app}'")),
        CredentialProblem::Expired => fail(
            "invalid_client",
            7000222,
            format!("The provided client secret keys for app '{app}' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka.ms/certCreds."),
        ),
    })
}

/// AADSTS7000218: neither a secret nor an assertion was sent.
fn missing_secret() -> TokenError {
    fail(
        "invalid_client",
        7000218,
        "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
    )
}

/// AADSTS7000215; `which` ends the sentence (", for a secret added to app '…'" or nothing).
fn wrong_secret(which: &str) -> TokenError {
    fail(
        "invalid_client",
        7000215,
        format!("Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID{which}."),
    )
}

/// The handler.
pub(crate) async fn exchange(State(shared): State<Arc<Shared>>, Path(tenant): Path<String>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let result = async {
        let Some(index) = resolve_tenant(&shared, &tenant) else {
            return Err(fail("invalid_request", 90002, format!("Tenant '{tenant}' not found.")));
        };
        // `organizations`/`common` take the tenant from the code or refresh token, as Entra takes it
        // from the user; a named tenant must match it.
        let path = TenantPath {
            index,
            named: !matches!(tenant.trim().to_ascii_lowercase().as_str(), "organizations" | "common"),
        };
        let form = read_form(body, shared.config.body_limit).await.map_err(|p| match p {
            FormProblem::TooLarge => fail("invalid_request", 90014, "The request body is too large."),
            FormProblem::Repeated(k) => fail("invalid_request", 90014, format!("The parameter '{k}' is repeated.")),
        })?;
        match form.get("grant_type").map(String::as_str) {
            Some("client_credentials") => client_credentials(&shared, index, &parts.headers, &form),
            Some("authorization_code") => authorization_code(&shared, path, &parts.headers, &form),
            Some("refresh_token") => refresh(&shared, path, &parts.headers, &form),
            Some(other) => Err(fail(
                "unsupported_grant_type",
                70003,
                format!("The app requested an unsupported grant type '{other}'."),
            )),
            None => Err(fail(
                "invalid_request",
                900144,
                "The request body must contain the following parameter: 'grant_type'.",
            )),
        }
    }
    .await;
    match result {
        Ok(body) => (StatusCode::OK, [(header::CACHE_CONTROL, "no-store")], axum::Json(body)).into_response(),
        Err(e) => error_response(&shared, e),
    }
}

fn error_response(shared: &Shared, e: TokenError) -> Response {
    let status = if e.error == "invalid_client" {
        StatusCode::UNAUTHORIZED
    } else {
        StatusCode::BAD_REQUEST
    };
    let (trace, correlation) = (uuid::Uuid::new_v4().to_string(), uuid::Uuid::new_v4().to_string());
    let timestamp = shared.now(0).format("%Y-%m-%d %H:%M:%SZ").to_string();
    let body = json!({
        "error": e.error,
        "error_description": format!("AADSTS{}: {} Trace ID: {trace} Correlation ID: {correlation} Timestamp: {timestamp}", e.code, e.text),
        "error_codes": [e.code],
        "timestamp": timestamp,
        "trace_id": trace,
        "correlation_id": correlation,
        "error_uri": format!("{}error?code={}", shared.origin, e.code),
    });
    let mut body = body;
    if let Some(sub) = e.suberror {
        body["suberror"] = json!(sub);
    }
    (status, [(header::CACHE_CONTROL, "no-store")], axum::Json(body)).into_response()
}

fn required<'a>(form: &'a HashMap<String, String>, name: &str) -> Result<&'a str, TokenError> {
    form.get(name).map(String::as_str).filter(|v| !v.is_empty()).ok_or_else(|| {
        fail(
            "invalid_request",
            900144,
            format!("The request body must contain the following parameter: '{name}'."),
        )
    })
}

/// Client id + secret from the form or from HTTP Basic (both are accepted by Entra).
fn client_secret(headers: &HeaderMap, form: &HashMap<String, String>) -> Option<(String, String)> {
    if let (Some(id), Some(secret)) = (form.get("client_id"), form.get("client_secret")) {
        return Some((id.clone(), secret.clone()));
    }
    let basic = headers.get(header::AUTHORIZATION)?.to_str().ok()?.strip_prefix("Basic ")?;
    let decoded = String::from_utf8(STANDARD.decode(basic.trim()).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    let unescape = |s: &str| {
        url::form_urlencoded::parse(format!("x={s}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
    };
    Some((unescape(id)?, unescape(secret)?))
}

/// The tenant named in the token endpoint's path.
#[derive(Debug, Clone, Copy)]
struct TenantPath {
    index: usize,
    /// False for `organizations` / `common`.
    named: bool,
}

impl TenantPath {
    /// The tenant a code or refresh token of `tenant` is redeemed in, or 700005.
    fn accepts(self, tenant: usize) -> Result<usize, TokenError> {
        if self.named && self.index != tenant {
            return Err(fail(
                "invalid_grant",
                700005,
                "Provided Authorization Code is intended to use against other tenant or client.",
            ));
        }
        Ok(tenant)
    }
}

fn client_credentials(
    shared: &Shared,
    tenant: usize,
    headers: &HeaderMap,
    form: &HashMap<String, String>,
) -> Result<serde_json::Value, TokenError> {
    let scope = required(form, "scope")?;
    if !scope.trim_end().ends_with("/.default") {
        return Err(fail(
            "invalid_scope",
            1002012,
            format!("The provided value for scope {scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier."),
        ));
    }
    let (id, secret) = client_secret(headers, form).ok_or_else(missing_secret)?;
    let known = AppId::parse(&id).ok().filter(|a| *a == shared.admin.id);
    if known.is_none() {
        return Err(fail(
            "unauthorized_client",
            700016,
            format!(
                "Application with identifier '{id}' was not found in the directory '{}'.",
                shared.tenants.ids()[tenant]
            ),
        ));
    }
    if !bool::from(secret.as_bytes().ct_eq(shared.admin.secret.as_bytes())) {
        return Err(wrong_secret(""));
    }
    let lifetime = shared.config.token_lifetime;
    let expires = shared.now(tenant) + lifetime;
    let token = shared.issue_token(tenant, shared.admin.id, AdminClient::principal(), Some(expires));
    Ok(
        json!({ "token_type": "Bearer", "expires_in": lifetime.num_seconds(), "ext_expires_in": lifetime.num_seconds(), "access_token": token }),
    )
}

fn authorization_code(
    shared: &Shared,
    path: TenantPath,
    headers: &HeaderMap,
    form: &HashMap<String, String>,
) -> Result<serde_json::Value, TokenError> {
    let code = required(form, "code")?;
    let client_id = required(form, "client_id")?;
    if let Ok(app) = AppId::parse(client_id) {
        check_client(shared, app, headers, form)?;
    }
    let redirect_uri = required(form, "redirect_uri")?;
    let verifier = required(form, "code_verifier")?;
    let issued = shared.flows.redeem_code(code, shared.now(path.index)).map_err(|p| match p {
        CodeProblem::Unknown => fail(
            "invalid_grant",
            9002313,
            "Invalid request. The authorization code is malformed or was not issued by this tenant.",
        ),
        CodeProblem::Replayed => fail(
            "invalid_grant",
            54005,
            "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.",
        ),
        CodeProblem::Expired => fail(
            "invalid_grant",
            70008,
            "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request.",
        ),
    })?;
    if AppId::parse(client_id).ok() != Some(issued.client_id) {
        return Err(fail(
            "invalid_grant",
            700005,
            "Provided Authorization Code is intended to use against other tenant or client.",
        ));
    }
    if url::Url::parse(redirect_uri).ok().as_ref() != Some(&issued.redirect_uri) {
        return Err(fail(
            "invalid_grant",
            50011,
            "The redirect URI does not match the one used on the authorize request.",
        ));
    }
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    if !bool::from(challenge.as_bytes().ct_eq(issued.code_challenge.as_bytes())) {
        return Err(fail(
            "invalid_grant",
            501481,
            "The Code_Verifier does not match the code_challenge supplied in the authorization request.",
        ));
    }
    let tenant = path.accepts(issued.tenant)?;
    Ok(user_tokens(
        shared,
        RefreshGrant {
            tenant,
            client_id: issued.client_id,
            user: issued.user,
            auth_time: shared.now(tenant),
            scopes: issued.scopes.clone(),
        },
        &issued.scopes,
    ))
}

fn refresh(
    shared: &Shared,
    path: TenantPath,
    headers: &HeaderMap,
    form: &HashMap<String, String>,
) -> Result<serde_json::Value, TokenError> {
    let token = required(form, "refresh_token")?;
    let client_id = required(form, "client_id")?;
    let app = AppId::parse(client_id).ok();
    if let Some(app) = app {
        check_client(shared, app, headers, form)?;
    }
    let unknown = || {
        fail(
            "invalid_grant",
            9002313,
            "Invalid request. The refresh token is malformed, was already used, or was not issued by this tenant.",
        )
    };
    // Looked at first and used up only once every check passed: a refused refresh (a Conditional
    // Access block, a revoked consent) leaves the token as it was, as Entra does.
    let grant = shared.flows.peek_refresh(token, app).map_err(|p| match p {
        RefreshProblem::Unknown => unknown(),
        // Refused without consuming it: the rightful client's token keeps working.
        RefreshProblem::WrongClient => fail(
            "invalid_grant",
            700005,
            "Provided refresh token is intended to use against other client.",
        ),
    })?;
    let tenant = path.accepts(grant.tenant)?;
    // The scopes asked for now (a refresh may ask for fewer, or for others: then consent decides).
    let requested = match form.get("scope").filter(|s| !s.trim().is_empty()) {
        Some(raw) => {
            graph_scopes(shared, tenant, &grant.client_id, raw)
                .map_err(|why| {
                    fail(
                        "invalid_scope",
                        70011,
                        format!("The provided value for the input parameter 'scope' is not valid: {why}."),
                    )
                })?
                .0
        }
        None => grant.scopes.clone(),
    };
    if let Some(r) = refusals::refresh_refusal(shared, tenant, grant.client_id, grant.user, grant.auth_time, &requested) {
        return Err(r.into());
    }
    let grant = shared.flows.consume_refresh(token).map_err(|_| unknown())?;
    Ok(user_tokens(shared, grant, &requested))
}

/// A delegated access token (and a refresh token when `offline_access` was granted).
/// The access token carries `scopes` (its `scp`, Graph scopes only); the refresh token keeps the
/// grant's.
fn user_tokens(shared: &Shared, grant: RefreshGrant, scopes: &ScopeSet) -> serde_json::Value {
    let lifetime = shared.config.token_lifetime;
    let expires = shared.now(grant.tenant) + lifetime;
    let scp = refusals::graph_only(scopes);
    let access = shared.issue_delegated_token(grant.tenant, grant.client_id, grant.user, scp, expires);
    let scope = scopes.to_wire();
    let offline = grant.scopes.iter().any(|s| s.as_str().eq_ignore_ascii_case("offline_access"));
    let mut body = json!({ "token_type": "Bearer", "scope": scope, "expires_in": lifetime.num_seconds(), "ext_expires_in": lifetime.num_seconds(), "access_token": access });
    if offline {
        let rt = shared.flows.issue_refresh(grant);
        body["refresh_token"] = json!(rt);
    }
    body
}
