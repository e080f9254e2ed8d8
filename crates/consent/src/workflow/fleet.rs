//! Many tenants at once: [`observe_many`] and [`approve_many`] run the one-tenant workflow across a
//! fleet of customer tenants with one management app, the job Microsoft 365 Lighthouse and CIPP do.
//!
//! - **Backend-neutral.** A [`TenantGraphs`] hands out one [`ConsentGraph`] per tenant (a closure
//!   `Fn(TenantId) -> Future<Output = Result<Arc<dyn ConsentGraph>>>` is one), so mock tenants, the
//!   emulator and Microsoft Graph all run it; `consent_graph::GraphFleet` builds Graph backends that
//!   share one HTTP client and cache one token per tenant.
//! - **Bounded concurrency, results as they finish** (`buffer_unordered`): a slow or throttled tenant
//!   waits alone, holding one slot, and never stalls the others.
//! - **Never fatal.** A tenant that fails is reported with its error; the run goes on.
//! - **Throttling.** A retryable error (`429` with `Retry-After`, timeouts, 5xx) is retried for that
//!   tenant after at least the service's `Retry-After`, a few times, then reported.
//! - **An overall deadline**: tenants unfinished when it passes are reported as `Timeout`.
//! - [`approve_many`] keeps an append-only [`Journal`], so a run that crashed re-runs only the
//!   tenants it had not finished.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use futures::future::{self, Either, FutureExt};
use futures::stream::{self, BoxStream, StreamExt};
use serde::{Deserialize, Serialize};

use super::grant::{grant_from_snapshot, GrantReport};
use super::journal::{Journal, JournalEvent};
use super::observe::{classify_shared, observe};
use super::watch::Sleeper;
use super::ConsentState;
use crate::app::AppRegistration;
use crate::error::{Error, Result};
use crate::ids::TenantId;
use crate::port::ConsentGraph;

/// One tenant of a fleet: its id and, optionally, the customer's name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct FleetTenant {
    /// The tenant (GUID or verified domain).
    pub tenant_id: TenantId,
    /// A name for people (e.g. the customer), when known.
    pub name: Option<String>,
}

impl FleetTenant {
    /// A tenant without a name.
    pub fn new(tenant_id: TenantId) -> Self {
        Self { tenant_id, name: None }
    }

    /// Adds a name.
    pub fn named(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }
}

/// Hands out the [`ConsentGraph`] of each tenant, acting as the management app.
///
/// # Contract
/// - Called once per tenant per run, concurrently for different tenants.
/// - An error (e.g. `Unauthenticated` when the management app is not consented in that tenant) is
///   reported for that tenant only.
#[async_trait]
pub trait TenantGraphs: Send + Sync {
    /// The port acting in `tenant`.
    async fn graph(&self, tenant: &TenantId) -> Result<Arc<dyn ConsentGraph>>;
}

#[async_trait]
impl<F, Fut> TenantGraphs for F
where
    F: Fn(TenantId) -> Fut + Send + Sync,
    Fut: Future<Output = Result<Arc<dyn ConsentGraph>>> + Send,
{
    async fn graph(&self, tenant: &TenantId) -> Result<Arc<dyn ConsentGraph>> {
        self(tenant.clone()).await
    }
}

/// How a fleet run behaves.
#[derive(Debug, Clone)]
pub struct FleetOptions {
    /// Tenants worked on at once (default 32; at least 1).
    pub concurrency: usize,
    /// Stop after this long; unfinished tenants are reported as `Timeout` (default: none).
    pub timeout: Option<Duration>,
    /// Retries of one tenant after a retryable error (default 4).
    pub retries: u32,
    /// The wait before the first retry when the service named none; doubles per retry (default 1 s).
    pub retry_base: Duration,
    /// How to wait (for `Retry-After`, backoff and the deadline).
    pub sleeper: Arc<dyn Sleeper>,
}

impl FleetOptions {
    /// Defaults, waiting with `sleeper`.
    pub fn new(sleeper: Arc<dyn Sleeper>) -> Self {
        Self {
            concurrency: 32,
            timeout: None,
            retries: 4,
            retry_base: Duration::from_secs(1),
            sleeper,
        }
    }

    /// Sets the concurrency (at least 1).
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n.max(1);
        self
    }

    /// Sets the overall deadline.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Sets the retries per tenant.
    pub fn retries(mut self, retries: u32) -> Self {
        self.retries = retries;
        self
    }
}

#[cfg(feature = "tokio")]
impl Default for FleetOptions {
    fn default() -> Self {
        Self::new(Arc::new(super::watch::TokioSleeper))
    }
}

/// What happened in one tenant.
#[derive(Debug, Clone, PartialEq)]
pub struct TenantResult<T> {
    /// The tenant.
    pub tenant: FleetTenant,
    /// Its result.
    pub result: Result<T>,
    /// Reads or writes attempted (1 without retries; 0 when the journal skipped it or the deadline
    /// cut it off, whether or not it had started).
    pub attempts: u32,
}

/// What [`approve_many`] did in one tenant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum FleetApproval {
    /// The journal records that an earlier run finished this tenant; it was not contacted.
    DoneEarlier,
    /// Already approved: one read, nothing written.
    AlreadyApproved,
    /// Granted now, and a read-back shows it approved.
    Granted {
        /// The state before.
        previous: String,
        /// What was written.
        grant: GrantReport,
    },
}

