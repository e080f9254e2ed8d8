//! The admin center in a real browser: headless Chromium (through chromedriver/WebDriver) walks
//! procedure 1 on the settings page as the Global Administrator, procedure 2 on the emulator's
//! "Approval required" page as Eva, procedure 3 on Admin consent requests → "Review permissions and
//! consent" → Accept as the reviewer Cas (then Sam links without a prompt), a Deny path and a
//! Revoke path, with a screenshot of each page.
//!
//! Needs `/usr/bin/chromium` and `/usr/bin/chromedriver` (Debian's `chromium` and
//! `chromium-driver`). It is `#[ignore]`d, so a plain `cargo test` lists it as ignored instead of
//! passing without a browser; run it with
//! `cargo test -p consent-emulator --test emulator admin_browser -- --ignored`, where a missing browser
//! fails the test. With `UPDATE_SCREENSHOTS=1` it rewrites the PNGs under `docs/images/`
//! (otherwise they go to the target directory).

use std::path::{Path, PathBuf};

use consent::UserConsentDecision;
use consent_emulator::{Emulator, EmulatorConfig};
use consent_mock::{demo, MockTenant, NotificationKind, Preset};
use fantoccini::Client;

use crate::webdriver::{self, click, page_with, sign_in, type_into};

/// Where screenshots go: `docs/images/` with `UPDATE_SCREENSHOTS=1`, else the target directory.
fn shots_dir() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dir = if std::env::var_os("UPDATE_SCREENSHOTS").is_some() {
        root.join("docs/images")
    } else {
        root.join("target/admin-browser-screenshots")
    };
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

async fn shot(c: &Client, name: &str) {
    // The top of the page, where the heading and the first fields are.
    c.execute("window.scrollTo(0, 0);", Vec::new()).await.unwrap();
    let png = c.screenshot().await.expect("screenshot");
    assert!(png.starts_with(b"\x89PNG"), "not a PNG");
    std::fs::write(shots_dir().join(format!("{name}.png")), png).unwrap();
}

async fn admin_sign_in(c: &Client, origin: &str, upn: &str) {
    c.goto(&format!("{origin}admin/signin")).await.unwrap();
    sign_in(c, upn).await;
    let home = page_with(c, "#go-settings").await;
    assert!(home.contains("Microsoft Entra admin center"), "{home}");
}

