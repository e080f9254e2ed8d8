//! The command line as people meet it: usage errors under `--json`, shell completions, the man
//! page, help headings, words instead of field names, "Changed:" and permission messages.

use crate::common::{bare, Mock, APP};
use serde_json::Value;

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Words like `notify_reviewers`: lowercase letters joined by `_` (Microsoft's scope
/// `offline_access` is a name people see in the portal, not a field name).
fn snake_case_words(text: &str) -> Vec<&str> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| *w != "offline_access")
        .filter(|w| {
            let parts: Vec<&str> = w.split('_').collect();
            parts.len() > 1 && parts.iter().all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase()))
        })
        .collect()
}

#[test]
fn a_clap_usage_error_under_json_is_one_json_error_document_and_exit_2() {
    for args in [
        vec!["--json", "policy", "show", "--bogus"],
        vec!["policy", "show", "--bogus", "--json"],
        vec!["--json", "no-such-command"],
        vec!["--json", "approve"],
        vec!["--json"],
    ] {
        let out = bare().args(&args).output().expect("run consentctl");
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        let doc: Value = serde_json::from_str(&stdout(&out))
            .unwrap_or_else(|e| panic!("{args:?}: stdout is not one JSON document ({e}):\n{}", stdout(&out)));
        assert_eq!(doc["error"]["kind"], "usage", "{args:?}");
        assert_eq!(doc["error"]["exit_code"], 2, "{args:?}");
        let message = doc["error"]["message"].as_str().expect("message");
        assert!(!message.is_empty() && !message.starts_with("error:"), "{args:?}: {message}");
        assert!(!stderr(&out).is_empty(), "{args:?}: clap's own message still goes to stderr");
    }
    let out = bare().args(["--json", "policy", "show", "--bogus"]).output().unwrap();
    let doc: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert!(doc["error"]["message"].as_str().unwrap().contains("--bogus"), "{doc}");
}

