//! `/{tenant}/oauth2/v2.0/authorize`: validate the request, sign the user in, then answer as Entra
//! does for the mock's decision (Microsoft Learn: "Configure how users consent to applications"; "Microsoft identity platform and OAuth 2.0 authorization code flow"; "Microsoft Entra authentication and authorization error codes"):
//!
//! | decision | what the user sees | what comes back to `redirect_uri` |
//! |---|---|---|
//! | already granted | nothing | `code`, `state` |
//! | user may consent | "Permissions requested" (Accept / Cancel) | `code`, or `access_denied` + `error_subcode=cancel` (65004) |
//! | approval required, workflow on | "Approval required" + justification + "Request approval" → "Request sent" | `access_denied`, AADSTS90095 |
//! | approval required, workflow off | "Need admin approval", no form | `access_denied`, AADSTS90094 |
//! | app blocked / unknown / bad scope | — | `unauthorized_client` 7000112 / 700016, `invalid_client` 650053 |
//!
//! After "Request approval" Entra shows "Request sent" and the way back to the app carries the
//! same 90095 error the user started from, so the app keeps telling the user that approval is
//! pending (`LinkOutcome::AdminApprovalRequired { can_request: true }`). This is the emulator's
//! documented choice; Microsoft does not document the redirect after a sent request.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, RawQuery, Request, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use consent::{ConsentGraph, ConsentRequestSubmission, ConsentType, Error, Justification, ObjectId, UserConsentDecision};

use super::flows::{AuthorizeRequest, Flow, IssuedCode};
use super::{
    app_name, check_password, client_and_redirect, error_page, error_redirect, found, graph_scopes, pages, params, permission_rows,
    post_path, read_form, redirect_to, resolve_tenant,
};
use crate::server::Shared;

/// `GET`: validates and shows the sign-in page.
pub(crate) async fn start(State(shared): State<Arc<Shared>>, Path(tenant): Path<String>, RawQuery(raw): RawQuery) -> Response {
    let Some(index) = resolve_tenant(&shared, &tenant) else {
        return error_page(StatusCode::BAD_REQUEST, 90002, &format!("Tenant '{tenant}' not found."));
    };
    let p = params(raw.as_deref());
    let request = match validate(&shared, index, &p) {
        Ok(r) => r,
        Err(response) => return response,
    };
    if p.get("prompt").is_some_and(|v| v == "none") {
        // No session cookies: the emulator can never answer without interaction.
        let url = error_redirect(
            &shared,
            &request.redirect_uri,
            request.state.as_deref(),
            "login_required",
            50058,
            "A silent sign-in request was sent but no user is signed in.",
            &[],
        );
        return found(&url);
    }
    let app = app_name(&shared, request.tenant, &request.client_id);
    let hint = request.login_hint.clone();
    let flow = shared.flows.start(Flow::Authorize { request, user: None });
    Html(pages::sign_in(
        &flow,
        &post_path(&tenant, "oauth2/v2.0/authorize"),
        &app,
        hint.as_deref(),
        None,
    ))
    .into_response()
}

/// Checks the parameters in Entra's order: client and redirect URI first (errors shown on a page,
/// since the redirect cannot be trusted yet), then the rest (errors redirected).
// The error is the page or redirect to send, built once per request: boxing it would buy nothing.
#[allow(clippy::result_large_err)]
fn validate(shared: &Shared, tenant: usize, p: &HashMap<String, String>) -> Result<AuthorizeRequest, Response> {
    let (client_id, redirect_uri) = client_and_redirect(p)?;
    let state = p.get("state").cloned();
    let fail = |error: &str, code: u32, text: &str| found(&error_redirect(shared, &redirect_uri, state.as_deref(), error, code, text, &[]));
    if p.get("response_type").map(String::as_str) != Some("code") {
        return Err(fail(
            "unsupported_response_type",
            700054,
            "The emulator supports only response_type=code.",
        ));
    }
    if p.get("response_mode").is_some_and(|m| m != "query") {
        return Err(fail("invalid_request", 900144, "The emulator supports only response_mode=query."));
    }
    let raw_scope = p.get("scope").ok_or_else(|| {
        fail(
            "invalid_request",
            900144,
            "The request body must contain the following parameter: 'scope'.",
        )
    })?;
    let (scopes, is_static) = graph_scopes(shared, tenant, &client_id, raw_scope).map_err(|why| {
        fail(
            "invalid_scope",
            70011,
            &format!("The provided value for the input parameter 'scope' is not valid: {why}."),
        )
    })?;
    let challenge = pkce_challenge(p).map_err(|(code, text)| fail("invalid_request", code, text))?;
    Ok(AuthorizeRequest {
        tenant,
        client_id,
        redirect_uri: redirect_uri.clone(),
        scopes,
        is_static,
        state,
        code_challenge: challenge,
        login_hint: p.get("login_hint").cloned(),
    })
}

