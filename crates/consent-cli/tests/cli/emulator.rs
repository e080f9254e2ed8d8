//! The Graph backend end to end: `consentctl emulator` serves a mock tenant over HTTP, and the other
//! commands reach it through `consent-graph` with client credentials, exactly as against Microsoft.

use crate::common::{Emulator, REVIEWERS_GROUP, SCOPES};
use serde_json::Value;

#[test]
fn the_procedures_through_microsoft_graph_against_the_emulator() {
    let emu = Emulator::start(&["--preset", "microsoft-managed"]);
    let app = emu.field("app_id");
    let s = emu.json(&["status", "--app", &app, "--scopes", SCOPES], 3);
    assert_eq!(s["state"], "requests_disabled");

    let p = emu.json(&["policy", "enable", "--reviewer", &format!("group:{REVIEWERS_GROUP}")], 0);
    assert_eq!(p["request_policy"]["enabled"], true);
    assert_eq!(
        emu.json(&["policy", "show"], 0)["request_policy"]["version"],
        p["request_policy"]["version"]
    );

    // Graph cannot file a request: the library's hint, exit 1.
    let sub = emu.json(
        &["requests", "submit", "--app", &app, "--scopes", SCOPES, "--justification", "x"],
        1,
    );
    assert_eq!(sub["error"]["kind"], "unsupported");
    assert_eq!(emu.json(&["requests", "list"], 0)["count"], 0);

    let a = emu.json(&["approve", "--app", &app, "--scopes", SCOPES], 0);
    assert_eq!(a["grant"]["grants_created"], 1);
    assert_eq!(a["completion"]["all_users_can_link"], true);
    assert_eq!(emu.json(&["status", "--app", &app, "--scopes", SCOPES], 0)["state"], "approved");
    assert_eq!(
        emu.json(&["approve", "--app", &app, "--scopes", SCOPES], 0)["grant"]["changed"],
        false
    );
}

#[test]
fn a_wrong_client_secret_is_access_denied() {
    let emu = Emulator::start(&["--preset", "workflow-on"]);
    let out = emu
        .consentctl()
        .env("ENTRA_CLIENT_SECRET", "not-the-secret")
        .args(["--tenant", &emu.field("tenant_id"), "policy", "show"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["error"]["kind"], "unauthenticated");
    assert!(!String::from_utf8_lossy(&out.stderr).contains("not-the-secret"));
}
