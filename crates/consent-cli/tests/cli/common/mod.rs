//! Shared helpers: a temporary mock tenant and ways to run `consentctl` against it.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::Output;

use assert_cmd::Command;
use serde_json::Value;

mod emulator;
pub use emulator::{Emulator, SCOPES};

/// The demo app id every preset publishes.
pub const APP: &str = "4b3c6a52-2f1d-4c7e-9a38-6f0e4d2b8c11";
/// The "Consent Reviewers" group (contains cloudadmin@contoso.example).
pub const REVIEWERS_GROUP: &str = "b0000001-0000-4000-8000-000000000001";
/// The demo tenant id.
pub const TENANT: &str = "5f1e6c2a-8d7b-4e3f-9a10-2b6c4d8e0f11";

/// A temporary directory holding one mock state file.
pub struct Mock {
    pub dir: tempfile::TempDir,
    pub state: PathBuf,
}

impl Mock {
    /// A directory with no tenant yet.
    pub fn empty() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let state = dir.path().join("mock-tenant.json");
        Self { dir, state }
    }

    /// A tenant created from `preset` with `consentctl mock init`.
    pub fn preset(preset: &str) -> Self {
        let m = Self::empty();
        m.run(&["mock", "init", "--preset", preset]).success();
        m
    }

    /// `consentctl --mock --mock-state <state> …`, with a clean environment.
    pub fn cmd(&self) -> Command {
        let mut c = bare();
        c.arg("--mock").arg("--mock-state").arg(&self.state);
        c
    }

    /// Runs and returns the assertion handle.
    pub fn run(&self, args: &[&str]) -> assert_cmd::assert::Assert {
        self.cmd().args(args).assert()
    }

    /// `requests submit --as <user> --app <demo app> --justification <why>` with `--json`, expecting
    /// success; returns the document.
    pub fn submit(&self, user: &str, why: &str) -> Value {
        self.json(&["requests", "submit", "--as", user, "--app", APP, "--justification", why], 0)
    }

    /// Runs with `--json`, checks the exit code, and parses stdout as exactly one JSON document.
    pub fn json(&self, args: &[&str], code: i32) -> Value {
        let out = self.cmd().arg("--json").args(args).output().expect("run consentctl");
        parse_one(&out, code, args)
    }
}

/// `consentctl` with no inherited configuration.
pub fn bare() -> Command {
    Command::from_std(bare_std())
}

/// [`bare`] as a `std::process::Command`, for runs that must be spawned (killed, read line by line).
pub fn bare_std() -> std::process::Command {
    let mut c = std::process::Command::new(assert_cmd::cargo::cargo_bin("consentctl"));
    c.env_remove("CONSENTCTL_MOCK_STATE")
        .env_remove("ENTRA_CLIENT_ID")
        .env_remove("ENTRA_CLIENT_SECRET")
        .env_remove("CONSENTCTL_LOG")
        .env_remove("CONSENTCTL_LOCALE")
        .env_remove("LANG")
        .env("NO_COLOR", "1");
    c
}

/// Runs a command without a backend (`link`, `admin-consent`) with `--json`.
pub fn bare_json(args: &[&str], code: i32) -> Value {
    let out = bare().arg("--json").args(args).output().expect("run consentctl");
    parse_one(&out, code, args)
}

fn parse_one(out: &Output, code: i32, args: &[&str]) -> Value {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(code),
        "consentctl {args:?}\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{args:?}: stdout is not one JSON document ({e}):\n{stdout}"))
}

/// The scopes in a JSON array of strings.
pub fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap_or_else(|| panic!("not an array: {v}"))
        .iter()
        .map(|s| s.as_str().expect("string").to_owned())
        .collect()
}
