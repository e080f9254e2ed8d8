//! `fleet status` and `fleet approve`: one app across many customer tenants with one management app
//! (client credentials from `ENTRA_CLIENT_ID` / `ENTRA_CLIENT_SECRET`, `--graph-url` / `--login-url`
//! for the emulator), through [`consent::workflow::observe_many`] and
//! [`consent::workflow::approve_many`] over [`consent_graph::GraphFleet`].
//!
//! The tenants file holds one tenant id per line, or CSV with a `tenant_id` column and an optional
//! `name` column; blank lines and `#` comments are skipped, duplicates dropped.
//!
//! Exit codes: 0 when every tenant is approved (or users may consent there), 3 when some need
//! action, 1 when some failed (failures win). `fleet approve` without `--yes` is a dry run that reads
//! every tenant and lists what would be written.

use std::collections::{BTreeMap, HashMap};
use std::io::{self, IsTerminal};
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::{Args, Subcommand};
use consent::workflow::{approve_many, observe_many, FleetApproval, FleetOptions, FleetTenant, Journal, TenantResult};
use consent::{ConsentState, TenantId};
use consent_graph::{GraphEndpoint, GraphFleet, Secret};
use futures::StreamExt;
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;
use url::Url;

use super::views::scope_list;
use super::watch::parse_duration;
use crate::app::AppArgs;
use crate::backend::{parse_arg, ENV_CLIENT_ID, ENV_CLIENT_SECRET};
use crate::cli::GlobalArgs;
use crate::exit::{CliError, CliResult, Exit};
use crate::output::{Human, Output, Report};

/// `fleet` subcommands.
#[derive(Debug, Subcommand)]
pub enum FleetCommand {
    /// The app's consent state in every tenant of a list; exit 0 when all are approved, 3 when some need action, 1 when some failed.
    Status(StatusArgs),
    /// Approve the app tenant-wide in every tenant of a list (a dry run unless --yes), resumable with --journal.
    Approve(ApproveArgs),
}

/// Arguments every fleet command takes.
#[derive(Debug, Args)]
pub struct FleetArgs {
    #[command(flatten)]
    pub app: AppArgs,

    /// The tenants: one tenant id per line, or CSV with a `tenant_id` and an optional `name` column.
    #[arg(long, value_name = "FILE")]
    pub tenants: PathBuf,

    /// Tenants worked on at once.
    #[arg(long, value_name = "N", default_value_t = 32, value_parser = clap::value_parser!(u16).range(1..))]
    pub concurrency: u16,

    /// Stop after this long; unfinished tenants are reported as timed out (e.g. 10m, 1h).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub timeout: Option<Duration>,
}

/// `fleet status` arguments.
#[derive(Debug, Args)]
pub struct StatusArgs {
    #[command(flatten)]
    pub fleet: FleetArgs,

    /// CSV on stdout (tenant_id,name,state,missing_scopes,error) instead of a table.
    #[arg(long)]
    pub csv: bool,
}

/// `fleet approve` arguments.
#[derive(Debug, Args)]
pub struct ApproveArgs {
    #[command(flatten)]
    pub fleet: FleetArgs,

    /// Append-only journal (JSON lines); a rerun skips tenants it records as done.
    #[arg(long, value_name = "PATH")]
    pub journal: Option<PathBuf>,

    /// Write. Without it, only list what would be written.
    #[arg(long)]
    pub yes: bool,
}

/// Runs a fleet command.
pub async fn run(c: FleetCommand, g: &GlobalArgs, out: &Output) -> CliResult<Exit> {
    if g.mock {
        return Err(CliError::Usage(
            "fleet runs against Microsoft Graph (or the emulator, with --graph-url and --login-url): the mock state file holds one tenant"
                .to_owned(),
        ));
    }
    match c {
        FleetCommand::Status(a) => {
            if a.csv && g.json {
                return Err(CliError::Usage("--csv and --json cannot be used together".to_owned()));
            }
            let report = status(&a.fleet, g).await?;
            if a.csv {
                let mut stdout = io::stdout().lock();
                return match report.write_csv(&mut stdout) {
                    Ok(()) | Err(_) => Ok(report.exit()),
                };
            }
            Ok(out.emit(&report))
        }
        FleetCommand::Approve(a) if a.yes => Ok(out.emit(&approve(&a, g).await?)),
        FleetCommand::Approve(a) => {
            let status = status(&a.fleet, g).await?;
            Ok(out.emit(&DryRun::new(status)))
        }
    }
}

