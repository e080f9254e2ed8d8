//! What a Graph route answers: [`GraphReply`] (status, headers, JSON body), shared by plain HTTP and
//! `$batch` items, and [`GraphError`] with the one table that maps [`consent::Error`] to Graph's
//! status codes and error codes (Microsoft Learn: "Microsoft Graph error responses and resource types").

use std::time::Duration;

use axum::http::StatusCode;
use consent::Error;
use serde_json::{json, Value};

/// The ids and time one HTTP request is answered under: `request-id` (generated once per request, in
/// the header and in every error body), `client-request-id` (the client's, echoed; else the
/// request id, as Graph does) and the `innerError.date`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Trace {
    pub(crate) request_id: String,
    pub(crate) client_request_id: String,
    pub(crate) date: String,
}

/// Longest `client-request-id` echoed; Graph documents a GUID, so anything longer is cut.
const MAX_CLIENT_REQUEST_ID: usize = 128;

impl Trace {
    /// A fresh request id; `client` is the `client-request-id` header, if sent.
    pub(crate) fn new(client: Option<&str>, now: chrono::DateTime<chrono::Utc>) -> Self {
        let request_id = uuid::Uuid::new_v4().to_string();
        let client_request_id = client
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(|c| c.chars().filter(|ch| !ch.is_control()).take(MAX_CLIENT_REQUEST_ID).collect())
            .unwrap_or_else(|| request_id.clone());
        Self {
            request_id,
            client_request_id,
            date: now.format("%Y-%m-%dT%H:%M:%S").to_string(),
        }
    }
}

/// A route's answer before it is written to the wire (or into a `$batch` response item).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct GraphReply {
    pub(crate) status: StatusCode,
    pub(crate) headers: Vec<(&'static str, String)>,
    pub(crate) body: Option<Value>,
}

impl GraphReply {
    /// `200 OK` with a JSON body.
    pub(crate) fn ok(body: Value) -> Self {
        Self::with_status(StatusCode::OK, Some(body))
    }

    /// `201 Created` with the created object.
    pub(crate) fn created(body: Value) -> Self {
        Self::with_status(StatusCode::CREATED, Some(body))
    }

    /// `204 No Content` (policy PUT/PATCH, grant PATCH).
    pub(crate) fn no_content() -> Self {
        Self::with_status(StatusCode::NO_CONTENT, None)
    }

    fn with_status(status: StatusCode, body: Option<Value>) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body,
        }
    }

    /// True for 4xx/5xx, which makes `$batch` dependants fail with 424.
    pub(crate) fn is_failure(&self) -> bool {
        self.status.is_client_error() || self.status.is_server_error()
    }
}

/// A Graph error: status, `error.code`, `error.message`, and headers such as `Retry-After` (429) or
/// `Allow` (405).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct GraphError {
    pub(crate) status: StatusCode,
    pub(crate) code: String,
    pub(crate) message: String,
    pub(crate) headers: Vec<(&'static str, String)>,
}

/// The codes the emulator answers with, as Microsoft Graph's directory APIs spell them.
pub(crate) mod codes {
    pub(crate) const BAD_REQUEST: &str = "Request_BadRequest";
    pub(crate) const NOT_FOUND: &str = "Request_ResourceNotFound";
    pub(crate) const DUPLICATE: &str = "Request_MultipleObjectsWithSameKeyValue";
    pub(crate) const DENIED: &str = "Authorization_RequestDenied";
    pub(crate) const UNSUPPORTED_QUERY: &str = "Request_UnsupportedQuery";
    pub(crate) const INVALID_TOKEN: &str = "InvalidAuthenticationToken";
    pub(crate) const THROTTLED: &str = "TooManyRequests";
    pub(crate) const NOT_SUPPORTED: &str = "notSupported";
    pub(crate) const TIMEOUT: &str = "GatewayTimeout";
    pub(crate) const GENERAL: &str = "generalException";
    pub(crate) const SEGMENT: &str = "BadRequest";
    pub(crate) const TOO_LARGE: &str = "RequestEntityTooLarge";
    pub(crate) const FAILED_DEPENDENCY: &str = "FailedDependency";
}

