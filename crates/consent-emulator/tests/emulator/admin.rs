//! The admin center under `/admin`: session and CSRF, the three procedures' pages, reviewers only,
//! escaping, the Permissions page (grant, revoke), Mail.

use std::collections::HashMap;

use consent::{ConsentGraph, GrantConsentType, ScopeSet, UserConsentDecision};
use consent_mock::{demo, NotificationKind, Preset};
use reqwest::StatusCode;

use crate::common::{file_request, start, Env};

/// A browser: keeps cookies, never follows redirects by itself.
struct Browser<'a> {
    env: &'a Env,
    cookies: HashMap<String, String>,
    /// The last page's CSRF token.
    csrf: String,
}

struct Page {
    status: StatusCode,
    location: Option<String>,
    set_cookies: Vec<String>,
    body: String,
}

impl<'a> Browser<'a> {
    fn new(env: &'a Env) -> Self {
        Self {
            env,
            cookies: HashMap::new(),
            csrf: String::new(),
        }
    }

    fn url(&self, path: &str) -> String {
        self.env.login(path)
    }

    async fn finish(&mut self, resp: reqwest::Response) -> Page {
        let status = resp.status();
        let location = resp.headers().get("location").map(|l| l.to_str().unwrap().to_owned());
        let set_cookies: Vec<String> = resp
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect();
        for c in &set_cookies {
            let pair = c.split(';').next().unwrap();
            let (k, v) = pair.split_once('=').unwrap();
            if v.is_empty() || c.contains("Max-Age=0") {
                self.cookies.remove(k);
            } else {
                self.cookies.insert(k.to_owned(), v.to_owned());
            }
        }
        let body = resp.text().await.unwrap();
        if let Some(token) = csrf_of(&body) {
            self.csrf = token;
        }
        Page {
            status,
            location,
            set_cookies,
            body,
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ")
    }

    async fn get(&mut self, path: &str) -> Page {
        let resp = self
            .env
            .http
            .get(self.url(path))
            .header("cookie", self.cookie_header())
            .send()
            .await
            .unwrap();
        self.finish(resp).await
    }

    /// GET, following redirects within the emulator.
    async fn open(&mut self, path: &str) -> Page {
        let mut page = self.get(path).await;
        while let Some(next) = page.location.clone().filter(|_| page.status.is_redirection()) {
            page = self.get(&next).await;
        }
        page
    }

    /// POST a form as given (no token added).
    async fn post_raw(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        let body: String = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(form).finish();
        let resp = self
            .env
            .http
            .post(self.url(path))
            .header("cookie", self.cookie_header())
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        self.finish(resp).await
    }

    /// POST a form with the last page's CSRF token, following the redirect.
    async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        let csrf = self.csrf.clone();
        let mut with: Vec<(&str, &str)> = vec![("csrf", csrf.as_str())];
        with.extend_from_slice(form);
        let page = self.post_raw(path, &with).await;
        match page.location.clone().filter(|_| page.status.is_redirection()) {
            Some(next) => self.open(&next).await,
            None => page,
        }
    }

