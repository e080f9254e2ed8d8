//! A vendor-side web app with a "Link my Microsoft 365 calendar" button — the user procedure of
//! admin consent, end to end.
//!
//! `cargo run --example link_calendar_web` starts a local Entra consent emulator in-process
//! (preset `workflow-on`: users may not consent, but may ask) and this app on
//! <http://127.0.0.1:3000>. Click the button, sign in as `eva@contoso.example` (password in the
//! printed JSON line), see "Approval required", send a justification; the status page then shows
//! the outcome, its guidance, and the admin-consent link. Open that link, sign in as
//! `admin@contoso.example`, Accept; click the button again: "Calendar linked". The "Linked
//! account" panel (`/linked`) then runs `consent_graph::check_link` on the stored refresh token
//! (one refresh, one `GET /me/calendar?$select=id`) and shows the outcome, who acts and the
//! guidance; break the link with the emulator's control API (e.g.
//! `PATCH /_emulator/users/eva@contoso.example {"mailbox": false}`) and reload it.
//!
//! Flags:
//! - `--port P` (default 3000; 0 picks a free port)
//! - `--preset NAME` emulator preset (default `workflow-on`)
//! - `--emulator URL --tenant GUID --client-id GUID`: use an emulator that is already running
//! - `--microsoft --tenant ID --client-id GUID` (+ `CLIENT_SECRET` env var for a confidential
//!   client): real Microsoft Entra; register `http://localhost:PORT/auth/callback` and
//!   `/auth/admin-callback` as redirect URIs.
#![allow(clippy::print_stdout)] // an example talks to the person running it

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{RawQuery, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use consent::guidance::{Locale, Product};
use consent::link::{AdminConsentOutcome, Authority, LinkOutcome, LinkRequest, LinkTenant, PendingAdminConsent, PendingLink};
use consent::{AppId, Clock, ScopeSet, SystemClock};
use consent_graph::{check_link, AuthorizationCodeExchange, GraphEndpoint, LinkChecker, LinkedAccount, Secret, TokenProvider};
use url::Url;

/// Where the app sends people and what it asks for.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Microsoft's login host, or the emulator's.
    pub authority: Authority,
    /// The customer's tenant.
    pub tenant: LinkTenant,
    /// This app's client id.
    pub client_id: AppId,
    /// A confidential client's secret (none for the emulator).
    pub client_secret: Option<String>,
    /// The delegated scopes calendar sync needs.
    pub scopes: ScopeSet,
    /// This app's own base URL (`http://127.0.0.1:3000/`).
    pub public_url: Url,
    /// The app's name on the pages.
    pub app_name: String,
    /// The clock of the tenant (the emulator's) or the system clock.
    pub clock: Arc<dyn Clock>,
    /// Where Microsoft Graph is (the emulator's `/v1.0`, or the global cloud), for the link check.
    pub graph: GraphEndpoint,
}

impl Settings {
    /// The product guidance speaks of: this app, linking a calendar.
    pub fn product(&self) -> Product {
        Product::new(&self.app_name)
            .with_task("link your Microsoft 365 calendar")
            .with_button("Link my Microsoft 365 calendar")
    }
}

/// The app: settings plus the link attempts in flight. A real product keys these to the signed-in
/// user's server-side session; a demo with one user keys them by `state`.
#[derive(Debug)]
pub struct LinkApp {
    settings: Settings,
    pending: Mutex<HashMap<String, PendingLink>>,
    admin_pending: Mutex<HashMap<String, PendingAdminConsent>>,
    /// The linked account's refresh token (a real product stores it encrypted, per user).
    linked: Mutex<Option<Secret>>,
}

impl LinkApp {
    /// A new app.
    pub fn new(settings: Settings) -> Arc<Self> {
        Arc::new(Self {
            settings,
            pending: Mutex::default(),
            admin_pending: Mutex::default(),
            linked: Mutex::default(),
        })
    }

    fn url(&self, path: &str) -> String {
        format!("{}{}", self.settings.public_url, path.trim_start_matches('/'))
    }
}