impl GraphError {
    pub(crate) fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        Self {
            status,
            code: code.to_owned(),
            message: message.into(),
            headers: Vec::new(),
        }
    }

    /// `400 Request_BadRequest`: a body or parameter Graph would refuse.
    pub(crate) fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, codes::BAD_REQUEST, message)
    }

    /// `400 Request_UnsupportedQuery`: a query option outside the supported subset.
    pub(crate) fn unsupported_query(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, codes::UNSUPPORTED_QUERY, message)
    }

    /// `404 Request_ResourceNotFound` for an object id that does not exist.
    pub(crate) fn not_found(what: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            codes::NOT_FOUND,
            format!("Resource '{what}' does not exist or one of its queried reference-property objects are not present."),
        )
    }

    /// `404` for a path that names no resource the emulator serves.
    pub(crate) fn unknown_segment(segment: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            codes::SEGMENT,
            format!("Resource not found for the segment '{segment}'."),
        )
    }

    /// `405` with the methods the route does allow.
    pub(crate) fn method_not_allowed(allowed: &[&str]) -> Self {
        let mut e = Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            codes::BAD_REQUEST,
            format!(
                "Specified HTTP method is not allowed for the request uri; use {}.",
                allowed.join(" or ")
            ),
        );
        e.headers.push(("Allow", allowed.join(", ")));
        e
    }

    /// `401 InvalidAuthenticationToken`.
    pub(crate) fn unauthenticated(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, codes::INVALID_TOKEN, message)
    }

    /// `413` for a body over the limit.
    pub(crate) fn too_large(limit: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            codes::TOO_LARGE,
            format!("The request body exceeds the emulator's limit of {limit} bytes."),
        )
    }

    /// `424` for a `$batch` item whose dependency failed.
    pub(crate) fn failed_dependency(id: &str) -> Self {
        Self::new(
            StatusCode::FAILED_DEPENDENCY,
            codes::FAILED_DEPENDENCY,
            format!("The request depends on request '{id}', which failed."),
        )
    }

    /// Graph's error body: `{"error":{"code","message","innerError":{"date","request-id","client-request-id"}}}`.
    pub(crate) fn body(&self, trace: &Trace) -> Value {
        json!({
            "error": {
                "code": self.code,
                "message": self.message,
                "innerError": {
                    "date": trace.date,
                    "request-id": trace.request_id,
                    "client-request-id": trace.client_request_id,
                }
            }
        })
    }

    /// The reply carrying this error and its headers.
    pub(crate) fn into_reply(self, trace: &Trace) -> GraphReply {
        GraphReply {
            status: self.status,
            body: Some(self.body(trace)),
            headers: self.headers,
        }
    }

    /// `429 TooManyRequests` with `Retry-After` in whole seconds, rounded up (never 0 for a real wait).
    pub(crate) fn throttled(wait: Duration) -> Self {
        let mut e = Self::new(StatusCode::TOO_MANY_REQUESTS, codes::THROTTLED, "Please retry again later.");
        e.headers.push(("Retry-After", retry_after_seconds(wait).to_string()));
        e
    }
}

fn retry_after_seconds(wait: Duration) -> u64 {
    let whole = wait.as_secs();
    if wait.subsec_nanos() > 0 {
        whole + 1
    } else {
        whole
    }
}

impl From<Error> for GraphError {
    /// The one table from the port's errors to what Graph answers in the same situation.
    fn from(e: Error) -> Self {
        let message = e.to_string();
        match e {
            Error::InvalidInput { .. } | Error::InvalidTransition { .. } => Self::bad_request(message),
            Error::NotFound { .. } => Self::new(StatusCode::NOT_FOUND, codes::NOT_FOUND, message),
            Error::Conflict { code, .. } => conflict(code, message),
            Error::PermissionDenied { .. } => Self::new(
                StatusCode::FORBIDDEN,
                codes::DENIED,
                format!("Insufficient privileges to complete the operation. ({message})"),
            ),
            Error::Unauthenticated { .. } => Self::unauthenticated(message),
            Error::Throttled { retry_after, .. } => Self::throttled(retry_after.unwrap_or(Duration::from_secs(1))),
            Error::Unsupported { .. } => Self::new(StatusCode::NOT_IMPLEMENTED, codes::NOT_SUPPORTED, message),
            Error::Timeout { .. } => Self::new(StatusCode::GATEWAY_TIMEOUT, codes::TIMEOUT, message),
            Error::Backend { status, code, message, .. } => backend(status, code, message),
            _ => Self::new(StatusCode::INTERNAL_SERVER_ERROR, codes::GENERAL, message),
        }
    }
}

