//! The login endpoints driven like a browser would (forms posted, redirects read), with the callback
//! classified by `consent::link` exactly as a product would.

use crate::common::{read, redeem, refresh_form, start, Env};
use chrono::Duration;
use consent::link::{Authority, LinkOutcome, LinkRequest, LinkTenant, PendingLink};
use consent::{ConsentGraph, RequestFilter, ScopeSet};
use consent_mock::{demo, Preset};
use reqwest::StatusCode;
use url::Url;

const REDIRECT: &str = "http://127.0.0.1:9/callback";

fn link(env: &Env) -> (Url, PendingLink) {
    link_in(env, &env.emu.tenant_id())
}

fn link_in(env: &Env, tenant: &consent::TenantId) -> (Url, PendingLink) {
    let authority = Authority::parse(env.emu.login_url().as_str().trim_end_matches('/')).unwrap();
    LinkRequest::new(demo::CARERIX_APP_ID, REDIRECT, ScopeSet::parse(demo::CARERIX_SCOPES).unwrap())
        .unwrap()
        .tenant(LinkTenant::parse(&tenant.to_string()).unwrap())
        .authority(authority)
        .build(&env.tenant.clock())
        .unwrap()
}

/// The value of the hidden `flow` field.
fn flow_of(page: &str) -> String {
    let start = page.find(r#"name="flow" value=""#).expect("a form with a flow id") + r#"name="flow" value=""#.len();
    page[start..].split('"').next().unwrap().to_owned()
}

/// The `href` of the "back to app" link, HTML-unescaped.
fn back_link(page: &str) -> String {
    let start = page.find(r#"id="back-to-app" href=""#).expect("a back link") + r#"id="back-to-app" href=""#.len();
    // askama writes `&` as `&#38;` (numeric references); the older pages wrote `&amp;`.
    page[start..].split('"').next().unwrap().replace("&#38;", "&").replace("&amp;", "&")
}

async fn open(env: &Env, url: &str) -> String {
    let r = env.http.get(url).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    r.text().await.unwrap()
}

async fn post(env: &Env, url: &str, form: &[(&str, &str)]) -> reqwest::Response {
    env.http.post(url).form(form).send().await.unwrap()
}

fn location(r: &reqwest::Response) -> String {
    assert_eq!(r.status(), StatusCode::FOUND, "expected a redirect");
    r.headers()["location"].to_str().unwrap().to_owned()
}

async fn sign_in(env: &Env, url: &Url, upn: &str) -> (String, reqwest::Response) {
    let page = open(env, url.as_str()).await;
    let flow = flow_of(&page);
    let action = url.path().to_owned();
    let r = post(
        env,
        &env.login(&action),
        &[("flow", &flow), ("action", "signin"), ("upn", upn), ("password", demo::PASSWORD)],
    )
    .await;
    (flow, r)
}

fn query(url: &str) -> String {
    Url::parse(url).unwrap().query().unwrap_or("").to_owned()
}

#[tokio::test]
async fn approval_required_then_request_sent_creates_the_request_and_classifies_as_90095() {
    let env = start(Preset::WorkflowOn).await;
    let (url, pending) = link(&env);
    let (flow, r) = sign_in(&env, &url, demo::EVA_UPN).await;
    let page = r.text().await.unwrap();
    assert!(page.contains("Approval required") && page.contains("Request approval"), "{page}");

    let action = env.login(url.path());
    let r = post(&env, &action, &[("flow", &flow), ("action", "request"), ("justification", "   ")]).await;
    assert!(
        r.text().await.unwrap().contains("id=\"error\""),
        "an empty justification is refused on the page"
    );
    let r = post(
        &env,
        &action,
        &[
            ("flow", &flow),
            ("action", "request"),
            ("justification", "Interviews belong in my calendar"),
        ],
    )
    .await;
    let page = r.text().await.unwrap();
    assert!(page.contains("Request sent"), "{page}");

    let requests = env
        .tenant
        .as_admin()
        .list_app_consent_requests(&RequestFilter::default())
        .await
        .unwrap();
    assert_eq!(requests.len(), 1);
    assert_eq!(
        requests[0].user_consent_requests[0].reason.as_deref(),
        Some("Interviews belong in my calendar")
    );

    let back = back_link(&page);
    assert!(back.starts_with(REDIRECT));
    let outcome = pending.finish(&query(&back), &env.tenant.clock()).unwrap();
    assert!(
        matches!(outcome, LinkOutcome::AdminApprovalRequired { can_request: true, .. }),
        "{outcome:?}"
    );
    // The flow is over: replaying the form does nothing.
    let r = post(&env, &action, &[("flow", &flow), ("action", "request"), ("justification", "again")]).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn workflow_off_shows_need_admin_approval_without_a_form_and_returns_90094() {
    let env = start(Preset::UserConsentDisabled).await;
    let (url, pending) = link(&env);
    let (_, r) = sign_in(&env, &url, demo::EVA_UPN).await;
    let page = r.text().await.unwrap();
    assert!(page.contains("Need admin approval") && !page.contains("<form"), "{page}");
    let outcome = pending.finish(&query(&back_link(&page)), &env.tenant.clock()).unwrap();
    assert!(
        matches!(outcome, LinkOutcome::AdminApprovalRequired { can_request: false, .. }),
        "{outcome:?}"
    );
}

async fn consent_and_get_code(env: &Env) -> (String, PendingLink) {
    consent_and_get_code_in(env, &env.emu.tenant_id()).await
}

async fn consent_and_get_code_in(env: &Env, tenant: &consent::TenantId) -> (String, PendingLink) {
    let (url, pending) = link_in(env, tenant);
    let (flow, r) = sign_in(env, &url, demo::EVA_UPN).await;
    if r.status() == StatusCode::FOUND {
        // Consented before in this tenant: the code comes back at once.
        return (location(&r), pending);
    }
    let page = r.text().await.unwrap();
    assert!(page.contains("Permissions requested"), "{page}");
    let r = post(env, &env.login(url.path()), &[("flow", &flow), ("action", "accept")]).await;
    (location(&r), pending)
}

#[tokio::test]
async fn user_consent_code_exchange_with_pkce_single_use() {
    let env = start(Preset::AllowUserConsent).await;
    let (callback, pending) = consent_and_get_code(&env).await;
    let outcome = pending.finish(&query(&callback), &env.tenant.clock()).unwrap();
    let LinkOutcome::Authorized(exchange) = outcome else {
        panic!("expected a code, got {outcome:?}")
    };
    assert_eq!(exchange.token_url().as_str(), env.token_url());

    let fields = exchange.form_fields();
    let (status, tokens) = redeem(&env, &fields).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    assert!(tokens["refresh_token"].is_string(), "offline_access was granted");
    let access = tokens["access_token"].as_str().unwrap();
    let r = env
        .http
        .get(env.graph("/policies/authorizationPolicy"))
        .bearer_auth(access)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "the delegated token works on Graph");

    let (status, err) = redeem(&env, &fields).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        (err["error"].as_str(), err["error_codes"][0].as_u64()),
        (Some("invalid_grant"), Some(54005))
    );

    let refresh = refresh_form(tokens["refresh_token"].as_str().unwrap());
    assert_eq!(redeem(&env, &refresh).await.0, StatusCode::OK);
    assert_eq!(redeem(&env, &refresh).await.0, StatusCode::BAD_REQUEST, "refresh tokens rotate");
}

/// docs/emulator.md, "Tokens": a missing `code_verifier` is `invalid_request` (900144, the parameter
/// is required), a wrong one `invalid_grant` (501481). A refresh token presented by another client is
/// refused (700005) and stays valid for its own client (RFC 6749 §6: bound to the client it was
/// issued to).
#[tokio::test]
async fn missing_verifier_and_a_refresh_token_of_another_client() {
    let env = start(Preset::AllowUserConsent).await;
    let (callback, pending) = consent_and_get_code(&env).await;
    let LinkOutcome::Authorized(exchange) = pending.finish(&query(&callback), &env.tenant.clock()).unwrap() else {
        panic!()
    };
    let fields = exchange.form_fields();
    let without: Vec<(&str, String)> = fields.iter().filter(|f| f.0 != "code_verifier").cloned().collect();
    let (status, err) = redeem(&env, &without).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        (err["error"].as_str(), err["error_codes"][0].as_u64()),
        (Some("invalid_request"), Some(900144))
    );

    let (status, tokens) = redeem(&env, &fields).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the code was not consumed by the incomplete request: {tokens}"
    );
    let rt = tokens["refresh_token"].as_str().unwrap().to_owned();
    let mut thief = refresh_form(&rt);
    thief[1].1 = "0a0a0a0a-0000-4000-8000-00000000f00d".to_owned();
    let (status, err) = redeem(&env, &thief).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(err["error_codes"][0], 700005);
    let owner = refresh_form(&rt);
    assert_eq!(redeem(&env, &owner).await.0, StatusCode::OK, "still valid for its own client");
}

