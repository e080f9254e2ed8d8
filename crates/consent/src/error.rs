//! The one public error type of the workspace.
//!
//! Every backend keeps its own private error type and converts into [`Error`], so callers match on
//! one vocabulary whatever the backend. `Display` says what went wrong and what to do about it; it
//! never repeats a `source` and never prints a secret.

use std::error::Error as StdError;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::operation::Operation;

/// Result alias used across the workspace.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong while handling admin consent.
///
/// Variants a service can answer with carry a [`Context`]: Graph's `request-id`, the attempts the
/// backend already made when its own retries gave up, and the underlying cause ([`source`](std::error::Error::source)).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Error {
    /// A value that came from outside failed validation.
    InvalidInput {
        /// The field or parameter that was rejected (e.g. `tenant`, `scope`, `justification`).
        field: &'static str,
        /// Why it was rejected, phrased so the caller knows what to change.
        reason: String,
    },
    /// The object does not exist in the tenant (Graph `404 Request_ResourceNotFound`).
    NotFound {
        /// What was looked for, with its identifier.
        what: String,
        /// Request id, attempts, cause.
        context: Context,
    },
    /// The object already exists or the write collides with the tenant's state
    /// (Graph `409 Request_MultipleObjectsWithSameKeyValue`, or a `400` on a duplicate assignment).
    Conflict {
        /// What collided.
        what: String,
        /// The Graph error code, when a backend reported one.
        code: Option<String>,
        /// Request id, attempts, cause.
        context: Context,
    },
    /// The transition is not possible from the state the tenant is really in.
    InvalidTransition {
        /// The state the tenant was found in (e.g. `RequestsDisabled`).
        state: String,
        /// The transition that was attempted (e.g. `request consent`).
        action: &'static str,
        /// What to do instead.
        reason: String,
    },
    /// The acting principal lacks a role or permission.
    PermissionDenied {
        /// The operation that was refused, as a verb phrase (`update the consent request policy`).
        operation: &'static str,
        /// The least role or permission that would allow it.
        needed: String,
        /// Request id, attempts, cause.
        context: Context,
    },
    /// No valid credentials (Graph `401`, or a failed token request).
    Unauthenticated {
        /// Why, without any secret.
        reason: String,
        /// Request id, attempts, cause.
        context: Context,
    },
    /// The service throttled the caller (Graph `429 TooManyRequests`).
    Throttled {
        /// How long the service asked the caller to wait, when it said.
        retry_after: Option<Duration>,
        /// Request id, attempts, cause.
        context: Context,
    },
    /// The backend cannot do this at all; `hint` says what to do instead.
    Unsupported {
        /// The operation, as a verb phrase (`submit a consent request`).
        operation: &'static str,
        /// The backend's name (e.g. `microsoft-graph`).
        backend: &'static str,
        /// What to do instead.
        hint: String,
    },
    /// No response arrived in time. A read changed nothing; a write may or may not have been applied.
    Timeout {
        /// The operation that timed out, as a verb phrase (`create a delegated permission grant`).
        operation: &'static str,
        /// Request id, attempts, cause.
        context: Context,
    },
    /// The backend answered with an error that has no more specific variant, or could not be reached
    /// (status 0; the transport error is the [`source`](std::error::Error::source)).
    Backend {
        /// HTTP status (0 when the request never reached the service).
        status: u16,
        /// The Graph `error.code`, when present.
        code: Option<String>,
        /// A one-line message.
        message: String,
        /// The raw response body, kept for diagnosis (never contains a token).
        body: Option<String>,
        /// Request id, attempts, cause.
        context: Context,
    },
}

/// Where a failure came from: kept on every [`Error`] a service can answer with.
///
/// Boxed and empty by default, so errors without context stay small.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Context(Option<Box<ContextData>>);

#[derive(Debug, Clone, Default, PartialEq)]
struct ContextData {
    request_id: Option<String>,
    gave_up_after: Option<u32>,
    cause: Option<Cause>,
}

impl Context {
    /// Graph's `request-id` (response header or `innerError`), for Microsoft support.
    pub fn request_id(&self) -> Option<&str> {
        self.0.as_ref()?.request_id.as_deref()
    }

