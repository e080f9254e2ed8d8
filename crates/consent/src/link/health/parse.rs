//! Reading the two kinds of error body, bounded and without trusting anything in them.
//!
//! Bodies come from the network (or, through the CLI, from anyone), so: a body over
//! [`MAX_BODY_BYTES`] is not parsed; identifiers are kept only when they look like identifiers; the
//! description is cut to [`MAX_DESCRIPTION_CHARS`] and stripped of control characters; message text
//! is only searched, never kept.

use serde_json::Value;

use crate::link::codes::extract_codes;
use crate::link::MAX_DESCRIPTION_CHARS;

/// Longest body parsed, in bytes. Microsoft's error bodies are well under 2 kB.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// Longest identifier kept (`error`, `suberror`, Graph `error.code`).
const MAX_IDENT_CHARS: usize = 64;
/// At most this many AADSTS codes are kept.
const MAX_CODES: usize = 16;
/// How much of a Graph `message` is searched for the documented fragments.
const MAX_MESSAGE_SEARCHED: usize = 4096;

/// What a token-endpoint error body says, bounded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct TokenBody {
    pub(super) error: Option<String>,
    pub(super) suberror: Option<String>,
    pub(super) codes: Vec<u32>,
    pub(super) description: Option<String>,
}

/// What a Graph error body says, bounded. The message is lower-cased for searching only.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct GraphBody {
    pub(super) code: Option<String>,
    pub(super) message_lower: String,
    pub(super) description: Option<String>,
}

fn parse_json(body: &str) -> Option<Value> {
    (body.len() <= MAX_BODY_BYTES).then(|| serde_json::from_str(body).ok()).flatten()
}

/// `{"error": "...", "error_description": "...", "error_codes": [..], "suberror": "..."}`. Anything
/// else (not JSON, not an object, `error` missing) yields the default: no signal at all.
pub(super) fn token_body(body: &str) -> TokenBody {
    let Some(Value::Object(map)) = parse_json(body) else {
        return TokenBody::default();
    };
    let text = |k: &str| map.get(k).and_then(Value::as_str);
    let description = text("error_description");
    let listed = map.get("error_codes").map(listed_codes).unwrap_or_default();
    let embedded = extract_codes(None, description);
    let mut codes: Vec<u32> = Vec::new();
    for c in listed.into_iter().chain(embedded) {
        if codes.len() < MAX_CODES && !codes.contains(&c) {
            codes.push(c);
        }
    }
    TokenBody {
        error: text("error").and_then(ident),
        suberror: text("suberror").and_then(ident),
        codes,
        description: description.map(bounded_description),
    }
}

/// `error_codes` as Microsoft sends it (`[70002, 54005]`), or as a string (`"[70002]"`, `"70002"`).
fn listed_codes(v: &Value) -> Vec<u32> {
    match v {
        Value::Array(items) => items
            .iter()
            .take(MAX_CODES * 4)
            .filter_map(|i| match i {
                Value::Number(n) => n.as_u64().and_then(|n| u32::try_from(n).ok()),
                Value::String(s) => extract_codes(Some(s), None).first().copied(),
                _ => None,
            })
            .collect(),
        Value::String(s) => extract_codes(Some(s), None),
        Value::Number(n) => n.as_u64().and_then(|n| u32::try_from(n).ok()).into_iter().collect(),
        _ => Vec::new(),
    }
}

/// `{"error": {"code": "...", "message": "...", "innerError": {...}}}`.
pub(super) fn graph_body(body: &str) -> GraphBody {
    let Some(value) = parse_json(body) else {
        return GraphBody::default();
    };
    let error = value.get("error");
    let text = |k: &str| error.and_then(|e| e.get(k)).and_then(Value::as_str);
    let message = text("message").unwrap_or_default();
    GraphBody {
        code: text("code").and_then(ident),
        message_lower: message.chars().take(MAX_MESSAGE_SEARCHED).collect::<String>().to_lowercase(),
        description: (!message.is_empty()).then(|| bounded_description(message)),
    }
}

/// An identifier as Microsoft writes them (`invalid_grant`, `MailboxNotEnabledForRESTAPI`,
/// `Authorization_RequestDenied`), or `None` for anything else: such values reach logs, JSON and
/// guidance, so nothing that could carry markup, spaces or control characters is kept.
pub(crate) fn ident(s: &str) -> Option<String> {
    let ok = !s.is_empty() && s.len() <= MAX_IDENT_CHARS && s.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'));
    ok.then(|| s.to_owned())
}

/// The description for support (trace and correlation ids), cut and without control characters.
fn bounded_description(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(MAX_DESCRIPTION_CHARS)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_body_reads_list_then_description_codes() {
        let b = token_body(
            r#"{"error":"invalid_grant","error_description":"AADSTS50173: The grant was revoked. AADSTS70000","error_codes":[50173,54005],"suberror":"bad_token"}"#,
        );
        assert_eq!(b.error.as_deref(), Some("invalid_grant"));
        assert_eq!(b.suberror.as_deref(), Some("bad_token"));
        assert_eq!(b.codes, vec![50173, 54005, 70000]);
        assert!(b.description.unwrap().starts_with("AADSTS50173"));
    }

    #[test]
    fn odd_code_lists_are_read_or_skipped() {
        assert_eq!(token_body(r#"{"error":"x","error_codes":"[65001]"}"#).codes, vec![65001]);
        assert_eq!(
            token_body(r#"{"error":"x","error_codes":["65001", -1, 1.5, 99999999999]}"#).codes,
            vec![65001]
        );
        assert_eq!(token_body(r#"{"error":"x","error_codes":{"a":1}}"#).codes, Vec::<u32>::new());
    }

    #[test]
    fn identifiers_with_markup_or_spaces_are_dropped() {
        assert_eq!(ident("invalid_grant").as_deref(), Some("invalid_grant"));
        for bad in ["", "<script>", "a b", "x\ny", &"a".repeat(65)] {
            assert_eq!(ident(bad), None, "{bad:?}");
        }
        assert_eq!(token_body(r#"{"error":"<b>x</b>"}"#).error, None);
    }

    #[test]
    fn oversize_and_non_json_bodies_say_nothing() {
        let big = format!(
            r#"{{"error":"invalid_grant","error_description":"{}"}}"#,
            "A".repeat(MAX_BODY_BYTES)
        );
        assert_eq!(token_body(&big), TokenBody::default());
        assert_eq!(token_body("<html>503</html>"), TokenBody::default());
        assert_eq!(graph_body("[1,2]"), GraphBody::default());
    }

    #[test]
    fn descriptions_are_cut_and_lose_control_characters() {
        let long = format!(r#"{{"error":"x","error_description":"a\u0007b{}"}}"#, "c".repeat(5000));
        let d = token_body(&long).description.unwrap();
        assert_eq!(d.chars().count(), MAX_DESCRIPTION_CHARS);
        assert!(d.starts_with("a b"));
    }
}
