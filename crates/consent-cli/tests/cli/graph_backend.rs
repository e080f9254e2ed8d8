//! The Graph backend's command-line contract that needs no network: credentials from the
//! environment only, the library's `Unsupported` hint for submit/deny, and the secret never echoed.

use crate::common::{bare, APP, TENANT};
use predicates::prelude::*;

const SECRET: &str = "s3cr3t-Value~that-must-not-leak";

fn graph() -> assert_cmd::Command {
    let mut c = bare();
    c.env("ENTRA_CLIENT_ID", APP).env("ENTRA_CLIENT_SECRET", SECRET).args([
        "--tenant",
        TENANT,
        // A loopback endpoint nobody listens on: the commands below must fail before any call.
        "--graph-url",
        "http://127.0.0.1:9/v1.0",
        "--login-url",
        "http://127.0.0.1:9",
    ]);
    c
}

#[test]
fn submit_and_deny_report_the_library_hint_and_exit_1() {
    let out = graph()
        .args([
            "--json",
            "requests",
            "submit",
            "--as",
            "eva@contoso.example",
            "--app",
            APP,
            "--scopes",
            "User.Read",
            "--justification",
            "x",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["error"]["kind"], "unsupported");
    assert!(v["error"]["message"].as_str().unwrap().contains("authorize URL"), "{v}");
    graph()
        .args(["requests", "deny", "some-id", "--justification", "no"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("Admin consent requests").and(predicate::str::contains(SECRET).not()));
}

#[test]
fn credentials_come_from_the_environment() {
    bare()
        .args(["--tenant", TENANT, "policy", "show"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("ENTRA_CLIENT_ID").and(predicate::str::contains("ENTRA_CLIENT_SECRET")));
    // The secret is not a flag, so it cannot end up in shell history.
    bare()
        .args(["--client-secret", SECRET, "--tenant", TENANT, "policy", "show"])
        .assert()
        .code(2);
}

#[test]
fn graph_only_accepts_loopback_overrides_and_refuses_mock_flags() {
    bare()
        .env("ENTRA_CLIENT_ID", APP)
        .env("ENTRA_CLIENT_SECRET", SECRET)
        .args([
            "--tenant",
            TENANT,
            "--graph-url",
            "http://graph.evil.example/v1.0",
            "policy",
            "show",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--graph-url"));
    graph()
        .args(["--as", "eva@contoso.example", "policy", "show"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--as only works with --mock"));
    bare().args(["--mock", "--tenant", TENANT, "policy", "show"]).assert().code(2);
    bare()
        .env("ENTRA_CLIENT_ID", APP)
        .env("ENTRA_CLIENT_SECRET", SECRET)
        .args(["--tenant", TENANT, "--graph-url", "http://127.0.0.1:9/v1.0", "policy", "show"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--login-url"));
}

#[test]
fn an_unreachable_service_is_exit_5_and_the_secret_stays_out_of_verbose_output() {
    let out = graph().args(["-vv", "policy", "show"]).output().unwrap();
    let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(!all.contains(SECRET), "secret printed:\n{all}");
    // Nothing listens on port 9: the token request cannot connect, which is "unavailable".
    assert_eq!(out.status.code(), Some(5), "{all}");
}