/// One management app across tenants, from the environment and the global flags.
fn graph_fleet(g: &GlobalArgs) -> CliResult<GraphFleet> {
    let missing = || {
        CliError::Usage(format!(
            "fleet needs {ENV_CLIENT_ID} and {ENV_CLIENT_SECRET} in the environment: the management app's client id and secret"
        ))
    };
    let id = std::env::var(ENV_CLIENT_ID).map_err(|_| missing())?;
    let secret = std::env::var(ENV_CLIENT_SECRET).map_err(|_| missing())?;
    let mut fleet = GraphFleet::new(parse_arg(ENV_CLIENT_ID, consent::AppId::parse(&id))?, Secret::new(secret));
    match (&g.graph.graph_url, &g.graph.login_url) {
        (Some(u), Some(login)) => {
            let login = Url::parse(login).map_err(|e| CliError::Usage(format!("invalid value for --login-url: {e}")))?;
            fleet = fleet.endpoint(parse_arg("--graph-url", GraphEndpoint::custom(u))?).authority(login);
        }
        (Some(_), None) => {
            return Err(CliError::Usage(
                "--graph-url needs --login-url: the emulator's token authority".to_owned(),
            ))
        }
        (None, _) => {}
    }
    Ok(fleet)
}

fn options(a: &FleetArgs) -> FleetOptions {
    let o = FleetOptions::default().concurrency(usize::from(a.concurrency));
    match a.timeout {
        Some(t) => o.timeout(t),
        None => o,
    }
}

/// A progress bar on stderr, only on a terminal and for human output.
fn progress(out_json: bool, len: usize, what: &str) -> ProgressBar {
    if out_json || !io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len as u64);
    if let Ok(style) = ProgressStyle::with_template("{bar:30} {pos}/{len} tenants {msg} ({elapsed})") {
        bar.set_style(style);
    }
    bar.set_message(what.to_owned());
    bar
}

async fn status(a: &FleetArgs, g: &GlobalArgs) -> CliResult<StatusReport> {
    let tenants = read_tenants(&a.tenants)?;
    let app = a.app.registration(false)?;
    let fleet = graph_fleet(g)?;
    let bar = progress(g.json, tenants.len(), "read");
    let order: HashMap<TenantId, usize> = tenants.iter().enumerate().map(|(i, t)| (t.tenant_id.clone(), i)).collect();
    let mut rows: Vec<(usize, TenantRow)> = observe_many(&fleet, tenants, &app, options(a))
        .map(|r| {
            bar.inc(1);
            (
                order.get(&r.tenant.tenant_id).copied().unwrap_or(usize::MAX),
                TenantRow::from_state(r),
            )
        })
        .collect()
        .await;
    bar.finish_and_clear();
    rows.sort_by_key(|(i, _)| *i);
    Ok(StatusReport::new("fleet status", rows.into_iter().map(|(_, r)| r).collect()))
}

async fn approve(a: &ApproveArgs, g: &GlobalArgs) -> CliResult<ApproveReport> {
    let tenants = read_tenants(&a.fleet.tenants)?;
    let app = a.fleet.app.registration(false)?;
    let journal = match &a.journal {
        Some(p) => Journal::open(p, app.app_id)?,
        None => Journal::disabled(app.app_id),
    };
    let fleet = graph_fleet(g)?;
    let bar = progress(g.json, tenants.len(), "approved");
    let order: HashMap<TenantId, usize> = tenants.iter().enumerate().map(|(i, t)| (t.tenant_id.clone(), i)).collect();
    let mut rows: Vec<(usize, ApproveRow)> = approve_many(&fleet, tenants, &app, &journal, options(&a.fleet))
        .map(|r| {
            bar.inc(1);
            (order.get(&r.tenant.tenant_id).copied().unwrap_or(usize::MAX), ApproveRow::new(r))
        })
        .collect()
        .await;
    bar.finish_and_clear();
    rows.sort_by_key(|(i, _)| *i);
    let tenants: Vec<ApproveRow> = rows.into_iter().map(|(_, r)| r).collect();
    let mut summary = BTreeMap::new();
    for t in &tenants {
        *summary.entry(t.outcome).or_insert(0) += 1;
    }
    Ok(ApproveReport {
        command: "fleet approve",
        dry_run: false,
        journal: a.journal.as_ref().map(|p| p.display().to_string()),
        tenants,
        summary,
    })
}

