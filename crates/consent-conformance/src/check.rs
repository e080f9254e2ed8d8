//! Assertions that fail with "expected …, got …" instead of panicking, and the glue that turns a
//! backend error in a step into a failure naming that step.

use std::fmt::Debug;

use consent::{ConsentGraph, ConsentState, Error};

use crate::report::ScenarioError;

/// Result of one step of a scenario.
pub(crate) type Step<T> = Result<T, ScenarioError>;

/// Names the step a backend error happened in.
pub(crate) trait StepExt<T> {
    /// Turns an unexpected error into a failure of step `what`.
    fn step(self, what: &str) -> Step<T>;
}

impl<T> StepExt<T> for consent::Result<T> {
    fn step(self, what: &str) -> Step<T> {
        self.map_err(|e| ScenarioError::fail(format!("{what}: unexpected error: {e} ({e:?})")))
    }
}

/// Fails with `message` unless `condition` holds.
pub(crate) fn ensure(condition: bool, message: impl FnOnce() -> String) -> Step<()> {
    if condition {
        Ok(())
    } else {
        Err(ScenarioError::fail(message()))
    }
}

/// Fails unless `got == expected`.
pub(crate) fn expect_eq<T: PartialEq + Debug>(what: &str, expected: T, got: T) -> Step<()> {
    ensure(expected == got, || format!("{what}: expected {expected:?}, got {got:?}"))
}

/// Fails unless `result` is an error accepted by `accept`; `expected` describes it for the message.
pub(crate) fn expect_err<T: Debug>(
    what: &str,
    result: consent::Result<T>,
    expected: &str,
    accept: impl FnOnce(&Error) -> bool,
) -> Step<Error> {
    match result {
        Err(e) if accept(&e) => Ok(e),
        Err(e) => Err(ScenarioError::fail(format!("{what}: expected {expected}, got error {e:?}"))),
        Ok(v) => Err(ScenarioError::fail(format!("{what}: expected {expected}, got Ok({v:?})"))),
    }
}

/// Expects `PermissionDenied` whose `needed` names `role_or_permission`.
pub(crate) fn expect_permission_denied<T: Debug>(what: &str, result: consent::Result<T>, role_or_permission: &str) -> Step<()> {
    let expected = format!("PermissionDenied naming {role_or_permission:?}");
    expect_err(
        what,
        result,
        &expected,
        |e| matches!(e, Error::PermissionDenied { needed, .. } if needed.contains(role_or_permission)),
    )
    .map(drop)
}

/// Expects exactly the refusal [`Operation::permission_denied`](consent::Operation::permission_denied)
/// words for `op`: every backend names the same operation and the same role and permission.
pub(crate) fn expect_denied_as<T: Debug>(what: &str, result: consent::Result<T>, op: consent::Operation) -> Step<()> {
    let expected = format!("PermissionDenied worded as {op:?}: {}", op.permission_denied());
    expect_err(
        what,
        result,
        &expected,
        |e| matches!(e, Error::PermissionDenied { operation, needed, .. } if *operation == op.describe() && *needed == op.needed()),
    )
    .map(drop)
}

/// Expects `InvalidTransition` from the state named `state` (`denied`, `RequestsDisabled`, …;
/// compared ignoring case and underscores, since backends and the workflow spell states differently).
pub(crate) fn expect_invalid_transition<T: Debug>(what: &str, result: consent::Result<T>, state: &str) -> Step<Error> {
    let expected = format!("InvalidTransition from state {state:?}");
    expect_err(
        what,
        result,
        &expected,
        |e| matches!(e, Error::InvalidTransition { state: found, .. } if same_state_name(found, state)),
    )
}

/// Expects `InvalidInput` on `field`.
pub(crate) fn expect_invalid_input<T: Debug>(what: &str, result: consent::Result<T>, field: &str) -> Step<Error> {
    let expected = format!("InvalidInput on field {field:?}");
    expect_err(
        what,
        result,
        &expected,
        |e| matches!(e, Error::InvalidInput { field: f, .. } if *f == field),
    )
}

