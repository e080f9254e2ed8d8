//! Data safety of the mock state file: concurrent writers lose nothing, bad files are refused and
//! left untouched, reads do not rewrite, `init` does not clobber.

use std::process::Stdio;

use crate::common::{bare_std, Mock, APP};
use predicates::prelude::*;

#[test]
fn eight_concurrent_submits_record_eight_requests() {
    let m = Mock::preset("workflow-on");
    let users: Vec<String> = (1..=8).map(|i| format!("recruiter{i}@contoso.example")).collect();
    for u in &users {
        m.json(&["mock", "add-user", "--upn", u], 0);
    }
    // Start all eight before waiting for any, so their load-modify-save cycles overlap.
    let children: Vec<_> = users
        .iter()
        .map(|u| {
            bare_std()
                .arg("--mock")
                .arg("--mock-state")
                .arg(&m.state)
                .args(["requests", "submit", "--as", u, "--app", APP, "--justification"])
                .arg(format!("{u} needs the calendar"))
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn consentctl")
        })
        .collect();
    for c in children {
        let out = c.wait_with_output().expect("wait");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let list = m.json(&["requests", "list", "--app", APP], 0);
    assert_eq!(list["count"], 1, "one app request per app and consent type");
    let mut requesters: Vec<String> = list["requests"][0]["user_requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["requester"]["user_principal_name"].as_str().unwrap().to_owned())
        .collect();
    requesters.sort();
    let mut want = users.clone();
    want.sort();
    assert_eq!(requesters, want);
    // No temporary files left behind.
    let stray: Vec<_> = std::fs::read_dir(m.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(stray.is_empty(), "{stray:?}");
}

#[test]
fn a_corrupt_state_file_is_refused_and_left_untouched() {
    let m = Mock::empty();
    let garbage = b"{\"formatVersion\": 1, \"tenantId\": tru";
    std::fs::write(&m.state, garbage).unwrap();
    m.run(&["policy", "show"])
        .code(1)
        .stderr(predicate::str::contains("not usable").and(predicate::str::contains("left untouched")));
    m.run(&["mock", "clock", "advance", "--days", "1"]).code(1);
    assert_eq!(std::fs::read(&m.state).unwrap(), garbage);
}

#[test]
fn a_newer_format_is_refused_and_left_untouched() {
    let m = Mock::preset("workflow-on");
    let mut v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&m.state).unwrap()).unwrap();
    v["formatVersion"] = 99.into();
    let newer = serde_json::to_vec_pretty(&v).unwrap();
    std::fs::write(&m.state, &newer).unwrap();
    let err = m.json(&["status", "--app", APP], 1);
    assert_eq!(err["error"]["kind"], "state_file");
    assert!(err["error"]["message"].as_str().unwrap().contains("newer"), "{err}");
    assert_eq!(std::fs::read(&m.state).unwrap(), newer);
}

#[test]
fn reads_do_not_rewrite_the_file_and_writes_do() {
    let m = Mock::preset("workflow-on");
    let before = std::fs::read(&m.state).unwrap();
    m.run(&["policy", "show"]).success();
    m.run(&["requests", "list"]).success();
    assert_eq!(std::fs::read(&m.state).unwrap(), before);
    m.run(&["policy", "enable", "--duration-days", "7"]).success();
    assert_ne!(std::fs::read(&m.state).unwrap(), before);
}

#[test]
fn init_refuses_to_replace_a_tenant_without_force() {
    let m = Mock::preset("workflow-on");
    m.run(&["policy", "disable"]).success();
    let changed = std::fs::read(&m.state).unwrap();
    m.run(&["mock", "init", "--preset", "microsoft-managed"])
        .code(1)
        .stderr(predicate::str::contains("--force"));
    assert_eq!(std::fs::read(&m.state).unwrap(), changed);
    let v = m.json(&["mock", "init", "--preset", "microsoft-managed", "--force"], 0);
    assert_eq!(v["command"], "mock init");
    assert_eq!(v["preset"], "microsoft-managed");
    assert_eq!(m.json(&["status", "--app", APP], 3)["state"], "requests_disabled");
}

#[test]
fn mock_show_and_add_user_describe_the_directory() {
    let m = Mock::preset("workflow-on");
    let added = m.json(
        &[
            "mock",
            "add-user",
            "--upn",
            "noor@contoso.example",
            "--name",
            "Noor",
            "--role",
            "global-reader",
        ],
        0,
    );
    assert_eq!(added["command"], "mock add-user");
    assert_eq!(added["user"]["roles"][0], "global-reader");
    let show = m.json(&["mock", "show"], 0);
    assert_eq!(show["command"], "mock show");
    assert_eq!(show["tenant_id"], crate::common::TENANT);
    assert_eq!(show["requests_enabled"], true);
    let upns: Vec<&str> = show["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["upn"].as_str().unwrap())
        .collect();
    assert!(
        upns.contains(&"eva@contoso.example") && upns.contains(&"noor@contoso.example"),
        "{upns:?}"
    );
    assert!(show["users"].as_array().unwrap().iter().all(|u| u.get("password").is_none()));
    assert_eq!(show["demo_app"]["app_id"], APP);
    // A taken UPN is a conflict, not a crash.
    assert_eq!(
        m.json(&["mock", "add-user", "--upn", "noor@contoso.example"], 1)["error"]["kind"],
        "conflict"
    );
}