#[tokio::test]
async fn wrong_verifier_and_expired_codes_are_invalid_grant() {
    let env = start(Preset::AllowUserConsent).await;
    let (callback, pending) = consent_and_get_code(&env).await;
    let LinkOutcome::Authorized(exchange) = pending.finish(&query(&callback), &env.tenant.clock()).unwrap() else {
        panic!()
    };
    let mut fields = exchange.form_fields();
    for f in &mut fields {
        if f.0 == "code_verifier" {
            f.1 = "x".repeat(43);
        }
    }
    let (status, err) = redeem(&env, &fields).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(err["error_codes"][0], 501481);
    assert!(err["error_description"].as_str().unwrap().starts_with("AADSTS501481:"));

    // Already signed in and consented: the second link returns a code directly.
    let (url, pending) = link(&env);
    let (_, r) = sign_in(&env, &url, demo::EVA_UPN).await;
    let callback = location(&r);
    let LinkOutcome::Authorized(exchange) = pending.finish(&query(&callback), &env.tenant.clock()).unwrap() else {
        panic!()
    };
    env.tenant.advance(Duration::minutes(11));
    let (status, err) = redeem(&env, &exchange.form_fields()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(err["error_codes"][0], 70008, "{err}");
}

#[tokio::test]
async fn user_cancel_comes_back_as_access_denied_with_subcode() {
    let env = start(Preset::AllowUserConsent).await;
    let (url, pending) = link(&env);
    let (flow, _) = sign_in(&env, &url, demo::EVA_UPN).await;
    let r = post(&env, &env.login(url.path()), &[("flow", &flow), ("action", "cancel")]).await;
    let outcome = pending.finish(&query(&location(&r)), &env.tenant.clock()).unwrap();
    assert!(matches!(outcome, LinkOutcome::UserCancelled { .. }), "{outcome:?}");
}

#[tokio::test]
async fn wrong_password_shows_the_form_again() {
    let env = start(Preset::AllowUserConsent).await;
    let (url, _) = link(&env);
    let page = open(&env, url.as_str()).await;
    let r = post(
        &env,
        &env.login(url.path()),
        &[
            ("flow", &flow_of(&page)),
            ("action", "signin"),
            ("upn", demo::EVA_UPN),
            ("password", "guess"),
        ],
    )
    .await;
    let page = r.text().await.unwrap();
    assert!(page.contains("AADSTS50126") && page.contains("Sign in"), "{page}");
}

fn admin_consent_url(env: &Env, scope: &str) -> String {
    let mut url = Url::parse(&env.login(&format!("/{}/v2.0/adminconsent", env.emu.tenant_id()))).unwrap();
    url.query_pairs_mut()
        .append_pair("client_id", &demo::CARERIX_APP_ID.to_string())
        .append_pair("redirect_uri", REDIRECT)
        .append_pair("scope", scope)
        .append_pair("state", "s123");
    url.to_string()
}

#[tokio::test]
async fn admin_consent_accept_grants_tenant_wide_and_cancel_is_65004() {
    let env = start(Preset::UserConsentDisabled).await;
    let url = Url::parse(&admin_consent_url(&env, "https://graph.microsoft.com/.default")).unwrap();
    let (flow, r) = sign_in(&env, &url, demo::ADMIN_UPN).await;
    let page = r.text().await.unwrap();
    assert!(page.contains("Accept") && page.contains("Calendars.ReadWrite"), "{page}");
    let r = post(&env, &env.login(url.path()), &[("flow", &flow), ("action", "accept")]).await;
    let back = Url::parse(&location(&r)).unwrap();
    let q: std::collections::HashMap<_, _> = back.query_pairs().into_owned().collect();
    assert_eq!(q["admin_consent"], "True");
    assert_eq!(q["tenant"], env.emu.tenant_id().to_string());
    assert_eq!(q["state"], "s123");
    assert_eq!(q["scope"], "https://graph.microsoft.com/.default");
    let decision = env
        .tenant
        .sign_in(demo::SAM_ID, &demo::CARERIX_APP_ID, &ScopeSet::parse(demo::CARERIX_SCOPES).unwrap())
        .unwrap();
    assert_eq!(decision, consent::UserConsentDecision::AlreadyGranted);

    let (flow, _) = sign_in(&env, &url, demo::ADMIN_UPN).await;
    let r = post(&env, &env.login(url.path()), &[("flow", &flow), ("action", "cancel")]).await;
    let q = query(&location(&r));
    assert!(
        q.contains("admin_consent=True") && q.contains("error=consent_required") && q.contains("AADSTS65004"),
        "{q}"
    );

    let (_, r) = sign_in(&env, &url, demo::EVA_UPN).await;
    assert!(
        r.text().await.unwrap().contains("Need admin approval"),
        "a plain member cannot grant"
    );
}

#[tokio::test]
async fn authorize_refuses_bad_parameters_like_entra() {
    let env = start(Preset::AllowUserConsent).await;
    let (url, _) = link(&env);
    let tenant = env.emu.tenant_id().to_string();
    let without = |name: &str| {
        let mut u = url.clone();
        let pairs: Vec<(String, String)> = url.query_pairs().into_owned().filter(|(k, _)| k != name).collect();
        u.query_pairs_mut().clear().extend_pairs(pairs);
        u.to_string()
    };
    for (missing, code) in [("client_id", "AADSTS900144"), ("redirect_uri", "AADSTS900144")] {
        let r = env.http.get(without(missing)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        assert!(r.text().await.unwrap().contains(code));
    }
    let r = env.http.get(without("code_challenge")).send().await.unwrap();
    let loc = location(&r);
    assert!(loc.starts_with(REDIRECT) && loc.contains("error=invalid_request"), "{loc}");
    let evil = url.as_str().replace("127.0.0.1%3A9", "evil.example");
    let r = env.http.get(evil).send().await.unwrap();
    assert_eq!(
        r.status(),
        StatusCode::BAD_REQUEST,
        "a non-loopback http redirect is never followed"
    );
    let wrong_tenant = url.as_str().replace(&tenant, "11111111-2222-3333-4444-555555555555");
    let r = env.http.get(wrong_tenant).send().await.unwrap();
    assert!(r.text().await.unwrap().contains("AADSTS90002"));
}

#[tokio::test]
async fn client_credentials_with_the_seeded_secret_only() {
    let env = start(Preset::MicrosoftManaged).await;
    let form = |id: String, secret: &str, scope: &str| {
        vec![
            ("grant_type", "client_credentials".to_owned()),
            ("client_id", id),
            ("client_secret", secret.to_owned()),
            ("scope", scope.to_owned()),
        ]
    };
    let id = env.emu.admin_client_id().to_string();
    let (status, ok) = redeem(
        &env,
        &form(id.clone(), env.emu.admin_client_secret(), "https://graph.microsoft.com/.default"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{ok}");
    let token = ok["access_token"].as_str().unwrap();
    let r = env
        .http
        .get(env.graph("/policies/adminConsentRequestPolicy"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);

    let (status, err) = redeem(&env, &form(id.clone(), "wrong", "https://graph.microsoft.com/.default")).await;
    assert_eq!(
        (status, err["error"].as_str(), err["error_codes"][0].as_u64()),
        (StatusCode::UNAUTHORIZED, Some("invalid_client"), Some(7000215))
    );
    assert!(!err.to_string().contains(env.emu.admin_client_secret()));
    let (_, err) = redeem(
        &env,
        &form(uuid_like(), env.emu.admin_client_secret(), "https://graph.microsoft.com/.default"),
    )
    .await;
    assert_eq!(err["error_codes"][0], 700016);
    let (_, err) = redeem(&env, &form(id, env.emu.admin_client_secret(), "User.Read")).await;
    assert_eq!(err["error"], "invalid_scope");
    let (_, err) = redeem(&env, &[("grant_type", "password".to_owned())]).await;
    assert_eq!(err["error"], "unsupported_grant_type");

    // Tokens from the endpoint expire on the tenant's clock.
    env.tenant.advance(Duration::hours(2));
    let r = env
        .http
        .get(env.graph("/policies/adminConsentRequestPolicy"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}

fn uuid_like() -> String {
    "12345678-1234-4234-8234-123456789012".to_owned()
}

#[tokio::test]
async fn an_app_published_in_the_tenant_is_named_and_its_default_scope_expanded() {
    let env = start(Preset::AllowUserConsent).await;
    let app = consent::AppRegistration::new(
        consent::AppId::parse("6a0f1b2c-3d4e-4f50-8a6b-7c8d9e0f1a2b").unwrap(),
        "Interview Scheduler",
    )
    .with_delegated(
        consent::AppId::MICROSOFT_GRAPH,
        ScopeSet::parse("User.Read Calendars.Read").unwrap(),
    );
    env.tenant.publish_app(&app, true);
    let authority = Authority::parse(env.emu.login_url().as_str().trim_end_matches('/')).unwrap();
    let (url, _pending) = LinkRequest::new(
        app.app_id,
        REDIRECT,
        ScopeSet::parse("https://graph.microsoft.com/.default").unwrap(),
    )
    .unwrap()
    .tenant(LinkTenant::parse(&env.emu.tenant_id().to_string()).unwrap())
    .authority(authority)
    .build(&env.tenant.clock())
    .unwrap();
    let (_flow, r) = sign_in(&env, &url, demo::EVA_UPN).await;
    let page = r.text().await.unwrap();
    assert!(
        page.contains("Interview Scheduler"),
        "the consent page names the published app: {page}"
    );
    assert!(
        page.contains("Calendars.Read"),
        "/.default expands to the registered scopes: {page}"
    );
}

/// Issue 9 item 9: a code issued in one tenant is redeemed for a token of that tenant; the token
/// endpoint of another tenant refuses it (700005), and the token answers from its own tenant.
#[tokio::test]
async fn codes_and_user_tokens_belong_to_the_tenant_of_the_sign_in() {
    let config = consent_emulator::EmulatorConfig {
        tenants: 2,
        ..consent_emulator::EmulatorConfig::default()
    };
    let env = crate::common::start_with(consent_mock::MockTenant::preset(Preset::AllowUserConsent), config).await;
    let second = env.emu.tenant_ids()[1].clone();
    let (callback, pending) = consent_and_get_code_in(&env, &second).await;
    let LinkOutcome::Authorized(exchange) = pending.finish(&query(&callback), &env.tenant.clock()).unwrap() else {
        panic!("expected a code")
    };
    assert!(exchange.token_url().as_str().contains(&second.to_string()));
    let (status, err) = redeem(&env, &exchange.form_fields()).await;
    assert_eq!(
        (status, err["error_codes"][0].as_u64()),
        (StatusCode::BAD_REQUEST, Some(700005)),
        "{err}"
    );

    let (callback, pending) = consent_and_get_code_in(&env, &second).await;
    let LinkOutcome::Authorized(exchange) = pending.finish(&query(&callback), &env.tenant.clock()).unwrap() else {
        panic!("expected a code")
    };
    let (status, tokens) = read(
        env.http
            .post(exchange.token_url().as_str())
            .form(&exchange.form_fields())
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    let in_second = tokens["access_token"].as_str().unwrap();
    // Eva's consent created the app's service principal in the second tenant only, and each token
    // answers from its own tenant.
    let sp = format!("/servicePrincipals(appId='{}')", demo::CARERIX_APP_ID);
    assert_eq!(env.get(&sp, in_second).await.status(), StatusCode::OK);
    assert_eq!(env.get(&sp, &env.admin_token).await.status(), StatusCode::NOT_FOUND);

    // The login pages decide with the tenant in their path: with user consent off there, Eva meets
    // "Need admin approval" in the second tenant while the first still lets her consent.
    env.emu
        .tenant_by_id(&second)
        .unwrap()
        .set_user_consent(consent::UserConsentSetting::Disabled);
    let (url, _) = link_in(&env, &second);
    let (_, r) = sign_in(&env, &url, demo::SAM_UPN).await;
    assert!(r.text().await.unwrap().contains("Need admin approval"));
    let (url, _) = link(&env);
    let (_, r) = sign_in(&env, &url, demo::SAM_UPN).await;
    assert!(r.text().await.unwrap().contains("Permissions requested"));
}
