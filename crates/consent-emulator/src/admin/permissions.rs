//! Enterprise applications → All applications → the app → Permissions: the tenant-wide delegated
//! grants and app roles ("Admin consent"), users' own grants ("User consent"), "Grant admin consent
//! for `<tenant>`" (the same consent dialog, then the workflow's tenant-wide grant) and "Revoke"
//! (the workflow's [`consent::Consent::revoke`]).

use std::sync::Arc;

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum_extra::extract::cookie::CookieJar;
use consent::{AppId, ConsentGraph, ConsentState, GrantConsentType, ScopeSet};
use consent_mock::DirectoryRole;

use super::requests::ConsentDialog;
use super::{
    message_page, page_ctx, permission_rows, post_ctx, render, see_other, user_named, write_error, Answer, Chrome, Ctx, NoticeQuery,
};
use crate::server::Shared;

/// Roles that may grant (and revoke) tenant-wide consent at all; what each may grant is the mock's check.
const CONSENTING_ROLES: &[DirectoryRole] = &[
    DirectoryRole::GlobalAdministrator,
    DirectoryRole::PrivilegedRoleAdministrator,
    DirectoryRole::CloudApplicationAdministrator,
    DirectoryRole::ApplicationAdministrator,
];

struct AppRow {
    app_id: String,
    name: String,
    enabled: &'static str,
}

#[derive(Template)]
#[template(path = "admin/apps.html")]
struct AppsPage {
    chrome: Chrome,
    apps: Vec<AppRow>,
}

fn apps_crumbs() -> Vec<(String, String)> {
    vec![("Enterprise applications".to_owned(), "/admin/apps".to_owned())]
}

/// `GET /admin/apps`: the apps configured in the emulator or published in the tenant, and the
/// service principals the tenant holds (Microsoft Graph excepted).
pub(crate) async fn apps(State(shared): State<Arc<Shared>>, jar: CookieJar) -> Answer {
    let ctx = page_ctx(&shared, &jar)?;
    let mut rows: Vec<AppRow> = Vec::new();
    let sps = ctx.tenant.service_principals();
    let mut push = |app_id: AppId, name: String| {
        if app_id == AppId::MICROSOFT_GRAPH || rows.iter().any(|r| r.app_id == app_id.to_string()) {
            return;
        }
        let enabled = match sps.iter().find(|s| s.app_id == app_id) {
            Some(sp) if !sp.account_enabled => "No",
            _ => "Yes",
        };
        rows.push(AppRow {
            app_id: app_id.to_string(),
            name,
            enabled,
        });
    };
    for a in &shared.config.apps {
        push(a.app_id, a.display_name.clone());
    }
    for sp in &sps {
        push(sp.app_id, sp.display_name.clone().unwrap_or_else(|| sp.app_id.to_string()));
    }
    Ok(render(&AppsPage {
        chrome: ctx.chrome("Enterprise applications", "apps", apps_crumbs()),
        apps: rows,
    }))
}

struct GrantRow {
    api: String,
    value: String,
    description: String,
    kind: &'static str,
}

#[derive(Template)]
#[template(path = "admin/permissions.html")]
struct PermissionsPage {
    chrome: Chrome,
    app_id: String,
    app_name: String,
    tenant_name: String,
    can_grant: bool,
    enabled: bool,
    admin_rows: Vec<GrantRow>,
    user_rows: Vec<GrantRow>,
}

fn parse_app(ctx: &Ctx, raw: &str) -> Result<AppId, Response> {
    AppId::parse(raw).map_err(|_| {
        message_page(
            StatusCode::NOT_FOUND,
            Some(ctx),
            "Enterprise applications",
            "No such application.",
            "/admin/apps",
        )
    })
}

fn app_crumbs(name: &str, app: &AppId, last: &str) -> Vec<(String, String)> {
    let mut c = apps_crumbs();
    c.push((name.to_owned(), format!("/admin/apps/{app}/permissions")));
    c.push((last.to_owned(), String::new()));
    c
}

