//! [`check_link`]: is a user's linked account still usable, and if not, why and who acts?
//!
//! Exactly two round trips at most: the refresh-token grant at the token endpoint, then one cheap
//! read, `GET /me/calendar?$select=id`. Each answer is classified by
//! [`consent::link::LinkHealth`]; the refresh token Entra hands back (it rotates on every
//! refresh) is returned for the product to store. Nothing is retried: a throttled or unavailable
//! answer comes back as [`HealthOutcome::Transient`](consent::link::HealthOutcome::Transient) with
//! its `Retry-After`, so the caller decides when to look again. Tokens and the client secret are
//! [`Secret`]s and never print.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use consent::link::{Authority, LinkHealth, MAX_BODY_BYTES};
use consent::{AppId, Clock, Error, Result, ScopeSet, SystemClock, TenantId};
use serde::Deserialize;
use url::Url;

use crate::endpoint::GraphEndpoint;
use crate::retry::parse_retry_after;
use crate::token::{http_client, token_url, AccessToken, Secret};

/// The account to check: the user's tenant (the `tid` of their ID token) and their refresh token.
#[derive(Debug, Clone)]
pub struct LinkedAccount {
    /// The user's home tenant.
    pub tenant: TenantId,
    /// The refresh token stored when the account was linked (or by the last check).
    pub refresh_token: Secret,
}

/// What [`check_link`] found.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct LinkCheckReport {
    /// The classified answer ([`LinkHealth::healthy`] when both calls worked).
    pub health: LinkHealth,
    /// The new refresh token, when Entra issued one different from the one sent: store it in place
    /// of the old one, whatever the health (the refresh succeeded even if the read did not).
    pub refresh_token: Option<Secret>,
    /// The access token the refresh returned, when it succeeded.
    pub access_token: Option<AccessToken>,
    /// How many requests were sent (1 when the refresh failed, else 2).
    pub round_trips: u8,
}

/// Checks linked accounts of one app: its client id and credential, the scopes its links asked for,
/// and where Microsoft is. Build once, share across users.
pub struct LinkChecker {
    client_id: AppId,
    client_secret: Option<Secret>,
    scopes: ScopeSet,
    authority: Authority,
    graph: Url,
    http: reqwest::Client,
    clock: Arc<dyn Clock>,
}

impl fmt::Debug for LinkChecker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LinkChecker")
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .field("scopes", &self.scopes)
            .field("authority", &self.authority)
            .field("graph", &self.graph.as_str())
            .finish_non_exhaustive()
    }
}

/// Refreshes the account's token and reads its calendar once, and classifies what came back.
///
/// # Behavior
/// - At most two round trips: the refresh-token grant, then `GET /me/calendar?$select=id` with the
///   new access token. A refused refresh stops there (one round trip).
/// - Each answer is classified by [`LinkHealth`]; a healthy link is [`LinkHealth::healthy`].
/// - The refresh token Entra hands back (it rotates on every refresh) is in
///   [`LinkCheckReport::refresh_token`] whenever the refresh worked, even if the read then failed.
/// - Nothing is retried: a throttled or unavailable answer is
///   [`HealthOutcome::Transient`](consent::link::HealthOutcome::Transient) with its `Retry-After`.
/// - Tokens and the client secret are [`Secret`]s and never print; response bodies are not quoted in
///   errors.
///
/// # Errors
/// Only when no answer came back: [`Error::Timeout`], or [`Error::Backend`] with status 0 (no
/// connection) or with the status of a success answer that was not a token. Every answer Microsoft
/// sent, error or not, is a [`LinkCheckReport`].
pub async fn check_link(checker: &LinkChecker, account: &LinkedAccount) -> Result<LinkCheckReport> {
    checker.check(account).await
}

/// The fields of a successful token answer this check reads.
#[derive(Deserialize)]
struct TokenAnswer {
    access_token: String,
    #[serde(default)]
    refresh_token: Option<String>,
    #[serde(default)]
    expires_in: Option<i64>,
}

/// An answer: status, `Retry-After` and a body read up to [`MAX_BODY_BYTES`].
struct Answer {
    status: u16,
    retry_after: Option<Duration>,
    body: String,
}

impl LinkChecker {
    /// Starts a builder for app `client_id` whose links asked for `scopes` (ask for the same ones:
    /// asking for a scope the user never consented to fails with AADSTS65001).
    pub fn builder(client_id: AppId, scopes: ScopeSet) -> LinkCheckerBuilder {
        LinkCheckerBuilder {
            client_id,
            scopes,
            client_secret: None,
            cloud: GraphEndpoint::Global,
            authority: None,
            timeout: Duration::from_secs(30),
            clock: Arc::new(SystemClock),
        }
    }

    /// See [`check_link`].
    pub async fn check(&self, account: &LinkedAccount) -> Result<LinkCheckReport> {
        let answer = self.send(self.refresh_request(account)?).await?;
        if !(200..300).contains(&answer.status) {
            let health = LinkHealth::from_token_response(answer.status, &answer.body, answer.retry_after);
            tracing::info!(outcome = health.kind(), code = ?health.code, "link check: the refresh was refused");
            return Ok(report(health, None, None, 1));
        }
        let (access, rotated) = self.tokens(&answer, &account.refresh_token)?;
        let read = self.http.get(self.calendar_url()).bearer_auth(access.secret());
        let answer = self.send(read).await?;
        let health = LinkHealth::from_graph_error(answer.status, &answer.body, answer.retry_after);
        tracing::info!(outcome = health.kind(), code = ?health.code, "link check done");
        Ok(report(health, rotated, Some(access), 2))
    }

