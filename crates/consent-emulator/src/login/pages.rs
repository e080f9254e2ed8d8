//! The login pages (no JavaScript): sign-in, user consent, "Approval required", "Request sent",
//! "Need admin approval", the admin-consent page, error pages and the index. Wording and element ids
//! follow Microsoft's pages closely enough that a person recognises them and a browser test can drive
//! them. Each page is an askama template (`templates/login/`, compile-time, HTML auto-escaping) on
//! one layout, styled by the emulator's one stylesheet (`/admin/admin.css`).

use askama::Template;

/// One permission row: the scope value and what it lets the app do.
#[derive(Debug, Clone)]
pub(crate) struct PermissionRow {
    pub(crate) value: String,
    pub(crate) description: String,
}

/// One row per scope, described from Microsoft Graph's catalog (the login pages and the admin
/// center show the same rows).
pub(crate) fn permission_rows(scopes: &consent::ScopeSet) -> Vec<PermissionRow> {
    let catalog = consent::catalog::graph_permission_scopes();
    scopes
        .iter()
        .map(|s| PermissionRow {
            value: s.to_string(),
            description: catalog
                .iter()
                .find(|p| p.value.eq_ignore_ascii_case(s.as_str()))
                .and_then(|p| p.admin_consent_display_name.clone())
                .unwrap_or_else(|| s.to_string()),
        })
        .collect()
}

/// Renders a page; a template error (none is expected: the templates are checked at compile time)
/// becomes a short error text rather than a panic.
fn render(t: &impl Template) -> String {
    t.render().unwrap_or_else(|e| format!("template error: {e}"))
}

#[derive(Template)]
#[template(path = "login/sign_in.html")]
struct SignIn<'a> {
    title: &'a str,
    flow: &'a str,
    post_to: &'a str,
    app: &'a str,
    hint: &'a str,
    error: Option<&'a str>,
}

/// "Sign in" with the seeded users' UPN and password.
pub(crate) fn sign_in(flow: &str, post_to: &str, app: &str, hint: Option<&str>, error: Option<&str>) -> String {
    render(&SignIn {
        title: "Sign in to your account",
        flow,
        post_to,
        app,
        hint: hint.unwrap_or(""),
        error,
    })
}

#[derive(Template)]
#[template(path = "login/consent.html")]
struct UserConsent<'a> {
    title: &'a str,
    flow: &'a str,
    post_to: &'a str,
    app: &'a str,
    user: &'a str,
    rows: &'a [PermissionRow],
}

/// The user consent page ("Permissions requested").
pub(crate) fn consent(flow: &str, post_to: &str, app: &str, user: &str, rows: &[PermissionRow]) -> String {
    render(&UserConsent {
        title: "Permissions requested",
        flow,
        post_to,
        app,
        user,
        rows,
    })
}

#[derive(Template)]
#[template(path = "login/approval_required.html")]
struct ApprovalRequired<'a> {
    title: &'a str,
    flow: &'a str,
    post_to: &'a str,
    app: &'a str,
    rows: &'a [PermissionRow],
    cancel: &'a str,
    error: Option<&'a str>,
}

/// AADSTS90095: the "Approval required" page with the justification field.
pub(crate) fn approval_required(
    flow: &str,
    post_to: &str,
    app: &str,
    rows: &[PermissionRow],
    cancel_href: &str,
    error: Option<&str>,
) -> String {
    render(&ApprovalRequired {
        title: "Approval required",
        flow,
        post_to,
        app,
        rows,
        cancel: cancel_href,
        error,
    })
}

#[derive(Template)]
#[template(path = "login/request_sent.html")]
struct RequestSent<'a> {
    title: &'a str,
    app: &'a str,
    back: &'a str,
}

/// After "Request approval": the request exists; the user goes back to the app.
pub(crate) fn request_sent(app: &str, back_href: &str) -> String {
    render(&RequestSent {
        title: "Request sent",
        app,
        back: back_href,
    })
}

#[derive(Template)]
#[template(path = "login/need_admin_approval.html")]
struct NeedAdminApproval<'a> {
    title: &'a str,
    app: &'a str,
    back: &'a str,
}

/// AADSTS90094: "Need admin approval", no form.
pub(crate) fn need_admin_approval(app: &str, back_href: &str) -> String {
    render(&NeedAdminApproval {
        title: "Need admin approval",
        app,
        back: back_href,
    })
}

#[derive(Template)]
#[template(path = "login/admin_consent.html")]
struct AdminConsent<'a> {
    title: &'a str,
    flow: &'a str,
    post_to: &'a str,
    app: &'a str,
    admin: &'a str,
    rows: &'a [PermissionRow],
}

/// The v2 admin-consent page: permissions for the whole organisation, Accept / Cancel.
pub(crate) fn admin_consent(flow: &str, post_to: &str, app: &str, admin: &str, rows: &[PermissionRow]) -> String {
    render(&AdminConsent {
        title: "Permissions requested",
        flow,
        post_to,
        app,
        admin,
        rows,
    })
}

#[derive(Template)]
#[template(path = "login/error.html")]
struct ErrorPage<'a> {
    title: &'a str,
    code: u32,
    message: &'a str,
}

/// An error the browser cannot be redirected with (bad client, bad redirect URI, unknown tenant).
pub(crate) fn error(code: u32, message: &str) -> String {
    render(&ErrorPage {
        title: "Sign in error",
        code,
        message,
    })
}

#[derive(Template)]
#[template(path = "login/index.html")]
struct Index<'a> {
    title: &'a str,
    tenant: &'a str,
    graph: &'a str,
    app: &'a str,
}

/// The emulator's front page: where things are, the admin center included.
pub(crate) fn index(tenant: &str, graph_url: &str, app: Option<&str>) -> String {
    render(&Index {
        title: "Entra consent emulator",
        tenant,
        graph: graph_url,
        app: app.unwrap_or("(none)"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn everything_interpolated_is_escaped() {
        let evil = r#"<script>alert("x")</script>'"#;
        let rows = vec![PermissionRow {
            value: evil.into(),
            description: evil.into(),
        }];
        for page in [
            sign_in(evil, evil, evil, Some(evil), Some(evil)),
            consent(evil, evil, evil, evil, &rows),
            approval_required(evil, evil, evil, &rows, evil, Some(evil)),
            request_sent(evil, evil),
            need_admin_approval(evil, evil),
            admin_consent(evil, evil, evil, evil, &rows),
            error(1, evil),
            index(evil, evil, Some(evil)),
        ] {
            assert!(!page.contains("<script>"), "{page}");
            assert!(page.contains("&#60;script&#62;"), "{page}");
        }
    }

    #[test]
    fn approval_page_has_the_form_a_person_expects() {
        let page = approval_required("f", "/t/oauth2/v2.0/authorize", "Carerix", &[], "http://127.0.0.1/cb?error=x", None);
        assert!(page.contains("Approval required") && page.contains("Request approval"));
        assert!(page.contains(r#"name="justification""#) && page.contains(r#"name="flow" value="f""#));
        let page = need_admin_approval("Carerix", "http://127.0.0.1/cb");
        assert!(page.contains("Need admin approval") && !page.contains("<form"));
    }
}