    /// A browser signed in as `upn` (with the demo password), on the home page.
    async fn signed_in(env: &'a Env, upn: &str) -> Self {
        let mut b = Self::new(env);
        let page = b.open("/admin/signin").await;
        assert_eq!(page.status, StatusCode::OK);
        let tenant = env.emu.tenant_id().to_string();
        let home = b
            .post("/admin/signin", &[("tenant", &tenant), ("upn", upn), ("password", demo::PASSWORD)])
            .await;
        assert!(home.body.contains(r#"id="go-settings""#), "{upn} is not signed in: {}", home.body);
        b
    }
}

fn csrf_of(body: &str) -> Option<String> {
    let marker = r#"name="csrf" value=""#;
    let start = body.find(marker)? + marker.len();
    let end = body[start..].find('"')? + start;
    Some(body[start..end].to_owned())
}

async fn eva_asks(env: &Env, why: &str) -> String {
    file_request(&env.tenant, demo::EVA_ID, demo::CARERIX_SCOPES, why).await
}

fn carerix_scopes() -> ScopeSet {
    demo::carerix_app().delegated_scopes()
}

#[tokio::test]
async fn pages_need_a_session_and_sign_in_sets_an_http_only_lax_cookie() {
    let env = start(Preset::WorkflowOn).await;
    let mut b = Browser::new(&env);
    let first = b.get("/admin/requests").await;
    assert_eq!(first.status, StatusCode::SEE_OTHER);
    assert_eq!(first.location.as_deref(), Some("/admin/signin"));

    let page = b.open("/admin/signin").await;
    assert!(page.body.contains("Sign in") && page.body.contains(r#"name="csrf""#));
    let tenant = env.emu.tenant_id().to_string();
    let csrf = b.csrf.clone();
    let wrong = b
        .post_raw(
            "/admin/signin",
            &[("csrf", &csrf), ("tenant", &tenant), ("upn", demo::ADMIN_UPN), ("password", "nope")],
        )
        .await;
    assert!(wrong.body.contains("Your account or password is incorrect"), "{}", wrong.body);

    let csrf = b.csrf.clone();
    let ok = b
        .post_raw(
            "/admin/signin",
            &[
                ("csrf", &csrf),
                ("tenant", &tenant),
                ("upn", demo::ADMIN_UPN),
                ("password", demo::PASSWORD),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    let session = ok
        .set_cookies
        .iter()
        .find(|c| c.starts_with("entra_admin_session="))
        .expect("session cookie");
    assert!(session.contains("HttpOnly") && session.contains("SameSite=Lax"), "{session}");
    let home = b.open("/admin").await;
    assert!(
        home.body.contains("Ada Admin") && home.body.contains(r#"href="/admin/requests""#),
        "{}",
        home.body
    );
    assert!(home.body.contains("Identity") && home.body.contains("Enterprise applications"));

    // The stylesheet is the emulator's own.
    let css = env.http.get(env.login("/admin/admin.css")).send().await.unwrap();
    assert_eq!(css.headers()["content-type"], "text/css; charset=utf-8");
}

#[tokio::test]
async fn sign_in_without_the_form_token_is_refused() {
    let env = start(Preset::WorkflowOn).await;
    let mut b = Browser::new(&env);
    let tenant = env.emu.tenant_id().to_string();
    let page = b
        .post_raw(
            "/admin/signin",
            &[("tenant", &tenant), ("upn", demo::ADMIN_UPN), ("password", demo::PASSWORD)],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_form_post_without_the_csrf_token_is_403() {
    let env = start(Preset::UserConsentDisabled).await;
    let mut b = Browser::signed_in(&env, demo::ADMIN_UPN).await;
    let before = env.tenant.as_admin().get_request_policy().await.unwrap();
    let form = [
        ("enabled", "yes"),
        ("reviewer", "group:b0000001-0000-4000-8000-000000000001"),
        ("days", "30"),
    ];
    let missing = b.post_raw("/admin/consent-settings", &form).await;
    assert_eq!(missing.status, StatusCode::FORBIDDEN);
    let mut forged = vec![("csrf", "not-the-token")];
    forged.extend_from_slice(&form);
    assert_eq!(b.post_raw("/admin/consent-settings", &forged).await.status, StatusCode::FORBIDDEN);
    // Another browser's valid session token does not help this one either.
    let other = Browser::signed_in(&env, demo::ADMIN_UPN).await;
    let mut crossed = vec![("csrf", other.csrf.as_str())];
    crossed.extend_from_slice(&form);
    assert_eq!(b.post_raw("/admin/consent-settings", &crossed).await.status, StatusCode::FORBIDDEN);
    assert_eq!(env.tenant.as_admin().get_request_policy().await.unwrap(), before);
}

#[tokio::test]
async fn procedure_1_the_settings_page_saves_the_policy_as_graph_does() {
    let env = start(Preset::UserConsentDisabled).await;
    let mut b = Browser::signed_in(&env, demo::ADMIN_UPN).await;
    let page = b.open("/admin/consent-settings").await;
    for label in [
        "Users can request admin consent to apps they are unable to consent to",
        "Who can review admin consent requests",
        "Selected users will receive email notifications for requests",
        "Selected users will receive request expiration reminders",
        "Consent request expires after (days)",
        "User consent for applications",
        "Do not allow user consent",
        "Admin consent requests",
        "Consent Reviewers",
        "Cloud Application Administrator",
    ] {
        assert!(page.body.contains(label), "missing {label:?}");
    }
    let before = env.tenant.as_admin().get_request_policy().await.unwrap();
    let group = format!("group:{}", demo::REVIEWERS_GROUP_ID);
    let saved = b
        .post(
            "/admin/consent-settings",
            &[
                ("enabled", "yes"),
                ("reviewer", &group),
                ("notify", "yes"),
                ("reminders", "no"),
                ("days", "14"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK);
    assert!(saved.body.contains("Admin consent settings saved"), "{}", saved.body);
    let policy = env.tenant.as_admin().get_request_policy().await.unwrap();
    assert!(policy.is_enabled && policy.notify_reviewers && !policy.reminders_enabled);
    assert_eq!(policy.request_duration_in_days, 14);
    assert_eq!(policy.reviewers, vec![consent::Reviewer::Group(demo::REVIEWERS_GROUP_ID)]);
    assert!(policy.version > before.version);
    // Eva now gets "Approval required".
    let decision = env.tenant.sign_in(demo::EVA_ID, &demo::CARERIX_APP_ID, &carerix_scopes()).unwrap();
    assert_eq!(decision.aadsts_code(), Some(90095));

    // Out of range: refused, nothing written.
    let bad = b
        .post(
            "/admin/consent-settings",
            &[("enabled", "yes"), ("reviewer", &group), ("days", "31")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);

    // The user consent settings, as the Global Administrator.
    let page = b.post("/admin/user-consent-settings", &[("user_consent", "legacy")]).await;
    assert!(page.body.contains("User consent settings saved"));
    let now = env.tenant.as_admin().get_authorization_policy().await.unwrap();
    assert_eq!(now.user_consent(), consent::UserConsentSetting::AllowAll);
}

#[tokio::test]
async fn only_a_global_administrator_changes_user_consent_and_a_reader_cannot_save_the_policy() {
    let env = start(Preset::UserConsentDisabled).await;
    let mut b = Browser::signed_in(&env, demo::CLOUD_ADMIN_UPN).await;
    b.open("/admin/consent-settings").await;
    let refused = b.post("/admin/user-consent-settings", &[("user_consent", "legacy")]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    let mut reader = Browser::signed_in(&env, demo::READER_UPN).await;
    let page = reader.open("/admin/consent-settings").await;
    assert!(!page.body.contains(r#"id="save-admin-consent""#));
    let group = format!("group:{}", demo::REVIEWERS_GROUP_ID);
    let refused = reader
        .post(
            "/admin/consent-settings",
            &[("enabled", "yes"), ("reviewer", &group), ("days", "30")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
}

#[tokio::test]
async fn procedure_3_the_reviewer_accepts_and_everyone_can_link() {
    let env = start(Preset::WorkflowOn).await;
    let id = eva_asks(&env, "I schedule interviews in Outlook").await;
    let mut cas = Browser::signed_in(&env, demo::CLOUD_ADMIN_UPN).await;
    let pending = cas.open("/admin/requests").await;
    assert!(pending.body.contains("Admin consent requests") && pending.body.contains("My Pending"));
    assert!(pending.body.contains("Carerix Calendar - Production"), "{}", pending.body);
    assert!(pending.body.contains(&format!("/admin/requests/{id}")));

    let request = cas.open(&format!("/admin/requests/{id}")).await;
    assert!(request.body.contains("Review permissions and consent"));
    assert!(request.body.contains("I schedule interviews in Outlook") && request.body.contains("Eva Jansen"));
    assert!(request.body.contains("Calendars.ReadWrite") && request.body.contains("Requested by") && request.body.contains("App details"));

    let dialog = cas.open(&format!("/admin/requests/{id}/consent")).await;
    assert!(dialog.body.contains("Permissions requested") && dialog.body.contains("for all users"));
    let done = cas.post(&format!("/admin/requests/{id}/approve"), &[]).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(done.body.contains("Approved"), "{}", done.body);

    // Sam links with no prompt; Eva was told.
    let sam = env.tenant.sign_in(demo::SAM_ID, &demo::CARERIX_APP_ID, &carerix_scopes()).unwrap();
    assert_eq!(sam, UserConsentDecision::AlreadyGranted);
    assert!(env
        .tenant
        .outbox()
        .iter()
        .any(|n| n.to == demo::EVA_ID && n.kind == NotificationKind::Approved));
    // My Pending is empty now; All still lists it.
    assert!(cas
        .open("/admin/requests")
        .await
        .body
        .contains("No requests are waiting for your review"));
    assert!(cas
        .open("/admin/requests?tab=all")
        .await
        .body
        .contains("Carerix Calendar - Production"));
}

#[tokio::test]
async fn a_non_reviewer_sees_the_request_read_only_and_their_posts_are_refused() {
    let env = start(Preset::WorkflowOn).await;
    let id = eva_asks(&env, "calendar please").await;
    // Ada is a Global Administrator but not a reviewer of this request.
    let mut ada = Browser::signed_in(&env, demo::ADMIN_UPN).await;
    assert!(!ada.open("/admin/requests").await.body.contains(&format!("/admin/requests/{id}")));
    let page = ada.open(&format!("/admin/requests/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("calendar please") && page.body.contains("not a reviewer"));
    assert!(!page.body.contains(r#"id="review""#) && !page.body.contains(r#"id="deny""#));
    for action in ["approve", "deny", "block"] {
        let refused = ada.post(&format!("/admin/requests/{id}/{action}"), &[("reason", "no")]).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{action}");
    }
    assert_eq!(
        ada.open(&format!("/admin/requests/{id}/consent")).await.status,
        StatusCode::FORBIDDEN
    );
    // Eva sees nothing at all.
    let mut eva = Browser::signed_in(&env, demo::EVA_UPN).await;
    assert_eq!(eva.open(&format!("/admin/requests/{id}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        eva.post(&format!("/admin/requests/{id}/approve"), &[]).await.status,
        StatusCode::NOT_FOUND
    );
    // Still pending.
    let sam = env.tenant.sign_in(demo::SAM_ID, &demo::CARERIX_APP_ID, &carerix_scopes()).unwrap();
    assert_eq!(sam.aadsts_code(), Some(90095));
}

#[tokio::test]
async fn deny_and_block_take_a_reason_that_reaches_the_requester() {
    let env = start(Preset::WorkflowOn).await;
    let id = eva_asks(&env, "first try").await;
    let mut cas = Browser::signed_in(&env, demo::CLOUD_ADMIN_UPN).await;
    cas.open(&format!("/admin/requests/{id}")).await;
    let empty = cas.post(&format!("/admin/requests/{id}/deny"), &[("reason", "")]).await;
    assert_eq!(empty.status, StatusCode::BAD_REQUEST);
    let denied = cas
        .post(&format!("/admin/requests/{id}/deny"), &[("reason", "Use the approved CRM")])
        .await;
    assert!(denied.body.contains("Denied"), "{}", denied.body);
    assert!(env
        .tenant
        .outbox()
        .iter()
        .any(|n| n.to == demo::EVA_ID && n.kind == NotificationKind::Denied));
    // The stage carries the reason.
    let users = env.tenant.as_admin().list_user_consent_requests(&id).await.unwrap();
    let stage = &users[0].approval.as_ref().unwrap().stages[0];
    assert_eq!(stage.justification.as_deref(), Some("Use the approved CRM"));

    let again = eva_asks(&env, "second try").await;
    cas.open(&format!("/admin/requests/{again}")).await;
    let blocked = cas
        .post(&format!("/admin/requests/{again}/block"), &[("reason", "Not allowed here")])
        .await;
    assert!(blocked.body.contains("Blocked"), "{}", blocked.body);
    let sp = env
        .tenant
        .as_admin()
        .get_service_principal(&demo::CARERIX_APP_ID)
        .await
        .unwrap()
        .unwrap();
    assert!(!sp.account_enabled);
}

#[tokio::test]
async fn justifications_and_app_names_are_html_escaped() {
    let env = start(Preset::WorkflowOn).await;
    let id = eva_asks(&env, "<script>alert('x')</script> & more").await;
    let mut cas = Browser::signed_in(&env, demo::CLOUD_ADMIN_UPN).await;
    let page = cas.open(&format!("/admin/requests/{id}")).await;
    assert!(!page.body.contains("<script>"), "{}", page.body);
    // askama writes `<` as `&#60;`.
    assert!(page.body.contains("&#60;script&#62;alert(&#39;x&#39;)"), "{}", page.body);
    let list = cas.open("/admin/requests").await;
    assert!(!list.body.contains("<script>"));
}

#[tokio::test]
async fn logout_ends_the_session() {
    let env = start(Preset::WorkflowOn).await;
    let mut b = Browser::signed_in(&env, demo::ADMIN_UPN).await;
    let old = b.cookies.clone();
    assert_eq!(b.open("/admin").await.status, StatusCode::OK);
    let csrf = b.csrf.clone();
    let out = b.post_raw("/admin/signout", &[("csrf", &csrf)]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert!(out
        .set_cookies
        .iter()
        .any(|c| c.starts_with("entra_admin_session=;") || c.contains("Max-Age=0")));
    let after = b.get("/admin").await;
    assert_eq!(after.location.as_deref(), Some("/admin/signin"));
    // The old cookie is dead on the server too.
    b.cookies = old;
    assert_eq!(b.get("/admin").await.location.as_deref(), Some("/admin/signin"));
}

#[tokio::test]
async fn the_permissions_page_grants_and_revokes_tenant_wide_consent() {
    let env = start(Preset::WorkflowOn).await;
    let mut ada = Browser::signed_in(&env, demo::ADMIN_UPN).await;
    let apps = ada.open("/admin/apps").await;
    assert!(apps.body.contains("Carerix Calendar - Production"));
    let path = format!("/admin/apps/{}/permissions", demo::CARERIX_APP_ID);
    let page = ada.open(&path).await;
    assert!(page.body.contains("Grant admin consent for Contoso"), "{}", page.body);
    assert!(page.body.contains("No permissions were granted"));

    let dialog = ada.open(&format!("/admin/apps/{}/grant", demo::CARERIX_APP_ID)).await;
    assert!(dialog.body.contains("Permissions requested") && dialog.body.contains("for all users"));
    let granted = ada.post(&format!("/admin/apps/{}/grant", demo::CARERIX_APP_ID), &[]).await;
    assert!(
        granted.body.contains("Admin consent granted") && granted.body.contains("Calendars.ReadWrite"),
        "{}",
        granted.body
    );
    assert_eq!(
        env.tenant.sign_in(demo::SAM_ID, &demo::CARERIX_APP_ID, &carerix_scopes()).unwrap(),
        UserConsentDecision::AlreadyGranted
    );

    let revoked = ada.post(&format!("/admin/apps/{}/revoke", demo::CARERIX_APP_ID), &[]).await;
    assert!(revoked.body.contains("was revoked"), "{}", revoked.body);
    assert!(revoked.body.contains("No permissions were granted"));
    let sp = env
        .tenant
        .as_admin()
        .get_service_principal(&demo::CARERIX_APP_ID)
        .await
        .unwrap()
        .unwrap();
    let grants = env.tenant.as_admin().list_delegated_grants(&sp.id).await.unwrap();
    assert!(grants.iter().all(|g| g.consent_type != GrantConsentType::AllPrincipals));
    assert_eq!(
        env.tenant
            .sign_in(demo::SAM_ID, &demo::CARERIX_APP_ID, &carerix_scopes())
            .unwrap()
            .aadsts_code(),
        Some(90095)
    );
    // Eva (no role) sees no grant button and cannot post one.
    let mut eva = Browser::signed_in(&env, demo::EVA_UPN).await;
    assert!(!eva.open(&path).await.body.contains(r#"id="grant""#));
    let refused = eva.post(&format!("/admin/apps/{}/grant", demo::CARERIX_APP_ID), &[]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_mail_page_shows_each_users_email_with_its_link() {
    let env = start(Preset::WorkflowOn).await;
    let id = eva_asks(&env, "calendar").await;
    let mut cas = Browser::signed_in(&env, demo::CLOUD_ADMIN_UPN).await;
    let mine = cas.open("/admin/mail").await;
    assert!(
        mine.body.contains("Admin consent request for Carerix Calendar - Production"),
        "{}",
        mine.body
    );
    assert!(mine.body.contains(&format!("/admin/requests/{id}")) && mine.body.contains("Review Request"));
    let evas = cas.open(&format!("/admin/mail?user={}", demo::EVA_UPN)).await;
    assert!(
        evas.body.contains("Your request for Carerix Calendar - Production was sent"),
        "{}",
        evas.body
    );
}

#[tokio::test]
async fn the_index_page_links_the_admin_center() {
    let env = start(Preset::WorkflowOn).await;
    let body = env.http.get(env.login("/")).send().await.unwrap().text().await.unwrap();
    assert!(body.contains(r#"href="/admin""#) && body.contains("Admin consent requests"));
}
