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
    pub(crate) client_id: AppId,
    pub(crate) user: ObjectId,
    pub(crate) scopes: ScopeSet,
}

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
    refresh: HashMap<String, RefreshGrant>,
}

/// The login pages' store. Locks are held only for map operations, never across `.await`.
#[derive(Debug, Default)]
pub(crate) struct Flows {
    inner: Mutex<Inner>,
}

impl Flows {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
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

    /// Issues a code.
    pub(crate) fn issue_code(&self, code: IssuedCode) -> String {
        let value = random_token("code.");
        self.lock().codes.insert(value.clone(), code);
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

    /// Redeems a refresh token, rotating it: the old value stops working.
    pub(crate) fn redeem_refresh(&self, token: &str) -> Option<RefreshGrant> {
        self.lock().refresh.remove(token)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn code(expires_at: DateTime<Utc>) -> IssuedCode {
        IssuedCode {
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
        let c = flows.issue_code(code(now + Duration::minutes(10)));
        assert!(flows.redeem_code(&c, now).is_ok());
        assert_eq!(flows.redeem_code(&c, now).unwrap_err(), CodeProblem::Replayed);
        let old = flows.issue_code(code(now + Duration::minutes(10)));
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
            client_id: AppId::new_random(),
            user: ObjectId::new_random(),
            scopes: ScopeSet::new(),
        };
        let rt = flows.issue_refresh(grant.clone());
        assert_eq!(flows.redeem_refresh(&rt), Some(grant));
        assert_eq!(flows.redeem_refresh(&rt), None);
    }

    #[test]
    fn flows_are_bounded() {
        let flows = Flows::default();
        let f = Flow::AdminConsent {
            request: AdminConsentRequest {
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
