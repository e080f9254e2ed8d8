//! The fault matrix: every write the approve recipe makes × every fault the service really has.
//!
//! Each cell starts from a fresh tenant, arranges the one fault on the first call of one write, runs
//! [`grant_tenant_wide`] once, and checks the guarantee against the tenant's truth:
//!
//! - **converged**: approve returned `Ok`, and the tenant holds exactly one service principal, one
//!   `AllPrincipals` grant whose scope covers every required scope, and the required app role; or
//! - **retryable**: approve failed with an error whose [`is_retryable`](consent::Error::is_retryable)
//!   is true, and no grant holds a scope set that is neither what it was before nor the full one.
//!
//! Anything else (an `Ok` that the truth contradicts, a final error, a partial grant) is a
//! **violation**. `cargo run -p consent-emulator --example fault_matrix` prints the table;
//! `docs/reliability.md` carries it, and a test in the workspace-checks crate keeps the two equal.

use std::fmt::Write as _;
use std::time::Duration;

use consent::{grant_tenant_wide, AppId, ConsentGraph, Operation, Scope, ScopeSet};
use consent_mock::{Fault, FaultPlan, Preset};

use crate::fixture::Fixture;
use crate::harness::Harness;

/// The writes the approve recipe makes, in the order it makes them.
pub const WRITES: [Operation; 4] = [
    Operation::CreateServicePrincipal,
    Operation::CreateDelegatedGrant,
    Operation::UpdateDelegatedGrant,
    Operation::CreateAppRoleAssignment,
];

/// The faults of the matrix, with their column names.
pub fn faults() -> Vec<(&'static str, Fault)> {
    vec![
        (
            "429",
            Fault::Throttle {
                retry_after: Duration::ZERO,
            },
        ),
        ("503", Fault::ServerError { status: 503 }),
        ("timeout", Fault::Timeout),
        ("lost answer", Fault::CommittedButLost),
        ("landed, then 503", Fault::LandedThen503),
        ("replica lag (2 reads)", Fault::ReplicaLag { reads: 2 }),
        ("409 concurrency violation", Fault::ConcurrencyViolation),
    ]
}

/// What one cell showed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CellOutcome {
    /// Approve succeeded and the tenant holds exactly what it promised.
    Converged,
    /// Approve failed with a retryable error and no partial scope.
    Retryable(String),
    /// The guarantee was broken.
    Violated(String),
}

/// One cell of the matrix.
#[derive(Debug, Clone)]
pub struct Cell {
    /// The write the fault was put on.
    pub operation: Operation,
    /// The fault's column name.
    pub fault: &'static str,
    /// True when the fault fired (the recipe made that write).
    pub fired: bool,
    /// What happened.
    pub outcome: CellOutcome,
}

/// The whole matrix on one backend.
#[derive(Debug, Clone)]
pub struct Matrix {
    /// The backend's name.
    pub backend: String,
    /// Row by row ([`WRITES`]), column by column ([`faults`]).
    pub cells: Vec<Cell>,
}

impl Matrix {
    /// Cells whose guarantee was broken, or whose fault never fired (a cell that tests nothing).
    pub fn failures(&self) -> Vec<&Cell> {
        self.cells
            .iter()
            .filter(|c| !c.fired || matches!(c.outcome, CellOutcome::Violated(_)))
            .collect()
    }

    /// The table in Markdown: one row per write, one column per fault.
    pub fn to_markdown(&self) -> String {
        let columns = faults();
        let mut out = String::from("| write \\ fault |");
        for (name, _) in &columns {
            let _ = write!(out, " {name} |");
        }
        out.push_str("\n|---|");
        out.push_str(&"---|".repeat(columns.len()));
        for op in WRITES {
            let _ = write!(out, "\n| `{op}` |");
            for (name, _) in &columns {
                let text = self
                    .cells
                    .iter()
                    .find(|c| c.operation == op && c.fault == *name)
                    .map_or("—".to_owned(), cell_text);
                let _ = write!(out, " {text} |");
            }
        }
        out.push('\n');
        out
    }
}

fn cell_text(c: &Cell) -> String {
    match (&c.outcome, c.fired) {
        (_, false) => "NOT FIRED".to_owned(),
        (CellOutcome::Converged, _) => "converged".to_owned(),
        (CellOutcome::Retryable(_), _) => "retryable error, no partial scope".to_owned(),
        (CellOutcome::Violated(why), _) => format!("VIOLATED: {why}"),
    }
}

