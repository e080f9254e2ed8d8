//! The admin center's session: signed in through the emulator's own sign-in form, kept in an
//! HttpOnly, SameSite=Lax cookie holding a random session id, with a CSRF token per session that
//! every form POST must carry (a POST without it, or with another session's, is a 403). The
//! sign-in form itself is guarded by a double-submit token (cookie + hidden field), so a foreign
//! page cannot sign a browser in as someone else.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use consent::ObjectId;
use subtle::ConstantTimeEq;

use crate::auth::random_token;

/// The session cookie.
pub(crate) const SESSION_COOKIE: &str = "entra_admin_session";
/// The sign-in form's double-submit cookie.
pub(crate) const SIGNIN_COOKIE: &str = "entra_admin_signin";
/// Sessions end after 8 hours (wall clock: the tenant clock is test-controlled and may jump).
const LIFETIME: Duration = Duration::from_secs(8 * 3600);
/// At most this many live sessions; the oldest goes first.
const MAX_SESSIONS: usize = 10_000;

/// One signed-in browser.
#[derive(Debug, Clone)]
pub(crate) struct Session {
    /// The tenant signed in to (index into the served tenants).
    pub(crate) tenant: usize,
    /// The signed-in user.
    pub(crate) user: ObjectId,
    /// The token every form of this session carries.
    pub(crate) csrf: String,
    started: Instant,
}

/// The live sessions, by id.
#[derive(Debug, Default)]
pub(crate) struct Sessions {
    live: Mutex<HashMap<String, Session>>,
}

impl Sessions {
    /// Starts a session and returns its id.
    pub(crate) fn start(&self, tenant: usize, user: ObjectId) -> String {
        let id = random_token("");
        let session = Session {
            tenant,
            user,
            csrf: random_token(""),
            started: Instant::now(),
        };
        let mut live = crate::sync::lock(&self.live);
        live.retain(|_, s| s.started.elapsed() < LIFETIME);
        if live.len() >= MAX_SESSIONS {
            if let Some(oldest) = live.iter().min_by_key(|(_, s)| s.started).map(|(k, _)| k.clone()) {
                live.remove(&oldest);
            }
        }
        live.insert(id.clone(), session);
        id
    }

    /// The session a cookie jar names, if it is live.
    pub(crate) fn find(&self, jar: &CookieJar) -> Option<Session> {
        let id = jar.get(SESSION_COOKIE)?.value().to_owned();
        let live = crate::sync::lock(&self.live);
        live.get(&id).filter(|s| s.started.elapsed() < LIFETIME).cloned()
    }

    /// Ends the session a cookie jar names.
    pub(crate) fn end(&self, jar: &CookieJar) {
        if let Some(c) = jar.get(SESSION_COOKIE) {
            let mut live = crate::sync::lock(&self.live);
            live.remove(c.value());
        }
    }
}

/// True when `sent` equals `expected` (constant time; an empty token never matches).
pub(crate) fn token_matches(sent: Option<&str>, expected: &str) -> bool {
    match sent {
        Some(s) if !s.is_empty() && !expected.is_empty() => bool::from(s.as_bytes().ct_eq(expected.as_bytes())),
        _ => false,
    }
}

/// A cookie scoped to the admin center: HttpOnly, SameSite=Lax, path `/admin`.
pub(crate) fn cookie(name: &'static str, value: String) -> Cookie<'static> {
    let mut c = Cookie::new(name, value);
    c.set_http_only(true);
    c.set_same_site(SameSite::Lax);
    c.set_path("/admin");
    c
}

/// The removal of a cookie set by [`cookie`].
pub(crate) fn removal(name: &'static str) -> Cookie<'static> {
    let mut c = cookie(name, String::new());
    c.make_removal();
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_must_be_present_and_equal() {
        assert!(token_matches(Some("abc"), "abc"));
        assert!(!token_matches(Some("abd"), "abc"));
        assert!(!token_matches(None, "abc"));
        assert!(!token_matches(Some(""), ""));
    }

    #[test]
    fn cookies_are_http_only_and_lax() {
        let c = cookie(SESSION_COOKIE, "x".into()).to_string();
        assert!(
            c.contains("HttpOnly") && c.contains("SameSite=Lax") && c.contains("Path=/admin"),
            "{c}"
        );
    }

    #[test]
    fn ended_sessions_are_gone() {
        let sessions = Sessions::default();
        let id = sessions.start(0, ObjectId::new_random());
        let jar = CookieJar::new().add(Cookie::new(SESSION_COOKIE, id));
        assert!(sessions.find(&jar).is_some());
        sessions.end(&jar);
        assert!(sessions.find(&jar).is_none());
    }
}