/// Observes `app` in every tenant: one [`TenantResult`] per tenant, in the order they finish.
pub fn observe_many<'a>(
    graphs: &'a dyn TenantGraphs,
    tenants: Vec<FleetTenant>,
    app: &'a AppRegistration,
    options: FleetOptions,
) -> BoxStream<'a, TenantResult<ConsentState>> {
    run_fleet(tenants, options, move |tenant, options| async move {
        let graph = match graphs.graph(&tenant.tenant_id).await {
            Ok(g) => g,
            Err(e) => return (Err(e), 1),
        };
        retrying(&options, || observe(graph.as_ref(), app)).await
    })
}

/// Approves `app` tenant-wide in every tenant (the idempotent
/// [`grant_tenant_wide`](super::grant_tenant_wide) recipe on the snapshot that decided it, then a
/// read-back), recording each tenant in `journal`. Tenants the journal already records as done for
/// this app are reported as [`FleetApproval::DoneEarlier`] without being contacted.
///
/// A blocked app (its enterprise application disabled) is not approved: that tenant reports
/// `InvalidTransition`, because re-enabling it is a decision for that tenant's admin.
pub fn approve_many<'a>(
    graphs: &'a dyn TenantGraphs,
    tenants: Vec<FleetTenant>,
    app: &'a AppRegistration,
    journal: &'a Journal,
    options: FleetOptions,
) -> BoxStream<'a, TenantResult<FleetApproval>> {
    run_fleet(tenants, options, move |tenant, options| async move {
        if journal.is_done(&tenant.tenant_id) {
            return (Ok(FleetApproval::DoneEarlier), 0);
        }
        let graph = match graphs.graph(&tenant.tenant_id).await {
            Ok(g) => g,
            Err(e) => return (Err(e), 1),
        };
        // `Started` is for people reading the journal; a resumed run ignores it, so a failed write
        // here loses nothing (the `Done`/`Failed` write below reports its own failure).
        let _ = journal.record(&tenant.tenant_id, JournalEvent::Started, graph.now());
        let (result, attempts) = retrying(&options, || approve_one(graph.as_ref(), app)).await;
        let event = match &result {
            Ok(_) => JournalEvent::Done,
            Err(e) => JournalEvent::Failed { error: e.to_string() },
        };
        // A tenant approved but not journalled is approved again next run: harmless (idempotent),
        // so a journal write failure is reported, not hidden, and does not undo the approval.
        match (journal.record(&tenant.tenant_id, event, graph.now()), result) {
            (Err(e), Ok(_)) => (Err(e), attempts),
            (_, result) => (result, attempts),
        }
    })
}

async fn approve_one(graph: &dyn ConsentGraph, app: &AppRegistration) -> Result<FleetApproval> {
    app.validate()?;
    // One read decides and feeds the grant (as `grant_tenant_wide` would read it again): across a
    // fleet that is one round trip fewer per tenant approved.
    let snapshot = graph.snapshot_for(app).await?;
    let before = classify_shared(&Arc::new(app.clone()), &snapshot, graph.now())?;
    match before {
        ConsentState::Approved(_) => return Ok(FleetApproval::AlreadyApproved),
        ConsentState::Blocked(_) => {
            return Err(Error::InvalidTransition {
                state: before.name().to_owned(),
                action: "approve",
                reason: "the app is blocked in this tenant (its enterprise application is disabled); its admin must set \"Enabled for users to sign in?\" to Yes first".to_owned(),
            })
        }
        _ => {}
    }
    let grant = grant_from_snapshot(graph, app, &snapshot).await?;
    let after = observe(graph, app).await?;
    if !matches!(after, ConsentState::Approved(_)) {
        return Err(Error::InvalidTransition {
            state: after.name().to_owned(),
            action: "approve",
            reason: "the grant was written but a read-back does not show the app approved; run again, or check the tenant".to_owned(),
        });
    }
    Ok(FleetApproval::Granted {
        previous: before.name().to_owned(),
        grant,
    })
}

/// Runs `work` for every tenant with bounded concurrency and the overall deadline.
fn run_fleet<'a, T, W, Fut>(tenants: Vec<FleetTenant>, options: FleetOptions, work: W) -> BoxStream<'a, TenantResult<T>>
where
    T: Send + 'a,
    W: Fn(FleetTenant, FleetOptions) -> Fut + Send + Sync + 'a,
    Fut: Future<Output = (Result<T>, u32)> + Send + 'a,
{
    let deadline = options.timeout.map(|t| options.sleeper.sleep(t).shared());
    let concurrency = options.concurrency.max(1);
    let work = Arc::new(work);
    stream::iter(tenants)
        .map(move |tenant| {
            let work = work.clone();
            let deadline = deadline.clone();
            let options = options.clone();
            async move {
                let job = Box::pin(work(tenant.clone(), options));
                let (result, attempts) = match deadline {
                    None => job.await,
                    Some(deadline) => match future::select(job, deadline).await {
                        Either::Left((done, _)) => done,
                        Either::Right(((), _)) => (Err(Error::timeout("finish this tenant before the fleet run's deadline")), 0),
                    },
                };
                TenantResult { tenant, result, attempts }
            }
        })
        .buffer_unordered(concurrency)
        .boxed()
}

/// Runs `op`, retrying retryable errors after at least their `Retry-After`. Returns the result and
/// the number of attempts.
async fn retrying<T, F, Fut>(options: &FleetOptions, op: F) -> (Result<T>, u32)
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<T>>,
{
    let mut attempts = 0;
    loop {
        attempts += 1;
        match op().await {
            Err(e) if e.is_retryable() && attempts <= options.retries => {
                let backoff = options.retry_base.saturating_mul(1 << (attempts - 1).min(16));
                let wait = backoff.max(e.retry_after().unwrap_or_default());
                tracing::info!(error = %e, wait_secs = wait.as_secs_f64(), attempts, "fleet: tenant retrying");
                options.sleeper.sleep(wait).await;
            }
            other => return (other, attempts),
        }
    }
}
