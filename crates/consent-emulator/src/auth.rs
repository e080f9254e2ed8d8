//! Bearer tokens: opaque strings that carry who they act as, signed by the emulator.
//!
//! Real Entra issues signed JWTs; clients must treat them as opaque anyway. The emulator signs a
//! small JSON payload (principal, tenant, client app, expiry) with HMAC-SHA256 under a key drawn at
//! start, so it keeps no token table: memory stays flat however many tokens a test suite asks for,
//! and a token from another emulator (or a tampered one) is refused. Tokens from the token endpoint
//! expire on their tenant's clock (so advancing the mock clock expires them, as time would); tokens
//! handed out programmatically with
//! [`RunningEmulator::issue_token`](crate::RunningEmulator::issue_token) never expire, so a test
//! that moves the clock by 30 days keeps its connection.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use chrono::{DateTime, Utc};
use consent::AppId;
use consent_mock::Principal;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Prefix that makes emulator tokens recognisable in logs of the client side (never logged here).
const TOKEN_PREFIX: &str = "emu.";

/// What a bearer token stands for: who acts, in which tenant, through which client app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct TokenRecord {
    #[serde(rename = "p")]
    pub(crate) principal: Principal,
    /// Index of the tenant the token was issued for; Graph answers from that tenant only.
    #[serde(rename = "t")]
    pub(crate) tenant: usize,
    /// The client app that asked for it (the key of `--rate-limit` buckets).
    #[serde(rename = "c")]
    pub(crate) client: AppId,
    /// On the tenant's clock; `None` never expires.
    #[serde(rename = "e")]
    pub(crate) expires_at: Option<DateTime<Utc>>,
    /// The delegated scopes the token carries (Entra's `scp`), for tokens from the token endpoint;
    /// `None` for app-only tokens and for tokens handed out programmatically, which are not
    /// limited by scope.
    #[serde(rename = "s", default, skip_serializing_if = "Option::is_none")]
    pub(crate) scopes: Option<Vec<String>>,
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

/// The signed payload: the record plus a nonce, so two tokens issued alike still differ.
#[derive(Serialize, Deserialize)]
struct Claims {
    #[serde(flatten)]
    record: TokenRecord,
    #[serde(rename = "n")]
    nonce: String,
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

/// Longest token accepted (a payload with a long permission list stays far below).
const MAX_TOKEN_LEN: usize = 8 * 1024;

/// Issues and checks the emulator's tokens. Holds only the signing key.
pub(crate) struct TokenStore {
    key: [u8; 32],
}

impl std::fmt::Debug for TokenStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenStore").field("key", &"[redacted]").finish()
    }
}

impl Default for TokenStore {
    fn default() -> Self {
        let mut key = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut key);
        Self { key }
    }
}

impl TokenStore {
    /// A fresh token for `record`.
    pub(crate) fn issue(&self, record: TokenRecord) -> String {
        let claims = Claims {
            record,
            nonce: random_token(""),
        };
        // A struct of strings, ids and a date: serializing it cannot fail.
        let payload = serde_json::to_vec(&claims).unwrap_or_default();
        let mac = hmac_sha256(&self.key, &payload);
        format!("{TOKEN_PREFIX}{}.{}", URL_SAFE_NO_PAD.encode(&payload), URL_SAFE_NO_PAD.encode(mac))
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
        self.verify(token).ok_or(TokenProblem::Unknown)
    }

    fn verify(&self, token: &str) -> Option<TokenRecord> {
        if token.len() > MAX_TOKEN_LEN {
            return None;
        }
        let (payload, mac) = token.strip_prefix(TOKEN_PREFIX)?.split_once('.')?;
        let payload = URL_SAFE_NO_PAD.decode(payload).ok()?;
        let mac = URL_SAFE_NO_PAD.decode(mac).ok()?;
        if !bool::from(hmac_sha256(&self.key, &payload).as_slice().ct_eq(&mac)) {
            return None;
        }
        serde_json::from_slice::<Claims>(&payload).ok().map(|c| c.record)
    }
}

