//! Link health end to end (issue 15): a calendar linked through the emulator's login pages, then
//! broken the ways Entra and Graph break it (control API `PATCH /_emulator/users/{upn}` and
//! `/_emulator/apps/{app_id}`, a grant deleted over Graph), and `consent_graph::check_link` run
//! against it, asserting the `LinkHealth` outcome and who acts. The codes each failure answers with
//! are in docs/link-health.md (Microsoft Learn: "Microsoft Entra authentication and authorization
//! error codes"); the `/me` reads are Microsoft Learn "Get calendar" (graph/api/calendar-get) and
//! "Get user mailbox settings" (graph/api/user-get-mailboxsettings).

use std::sync::Arc;
use std::time::Duration;

use consent::link::{Authority, HealthOutcome, LinkOutcome, LinkRequest, LinkTenant, WhoActs};
use consent::{ScopeSet, TenantId};
use consent_emulator::{AccountChange, AppCredentialChange, EmulatorConfig};
use consent_graph::{check_link, GraphEndpoint, LinkCheckReport, LinkChecker, LinkedAccount, Secret};
use consent_mock::{demo, MockTenant, Preset};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use url::Url;

use crate::common::{control, read, redeem, refresh_form, start, start_with, Env};

const REDIRECT: &str = "http://127.0.0.1:9/callback";
const SECRET: &str = "vendor-secret-value~1";

fn scopes() -> ScopeSet {
    ScopeSet::parse(demo::CARERIX_SCOPES).unwrap()
}

/// An emulator where users may consent (Eva links alone), with the demo app given `secret`.
async fn env_with_secret(secret: Option<&str>) -> Env {
    let config = EmulatorConfig {
        client_secrets: secret.map(|s| (demo::CARERIX_APP_ID, s.to_owned())).into_iter().collect(),
        ..EmulatorConfig::default()
    };
    start_with(MockTenant::preset(Preset::AllowUserConsent), config).await
}

