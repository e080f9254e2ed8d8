//! Outcomes of scenarios, the registry entry type, and the report of a whole run.

use std::fmt;
use std::panic::AssertUnwindSafe;

use futures::future::BoxFuture;
use futures::FutureExt;

use crate::harness::Harness;

/// Why a scenario did not pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScenarioError {
    /// The backend lacks a capability the scenario needs (see [`consent::Capabilities`]). Reported
    /// loudly, never counted as a pass.
    Skip {
        /// Which capability is missing and what the scenario would have checked.
        reason: String,
    },
    /// The backend behaved differently from the contract.
    Fail {
        /// What was expected and what happened instead.
        message: String,
    },
}

impl ScenarioError {
    /// Builds [`ScenarioError::Fail`].
    pub fn fail(message: impl Into<String>) -> Self {
        ScenarioError::Fail { message: message.into() }
    }

    /// Builds [`ScenarioError::Skip`].
    pub fn skip(reason: impl Into<String>) -> Self {
        ScenarioError::Skip { reason: reason.into() }
    }
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScenarioError::Skip { reason } => write!(f, "skipped: {reason}"),
            ScenarioError::Fail { message } => write!(f, "failed: {message}"),
        }
    }
}

impl std::error::Error for ScenarioError {}

/// What a scenario returns.
pub type Outcome = Result<(), ScenarioError>;

/// One registered scenario.
#[derive(Clone, Copy)]
pub struct Scenario {
    /// The function's name (`approve_twice_keeps_one_grant`).
    pub name: &'static str,
    /// The area it covers (`grants`), the module it lives in.
    pub group: &'static str,
    /// The expected behaviour, in one line (the function's doc comment).
    pub doc: &'static str,
    /// Runs it against a backend.
    pub run: fn(&dyn Harness) -> BoxFuture<'_, Outcome>,
}

impl fmt::Debug for Scenario {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Scenario")
            .field("name", &self.name)
            .field("group", &self.group)
            .field("doc", &self.doc)
            .finish_non_exhaustive()
    }
}

/// The result of running scenarios against one backend.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// The backend's name.
    pub backend: String,
    /// Scenarios that passed.
    pub passed: Vec<&'static str>,
    /// Scenarios skipped, with the reason.
    pub skipped: Vec<(&'static str, String)>,
    /// Scenarios that failed, with what went wrong.
    pub failed: Vec<(&'static str, String)>,
}

impl Report {
    /// True when nothing failed (skips are allowed, and listed by `Display`).
    pub fn is_success(&self) -> bool {
        self.failed.is_empty()
    }

    /// How many scenarios ran.
    pub fn total(&self) -> usize {
        self.passed.len() + self.skipped.len() + self.failed.len()
    }

    /// Panics listing every failure, unless there is none. Skips are printed either way, so a
    /// backend that skips half the suite cannot look green by accident.
    ///
    /// # Panics
    /// When any scenario failed.
    #[allow(clippy::print_stderr)] // a test assertion: its output is what the test runner shows
    pub fn assert_all_passed(&self) {
        if !self.skipped.is_empty() {
            eprintln!("{self}");
        }
        assert!(self.is_success(), "conformance failures on backend `{}`:\n{self}", self.backend);
    }

    fn record(&mut self, scenario: &Scenario, outcome: Outcome) {
        match outcome {
            Ok(()) => self.passed.push(scenario.name),
            Err(ScenarioError::Skip { reason }) => self.skipped.push((scenario.name, reason)),
            Err(ScenarioError::Fail { message }) => self.failed.push((scenario.name, message)),
        }
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "conformance on backend `{}`: {} scenarios, {} passed, {} skipped, {} failed",
            self.backend,
            self.total(),
            self.passed.len(),
            self.skipped.len(),
            self.failed.len()
        )?;
        for (name, reason) in &self.skipped {
            writeln!(f, "  SKIP {name}: {reason}")?;
        }
        for (name, message) in &self.failed {
            writeln!(f, "  FAIL {name}: {message}")?;
        }
        Ok(())
    }
}

/// Runs `scenarios` one after another against `h`. A scenario that panics is recorded as failed
/// and the run goes on.
pub async fn run(h: &dyn Harness, scenarios: impl IntoIterator<Item = Scenario>) -> Report {
    let mut report = Report {
        backend: h.name().to_owned(),
        ..Report::default()
    };
    for scenario in scenarios {
        let outcome = AssertUnwindSafe((scenario.run)(h))
            .catch_unwind()
            .await
            .unwrap_or_else(|panic| Err(ScenarioError::fail(format!("panicked: {}", panic_message(panic.as_ref())))));
        match &outcome {
            Ok(()) => tracing::info!(scenario = scenario.name, backend = h.name(), "passed"),
            Err(e) => tracing::warn!(scenario = scenario.name, backend = h.name(), "{e}"),
        }
        report.record(&scenario, outcome);
    }
    report
}

/// Runs every scenario of the suite against `h`.
pub async fn run_all(h: &dyn Harness) -> Report {
    run(h, crate::scenarios()).await
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a non-string panic payload".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn passes(_: &dyn Harness) -> BoxFuture<'_, Outcome> {
        Box::pin(async { Ok(()) })
    }
    fn skips(_: &dyn Harness) -> BoxFuture<'_, Outcome> {
        Box::pin(async { Err(ScenarioError::skip("backend cannot submit requests")) })
    }
    fn fails(_: &dyn Harness) -> BoxFuture<'_, Outcome> {
        Box::pin(async { Err(ScenarioError::fail("grants: expected 1, got 2")) })
    }
    fn panics(_: &dyn Harness) -> BoxFuture<'_, Outcome> {
        Box::pin(async { panic!("boom") })
    }

    fn entry(name: &'static str, run: fn(&dyn Harness) -> BoxFuture<'_, Outcome>) -> Scenario {
        Scenario {
            name,
            group: "test",
            doc: "test",
            run,
        }
    }

    #[tokio::test]
    async fn report_lists_skips_and_failures_and_survives_panics() {
        let all = [entry("a", passes), entry("b", skips), entry("c", fails), entry("d", panics)];
        let report = run(&crate::MockHarness, all).await;
        assert_eq!(report.passed, vec!["a"]);
        assert_eq!(report.skipped, vec![("b", "backend cannot submit requests".to_owned())]);
        assert_eq!(report.failed.len(), 2);
        assert_eq!(report.failed[1], ("d", "panicked: boom".to_owned()));
        let text = report.to_string();
        assert!(text.contains("4 scenarios, 1 passed, 1 skipped, 2 failed"), "{text}");
        assert!(text.contains("SKIP b: backend cannot submit requests"), "{text}");
        assert!(text.contains("FAIL c: grants: expected 1, got 2"), "{text}");
        assert!(!report.is_success());
    }

    #[tokio::test]
    async fn assert_all_passed_panics_on_failure_only() {
        let ok = run(&crate::MockHarness, [entry("a", passes), entry("b", skips)]).await;
        ok.assert_all_passed();
        let bad = run(&crate::MockHarness, [entry("c", fails)]).await;
        let caught = std::panic::catch_unwind(|| bad.assert_all_passed());
        assert!(caught.is_err());
    }
}