/// Expects `Conflict`, with Graph error code `code` when given.
pub(crate) fn expect_conflict<T: Debug>(what: &str, result: consent::Result<T>, code: Option<&str>) -> Step<Error> {
    let expected = format!("Conflict with code {code:?}");
    expect_err(what, result, &expected, |e| match e {
        Error::Conflict { code: got, .. } => code.is_none() || got.as_deref() == code,
        _ => false,
    })
}

fn same_state_name(a: &str, b: &str) -> bool {
    let norm = |s: &str| s.chars().filter(|c| *c != '_').collect::<String>().to_ascii_lowercase();
    norm(a) == norm(b)
}

/// The failure for a state other than the one expected.
pub(crate) fn unexpected_state(what: &str, expected: &str, got: &ConsentState) -> ScenarioError {
    ScenarioError::fail(format!(
        "{what}: expected state {expected}, got {} (coverage {:?})",
        got.name(),
        got.coverage()
    ))
}

/// Unwraps the typed handle of one [`ConsentState`] variant, or fails the scenario naming the state found.
macro_rules! expect_state {
    ($state:expr, $variant:ident, $what:expr) => {
        match $state {
            consent::ConsentState::$variant(handle) => handle,
            other => return Err($crate::check::unexpected_state($what, stringify!($variant), &other)),
        }
    };
}
pub(crate) use expect_state;

/// Skips unless the backend can file requests itself (the "Request approval" button).
pub(crate) fn require_submit(g: &dyn ConsentGraph, would_check: &str) -> Step<()> {
    let caps = g.capabilities();
    ensure_capability(caps.submit_requests, caps.backend, "submit_requests", would_check)
}

/// Skips unless the backend can review requests (Approve / Deny / Block on a request).
pub(crate) fn require_review(g: &dyn ConsentGraph, would_check: &str) -> Step<()> {
    let caps = g.capabilities();
    ensure_capability(caps.review_requests, caps.backend, "review_requests", would_check)
}

fn ensure_capability(present: bool, backend: &str, capability: &str, would_check: &str) -> Step<()> {
    if present {
        Ok(())
    } else {
        Err(ScenarioError::skip(format!(
            "backend `{backend}` lacks capability `{capability}`; would have checked that {would_check}"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_say_expected_and_got() {
        let e = expect_eq("grant count", 1, 2).unwrap_err();
        assert_eq!(e, ScenarioError::fail("grant count: expected 1, got 2"));
        let e = expect_permission_denied("put policy", Ok::<u8, Error>(7), "Cloud Application Administrator").unwrap_err();
        assert_eq!(
            e,
            ScenarioError::fail("put policy: expected PermissionDenied naming \"Cloud Application Administrator\", got Ok(7)")
        );
    }

    #[test]
    fn matchers_accept_only_the_named_error() {
        let denied = || -> consent::Result<()> {
            Err(Error::PermissionDenied {
                context: Default::default(),
                operation: "x",
                needed: "Privileged Role Administrator".into(),
            })
        };
        assert!(expect_permission_denied("a", denied(), "Privileged Role Administrator").is_ok());
        assert!(expect_permission_denied("a", denied(), "Global Reader").is_err());
        let stale: consent::Result<()> = Err(Error::InvalidTransition {
            state: "requests_enabled".into(),
            action: "enable requests",
            reason: "r".into(),
        });
        assert!(expect_invalid_transition("b", stale.clone(), "RequestsEnabled").is_ok());
        assert!(expect_invalid_transition("b", stale, "pending").is_err());
        let dup: consent::Result<()> = Err(Error::Conflict {
            context: Default::default(),
            what: "grant".into(),
            code: Some("Request_MultipleObjectsWithSameKeyValue".into()),
        });
        assert!(expect_conflict("c", dup.clone(), Some("Request_MultipleObjectsWithSameKeyValue")).is_ok());
        assert!(expect_conflict("c", dup, Some("Other")).is_err());
        assert!(expect_invalid_input("d", Err::<(), _>(Error::invalid("reviewers", "none")), "reviewers").is_ok());
    }

    #[test]
    fn step_names_the_step() {
        let e = Err::<(), _>(Error::not_found("grant g1")).step("reading grants").unwrap_err();
        assert!(
            matches!(&e, ScenarioError::Fail { message } if message.starts_with("reading grants: unexpected error: grant g1 was not found"))
        );
    }
}
