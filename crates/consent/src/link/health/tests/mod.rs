//! Link-health tests: token-endpoint answers, Graph answers, hostile input, and guidance for every
//! outcome in every locale. Bodies are shaped like the captures cited in
//! `docs/link-health.md`.

mod graph;
mod guidance;
mod hostile;
mod token;

use std::time::Duration;

use super::{HealthOutcome, LinkHealth, WhoActs};

/// Text planted in descriptions and messages: it must never reach guidance.
pub(super) const PLANTED: &str = "ClickThisPhishingLink";

/// A token-endpoint error body in Microsoft's documented shape.
pub(super) fn token_body(error: &str, codes: &[u32], suberror: Option<&str>) -> String {
    let first = codes.first().map_or(String::new(), |c| format!("AADSTS{c}: "));
    let mut v = serde_json::json!({
        "error": error,
        "error_description": format!("{first}{PLANTED} Trace ID: 0c7d Correlation ID: 5a1e Timestamp: 2026-03-02 09:00:00Z"),
        "error_codes": codes,
        "timestamp": "2026-03-02 09:00:00Z",
        "trace_id": "0c7d",
        "correlation_id": "5a1e",
        "error_uri": "https://login.microsoftonline.com/error?code=0",
    });
    if let Some(s) = suberror {
        v["suberror"] = s.into();
    }
    v.to_string()
}

/// A Graph error body in Microsoft's documented shape.
pub(super) fn graph_body(code: &str, message: &str) -> String {
    serde_json::json!({"error": {"code": code, "message": message, "innerError": {"request-id": "rid", "date": "2026-03-02T09:00:00"}}})
        .to_string()
}

pub(super) fn token(error: &str, codes: &[u32]) -> LinkHealth {
    LinkHealth::from_token_error(&token_body(error, codes, None))
}

pub(super) fn graph(status: u16, code: &str, message: &str) -> LinkHealth {
    LinkHealth::from_graph_error(status, &graph_body(code, &format!("{message} {PLANTED}")), None)
}

pub(super) fn assert_health(h: &LinkHealth, outcome: HealthOutcome, who: WhoActs, code: &str) {
    assert_eq!((h.outcome, h.who_acts), (outcome, who), "{h:?}");
    assert_eq!(h.code.as_deref(), Some(code), "{h:?}");
}

/// One answer per outcome (both sides where Microsoft answers that way), with the planted text.
pub(super) fn every_outcome() -> Vec<LinkHealth> {
    vec![
        LinkHealth::healthy(),
        LinkHealth::from_graph_error(200, r#"{"id":"AAMk"}"#, None),
        token("invalid_grant", &[65001]),
        token("invalid_grant", &[50173]),
        token("invalid_grant", &[700084]),
        graph(401, "InvalidAuthenticationToken", "Access token has expired or is not yet valid."),
        token("invalid_grant", &[50057]),
        token("invalid_grant", &[53003]),
        graph(403, "ErrorAccessDenied", "Access to OData is disabled."),
        graph(
            404,
            "MailboxNotEnabledForRESTAPI",
            "The mailbox is either inactive, soft-deleted, or is hosted on-premise.",
        ),
        token("invalid_grant", &[90095]),
        graph(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again."),
        token("unauthorized_client", &[7000112]),
        token("unauthorized_client", &[700016]),
        token("invalid_client", &[7000222]),
        token("temporarily_unavailable", &[]),
        LinkHealth::from_graph_error(429, &graph_body("TooManyRequests", PLANTED), Some(Duration::from_millis(2128))),
        token("server_error", &[12345]),
        graph(400, "BadRequest", "Invalid request."),
    ]
}

#[test]
fn every_outcome_is_produced_by_the_fixtures() {
    let seen: std::collections::BTreeSet<&str> = every_outcome().iter().map(LinkHealth::kind).collect();
    let all: std::collections::BTreeSet<&str> = HealthOutcome::ALL.iter().map(|o| o.as_str()).collect();
    assert_eq!(seen, all);
}

#[test]
fn json_uses_the_snake_case_names_and_whole_seconds() {
    let h = LinkHealth::from_graph_error(503, "", Some(Duration::from_millis(2128)));
    let v = serde_json::to_value(&h).unwrap();
    assert_eq!(v["outcome"], "transient");
    assert_eq!(v["who_acts"], "nobody");
    assert_eq!(v["source"], "graph");
    assert_eq!(v["code"], "HTTP 503");
    assert_eq!(v["retry_after"], 3, "2.128 s rounds up");
    let back: LinkHealth = serde_json::from_value(v).unwrap();
    assert_eq!(back.retry_after, Some(Duration::from_secs(3)));
    for o in HealthOutcome::ALL {
        assert_eq!(serde_json::to_value(o).unwrap(), o.as_str());
    }
}

#[test]
fn only_healthy_and_transient_need_no_action() {
    for h in every_outcome() {
        let expected = !matches!(h.outcome, HealthOutcome::Healthy | HealthOutcome::Transient);
        assert_eq!(h.needs_action(), expected, "{}", h.kind());
    }
}
