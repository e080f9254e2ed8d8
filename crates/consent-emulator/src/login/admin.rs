//! `/{tenant}/v2.0/adminconsent` (Microsoft Learn: "Admin consent on the Microsoft identity platform"): an admin signs in, sees the permissions, and
//! Accept grants them tenant-wide through [`consent_mock::MockTenant::grant_admin_consent`].
//! Success redirects with `admin_consent=True&tenant=…&scope=…&state=…`; every error redirect also
//! carries `admin_consent=True`, as Microsoft's does. Cancel → `consent_required` + AADSTS65004.
//! A signed-in user without an admin role gets "Need admin approval" (AADSTS90094).

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, RawQuery, Request, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use consent::{Error, ObjectId};
use consent_mock::DirectoryRole;

use super::flows::{AdminConsentRequest, Flow};
use super::{
    app_name, check_password, client_and_redirect, error_page, error_redirect, found, graph_scopes, pages, params, permission_rows,
    post_path, read_form, redirect_to,
};
use crate::server::Shared;

/// Roles that may open the admin-consent page at all (what each may grant is the mock's check).
const CONSENTING_ROLES: &[DirectoryRole] = &[
    DirectoryRole::GlobalAdministrator,
    DirectoryRole::PrivilegedRoleAdministrator,
    DirectoryRole::CloudApplicationAdministrator,
    DirectoryRole::ApplicationAdministrator,
];

const FLAG: (&str, &str) = ("admin_consent", "True");

/// `GET`: validate and show the sign-in page.
pub(crate) async fn start(State(shared): State<Arc<Shared>>, Path(tenant): Path<String>, RawQuery(raw): RawQuery) -> Response {
    if tenant.eq_ignore_ascii_case("common") {
        return error_page(
            StatusCode::BAD_REQUEST,
            90130,
            "The v2 admin consent endpoint needs the organization's tenant id or 'organizations', not 'common'.",
        );
    }
    let Some(index) = super::resolve_tenant(&shared, &tenant) else {
        return error_page(StatusCode::BAD_REQUEST, 90002, &format!("Tenant '{tenant}' not found."));
    };
    let request = match validate(&shared, index, &params(raw.as_deref())) {
        Ok(r) => r,
        Err(response) => return response,
    };
    let app = app_name(&shared, request.tenant, &request.client_id);
    let flow = shared.flows.start(Flow::AdminConsent { request, user: None });
    Html(pages::sign_in(&flow, &post_path(&tenant, "v2.0/adminconsent"), &app, None, None)).into_response()
}

// The error is the page or redirect to send, built once per request: boxing it would buy nothing.
#[allow(clippy::result_large_err)]
fn validate(shared: &Shared, tenant: usize, p: &HashMap<String, String>) -> Result<AdminConsentRequest, Response> {
    let (client_id, redirect_uri) = client_and_redirect(p)?;
    let state = p.get("state").cloned();
    let fail = |code: u32, text: &str| {
        found(&error_redirect(
            shared,
            &redirect_uri,
            state.as_deref(),
            "invalid_request",
            code,
            text,
            &[FLAG],
        ))
    };
    let raw_scope = p
        .get("scope")
        .ok_or_else(|| fail(900144, "The request body must contain the following parameter: 'scope'."))?;
    let (scopes, _) = graph_scopes(shared, tenant, &client_id, raw_scope).map_err(|why| {
        fail(
            70011,
            &format!("The provided value for the input parameter 'scope' is not valid: {why}."),
        )
    })?;
    Ok(AdminConsentRequest {
        tenant,
        client_id,
        redirect_uri: redirect_uri.clone(),
        scopes,
        raw_scope: raw_scope.clone(),
        state,
    })
}

