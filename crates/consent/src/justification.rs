//! The user's reason for asking, and the reviewer's reason for denying.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The most characters a [`Justification`] may hold.
///
/// Entra's "Approval required" form does not document a limit; 1000 characters is room for a real
/// reason while keeping request lists and notification emails readable.
pub const MAX_JUSTIFICATION_CHARS: usize = 1000;

/// A trimmed, non-empty, bounded justification without control characters (line breaks allowed).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Justification(String);

impl Justification {
    /// Validates a justification; leading and trailing whitespace is removed first.
    pub fn parse(s: &str) -> Result<Self> {
        let t = s.trim();
        if t.is_empty() {
            return Err(Error::invalid(
                "justification",
                "is empty; say why the app is needed (e.g. \"I need Carerix to sync my interview calendar\")",
            ));
        }
        let n = t.chars().count();
        if n > MAX_JUSTIFICATION_CHARS {
            return Err(Error::invalid(
                "justification",
                format!("is {n} characters; shorten it to at most {MAX_JUSTIFICATION_CHARS}"),
            ));
        }
        if let Some(c) = t.chars().find(|c| c.is_control() && *c != '\n' && *c != '\r' && *c != '\t') {
            return Err(Error::invalid("justification", format!("contains the control character {c:?}")));
        }
        Ok(Self(t.to_owned()))
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Justification {
    type Error = Error;
    fn try_from(s: String) -> Result<Self> {
        Self::parse(&s)
    }
}
impl From<Justification> for String {
    fn from(j: Justification) -> String {
        j.0
    }
}
impl fmt::Display for Justification {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl fmt::Debug for Justification {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Justification({:?})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_and_accepts_reasonable_text() {
        let j = Justification::parse("  I need my interviews in Outlook.\nThanks!  ").unwrap();
        assert_eq!(j.as_str(), "I need my interviews in Outlook.\nThanks!");
    }

    #[test]
    fn refuses_empty_whitespace_control_and_oversized() {
        for bad in [
            "".to_owned(),
            " \t\n ".to_owned(),
            "bell\u{7}".to_owned(),
            "x".repeat(MAX_JUSTIFICATION_CHARS + 1),
        ] {
            let err = Justification::parse(&bad).unwrap_err();
            assert!(
                matches!(
                    err,
                    Error::InvalidInput {
                        field: "justification",
                        ..
                    }
                ),
                "{err:?}"
            );
        }
        assert!(Justification::parse(&"é".repeat(MAX_JUSTIFICATION_CHARS)).is_ok());
    }

    proptest::proptest! {
        #[test]
        fn never_panics(s in "\\PC{0,1200}") {
            let _ = Justification::parse(&s);
        }
    }
}
