//! The `consent-emulator` binary: one JSON line on stdout, serving, graceful exit on SIGTERM.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::Value;

use crate::common::json_of;

#[tokio::test]
async fn prints_one_json_line_serves_and_stops_on_sigterm() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_consent-emulator"))
        .args([
            "--port",
            "0",
            "--preset",
            "workflow-on",
            "--tenants",
            "2",
            "--latency",
            "1:1",
            "--rate-limit",
            "1000/1",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the binary");
    let stdout = child.stdout.take().expect("stdout");
    let line = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).map(|_| line)
    })
    .await
    .expect("join")
    .expect("read the JSON line");
    let info: Value = serde_json::from_str(&line).expect("the first line is JSON");
    for key in [
        "graph_url",
        "login_url",
        "tenant_id",
        "admin_client_id",
        "admin_client_secret",
        "app_id",
        "users",
    ] {
        assert!(!info[key].is_null(), "missing {key} in {line}");
    }
    let tenants = info["tenants"].as_array().expect("a tenants array");
    assert_eq!(tenants.len(), 2);
    assert_eq!(tenants[0], info["tenant_id"]);
    let graph = info["graph_url"].as_str().unwrap();
    assert!(graph.starts_with("http://127.0.0.1:") && graph.ends_with("/v1.0"), "{graph}");
    let eva = info["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["upn"] == "eva@contoso.example")
        .expect("eva");
    assert!(eva["password"].is_string() && eva["roles"].as_array().unwrap().is_empty());

    // Client credentials with the printed secret in the second tenant, then a Graph call.
    let http = reqwest::Client::new();
    let token_url = format!(
        "{}/{}/oauth2/v2.0/token",
        info["login_url"].as_str().unwrap(),
        tenants[1].as_str().unwrap()
    );
    let tokens = json_of(http.post(token_url).form(&[
        ("grant_type", "client_credentials"),
        ("client_id", info["admin_client_id"].as_str().unwrap()),
        ("client_secret", info["admin_client_secret"].as_str().unwrap()),
        ("scope", "https://graph.microsoft.com/.default"),
    ]))
    .await;
    let policy = json_of(
        http.get(format!("{graph}/policies/adminConsentRequestPolicy"))
            .bearer_auth(tokens["access_token"].as_str().expect("a token")),
    )
    .await;
    assert_eq!(policy["isEnabled"], true, "the workflow-on preset");
    let stats = json_of(
        http.get(format!("{}/_emulator/stats", info["login_url"].as_str().unwrap()))
            .bearer_auth(info["admin_client_secret"].as_str().unwrap()),
    )
    .await;
    assert_eq!(stats["requests"], 2, "the token and the Graph call: {stats}");

    let pid = child.id().to_string();
    let killed = Command::new("kill").args(["-TERM", &pid]).status().expect("kill");
    assert!(killed.success());
    let status = tokio::time::timeout(Duration::from_secs(10), tokio::task::spawn_blocking(move || child.wait()))
        .await
        .expect("exits within 10 s of SIGTERM")
        .unwrap()
        .unwrap();
    assert!(status.success(), "graceful shutdown exits 0: {status:?}");
}

#[test]
fn refuses_a_non_loopback_host_an_unknown_preset_and_bad_flags() {
    for args in [
        ["--host", "0.0.0.0"],
        ["--preset", "nonsense"],
        ["--tenants", "0"],
        ["--latency", "soon"],
        ["--rate-limit", "5"],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_consent-emulator"))
            .args(args)
            .output()
            .expect("run");
        assert!(!out.status.success(), "{args:?}");
        assert!(out.stdout.is_empty(), "nothing on stdout when it cannot start");
    }
}