/// Runs every cell on `h`.
pub async fn run_matrix(h: &dyn Harness) -> Matrix {
    let mut cells = Vec::new();
    for op in WRITES {
        for (name, fault) in faults() {
            cells.push(run_cell(h, op, name, fault).await);
        }
    }
    Matrix {
        backend: h.name().to_owned(),
        cells,
    }
}

/// The scope an earlier admin consent left, in the rows that widen an existing grant.
const EARLIER: &str = "User.Read";

/// Runs one cell: `fault` on the first call of `op`, then one approve, then the truth.
pub async fn run_cell(h: &dyn Harness, op: Operation, name: &'static str, fault: Fault) -> Cell {
    let mut f = Fixture::new(h, Preset::UserConsentDisabled);
    let outcome = match arrange(&mut f, op) {
        Ok(before) => {
            f.fault_next(op, fault);
            let result = grant_tenant_wide(&*f.admin(), &f.app).await;
            let fired = f.tenant.faults().is_exhausted();
            f.tenant.set_faults(FaultPlan::none());
            let outcome = judge(&f, before.as_ref(), result.map(drop)).await;
            return Cell {
                operation: op,
                fault: name,
                fired,
                outcome,
            };
        }
        Err(why) => CellOutcome::Violated(format!("arrange: {why}")),
    };
    Cell {
        operation: op,
        fault: name,
        fired: false,
        outcome,
    }
}

/// The demo app plus Microsoft Graph's `User.Read.All` app role, so every write is made; for the
/// grant-update row, an earlier consent to [`EARLIER`] (service principal and a subset grant).
fn arrange(f: &mut Fixture<'_>, op: Operation) -> Result<Option<ScopeSet>, String> {
    let role = Scope::parse("User.Read.All").map_err(|e| e.to_string())?;
    f.app = f.app.clone().with_app_roles(AppId::MICROSOFT_GRAPH, [role]);
    f.tenant.publish_app(&f.app, true);
    if op != Operation::UpdateDelegatedGrant {
        return Ok(None);
    }
    let earlier = ScopeSet::parse(EARLIER).map_err(|e| e.to_string())?;
    f.tenant
        .grant_admin_consent(consent_mock::demo::ADMIN_ID, &f.app.app_id, &earlier)
        .map_err(|e| e.to_string())?;
    Ok(Some(earlier))
}

async fn judge(f: &Fixture<'_>, before: Option<&ScopeSet>, result: consent::Result<()>) -> CellOutcome {
    let truth = match Truth::read(f).await {
        Ok(t) => t,
        Err(e) => return CellOutcome::Violated(format!("reading the truth: {e}")),
    };
    let wanted = f.app.delegated_scopes();
    let partial = truth.grants.iter().any(|g| !wanted.is_subset(g) && before.is_none_or(|b| g != b));
    if truth.grants.len() > 1 {
        return CellOutcome::Violated(format!("{} AllPrincipals grants", truth.grants.len()));
    }
    match result {
        Ok(()) if truth.service_principal && truth.grants.len() == 1 && !partial && truth.role => CellOutcome::Converged,
        Ok(()) => CellOutcome::Violated(format!("approve said Ok but the tenant holds {truth:?}")),
        Err(e) if e.is_retryable() && !partial => CellOutcome::Retryable(e.to_string()),
        Err(e) if partial => CellOutcome::Violated(format!("partial scope left after {e}")),
        Err(e) => CellOutcome::Violated(format!("final error {e}")),
    }
}

/// What the tenant holds for the app after the approve.
#[derive(Debug)]
struct Truth {
    service_principal: bool,
    grants: Vec<ScopeSet>,
    role: bool,
}

impl Truth {
    async fn read(f: &Fixture<'_>) -> consent::Result<Self> {
        let Some(sp) = f
            .client_truth()
            .await
            .map_err(|e| consent::Error::invalid("truth", e.to_string()))?
        else {
            return Ok(Self {
                service_principal: false,
                grants: Vec::new(),
                role: false,
            });
        };
        let grants = f
            .tenant_wide_grants()
            .await
            .map_err(|e| consent::Error::invalid("truth", e.to_string()))?;
        let roles = f.tenant.as_admin().list_app_role_assignments(&sp.id).await?;
        Ok(Self {
            service_principal: true,
            grants: grants.into_iter().map(|g| g.scope).collect(),
            role: !roles.is_empty(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MockHarness;

    #[tokio::test]
    async fn every_cell_fires_and_keeps_the_guarantee_on_the_mock() {
        let m = run_matrix(&MockHarness).await;
        assert_eq!(m.cells.len(), WRITES.len() * faults().len());
        let failures = m.failures();
        assert!(failures.is_empty(), "{failures:#?}\n{}", m.to_markdown());
    }
}
