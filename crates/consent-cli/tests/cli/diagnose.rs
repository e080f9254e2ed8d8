//! `link diagnose`: a linked account's token-endpoint or Graph error, as text, @FILE or stdin, gives
//! the outcome, who acts, the code, the guidance and the exit code (0 healthy, 3 act, 5 transient).

use crate::common::{bare, bare_json};
use serde_json::{json, Value};

fn token_error(error: &str, code: u32) -> String {
    json!({
        "error": error,
        "error_description": format!("AADSTS{code}: ClickThisPhishingLink. Trace ID: 0c7d Correlation ID: 5a1e"),
        "error_codes": [code],
        "trace_id": "0c7d",
    })
    .to_string()
}

fn graph_error(code: &str, message: &str) -> String {
    json!({"error": {"code": code, "message": message, "innerError": {"request-id": "rid"}}}).to_string()
}

fn diagnose(args: &[&str], code: i32) -> Value {
    let mut all = vec!["link", "diagnose"];
    all.extend_from_slice(args);
    let v = bare_json(&all, code);
    assert_eq!(v["command"], "link diagnose");
    assert!(v["guidance"]["title"].is_string() && v["guidance"]["steps"].is_array(), "{v}");
    assert!(
        !v.to_string().contains("ClickThisPhishingLink"),
        "the description is never echoed: {v}"
    );
    v
}

fn assert_doc(v: &Value, outcome: &str, who: &str, code: &str) {
    assert_eq!(
        (v["outcome"].as_str(), v["who_acts"].as_str(), v["code"].as_str()),
        (Some(outcome), Some(who), Some(code)),
        "{v}"
    );
}

#[test]
fn every_token_side_outcome_and_its_exit_code() {
    for (error, code, outcome, who, exit) in [
        ("invalid_grant", 65001, "consent_revoked", "user", 3),
        ("invalid_grant", 50173, "reauth_required", "user", 3),
        ("invalid_grant", 50057, "account_unavailable", "admin", 3),
        ("invalid_grant", 53003, "blocked_by_policy", "admin", 3),
        ("invalid_grant", 90094, "scopes_missing", "admin", 3),
        ("unauthorized_client", 7000112, "app_disabled", "admin", 3),
        ("unauthorized_client", 700016, "app_not_in_tenant", "admin", 3),
        ("invalid_client", 7000222, "client_credentials_invalid", "vendor", 3),
        ("server_error", 12345, "unknown", "vendor", 3),
    ] {
        let v = diagnose(&["--token-error", &token_error(error, code)], exit);
        assert_doc(&v, outcome, who, &format!("AADSTS{code}"));
        assert!(v.get("retry_after").is_none(), "{v}");
    }
}

#[test]
fn every_graph_side_outcome_and_its_exit_code() {
    for (status, code, message, outcome, who, exit) in [
        (
            "404",
            "MailboxNotEnabledForRESTAPI",
            "The mailbox is either inactive, soft-deleted, or is hosted on-premise.",
            "mailbox_unavailable",
            "admin",
            3,
        ),
        (
            "403",
            "ErrorAccessDenied",
            "Access is denied. Check credentials and try again.",
            "scopes_missing",
            "user",
            3,
        ),
        (
            "403",
            "ErrorAccessDenied",
            "Access to OData is disabled.",
            "blocked_by_policy",
            "admin",
            3,
        ),
        (
            "401",
            "InvalidAuthenticationToken",
            "Access token has expired or is not yet valid.",
            "reauth_required",
            "user",
            3,
        ),
        (
            "404",
            "ErrorItemNotFound",
            "The specified object was not found in the store.",
            "unknown",
            "vendor",
            3,
        ),
    ] {
        let v = diagnose(&["--graph-error", status, &graph_error(code, message)], exit);
        assert_doc(&v, outcome, who, code);
    }
}

#[test]
fn healthy_exits_0_and_transient_exits_5_with_retry_after() {
    let v = diagnose(&["--graph-error", "200", r#"{"id":"AAMk"}"#], 0);
    assert_eq!(v["outcome"], "healthy");
    assert_eq!(v["who_acts"], "nobody");
    assert_eq!(v["code"], Value::Null);
    let v = diagnose(
        &[
            "--graph-error",
            "429",
            &graph_error("TooManyRequests", "Too many requests."),
            "--retry-after",
            "7",
        ],
        5,
    );
    assert_doc(&v, "transient", "nobody", "TooManyRequests");
    assert_eq!(v["retry_after"], 7);
    let v = diagnose(&["--token-error", "<html>busy</html>", "--token-status", "503"], 5);
    assert_doc(&v, "transient", "nobody", "HTTP 503");
    // Retry-After is dropped when the outcome is not transient.
    let v = diagnose(&["--token-error", &token_error("invalid_grant", 50173), "--retry-after", "7"], 3);
    assert!(v.get("retry_after").is_none(), "{v}");
}

#[test]
fn bodies_come_from_a_file_or_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("graph.json");
    std::fs::write(
        &file,
        graph_error("MailboxNotEnabledForRESTAPI", "REST API is not yet supported for this mailbox."),
    )
    .unwrap();
    let at = format!("@{}", file.display());
    assert_doc(
        &diagnose(&["--graph-error", "404", &at], 3),
        "mailbox_unavailable",
        "admin",
        "MailboxNotEnabledForRESTAPI",
    );

    let out = bare()
        .args(["--json", "link", "diagnose", "--token-error", "-"])
        .write_stdin(token_error("invalid_client", 7000215))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_doc(&v, "client_credentials_invalid", "vendor", "AADSTS7000215");

    let out = bare()
        .args(["--json", "link", "diagnose", "--graph-error", "503", "-"])
        .write_stdin("")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(5));

    let missing = format!("@{}", dir.path().join("nope.json").display());
    let out = bare().args(["link", "diagnose", "--token-error", &missing]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read --token-error"));
}

#[test]
fn human_output_names_the_outcome_who_acts_and_the_guidance_in_the_locale() {
    let out = bare()
        .args([
            "link",
            "diagnose",
            "--token-error",
            &token_error("invalid_grant", 50057),
            "--product-name",
            "Acme",
        ])
        .args(["--locale", "nl"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Outcome: account_unavailable"), "{text}");
    assert!(
        text.contains("Who acts:") && text.contains("admin") && text.contains("AADSTS50057"),
        "{text}"
    );
    assert!(text.contains("Wat uw beheerder doet"), "Dutch guidance: {text}");
    assert!(text.contains("Acme") && !text.contains("ClickThisPhishingLink"), "{text}");
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        vec!["link", "diagnose"],
        vec!["link", "diagnose", "--graph-error", "404"],
        vec!["link", "diagnose", "--graph-error", "abc", "{}"],
        vec!["link", "diagnose", "--graph-error", "99", "{}"],
        vec!["link", "diagnose", "--token-error", "{}", "--graph-error", "404", "{}"],
        vec!["link", "diagnose", "--graph-error", "404", "{}", "--token-status", "400"],
    ] {
        let out = bare().arg("--json").args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["error"]["kind"], "usage", "{args:?}");
    }
}