    /// Set when the backend's own retry loop gave up after this many attempts: retrying at once
    /// would only multiply the load, so [`Error::is_retryable`] is then false.
    pub fn gave_up_after(&self) -> Option<u32> {
        self.0.as_ref()?.gave_up_after
    }

    /// The underlying transport, JSON or I/O error, returned by [`source`](std::error::Error::source).
    pub fn cause(&self) -> Option<&Cause> {
        self.0.as_ref()?.cause.as_ref()
    }

    fn data(&mut self) -> &mut ContextData {
        self.0.get_or_insert_with(Box::default)
    }
}

/// An underlying error kept as [`Error`]'s `source`, shareable so [`Error`] stays `Clone`.
///
/// Two causes compare equal when they display the same text.
#[derive(Clone)]
pub struct Cause(Arc<dyn StdError + Send + Sync + 'static>);

impl Cause {
    /// Wraps an error.
    pub fn new(error: impl StdError + Send + Sync + 'static) -> Self {
        Self(Arc::new(error))
    }

    /// The wrapped error, e.g. to `downcast_ref` it to the transport's own type.
    pub fn get_ref(&self) -> &(dyn StdError + Send + Sync + 'static) {
        &*self.0
    }

    /// The error and its sources joined with `": "`, leaving out a text its successor repeats.
    /// Transport errors often put the useful part ("Connection refused", "invalid peer certificate")
    /// only in a source; this puts it in one line.
    pub fn chain_text(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        let mut next: Option<&(dyn StdError + 'static)> = Some(self.get_ref());
        while let Some(e) = next {
            let text = e.to_string();
            if !parts.last().is_some_and(|p| p.contains(&text)) {
                parts.push(text);
            }
            next = e.source();
        }
        parts.join(": ")
    }
}

impl fmt::Debug for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl fmt::Display for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&*self.0, f)
    }
}

impl PartialEq for Cause {
    fn eq(&self, other: &Self) -> bool {
        self.0.to_string() == other.0.to_string()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidInput { field, reason } => write!(f, "invalid {field}: {reason}")?,
            Error::NotFound { what, .. } => write!(f, "{what} was not found")?,
            Error::Conflict { what, .. } => write!(f, "conflict: {what}")?,
            Error::InvalidTransition { state, action, reason } => write!(f, "cannot {action} while {state}: {reason}")?,
            Error::PermissionDenied { operation, needed, .. } => {
                write!(f, "permission denied: not allowed to {operation}; needs {needed}")?
            }
            Error::Unauthenticated { reason, .. } => write!(f, "not authenticated: {reason}")?,
            Error::Throttled { retry_after, .. } => {
                f.write_str("throttled by the service")?;
                if let Some(d) = retry_after {
                    write!(f, " (retry after {:.1}s)", d.as_secs_f64())?;
                }
                f.write_str("; retry later")?;
            }
            Error::Unsupported { operation, backend, hint } => write!(f, "cannot {operation} on the {backend} backend: {hint}")?,
            Error::Timeout { operation, .. } if is_read(operation) => {
                write!(f, "timed out trying to {operation}; a read changes nothing, so it is safe to retry")?
            }
            Error::Timeout { operation, .. } => write!(
                f,
                "timed out trying to {operation}; the change may or may not have been applied, so read back before retrying"
            )?,
            Error::Backend { status, code, message, .. } => {
                write!(f, "backend error {status}")?;
                if let Some(c) = code {
                    write!(f, " {c}")?;
                }
                write!(f, ": {message}")?;
            }
        }
        if let Some(c) = self.context() {
            if let Some(n) = c.gave_up_after() {
                write!(f, " (gave up after {n} attempts)")?;
            }
            if let Some(r) = c.request_id() {
                write!(f, " (request-id {r})")?;
            }
        }
        Ok(())
    }
}

/// True when `operation` is the description of a read ([`Operation::describe`]); an unknown
/// description counts as a write, the cautious reading.
fn is_read(operation: &str) -> bool {
    Operation::ALL.iter().any(|o| o.describe() == operation && !o.is_write())
}

impl StdError for Error {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        let cause = self.context()?.cause()?;
        Some(cause.get_ref() as &(dyn StdError + 'static))
    }
}

impl Error {
    /// Graph's code for a write that collided with another in-flight write to the same object
    /// (`409`); nothing was applied, and the write may be sent again.
    pub const CONCURRENCY_VIOLATION: &'static str = "Directory_ConcurrencyViolation";

