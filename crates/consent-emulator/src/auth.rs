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
use consent::AppId;
use consent_mock::Principal;
use rand::RngCore;

/// Prefix that makes emulator tokens recognisable in logs of the client side (never logged here).
const TOKEN_PREFIX: &str = "emu.";

/// What a bearer token stands for: who acts, in which tenant, through which client app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TokenRecord {
    pub(crate) principal: Principal,
    /// Index of the tenant the token was issued for; Graph answers from that tenant only.
    pub(crate) tenant: usize,
    /// The client app that asked for it (the key of `--rate-limit` buckets).
    pub(crate) client: AppId,
    /// On the tenant's clock; `None` never expires.
    pub(crate) expires_at: Option<DateTime<Utc>>,
}

impl TokenRecord {
    /// `Expired` once the tenant's clock reached the expiry.
    pub(crate) fn check(self, now: DateTime<Utc>) -> Result<Self, TokenProblem> {
        match self.expires_at {
            Some(exp) if exp <= now => Err(TokenProblem::Expired),
            _ => Ok(self),
        }
    }
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

/// Expired tokens are swept when the table grows past this many entries (and then past twice what
/// a sweep left), so a long run of token requests keeps the table at the live tokens.
const FIRST_SWEEP: usize = 1024;

/// The emulator's token table.
#[derive(Debug)]
pub(crate) struct TokenStore {
    inner: Mutex<Table>,
}

#[derive(Debug)]
struct Table {
    tokens: HashMap<String, TokenRecord>,
    sweep_at: usize,
}

impl Default for TokenStore {
    fn default() -> Self {
        Self {
            inner: Mutex::new(Table {
                tokens: HashMap::new(),
                sweep_at: FIRST_SWEEP,
            }),
        }
    }
}

impl TokenStore {
    /// A fresh token for `record`. When the table has grown, tokens expired on their tenant's clock
    /// (`now_of(tenant)`) are dropped first.
    pub(crate) fn issue(&self, record: TokenRecord, now_of: impl Fn(usize) -> Option<DateTime<Utc>>) -> String {
        let token = random_token(TOKEN_PREFIX);
        let mut t = self.lock();
        if t.tokens.len() >= t.sweep_at {
            t.tokens
                .retain(|_, r| !matches!((r.expires_at, now_of(r.tenant)), (Some(exp), Some(now)) if exp <= now));
            t.sweep_at = (t.tokens.len() * 2).max(FIRST_SWEEP);
        }
        t.tokens.insert(token.clone(), record);
        token
    }

    /// The record behind an `Authorization` header value (expiry is checked by the caller, against
    /// the token's tenant's clock: [`TokenRecord::check`]).
    pub(crate) fn lookup(&self, header: Option<&str>) -> Result<TokenRecord, TokenProblem> {
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
        self.lock().tokens.get(token).cloned().ok_or(TokenProblem::Unknown)
    }

    /// How many tokens the table holds.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.lock().tokens.len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Table> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
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

    fn record(expires_at: Option<DateTime<Utc>>) -> TokenRecord {
        TokenRecord {
            principal: Principal::User {
                id: consent::ObjectId::new_random(),
            },
            tenant: 0,
            client: AppId::new_random(),
            expires_at,
        }
    }

    #[test]
    fn issued_tokens_authenticate_until_they_expire() {
        let store = TokenStore::default();
        let now = Utc::now();
        let r = record(Some(now + Duration::hours(1)));
        let t = store.issue(r.clone(), |_| Some(now));
        assert_eq!(store.lookup(Some(&format!("Bearer {t}"))).unwrap().check(now).unwrap(), r);
        assert_eq!(store.lookup(Some(&format!("bearer  {t} "))).unwrap(), r);
        assert_eq!(
            store.lookup(Some(&format!("Bearer {t}"))).unwrap().check(now + Duration::hours(2)),
            Err(TokenProblem::Expired)
        );
        let forever = store.issue(record(None), |_| Some(now));
        assert!(store
            .lookup(Some(&format!("Bearer {forever}")))
            .unwrap()
            .check(now + Duration::days(400))
            .is_ok());
    }

    #[test]
    fn missing_malformed_and_unknown_tokens_are_refused() {
        let store = TokenStore::default();
        assert_eq!(store.lookup(None), Err(TokenProblem::Missing));
        assert_eq!(store.lookup(Some("Bearer ")), Err(TokenProblem::Missing));
        assert_eq!(store.lookup(Some("Basic abc")), Err(TokenProblem::Malformed));
        assert_eq!(store.lookup(Some("token")), Err(TokenProblem::Malformed));
        assert_eq!(store.lookup(Some("Bearer emu.nope")), Err(TokenProblem::Unknown));
    }

    #[test]
    fn expired_tokens_are_evicted_as_the_table_grows() {
        let store = TokenStore::default();
        let now = Utc::now();
        let keep = store.issue(record(None), |_| Some(now));
        for _ in 0..10_000 {
            store.issue(record(Some(now - Duration::seconds(1))), |_| Some(now));
        }
        assert!(store.len() <= 2 * FIRST_SWEEP, "{} tokens kept", store.len());
        assert!(store.lookup(Some(&format!("Bearer {keep}"))).is_ok(), "live tokens survive sweeps");
    }

    #[test]
    fn tokens_are_unique_and_long() {
        let a = random_token("x.");
        assert_ne!(a, random_token("x."));
        assert!(a.len() >= 45);
    }
}
