//! Server-side state of the login pages: sign-ins in progress (keyed by an unguessable flow id the
//! forms carry), issued authorization codes (single use, expiring), and refresh tokens.

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, MutexGuard};

use chrono::{DateTime, Utc};
use consent::{AppId, ObjectId, ScopeSet};
use url::Url;

use crate::auth::random_token;

/// Most flows kept at once; the oldest are dropped beyond this so abandoned sign-ins cannot grow
/// memory without bound.
const MAX_FLOWS: usize = 10_000;

/// What the authorize request asked for, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AuthorizeRequest {
    /// Index of the tenant the sign-in happens in.
    pub(crate) tenant: usize,
    pub(crate) client_id: AppId,
    pub(crate) redirect_uri: Url,
    /// Scopes as Microsoft Graph names (resource prefix removed, `/.default` expanded).
    pub(crate) scopes: ScopeSet,
    /// True for `/.default` (a static request), false for explicit scopes (dynamic).
    pub(crate) is_static: bool,
    pub(crate) state: Option<String>,
    pub(crate) code_challenge: String,
    pub(crate) login_hint: Option<String>,
}

/// What the admin-consent request asked for, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AdminConsentRequest {
    /// Index of the tenant consented for.
    pub(crate) tenant: usize,
    pub(crate) client_id: AppId,
    pub(crate) redirect_uri: Url,
    pub(crate) scopes: ScopeSet,
    /// The `scope` parameter as sent, echoed on success.
    pub(crate) raw_scope: String,
    pub(crate) state: Option<String>,
}

/// A sign-in in progress.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Flow {
    Authorize {
        request: AuthorizeRequest,
        user: Option<ObjectId>,
    },
    AdminConsent {
        request: AdminConsentRequest,
        user: Option<ObjectId>,
    },
}

/// An issued authorization code.
#[derive(Debug, Clone)]
pub(crate) struct IssuedCode {
    /// Index of the tenant the code (and the tokens redeemed for it) belongs to.
    pub(crate) tenant: usize,
    pub(crate) client_id: AppId,
    pub(crate) redirect_uri: Url,
    pub(crate) user: ObjectId,
    pub(crate) scopes: ScopeSet,
    pub(crate) code_challenge: String,
    pub(crate) expires_at: DateTime<Utc>,
    pub(crate) redeemed: bool,
}

/// A refresh token's grant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RefreshGrant {
    pub(crate) tenant: usize,
    pub(crate) client_id: AppId,
    pub(crate) user: ObjectId,
    pub(crate) scopes: ScopeSet,
    /// When the user signed in for it, on the tenant's clock (kept across rotations): a password
    /// change after this time kills the token (AADSTS50173).
    pub(crate) auth_time: DateTime<Utc>,
}

/// Why a refresh token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RefreshProblem {
    /// Unknown, already used, or never issued.
    Unknown,
    /// Issued to another client; the token stays valid for its own client.
    WrongClient,
}

/// Codes are swept of expired entries when the table reaches this size (then twice what is left).
const FIRST_CODE_SWEEP: usize = 1024;

/// Why a code could not be redeemed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CodeProblem {
    Unknown,
    Replayed,
    Expired,
}

#[derive(Debug, Default)]
struct Inner {
    flows: HashMap<String, Flow>,
    /// Flow ids oldest first (finished ones are skipped when evicting).
    order: VecDeque<String>,
    codes: HashMap<String, IssuedCode>,
    /// Size of `codes` that triggers the next sweep (0 = the first threshold).
    code_sweep_at: usize,
    refresh: HashMap<String, RefreshGrant>,
}

/// The login pages' store. Locks are held only for map operations, never across `.await`.
#[derive(Debug, Default)]
pub(crate) struct Flows {
    inner: Mutex<Inner>,
}