/// Reads the tenants file.
pub fn read_tenants(path: &Path) -> CliResult<Vec<FleetTenant>> {
    let text = std::fs::read_to_string(path).map_err(|e| CliError::Usage(format!("cannot read --tenants {}: {e}", path.display())))?;
    parse_tenants(&text).map_err(|e| CliError::Usage(format!("--tenants {}: {e}", path.display())))
}

/// Parses a tenants file: ids one per line, or CSV with `tenant_id` and optional `name` columns.
pub fn parse_tenants(text: &str) -> Result<Vec<FleetTenant>, String> {
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'))
        .peekable();
    let header = lines.peek().map(|(_, l)| csv_fields(l));
    let columns = header
        .as_ref()
        .and_then(|h| h.iter().position(|f| f.eq_ignore_ascii_case("tenant_id")).map(|id| (id, h)));
    let (id_col, name_col) = match columns {
        Some((id, h)) => {
            lines.next();
            (Some(id), h.iter().position(|f| f.eq_ignore_ascii_case("name")))
        }
        None => (None, None),
    };
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for (n, line) in lines {
        let fields = match id_col {
            Some(_) => csv_fields(line),
            None => vec![line.to_owned()],
        };
        let id = fields.get(id_col.unwrap_or(0)).map(String::as_str).unwrap_or_default();
        let tenant = TenantId::parse(id).map_err(|e| format!("line {n}: {e}"))?;
        let name = name_col.and_then(|c| fields.get(c)).filter(|s| !s.is_empty()).cloned();
        if seen.insert(tenant.to_string().to_ascii_lowercase()) {
            out.push(FleetTenant { tenant_id: tenant, name });
        }
    }
    if out.is_empty() {
        return Err("lists no tenant".to_owned());
    }
    Ok(out)
}

/// The fields of one CSV line (RFC 4180 quoting).
fn csv_fields(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                if let Some(f) = fields.last_mut() {
                    f.push('"');
                }
            }
            ('"', _) => quoted = !quoted,
            (',', false) => fields.push(String::new()),
            (c, _) => {
                if let Some(f) = fields.last_mut() {
                    f.push(c);
                }
            }
        }
    }
    fields.into_iter().map(|f| f.trim().to_owned()).collect()
}