    fn refresh_request(&self, account: &LinkedAccount) -> Result<reqwest::RequestBuilder> {
        let mut form = vec![
            ("grant_type", "refresh_token".to_owned()),
            ("client_id", self.client_id.to_string()),
            ("refresh_token", account.refresh_token.secret().to_owned()),
            ("scope", self.scopes.to_wire()),
        ];
        if let Some(secret) = &self.client_secret {
            form.push(("client_secret", secret.secret().to_owned()));
        }
        // `{authority}/{tenant}/oauth2/v2.0/token`, as for every other token request.
        let url = token_url(&self.authority.base_url(), &account.tenant)?;
        Ok(self.http.post(url).form(&form))
    }

    /// `{graph}/me/calendar?$select=id`: the cheapest read that needs both a mailbox and the scope.
    fn calendar_url(&self) -> Url {
        let mut url = self.graph.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(["me", "calendar"]);
        }
        url.set_query(Some("$select=id"));
        url
    }

    /// The access token, and the refresh token when it rotated. The body is never quoted in an
    /// error: it holds tokens.
    fn tokens(&self, answer: &Answer, sent: &Secret) -> Result<(AccessToken, Option<Secret>)> {
        let parsed: TokenAnswer = serde_json::from_str(&answer.body).map_err(|e| {
            Error::backend(
                answer.status,
                None,
                format!("the token endpoint's success answer was not a token ({})", not_a_token(&e)),
            )
        })?;
        let expires_at = parsed
            .expires_in
            .and_then(chrono::Duration::try_seconds)
            .map(|d| self.clock.now() + d);
        let rotated = parsed
            .refresh_token
            .filter(|rt| !rt.is_empty() && rt != sent.secret())
            .map(Secret::new);
        Ok((AccessToken::new(parsed.access_token, expires_at), rotated))
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> Result<Answer> {
        let mut resp = request.send().await.map_err(transport)?;
        let status = resp.status().as_u16();
        let now = SystemTime::from(self.clock.now());
        let retry_after = resp
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_retry_after(v, now));
        let mut bytes = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(transport)? {
            if bytes.len() + chunk.len() > MAX_BODY_BYTES {
                // Not Microsoft's error JSON: classify by status alone.
                bytes.clear();
                break;
            }
            bytes.extend_from_slice(&chunk);
        }
        let body = String::from_utf8_lossy(&bytes).into_owned();
        Ok(Answer { status, retry_after, body })
    }
}

/// Why a success body was not a token, without quoting it.
fn not_a_token(e: &serde_json::Error) -> &'static str {
    match e.classify() {
        serde_json::error::Category::Data => "no access_token",
        _ => "not JSON",
    }
}

fn report(health: LinkHealth, refresh_token: Option<Secret>, access_token: Option<AccessToken>, round_trips: u8) -> LinkCheckReport {
    LinkCheckReport {
        health,
        refresh_token,
        access_token,
        round_trips,
    }
}

/// A request that got no answer. reqwest's message names the URL, which holds no secret (the
/// refresh token travels in the body, the access token in a header).
fn transport(e: reqwest::Error) -> Error {
    let error = if e.is_timeout() {
        Error::timeout("check a linked account")
    } else {
        Error::backend(0, None, format!("could not reach Microsoft to check a linked account: {e}"))
    };
    error.with_cause(consent::Cause::new(e))
}

/// Configures a [`LinkChecker`].
#[derive(Debug)]
pub struct LinkCheckerBuilder {
    client_id: AppId,
    scopes: ScopeSet,
    client_secret: Option<Secret>,
    cloud: GraphEndpoint,
    authority: Option<Authority>,
    timeout: Duration,
    clock: Arc<dyn Clock>,
}

impl LinkCheckerBuilder {
    /// The client secret, for a confidential (web) client; public clients send none.
    pub fn client_secret(mut self, secret: Secret) -> Self {
        self.client_secret = Some(secret);
        self
    }

    /// Where Graph is (default: the global cloud); a loopback endpoint needs [`authority`](Self::authority).
    pub fn graph_endpoint(mut self, endpoint: GraphEndpoint) -> Self {
        self.cloud = endpoint;
        self
    }

    /// The login authority (default: the Graph cloud's).
    pub fn authority(mut self, authority: Authority) -> Self {
        self.authority = Some(authority);
        self
    }

    /// Timeout for each of the two requests (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The clock for token expiry and `Retry-After` dates (default: the system clock).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Validates and builds the checker; nothing is sent until [`check_link`].
    pub fn build(self) -> Result<LinkChecker> {
        if self.scopes.is_empty() {
            return Err(Error::invalid("scopes", "is empty; pass the scopes the link asked for"));
        }
        let authority = match (self.authority, &self.cloud) {
            (Some(a), _) => a,
            (None, GraphEndpoint::Global) => Authority::Global,
            (None, GraphEndpoint::UsGov) => Authority::UsGovernment,
            (None, GraphEndpoint::China) => Authority::China,
            (None, GraphEndpoint::Custom(_)) => {
                return Err(Error::invalid(
                    "authority",
                    "a loopback Graph endpoint needs an explicit login authority",
                ))
            }
        };
        let graph = self.cloud.base_url()?;
        // The token client: no redirects, so the bearer token never follows one to another host.
        let http = http_client(self.timeout)?;
        Ok(LinkChecker {
            client_id: self.client_id,
            client_secret: self.client_secret,
            scopes: self.scopes,
            authority,
            graph,
            http,
            clock: self.clock,
        })
    }
}