/// Graph reports a duplicate grant as 409 but a duplicate app-role assignment as
/// `400 Request_BadRequest` (Microsoft Learn: "our choice where the documentation is silent"); the mock says which through the code it attaches.
fn conflict(code: Option<String>, message: String) -> GraphError {
    match code.as_deref() {
        Some(codes::BAD_REQUEST) => GraphError::bad_request(message),
        Some(c) => GraphError::new(StatusCode::CONFLICT, c, message),
        None => GraphError::new(StatusCode::CONFLICT, codes::DUPLICATE, message),
    }
}

fn backend(status: u16, code: Option<String>, message: String) -> GraphError {
    let status = StatusCode::from_u16(status)
        .ok()
        .filter(|s| s.is_client_error() || s.is_server_error())
        .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let code = code.unwrap_or_else(|| codes::GENERAL.to_owned());
    GraphError::new(status, &code, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(e: Error) -> (u16, String) {
        let g = GraphError::from(e);
        (g.status.as_u16(), g.code)
    }

    #[test]
    fn every_port_error_maps_to_graphs_status_and_code() {
        let cases = [
            (Error::invalid("scope", "x"), 400, codes::BAD_REQUEST),
            (Error::not_found("grant x"), 404, codes::NOT_FOUND),
            (
                Error::Conflict {
                    context: Default::default(),
                    what: "grant".into(),
                    code: Some(codes::DUPLICATE.into()),
                },
                409,
                codes::DUPLICATE,
            ),
            (
                Error::Conflict {
                    context: Default::default(),
                    what: "assignment".into(),
                    code: Some(codes::BAD_REQUEST.into()),
                },
                400,
                codes::BAD_REQUEST,
            ),
            (
                Error::PermissionDenied {
                    context: Default::default(),
                    operation: "x",
                    needed: "y".into(),
                },
                403,
                codes::DENIED,
            ),
            (
                Error::Unauthenticated {
                    context: Default::default(),
                    reason: "r".into(),
                },
                401,
                codes::INVALID_TOKEN,
            ),
            (
                Error::Throttled {
                    context: Default::default(),
                    retry_after: None,
                },
                429,
                codes::THROTTLED,
            ),
            (
                Error::Timeout {
                    context: Default::default(),
                    operation: "x",
                },
                504,
                codes::TIMEOUT,
            ),
            (
                Error::Backend {
                    status: 503,
                    code: Some("serviceNotAvailable".into()),
                    message: "m".into(),
                    context: Default::default(),
                    body: None,
                },
                503,
                "serviceNotAvailable",
            ),
        ];
        for (err, status, code) in cases {
            assert_eq!(map(err.clone()), (status, code.to_owned()), "{err:?}");
        }
    }

    #[test]
    fn throttling_carries_retry_after_rounded_up() {
        let g = GraphError::from(Error::Throttled {
            context: Default::default(),
            retry_after: Some(Duration::from_millis(1500)),
        });
        let trace = Trace {
            request_id: "rid".into(),
            client_request_id: "cid".into(),
            date: "2026-01-05T09:00:00".into(),
        };
        let reply = g.into_reply(&trace);
        assert_eq!(reply.headers, vec![("Retry-After", "2".to_owned())]);
        let body = reply.body.unwrap();
        assert_eq!(body["error"]["code"], "TooManyRequests");
        assert_eq!(body["error"]["innerError"]["request-id"], "rid");
        assert_eq!(body["error"]["innerError"]["client-request-id"], "cid");
    }

    #[test]
    fn nonsense_backend_status_becomes_500() {
        let g = GraphError::from(Error::Backend {
            status: 200,
            code: None,
            message: "m".into(),
            context: Default::default(),
            body: None,
        });
        assert_eq!(g.status, StatusCode::INTERNAL_SERVER_ERROR);
    }
}
