//! Hostile answers: whatever arrives, a typed outcome comes back, bounded, and nothing from the
//! answer but an identifier reaches guidance.

use proptest::prelude::*;

use super::*;
use crate::guidance::{Locale, Product};
use crate::link::MAX_DESCRIPTION_CHARS;

fn check_bounded(h: &LinkHealth) -> Result<(), TestCaseError> {
    if let Some(code) = &h.code {
        let ok = code.len() <= 64 && code.chars().all(|c| c.is_ascii_alphanumeric() || "_-. ".contains(c));
        prop_assert!(ok, "code {code:?}");
    }
    if let Some(d) = &h.description {
        prop_assert!(d.chars().count() <= MAX_DESCRIPTION_CHARS);
        prop_assert!(!d.chars().any(char::is_control));
    }
    prop_assert!(h.error_codes.len() <= 16);
    Ok(())
}

#[test]
fn markup_in_codes_is_dropped_and_planted_text_never_reaches_guidance() {
    let body =
        format!(r#"{{"error":"<img src=x onerror=alert(1)>","error_description":"AADSTS50173 {PLANTED} <script>","error_codes":[50173]}}"#);
    let h = LinkHealth::from_token_error(&body);
    assert_eq!(h.error, None);
    assert_eq!(h.code.as_deref(), Some("AADSTS50173"));
    let g = graph_body("<script>alert(1)</script>", PLANTED);
    let h = LinkHealth::from_graph_error(418, &g, None);
    assert_eq!((h.outcome, h.code.as_deref()), (HealthOutcome::Unknown, Some("HTTP 418")));
    for h in [LinkHealth::from_token_error(&body), h] {
        for locale in Locale::ALL {
            let text = h.guidance(&Product::new("Acme"), locale).to_html();
            assert!(
                !text.contains(PLANTED) && !text.contains("<script") && !text.contains("<img"),
                "{text}"
            );
        }
    }
}

#[test]
fn deeply_nested_or_huge_bodies_do_not_panic() {
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert_eq!(LinkHealth::from_token_error(&deep).outcome, HealthOutcome::Unknown);
    assert_eq!(LinkHealth::from_graph_error(404, &deep, None).outcome, HealthOutcome::Unknown);
    let nested = format!(r#"{{"error":{}"x"{}}}"#, "[".repeat(200), "]".repeat(200));
    assert_eq!(LinkHealth::from_graph_error(400, &nested, None).outcome, HealthOutcome::Unknown);
    let many_codes = format!(
        r#"{{"error":"x","error_codes":[{}]}}"#,
        (1..5000).map(|n| n.to_string()).collect::<Vec<_>>().join(",")
    );
    assert_eq!(LinkHealth::from_token_error(&many_codes).error_codes.len(), 16);
}

proptest! {
    #[test]
    fn arbitrary_text_never_panics(body in "\\PC{0,600}", status in 0u16..1000) {
        check_bounded(&LinkHealth::from_token_error(&body))?;
        check_bounded(&LinkHealth::from_token_response(status, &body, None))?;
        check_bounded(&LinkHealth::from_graph_error(status, &body, None))?;
    }

    #[test]
    fn arbitrary_values_in_the_documented_shapes_never_panic(
        error in "\\PC{0,80}",
        sub in proptest::option::of("[a-z_]{0,20}"),
        desc in "\\PC{0,300}",
        codes in proptest::collection::vec(any::<i64>(), 0..40),
        status in 0u16..1000,
    ) {
        let v = serde_json::json!({"error": error, "error_description": desc, "error_codes": codes, "suberror": sub});
        let h = LinkHealth::from_token_response(status, &v.to_string(), None);
        check_bounded(&h)?;
        let g = serde_json::json!({"error": {"code": error, "message": desc}});
        let h = LinkHealth::from_graph_error(status, &g.to_string(), Some(std::time::Duration::MAX));
        check_bounded(&h)?;
        prop_assert!(h.retry_after.is_none_or(|d| d <= crate::link::MAX_RETRY_AFTER));
    }
}
