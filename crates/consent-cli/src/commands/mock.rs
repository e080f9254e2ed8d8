//! `mock init|show|clock advance|add-user|faults`: the local mock tenant's own controls.
//!
//! These commands always use the mock state file (no `--mock` needed). Everything else about the
//! tenant goes through the same commands as Microsoft Graph.

use std::io;

use clap::{Args, Subcommand};
use consent::ConsentGraph;
use consent_mock::{DirectoryRole, FaultPlan, MockTenant, Notification, Preset};
use serde::Serialize;

use super::views::scope_list;
use crate::backend::{mock_store, Backend};
use crate::cli::GlobalArgs;
use crate::exit::{CliError, CliResult, Exit, StoreError};
use crate::output::{Human, Output, Report};

/// `consentctl mock …`
#[derive(Debug, Subcommand)]
pub enum MockCommand {
    /// Create the mock tenant from a preset (refuses to replace an existing one without --force).
    Init(InitArgs),
    /// Summarise the mock tenant: users, groups, policies, apps, notifications.
    Show,
    /// Move the mock tenant's clock (requests expire on the next access).
    #[command(subcommand)]
    Clock(ClockCommand),
    /// Add a user (e.g. more requesters), optionally with directory roles.
    AddUser(AddUserArgs),
    /// Inject faults into the mock's Graph operations, or clear them.
    #[command(subcommand)]
    Faults(FaultsCommand),
}

/// `mock init` arguments.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// microsoft-managed, user-consent-disabled, workflow-on or allow-user-consent.
    #[arg(long, value_name = "NAME", value_parser = parse_preset)]
    pub preset: Preset,
    /// Replace an existing state file.
    #[arg(long)]
    pub force: bool,
}

fn parse_preset(s: &str) -> Result<Preset, String> {
    s.parse().map_err(|e: consent::Error| e.to_string())
}

/// `mock clock …`
#[derive(Debug, Subcommand)]
pub enum ClockCommand {
    /// Move the clock forward.
    Advance(AdvanceArgs),
}

/// How far to move the clock.
#[derive(Debug, Args)]
#[group(required = true, multiple = true)]
pub struct AdvanceArgs {
    /// Days.
    #[arg(long, value_parser = clap::value_parser!(u32).range(0..=3650))]
    pub days: Option<u32>,
    /// Hours.
    #[arg(long, value_parser = clap::value_parser!(u32).range(0..=87600))]
    pub hours: Option<u32>,
}

/// `mock add-user` arguments.
#[derive(Debug, Args)]
pub struct AddUserArgs {
    /// User principal name, e.g. noor@contoso.example.
    #[arg(long)]
    pub upn: String,
    /// Display name (default: the UPN's local part).
    #[arg(long)]
    pub name: Option<String>,
    /// A directory role to assign (global-administrator, privileged-role-administrator,
    /// cloud-application-administrator, application-administrator, global-reader). Repeatable.
    #[arg(long = "role", value_name = "ROLE", value_parser = parse_role)]
    pub roles: Vec<DirectoryRole>,
}

fn parse_role(s: &str) -> Result<DirectoryRole, String> {
    s.parse().map_err(|e: consent::Error| e.to_string())
}

/// `mock faults …`
#[derive(Debug, Subcommand)]
pub enum FaultsCommand {
    /// Replace the fault plan (syntax in the command's help).
    #[command(
        about = "Replace the fault plan: comma-separated FAULT[@OPERATION]:PROBABILITY[xTIMES], e.g. \"503:1x2\" or \"429/5@put-request-policy:1\""
    )]
    Set {
        /// The plan.
        spec: String,
    },
    /// Remove every fault.
    Clear,
}

/// Runs a `mock` command and prints its result.
pub async fn run(cmd: MockCommand, g: &GlobalArgs, out: &Output) -> CliResult<Exit> {
    if let MockCommand::Init(a) = cmd {
        return Ok(out.emit(&init(a, g)?));
    }
    let backend = Backend::open_mock(g)?;
    let result = match backend.mock() {
        Some(tenant) => on_tenant(cmd, tenant).await,
        None => Err(CliError::Usage("the mock commands need the mock backend".to_owned())),
    };
    super::finish(backend, result, out)
}

fn init(a: InitArgs, g: &GlobalArgs) -> CliResult<MockReport> {
    let store = mock_store(g)?;
    let lock = store.lock(true)?;
    if lock.exists() && !a.force {
        return Err(CliError::Store(StoreError {
            path: store.path().to_path_buf(),
            problem: "already exists".to_owned(),
            hint: "pass --force to replace it, or --mock-state PATH to create another".to_owned(),
            source: None,
        }));
    }
    let tenant = MockTenant::preset(a.preset);
    lock.save(&tenant)?;
    Ok(MockReport::Initialized {
        path: store.path().display().to_string(),
        preset: a.preset.name(),
        tenant_id: tenant.tenant_id().to_string(),
        now: clock_now(&tenant),
    })
}

