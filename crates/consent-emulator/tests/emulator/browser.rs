//! The user procedure in a real browser: headless Chromium (driven through chromedriver/WebDriver)
//! clicks "Link my Microsoft 365 calendar" in the example web app, signs in to the emulator, sees
//! "Approval required", types a justification and clicks "Request approval"; an admin opens the
//! admin-consent link and clicks Accept; the user links again and the app shows "Calendar linked".
//!
//! Needs `/usr/bin/chromium` and `/usr/bin/chromedriver` (Debian's `chromium` and
//! `chromium-driver`). The test is `#[ignore]`d so a plain `cargo test` lists it as ignored instead
//! of passing without a browser; `.ci/run` installs both and runs it with
//! `cargo test -p consent-emulator --test emulator browser -- --ignored`, where a missing browser fails.

#[allow(dead_code)] // the example's `main` and flag parsing are not used here
#[path = "../../examples/link_calendar_web.rs"]
mod link_calendar_web;

use std::sync::Arc;

use consent::link::{Authority, LinkTenant};
use consent::ScopeSet;
use consent_emulator::{Emulator, EmulatorConfig};
use consent_mock::{demo, MockTenant, Preset};
use url::Url;

use crate::webdriver::{self, click, page_with, sign_in, type_into};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs /usr/bin/chromium and /usr/bin/chromedriver; run with `-- --ignored` (.ci/run does)"]
async fn user_requests_approval_admin_approves_user_links_the_calendar() {
    let tenant = MockTenant::preset(Preset::WorkflowOn);
    let emulator = Emulator::new(tenant.clone(), EmulatorConfig::default())
        .bind("127.0.0.1:0")
        .await
        .expect("emulator");

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("app port");
    let public_url = Url::parse(&format!("http://{}/", listener.local_addr().expect("addr"))).expect("url");
    let settings = link_calendar_web::Settings {
        authority: Authority::parse(emulator.login_url().as_str().trim_end_matches('/')).expect("authority"),
        tenant: LinkTenant::parse(&emulator.tenant_id().to_string()).expect("tenant"),
        client_id: demo::CARERIX_APP_ID,
        client_secret: None,
        scopes: ScopeSet::parse(demo::CARERIX_SCOPES).expect("scopes"),
        public_url: public_url.clone(),
        app_name: "Carerix Calendar - Production".into(),
        clock: Arc::new(tenant.clock()),
        graph: consent_graph::GraphEndpoint::custom(emulator.graph_url().as_str()).expect("graph"),
    };
    let app = link_calendar_web::router(link_calendar_web::LinkApp::new(settings));
    let server = tokio::spawn(async move { axum::serve(listener, app).await });

    let session = webdriver::open().await;
    let c = &session.client;

    // 1. The user clicks Link, signs in, and meets "Approval required".
    c.goto(public_url.as_str()).await.expect("open the app");
    click(c, "#link").await;
    sign_in(c, demo::EVA_UPN).await;
    let page = page_with(c, "#justification").await;
    assert!(page.contains("Approval required"), "{page}");
    type_into(
        c,
        "#justification",
        "I schedule interviews from the CRM and need them in my calendar.",
    )
    .await;
    click(c, "#request-approval").await;
    assert!(page_with(c, "#request-sent").await.contains("Request sent"));
    click(c, "#back-to-app").await;
    let page = page_with(c, "#admin-consent").await;
    assert!(
        page.contains("Calendar not linked yet") && page.contains("admin_approval_required"),
        "{page}"
    );
    let requests = consent::ConsentGraph::list_app_consent_requests(&tenant.as_admin(), &Default::default())
        .await
        .expect("requests");
    assert_eq!(requests.len(), 1, "the request exists in the tenant");

    // 2. The admin opens the admin-consent link from the status page and accepts.
    click(c, "#admin-consent").await;
    sign_in(c, demo::ADMIN_UPN).await;
    assert!(page_with(c, "#accept").await.contains("all users"));
    click(c, "#accept").await;
    let page = page_with(c, "#outcome").await;
    assert!(page.contains("Admin consent granted"), "{page}");

    // 3. The user links again: no prompt, code exchanged, calendar linked.
    c.goto(public_url.as_str()).await.expect("open the app");
    click(c, "#link").await;
    sign_in(c, demo::EVA_UPN).await;
    let page = page_with(c, "#linked").await;
    assert!(page.contains("Calendar linked"), "{page}");

    // 4. The "Linked account" panel runs check_link: healthy, nobody acts.
    click(c, "#check-link").await;
    let page = page_with(c, "#health-outcome").await;
    assert!(page.contains("Status: healthy") && page.contains("Who acts: nobody"), "{page}");

    c.clone().close().await.expect("close the browser");
    server.abort();
    emulator.shutdown().await.expect("shutdown");
}
