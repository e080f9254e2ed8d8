//! A running `consentctl emulator` (the Graph backend end to end) and ways to run `consentctl`
//! against it with the emulator's admin client, as against Microsoft Graph.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};

use serde_json::Value;

use super::bare_std;

/// The demo app's delegated scopes, as the commands take them.
pub const SCOPES: &str = "Calendars.ReadWrite User.Read offline_access";

/// A running `consentctl emulator` with a scratch directory, stopped when dropped.
pub struct Emulator {
    child: Child,
    line: Value,
    pub dir: tempfile::TempDir,
}

impl Emulator {
    /// `consentctl emulator --port 0 <args>`; waits for its startup line.
    pub fn start(args: &[&str]) -> Self {
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("consentctl"))
            .args(["emulator", "--port", "0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start consentctl emulator");
        let mut first = String::new();
        let stdout = child.stdout.take().expect("piped stdout");
        BufReader::new(stdout).read_line(&mut first).expect("startup line");
        let line = serde_json::from_str(&first).unwrap_or_else(|e| panic!("startup line is not JSON ({e}): {first}"));
        Self {
            child,
            line,
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    /// A string field of the startup line.
    pub fn field(&self, k: &str) -> String {
        self.line[k].as_str().unwrap_or_else(|| panic!("{k} in {}", self.line)).to_owned()
    }

    /// The tenants the emulator serves.
    pub fn tenants(&self) -> Vec<String> {
        self.line["tenants"]
            .as_array()
            .expect("tenants in the startup line")
            .iter()
            .map(|t| t.as_str().expect("tenant id").to_owned())
            .collect()
    }

    /// Writes `text` to `name` in the scratch directory; returns its path.
    pub fn file(&self, name: &str, text: &str) -> String {
        let path = self.dir.path().join(name);
        std::fs::File::create(&path)
            .and_then(|mut f| f.write_all(text.as_bytes()))
            .expect("write a scratch file");
        path.display().to_string()
    }

    /// `consentctl --json --graph-url … --login-url …` acting as the emulator's admin client (no
    /// `--tenant`: the fleet commands take theirs from a file).
    pub fn consentctl(&self) -> Command {
        let mut c = bare_std();
        c.env("ENTRA_CLIENT_ID", self.field("admin_client_id"))
            .env("ENTRA_CLIENT_SECRET", self.field("admin_client_secret"))
            .args(["--json", "--graph-url", &self.field("graph_url")])
            .args(["--login-url", &self.field("login_url")]);
        c
    }

    /// `consentctl … --tenant <first tenant> <args>`: exit `code`, one JSON document on stdout.
    pub fn json(&self, args: &[&str], code: i32) -> Value {
        let mut c = self.consentctl();
        c.args(["--tenant", &self.field("tenant_id")]).args(args);
        self.run(c, args, code)
    }

    /// `consentctl … fleet <args> --app <demo> --scopes …`.
    pub fn fleet(&self, args: &[&str], code: i32) -> Value {
        let mut c = self.consentctl();
        c.arg("fleet").args(args).args(["--app", &self.field("app_id"), "--scopes", SCOPES]);
        self.run(c, args, code)
    }

    /// Runs `c`, checks its exit code and that the client secret was not printed, parses stdout.
    fn run(&self, mut c: Command, args: &[&str], code: i32) -> Value {
        let out = c.output().expect("run consentctl");
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