    /// Builds [`Error::InvalidInput`].
    pub fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        Error::InvalidInput {
            field,
            reason: reason.into(),
        }
    }

    /// Builds [`Error::NotFound`].
    pub fn not_found(what: impl Into<String>) -> Self {
        Error::NotFound {
            what: what.into(),
            context: Context::default(),
        }
    }

    /// Builds [`Error::Conflict`].
    pub fn conflict(what: impl Into<String>, code: Option<String>) -> Self {
        Error::Conflict {
            what: what.into(),
            code,
            context: Context::default(),
        }
    }

    /// Builds [`Error::PermissionDenied`].
    pub fn permission_denied(operation: &'static str, needed: impl Into<String>) -> Self {
        Error::PermissionDenied {
            operation,
            needed: needed.into(),
            context: Context::default(),
        }
    }

    /// Builds [`Error::Unauthenticated`].
    pub fn unauthenticated(reason: impl Into<String>) -> Self {
        Error::Unauthenticated {
            reason: reason.into(),
            context: Context::default(),
        }
    }

    /// Builds [`Error::Throttled`].
    pub fn throttled(retry_after: Option<Duration>) -> Self {
        Error::Throttled {
            retry_after,
            context: Context::default(),
        }
    }

    /// Builds [`Error::Timeout`].
    pub fn timeout(operation: &'static str) -> Self {
        Error::Timeout {
            operation,
            context: Context::default(),
        }
    }

    /// Builds [`Error::Backend`].
    pub fn backend(status: u16, code: Option<String>, message: impl Into<String>) -> Self {
        Error::Backend {
            status,
            code,
            message: message.into(),
            body: None,
            context: Context::default(),
        }
    }

    /// The one table of what is worth sending again, shared by [`is_retryable`](Self::is_retryable)
    /// and the backends' retry loops: 0 (the request never reached the service), 429, 503 and 504.
    /// Other 5xx (500, 502, …) are not: Graph answers them for requests that fail the same way again.
    pub fn is_retryable_status(status: u16) -> bool {
        matches!(status, 0 | 429 | 503 | 504)
    }

    /// True when calling again later may succeed: throttling, timeouts, a
    /// [`CONCURRENCY_VIOLATION`](Self::CONCURRENCY_VIOLATION) conflict, and the statuses of
    /// [`is_retryable_status`](Self::is_retryable_status) — unless the backend's own retries already
    /// gave up ([`Context::gave_up_after`]), because then a caller's retries only multiply the load.
    pub fn is_retryable(&self) -> bool {
        if self.context().is_some_and(|c| c.gave_up_after().is_some()) {
            return false;
        }
        match self {
            Error::Throttled { .. } | Error::Timeout { .. } => true,
            Error::Backend { status, .. } => Self::is_retryable_status(*status),
            Error::Conflict { code: Some(c), .. } => c == Self::CONCURRENCY_VIOLATION,
            _ => false,
        }
    }

    /// The wait the service asked for, if any.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::Throttled { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// Graph's `request-id`, on any error that came from Graph.
    pub fn request_id(&self) -> Option<&str> {
        self.context()?.request_id()
    }

    /// The context of a variant a service can answer with.
    pub fn context(&self) -> Option<&Context> {
        match self {
            Error::NotFound { context, .. }
            | Error::Conflict { context, .. }
            | Error::PermissionDenied { context, .. }
            | Error::Unauthenticated { context, .. }
            | Error::Throttled { context, .. }
            | Error::Timeout { context, .. }
            | Error::Backend { context, .. } => Some(context),
            Error::InvalidInput { .. } | Error::InvalidTransition { .. } | Error::Unsupported { .. } => None,
        }
    }

    fn context_mut(&mut self) -> Option<&mut Context> {
        match self {
            Error::NotFound { context, .. }
            | Error::Conflict { context, .. }
            | Error::PermissionDenied { context, .. }
            | Error::Unauthenticated { context, .. }
            | Error::Throttled { context, .. }
            | Error::Timeout { context, .. }
            | Error::Backend { context, .. } => Some(context),
            Error::InvalidInput { .. } | Error::InvalidTransition { .. } | Error::Unsupported { .. } => None,
        }
    }