impl Flows {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        crate::sync::lock(&self.inner)
    }

    /// Stores a new flow and returns its id.
    pub(crate) fn start(&self, flow: Flow) -> String {
        let id = random_token("flow.");
        let mut g = self.lock();
        while g.flows.len() >= MAX_FLOWS {
            match g.order.pop_front() {
                Some(oldest) => {
                    g.flows.remove(&oldest);
                }
                None => break,
            }
        }
        g.flows.insert(id.clone(), flow);
        g.order.push_back(id.clone());
        if g.order.len() > 2 * MAX_FLOWS {
            let Inner { flows, order, .. } = &mut *g;
            order.retain(|k| flows.contains_key(k));
        }
        id
    }

    /// The flow with this id.
    pub(crate) fn get(&self, id: &str) -> Option<Flow> {
        self.lock().flows.get(id).cloned()
    }

    /// Replaces the flow (e.g. after sign-in records the user).
    pub(crate) fn update(&self, id: &str, flow: Flow) {
        if let Some(entry) = self.lock().flows.get_mut(id) {
            *entry = flow;
        }
    }

    /// Ends the flow.
    pub(crate) fn finish(&self, id: &str) {
        self.lock().flows.remove(id);
    }

    /// Issues a code. When the table has grown, codes expired at `now` are dropped first (a swept
    /// code then answers "unknown" rather than "expired" or "replayed": both are `invalid_grant`).
    pub(crate) fn issue_code(&self, code: IssuedCode, now: DateTime<Utc>) -> String {
        let value = random_token("code.");
        let mut g = self.lock();
        if g.codes.len() >= g.code_sweep_at.max(FIRST_CODE_SWEEP) {
            g.codes.retain(|_, c| c.expires_at > now);
            g.code_sweep_at = (g.codes.len() * 2).max(FIRST_CODE_SWEEP);
        }
        g.codes.insert(value.clone(), code);
        value
    }

    /// Redeems a code: it is marked used on the first attempt, whatever happens next, so a replay
    /// (even after a failed verifier check) is refused.
    pub(crate) fn redeem_code(&self, code: &str, now: DateTime<Utc>) -> Result<IssuedCode, CodeProblem> {
        let mut g = self.lock();
        let issued = g.codes.get_mut(code).ok_or(CodeProblem::Unknown)?;
        if issued.redeemed {
            return Err(CodeProblem::Replayed);
        }
        issued.redeemed = true;
        if issued.expires_at <= now {
            return Err(CodeProblem::Expired);
        }
        Ok(issued.clone())
    }

    /// Issues a refresh token.
    pub(crate) fn issue_refresh(&self, grant: RefreshGrant) -> String {
        let value = random_token("rt.");
        self.lock().refresh.insert(value.clone(), grant);
        value
    }

    /// The grant behind a refresh token for `client`, without using it up (checks that may still
    /// refuse the refresh run in between; then [`consume_refresh`](Self::consume_refresh)).
    pub(crate) fn peek_refresh(&self, token: &str, client: Option<AppId>) -> Result<RefreshGrant, RefreshProblem> {
        let g = self.lock();
        let grant = g.refresh.get(token).ok_or(RefreshProblem::Unknown)?;
        if Some(grant.client_id) != client {
            return Err(RefreshProblem::WrongClient);
        }
        Ok(grant.clone())
    }

    /// Uses up a refresh token; `Unknown` when another request used it first.
    pub(crate) fn consume_refresh(&self, token: &str) -> Result<RefreshGrant, RefreshProblem> {
        self.lock().refresh.remove(token).ok_or(RefreshProblem::Unknown)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn code(expires_at: DateTime<Utc>) -> IssuedCode {
        IssuedCode {
            tenant: 0,
            client_id: AppId::new_random(),
            redirect_uri: Url::parse("http://127.0.0.1:1/cb").unwrap(),
            user: ObjectId::new_random(),
            scopes: ScopeSet::parse("User.Read").unwrap(),
            code_challenge: "c".into(),
            expires_at,
            redeemed: false,
        }
    }

    #[test]
    fn codes_are_single_use_and_expire() {
        let flows = Flows::default();
        let now = Utc::now();
        let c = flows.issue_code(code(now + Duration::minutes(10)), now);
        assert!(flows.redeem_code(&c, now).is_ok());
        assert_eq!(flows.redeem_code(&c, now).unwrap_err(), CodeProblem::Replayed);
        let old = flows.issue_code(code(now + Duration::minutes(10)), now);
        assert_eq!(
            flows.redeem_code(&old, now + Duration::minutes(11)).unwrap_err(),
            CodeProblem::Expired
        );
        assert_eq!(flows.redeem_code(&old, now).unwrap_err(), CodeProblem::Replayed);
        assert_eq!(flows.redeem_code("code.nope", now).unwrap_err(), CodeProblem::Unknown);
    }

    #[test]
    fn refresh_tokens_rotate() {
        let flows = Flows::default();
        let grant = RefreshGrant {
            tenant: 0,
            client_id: AppId::new_random(),
            user: ObjectId::new_random(),
            scopes: ScopeSet::new(),
            auth_time: Utc::now(),
        };
        let rt = flows.issue_refresh(grant.clone());
        let thief = Some(AppId::new_random());
        assert_eq!(flows.peek_refresh(&rt, thief), Err(RefreshProblem::WrongClient));
        assert_eq!(
            flows.peek_refresh(&rt, Some(grant.client_id)),
            Ok(grant.clone()),
            "not consumed by the thief, nor by a look"
        );
        assert_eq!(flows.consume_refresh(&rt), Ok(grant.clone()));
        assert_eq!(flows.peek_refresh(&rt, Some(grant.client_id)), Err(RefreshProblem::Unknown));
        assert_eq!(flows.consume_refresh(&rt), Err(RefreshProblem::Unknown));
    }

    #[test]
    fn expired_codes_are_swept_as_the_table_grows() {
        let flows = Flows::default();
        let now = Utc::now();
        let live = flows.issue_code(code(now + Duration::minutes(10)), now);
        for _ in 0..5_000 {
            flows.issue_code(code(now - Duration::minutes(1)), now);
        }
        assert!(flows.lock().codes.len() <= 2 * FIRST_CODE_SWEEP);
        assert!(flows.redeem_code(&live, now).is_ok());
    }

    #[test]
    fn flows_are_bounded() {
        let flows = Flows::default();
        let f = Flow::AdminConsent {
            request: AdminConsentRequest {
                tenant: 0,
                client_id: AppId::new_random(),
                redirect_uri: Url::parse("http://127.0.0.1:1/cb").unwrap(),
                scopes: ScopeSet::new(),
                raw_scope: String::new(),
                state: None,
            },
            user: None,
        };
        let first = flows.start(f.clone());
        for _ in 0..MAX_FLOWS {
            flows.start(f.clone());
        }
        assert!(flows.get(&first).is_none());
        assert_eq!(flows.lock().flows.len(), MAX_FLOWS);
    }
}