#[test]
fn without_json_a_usage_error_prints_nothing_on_stdout() {
    let out = bare().args(["policy", "show", "--bogus"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stdout(&out).is_empty(), "{}", stdout(&out));
    assert!(stderr(&out).contains("--bogus"));
}

#[test]
fn help_and_version_still_print_and_exit_0_with_json() {
    let help = bare().args(["--json", "--help"]).output().unwrap();
    assert_eq!(help.status.code(), Some(0));
    assert!(stdout(&help).contains("Usage:"), "{}", stdout(&help));
    let version = bare().args(["--json", "--version"]).output().unwrap();
    assert_eq!(version.status.code(), Some(0));
    assert!(stdout(&version).starts_with("consentctl "), "{}", stdout(&version));
}

#[test]
fn completions_for_every_shell_name_consentctl() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = bare().args(["completions", shell]).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{shell}: {}", stderr(&out));
        let script = stdout(&out);
        assert!(script.contains("consentctl"), "{shell}");
        assert!(script.contains("duration-days"), "{shell}: subcommand flags are completed");
    }
    let out = bare().args(["completions", "tcsh"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn man_prints_a_roff_page() {
    let out = bare().arg("man").output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let page = stdout(&out);
    assert!(page.starts_with(".ie \\n(.g .ds Aq"), "{}", &page[..page.len().min(200)]);
    assert!(page.contains("\n.TH consentctl 1"), "roff title header");
    assert!(page.contains("completions"), "the page lists the commands");
}

#[test]
fn man_dir_writes_one_page_per_command() {
    let dir = tempfile::tempdir().unwrap();
    let out = bare().arg("man").arg("--dir").arg(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    for page in ["consentctl.1", "consentctl-approve.1", "consentctl-policy-enable.1"] {
        let text = std::fs::read_to_string(dir.path().join(page)).unwrap_or_else(|e| panic!("{page}: {e}"));
        assert!(text.contains("\n.TH "), "{page}");
    }
}

#[test]
fn global_options_have_their_own_help_section() {
    for args in [vec!["--help"], vec!["policy", "enable", "--help"], vec!["approve", "--help"]] {
        let out = bare().args(&args).output().unwrap();
        let help = stdout(&out);
        let (own, global) = help
            .split_once("Global options:")
            .unwrap_or_else(|| panic!("{args:?}: no Global options section:\n{help}"));
        for flag in ["--json", "--mock-state", "--tenant", "--graph-url"] {
            assert!(global.contains(flag) && !own.contains(flag), "{args:?}: {flag}\n{help}");
        }
    }
}

#[test]
fn human_policy_and_mock_output_use_words_and_one_boolean_style() {
    let m = Mock::preset("workflow-on");
    for args in [
        vec!["policy", "show"],
        vec!["policy", "enable", "--no-reminders"],
        vec!["mock", "show"],
    ] {
        let out = m.cmd().args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
        let text = stdout(&out);
        assert_eq!(snake_case_words(&text), Vec::<&str>::new(), "{args:?}:\n{text}");
        for word in text.split(|c: char| !c.is_ascii_alphabetic()) {
            assert!(!["true", "false"].contains(&word), "{args:?}: {word}:\n{text}");
        }
        assert!(
            text.contains(": ") && (text.contains("Yes") || text.contains("No")),
            "{args:?}:\n{text}"
        );
    }
}

#[test]
fn changed_lists_only_what_changed() {
    let m = Mock::preset("workflow-on");
    let out = m.cmd().args(["policy", "enable", "--duration-days", "10"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let changed: Vec<&str> = text
        .split_once("Changed:")
        .unwrap_or_else(|| panic!("no Changed: section:\n{text}"))
        .1
        .lines()
        .skip(1)
        .take_while(|l| l.starts_with("    "))
        .collect();
    assert_eq!(changed.len(), 1, "{text}");
    assert!(
        changed[0].contains("Expires after (days)") && changed[0].contains("30 → 10"),
        "{text}"
    );

    let again = Mock::preset("workflow-on");
    let doc = again.json(&["policy", "enable", "--duration-days", "10"], 0);
    assert_eq!(doc["changed_fields"], serde_json::json!(["request_duration_in_days"]));
    let same = again.json(&["policy", "enable", "--duration-days", "10"], 0);
    assert_eq!(
        (same["changed"].clone(), same["changed_fields"].clone()),
        (Value::Bool(false), serde_json::json!([]))
    );
}

#[test]
fn approve_without_a_role_names_the_roles_approve_needs() {
    let m = Mock::preset("workflow-on");
    m.run(&["mock", "add-user", "--upn", "noor@contoso.example"]).success();
    let out = m
        .cmd()
        .args(["--as", "noor@contoso.example", "approve", "--app", APP])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    let message = stderr(&out);
    for role in [
        "approve needs",
        "Cloud Application Administrator",
        "Application Administrator",
        "Privileged Role Administrator",
        "Global Administrator",
    ] {
        assert!(message.contains(role), "{role}: {message}");
    }
    assert!(
        !message.contains("Global Reader"),
        "names the role of the refused read, not of approve: {message}"
    );

    let doc = m.json(&["--as", "noor@contoso.example", "approve", "--app", APP], 4);
    assert_eq!(doc["error"]["kind"], "permission_denied");
    assert!(
        doc["error"]["message"].as_str().unwrap().contains("Privileged Role Administrator"),
        "{doc}"
    );
}

#[test]
fn policy_enable_without_a_role_names_the_roles_it_needs() {
    let m = Mock::preset("microsoft-managed");
    // No role at all: the first step (reading the policy) is refused, naming the Global Reader.
    m.run(&["mock", "add-user", "--upn", "noor@contoso.example"]).success();
    let out = m
        .cmd()
        .args(["--as", "noor@contoso.example", "policy", "enable", "--duration-days", "10"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    let message = stderr(&out);
    assert!(
        message.contains("Cloud Application Administrator") && message.contains("Policy.ReadWrite.ConsentRequest"),
        "{message}"
    );
    assert!(!message.contains("Global Reader"), "{message}");
}

/// The `sh` blocks of a Markdown file.
fn sh_blocks(markdown: &str) -> Vec<String> {
    markdown
        .split("```sh\n")
        .skip(1)
        .filter_map(|rest| rest.split_once("```").map(|(block, _)| block.to_owned()))
        .collect()
}

/// The consentctl guide (this crate's README). The root README's copy of the procedures block is
/// kept equal to it by the workspace-checks crate; tests here read only this package.
fn guide() -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A stand-in repository root: `target/debug/consentctl` is the binary under test, so the blocks'
/// first line (`consentctl() { ./target/debug/consentctl "$@"; }`) runs as written.
fn fake_root() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir_all(dir.path().join("target/debug")).expect("target/debug");
    let bin = assert_cmd::cargo::cargo_bin("consentctl");
    std::os::unix::fs::symlink(bin, dir.path().join("target/debug/consentctl")).expect("link the binary");
    dir
}

fn bash_in(root: &std::path::Path, script: &str) -> (i32, String) {
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!("set -eu\n{script}"))
        .current_dir(root)
        .env("NO_COLOR", "1")
        .env_remove("CONSENTCTL_MOCK_STATE")
        .env_remove("ENTRA_CLIENT_ID")
        .env_remove("ENTRA_CLIENT_SECRET")
        .output()
        .expect("bash runs");
    (out.status.code().unwrap_or(-1), format!("{}{}", stdout(&out), stderr(&out)))
}

#[test]
fn docs_show_a_visible_build_and_plain_consentctl() {
    {
        let (path, text) = ("crates/consent-cli/README.md", guide());
        assert!(!text.contains("cargo run -q"), "{path} hides the first build behind -q");
        assert!(text.contains("cargo build -p consent-cli"), "{path}");
        assert!(text.contains("cargo install --path crates/consent-cli"), "{path}");
        for block in sh_blocks(&text).iter().filter(|b| b.contains("consentctl --mock")) {
            let calls = block.lines().filter(|l| l.contains("consentctl ")).count();
            assert!(calls > 0 && !block.contains("cargo run"), "{path}: {block}");
        }
    }
}

#[test]
fn the_guides_procedures_run_as_written_after_cargo_build() {
    let readme = guide();
    let block = sh_blocks(&readme)
        .into_iter()
        .find(|b| b.contains("requests submit") && b.contains("approve --app"))
        .expect("the procedures block");
    let root = fake_root();
    let (code, text) = bash_in(root.path(), &block);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("Tenant-wide consent granted") && text.contains("exit 0: every employee can link"),
        "{text}"
    );
}

#[test]
fn the_emulator_steps_in_the_guide_connect_as_written() {
    use std::io::{BufRead, BufReader};
    let doc = guide();
    let blocks = sh_blocks(&doc);
    let serve = blocks
        .iter()
        .find(|b| b.contains("consentctl emulator --port"))
        .expect("emulator block");
    let steps = blocks.iter().find(|b| b.contains("$G approve")).expect("Graph steps block");
    // The one liberty: a free port instead of 8400, which may be taken on a test machine.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
        .to_string();
    let root = fake_root();
    let line = serve
        .lines()
        .find(|l| l.starts_with("consentctl emulator"))
        .expect("the emulator line");
    let args: Vec<String> = line
        .split_whitespace()
        .skip(1)
        .map(|a| if a == "8400" { port.clone() } else { a.to_owned() })
        .collect();
    let mut emulator = std::process::Command::new(root.path().join("target/debug/consentctl"))
        .args(&args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start the emulator");
    let mut first = String::new();
    BufReader::new(emulator.stdout.take().unwrap()).read_line(&mut first).unwrap();
    let (code, text) = bash_in(root.path(), &steps.replace("8400", &port));
    let _ = emulator.kill();
    let _ = emulator.wait();
    assert!(first.contains(&port), "{first}");
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("exit 3: action needed"), "{text}");
    assert!(
        text.contains("Policy updated") && text.contains("Tenant-wide consent granted"),
        "{text}"
    );
}

#[test]
fn status_without_a_role_names_everything_reading_the_state_needs() {
    let m = Mock::preset("workflow-on");
    m.run(&["mock", "add-user", "--upn", "noor@contoso.example"]).success();
    let doc = m.json(&["--as", "noor@contoso.example", "status", "--app", APP], 4);
    let message = doc["error"]["message"].as_str().expect("message");
    for needed in [
        "Global Reader",
        "Policy.Read.All",
        "ConsentRequest.Read.All",
        "Application.Read.All",
    ] {
        assert!(message.contains(needed), "{needed}: {message}");
    }
}

#[test]
fn guidance_follows_locale_flag_then_consentctl_locale_then_lang() {
    let m = Mock::preset("user-consent-disabled");
    let guide = |envs: &[(&str, &str)], extra: &[&str]| {
        let mut c = m.cmd();
        for (k, v) in envs {
            c.env(k, v);
        }
        let out = c.args(["guide", "--app", APP]).args(extra).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        stdout(&out)
    };
    assert!(guide(&[], &[]).contains("What your administrator does"));
    assert!(guide(&[("LANG", "nl_NL.UTF-8")], &[]).contains("Wat uw beheerder doet"));
    assert!(
        guide(&[("LANG", "de_DE.UTF-8")], &[]).contains("What your administrator does"),
        "unknown LANG: English"
    );
    assert!(guide(&[("CONSENTCTL_LOCALE", "nl"), ("LANG", "en_US.UTF-8")], &[]).contains("Wat uw beheerder doet"));
    assert!(guide(&[("CONSENTCTL_LOCALE", "nl")], &["--locale", "en"]).contains("What your administrator does"));
    let bad = m.cmd().args(["guide", "--app", APP, "--locale", "xx"]).output().unwrap();
    assert_eq!(bad.status.code(), Some(2), "a typo in --locale is a usage error");
    assert!(stderr(&bad).contains("unsupported locale"), "{}", stderr(&bad));
}

#[test]
fn product_flags_reach_the_guidance_of_status_guide_and_link_classify() {
    let m = Mock::preset("workflow-on");
    let flags = [
        "--product-name",
        "Acme",
        "--product-task",
        "archive your mailbox",
        "--product-button",
        "Connect mailbox",
    ];
    let out = m.cmd().args(["guide", "--app", APP]).args(flags).output().unwrap();
    let text = stdout(&out);
    assert!(text.contains("\"Connect mailbox\"") && text.contains("you need Acme"), "{text}");
    assert!(!text.to_lowercase().contains("link calendar"), "{text}");
    let status = m.json(&["status", "--app", APP, "--locale", "nl", "--product-name", "Acme"], 3);
    assert_eq!(status["guidance"]["locale"], "nl");
    let callback = "https://crm.example/cb?error=access_denied&error_codes=90095&state=x";
    let out = bare()
        .args([
            "--json",
            "link",
            "classify",
            "--url",
            callback,
            "--app-name",
            "Acme",
            "--product-task",
            "archive your mailbox",
        ])
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let steps = doc["guidance"]["steps"].to_string();
    assert!(
        steps.contains("you need it to archive your mailbox") || steps.contains("archive your mailbox"),
        "{doc}"
    );
    assert!(steps.contains("\\\"Sign in again\\\""), "neutral button: {steps}");
}
