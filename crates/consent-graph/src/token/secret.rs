//! Secret strings (client secrets, tokens, codes, PKCE verifiers) that never print.

use std::fmt;

use chrono::{DateTime, Utc};

/// A string that must not appear in logs: `Debug` and `Display` print `[redacted]`.
///
/// Read it only where it goes on the wire, with [`expose_secret`](Self::expose_secret).
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself, for the one place that sends it.
    pub fn expose_secret(&self) -> &str {
        &self.0
    }

    /// True when the secret is the empty string.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl From<String> for Secret {
    fn from(s: String) -> Self {
        Self(s)
    }
}

impl From<&str> for Secret {
    fn from(s: &str) -> Self {
        Self(s.to_owned())
    }
}

/// A bearer token for Microsoft Graph with its expiry, if known.
#[derive(Clone, PartialEq, Eq)]
pub struct AccessToken {
    secret: Secret,
    expires_at: Option<DateTime<Utc>>,
}

impl AccessToken {
    /// A token that expires at `expires_at` (`None`: unknown, treated as never expiring).
    pub fn new(secret: impl Into<Secret>, expires_at: Option<DateTime<Utc>>) -> Self {
        Self {
            secret: secret.into(),
            expires_at,
        }
    }

    /// The bearer value, for the `Authorization` header only.
    pub fn expose_secret(&self) -> &str {
        self.secret.expose_secret()
    }

    /// When the token stops working, if known.
    pub fn expires_at(&self) -> Option<DateTime<Utc>> {
        self.expires_at
    }

    /// True when the token is still usable at `now` with `margin` to spare.
    pub fn is_fresh(&self, now: DateTime<Utc>, margin: chrono::Duration) -> bool {
        self.expires_at.is_none_or(|at| now + margin < at)
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessToken")
            .field("secret", &self.secret)
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_print() {
        let s = Secret::new("hunter2-very-secret");
        assert_eq!(format!("{s}"), "[redacted]");
        assert_eq!(format!("{s:?}"), "[redacted]");
        let t = AccessToken::new("eyJ0eXAi.secret", None);
        assert!(!format!("{t:?}").contains("eyJ0eXAi"));
        assert_eq!(t.expose_secret(), "eyJ0eXAi.secret");
    }

    #[test]
    fn freshness_respects_the_margin() {
        let now = DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z").unwrap().with_timezone(&Utc);
        let t = AccessToken::new("x", Some(now + chrono::Duration::minutes(10)));
        assert!(t.is_fresh(now, chrono::Duration::minutes(5)));
        assert!(!t.is_fresh(now + chrono::Duration::minutes(5), chrono::Duration::minutes(5)));
        assert!(AccessToken::new("x", None).is_fresh(now, chrono::Duration::days(999)));
    }
}
