//! Shared helpers: an emulator on a free loopback port plus an HTTP client that does not follow
//! redirects (the tests read Entra's redirects themselves).

use consent_emulator::{Emulator, EmulatorConfig, RunningEmulator};
use consent_mock::{MockTenant, Preset};
use reqwest::{Client, Response, StatusCode};
use serde_json::Value;

pub struct Env {
    pub emu: RunningEmulator,
    pub tenant: MockTenant,
    pub http: Client,
    /// An app-only token with the admin client's permissions.
    pub admin_token: String,
}

pub async fn start(preset: Preset) -> Env {
    start_with(MockTenant::preset(preset), EmulatorConfig::default()).await
}

pub async fn start_with(tenant: MockTenant, config: EmulatorConfig) -> Env {
    let emu = Emulator::new(tenant.clone(), config)
        .bind("127.0.0.1:0")
        .await
        .expect("bind a loopback port");
    let http = Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let admin_token = emu.admin_app_token();
    Env {
        emu,
        tenant,
        http,
        admin_token,
    }
}

impl Env {
    pub fn graph(&self, path: &str) -> String {
        format!("{}{path}", self.emu.graph_url())
    }

    pub fn login(&self, path: &str) -> String {
        format!("{}{}", self.emu.login_url(), path.trim_start_matches('/'))
    }

    /// The first tenant's token endpoint.
    pub fn token_url(&self) -> String {
        self.login(&format!("/{}/oauth2/v2.0/token", self.emu.tenant_id()))
    }

    pub async fn get(&self, path: &str, token: &str) -> Response {
        self.http.get(self.graph(path)).bearer_auth(token).send().await.expect("request")
    }

    pub async fn send_json(&self, method: reqwest::Method, path: &str, token: &str, body: Value) -> Response {
        self.http
            .request(method, self.graph(path))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .expect("request")
    }

    /// As the admin client: sends `body` with `method` to `path` and reads the answer.
    pub async fn admin(&self, method: reqwest::Method, path: &str, body: Value) -> (StatusCode, Value) {
        read(self.send_json(method, path, &self.admin_token, body).await).await
    }
}

/// Sends `request` and parses its JSON body (whatever the status).
pub async fn json_of(request: reqwest::RequestBuilder) -> Value {
    request.send().await.expect("request").json().await.expect("a JSON body")
}

/// Status and JSON body (`Value::Null` for an empty body).
pub async fn read(r: Response) -> (StatusCode, Value) {
    let status = r.status();
    let text = r.text().await.expect("body");
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    (status, body)
}

/// Posts `fields` to the first tenant's token endpoint; status and JSON body.
pub async fn redeem(env: &Env, fields: &[(&str, String)]) -> (StatusCode, Value) {
    read(env.http.post(env.token_url()).form(fields).send().await.expect("token request")).await
}

/// A refresh-token grant's form for the demo app.
pub fn refresh_form(refresh_token: &str) -> Vec<(&'static str, String)> {
    vec![
        ("grant_type", "refresh_token".to_owned()),
        ("client_id", consent_mock::demo::CARERIX_APP_ID.to_string()),
        ("refresh_token", refresh_token.to_owned()),
    ]
}

/// Asserts Graph's error shape and returns the code.
pub fn graph_error(body: &Value) -> String {
    let err = &body["error"];
    assert!(err["message"].is_string(), "no error.message in {body}");
    assert!(err["innerError"]["request-id"].is_string(), "no innerError.request-id in {body}");
    assert!(err["innerError"]["date"].is_string(), "no innerError.date in {body}");
    err["code"].as_str().expect("error.code").to_owned()
}

/// The real Graph backend (`consent-graph`) talking to `emu` as `token`, in `tenant` (whose clock
/// the backend reads, as a real tenant runs on real time).
pub fn graph_backend(emu: &RunningEmulator, token: String, tenant: &MockTenant) -> consent_graph::GraphBackend {
    use std::sync::Arc;
    use std::time::Duration;
    let endpoint = consent_graph::GraphEndpoint::custom(emu.graph_url().as_str()).expect("loopback endpoint");
    consent_graph::GraphBackend::builder()
        .tenant(tenant.tenant_id())
        .token_provider(Arc::new(consent_graph::StaticToken::new(token)))
        .endpoint(endpoint)
        .timeout(Duration::from_secs(10))
        .clock(Arc::new(tenant.clock()))
        // Injected faults answer at once; short backoffs keep tests fast.
        .retry(consent_graph::RetryPolicy {
            base_backoff: Duration::from_millis(5),
            ..consent_graph::RetryPolicy::default()
        })
        .build()
        .expect("backend")
}

/// Files `user`'s request for the demo app's `scopes` with the justification `why`, as the mock's
/// prompt would; returns the app request id.
pub async fn file_request(tenant: &MockTenant, user: consent::ObjectId, scopes: &str, why: &str) -> String {
    use consent::{ConsentGraph, ConsentRequestSubmission, ConsentType, Justification, ScopeSet};
    let submission = ConsentRequestSubmission {
        app_id: consent_mock::demo::CARERIX_APP_ID,
        consent_type: ConsentType::Dynamic,
        scopes: ScopeSet::parse(scopes).unwrap(),
        justification: Justification::parse(why).unwrap(),
    };
    tenant
        .as_user(user)
        .submit_consent_request(&submission)
        .await
        .expect("submit")
        .id
        .to_string()
}

/// Files Eva's request for the demo app's calendar scopes; returns the app request id.
pub async fn file_eva_request(tenant: &MockTenant) -> String {
    file_request(
        tenant,
        consent_mock::demo::EVA_ID,
        "Calendars.ReadWrite User.Read",
        "I schedule interviews",
    )
    .await
}

/// The client-credentials token of the seeded admin client in `tenant`, from the token endpoint.
pub async fn client_credentials(env: &Env, tenant: &str) -> reqwest::Response {
    env.http
        .post(env.login(&format!("/{tenant}/oauth2/v2.0/token")))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", &env.emu.admin_client_id().to_string()),
            ("client_secret", env.emu.admin_client_secret()),
            ("scope", "https://graph.microsoft.com/.default"),
        ])
        .send()
        .await
        .expect("token request")
}

/// A call to the control API with the admin secret.
pub fn control(env: &Env, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
    env.http
        .request(method, env.login(&format!("/_emulator/{path}")))
        .bearer_auth(env.emu.admin_client_secret())
}

/// Microsoft Graph's application id.
pub const GRAPH_APP: &str = "00000003-0000-0000-c000-000000000000";

/// The demo app's service principal (created) and Microsoft Graph's, as object ids.
pub async fn provision(env: &Env) -> (String, String) {
    let body = serde_json::json!({"appId": consent_mock::demo::CARERIX_APP_ID});
    let (_, client) = env.admin(reqwest::Method::POST, "/servicePrincipals", body).await;
    let (_, graph) = read(env.get(&format!("/servicePrincipals(appId='{GRAPH_APP}')"), &env.admin_token).await).await;
    (client["id"].as_str().unwrap().to_owned(), graph["id"].as_str().unwrap().to_owned())
}