/// `GET /admin/apps/{app}/permissions`.
pub(crate) async fn page(
    State(shared): State<Arc<Shared>>,
    jar: CookieJar,
    Path(raw): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> Answer {
    let ctx = page_ctx(&shared, &jar)?;
    let app_id = parse_app(&ctx, &raw)?;
    // Reading grants needs a directory-reading role; the admin view shows what the tenant holds.
    let reader = ctx.tenant.as_admin();
    let sp = match reader.get_service_principal(&app_id).await {
        Ok(sp) => sp,
        Err(e) => return Err(write_error(&ctx, &e, "/admin/apps")),
    };
    let app_name = shared
        .registration(&ctx.tenant, &app_id)
        .map(|a| a.display_name)
        .or_else(|| sp.as_ref().and_then(|s| s.display_name.clone()))
        .unwrap_or_else(|| app_id.to_string());
    let mut admin_rows = Vec::new();
    let mut user_rows = Vec::new();
    if let Some(sp) = &sp {
        let resources = ctx.tenant.service_principals();
        let api_name = |id: &consent::ObjectId| {
            resources
                .iter()
                .find(|r| r.id == *id)
                .and_then(|r| r.display_name.clone())
                .unwrap_or_else(|| id.to_string())
        };
        match reader.list_delegated_grants(&sp.id).await {
            Ok(grants) => {
                for g in grants {
                    match g.consent_type {
                        GrantConsentType::AllPrincipals => {
                            for p in permission_rows(&g.scope) {
                                admin_rows.push(GrantRow {
                                    api: api_name(&g.resource_id),
                                    value: p.value,
                                    description: p.description,
                                    kind: "Delegated",
                                });
                            }
                        }
                        GrantConsentType::Principal => user_rows.push(GrantRow {
                            api: g.principal_id.map(|u| user_named(&ctx, u)).unwrap_or_default(),
                            value: g.scope.to_string(),
                            description: String::new(),
                            kind: "Delegated",
                        }),
                    }
                }
            }
            Err(e) => return Err(write_error(&ctx, &e, "/admin/apps")),
        }
        if let Ok(assignments) = reader.list_app_role_assignments(&sp.id).await {
            for a in assignments {
                let resource = resources.iter().find(|r| r.id == a.resource_id);
                let role = resource.and_then(|r| r.app_roles.iter().find(|x| x.id == a.app_role_id));
                admin_rows.push(GrantRow {
                    api: api_name(&a.resource_id),
                    value: role.and_then(|r| r.value.clone()).unwrap_or_else(|| a.app_role_id.to_string()),
                    description: role.and_then(|r| r.display_name.clone()).unwrap_or_default(),
                    kind: "Application",
                });
            }
        }
    }
    let name_for_crumbs = app_name.clone();
    let mut chrome = ctx.chrome("Permissions", "apps", app_crumbs(&name_for_crumbs, &app_id, "Permissions"));
    chrome.notice = q.notice;
    Ok(render(&PermissionsPage {
        chrome,
        app_id: app_id.to_string(),
        app_name,
        tenant_name: ctx.tenant_name(),
        can_grant: ctx.user.has_any_role(CONSENTING_ROLES),
        enabled: sp.is_none_or(|s| s.account_enabled),
        admin_rows,
        user_rows,
    }))
}

/// `GET /admin/apps/{app}/grant`: "Grant admin consent for `<tenant>`" opens the consent dialog.
pub(crate) async fn grant_dialog(State(shared): State<Arc<Shared>>, jar: CookieJar, Path(raw): Path<String>) -> Answer {
    let ctx = page_ctx(&shared, &jar)?;
    let app_id = parse_app(&ctx, &raw)?;
    let Some(app) = shared.registration(&ctx.tenant, &app_id) else {
        return Err(message_page(
            StatusCode::NOT_FOUND,
            Some(&ctx),
            "Enterprise applications",
            "The app is not published in this tenant, so its permissions are unknown.",
            "/admin/apps",
        ));
    };
    let scopes: ScopeSet = app.delegated_scopes();
    let unverified = ctx.tenant.published_app(&app_id).is_some_and(|p| !p.publisher_verified);
    Ok(render(&ConsentDialog {
        chrome: ctx.chrome(
            "Permissions requested",
            "apps",
            app_crumbs(&app.display_name, &app_id, "Grant admin consent"),
        ),
        app_name: app.display_name.clone(),
        unverified,
        permissions: permission_rows(&scopes),
        accept_action: format!("/admin/apps/{app_id}/grant"),
        cancel_href: format!("/admin/apps/{app_id}/permissions"),
    }))
}

/// The start both consent POSTs share: a session with its CSRF token, a known app, and a role that
/// may grant or revoke tenant-wide consent. `action` names what is refused ("Granting admin consent").
fn consenting_post(
    shared: &Arc<Shared>,
    jar: &CookieJar,
    raw: &str,
    body: &Bytes,
    action: &str,
) -> Result<(Ctx, consent::AppRegistration, String), Response> {
    let (ctx, _) = post_ctx(shared, jar, body)?;
    let back = format!("/admin/apps/{raw}/permissions");
    let app_id = parse_app(&ctx, raw)?;
    if !ctx.user.has_any_role(CONSENTING_ROLES) {
        let why = format!("{action} needs an administrator role.");
        return Err(message_page(StatusCode::FORBIDDEN, Some(&ctx), "Access denied", &why, &back));
    }
    let Some(app) = shared.registration(&ctx.tenant, &app_id) else {
        return Err(message_page(
            StatusCode::NOT_FOUND,
            Some(&ctx),
            "Enterprise applications",
            "Unknown app.",
            "/admin/apps",
        ));
    };
    Ok((ctx, app, back))
}

/// `POST /admin/apps/{app}/grant`: Accept → the tenant-wide grant (through the workflow when the
/// tenant has the app in a state that allows it, else the grant recipe itself).
pub(crate) async fn grant(State(shared): State<Arc<Shared>>, jar: CookieJar, Path(raw): Path<String>, body: Bytes) -> Answer {
    let (ctx, app, back) = consenting_post(&shared, &jar, &raw, &body, "Granting admin consent")?;
    let done = match consent::observe(&ctx.graph, &app).await {
        Ok(ConsentState::Pending(p)) => p.approve(&ctx.graph).await.map(|_| ()),
        Ok(ConsentState::RequestsDisabled(p)) => p.approve_without_request(&ctx.graph).await.map(|_| ()),
        Ok(ConsentState::RequestsEnabled(p)) => p.approve_without_request(&ctx.graph).await.map(|_| ()),
        Ok(_) => consent::grant_tenant_wide(&ctx.graph, &app).await.map(|_| ()),
        Err(e) => Err(e),
    };
    Ok(match done {
        Ok(()) => see_other(&back, "Admin consent granted for all users in the organization."),
        Err(e) => write_error(&ctx, &e, &back),
    })
}

/// `POST /admin/apps/{app}/revoke`: the workflow's `revoke` (or the revoke recipe when the tenant
/// does not read as approved, e.g. a partial grant); the banner is the revocation's own guidance title.
pub(crate) async fn revoke(State(shared): State<Arc<Shared>>, jar: CookieJar, Path(raw): Path<String>, body: Bytes) -> Answer {
    let (ctx, app, back) = consenting_post(&shared, &jar, &raw, &body, "Revoking admin consent")?;
    let revocation = match consent::observe(&ctx.graph, &app).await {
        Ok(ConsentState::Approved(a)) => a.revoke(&ctx.graph).await,
        Ok(_) => match consent::revoke_tenant_wide(&ctx.graph, &app).await {
            Ok(report) => consent::observe(&ctx.graph, &app)
                .await
                .map(|state| consent::Revocation { report, state }),
            Err(e) => Err(e),
        },
        Err(e) => Err(e),
    };
    let product = consent::guidance::Product::new(&app.display_name);
    Ok(match revocation {
        Ok(r) => see_other(&back, &format!("{}.", r.guidance(&product, consent::guidance::Locale::En).title)),
        Err(e) => write_error(&ctx, &e, &back),
    })
}