/// The routes: `/`, `/link`, `/linked`, `/auth/callback`, `/auth/admin-callback`.
pub fn router(app: Arc<LinkApp>) -> Router {
    Router::new()
        .route("/", get(home))
        .route("/linked", get(linked_account))
        .route("/link", get(start_link))
        .route("/auth/callback", get(callback))
        .route("/auth/admin-callback", get(admin_callback))
        .with_state(app)
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn page(title: &str, body: &str) -> Html<String> {
    Html(format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{t}</title>\
         <style>body{{font-family:sans-serif;max-width:720px;margin:40px auto}}pre{{white-space:pre-wrap;background:#f4f4f4;padding:12px}}\
         a.button{{background:#0067b8;color:#fff;padding:10px 18px;text-decoration:none}}</style></head>\
         <body><h1 id=\"title\">{t}</h1>{body}<p><a href=\"/\">Back to settings</a></p></body></html>",
        t = esc(title)
    ))
}

async fn home(State(app): State<Arc<LinkApp>>) -> Html<String> {
    let body = format!(
        "<p>Recruitment CRM — calendar integration ({})</p><p><a class=\"button\" id=\"link\" href=\"/link\">Link my Microsoft 365 calendar</a></p>\
         <p><a id=\"linked-account\" href=\"/linked\">Linked account</a></p>",
        esc(&app.settings.app_name)
    );
    page("Calendar settings", &body)
}

/// Builds the authorize URL, remembers the pending link, and sends the browser to Microsoft.
async fn start_link(State(app): State<Arc<LinkApp>>) -> Response {
    let s = &app.settings;
    let built = LinkRequest::new(s.client_id, &app.url("/auth/callback"), s.scopes.clone())
        .map(|r| r.tenant(s.tenant.clone()).authority(s.authority.clone()))
        .and_then(|r| r.build(&*s.clock));
    match built {
        Ok((url, pending)) => {
            app.pending
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(pending.state().to_owned(), pending);
            Redirect::to(url.as_str()).into_response()
        }
        Err(e) => page("Cannot start linking", &format!("<pre>{}</pre>", esc(&e.to_string()))).into_response(),
    }
}

fn state_param(query: &str) -> Option<String> {
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "state")
        .map(|(_, v)| v.into_owned())
}

/// Microsoft's redirect back: classify, explain, and on success redeem the code.
async fn callback(State(app): State<Arc<LinkApp>>, RawQuery(query): RawQuery) -> Response {
    let query = query.unwrap_or_default();
    let pending = state_param(&query).and_then(|s| app.pending.lock().unwrap_or_else(|p| p.into_inner()).remove(&s));
    let Some(pending) = pending else {
        return page(
            "Unknown link attempt",
            "<p>This answer does not belong to a link attempt in progress. Click the button again.</p>",
        )
        .into_response();
    };
    let admin_url = admin_link(&app, &pending);
    let outcome = match pending.finish(&query, &*app.settings.clock) {
        Ok(o) => o,
        Err(e) => return page("Link failed", &format!("<pre>{}</pre>", esc(&e.to_string()))).into_response(),
    };
    if let LinkOutcome::Authorized(exchange) = &outcome {
        return redeem(&app, exchange).await;
    }
    let help = outcome.guidance(&app.settings.product(), Locale::En, admin_url.as_ref()).to_text();
    let admin = admin_url
        .map(|u| {
            format!(
                "<p>Admin: <a id=\"admin-consent\" href=\"{}\">grant consent for the organisation</a></p>",
                esc(u.as_str())
            )
        })
        .unwrap_or_default();
    let body = format!(
        "<p id=\"outcome\">{}</p><pre id=\"guidance\">{}</pre>{admin}",
        esc(outcome.kind()),
        esc(&help)
    );
    page("Calendar not linked yet", &body).into_response()
}

fn admin_link(app: &LinkApp, pending: &PendingLink) -> Option<Url> {
    let built = pending
        .admin_consent_link(&app.url("/auth/admin-callback"))
        .and_then(|l| l.build(&*app.settings.clock));
    let (url, admin_pending) = built.ok()?;
    app.admin_pending
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(admin_pending.state().to_owned(), admin_pending);
    Some(url)
}

/// The token exchange through `consent-graph` (PKCE verifier + code → delegated token).
async fn redeem(app: &LinkApp, exchange: &consent::link::TokenExchange) -> Response {
    let mut builder = match AuthorizationCodeExchange::for_link(exchange) {
        Ok(b) => b.clock(app.settings.clock.clone()),
        Err(e) => return page("Link failed", &format!("<pre>{}</pre>", esc(&e.to_string()))).into_response(),
    };
    if let Some(secret) = &app.settings.client_secret {
        builder = builder.client_secret(Secret::new(secret.clone()));
    }
    let provider = match builder.build() {
        Ok(p) => p,
        Err(e) => return page("Token exchange failed", &format!("<pre>{}</pre>", esc(&e.to_string()))).into_response(),
    };
    match provider.token().await {
        Ok(t) => {
            *app.linked.lock().unwrap_or_else(|p| p.into_inner()) = provider.refresh_token().await;
            let until = t.expires_at().map(|e| e.to_rfc3339()).unwrap_or_else(|| "unknown".into());
            let body = format!(
                "<p id=\"linked\">Calendar linked. The access token is stored server-side (valid until {until}).</p>\
                 <p><a id=\"check-link\" href=\"/linked\">Check the linked account</a></p>"
            );
            page("Calendar linked", &body).into_response()
        }
        Err(e) => page("Token exchange failed", &format!("<pre>{}</pre>", esc(&e.to_string()))).into_response(),
    }
}

/// The "Linked account" panel: runs `check_link` (one refresh, one calendar read) on the stored
/// refresh token and shows the outcome, who acts and the guidance.
async fn linked_account(State(app): State<Arc<LinkApp>>) -> Response {
    let stored = app.linked.lock().unwrap_or_else(|p| p.into_inner()).clone();
    let Some(refresh_token) = stored else {
        return page(
            "Linked account",
            "<p id=\"health-outcome\">not_linked</p><p>No calendar is linked yet: click the button on the settings page.</p>",
        )
        .into_response();
    };
    let s = &app.settings;
    let Some(tenant) = s.tenant.tenant().cloned() else {
        return page(
            "Linked account",
            "<p>The link was made for `organizations`: the user's tenant is unknown.</p>",
        )
        .into_response();
    };
    let mut builder = LinkChecker::builder(s.client_id, s.scopes.clone())
        .graph_endpoint(s.graph.clone())
        .authority(s.authority.clone())
        .clock(s.clock.clone());
    if let Some(secret) = &s.client_secret {
        builder = builder.client_secret(Secret::new(secret.clone()));
    }
    let account = LinkedAccount { tenant, refresh_token };
    let report = match builder.build() {
        Ok(checker) => check_link(&checker, &account).await,
        Err(e) => Err(e),
    };
    match report {
        Ok(report) => {
            if let Some(rotated) = &report.refresh_token {
                *app.linked.lock().unwrap_or_else(|p| p.into_inner()) = Some(rotated.clone());
            }
            let health = &report.health;
            let code = health.code.as_deref().map(|c| format!(" ({})", esc(c))).unwrap_or_default();
            let body = format!(
                "<section id=\"link-health\"><h2>Linked account</h2>\
                 <p>Status: <strong id=\"health-outcome\">{}</strong>{code}</p>\
                 <p>Who acts: <strong id=\"who-acts\">{}</strong></p>\
                 <div id=\"health-guidance\">{}</div></section>",
                esc(health.kind()),
                esc(health.who_acts.as_str()),
                health.guidance(&s.product(), Locale::En).to_html(),
            );
            page("Linked account", &body).into_response()
        }
        Err(e) => page(
            "Linked account",
            &format!("<p>The check got no answer.</p><pre>{}</pre>", esc(&e.to_string())),
        )
        .into_response(),
    }
}

/// The admin-consent link's redirect back.
async fn admin_callback(State(app): State<Arc<LinkApp>>, RawQuery(query): RawQuery) -> Response {
    let query = query.unwrap_or_default();
    let pending = state_param(&query).and_then(|s| app.admin_pending.lock().unwrap_or_else(|p| p.into_inner()).remove(&s));
    let Some(pending) = pending else {
        return page(
            "Unknown admin consent",
            "<p>This answer does not belong to an admin-consent link from this app.</p>",
        )
        .into_response();
    };
    match pending.finish(&query) {
        Ok(outcome) => {
            let granted = matches!(outcome, AdminConsentOutcome::Granted { .. });
            let title = if granted {
                "Admin consent granted"
            } else {
                "Admin consent not granted"
            };
            let help = outcome.guidance(&app.settings.product(), Locale::En, None).to_text();
            page(
                title,
                &format!(
                    "<p id=\"outcome\">{}</p><pre id=\"guidance\">{}</pre>",
                    esc(outcome.kind()),
                    esc(&help)
                ),
            )
            .into_response()
        }
        Err(e) => page("Admin consent failed", &format!("<pre>{}</pre>", esc(&e.to_string()))).into_response(),
    }
}

/// Command-line flags (see the module docs).
#[derive(Debug, Default)]
struct Flags {
    port: Option<u16>,
    preset: Option<String>,
    emulator: Option<String>,
    microsoft: bool,
    tenant: Option<String>,
    client_id: Option<String>,
}

fn flags() -> Result<Flags, String> {
    let mut f = Flags::default();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{a} needs a value"));
        match a.as_str() {
            "--port" => f.port = Some(value()?.parse().map_err(|e| format!("--port: {e}"))?),
            "--preset" => f.preset = Some(value()?),
            "--emulator" => f.emulator = Some(value()?),
            "--tenant" => f.tenant = Some(value()?),
            "--client-id" => f.client_id = Some(value()?),
            "--microsoft" => f.microsoft = true,
            other => return Err(format!("unknown flag {other}; see the example's docs")),
        }
    }
    Ok(f)
}

#[allow(dead_code)] // when the browser test includes this file, `main` is not called
#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let f = flags()?;
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", f.port.unwrap_or(3000))).await?;
    let public_url = Url::parse(&format!("http://{}/", listener.local_addr()?))?;
    let scopes = ScopeSet::parse(consent_mock::demo::CARERIX_SCOPES)?;
    let required = |v: Option<String>, name: &str| v.ok_or_else(|| format!("{name} is required with --emulator/--microsoft"));
    let (_emulator, settings) = if f.microsoft || f.emulator.is_some() {
        let authority = match &f.emulator {
            Some(url) => Authority::parse(url)?,
            None => Authority::Global,
        };
        let settings = Settings {
            authority,
            tenant: LinkTenant::parse(&required(f.tenant, "--tenant")?)?,
            client_id: AppId::parse(&required(f.client_id, "--client-id")?)?,
            client_secret: std::env::var("CLIENT_SECRET").ok(),
            scopes,
            public_url,
            app_name: "Carerix Calendar".into(),
            clock: Arc::new(SystemClock),
            graph: match &f.emulator {
                Some(url) => GraphEndpoint::custom(&format!("{}/v1.0", url.trim_end_matches('/')))?,
                None => GraphEndpoint::Global,
            },
        };
        (None, settings)
    } else {
        let preset = f.preset.as_deref().unwrap_or("workflow-on").parse()?;
        let tenant = consent_mock::MockTenant::preset(preset);
        let emulator = consent_emulator::Emulator::new(tenant.clone(), consent_emulator::EmulatorConfig::default())
            .bind("127.0.0.1:0")
            .await?;
        println!("emulator: {}", emulator.startup_line());
        let settings = Settings {
            authority: Authority::parse(emulator.login_url().as_str().trim_end_matches('/'))?,
            tenant: LinkTenant::parse(&emulator.tenant_id().to_string())?,
            client_id: consent_mock::demo::CARERIX_APP_ID,
            client_secret: None,
            scopes,
            public_url,
            app_name: "Carerix Calendar - Production".into(),
            clock: Arc::new(tenant.clock()),
            graph: GraphEndpoint::custom(emulator.graph_url().as_str())?,
        };
        (Some(emulator), settings)
    };
    println!("open {} and click \"Link my Microsoft 365 calendar\"", settings.public_url);
    axum::serve(listener, router(LinkApp::new(settings))).await?;
    Ok(())
}
