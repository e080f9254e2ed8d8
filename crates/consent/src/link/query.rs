//! Strict parsing of a callback's query string (or full callback URL).
//!
//! Callbacks come from the user's browser, so anyone can send one. The parser decodes exactly once,
//! never panics, bounds what it keeps, and refuses a security-relevant parameter that appears twice
//! (`state=good&state=evil` must not be read as whichever copy a framework happens to pick).

use std::collections::BTreeMap;

use crate::error::{Error, Result};

/// Longest callback accepted, in bytes. Microsoft's redirects are a few kB; 64 KiB leaves room for a
/// 10 kB description percent-encoded three times over while refusing absurd input early.
pub const MAX_CALLBACK_LEN: usize = 64 * 1024;
/// Longest `error_description` kept, in characters; the rest is cut (Microsoft's are ~300).
pub const MAX_DESCRIPTION_CHARS: usize = 2048;
/// Longest value kept for other short parameters (`error`, `error_subcode`, `tenant`, …).
const MAX_SHORT_CHARS: usize = 256;
/// More parameters than this is not a Microsoft redirect.
const MAX_PARAMS: usize = 64;

/// Parameters the link flows read; each may appear at most once.
const KNOWN: &[&str] = &[
    "code",
    "state",
    "error",
    "error_description",
    "error_codes",
    "error_subcode",
    "error_uri",
    "admin_consent",
    "tenant",
    "scope",
];

/// The decoded parameters of one callback.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct CallbackQuery {
    params: BTreeMap<&'static str, String>,
}

impl CallbackQuery {
    /// Parses a raw query (`a=1&b=2`, with or without a leading `?`) or a full callback URL.
    pub(crate) fn parse(input: &str) -> Result<Self> {
        if input.len() > MAX_CALLBACK_LEN {
            return Err(Error::invalid(
                "callback",
                format!("is {} bytes; a Microsoft redirect is far below {MAX_CALLBACK_LEN}", input.len()),
            ));
        }
        let mut params = BTreeMap::new();
        for (i, (key, value)) in url::form_urlencoded::parse(query_part(input).as_bytes()).enumerate() {
            if i >= MAX_PARAMS {
                return Err(Error::invalid("callback", format!("has more than {MAX_PARAMS} parameters")));
            }
            let Some(name) = KNOWN.iter().copied().find(|k| *k == key) else {
                continue; // e.g. session_state, client_info, iss: not needed, not trusted
            };
            if params.insert(name, value.into_owned()).is_some() {
                return Err(Error::invalid(
                    "callback",
                    format!(
                        "parameter `{name}` appears more than once; a genuine Microsoft redirect sends it once, so the callback is refused"
                    ),
                ));
            }
        }
        Ok(Self { params })
    }

    /// A parameter's decoded value (lossy UTF-8: invalid bytes become U+FFFD).
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.params.get(name).map(String::as_str)
    }

    /// A short parameter, cut to a bounded length.
    pub(crate) fn short(&self, name: &str) -> Option<String> {
        self.get(name).map(|v| cut(v, MAX_SHORT_CHARS))
    }

    /// `error_description`, cut to [`MAX_DESCRIPTION_CHARS`].
    pub(crate) fn description(&self) -> Option<String> {
        self.get("error_description").map(|v| cut(v, MAX_DESCRIPTION_CHARS))
    }

    /// The non-empty `error` parameter, if any.
    pub(crate) fn error(&self) -> Option<String> {
        self.short("error").filter(|e| !e.trim().is_empty())
    }
}

/// The query part of a full URL, or the input itself without a leading `?`. A `#fragment` is dropped:
/// the link flows ask for `response_mode=query`, so nothing they need is ever in a fragment.
fn query_part(input: &str) -> &str {
    let s = input.trim();
    let s = s.split('#').next().unwrap_or_default();
    let looks_like_url = s.starts_with("https://") || s.starts_with("http://");
    if looks_like_url {
        return s.split_once('?').map(|(_, q)| q).unwrap_or_default();
    }
    s.strip_prefix('?').unwrap_or(s)
}

/// Cuts `s` to at most `max` characters on a character boundary, marking the cut with `…`.
fn cut(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        None => s.to_owned(),
        Some((i, _)) => format!("{}…", &s[..i]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_query_with_or_without_question_mark_and_full_url() {
        for input in [
            "code=abc&state=xyz",
            "?code=abc&state=xyz",
            "https://crm.example.com/cb?code=abc&state=xyz",
            "https://crm.example.com/cb?code=abc&state=xyz#ignored=1",
        ] {
            let q = CallbackQuery::parse(input).unwrap();
            assert_eq!((q.get("code"), q.get("state")), (Some("abc"), Some("xyz")), "{input}");
        }
        assert_eq!(
            CallbackQuery::parse("https://crm.example.com/cb").unwrap(),
            CallbackQuery::default()
        );
    }

    #[test]
    fn duplicate_known_parameters_are_refused_unknown_ones_ignored() {
        let err = CallbackQuery::parse("state=a&code=c&state=b").unwrap_err().to_string();
        assert!(err.contains("`state` appears more than once"), "{err}");
        assert!(CallbackQuery::parse("code=a&code=b&state=s").is_err());
        // A duplicate hidden by encoding the key is still a duplicate after the single decode.
        assert!(CallbackQuery::parse("state=a&st%61te=b").is_err());
        let q = CallbackQuery::parse("session_state=1&session_state=2&state=s").unwrap();
        assert_eq!(q.get("state"), Some("s"));
    }

    #[test]
    fn decodes_exactly_once() {
        let q = CallbackQuery::parse("state=%2541&error_description=a+b%20c").unwrap();
        assert_eq!(q.get("state"), Some("%41"), "a double-encoded value stays encoded once");
        assert_eq!(q.get("error_description"), Some("a b c"));
    }

    #[test]
    fn non_utf8_bytes_become_replacement_characters() {
        let q = CallbackQuery::parse("state=%FF%FE&error=access_denied").unwrap();
        assert_eq!(q.get("state"), Some("\u{FFFD}\u{FFFD}"));
    }

    #[test]
    fn long_values_are_cut_on_char_boundaries() {
        let long = "é".repeat(10_000);
        let q = CallbackQuery::parse(&format!("error=x&error_description={long}")).unwrap();
        let d = q.description().unwrap();
        assert_eq!(d.chars().count(), MAX_DESCRIPTION_CHARS + 1);
        assert!(d.ends_with('…'));
        assert!(CallbackQuery::parse(&"a".repeat(MAX_CALLBACK_LEN + 1)).is_err());
        assert!(CallbackQuery::parse(&"x=1&".repeat(MAX_PARAMS + 1)).is_err());
    }

    #[test]
    fn blank_error_counts_as_absent() {
        assert_eq!(CallbackQuery::parse("error=&code=c").unwrap().error(), None);
        assert_eq!(CallbackQuery::parse("error=+&code=c").unwrap().error(), None);
    }
}