/// `POST`: sign-in, then Accept / Cancel.
pub(crate) async fn step(State(shared): State<Arc<Shared>>, Path(tenant): Path<String>, req: Request) -> Response {
    let Ok(form) = read_form(req.into_body(), shared.config.body_limit).await else {
        return error_page(StatusCode::PAYLOAD_TOO_LARGE, 90014, "The form is too large or repeats a field.");
    };
    let flow_id = form.get("flow").cloned().unwrap_or_default();
    let Some(Flow::AdminConsent { request, user }) = shared.flows.get(&flow_id) else {
        return error_page(
            StatusCode::BAD_REQUEST,
            90014,
            "This sign-in session is unknown or finished; open the admin consent link again.",
        );
    };
    match (form.get("action").map(String::as_str), user) {
        (Some("signin"), _) => sign_in(&shared, &tenant, &flow_id, request, &form),
        (Some("accept"), Some(admin)) => accept(&shared, &flow_id, &request, admin),
        (Some("cancel"), Some(_)) => {
            shared.flows.finish(&flow_id);
            let url = error_redirect(
                &shared,
                &request.redirect_uri,
                request.state.as_deref(),
                "consent_required",
                65004,
                "User declined to consent to access the app.",
                &[FLAG],
            );
            found(&url)
        }
        _ => error_page(
            StatusCode::BAD_REQUEST,
            90014,
            "Unexpected form action; open the admin consent link again.",
        ),
    }
}

fn sign_in(shared: &Shared, tenant: &str, flow_id: &str, request: AdminConsentRequest, form: &HashMap<String, String>) -> Response {
    let upn = form.get("upn").map(String::as_str).unwrap_or("");
    let app = app_name(shared, request.tenant, &request.client_id);
    let Some(user) = check_password(shared, request.tenant, upn, form.get("password").map(String::as_str).unwrap_or("")) else {
        let page = pages::sign_in(
            flow_id,
            &post_path(tenant, "v2.0/adminconsent"),
            &app,
            Some(upn),
            Some("Your account or password is incorrect. (AADSTS50126)"),
        );
        return Html(page).into_response();
    };
    if !user.has_any_role(CONSENTING_ROLES) {
        shared.flows.finish(flow_id);
        let back = error_redirect(
            shared,
            &request.redirect_uri,
            request.state.as_deref(),
            "access_denied",
            90094,
            "Admin consent is required; the signed-in user is not an administrator.",
            &[FLAG],
        );
        return Html(pages::need_admin_approval(&app, back.as_str())).into_response();
    }
    let rows = permission_rows(&request.scopes);
    shared.flows.update(
        flow_id,
        Flow::AdminConsent {
            request,
            user: Some(user.id),
        },
    );
    Html(pages::admin_consent(
        flow_id,
        &post_path(tenant, "v2.0/adminconsent"),
        &app,
        &user.upn,
        &rows,
    ))
    .into_response()
}

fn accept(shared: &Shared, flow_id: &str, r: &AdminConsentRequest, admin: ObjectId) -> Response {
    shared.flows.finish(flow_id);
    let state = r.state.as_deref();
    let granted = match shared.tenants.get(r.tenant) {
        Some(t) => t.grant_admin_consent(admin, &r.client_id, &r.scopes).map(|()| t.tenant_id()),
        None => Err(Error::not_found(format!("tenant {}", r.tenant))),
    };
    match granted {
        Ok(tenant) => {
            let tenant = tenant.to_string();
            let mut params = vec![FLAG, ("tenant", tenant.as_str()), ("scope", r.raw_scope.as_str())];
            if let Some(s) = state {
                params.push(("state", s));
            }
            found(&redirect_to(&r.redirect_uri, &params))
        }
        Err(Error::PermissionDenied { needed, .. }) => {
            let text = format!("The signed-in admin cannot grant these permissions; it needs {needed}.");
            found(&error_redirect(
                shared,
                &r.redirect_uri,
                state,
                "access_denied",
                90094,
                &text,
                &[FLAG],
            ))
        }
        Err(Error::NotFound { what, .. }) => found(&error_redirect(
            shared,
            &r.redirect_uri,
            state,
            "unauthorized_client",
            700016,
            &format!("{what} was not found."),
            &[FLAG],
        )),
        Err(e) => found(&error_redirect(
            shared,
            &r.redirect_uri,
            state,
            "server_error",
            50000,
            &e.to_string(),
            &[FLAG],
        )),
    }
}
