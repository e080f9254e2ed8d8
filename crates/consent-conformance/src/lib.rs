//! The one scenario suite every `entra-consent` backend must pass.
//!
//! Each scenario starts from a fresh [`MockTenant`](consent_mock::MockTenant) preset, arranges what a
//! person would do in the portal or at Microsoft's consent prompt (users, roles, settings, a user
//! pressing "Request approval", the clock, injected faults) **on the mock**, and then exercises the
//! **backend under test** through the connections a [`Harness`] hands out. The mock's harness
//! connects to the tenant directly; the Graph backend's harness points at an emulator serving the
//! same tenant. So one suite checks that every backend returns the same results and the same
//! [`consent::Error`] variants for the same situation.
//!
//! A scenario that needs a capability the backend lacks (say, reviewing a request, which Microsoft
//! Graph cannot do) is **skipped with its reason**, never silently passed: [`Report`] lists every skip.
//!
//! # Contents
//!
//! - [`Harness`], [`Actor`], [`MockHarness`]: how a backend plugs in.
//! - [`scenarios()`] (the registry), [`run_all`], [`run`], [`Report`], [`Outcome`], [`ScenarioError`].
//! - [`scenarios`](mod@scenarios): the scenarios themselves, one module per area — policy semantics,
//!   request lifecycle, permission errors, user-consent decisions, grant idempotency, scope drift,
//!   stale persisted state, completion.
//! - [`Interleaving`]: a port decorator that makes concurrent calls interleave as over a network.
//! - [`matrix`]: the fault matrix — every write of the approve recipe × every fault the service has
//!   (`cargo run -p consent-emulator --example fault_matrix` prints it).
//!
//! # Running the suite
//!
//! ```
//! use consent_conformance::{run_all, MockHarness};
//!
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let report = run_all(&MockHarness).await;
//! println!("{report}");
//! report.assert_all_passed();
//! # });
//! ```
//!
//! Or one scenario, as a backend's own test might:
//!
//! ```
//! use consent_conformance::{scenarios::grants, MockHarness};
//!
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! grants::concurrent_approvals_make_one_grant(&MockHarness).await.unwrap();
//! # });
//! ```
#![deny(missing_docs)]

mod check;
mod fixture;
mod harness;
mod interleave;
pub mod matrix;
mod report;
pub mod scenarios;

pub use harness::{Actor, Harness, MockHarness};
pub use interleave::Interleaving;
pub use report::{run, run_all, Outcome, Report, Scenario, ScenarioError};
pub use scenarios::scenarios;