    /// Records Graph's request id (no effect on variants without a [`Context`]).
    pub fn with_request_id(mut self, request_id: Option<String>) -> Self {
        if let (Some(c), Some(r)) = (self.context_mut(), request_id) {
            c.data().request_id = Some(r);
        }
        self
    }

    /// Records that the backend's retry loop gave up after `attempts` (no effect without a [`Context`]).
    pub fn with_gave_up_after(mut self, attempts: u32) -> Self {
        if let Some(c) = self.context_mut() {
            c.data().gave_up_after = Some(attempts);
        }
        self
    }

    /// Keeps `cause` as this error's `source` (no effect without a [`Context`]).
    pub fn with_cause(mut self, cause: Cause) -> Self {
        if let Some(c) = self.context_mut() {
            c.data().cause = Some(cause);
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Io(&'static str, Option<Box<Io>>);
    impl fmt::Display for Io {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.0)
        }
    }
    impl StdError for Io {
        fn source(&self) -> Option<&(dyn StdError + 'static)> {
            self.1.as_deref().map(|e| e as &(dyn StdError + 'static))
        }
    }

    #[test]
    fn retryable_agrees_with_the_one_status_table() {
        for status in [0, 429, 503, 504] {
            assert!(Error::backend(status, None, "m").is_retryable(), "{status}");
        }
        for status in [200, 400, 500, 501, 502, 505] {
            assert!(!Error::backend(status, None, "m").is_retryable(), "{status}");
            assert!(!Error::is_retryable_status(status));
        }
        assert!(Error::throttled(None).is_retryable() && Error::timeout("list app role assignments").is_retryable());
        assert!(!Error::not_found("x").is_retryable());
    }

    #[test]
    fn an_error_after_the_backends_last_attempt_says_so_and_is_not_retryable() {
        for e in [
            Error::backend(503, None, "down"),
            Error::throttled(None),
            Error::timeout("read a service principal"),
        ] {
            let spent = e.with_gave_up_after(4);
            assert!(!spent.is_retryable(), "{spent}");
            assert!(spent.to_string().contains("gave up after 4 attempts"), "{spent}");
        }
    }

    #[test]
    fn source_returns_the_cause_and_its_chain_reads_in_one_line() {
        let io = Io(
            "error sending request",
            Some(Box::new(Io("tcp connect error", Some(Box::new(Io("Connection refused", None)))))),
        );
        let cause = Cause::new(io);
        assert_eq!(cause.chain_text(), "error sending request: tcp connect error: Connection refused");
        let e = Error::backend(0, None, "could not connect").with_cause(cause.clone());
        let source = StdError::source(&e).expect("the cause is the source");
        assert_eq!(source.to_string(), "error sending request");
        assert!(source.downcast_ref::<Io>().is_some(), "the original type survives");
        assert_eq!(e.clone(), e);
        assert!(StdError::source(&Error::invalid("x", "y").with_cause(cause)).is_none());
    }

    #[test]
    fn request_id_is_kept_on_every_service_error() {
        let all = [
            Error::not_found("x"),
            Error::conflict("x", None),
            Error::permission_denied("update the consent request policy", "Cloud Application Administrator"),
            Error::unauthenticated("x"),
            Error::throttled(None),
            Error::timeout("assign an app role"),
            Error::backend(500, None, "x"),
        ];
        for e in all {
            let e = e.with_request_id(Some("rid-9".into()));
            assert_eq!(e.request_id(), Some("rid-9"));
            assert!(e.to_string().ends_with("(request-id rid-9)"), "{e}");
        }
    }

    #[test]
    fn a_timed_out_read_does_not_claim_a_change_may_have_happened() {
        let read = Error::timeout(Operation::ListDelegatedGrants.describe()).to_string();
        assert!(!read.contains("may or may not"), "{read}");
        assert!(read.contains("safe to retry"), "{read}");
        let write = Error::timeout(Operation::CreateDelegatedGrant.describe()).to_string();
        assert!(write.contains("may or may not have been applied"), "{write}");
    }
}

#[cfg(test)]
mod size {
    #[test]
    fn errors_stay_small() {
        assert!(
            std::mem::size_of::<super::Error>() <= 112,
            "{}",
            std::mem::size_of::<super::Error>()
        );
    }
}
