//! Sending: one [`GraphRequest`] over the HTTP client graph-rs-sdk configured, with our token, our
//! retry loop and our paging. The SDK builds the client (timeouts, https-only outside loopback, TLS
//! 1.2 at least, two redirects, `Accept`); everything that decides *whether* and *where* to send, and
//! each request itself, stays here.

mod execute;
mod paging;

use std::sync::Arc;
use std::time::Duration;

use consent::{Cause, Clock, Error, Result};
use reqwest::header::{HeaderValue, AUTHORIZATION, CONTENT_TYPE};
use reqwest::Method;
use url::Url;

use crate::request::{GraphRequest, HttpMethod};
use crate::retry::{parse_retry_after, RetryPolicy};
use crate::token::TokenProvider;

pub(crate) use execute::failure;
pub(crate) use paging::{parse as parse_body, Page};

/// An answer from Graph (any status).
#[derive(Debug, Clone)]
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) body: Vec<u8>,
    pub(crate) request_id: Option<String>,
    pub(crate) retry_after: Option<Duration>,
    /// Set on a `$batch` item still failing when the batch's retries ran out.
    pub(crate) gave_up_after: Option<u32>,
}

/// The result of one attempt.
#[derive(Debug)]
pub(crate) enum Attempt {
    /// Graph answered.
    Answered(Answer),
    /// The connection could not be made (refused, DNS, TLS, proxy): the request was never sent, so
    /// resending is always safe. The transport error is kept as the eventual error's `source`.
    NotSent(Cause),
    /// The request may have arrived but no answer did (timeout, reset): only idempotent requests
    /// may be resent.
    Lost(Cause),
    /// The answer's body is larger than [`Transport::max_body`]: refused without reading it all.
    TooLarge {
        /// The HTTP status of the oversized answer.
        status: u16,
    },
}

/// The configured sender shared by every backend call.
#[derive(Debug)]
pub(crate) struct Transport {
    /// The SDK-configured client ([`graph_http`](crate::backend::graph_http)); clones share its pool.
    pub(crate) http: reqwest::Client,
    pub(crate) base: Url,
    pub(crate) tokens: Arc<dyn TokenProvider>,
    pub(crate) retry: RetryPolicy,
    pub(crate) clock: Arc<dyn Clock>,
    /// The largest response body read into memory; a bigger one is refused.
    pub(crate) max_body: usize,
}

impl Transport {
    /// Sends once to `url` (the request's own URL, or a next link) and classifies the outcome.
    pub(crate) async fn send_once(&self, req: &GraphRequest, url: Url) -> Result<Attempt> {
        // The bytes graph-rs-sdk's `BodyRead::from_serialize` sent (`serde_json::to_string`), with the
        // `Content-Type` it set for them; serialised before the token is asked for, as it was there.
        let body = match &req.body {
            Some(b) => Some(b.to_bytes().map_err(|e| local_error(req, &e.to_string()))?),
            None => None,
        };
        let token = self.tokens.token().await?;
        let mut bearer = HeaderValue::from_str(&format!("Bearer {}", token.secret()))
            .map_err(|_| Error::unauthenticated("the access token contains characters not allowed in a header"))?;
        bearer.set_sensitive(true);
        // Built straight on the client rather than through the SDK's `custom()`, which per request
        // cloned the SDK's client and configuration, built a tower service and set a placeholder
        // bearer for us to replace. `Accept` and `User-Agent` are the client's default headers.
        let mut builder = self.http.request(method(req.method), url).header(AUTHORIZATION, bearer);
        if let Some(bytes) = body {
            builder = builder
                .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
                .body(bytes);
        }
        let request = builder.build().map_err(|e| local_error(req, &e.to_string()))?;
        tracing::debug!(method = req.method.as_str(), url = %request.url(), "graph request");
        match self.http.execute(request).await {
            Ok(resp) => Ok(self.read_answer(resp).await),
            Err(e) if e.is_connect() => Ok(Attempt::NotSent(Cause::new(e))),
            Err(e) => Ok(Attempt::Lost(Cause::new(e))),
        }
    }

    async fn read_answer(&self, resp: reqwest::Response) -> Attempt {
        let status = resp.status().as_u16();
        let header = |name: &str| resp.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let request_id = header("request-id");
        let now = std::time::SystemTime::from(self.clock.now());
        let retry_after = header("retry-after").and_then(|v| parse_retry_after(&v, now));
        if resp.content_length().is_some_and(|n| n > self.max_body as u64) {
            return Attempt::TooLarge { status };
        }
        // Read chunk by chunk so a body without (or lying about) Content-Length stops at the cap.
        let mut body = Vec::new();
        let mut resp = resp;
        loop {
            match resp.chunk().await {
                Ok(Some(chunk)) if body.len() + chunk.len() > self.max_body => return Attempt::TooLarge { status },
                Ok(Some(chunk)) => body.extend_from_slice(&chunk),
                Ok(None) => break,
                // The body was cut off: the request arrived, its answer did not.
                Err(e) => return Attempt::Lost(Cause::new(e)),
            }
        }
        Attempt::Answered(Answer {
            status,
            body,
            request_id,
            retry_after,
            gave_up_after: None,
        })
    }
}

fn method(m: HttpMethod) -> Method {
    match m {
        HttpMethod::Get => Method::GET,
        HttpMethod::Put => Method::PUT,
        HttpMethod::Post => Method::POST,
        HttpMethod::Patch => Method::PATCH,
        HttpMethod::Delete => Method::DELETE,
    }
}

fn local_error(req: &GraphRequest, detail: &str) -> Error {
    Error::backend(0, None, format!("could not prepare the request to {}: {detail}", req.op.describe()))
}
