//! Audit-log text built without the formatter, byte for byte what the `format!` it replaces wrote:
//! these details are written on every workflow step, and the formatter's machinery cost more than
//! the text itself.

use std::fmt::Write as _;

use consent::ScopeSet;
use uuid::Uuid;

/// Appends `n` in decimal, as `{n}` would.
pub(crate) fn push_decimal(out: &mut String, mut n: u64) {
    let mut digits = [0u8; 20]; // u64::MAX has 20 digits
    let mut start = digits.len();
    loop {
        start -= 1;
        // `n % 10` is below 10, so the cast keeps every bit.
        digits[start] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for d in &digits[start..] {
        out.push(char::from(*d));
    }
}

/// Appends the set's wire form, as `{scopes}` would.
pub(crate) fn push_scopes(out: &mut String, scopes: &ScopeSet) {
    for (i, s) in scopes.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(s.as_str());
    }
}

/// Appends `s` quoted, as `{s:?}` would. Printable ASCII other than `"` and `\` is written as it
/// is (what `Debug` does with it); anything else goes through `Debug` itself, which knows its
/// escapes.
pub(crate) fn push_debug_quoted(out: &mut String, s: &str) {
    if s.bytes().all(|b| (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\') {
        out.push('"');
        out.push_str(s);
        out.push('"');
    } else {
        // Writing into a `String` cannot fail.
        let _ = write!(out, "{s:?}");
    }
}

/// A GUID in its usual lowercase hyphenated form (as `Display` writes it), on the stack.
pub(crate) fn with_guid<R>(id: Uuid, f: impl FnOnce(&str) -> R) -> R {
    let mut buf = Uuid::encode_buffer();
    f(id.hyphenated().encode_lower(&mut buf))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_writes_what_the_formatter_writes() {
        for n in [0u64, 7, 10, 30, 4_294_967_295, u64::MAX] {
            let mut s = String::new();
            push_decimal(&mut s, n);
            assert_eq!(s, n.to_string());
        }
        for v in [
            "I schedule interviews",
            "",
            "say \"hi\"",
            "back\\slash",
            "tab\there",
            "naïve ✓",
            "nul\0",
            "\u{301}e",
        ] {
            let mut s = String::new();
            push_debug_quoted(&mut s, v);
            assert_eq!(s, format!("{v:?}"));
        }
        let scopes = ScopeSet::parse("Calendars.ReadWrite User.Read offline_access").unwrap();
        let mut s = String::new();
        push_scopes(&mut s, &scopes);
        assert_eq!(s, scopes.to_string());
        let id = Uuid::from_u128(0x0123_4567_89ab_cdef_0123_4567_89ab_cdef);
        assert_eq!(with_guid(id, |g| g.to_owned()), id.to_string());
    }
}
