//! The login pages as plain HTML (no JavaScript): sign-in, user consent, "Approval required",
//! "Request sent", "Need admin approval", the admin-consent page, and error pages. Wording and
//! element ids follow Microsoft's pages closely enough that a person recognises them and a browser
//! test can drive them. Every interpolated value is HTML-escaped.

use std::fmt::Write as _;

/// One permission row: the scope value and what it lets the app do.
#[derive(Debug, Clone)]
pub(crate) struct PermissionRow {
    pub(crate) value: String,
    pub(crate) description: String,
}

/// Escapes text for HTML element content and attribute values.
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn layout(title: &str, body: &str) -> String {
    format!(
        r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body{{font-family:"Segoe UI",Arial,sans-serif;background:#f2f2f2;margin:0}}
main{{max-width:440px;margin:48px auto;background:#fff;padding:44px;box-shadow:0 2px 6px rgba(0,0,0,.2)}}
.brand{{font-weight:600;color:#737373;margin-bottom:16px}} h1{{font-size:24px;font-weight:600;margin:0 0 16px}}
input,textarea{{width:100%;box-sizing:border-box;padding:6px;margin:4px 0 12px;font:inherit}}
button{{background:#0067b8;color:#fff;border:0;padding:8px 24px;font:inherit;cursor:pointer}}
button.secondary{{background:#ccc;color:#000}} .error{{color:#e81123}} .muted{{color:#605e5c;font-size:13px}}
li{{margin:6px 0}} code{{font-size:13px}}
</style></head>
<body><main><div class="brand">Microsoft (local emulator)</div>
{body}
</main></body></html>"#,
        title = esc(title),
    )
}

fn hidden_flow(flow: &str) -> String {
    format!(r#"<input type="hidden" name="flow" value="{}">"#, esc(flow))
}

fn permission_list(rows: &[PermissionRow]) -> String {
    let mut out = String::from(r#"<ul id="permissions">"#);
    for r in rows {
        let _ = write!(
            out,
            "<li><strong>{}</strong><br><span class=\"muted\">{}</span></li>",
            esc(&r.description),
            esc(&r.value)
        );
    }
    out.push_str("</ul>");
    out
}

/// "Sign in" with the seeded users' UPN and password.
pub(crate) fn sign_in(flow: &str, post_to: &str, app: &str, hint: Option<&str>, error: Option<&str>) -> String {
    let error = error
        .map(|e| format!(r#"<p class="error" id="error">{}</p>"#, esc(e)))
        .unwrap_or_default();
    let body = format!(
        r#"<h1>Sign in</h1><p>to continue to <strong id="app-name">{app}</strong></p>{error}
<form method="post" action="{post_to}">{flow}<input type="hidden" name="action" value="signin">
<label for="upn">Email or user principal name</label><input id="upn" name="upn" type="email" autocomplete="username" value="{hint}" required>
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<button id="signin" type="submit">Sign in</button></form>
<p class="muted">Emulator: the users and passwords are in the JSON line printed at start.</p>"#,
        app = esc(app),
        post_to = esc(post_to),
        flow = hidden_flow(flow),
        hint = esc(hint.unwrap_or("")),
    );
    layout("Sign in to your account", &body)
}

/// The user consent page ("Permissions requested").
pub(crate) fn consent(flow: &str, post_to: &str, app: &str, user: &str, rows: &[PermissionRow]) -> String {
    let body = format!(
        r#"<h1>Permissions requested</h1><p><strong id="app-name">{app}</strong> (unverified) wants to access resources of <strong>{user}</strong>. This app would like to:</p>
{list}
<form method="post" action="{post_to}">{flow}
<button id="cancel" class="secondary" type="submit" name="action" value="cancel">Cancel</button>
<button id="accept" type="submit" name="action" value="accept">Accept</button></form>"#,
        app = esc(app),
        user = esc(user),
        list = permission_list(rows),
        post_to = esc(post_to),
        flow = hidden_flow(flow),
    );
    layout("Permissions requested", &body)
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
    let error = error
        .map(|e| format!(r#"<p class="error" id="error">{}</p>"#, esc(e)))
        .unwrap_or_default();
    let body = format!(
        r#"<h1>Approval required</h1><p><strong id="app-name">{app}</strong> needs permission to access resources in your organization that only an admin can grant. Please ask an admin to grant permission to this app before you can use it.</p>
{list}{error}
<form method="post" action="{post_to}">{flow}<input type="hidden" name="action" value="request">
<label for="justification">Enter justification for requesting this app</label>
<textarea id="justification" name="justification" rows="4" maxlength="2000" required></textarea>
<button id="request-approval" type="submit">Request approval</button></form>
<p><a id="back-to-app" href="{cancel}">Return to the application without granting consent</a></p>"#,
        app = esc(app),
        list = permission_list(rows),
        post_to = esc(post_to),
        flow = hidden_flow(flow),
        cancel = esc(cancel_href),
    );
    layout("Approval required", &body)
}

/// After "Request approval": the request exists; the user goes back to the app.
pub(crate) fn request_sent(app: &str, back_href: &str) -> String {
    let body = format!(
        r#"<h1 id="request-sent">Request sent</h1><p>Your request to use <strong>{app}</strong> was sent to your admins. You will get an email when they review it.</p>
<p><a id="back-to-app" href="{back}">Return to the application</a></p>"#,
        app = esc(app),
        back = esc(back_href),
    );
    layout("Request sent", &body)
}

/// AADSTS90094: "Need admin approval", no form.
pub(crate) fn need_admin_approval(app: &str, back_href: &str) -> String {
    let body = format!(
        r#"<h1 id="need-admin-approval">Need admin approval</h1><p><strong id="app-name">{app}</strong> needs permission to access resources in your organization that only an admin can grant. Please ask an admin to grant permission to this app before you can use it.</p>
<p><a id="back-to-app" href="{back}">Have an admin account? Sign in with that account</a> — or return to the application.</p>"#,
        app = esc(app),
        back = esc(back_href),
    );
    layout("Need admin approval", &body)
}

/// The v2 admin-consent page: permissions for the whole organisation, Accept / Cancel.
pub(crate) fn admin_consent(flow: &str, post_to: &str, app: &str, admin: &str, rows: &[PermissionRow]) -> String {
    let body = format!(
        r#"<h1>Permissions requested</h1><p class="muted">Accept for your organization</p><p><strong id="app-name">{app}</strong> wants to access resources; signed in as <strong>{admin}</strong>. Accepting grants these permissions for <strong>all users</strong> in your organization:</p>
{list}
<form method="post" action="{post_to}">{flow}
<button id="cancel" class="secondary" type="submit" name="action" value="cancel">Cancel</button>
<button id="accept" type="submit" name="action" value="accept">Accept</button></form>"#,
        app = esc(app),
        admin = esc(admin),
        list = permission_list(rows),
        post_to = esc(post_to),
        flow = hidden_flow(flow),
    );
    layout("Permissions requested", &body)
}

/// An error the browser cannot be redirected with (bad client, bad redirect URI, unknown tenant).
pub(crate) fn error(code: u32, message: &str) -> String {
    let body = format!(
        r#"<h1>Sorry, but we're having trouble signing you in.</h1><p class="error" id="error">AADSTS{code}: {msg}</p>"#,
        msg = esc(message),
    );
    layout("Sign in error", &body)
}

/// The emulator's front page: where things are.
pub(crate) fn index(tenant: &str, graph_url: &str, app: Option<&str>) -> String {
    let app = app.map(esc).unwrap_or_else(|| "(none)".into());
    let body = format!(
        r#"<h1>Entra consent emulator</h1>
<p>Tenant <code>{tenant}</code>, demo app <code>{app}</code>.</p>
<ul><li>Graph: <code>{graph}</code></li>
<li>Authorize: <code>/{tenant}/oauth2/v2.0/authorize</code></li>
<li>Admin consent: <code>/{tenant}/v2.0/adminconsent</code></li>
<li>Token: <code>/{tenant}/oauth2/v2.0/token</code></li></ul>
<h2>Microsoft Entra admin center</h2>
<ul><li><a id="admin-center" href="/admin">Admin center</a> (sign in with a seeded user)</li>
<li><a href="/admin/consent-settings">Consent and permissions: Admin consent settings</a></li>
<li><a href="/admin/requests">Admin consent requests</a></li>
<li><a href="/admin/apps">Enterprise applications: Permissions</a></li>
<li><a href="/admin/mail">Mail</a></li></ul>"#,
        tenant = esc(tenant),
        graph = esc(graph_url),
    );
    layout("Entra consent emulator", &body)
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
            assert!(page.contains("&lt;script&gt;"));
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
