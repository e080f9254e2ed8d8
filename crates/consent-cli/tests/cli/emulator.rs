//! The Graph backend end to end: `consentctl emulator` serves a mock tenant over HTTP, and the other
//! commands reach it through `consent-graph` with client credentials, exactly as against Microsoft.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use crate::common::{bare, REVIEWERS_GROUP};
use serde_json::Value;

const SCOPES: &str = "Calendars.ReadWrite User.Read offline_access";

/// A running `consentctl emulator`, stopped when dropped.
struct Emulator {
    child: Child,
    line: Value,
}

impl Emulator {
    fn start(preset: &str) -> Self {
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("consentctl"))
            .args(["emulator", "--port", "0", "--preset", preset])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start consentctl emulator");
        let mut first = String::new();
        let stdout = child.stdout.take().expect("piped stdout");
        BufReader::new(stdout).read_line(&mut first).expect("startup line");
        let line = serde_json::from_str(&first).unwrap_or_else(|e| panic!("startup line is not JSON ({e}): {first}"));
        Self { child, line }
    }

    fn field(&self, k: &str) -> String {
        self.line[k].as_str().unwrap_or_else(|| panic!("{k} in {}", self.line)).to_owned()
    }

    /// `consentctl --json --tenant … --graph-url … --login-url … <args>` with the emulator's credentials.
    fn json(&self, args: &[&str], code: i32) -> Value {
        let out = bare()
            .env("ENTRA_CLIENT_ID", self.field("admin_client_id"))
            .env("ENTRA_CLIENT_SECRET", self.field("admin_client_secret"))
            .args([
                "--json",
                "--tenant",
                &self.field("tenant_id"),
                "--graph-url",
                &self.field("graph_url"),
            ])
            .args(["--login-url", &self.field("login_url")])
            .args(args)
            .output()
            .expect("run consentctl");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            out.status.code(),
            Some(code),
            "{args:?}\n{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!stdout.contains(&self.field("admin_client_secret")), "secret printed");
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{args:?}: {e}\n{stdout}"))
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn the_procedures_through_microsoft_graph_against_the_emulator() {
    let emu = Emulator::start("microsoft-managed");
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
    let emu = Emulator::start("workflow-on");
    let out = bare()
        .env("ENTRA_CLIENT_ID", emu.field("admin_client_id"))
        .env("ENTRA_CLIENT_SECRET", "not-the-secret")
        .args([
            "--json",
            "--tenant",
            &emu.field("tenant_id"),
            "--graph-url",
            &emu.field("graph_url"),
        ])
        .args(["--login-url", &emu.field("login_url"), "policy", "show"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["error"]["kind"], "unauthenticated");
    assert!(!String::from_utf8_lossy(&out.stderr).contains("not-the-secret"));
}
