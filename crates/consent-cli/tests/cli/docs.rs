//! The copy-paste procedures in `docs/cli.md` run as written (with the built binary standing in for
//! `cargo run`, and the state file in a temporary directory).

use std::path::Path;
use std::process::Command;

fn sh_blocks(markdown: &str) -> Vec<String> {
    markdown
        .split("```sh\n")
        .skip(1)
        .filter_map(|rest| rest.split_once("```").map(|(block, _)| block.to_owned()))
        .collect()
}

fn run_block(block: &str) -> (i32, String) {
    let bin = assert_cmd::cargo::cargo_bin("consentctl");
    let dir = tempfile::tempdir().expect("temp dir");
    let state = dir.path().join("demo.json");
    let script = block
        .lines()
        .map(|l| {
            if l.starts_with("consentctl() {") {
                format!("consentctl() {{ \"{}\" \"$@\"; }}", bin.display())
            } else if l.starts_with("export CONSENTCTL_MOCK_STATE=") {
                format!("export CONSENTCTL_MOCK_STATE=\"{}\"", state.display())
            } else {
                l.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    let out = Command::new("bash")
        .arg("-c")
        .arg(format!("set -eu\n{script}"))
        .env("NO_COLOR", "1")
        .output()
        .expect("bash runs");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.code().unwrap_or(-1), text)
}

#[test]
fn the_three_procedures_in_docs_cli_md_run_as_written() {
    let doc = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/cli.md")).expect("docs/cli.md");
    let blocks = sh_blocks(&doc);
    let procedures = blocks
        .iter()
        .find(|b| b.contains("requests submit") && b.contains("approve --app"))
        .expect("the procedures block");
    let (code, text) = run_block(procedures);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("exit 3: action needed"), "{text}");
    assert!(text.contains("Policy updated"), "{text}");
    assert!(text.contains("Request submitted"), "{text}");
    assert!(text.contains("Tenant-wide consent granted"), "{text}");
    assert!(text.contains("exit 0: every employee can link"), "{text}");
}

#[test]
fn the_readme_carries_the_same_procedures_block() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let readme = std::fs::read_to_string(root.join("README.md")).expect("README.md");
    let doc = std::fs::read_to_string(root.join("docs/cli.md")).expect("docs/cli.md");
    let procedures = |md: &str| {
        sh_blocks(md)
            .into_iter()
            .find(|b| b.contains("requests submit") && b.contains("approve --app"))
    };
    let from_doc = procedures(&doc).expect("the procedures block in docs/cli.md");
    assert_eq!(
        procedures(&readme),
        Some(from_doc),
        "README.md's consentctl block drifted from docs/cli.md"
    );
}