/// HMAC-SHA256 (RFC 2104) over `message`.
fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    // Keys here are 32 bytes; RFC 2104 would hash a key longer than the block first.
    debug_assert!(key.len() <= 64);
    const BLOCK: usize = 64;
    let mut inner = Sha256::new();
    let mut outer = Sha256::new();
    let (mut ipad, mut opad) = ([0x36u8; BLOCK], [0x5cu8; BLOCK]);
    for (i, k) in key.iter().enumerate() {
        ipad[i] ^= k;
        opad[i] ^= k;
    }
    inner.update(ipad);
    inner.update(message);
    outer.update(opad);
    outer.update(inner.finalize());
    outer.finalize().into()
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
            principal: Principal::App {
                permissions: vec!["Policy.Read.All".into()],
            },
            tenant: 3,
            client: AppId::new_random(),
            expires_at,
            scopes: None,
        }
    }

    #[test]
    fn issued_tokens_authenticate_until_they_expire() {
        let store = TokenStore::default();
        let now = Utc::now();
        let r = record(Some(now + Duration::hours(1)));
        let t = store.issue(r.clone());
        assert_ne!(t, store.issue(r.clone()), "tokens issued alike still differ");
        assert_eq!(store.lookup(Some(&format!("Bearer {t}"))).unwrap().check(now).unwrap(), r);
        assert_eq!(store.lookup(Some(&format!("bearer  {t} "))).unwrap(), r);
        assert_eq!(
            store.lookup(Some(&format!("Bearer {t}"))).unwrap().check(now + Duration::hours(2)),
            Err(TokenProblem::Expired)
        );
        let forever = store.issue(record(None));
        assert!(store
            .lookup(Some(&format!("Bearer {forever}")))
            .unwrap()
            .check(now + Duration::days(400))
            .is_ok());
    }

    #[test]
    fn missing_malformed_unknown_and_tampered_tokens_are_refused() {
        let store = TokenStore::default();
        assert_eq!(store.lookup(None), Err(TokenProblem::Missing));
        assert_eq!(store.lookup(Some("Bearer ")), Err(TokenProblem::Missing));
        assert_eq!(store.lookup(Some("Basic abc")), Err(TokenProblem::Malformed));
        assert_eq!(store.lookup(Some("token")), Err(TokenProblem::Malformed));
        assert_eq!(store.lookup(Some("Bearer emu.nope")), Err(TokenProblem::Unknown));
        let t = store.issue(record(None));
        let other = TokenStore::default();
        assert_eq!(
            other.lookup(Some(&format!("Bearer {t}"))),
            Err(TokenProblem::Unknown),
            "another emulator's key"
        );
        let forged_payload = URL_SAFE_NO_PAD
            .encode(br#"{"p":{"kind":"app","permissions":["x"]},"t":0,"c":"4b3c6a52-2f1d-4c7e-9a38-6f0e4d2b8c11","e":null,"n":"x"}"#);
        let forged = format!("{TOKEN_PREFIX}{forged_payload}.{}", t.rsplit('.').next().unwrap());
        assert_eq!(
            store.lookup(Some(&format!("Bearer {forged}"))),
            Err(TokenProblem::Unknown),
            "payload swapped"
        );
        let huge = format!("Bearer emu.{}", "a".repeat(100_000));
        assert_eq!(store.lookup(Some(&huge)), Err(TokenProblem::Unknown));
    }

    #[test]
    fn hmac_matches_rfc_4231_test_case_2() {
        let mac = hmac_sha256(b"Jefe", b"what do ya want for nothing?");
        let hex: String = mac.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }

    #[test]
    fn tokens_are_unique_and_long() {
        let a = random_token("x.");
        assert_ne!(a, random_token("x."));
        assert!(a.len() >= 45);
    }
}