fn field(page: &str, name: &str) -> String {
    let key = format!(r#"name="{name}" value=""#);
    let start = page.find(&key).expect("a form field") + key.len();
    page[start..].split('"').next().unwrap().to_owned()
}

/// `upn` signs in on the emulator's authorize page (consenting if asked); the callback URL and its
/// classified outcome.
async fn sign_in(env: &Env, upn: &str) -> (Url, LinkOutcome) {
    let authority = Authority::parse(env.emu.login_url().as_str().trim_end_matches('/')).unwrap();
    let (url, pending) = LinkRequest::new(demo::CARERIX_APP_ID, REDIRECT, scopes())
        .unwrap()
        .tenant(LinkTenant::parse(&env.emu.tenant_id().to_string()).unwrap())
        .authority(authority)
        .build(&env.tenant.clock())
        .unwrap();
    let page = env.http.get(url.as_str()).send().await.unwrap().text().await.unwrap();
    let flow = field(&page, "flow");
    let form = [
        ("flow", flow.as_str()),
        ("action", "signin"),
        ("upn", upn),
        ("password", demo::PASSWORD),
    ];
    let mut r = env.http.post(env.login(url.path())).form(&form).send().await.unwrap();
    if r.status() == StatusCode::OK {
        let accept = [("flow", flow.as_str()), ("action", "accept")];
        r = env.http.post(env.login(url.path())).form(&accept).send().await.unwrap();
    }
    assert_eq!(r.status(), StatusCode::FOUND);
    let callback = Url::parse(r.headers()["location"].to_str().unwrap()).unwrap();
    let outcome = pending.finish(callback.query().unwrap_or(""), &env.tenant.clock()).unwrap();
    (callback, outcome)
}

/// `upn` links her calendar: sign-in, consent if asked, code redeemed (with `secret`). Returns her
/// refresh token.
async fn link(env: &Env, upn: &str, secret: Option<&str>) -> Result<Secret, (StatusCode, Value)> {
    let (callback, outcome) = sign_in(env, upn).await;
    let LinkOutcome::Authorized(exchange) = outcome else {
        return Err((
            StatusCode::FOUND,
            json!({ "outcome": outcome.kind(), "callback": callback.as_str() }),
        ));
    };
    let mut fields = exchange.form_fields();
    if let Some(s) = secret {
        fields.push(("client_secret", s.to_owned()));
    }
    let (status, body) = read(env.http.post(exchange.token_url().as_str()).form(&fields).send().await.unwrap()).await;
    if status != StatusCode::OK {
        return Err((status, body));
    }
    Ok(Secret::new(
        body["refresh_token"].as_str().expect("offline_access granted").to_owned(),
    ))
}

fn checker(env: &Env, secret: Option<&str>) -> LinkChecker {
    let mut b = LinkChecker::builder(demo::CARERIX_APP_ID, scopes())
        .graph_endpoint(GraphEndpoint::custom(env.emu.graph_url().as_str()).unwrap())
        .authority(Authority::parse(env.emu.login_url().as_str().trim_end_matches('/')).unwrap())
        .timeout(Duration::from_secs(10))
        .clock(Arc::new(env.tenant.clock()));
    if let Some(s) = secret {
        b = b.client_secret(Secret::new(s));
    }
    b.build().unwrap()
}

async fn check(env: &Env, rt: &Secret, secret: Option<&str>) -> LinkCheckReport {
    let account = LinkedAccount {
        tenant: TenantId::parse(&env.emu.tenant_id().to_string()).unwrap(),
        refresh_token: rt.clone(),
    };
    check_link(&checker(env, secret), &account).await.unwrap()
}

fn outcome(report: &LinkCheckReport) -> (HealthOutcome, WhoActs, Option<&str>) {
    (report.health.outcome, report.health.who_acts, report.health.code.as_deref())
}

/// The demo app's refresh-token grant asking for `scope`.
fn refresh(rt: &str, scope: &str) -> Vec<(&'static str, String)> {
    let mut form = refresh_form(rt);
    form.push(("scope", scope.to_owned()));
    form
}

fn change(json: Value) -> AccountChange {
    serde_json::from_value(json).unwrap()
}

#[tokio::test]
async fn a_fresh_link_is_healthy_and_the_refresh_token_rotates() {
    let env = env_with_secret(Some(SECRET)).await;
    let rt = link(&env, demo::EVA_UPN, Some(SECRET)).await.unwrap();
    let report = check(&env, &rt, Some(SECRET)).await;
    assert_eq!(
        outcome(&report),
        (HealthOutcome::Healthy, WhoActs::Nobody, None),
        "{:?}",
        report.health
    );
    assert_eq!(report.round_trips, 2);
    let rotated = report.refresh_token.expect("a new refresh token");
    assert_eq!(check(&env, &rotated, Some(SECRET)).await.health.outcome, HealthOutcome::Healthy);
    let again = check(&env, &rt, Some(SECRET)).await;
    assert_eq!(again.health.code.as_deref(), Some("AADSTS9002313"), "the old one was used up");
}

/// Graph "Get calendar": `MailboxNotEnabledForRESTAPI` (404) for a user with no Exchange Online
/// mailbox — the refresh works, the read does not. The admin acts (licence, migration).
#[tokio::test]
async fn a_user_without_a_mailbox_is_mailbox_unavailable_for_the_admin() {
    let env = env_with_secret(None).await;
    let rt = link(&env, demo::EVA_UPN, None).await.unwrap();
    let r = control(&env, Method::PATCH, &format!("users/{}", demo::EVA_UPN))
        .json(&json!({ "mailbox": false }))
        .send()
        .await
        .unwrap();
    let (status, body) = read(r).await;
    assert_eq!((status, &body["mailbox"]), (StatusCode::OK, &json!(false)), "{body}");
    let report = check(&env, &rt, None).await;
    assert_eq!(
        outcome(&report),
        (
            HealthOutcome::MailboxUnavailable,
            WhoActs::Admin,
            Some("MailboxNotEnabledForRESTAPI")
        )
    );
    assert_eq!(report.round_trips, 2);
    assert!(report.refresh_token.is_some(), "the refresh itself worked and rotated");
}

/// AADSTS50057 (UserDisabled) on refresh: the admin re-enables the account.
#[tokio::test]
async fn a_disabled_user_is_account_unavailable_for_the_admin() {
    let env = env_with_secret(None).await;
    let rt = link(&env, demo::EVA_UPN, None).await.unwrap();
    env.emu
        .set_account(demo::EVA_UPN, &change(json!({ "enabled": false })), None)
        .unwrap();
    let report = check(&env, &rt, None).await;
    assert_eq!(
        outcome(&report),
        (HealthOutcome::AccountUnavailable, WhoActs::Admin, Some("AADSTS50057"))
    );
    assert_eq!(report.round_trips, 1);
    let (_, redirect) = link(&env, demo::EVA_UPN, None).await.unwrap_err();
    let callback = redirect["callback"].as_str().unwrap();
    assert!(
        callback.contains("error_codes=%5B50057%5D"),
        "a new sign-in is refused too: {callback}"
    );
    env.emu
        .set_account(demo::EVA_UPN, &change(json!({ "enabled": true })), None)
        .unwrap();
    assert_eq!(
        check(&env, &rt, None).await.health.outcome,
        HealthOutcome::Healthy,
        "a refused refresh leaves the token as it was"
    );
}

/// An admin deletes the grant (`DELETE /v1.0/oauth2PermissionGrants/{id}`): the access token keeps
/// working until it expires, the next refresh is `invalid_grant` AADSTS65001 with
/// `suberror: consent_required`.
#[tokio::test]
async fn revoked_consent_fails_the_next_refresh_with_65001() {
    let env = env_with_secret(None).await;
    let rt = link(&env, demo::EVA_UPN, None).await.unwrap();
    let healthy = check(&env, &rt, None).await;
    let access = healthy.access_token.clone().unwrap();
    let rt = healthy.refresh_token.unwrap();
    let path = format!("/servicePrincipals(appId='{}')/oauth2PermissionGrants", demo::CARERIX_APP_ID);
    let (status, grants) = read(env.get(&path, &env.admin_token).await).await;
    assert_eq!(status, StatusCode::OK, "{grants}");
    for g in grants["value"].as_array().unwrap() {
        let id = g["id"].as_str().unwrap();
        let r = env
            .send_json(
                Method::DELETE,
                &format!("/oauth2PermissionGrants/{id}"),
                &env.admin_token,
                Value::Null,
            )
            .await;
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
    }
    let r = env.get("/me/calendar?$select=id", access.secret()).await;
    assert_eq!(r.status(), StatusCode::OK, "the access token works until it expires");

    let report = check(&env, &rt, None).await;
    assert_eq!(
        outcome(&report),
        (HealthOutcome::ConsentRevoked, WhoActs::User, Some("AADSTS65001"))
    );
    // The raw answer, as Entra shapes it.
    let form = refresh(rt.secret(), demo::CARERIX_SCOPES);
    let (status, body) = redeem(&env, &form).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        (body["error"].as_str(), body["suberror"].as_str()),
        (Some("invalid_grant"), Some("consent_required"))
    );
    assert_eq!(body["error_codes"], json!([65001]));
    assert!(body["error_description"].as_str().unwrap().starts_with("AADSTS65001: "));
    for k in ["timestamp", "trace_id", "correlation_id"] {
        assert!(body[k].is_string(), "{k}: {body}");
    }
}

