//! `watch` on the mock (a reviewer approves from another process mid-watch; the deadline) and
//! `fleet status|approve` through Microsoft Graph against `consentctl emulator` (a tenant that
//! fails, the dry run, the journal's resume).
#![allow(clippy::unwrap_used)] // test helpers: a panic is the right failure

mod common;

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};

use common::{bare, Mock, APP};
use serde_json::Value;

const SCOPES: &str = "Calendars.ReadWrite User.Read offline_access";

fn lines(stdout: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not one JSON object per line ({e}): {l}")))
        .collect()
}

fn pending_mock() -> Mock {
    let m = Mock::preset("workflow-on");
    m.submit("eva@contoso.example", "I schedule interviews");
    m
}

#[test]
fn watch_prints_one_json_line_per_change_and_exits_3_at_the_deadline() {
    let m = pending_mock();
    let out = m
        .cmd()
        .args(["--json", "watch", "--app", APP, "--timeout", "2s", "--interval", "1s"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", String::from_utf8_lossy(&out.stderr));
    let l = lines(&out.stdout);
    assert_eq!(l.len(), 2, "{l:?}");
    assert_eq!((l[0]["event"].as_str(), l[0]["state"].as_str()), (Some("changed"), Some("pending")));
    assert_eq!(l[0]["final"], false);
    assert_eq!(
        (l[1]["event"].as_str(), l[1]["state"].as_str()),
        (Some("timed_out"), Some("pending"))
    );
    assert_eq!(l[1]["final"], true);
}

#[test]
fn watch_sees_an_approval_made_by_another_process_and_exits_0() {
    let m = pending_mock();
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("consentctl"))
        .env("NO_COLOR", "1")
        .arg("--mock")
        .arg("--mock-state")
        .arg(&m.state)
        .args(["--json", "watch", "--app", APP, "--timeout", "1m", "--interval", "1s"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    assert!(first.contains("\"pending\""), "{first}");
    // The watch holds no lock on the state file: the approval goes through at once.
    m.run(&["approve", "--app", APP]).success();
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stdout, &mut rest).unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "{rest}");
    let last = lines(rest.as_bytes()).pop().unwrap();
    assert_eq!(
        (last["state"].as_str(), last["users_can_link"].as_bool()),
        (Some("approved"), Some(true))
    );
}

#[test]
fn watch_lines_for_people_name_the_state() {
    let m = pending_mock();
    let out = m.cmd().args(["watch", "--app", APP, "--timeout", "1s"]).output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("pending") && text.contains("timed out"), "{text}");
}

/// A running `consentctl emulator`, stopped when dropped.
struct Emulator {
    child: Child,
    line: Value,
    dir: tempfile::TempDir,
}

impl Emulator {
    fn start() -> Self {
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("consentctl"))
            .args(["emulator", "--port", "0", "--preset", "microsoft-managed"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
        let line = serde_json::from_str(&first).unwrap();
        Self {
            child,
            line,
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn field(&self, k: &str) -> String {
        self.line[k].as_str().unwrap().to_owned()
    }

    fn file(&self, name: &str, text: &str) -> String {
        let path = self.dir.path().join(name);
        std::fs::File::create(&path).unwrap().write_all(text.as_bytes()).unwrap();
        path.display().to_string()
    }

    /// `consentctl --json --graph-url … --login-url … fleet <args> --app <demo> --scopes …`.
    fn fleet(&self, args: &[&str], code: i32) -> Value {
        let out = bare()
            .env("ENTRA_CLIENT_ID", self.field("admin_client_id"))
            .env("ENTRA_CLIENT_SECRET", self.field("admin_client_secret"))
            .args([
                "--json",
                "--graph-url",
                &self.field("graph_url"),
                "--login-url",
                &self.field("login_url"),
                "fleet",
            ])
            .args(args)
            .args(["--app", &self.field("app_id"), "--scopes", SCOPES])
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            out.status.code(),
            Some(code),
            "{args:?}\n{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!stdout.contains(&self.field("admin_client_secret")), "secret printed");
        serde_json::from_str(&stdout).unwrap()
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn fleet_status_dry_run_and_approve_through_graph_with_a_failing_tenant() {
    let emu = Emulator::start();
    let tenant = emu.field("tenant_id");
    let both = emu.file(
        "tenants.csv",
        &format!("tenant_id,name\n{tenant},Contoso\nfabrikam.onmicrosoft.com,Fabrikam\n"),
    );
    let one = emu.file("one.txt", &format!("# the emulator's tenant\n{tenant}\n"));

    // One tenant fails (the emulator does not know it); it is reported and the run goes on: exit 1.
    let s = emu.fleet(&["status", "--tenants", &both], 1);
    assert_eq!(s["command"], "fleet status");
    assert_eq!(s["tenants"][0]["state"], "requests_disabled");
    assert_eq!(s["tenants"][0]["name"], "Contoso");
    assert_eq!(common::strings(&s["tenants"][0]["missing_scopes"]).len(), 3);
    assert!(s["tenants"][0]["error"].is_null());
    assert_eq!(s["tenants"][1]["state"], "error");
    assert!(s["tenants"][1]["error"].as_str().unwrap().contains("AADSTS90002"), "{s}");
    assert_eq!(
        (s["summary"]["requests_disabled"].as_u64(), s["summary"]["error"].as_u64()),
        (Some(1), Some(1))
    );

    // Needs action: exit 3. The dry run writes nothing.
    assert_eq!(emu.fleet(&["status", "--tenants", &one], 3)["summary"]["requests_disabled"], 1);
    let dry = emu.fleet(&["approve", "--tenants", &one], 3);
    assert_eq!(
        (dry["dry_run"].as_bool(), dry["tenants"][0]["would_write"].as_bool()),
        (Some(true), Some(true))
    );
    assert_eq!(
        emu.fleet(&["status", "--tenants", &one], 3)["tenants"][0]["state"],
        "requests_disabled"
    );

    // Approve with a journal; a rerun skips the tenant the journal records as done.
    let journal = emu.dir.path().join("approve.jsonl").display().to_string();
    let a = emu.fleet(&["approve", "--tenants", &one, "--journal", &journal, "--yes"], 0);
    assert_eq!(a["tenants"][0]["outcome"], "granted");
    assert_eq!(a["tenants"][0]["previous_state"], "requests_disabled");
    assert_eq!(emu.fleet(&["status", "--tenants", &one], 0)["summary"]["approved"], 1);
    let again = emu.fleet(&["approve", "--tenants", &one, "--journal", &journal, "--yes"], 0);
    assert_eq!(again["tenants"][0]["outcome"], "done_earlier");
    let without = emu.fleet(&["approve", "--tenants", &one, "--yes"], 0);
    assert_eq!(without["tenants"][0]["outcome"], "already_approved");
}

#[test]
fn fleet_refuses_the_mock_state_file() {
    let m = Mock::preset("workflow-on");
    let out = m
        .cmd()
        .args(["fleet", "status", "--tenants", "x.txt", "--app", APP])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("fleet runs against Microsoft Graph"));
}
