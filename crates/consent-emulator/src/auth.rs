//! Bearer tokens: opaque random strings mapped to the principal they act as.
//!
//! Real Entra issues signed JWTs; clients must treat them as opaque anyway, so the emulator keeps a
//! table instead of signing anything. Tokens from the token endpoint expire on the tenant's clock
//! (so advancing the mock clock expires them, as time would); tokens handed out programmatically
//! with [`RunningEmulator::issue_token`](crate::RunningEmulator::issue_token) never expire, so a test
//! that moves the clock by 30 days keeps its connection.

use std::collections::HashMap;
use std::sync::Mutex;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use chrono::{DateTime, Utc};
use consent_mock::Principal;
use rand::RngCore;

/// Prefix that makes emulator tokens recognisable in logs of the client side (never logged here).
const TOKEN_PREFIX: &str = "emu.";

#[derive(Debug, Clone)]
struct TokenRecord {
    principal: Principal,
    expires_at: Option<DateTime<Utc>>,
}

/// Why a bearer token was refused; the message goes into the 401 body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenProblem {
    Missing,
    Malformed,
    Unknown,
    Expired,
}

impl TokenProblem {
    pub(crate) fn message(self) -> &'static str {
        match self {
            TokenProblem::Missing => "Access token is empty.",
            TokenProblem::Malformed => "The Authorization header must be 'Bearer <token>'.",
            TokenProblem::Unknown => "Access token validation failure: the token was not issued by this emulator.",
            TokenProblem::Expired => "Lifetime validation failed, the token is expired.",
        }
    }
}

/// The emulator's token table.
#[derive(Debug, Default)]
pub(crate) struct TokenStore {
    tokens: Mutex<HashMap<String, TokenRecord>>,
}

impl TokenStore {
    /// A fresh token for `principal`, valid until `expires_at` (or forever).
    pub(crate) fn issue(&self, principal: Principal, expires_at: Option<DateTime<Utc>>) -> String {
        let token = random_token(TOKEN_PREFIX);
        let record = TokenRecord { principal, expires_at };
        self.lock().insert(token.clone(), record);
        token
    }

    /// The principal behind an `Authorization` header value, checked against `now`.
    pub(crate) fn authenticate(&self, header: Option<&str>, now: DateTime<Utc>) -> Result<Principal, TokenProblem> {
        let header = header
            .map(str::trim)
            .filter(|h| !h.is_empty() && !h.eq_ignore_ascii_case("bearer"))
            .ok_or(TokenProblem::Missing)?;
        let (scheme, token) = header.split_once(' ').ok_or(TokenProblem::Malformed)?;
        if !scheme.eq_ignore_ascii_case("bearer") {
            return Err(TokenProblem::Malformed);
        }
        let token = token.trim();
        if token.is_empty() {
            return Err(TokenProblem::Missing);
        }
        let record = self.lock().get(token).cloned().ok_or(TokenProblem::Unknown)?;
        match record.expires_at {
            Some(exp) if exp <= now => Err(TokenProblem::Expired),
            _ => Ok(record.principal),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, TokenRecord>> {
        self.tokens.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// `prefix` followed by 256 random bits, base64url.
pub(crate) fn random_token(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn user() -> Principal {
        Principal::User {
            id: consent::ObjectId::new_random(),
        }
    }

    #[test]
    fn issued_tokens_authenticate_until_they_expire() {
        let store = TokenStore::default();
        let now = Utc::now();
        let p = user();
        let t = store.issue(p.clone(), Some(now + Duration::hours(1)));
        assert_eq!(store.authenticate(Some(&format!("Bearer {t}")), now).unwrap(), p);
        assert_eq!(store.authenticate(Some(&format!("bearer  {t} ")), now).unwrap(), p);
        assert_eq!(
            store.authenticate(Some(&format!("Bearer {t}")), now + Duration::hours(2)),
            Err(TokenProblem::Expired)
        );
        let forever = store.issue(p.clone(), None);
        assert!(store
            .authenticate(Some(&format!("Bearer {forever}")), now + Duration::days(400))
            .is_ok());
    }

    #[test]
    fn missing_malformed_and_unknown_tokens_are_refused() {
        let store = TokenStore::default();
        let now = Utc::now();
        assert_eq!(store.authenticate(None, now), Err(TokenProblem::Missing));
        assert_eq!(store.authenticate(Some("Bearer "), now), Err(TokenProblem::Missing));
        assert_eq!(store.authenticate(Some("Basic abc"), now), Err(TokenProblem::Malformed));
        assert_eq!(store.authenticate(Some("token"), now), Err(TokenProblem::Malformed));
        assert_eq!(store.authenticate(Some("Bearer emu.nope"), now), Err(TokenProblem::Unknown));
    }

    #[test]
    fn tokens_are_unique_and_long() {
        let a = random_token("x.");
        assert_ne!(a, random_token("x."));
        assert!(a.len() >= 45);
    }
}