/// AADSTS53003 (BlockedByConditionalAccess) on refresh, and on the authorize redirect of a new
/// sign-in; the admin acts.
#[tokio::test]
async fn a_conditional_access_block_is_blocked_by_policy_for_the_admin() {
    let env = env_with_secret(None).await;
    let rt = link(&env, demo::EVA_UPN, None).await.unwrap();
    env.emu
        .set_account(demo::EVA_UPN, &change(json!({ "conditional_access_block": true })), None)
        .unwrap();
    let report = check(&env, &rt, None).await;
    assert_eq!(
        outcome(&report),
        (HealthOutcome::BlockedByPolicy, WhoActs::Admin, Some("AADSTS53003"))
    );
    let (_, redirect) = link(&env, demo::EVA_UPN, None).await.unwrap_err();
    let callback = redirect["callback"].as_str().unwrap();
    assert!(callback.contains("error_codes=%5B53003%5D"), "{callback}");
}

/// AADSTS7000222 (expired client secret) before anything else about the user; AADSTS7000215 for a
/// wrong one. The vendor acts.
#[tokio::test]
async fn an_expired_or_wrong_vendor_secret_is_client_credentials_invalid_for_the_vendor() {
    let env = env_with_secret(Some(SECRET)).await;
    let rt = link(&env, demo::EVA_UPN, Some(SECRET)).await.unwrap();
    let wrong = check(&env, &rt, Some("not-the-secret")).await;
    assert_eq!(
        outcome(&wrong),
        (HealthOutcome::ClientCredentialsInvalid, WhoActs::Vendor, Some("AADSTS7000215"))
    );
    assert_eq!(wrong.health.status, Some(401));
    let r = control(&env, Method::PATCH, &format!("apps/{}", demo::CARERIX_APP_ID))
        .json(&json!({ "secret_expired": true }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    env.emu
        .set_account(demo::EVA_UPN, &change(json!({ "enabled": false })), None)
        .unwrap();
    let expired = check(&env, &rt, Some(SECRET)).await;
    assert_eq!(
        outcome(&expired),
        (HealthOutcome::ClientCredentialsInvalid, WhoActs::Vendor, Some("AADSTS7000222")),
        "the secret is checked before the user"
    );
    env.emu
        .set_account(demo::EVA_UPN, &change(json!({ "enabled": true })), None)
        .unwrap();
    env.emu
        .set_app_credentials(
            demo::CARERIX_APP_ID,
            &AppCredentialChange {
                secret_expired: Some(false),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(check(&env, &rt, Some(SECRET)).await.health.outcome, HealthOutcome::Healthy);
}

/// AADSTS50173: the refresh token from before the password change is dead; the user signs in again
/// and the new link works.
#[tokio::test]
async fn a_password_change_is_reauth_required_for_the_user_and_a_new_sign_in_works() {
    let env = env_with_secret(None).await;
    let rt = link(&env, demo::EVA_UPN, None).await.unwrap();
    env.tenant.advance(chrono::Duration::minutes(5));
    env.emu
        .set_account(demo::EVA_UPN, &change(json!({ "password_changed": true })), None)
        .unwrap();
    let report = check(&env, &rt, None).await;
    assert_eq!(
        outcome(&report),
        (HealthOutcome::ReauthRequired, WhoActs::User, Some("AADSTS50173"))
    );
    env.tenant.advance(chrono::Duration::minutes(1));
    let fresh = link(&env, demo::EVA_UPN, None).await.unwrap();
    assert_eq!(check(&env, &fresh, None).await.health.outcome, HealthOutcome::Healthy);
}

/// The tenant's state with the demo app's service principal changed by `edit` (`None`: removed).
fn edit_client_sp(env: &Env, edit: impl Fn(&mut Value) -> bool) {
    let mut state: Value = serde_json::from_str(&env.emu.state(None).unwrap()).unwrap();
    let app = demo::CARERIX_APP_ID.to_string();
    let sps = state["servicePrincipals"].as_array_mut().unwrap();
    sps.retain_mut(|sp| sp["appId"] != json!(app) || edit(sp));
    env.emu.load_state(&state.to_string(), None).unwrap();
}

/// AADSTS7000112 (the enterprise app is disabled) and 700016 (its service principal is gone) on
/// refresh: the admin acts.
#[tokio::test]
async fn a_disabled_or_missing_service_principal_is_for_the_admin() {
    let env = env_with_secret(None).await;
    let rt = link(&env, demo::EVA_UPN, None).await.unwrap();
    edit_client_sp(&env, |sp| {
        sp["accountEnabled"] = json!(false);
        true
    });
    let report = check(&env, &rt, None).await;
    assert_eq!(
        outcome(&report),
        (HealthOutcome::AppDisabled, WhoActs::Admin, Some("AADSTS7000112"))
    );
    edit_client_sp(&env, |_| false);
    let report = check(&env, &rt, None).await;
    assert_eq!(
        outcome(&report),
        (HealthOutcome::AppNotInTenant, WhoActs::Admin, Some("AADSTS700016"))
    );
    let other = start(Preset::WorkflowOn).await;
    let report = check(&other, &rt, None).await;
    assert_eq!(
        report.health.code.as_deref(),
        Some("AADSTS9002313"),
        "another emulator never issued it"
    );
}

/// Graph "Get calendar" and "Get user mailbox settings": the scope each needs, `$select`, an
/// app-only token, a bad token.
#[tokio::test]
async fn me_calendar_and_mailbox_settings_answer_graphs_errors() {
    let env = env_with_secret(None).await;
    let rt = link(&env, demo::EVA_UPN, None).await.unwrap();
    let (status, tokens) = redeem(&env, &refresh(rt.secret(), "User.Read offline_access")).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    let narrow = tokens["access_token"].as_str().unwrap().to_owned();
    let (status, body) = read(env.get("/me/calendar", &narrow).await).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["error"]["code"], "ErrorAccessDenied");
    assert_eq!(body["error"]["message"], "Access is denied. Check credentials and try again.");

    let (_, tokens) = redeem(&env, &refresh(tokens["refresh_token"].as_str().unwrap(), demo::CARERIX_SCOPES)).await;
    let full = tokens["access_token"].as_str().unwrap().to_owned();
    let (status, cal) = read(env.get("/me/calendar?$select=id", &full).await).await;
    assert_eq!(status, StatusCode::OK, "{cal}");
    assert!(cal["id"].as_str().unwrap().starts_with("AAMk"));
    assert!(cal.get("name").is_none(), "$select=id: {cal}");
    let (_, cal) = read(env.get("/me/calendar", &full).await).await;
    assert_eq!(
        (cal["name"].as_str(), cal["owner"]["address"].as_str()),
        (Some("Calendar"), Some(demo::EVA_UPN))
    );

    let (status, body) = read(env.get("/me/mailboxSettings", &full).await).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "Calendars.ReadWrite does not cover mailbox settings: {body}"
    );
    let eva = env.emu.user_token(demo::EVA_ID);
    let (status, settings) = read(env.get("/me/mailboxSettings?$select=timeZone", &eva).await).await;
    assert_eq!((status, settings["timeZone"].as_str()), (StatusCode::OK, Some("UTC")), "{settings}");

    let (status, body) = read(env.get("/me/calendar", &env.admin_token).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body["error"]["message"],
        "/me request is only valid with delegated authentication flow."
    );
    let (status, body) = read(env.get("/me/calendar", "emu.not-a-token").await).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("InvalidAuthenticationToken"))
    );
    env.tenant.advance(chrono::Duration::hours(2));
    let (status, _) = read(env.get("/me/calendar", &full).await).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "expired");

    env.emu
        .set_account(demo::EVA_UPN, &change(json!({ "mailbox": false })), None)
        .unwrap();
    let (status, body) = read(env.get("/me/mailboxSettings", &eva).await).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["code"], "MailboxNotEnabledForRESTAPI");
    assert_eq!(
        body["error"]["message"],
        "The mailbox is either inactive, soft-deleted, or is hosted on-premise."
    );
}

