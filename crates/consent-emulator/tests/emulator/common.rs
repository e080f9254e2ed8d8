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

/// Asserts Graph's error shape and returns the code.
pub fn graph_error(body: &Value) -> String {
    let err = &body["error"];
    assert!(err["message"].is_string(), "no error.message in {body}");
    assert!(err["innerError"]["request-id"].is_string(), "no innerError.request-id in {body}");
    assert!(err["innerError"]["date"].is_string(), "no innerError.date in {body}");
    err["code"].as_str().expect("error.code").to_owned()
}
