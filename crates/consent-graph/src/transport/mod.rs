//! Sending: one [`GraphRequest`] over graph-rs-sdk's client, with our token, our retry loop and our
//! paging. The SDK builds the HTTP client (timeouts, https-only outside loopback, JSON bodies);
//! everything that decides *whether* and *where* to send stays here.

mod execute;
mod paging;

use std::sync::Arc;
use std::time::Duration;

use consent::{Cause, Clock, Error, Result};
use graph_rs_sdk::header::{HeaderValue, AUTHORIZATION};
use graph_rs_sdk::http::{BodyRead, Method};
use graph_rs_sdk::GraphClient;
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
    pub(crate) graph: GraphClient,
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
        let body = match &req.body {
            Some(v) => Some(BodyRead::from_serialize(v).map_err(|e| local_error(req, &e.to_string()))?),
            None => None,
        };
        let mut handler = self.graph.custom(method(req.method), body);
        *handler.as_mut() = url;
        let token = self.tokens.token().await?;
        let builder = handler.build().await.map_err(|e| local_error(req, &e.to_string()))?;
        let (client, request) = builder.build_split();
        let mut request = request.map_err(|e| local_error(req, &e.to_string()))?;
        let mut bearer = HeaderValue::from_str(&format!("Bearer {}", token.secret())).map_err(|_| Error::Unauthenticated {
            context: Default::default(),
            reason: "the access token contains characters not allowed in a header".to_owned(),
        })?;
        bearer.set_sensitive(true);
        // Replaces the SDK's placeholder bearer: the token comes from our provider on every attempt.
        request.headers_mut().insert(AUTHORIZATION, bearer);
        tracing::debug!(method = req.method.as_str(), url = %request.url(), "graph request");
        match client.execute(request).await {
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
    Error::Backend {
        status: 0,
        code: None,
        message: format!("could not prepare the request to {}: {detail}", req.op.describe()),
        context: Default::default(),
        body: None,
    }
}