async fn sign_out(c: &Client) {
    click(c, "#signout").await;
    page_with(c, "#upn").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium and chromedriver; CI runs it with --ignored"]
async fn admin_center_walk_in_headless_chromium() {
    let tenant = MockTenant::preset(Preset::UserConsentDisabled);
    let emu = Emulator::new(tenant.clone(), EmulatorConfig::default())
        .bind("127.0.0.1:0")
        .await
        .unwrap();
    let origin = emu.login_url().to_string();
    let session = webdriver::open().await;
    let c = &session.client;

    // Procedure 1, as the Global Administrator: the settings page.
    admin_sign_in(c, &origin, demo::ADMIN_UPN).await;
    c.goto(&format!("{origin}admin/consent-settings")).await.unwrap();
    let page = page_with(c, "#save-admin-consent").await;
    assert!(page.contains("Users can request admin consent to apps they are unable to consent to"));
    click(c, "#enabled-yes").await;
    click(c, &format!(r#"input[value="group:{}"]"#, demo::REVIEWERS_GROUP_ID)).await;
    click(c, "#notify-yes").await;
    click(c, "#reminders-yes").await;
    type_into(c, "#days", "30").await;
    shot(c, "admin-consent-settings").await;
    click(c, "#save-admin-consent").await;
    let saved = page_with(c, "#notice").await;
    assert!(saved.contains("Admin consent settings saved"), "{saved}");
    sign_out(c).await;

    // Procedure 2, as Eva: the emulator's "Approval required" page.
    let authorize = format!(
        "{origin}{}/oauth2/v2.0/authorize?client_id={}&response_type=code&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcb&scope={}&state=s1&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256",
        emu.tenant_id(),
        demo::CARERIX_APP_ID,
        demo::CARERIX_SCOPES.replace(' ', "%20"),
    );
    c.goto(&authorize).await.unwrap();
    sign_in(c, demo::EVA_UPN).await;
    let approval = page_with(c, "#justification").await;
    assert!(
        approval.contains("Approval required") && approval.contains("Request approval"),
        "{approval}"
    );
    type_into(c, "#justification", "I schedule interviews and need them in Outlook").await;
    shot(c, "approval-required").await;
    click(c, "#request-approval").await;
    assert!(page_with(c, "#request-sent").await.contains("Request sent"));

    // Procedure 3, as the reviewer Cas: Admin consent requests → the app → Review → Accept.
    admin_sign_in(c, &origin, demo::CLOUD_ADMIN_UPN).await;
    click(c, "#nav-requests").await;
    let list = page_with(c, ".request-link").await;
    assert!(list.contains("Admin consent requests") && list.contains("My Pending"), "{list}");
    shot(c, "admin-consent-requests").await;
    click(c, ".request-link").await;
    let request = page_with(c, "#review").await;
    assert!(
        request.contains("Review permissions and consent") && request.contains("I schedule interviews"),
        "{request}"
    );
    shot(c, "admin-consent-request").await;
    click(c, "#review").await;
    let dialog = page_with(c, "#accept").await;
    assert!(
        dialog.contains("Permissions requested") && dialog.contains("for all users"),
        "{dialog}"
    );
    shot(c, "review-permissions-and-consent").await;
    click(c, "#accept").await;
    let done = page_with(c, "#notice").await;
    assert!(done.contains("Approved"), "{done}");
    let scopes = demo::carerix_app().delegated_scopes();
    assert_eq!(
        tenant.sign_in(demo::SAM_ID, &demo::CARERIX_APP_ID, &scopes).unwrap(),
        UserConsentDecision::AlreadyGranted
    );
    // The reviewer's mail, with its "Review Request" link.
    c.goto(&format!("{origin}admin/mail?user={}", demo::EVA_UPN)).await.unwrap();
    let mail = page_with(c, ".mail").await;
    assert!(mail.contains("was approved"), "{mail}");
    shot(c, "mail").await;
    sign_out(c).await;

    // Revoke, as the Global Administrator, on the app's Permissions page.
    admin_sign_in(c, &origin, demo::ADMIN_UPN).await;
    c.goto(&format!("{origin}admin/apps/{}/permissions", demo::CARERIX_APP_ID))
        .await
        .unwrap();
    let perms = page_with(c, "#revoke").await;
    assert!(
        perms.contains("Grant admin consent for Contoso") && perms.contains("Calendars.ReadWrite"),
        "{perms}"
    );
    shot(c, "permissions").await;
    click(c, "#revoke").await;
    let revoked = page_with(c, "#notice").await;
    assert!(revoked.contains("was revoked"), "{revoked}");
    assert_eq!(
        tenant.sign_in(demo::SAM_ID, &demo::CARERIX_APP_ID, &scopes).unwrap().aadsts_code(),
        Some(90095)
    );
    sign_out(c).await;

    // Deny, as Cas, with a reason that reaches Eva.
    c.goto(&authorize).await.unwrap();
    sign_in(c, demo::EVA_UPN).await;
    page_with(c, "#justification").await;
    type_into(c, "#justification", "Asking again after the revoke").await;
    click(c, "#request-approval").await;
    page_with(c, "#request-sent").await;
    admin_sign_in(c, &origin, demo::CLOUD_ADMIN_UPN).await;
    click(c, "#nav-requests").await;
    page_with(c, ".request-link").await;
    click(c, ".request-link").await;
    page_with(c, "#deny-reason").await;
    type_into(c, "#deny-reason", "Please use the approved CRM connector").await;
    click(c, "#deny").await;
    let denied = page_with(c, "#notice").await;
    assert!(denied.contains("Denied"), "{denied}");
    shot(c, "denied").await;
    assert!(tenant
        .outbox()
        .iter()
        .any(|n| n.to == demo::EVA_ID && n.kind == NotificationKind::Denied));

    c.clone().close().await.unwrap();
    emu.shutdown().await.unwrap();
}
