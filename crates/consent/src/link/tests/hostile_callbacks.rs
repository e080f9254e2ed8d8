//! Hostile callbacks: each yields a typed outcome or an error, never a panic or a silent success.

use proptest::prelude::*;

use super::*;
use crate::error::Error;
use crate::link::{LinkOutcome, StateProblem, MAX_DESCRIPTION_CHARS};

fn finish(q: impl FnOnce(&str) -> String) -> crate::error::Result<LinkOutcome> {
    let p = pending();
    let query = q(p.state());
    p.finish(&query, &clock_after(1))
}

fn state_problem(outcome: LinkOutcome) -> StateProblem {
    match outcome {
        LinkOutcome::StateMismatch { problem } => problem,
        other => panic!("expected StateMismatch, got {other:?}"),
    }
}

#[test]
fn missing_empty_and_foreign_state_are_refused() {
    assert_eq!(state_problem(finish(|_| "code=abc".into()).unwrap()), StateProblem::Missing);
    assert_eq!(state_problem(finish(|_| "code=abc&state=".into()).unwrap()), StateProblem::Empty);
    let other = pending();
    let q = format!("code=abc&state={}", other.state());
    assert_eq!(
        state_problem(pending().finish(&q, &clock_after(1)).unwrap()),
        StateProblem::Different
    );
    // A prefix or an extension of the right state is not the right state.
    assert_eq!(
        state_problem(finish(|s| format!("code=abc&state={}", &s[..10])).unwrap()),
        StateProblem::Different
    );
    assert_eq!(
        state_problem(finish(|s| format!("code=abc&state={s}x")).unwrap()),
        StateProblem::Different
    );
    // An error with a wrong state is not believed either.
    assert_eq!(
        state_problem(finish(|_| "error=access_denied&error_codes=90094&state=forged".into()).unwrap()),
        StateProblem::Different
    );
}

#[test]
fn duplicated_state_or_code_is_an_error_not_first_wins() {
    for q in [
        |s: &str| format!("code=abc&state={s}&state=evil"),
        |s: &str| format!("state=evil&code=abc&state={s}"),
        |s: &str| format!("code=abc&code=def&state={s}"),
        |s: &str| format!("error=x&error=y&state={s}"),
    ] {
        let err = finish(q).unwrap_err();
        assert!(matches!(err, Error::InvalidInput { field: "callback", .. }), "{err}");
    }
}

#[test]
fn error_wins_over_code() {
    let outcome = finish(|s| format!("code=abc&error=access_denied&error_codes=%5B90094%5D&state={s}")).unwrap();
    assert!(
        matches!(outcome, LinkOutcome::AdminApprovalRequired { can_request: false, .. }),
        "{outcome:?}"
    );
}

#[test]
fn neither_code_nor_error_and_malformed_codes_are_errors() {
    let err = finish(|s| format!("state={s}")).unwrap_err().to_string();
    assert!(err.contains("neither `code` nor `error`"), "{err}");
    for bad in ["code=&state=", "code=a%20b&state=", "code=a%00b&state=", "code=%FF&state="] {
        let err = finish(|s| format!("{bad}{s}")).unwrap_err();
        assert!(matches!(err, Error::InvalidInput { field: "code", .. }), "{bad}: {err}");
    }
}

#[test]
fn percent_encoding_tricks_decode_once() {
    let encode_first = |s: &str, prefix: &str| format!("{prefix}{:02X}{}", s.as_bytes()[0], &s[1..]);
    // Encoded once is plain URL encoding and is honoured, in keys as in values.
    let ok = finish(|s| format!("c%6Fde=abc&st%61te={}", encode_first(s, "%"))).unwrap();
    assert!(matches!(ok, LinkOutcome::Authorized(_)), "{ok:?}");
    // Encoded twice decodes to "%xx…" after the single decode, which is not the state.
    let twice = finish(|s| format!("code=abc&state={}", encode_first(s, "%25"))).unwrap();
    assert_eq!(state_problem(twice), StateProblem::Different);
    // An AADSTS number encoded twice is not a code.
    let outcome = finish(|s| format!("error=access_denied&error_description=%2541ADSTS90094+code%3Dx&state={s}")).unwrap();
    assert!(matches!(outcome, LinkOutcome::Other { .. }), "{outcome:?}");
}

#[test]
fn a_ten_kilobyte_description_is_kept_to_two() {
    let long = format!("AADSTS90095%3A+{}", "A".repeat(10 * 1024));
    let outcome = finish(|s| format!("error=access_denied&error_description={long}&state={s}")).unwrap();
    let desc = outcome.auth_error().unwrap().description.clone().unwrap();
    assert!(desc.chars().count() <= MAX_DESCRIPTION_CHARS + 1, "{}", desc.len());
    assert!(matches!(outcome, LinkOutcome::AdminApprovalRequired { can_request: true, .. }));
}

#[test]
fn non_utf8_bytes_never_panic() {
    let outcome = finish(|s| format!("error=%FF%FE&error_description=%C3%28AADSTS65001&state={s}")).unwrap();
    assert!(matches!(outcome, LinkOutcome::ConsentRequired { .. }), "{outcome:?}");
    assert_eq!(
        state_problem(finish(|_| "code=abc&state=%FF".into()).unwrap()),
        StateProblem::Different
    );
}

#[test]
fn forged_callbacks_grant_nothing_after_consumption() {
    // `finish` takes `self`: the type system forbids a second call (see the compile_fail doctest on
    // `PendingLink::finish`). A persisted copy is the product's to delete; this shows a copy only
    // yields one more classification, never a second code for a different state.
    let p = pending();
    let json = serde_json::to_string(&p).unwrap();
    let q = format!("code=abc&state={}", p.state());
    assert!(matches!(p.finish(&q, &clock_after(1)).unwrap(), LinkOutcome::Authorized(_)));
    let copy: PendingLink = serde_json::from_str(&json).unwrap();
    assert!(matches!(
        copy.finish("code=abc&state=other", &clock_after(1)).unwrap(),
        LinkOutcome::StateMismatch { .. }
    ));
}

proptest! {
    #[test]
    fn finish_never_panics_on_arbitrary_input(s in "\\PC{0,400}") {
        let _ = pending().finish(&s, &clock_after(1));
        let _ = pending_admin(TENANT).finish(&s);
    }

    #[test]
    fn finish_never_panics_with_the_right_state(tail in "[a-z_%=&0-9A-F\\[\\],+]{0,200}") {
        let p = pending();
        let q = format!("state={}&{tail}", p.state());
        let _ = p.finish(&q, &clock_after(1));
        let a = pending_admin(TENANT);
        let q = format!("state={}&{tail}", a.state());
        let _ = a.finish(&q);
    }

    #[test]
    fn any_foreign_state_is_refused(state in "[A-Za-z0-9_-]{1,60}") {
        let p = pending();
        prop_assume!(state != p.state());
        let q = format!("code=abc&state={state}");
        let refused = matches!(p.finish(&q, &clock_after(1)), Ok(LinkOutcome::StateMismatch { .. }));
        prop_assert!(refused);
    }
}