async fn on_tenant(cmd: MockCommand, t: &MockTenant) -> CliResult<MockReport> {
    match cmd {
        MockCommand::Init(_) => Err(CliError::Usage("mock init is handled before the tenant is loaded".to_owned())),
        MockCommand::Show => show(t).await,
        MockCommand::Clock(ClockCommand::Advance(a)) => Ok(advance(t, &a)),
        MockCommand::AddUser(a) => add_user(t, a),
        MockCommand::Faults(FaultsCommand::Set { spec }) => {
            let plan = FaultPlan::parse(&spec).map_err(|e| CliError::Usage(format!("invalid fault plan: {e}")))?;
            let rules = plan.rules.len();
            t.set_faults(plan);
            Ok(MockReport::Faults { rules, spec: Some(spec) })
        }
        MockCommand::Faults(FaultsCommand::Clear) => {
            t.set_faults(FaultPlan::none());
            Ok(MockReport::Faults { rules: 0, spec: None })
        }
    }
}

fn clock_now(t: &MockTenant) -> String {
    consent::Clock::now(&t.clock()).to_rfc3339()
}

fn advance(t: &MockTenant, a: &AdvanceArgs) -> MockReport {
    let before = t.outbox().len();
    let by = chrono::Duration::days(i64::from(a.days.unwrap_or(0))) + chrono::Duration::hours(i64::from(a.hours.unwrap_or(0)));
    t.advance(by);
    // Reading the outbox brings the tenant up to the new time: expiry and reminders happen now.
    let new_notifications = t.outbox().into_iter().skip(before).map(NotificationView::new).collect();
    MockReport::ClockAdvanced {
        advanced_by_hours: by.num_hours(),
        now: clock_now(t),
        new_notifications,
    }
}

fn add_user(t: &MockTenant, a: AddUserArgs) -> CliResult<MockReport> {
    let name = a.name.unwrap_or_else(|| a.upn.split('@').next().unwrap_or_default().to_owned());
    let id = t.try_add_user(&name, &a.upn)?;
    for role in &a.roles {
        t.try_assign_role(id, *role)?;
    }
    Ok(MockReport::UserAdded {
        user: UserView {
            id: id.to_string(),
            display_name: name,
            upn: a.upn.trim().to_owned(),
            roles: a.roles.iter().map(|r| r.name()).collect(),
            role_names: a.roles.iter().map(|r| r.display_name()).collect(),
        },
    })
}

async fn show(t: &MockTenant) -> CliResult<MockReport> {
    let admin = t.as_admin();
    let policy = admin.get_request_policy().await?;
    let authz = admin.get_authorization_policy().await?;
    Ok(MockReport::Summary(Box::new(Summary {
        tenant_id: t.tenant_id().to_string(),
        now: clock_now(t),
        user_consent: authz.user_consent().portal_label(),
        requests_enabled: policy.is_enabled,
        reviewers: policy.reviewers.iter().map(ToString::to_string).collect(),
        reviewer_names: policy
            .reviewers
            .iter()
            .map(|r| super::policy::reviewer_name(r, Some(t)).unwrap_or_else(|| r.to_string()))
            .collect(),
        users: t.users().iter().map(UserView::from_user).collect(),
        groups: t
            .groups()
            .iter()
            .map(|g| GroupView {
                id: g.id.to_string(),
                display_name: g.display_name.clone(),
                members: g.members.iter().map(ToString::to_string).collect(),
            })
            .collect(),
        demo_app: demo_app(),
        notifications: t.outbox().into_iter().map(NotificationView::new).collect(),
        fault_rules: t.faults().rules.len(),
    })))
}

/// The demo app every preset publishes (the one `--app` knows without `--scopes`).
fn demo_app() -> AppView {
    let app = consent_mock::demo::carerix_app();
    AppView {
        app_id: app.app_id.to_string(),
        display_name: app.display_name.clone(),
        scopes: scope_list(&app.delegated_scopes()),
    }
}

/// The JSON document of the `mock` commands, tagged by `command`.
#[derive(Debug, Serialize)]
#[serde(tag = "command")]
pub enum MockReport {
    /// `mock init`.
    #[serde(rename = "mock init")]
    Initialized {
        /// The state file.
        path: String,
        /// The preset used.
        preset: &'static str,
        /// The tenant id.
        tenant_id: String,
        /// The tenant clock.
        now: String,
    },
    /// `mock show`.
    #[serde(rename = "mock show")]
    Summary(Box<Summary>),
    /// `mock clock advance`.
    #[serde(rename = "mock clock advance")]
    ClockAdvanced {
        /// How far.
        advanced_by_hours: i64,
        /// The new time.
        now: String,
        /// Emails the move triggered (expiry, reminders).
        new_notifications: Vec<NotificationView>,
    },
    /// `mock add-user`.
    #[serde(rename = "mock add-user")]
    UserAdded {
        /// The new user.
        user: UserView,
    },
    /// `mock faults set|clear`.
    #[serde(rename = "mock faults")]
    Faults {
        /// How many rules are now active.
        rules: usize,
        /// The plan given.
        spec: Option<String>,
    },
}