/// PKCE is required, with S256 (RFC 7636 §4.1: 43 base64url characters).
fn pkce_challenge(p: &HashMap<String, String>) -> Result<String, (u32, &'static str)> {
    let challenge = p
        .get("code_challenge")
        .ok_or((9002325, "Proof Key for Code Exchange is required: send code_challenge."))?;
    if p.get("code_challenge_method").map(String::as_str) != Some("S256") {
        return Err((501491, "The emulator requires code_challenge_method=S256."));
    }
    let well_formed = challenge.len() == 43 && challenge.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !well_formed {
        return Err((501491, "Invalid size of Code_Challenge parameter."));
    }
    Ok(challenge.clone())
}

/// `POST`: the forms of the pages (`action` = signin / accept / cancel / request).
pub(crate) async fn step(State(shared): State<Arc<Shared>>, Path(tenant): Path<String>, req: Request) -> Response {
    let form = match read_form(req.into_body(), shared.config.body_limit).await {
        Ok(f) => f,
        Err(_) => return error_page(StatusCode::PAYLOAD_TOO_LARGE, 90014, "The form is too large or repeats a field."),
    };
    let flow_id = form.get("flow").cloned().unwrap_or_default();
    let Some(Flow::Authorize { request, user }) = shared.flows.get(&flow_id) else {
        return error_page(
            StatusCode::BAD_REQUEST,
            90014,
            "This sign-in session is unknown or finished; start again from the application.",
        );
    };
    let action = form.get("action").map(String::as_str).unwrap_or("");
    match (action, user) {
        ("signin", _) => sign_in(&shared, &tenant, &flow_id, request, &form),
        ("accept", Some(u)) => accept(&shared, &flow_id, &request, u),
        ("cancel", Some(_)) => {
            shared.flows.finish(&flow_id);
            found(&cancel_url(&shared, &request))
        }
        ("request", Some(u)) => request_approval(&shared, &tenant, &flow_id, &request, u, &form).await,
        _ => error_page(
            StatusCode::BAD_REQUEST,
            90014,
            "Unexpected form action; start again from the application.",
        ),
    }
}

fn sign_in(shared: &Shared, tenant: &str, flow_id: &str, request: AuthorizeRequest, form: &HashMap<String, String>) -> Response {
    let upn = form.get("upn").map(String::as_str).unwrap_or("");
    let Some(user) = check_password(shared, request.tenant, upn, form.get("password").map(String::as_str).unwrap_or("")) else {
        let app = app_name(shared, request.tenant, &request.client_id);
        let page = pages::sign_in(
            flow_id,
            &post_path(tenant, "oauth2/v2.0/authorize"),
            &app,
            Some(upn),
            Some("Your account or password is incorrect. (AADSTS50126)"),
        );
        return (StatusCode::OK, Html(page)).into_response();
    };
    // A disabled account (AADSTS50057) or a Conditional Access block (53003) ends the sign-in.
    if let Some(r) = super::refusals::account_refusal(shared, request.tenant, user.id) {
        shared.flows.finish(flow_id);
        let error = "access_denied";
        return found(&error_redirect(
            shared,
            &request.redirect_uri,
            request.state.as_deref(),
            error,
            r.code,
            &r.text,
            &[],
        ));
    }
    shared.flows.update(
        flow_id,
        Flow::Authorize {
            request: request.clone(),
            user: Some(user.id),
        },
    );
    let decision = match shared.tenants.get(request.tenant) {
        Some(t) => t.sign_in(user.id, &request.client_id, &request.scopes),
        None => Err(Error::not_found(format!("tenant {}", request.tenant))),
    };
    answer_decision(shared, tenant, flow_id, &request, user.id, &user.upn, decision)
}

fn answer_decision(
    shared: &Shared,
    tenant: &str,
    flow_id: &str,
    r: &AuthorizeRequest,
    user: ObjectId,
    upn: &str,
    decision: consent::Result<UserConsentDecision>,
) -> Response {
    let app = app_name(shared, r.tenant, &r.client_id);
    let fail = |error: &str, code: u32, text: &str| {
        shared.flows.finish(flow_id);
        found(&error_redirect(shared, &r.redirect_uri, r.state.as_deref(), error, code, text, &[]))
    };
    match decision {
        Ok(UserConsentDecision::AlreadyGranted) => issue_code(shared, flow_id, r, user),
        Ok(UserConsentDecision::UserMayConsent) => Html(pages::consent(
            flow_id,
            &post_path(tenant, "oauth2/v2.0/authorize"),
            &app,
            upn,
            &permission_rows(&r.scopes),
        ))
        .into_response(),
        Ok(UserConsentDecision::AdminApprovalRequired { can_request: true, .. }) => Html(pages::approval_required(
            flow_id,
            &post_path(tenant, "oauth2/v2.0/authorize"),
            &app,
            &permission_rows(&r.scopes),
            cancel_url(shared, r).as_str(),
            None,
        ))
        .into_response(),
        Ok(UserConsentDecision::AdminApprovalRequired { can_request: false, .. }) => {
            shared.flows.finish(flow_id);
            let back = error_redirect(
                shared,
                &r.redirect_uri,
                r.state.as_deref(),
                "access_denied",
                90094,
                "Admin consent is required for the permissions requested by this application.",
                &[],
            );
            Html(pages::need_admin_approval(&app, back.as_str())).into_response()
        }
        Ok(UserConsentDecision::AppBlocked) => fail(
            "unauthorized_client",
            7000112,
            &format!("Application '{}' is disabled.", r.client_id),
        ),
        Ok(UserConsentDecision::UnknownScopes { scopes }) => fail(
            "invalid_client",
            650053,
            &format!("The application asked for scope '{scopes}' that doesn't exist on the resource."),
        ),
        Err(Error::NotFound { .. }) => fail(
            "unauthorized_client",
            700016,
            &format!("Application with identifier '{}' was not found in the directory.", r.client_id),
        ),
        Err(e) => fail("server_error", 50000, &format!("The emulator could not decide this sign-in: {e}")),
    }
}

