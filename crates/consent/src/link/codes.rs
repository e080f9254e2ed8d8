//! AADSTS codes: where they are read from, and what each one means for a link attempt.
//!
//! Codes come only from the `error_codes` parameter (`[90094]`, `90094,50011`) and from `AADSTS`
//! followed by digits in `error_description`. The English text around them is never interpreted:
//! Microsoft rewords messages, and the numbers are what its reference documents.

use serde::{Deserialize, Serialize};

/// At most this many codes are kept from one callback.
const MAX_CODES: usize = 16;
/// An AADSTS number has at most this many digits (the longest documented ones have 7).
const MAX_DIGITS: usize = 9;

/// Why the app's own configuration made Microsoft refuse the sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Misconfiguration {
    /// AADSTS50011: the `redirect_uri` is not registered on the app.
    RedirectUriMismatch,
    /// AADSTS650053 / 65005 / 650057: a scope or resource the app asks for does not exist or is not in
    /// the app's required permissions.
    UnknownScopeOrResource,
    /// AADSTS70011: a scope value is malformed or not valid for the resource.
    InvalidScope,
}

/// What one AADSTS code means for a user link attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "class", rename_all = "snake_case")]
pub enum CodeClass {
    /// 90094 (`can_request: false`, the workflow is off) or 90095 (`can_request: true`, the
    /// "Approval required" form is offered).
    AdminApprovalRequired {
        /// Whether the user can send a request from Microsoft's prompt.
        can_request: bool,
    },
    /// 65001: no consent exists yet; an interactive sign-in is needed.
    ConsentRequired,
    /// 65004: the user declined on the consent page.
    UserCancelled,
    /// 700016 / 700011: the app is not present in the tenant (or the client id is wrong).
    AppNotInTenant,
    /// 900941 (workflow off) / 900981 (workflow on): Microsoft judged the app risky and stepped
    /// consent up to an admin.
    RiskyAppBlocked {
        /// Whether the user can send a request from Microsoft's prompt (900981).
        can_request: bool,
    },
    /// The app's registration or the request is wrong; only the vendor can fix it.
    Misconfigured(Misconfiguration),
}

/// The code → class table, as implemented. Codes not listed classify as `Other`.
pub const LINK_CODE_TABLE: &[(u32, CodeClass)] = &[
    (90094, CodeClass::AdminApprovalRequired { can_request: false }),
    (90095, CodeClass::AdminApprovalRequired { can_request: true }),
    (65001, CodeClass::ConsentRequired),
    (65004, CodeClass::UserCancelled),
    (700016, CodeClass::AppNotInTenant),
    (700011, CodeClass::AppNotInTenant),
    (900941, CodeClass::RiskyAppBlocked { can_request: false }),
    (900981, CodeClass::RiskyAppBlocked { can_request: true }),
    (50011, CodeClass::Misconfigured(Misconfiguration::RedirectUriMismatch)),
    (650053, CodeClass::Misconfigured(Misconfiguration::UnknownScopeOrResource)),
    (65005, CodeClass::Misconfigured(Misconfiguration::UnknownScopeOrResource)),
    (650057, CodeClass::Misconfigured(Misconfiguration::UnknownScopeOrResource)),
    (70011, CodeClass::Misconfigured(Misconfiguration::InvalidScope)),
];

/// The class of one code, if the table knows it.
pub fn classify_code(code: u32) -> Option<CodeClass> {
    LINK_CODE_TABLE.iter().find(|(c, _)| *c == code).map(|(_, class)| *class)
}

/// The class of the first known code, in the order given (the `error_codes` parameter first, then the
/// description), so the code Microsoft lists first decides.
pub fn classify_codes(codes: &[u32]) -> Option<CodeClass> {
    codes.iter().find_map(|c| classify_code(*c))
}

/// Every distinct code in `error_codes` and in `AADSTS…` tokens of `description`, in that order.
pub fn extract_codes(error_codes: Option<&str>, description: Option<&str>) -> Vec<u32> {
    let listed = error_codes.into_iter().flat_map(parse_code_list);
    let embedded = description.into_iter().flat_map(aadsts_tokens);
    let mut out: Vec<u32> = Vec::new();
    for code in listed.chain(embedded) {
        if out.len() == MAX_CODES {
            break;
        }
        if !out.contains(&code) {
            out.push(code);
        }
    }
    out
}

/// `[90094]`, `90094,50011`, `[90094, 50011]`: numbers separated by commas or spaces, optionally in
/// brackets. Anything that is not a number is skipped.
fn parse_code_list(list: &str) -> impl Iterator<Item = u32> + '_ {
    list.split(|c: char| c == ',' || c == '[' || c == ']' || c.is_whitespace())
        .filter_map(|t| parse_number(t.trim()))
}

/// The numbers that directly follow each `AADSTS` in `text`.
fn aadsts_tokens(text: &str) -> impl Iterator<Item = u32> + '_ {
    text.match_indices("AADSTS").filter_map(|(i, m)| {
        let rest = &text[i + m.len()..];
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        parse_number(&rest[..digits])
    })
}

fn parse_number(t: &str) -> Option<u32> {
    let ok = !t.is_empty() && t.len() <= MAX_DIGITS && t.bytes().all(|b| b.is_ascii_digit());
    ok.then(|| t.parse().ok()).flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_come_from_the_list_and_from_aadsts_tokens() {
        assert_eq!(extract_codes(Some("[90094]"), None), vec![90094]);
        assert_eq!(extract_codes(Some("90094,50011"), None), vec![90094, 50011]);
        assert_eq!(extract_codes(Some("[90095, 50011]"), None), vec![90095, 50011]);
        let d = "AADSTS90094: Admin consent is required. Trace ID: 1 Correlation ID: 2 Timestamp: 2026-01-01";
        assert_eq!(extract_codes(None, Some(d)), vec![90094]);
        assert_eq!(
            extract_codes(Some("[65004]"), Some("AADSTS65004: x AADSTS50011")),
            vec![65004, 50011]
        );
    }

    #[test]
    fn english_text_and_malformed_numbers_yield_nothing() {
        for d in [
            "Need admin approval",
            "admin consent required 90094",
            "aadsts90094 lowercase is not Microsoft's form",
            "AADSTS: no digits",
            "AADSTS12345678901234567890 too long",
        ] {
            assert_eq!(extract_codes(None, Some(d)), Vec::<u32>::new(), "{d}");
        }
        assert_eq!(extract_codes(Some("abc,-1,+5,90094x"), None), Vec::<u32>::new());
    }

    #[test]
    fn at_most_sixteen_distinct_codes_are_kept() {
        let many = (1..100).map(|n| n.to_string()).collect::<Vec<_>>().join(",");
        assert_eq!(extract_codes(Some(&many), None).len(), MAX_CODES);
        assert_eq!(extract_codes(Some("1,1,1"), Some("AADSTS1")), vec![1]);
    }

    #[test]
    fn first_known_code_decides() {
        assert_eq!(
            classify_codes(&[12345, 90095, 90094]),
            Some(CodeClass::AdminApprovalRequired { can_request: true })
        );
        assert_eq!(classify_codes(&[12345]), None);
    }

    proptest::proptest! {
        #[test]
        fn extraction_never_panics(list in "\\PC{0,200}", desc in "\\PC{0,400}") {
            let codes = extract_codes(Some(&list), Some(&desc));
            proptest::prop_assert!(codes.len() <= MAX_CODES);
        }
    }
}