/// `mock show`'s document.
#[derive(Debug, Serialize)]
pub struct Summary {
    tenant_id: String,
    now: String,
    user_consent: &'static str,
    requests_enabled: bool,
    reviewers: Vec<String>,
    /// The reviewers by name, for human output.
    #[serde(skip)]
    reviewer_names: Vec<String>,
    users: Vec<UserView>,
    groups: Vec<GroupView>,
    demo_app: AppView,
    notifications: Vec<NotificationView>,
    fault_rules: usize,
}

/// A mock user, without the password.
#[derive(Debug, Serialize)]
pub struct UserView {
    id: String,
    display_name: String,
    upn: String,
    /// The roles as `--role` takes them.
    roles: Vec<&'static str>,
    /// The roles as Microsoft names them, for human output.
    #[serde(skip)]
    role_names: Vec<&'static str>,
}

impl UserView {
    fn from_user(u: &consent_mock::MockUser) -> Self {
        Self {
            id: u.id.to_string(),
            display_name: u.display_name.to_string(),
            upn: u.upn.to_string(),
            roles: u.roles.iter().map(|r| r.name()).collect(),
            role_names: u.roles.iter().map(|r| r.display_name()).collect(),
        }
    }
}

#[derive(Debug, Serialize)]
struct GroupView {
    id: String,
    display_name: String,
    members: Vec<String>,
}

#[derive(Debug, Serialize)]
struct AppView {
    app_id: String,
    display_name: String,
    scopes: Vec<String>,
}

/// An email the mock tenant would have sent.
#[derive(Debug, Serialize)]
pub struct NotificationView {
    at: String,
    to: String,
    kind: consent_mock::NotificationKind,
    app_display_name: String,
    request_id: String,
}

impl NotificationView {
    fn new(n: Notification) -> Self {
        Self {
            at: n.at.to_rfc3339(),
            to: n.to_upn.to_string(),
            kind: n.kind,
            app_display_name: n.app_display_name.to_string(),
            request_id: n.request_id.to_string(),
        }
    }

    fn row(&self) -> Vec<String> {
        vec![
            self.at.clone(),
            self.to.clone(),
            kind_words(self.kind).to_owned(),
            self.app_display_name.clone(),
        ]
    }
}

/// What an email is about, in words (the JSON `kind` is `new-request`, …).
fn kind_words(kind: consent_mock::NotificationKind) -> &'static str {
    use consent_mock::NotificationKind as K;
    match kind {
        K::NewRequest => "new request to review",
        K::RequestSubmitted => "request received",
        K::Approved => "request approved",
        K::Denied => "request denied",
        K::Blocked => "request denied, app blocked",
        K::Expired => "request expired",
        K::Reminder => "request about to expire",
    }
}

impl Report for MockReport {
    fn human(&self, out: &mut Human) -> io::Result<()> {
        match self {
            MockReport::Initialized {
                path,
                preset,
                tenant_id,
                now,
            } => {
                out.verdict(true, &format!("Mock tenant created from preset {preset}"))?;
                out.field("State file", path)?;
                out.field("Tenant", tenant_id)?;
                out.field("Clock", now)
            }
            MockReport::Summary(s) => s.human(out),
            MockReport::ClockAdvanced {
                now, new_notifications, ..
            } => {
                out.field("Clock", now)?;
                notifications(out, new_notifications)
            }
            MockReport::UserAdded { user } => {
                out.verdict(true, &format!("Added {} ({})", user.upn, user.id))?;
                out.field(
                    "Roles",
                    if user.role_names.is_empty() {
                        "(member)".to_owned()
                    } else {
                        user.role_names.join(", ")
                    },
                )
            }
            MockReport::Faults { rules, .. } => out.field("Fault rules active", rules),
        }
    }
}

fn notifications(out: &mut Human, n: &[NotificationView]) -> io::Result<()> {
    if n.is_empty() {
        return out.line("No notifications.");
    }
    out.table(&["At", "To", "Kind", "App"], n.iter().map(NotificationView::row).collect())
}

impl Summary {
    fn human(&self, out: &mut Human) -> io::Result<()> {
        out.title("Mock tenant")?;
        out.field("Tenant", &self.tenant_id)?;
        out.field("Clock", &self.now)?;
        out.field("User consent", self.user_consent)?;
        out.field("Users can request", self.requests_enabled)?;
        out.field("Reviewers", self.reviewer_names.join(", "))?;
        out.field("Fault rules", self.fault_rules)?;
        let users = self
            .users
            .iter()
            .map(|u| vec![u.upn.clone(), u.display_name.clone(), u.role_names.join(", "), u.id.clone()])
            .collect();
        out.table(&["User", "Name", "Roles", "Object id"], users)?;
        let groups = self
            .groups
            .iter()
            .map(|g| vec![g.display_name.clone(), g.id.clone(), g.members.len().to_string()])
            .collect();
        out.table(&["Group", "Object id", "Members"], groups)?;
        let a = &self.demo_app;
        out.table(
            &["Demo app", "App id", "Scopes"],
            vec![vec![a.display_name.clone(), a.app_id.clone(), a.scopes.join(" ")]],
        )?;
        notifications(out, &self.notifications)
    }
}