fn csv_escape(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// One tenant in `fleet status`.
#[derive(Debug, Serialize)]
pub struct TenantRow {
    tenant_id: String,
    name: Option<String>,
    /// The state, or `error`.
    state: &'static str,
    missing_scopes: Vec<String>,
    error: Option<String>,
    #[serde(skip)]
    users_can_link: bool,
}

impl TenantRow {
    fn from_state(r: TenantResult<ConsentState>) -> Self {
        let (state, missing, error, ok) = match r.result {
            Ok(s) => (s.name(), scope_list(&s.coverage().missing), None, s.users_can_link()),
            Err(e) => ("error", Vec::new(), Some(e.to_string()), false),
        };
        Self {
            tenant_id: r.tenant.tenant_id.to_string(),
            name: r.tenant.name,
            state,
            missing_scopes: missing,
            error,
            users_can_link: ok,
        }
    }
}

/// `fleet status`.
#[derive(Debug, Serialize)]
pub struct StatusReport {
    command: &'static str,
    tenants: Vec<TenantRow>,
    summary: BTreeMap<&'static str, usize>,
}

impl StatusReport {
    fn new(command: &'static str, tenants: Vec<TenantRow>) -> Self {
        let mut summary = BTreeMap::new();
        for t in &tenants {
            *summary.entry(t.state).or_insert(0) += 1;
        }
        Self { command, tenants, summary }
    }

    fn write_csv(&self, w: &mut dyn io::Write) -> io::Result<()> {
        writeln!(w, "tenant_id,name,state,missing_scopes,error")?;
        for t in &self.tenants {
            let cells = [
                t.tenant_id.clone(),
                t.name.clone().unwrap_or_default(),
                t.state.to_owned(),
                t.missing_scopes.join(" "),
                t.error.clone().unwrap_or_default(),
            ];
            let line: Vec<String> = cells.iter().map(|c| csv_escape(c)).collect();
            writeln!(w, "{}", line.join(","))?;
        }
        w.flush()
    }

    fn human_tables(&self, out: &mut Human) -> io::Result<()> {
        let rows = self
            .tenants
            .iter()
            .map(|t| {
                let detail = t.error.clone().unwrap_or_else(|| t.missing_scopes.join(" "));
                vec![t.tenant_id.clone(), t.name.clone().unwrap_or_default(), t.state.to_owned(), detail]
            })
            .collect();
        out.table(&["Tenant", "Name", "State", "Missing / error"], rows)?;
        let summary = self.summary.iter().map(|(k, v)| vec![(*k).to_owned(), v.to_string()]).collect();
        out.table(&["State", "Tenants"], summary)
    }
}

/// 1 when any tenant failed, else 0 when every tenant is fine, else 3.
fn fleet_exit(mut failed: impl Iterator<Item = bool>, mut fine: impl Iterator<Item = bool>) -> Exit {
    if failed.any(|f| f) {
        Exit::Error
    } else if fine.all(|f| f) {
        Exit::Success
    } else {
        Exit::ActionNeeded
    }
}

impl Report for StatusReport {
    fn human(&self, out: &mut Human) -> io::Result<()> {
        self.human_tables(out)?;
        let fine = self.tenants.iter().filter(|t| t.users_can_link).count();
        out.verdict(
            fine == self.tenants.len(),
            &format!("{fine} of {} tenants: every employee can link", self.tenants.len()),
        )
    }

    fn exit(&self) -> Exit {
        fleet_exit(
            self.tenants.iter().map(|t| t.error.is_some()),
            self.tenants.iter().map(|t| t.users_can_link),
        )
    }
}

/// `fleet approve` without `--yes`.
#[derive(Debug, Serialize)]
pub struct DryRun {
    command: &'static str,
    dry_run: bool,
    tenants: Vec<DryRunRow>,
    summary: BTreeMap<&'static str, usize>,
}

#[derive(Debug, Serialize)]
struct DryRunRow {
    #[serde(flatten)]
    row: TenantRow,
    /// True when `--yes` would write a grant in this tenant.
    would_write: bool,
}

impl DryRun {
    fn new(status: StatusReport) -> Self {
        let tenants = status
            .tenants
            .into_iter()
            .map(|row| DryRunRow {
                would_write: row.error.is_none() && !row.users_can_link && row.state != "blocked",
                row,
            })
            .collect();
        Self {
            command: "fleet approve",
            dry_run: true,
            tenants,
            summary: status.summary,
        }
    }
}

impl Report for DryRun {
    fn human(&self, out: &mut Human) -> io::Result<()> {
        out.title("Dry run: nothing was written. Run again with --yes to approve.")?;
        let rows = self
            .tenants
            .iter()
            .map(|t| {
                let action = match (&t.row.error, t.would_write, t.row.state) {
                    (Some(e), _, _) => format!("cannot read: {e}"),
                    (None, true, _) => format!("would grant {}", t.row.missing_scopes.join(" ")),
                    (None, false, "blocked") => "skipped: the app is blocked in this tenant".to_owned(),
                    (None, false, _) => "nothing to do".to_owned(),
                };
                vec![
                    t.row.tenant_id.clone(),
                    t.row.name.clone().unwrap_or_default(),
                    t.row.state.to_owned(),
                    action,
                ]
            })
            .collect();
        out.table(&["Tenant", "Name", "State", "With --yes"], rows)?;
        let writes = self.tenants.iter().filter(|t| t.would_write).count();
        out.verdict(
            writes == 0,
            &format!("{writes} of {} tenants would be approved", self.tenants.len()),
        )
    }

    fn exit(&self) -> Exit {
        fleet_exit(
            self.tenants.iter().map(|t| t.row.error.is_some()),
            self.tenants.iter().map(|t| !t.would_write),
        )
    }
}

/// One tenant in `fleet approve --yes`.
#[derive(Debug, Serialize)]
struct ApproveRow {
    tenant_id: String,
    name: Option<String>,
    /// `granted`, `already_approved`, `done_earlier` (journal) or `failed`.
    outcome: &'static str,
    previous_state: Option<String>,
    error: Option<String>,
}

impl ApproveRow {
    fn new(r: TenantResult<FleetApproval>) -> Self {
        let (outcome, previous, error) = match r.result {
            Ok(FleetApproval::Granted { previous, .. }) => ("granted", Some(previous), None),
            Ok(FleetApproval::AlreadyApproved) => ("already_approved", Some("approved".to_owned()), None),
            Ok(FleetApproval::DoneEarlier) => ("done_earlier", None, None),
            Err(e) => ("failed", None, Some(e.to_string())),
        };
        Self {
            tenant_id: r.tenant.tenant_id.to_string(),
            name: r.tenant.name,
            outcome,
            previous_state: previous,
            error,
        }
    }
}

/// `fleet approve --yes`.
#[derive(Debug, Serialize)]
pub struct ApproveReport {
    command: &'static str,
    dry_run: bool,
    journal: Option<String>,
    tenants: Vec<ApproveRow>,
    summary: BTreeMap<&'static str, usize>,
}

impl Report for ApproveReport {
    fn human(&self, out: &mut Human) -> io::Result<()> {
        let rows = self
            .tenants
            .iter()
            .map(|t| {
                vec![
                    t.tenant_id.clone(),
                    t.name.clone().unwrap_or_default(),
                    t.outcome.replace('_', " "),
                    t.error.clone().unwrap_or_default(),
                ]
            })
            .collect();
        out.table(&["Tenant", "Name", "Outcome", "Error"], rows)?;
        let failed = self.tenants.iter().filter(|t| t.error.is_some()).count();
        out.verdict(failed == 0, &format!("{failed} of {} tenants failed", self.tenants.len()))
    }

    fn exit(&self) -> Exit {
        if self.tenants.iter().any(|t| t.error.is_some()) {
            Exit::Error
        } else {
            Exit::Success
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_lists_and_csv_with_names_parse_and_deduplicate() {
        let plain = "# customers\n72f988bf-86f1-41af-91ab-2d7cd011db47\n\ncontoso.onmicrosoft.com\nCONTOSO.onmicrosoft.com\n";
        let t = parse_tenants(plain).unwrap();
        assert_eq!(t.len(), 2);
        assert!(t.iter().all(|t| t.name.is_none()));
        let csv = "name,tenant_id\n\"Contoso, Ltd\",contoso.onmicrosoft.com\nFabrikam,fabrikam.onmicrosoft.com\n";
        let t = parse_tenants(csv).unwrap();
        assert_eq!(t[0].name.as_deref(), Some("Contoso, Ltd"));
        assert_eq!(t[1].tenant_id.to_string(), "fabrikam.onmicrosoft.com");
    }

    #[test]
    fn a_bad_tenant_names_its_line_and_an_empty_file_is_refused() {
        let err = parse_tenants("contoso.onmicrosoft.com\ncommon\n").unwrap_err();
        assert!(err.starts_with("line 2:"), "{err}");
        assert!(parse_tenants("# nothing\n\n").is_err());
    }

    #[test]
    fn csv_output_escapes_and_exit_codes_follow_the_worst_tenant() {
        let row = |state: &'static str, ok: bool, error: Option<&str>| TenantRow {
            tenant_id: "contoso.onmicrosoft.com".into(),
            name: Some("Contoso, Ltd".into()),
            state,
            missing_scopes: vec!["Calendars.ReadWrite".into(), "User.Read".into()],
            error: error.map(str::to_owned),
            users_can_link: ok,
        };
        let report = StatusReport::new("fleet status", vec![row("approved", true, None), row("pending", false, None)]);
        let mut buf = Vec::new();
        report.write_csv(&mut buf).unwrap();
        let text = String::from_utf8(buf).unwrap();
        assert!(
            text.contains("contoso.onmicrosoft.com,\"Contoso, Ltd\",pending,Calendars.ReadWrite User.Read,"),
            "{text}"
        );
        assert_eq!(report.exit(), Exit::ActionNeeded);
        assert_eq!(report.summary["pending"], 1);
        let all_ok = StatusReport::new("fleet status", vec![row("approved", true, None)]);
        assert_eq!(all_ok.exit(), Exit::Success);
        let failed = StatusReport::new("fleet status", vec![row("pending", false, None), row("error", false, Some("boom"))]);
        assert_eq!(failed.exit(), Exit::Error);
        let v = serde_json::to_value(&failed).unwrap();
        assert_eq!(v["command"], "fleet status");
        assert_eq!(v["tenants"][1]["error"], "boom");
        assert_eq!(v["summary"]["error"], 1);
        assert!(v["tenants"][0].get("users_can_link").is_none());
    }
}