#[tokio::test]
async fn the_control_api_refuses_unknown_users_apps_and_fields() {
    let env = env_with_secret(None).await;
    let patch = |path: &str, body: Value| control(&env, Method::PATCH, path).json(&body).send();
    assert_eq!(
        patch("users/nobody@contoso.example", json!({ "mailbox": false }))
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        patch(&format!("users/{}", demo::EVA_UPN), json!({ "licence": false }))
            .await
            .unwrap()
            .status(),
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        patch(&format!("users/{}", demo::EVA_UPN), json!({ "mailbox": "no" }))
            .await
            .unwrap()
            .status(),
        StatusCode::BAD_REQUEST
    );
    let unknown_app = "00000000-0000-0000-0000-00000000beef";
    assert_eq!(
        patch(&format!("apps/{unknown_app}"), json!({ "secret_expired": true }))
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        patch(&format!("apps/{}", demo::CARERIX_APP_ID), json!({ "expired": true }))
            .await
            .unwrap()
            .status(),
        StatusCode::BAD_REQUEST
    );
    let r = env
        .http
        .patch(env.login(&format!("/_emulator/users/{}", demo::EVA_UPN)))
        .json(&json!({ "mailbox": false }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "same auth as the other control routes");
    // Seeding through the config, and reset keeps the seed.
    let config = EmulatorConfig {
        accounts: vec![(demo::EVA_UPN.to_owned(), change(json!({ "mailbox": false })))],
        ..EmulatorConfig::default()
    };
    let seeded = start_with(MockTenant::preset(Preset::AllowUserConsent), config).await;
    assert!(!seeded.tenant.account_status(demo::EVA_ID).mailbox);
    seeded.emu.reset(None).unwrap();
    assert!(!seeded.tenant.account_status(demo::EVA_ID).mailbox);
}

/// `AuthorizationCodeExchange::refresh_token` hands the product the refresh token to store, and
/// `check_link` on it is healthy (what the example web app's "Linked account" panel does).
#[tokio::test]
async fn the_code_exchanges_refresh_token_feeds_check_link() {
    use consent_graph::{AuthorizationCodeExchange, TokenProvider};
    let env = env_with_secret(None).await;
    let (_, outcome) = sign_in(&env, demo::EVA_UPN).await;
    let LinkOutcome::Authorized(exchange) = outcome else {
        panic!("expected a code, got {}", outcome.kind())
    };
    let provider = AuthorizationCodeExchange::for_link(&exchange)
        .unwrap()
        .clock(Arc::new(env.tenant.clock()))
        .build()
        .unwrap();
    assert!(provider.refresh_token().await.is_none(), "nothing redeemed yet");
    provider.token().await.unwrap();
    let rt = provider.refresh_token().await.expect("offline_access was granted");
    let report = check(&env, &rt, None).await;
    assert_eq!(report.health.outcome, HealthOutcome::Healthy, "{:?}", report.health);
}
