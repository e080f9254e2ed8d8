//! Documents that repeat each other or the code stay in step.

use std::path::{Path, PathBuf};

use consent::link::LINK_CODE_TABLE;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read(path: &str) -> String {
    std::fs::read_to_string(repo().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn sh_blocks(markdown: &str) -> Vec<String> {
    markdown
        .split("```sh\n")
        .skip(1)
        .filter_map(|rest| rest.split_once("```").map(|(block, _)| block.to_owned()))
        .collect()
}

#[test]
fn the_readme_carries_the_consentctl_guides_procedures_block() {
    let procedures = |md: &str| {
        sh_blocks(md)
            .into_iter()
            .find(|b| b.contains("requests submit") && b.contains("approve --app"))
    };
    let guide = procedures(&read("crates/consent-cli/README.md")).expect("the procedures block in the consentctl guide");
    assert_eq!(
        procedures(&read("README.md")),
        Some(guide),
        "README.md's consentctl block drifted from crates/consent-cli/README.md"
    );
}

#[test]
fn the_readme_shows_a_visible_build_and_plain_consentctl() {
    let text = read("README.md");
    assert!(!text.contains("cargo run -q"), "README.md hides the first build behind -q");
    assert!(text.contains("cargo build -p consent-cli") && text.contains("cargo install --path crates/consent-cli"));
    for block in sh_blocks(&text).iter().filter(|b| b.contains("consentctl --mock")) {
        assert!(!block.contains("cargo run"), "{block}");
    }
}

/// `docs/aadsts.md` documents every code the link flows classify, with the outcome they map to.
#[test]
fn every_classified_aadsts_code_has_a_row_naming_its_outcome() {
    let doc = read("docs/aadsts.md");
    for (code, class) in LINK_CODE_TABLE {
        let row = doc
            .lines()
            .find(|l| l.starts_with(&format!("| {code} |")))
            .unwrap_or_else(|| panic!("docs/aadsts.md has no row for AADSTS{code}"));
        let outcome = format!("{class:?}");
        let variant = outcome.split([' ', '(', '{']).next().unwrap_or_default();
        assert!(row.contains(variant), "AADSTS{code} maps to {outcome}, but its row says: {row}");
    }
}

#[test]
fn no_aadsts_code_is_classified_twice() {
    let mut codes: Vec<u32> = LINK_CODE_TABLE.iter().map(|(c, _)| *c).collect();
    codes.sort_unstable();
    let before = codes.len();
    codes.dedup();
    assert_eq!(
        codes.len(),
        before,
        "a code appears twice in LINK_CODE_TABLE; the first row would shadow the second"
    );
}

/// Every `.rs` file under `dir`, recursively.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() && p.file_name().is_some_and(|n| n != "target") {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// Doc examples are read on docs.rs and in editors: no line of a fenced block in `//!` or `///`
/// comments passes 100 columns (rustfmt does not format doc code on stable).
#[test]
fn doc_examples_fit_in_100_columns() {
    let mut files = Vec::new();
    for dir in ["src", "examples", "crates"] {
        rust_files(&repo().join(dir), &mut files);
    }
    assert!(files.len() > 50, "found only {} Rust files", files.len());
    let mut long = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap_or_default();
        let mut fenced = false;
        for (i, line) in text.lines().enumerate() {
            let t = line.trim_start();
            let Some(body) = t.strip_prefix("//!").or_else(|| t.strip_prefix("///")) else {
                fenced = false;
                continue;
            };
            let body = body.strip_prefix(' ').unwrap_or(body);
            if body.starts_with("```") {
                fenced = !fenced;
            } else if fenced && body.chars().count() > 100 {
                long.push(format!("{}:{}", f.display(), i + 1));
            }
        }
    }
    assert!(long.is_empty(), "doc example lines over 100 columns:\n{}", long.join("\n"));
}

/// `docs/link-health.md` has a row for every signal the link-health classifier knows, naming its
/// outcome, who acts and the same Microsoft source.
#[test]
fn every_link_health_signal_has_a_row_with_its_outcome_who_acts_and_source() {
    let doc = read("docs/link-health.md");
    for rule in consent::link::LINK_HEALTH_TABLE {
        let label = rule.signal.label();
        let row = doc
            .lines()
            .find(|l| l.starts_with(&format!("| {label} |")))
            .unwrap_or_else(|| panic!("docs/link-health.md has no row for {label}"));
        let cells: Vec<&str> = row.split(" | ").collect();
        assert_eq!(cells.get(1), Some(&format!("`{}`", rule.outcome).as_str()), "{label}: {row}");
        assert_eq!(cells.get(2), Some(&rule.who_acts.as_str()), "{label}: {row}");
        let cited = row.split([' ', ';']).any(|word| word == rule.source);
        assert!(cited, "{label} comes from {}, but its row says: {row}", rule.source);
    }
    // And the other way: no row for a signal the code does not know.
    let labels: Vec<String> = consent::link::LINK_HEALTH_TABLE.iter().map(|r| r.signal.label()).collect();
    let (_, table) = doc
        .split_once("## The table")
        .expect("docs/link-health.md has a \"## The table\" section");
    for row in table.lines().filter(|l| l.starts_with("| ") && !l.starts_with("| signal |")) {
        let signal = row[2..].split(" |").next().unwrap_or_default();
        assert!(
            signal == "anything else" || labels.iter().any(|l| l == signal),
            "docs/link-health.md documents {signal:?}, which LINK_HEALTH_TABLE does not have"
        );
    }
}

/// `docs/reliability.md` holds the fault matrix the conformance suite produces on the mock.
#[tokio::test]
async fn docs_reliability_md_holds_the_table_the_suite_produces() {
    let table = consent_conformance::matrix::run_matrix(&consent_conformance::MockHarness)
        .await
        .to_markdown();
    assert!(
        read("docs/reliability.md").contains(&table),
        "docs/reliability.md is out of date; paste the output of `cargo run -p consent-emulator --example fault_matrix`:\n{table}"
    );
}
