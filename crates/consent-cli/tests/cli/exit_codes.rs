//! Every exit code of the documented table, produced by a real situation.

use crate::common::{bare, Mock, APP, REVIEWERS_GROUP};
use predicates::prelude::*;

#[test]
fn help_documents_the_exit_codes() {
    bare()
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("Exit codes:").and(predicate::str::contains("5  unavailable")));
}

#[test]
fn code_2_for_usage_errors() {
    let m = Mock::preset("workflow-on");
    bare().assert().code(2); // no command
    bare().args(["frobnicate"]).assert().code(2);
    m.run(&["status", "--app", "not-a-guid"])
        .code(2)
        .stderr(predicate::str::contains("--app"));
    m.run(&["policy", "enable", "--reviewer", "device:b0000001-0000-4000-8000-000000000001"])
        .code(2)
        .stderr(predicate::str::contains("unknown reviewer kind"));
    m.run(&[
        "requests",
        "submit",
        "--as",
        "eva@contoso.example",
        "--app",
        APP,
        "--justification",
        "   ",
    ])
    .code(2)
    .stderr(predicate::str::contains("justification"));
    m.run(&["requests", "submit", "--app", APP, "--justification", "x"])
        .code(2)
        .stderr(predicate::str::contains("needs --as USER"));
    // No backend chosen: a usage error, also as a JSON document with --json.
    let out = bare().args(["--json", "status", "--app", APP]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["error"]["kind"], "usage");
    assert_eq!(v["error"]["exit_code"], 2);
}

#[test]
fn code_1_for_errors_with_a_next_step() {
    let m = Mock::empty();
    let v = m.json(&["policy", "show"], 1);
    assert_eq!(v["error"]["kind"], "state_file");
    assert!(v["error"]["hint"].as_str().unwrap().contains("consentctl mock init --preset"));

    let m = Mock::preset("microsoft-managed");
    // Enabling requests with nobody to review them is refused by the library's validation.
    let v = m.json(&["policy", "enable"], 1);
    assert_eq!(v["error"]["kind"], "invalid_input");
    assert!(v["error"]["message"].as_str().unwrap().contains("reviewer"));
    // Unknown --as user.
    let v = m.json(&["--as", "nobody@contoso.example", "policy", "show"], 1);
    assert_eq!(v["error"]["kind"], "not_found");
    assert!(v["error"]["hint"].as_str().unwrap().contains("mock show"));
}

#[test]
fn code_3_when_someone_must_act() {
    let m = Mock::preset("workflow-on");
    m.run(&["status", "--app", APP]).code(3);
    m.run(&["approve", "--app", APP]).success();
    m.run(&["status", "--app", APP]).success();
    // A tenant where users may consent themselves needs nobody: exit 0.
    Mock::preset("allow-user-consent").run(&["status", "--app", APP]).success();
}

#[test]
fn code_4_when_the_principal_lacks_the_role() {
    let m = Mock::preset("workflow-on");
    let v = m.json(
        &[
            "--as",
            "eva@contoso.example",
            "policy",
            "enable",
            "--reviewer",
            &format!("group:{REVIEWERS_GROUP}"),
        ],
        4,
    );
    assert_eq!(v["error"]["kind"], "permission_denied");
    assert!(v["error"]["message"].as_str().unwrap().contains("needs"));
    // A Global Administrator who is not among the request's reviewers may not deny it.
    let sub = m.submit("eva@contoso.example", "Sync");
    let id = sub["request"]["id"].as_str().unwrap().to_owned();
    m.run(&["requests", "deny", &id, "--justification", "no"]).code(4);
}

#[test]
fn code_5_when_the_service_is_throttling_or_down() {
    let m = Mock::preset("workflow-on");
    m.run(&["mock", "faults", "set", "429/7:1"]).success();
    let v = m.json(&["policy", "show"], 5);
    assert_eq!(v["error"]["kind"], "throttled");
    assert_eq!(v["error"]["retry_after_secs"], 7.0);
    m.run(&["mock", "faults", "set", "503:1"]).success();
    m.run(&["status", "--app", APP]).code(5).stderr(predicate::str::contains("503"));
    m.run(&["mock", "faults", "set", "timeout:1"]).success();
    assert_eq!(m.json(&["policy", "show"], 5)["error"]["kind"], "timeout");
    m.run(&["mock", "faults", "clear"]).success();
    m.run(&["policy", "show"]).success();
}

#[test]
fn verbose_adds_detail_and_never_prints_a_password() {
    let m = Mock::preset("workflow-on");
    m.run(&["mock", "faults", "set", "503:1"]).success();
    m.run(&["-v", "policy", "show"])
        .code(5)
        .stderr(predicate::str::contains("Backend {").and(predicate::str::contains("status: 503")));
    let state = std::fs::read_to_string(&m.state).unwrap();
    let password = serde_json::from_str::<serde_json::Value>(&state).unwrap()["users"][0]["password"]
        .as_str()
        .unwrap()
        .to_owned();
    for args in [
        &["mock", "show"][..],
        &["--json", "mock", "show"][..],
        &["-vv", "policy", "show"][..],
    ] {
        let out = m.cmd().args(args).output().unwrap();
        let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert!(!all.contains(&password), "{args:?} printed a password");
    }
}
