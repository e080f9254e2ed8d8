//! Access tokens with their expiry; every secret string is a [`consent::Secret`].

use std::fmt;

use chrono::{DateTime, Utc};

/// The workspace's one secret type (re-exported from [`consent::Secret`]): `Debug` prints
/// `[redacted]`, there is no `Display`, and `.secret()` reads it where it goes on the wire.
pub use consent::Secret;

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
    pub fn secret(&self) -> &str {
        self.secret.secret()
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
        assert_eq!(format!("{s:?}"), "[redacted]");
        let t = AccessToken::new("eyJ0eXAi.secret", None);
        assert!(!format!("{t:?}").contains("eyJ0eXAi"));
        assert_eq!(t.secret(), "eyJ0eXAi.secret");
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
