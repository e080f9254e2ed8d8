//! `watch` on the mock (a reviewer approves from another process mid-watch; the deadline) and
//! `fleet status|approve` through Microsoft Graph against `consentctl emulator` (a tenant that
//! fails, the dry run, the journal's resume), and against an emulator serving several tenants: a
//! `fleet approve` killed with SIGKILL mid-run resumes from its journal, and `watch` in one tenant
//! sees the approval another process makes.

use std::io::{BufRead, BufReader};
use std::process::Stdio;

use crate::common::{bare_std, Emulator, Mock, APP, SCOPES};
use serde_json::Value;

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
    let mut child = bare_std()
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

#[test]
fn fleet_status_dry_run_and_approve_through_graph_with_a_failing_tenant() {
    let emu = Emulator::start(&["--preset", "microsoft-managed"]);
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
    assert_eq!(crate::common::strings(&s["tenants"][0]["missing_scopes"]).len(), 3);
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

/// The `done` lines of a journal (a torn last line is skipped, as the journal itself does).
fn done_in(journal: &std::path::Path) -> Vec<String> {
    std::fs::read_to_string(journal)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|e| e["event"] == "done")
        .map(|e| e["tenant_id"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn fleet_approve_killed_mid_run_reruns_only_the_unfinished_tenants() {
    // 150 ms per Graph and token answer: one tenant (token, read, writes, read-back) takes about a
    // second, so the kill lands while a later tenant is still in flight.
    let emu = Emulator::start(&["--preset", "workflow-on", "--tenants", "3", "--latency", "150"]);
    let ids = emu.tenants();
    let list = emu.file("tenants.txt", &ids.join("\n"));
    let journal = emu.dir.path().join("approve.jsonl");
    let mut run = emu
        .consentctl()
        .args(["fleet", "approve", "--tenants", &list, "--journal", &journal.display().to_string()])
        .args(["--yes", "--concurrency", "1", "--app", &emu.field("app_id"), "--scopes", SCOPES])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = std::time::Instant::now();
    while done_in(&journal).is_empty() {
        assert!(start.elapsed() < std::time::Duration::from_secs(60), "no tenant finished");
        assert!(run.try_wait().unwrap().is_none(), "the run ended before it could be killed");
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    run.kill().unwrap(); // SIGKILL: no destructor, no flush, as a crash or an OOM kill
    let status = run.wait().unwrap();
    assert!(!status.success(), "killed, not finished: {status:?}");
    let done = done_in(&journal);
    assert!(!done.is_empty() && done.len() < ids.len(), "{done:?}");

    // The rerun skips what the journal records as done and finishes the rest.
    let again = emu.fleet(
        &["approve", "--tenants", &list, "--journal", &journal.display().to_string(), "--yes"],
        0,
    );
    for t in again["tenants"].as_array().unwrap() {
        let id = t["tenant_id"].as_str().unwrap().to_owned();
        let outcome = t["outcome"].as_str().unwrap();
        if done.contains(&id) {
            assert_eq!(outcome, "done_earlier", "{t}");
        } else {
            // A tenant the kill caught after its grant landed but before its "done" line is read,
            // found approved and not written again.
            assert!(["granted", "already_approved"].contains(&outcome), "{t}");
        }
    }
    assert_eq!(done_in(&journal).len(), ids.len());
    let status = emu.fleet(&["status", "--tenants", &list], 0);
    assert_eq!(status["summary"]["approved"], 3, "{status}");
}

#[test]
fn watch_in_one_of_many_tenants_sees_the_approval_another_process_makes() {
    let emu = Emulator::start(&["--preset", "workflow-on", "--tenants", "3"]);
    let ids = emu.tenants();
    let mut watching = emu
        .consentctl()
        .args(["--tenant", &ids[1], "watch", "--app", &emu.field("app_id"), "--scopes", SCOPES])
        .args(["--timeout", "1m", "--interval", "1s"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(watching.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    assert!(first.contains("\"requests_enabled\""), "{first}");

    // A managed-service provider approves that tenant from another process.
    let one = emu.file("one.txt", &ids[1]);
    assert_eq!(
        emu.fleet(&["approve", "--tenants", &one, "--yes"], 0)["tenants"][0]["outcome"],
        "granted"
    );
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stdout, &mut rest).unwrap();
    let status = watching.wait().unwrap();
    assert_eq!(status.code(), Some(0), "{rest}");
    assert_eq!(lines(rest.as_bytes()).pop().unwrap()["state"], "approved");

    // The other tenants still need action.
    let all = emu.file("all.txt", &ids.join("\n"));
    let s = emu.fleet(&["status", "--tenants", &all], 3);
    assert_eq!(
        (s["summary"]["approved"].as_u64(), s["summary"]["requests_enabled"].as_u64()),
        (Some(1), Some(2)),
        "{s}"
    );
    assert_eq!(s["tenants"][1]["state"], "approved");
}