fn cancel_url(shared: &Shared, r: &AuthorizeRequest) -> url::Url {
    error_redirect(
        shared,
        &r.redirect_uri,
        r.state.as_deref(),
        "access_denied",
        65004,
        "User declined to consent to access the app.",
        &[("error_subcode", "cancel")],
    )
}

fn accept(shared: &Shared, flow_id: &str, r: &AuthorizeRequest, user: ObjectId) -> Response {
    let consented = match shared.tenants.get(r.tenant) {
        Some(t) => t.consent_as_user(user, &r.client_id, &r.scopes),
        None => Err(Error::not_found(format!("tenant {}", r.tenant))),
    };
    match consented {
        Ok(_) => issue_code(shared, flow_id, r, user),
        Err(e) => {
            shared.flows.finish(flow_id);
            found(&error_redirect(
                shared,
                &r.redirect_uri,
                r.state.as_deref(),
                "access_denied",
                90094,
                &format!("Consent could not be recorded: {e}"),
                &[],
            ))
        }
    }
}

async fn request_approval(
    shared: &Shared,
    tenant: &str,
    flow_id: &str,
    r: &AuthorizeRequest,
    user: ObjectId,
    form: &HashMap<String, String>,
) -> Response {
    let app = app_name(shared, r.tenant, &r.client_id);
    let justification = match Justification::parse(form.get("justification").map(String::as_str).unwrap_or("")) {
        Ok(j) => j,
        Err(e) => {
            let page = pages::approval_required(
                flow_id,
                &post_path(tenant, "oauth2/v2.0/authorize"),
                &app,
                &permission_rows(&r.scopes),
                cancel_url(shared, r).as_str(),
                Some(&e.to_string()),
            );
            return (StatusCode::OK, Html(page)).into_response();
        }
    };
    let submission = ConsentRequestSubmission {
        app_id: r.client_id,
        consent_type: if r.is_static { ConsentType::Static } else { ConsentType::Dynamic },
        scopes: r.scopes.clone(),
        justification,
    };
    shared.flows.finish(flow_id);
    let submitted = match shared.tenants.get(r.tenant) {
        Some(t) => t.as_user(user).submit_consent_request(&submission).await.map(|_| ()),
        None => Err(Error::not_found(format!("tenant {}", r.tenant))),
    };
    match submitted {
        Ok(_) => {
            let back = error_redirect(shared, &r.redirect_uri, r.state.as_deref(), "access_denied", 90095, "Admin consent is required for the permissions requested by this application. An admin consent request was sent to your admins.", &[]);
            Html(pages::request_sent(&app, back.as_str())).into_response()
        }
        Err(e) => found(&error_redirect(
            shared,
            &r.redirect_uri,
            r.state.as_deref(),
            "access_denied",
            90094,
            &format!("The request could not be sent: {e}"),
            &[],
        )),
    }
}

fn issue_code(shared: &Shared, flow_id: &str, r: &AuthorizeRequest, user: ObjectId) -> Response {
    shared.flows.finish(flow_id);
    let now = shared.now(r.tenant);
    let code = shared.flows.issue_code(
        IssuedCode {
            tenant: r.tenant,
            client_id: r.client_id,
            redirect_uri: r.redirect_uri.clone(),
            user,
            scopes: r.scopes.clone(),
            code_challenge: r.code_challenge.clone(),
            expires_at: now + shared.config.code_lifetime,
            redeemed: false,
        },
        now,
    );
    let mut params = vec![("code", code.as_str())];
    if let Some(s) = r.state.as_deref() {
        params.push(("state", s));
    }
    found(&redirect_to(&r.redirect_uri, &params))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn pkce_must_be_s256_with_a_well_formed_challenge() {
        let good = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
        assert!(pkce_challenge(&p(&[("code_challenge", good), ("code_challenge_method", "S256")])).is_ok());
        assert_eq!(pkce_challenge(&p(&[])).unwrap_err().0, 9002325);
        assert_eq!(pkce_challenge(&p(&[("code_challenge", good)])).unwrap_err().0, 501491);
        assert_eq!(
            pkce_challenge(&p(&[("code_challenge", good), ("code_challenge_method", "plain")]))
                .unwrap_err()
                .0,
            501491
        );
        assert_eq!(
            pkce_challenge(&p(&[("code_challenge", "short"), ("code_challenge_method", "S256")]))
                .unwrap_err()
                .0,
            501491
        );
    }
}
