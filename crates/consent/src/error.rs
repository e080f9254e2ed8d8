//! The one public error type of the workspace.
//!
//! Every backend keeps its own private error type and converts into [`Error`], so callers match on
//! one vocabulary whatever the backend. `Display` says what went wrong and what to do about it; it
//! never repeats a `source` and never prints a secret.

use std::time::Duration;

/// Result alias used across the workspace.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong while handling admin consent.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A value that came from outside failed validation.
    #[error("invalid {field}: {reason}")]
    InvalidInput {
        /// The field or parameter that was rejected (e.g. `tenant`, `scope`, `justification`).
        field: &'static str,
        /// Why it was rejected, phrased so the caller knows what to change.
        reason: String,
    },
    /// The object does not exist in the tenant (Graph `404 Request_ResourceNotFound`).
    #[error("{what} was not found")]
    NotFound {
        /// What was looked for, with its identifier.
        what: String,
    },
    /// The object already exists or the write collides with the tenant's state
    /// (Graph `409 Request_MultipleObjectsWithSameKeyValue`, or a `400` on a duplicate assignment).
    #[error("conflict: {what}")]
    Conflict {
        /// What collided.
        what: String,
        /// The Graph error code, when a backend reported one.
        code: Option<String>,
    },
    /// The transition is not possible from the state the tenant is really in.
    #[error("cannot {action} while {state}: {reason}")]
    InvalidTransition {
        /// The state the tenant was found in (e.g. `RequestsDisabled`).
        state: String,
        /// The transition that was attempted (e.g. `request consent`).
        action: &'static str,
        /// What to do instead.
        reason: String,
    },
    /// The acting principal lacks a role or permission.
    #[error("permission denied: not allowed to {operation}; needs {needed}")]
    PermissionDenied {
        /// The operation that was refused, as a verb phrase (`update the consent request policy`).
        operation: &'static str,
        /// The least role or permission that would allow it.
        needed: String,
    },
    /// No valid credentials (Graph `401`, or a failed token request).
    #[error("not authenticated: {reason}")]
    Unauthenticated {
        /// Why, without any secret.
        reason: String,
    },
    /// The service throttled the caller (Graph `429 TooManyRequests`).
    #[error("throttled by the service{}; retry later", retry_after.map(|d| format!(" (retry after {:.1}s)", d.as_secs_f64())).unwrap_or_default())]
    Throttled {
        /// How long the service asked the caller to wait, when it said.
        retry_after: Option<Duration>,
    },
    /// The backend cannot do this at all; `hint` says what to do instead.
    #[error("cannot {operation} on the {backend} backend: {hint}")]
    Unsupported {
        /// The operation, as a verb phrase (`submit a consent request`).
        operation: &'static str,
        /// The backend's name (e.g. `microsoft-graph`).
        backend: &'static str,
        /// What to do instead.
        hint: String,
    },
    /// No response arrived in time. A write may or may not have been applied.
    #[error("timed out trying to {operation}; a change may or may not have been applied, so read back before retrying")]
    Timeout {
        /// The operation that timed out, as a verb phrase (`create a delegated permission grant`).
        operation: &'static str,
    },
    /// The backend answered with an error that has no more specific variant.
    #[error("backend error {status}{}: {message}{}", code.as_ref().map(|c| format!(" {c}")).unwrap_or_default(), request_id.as_ref().map(|r| format!(" (request-id {r})")).unwrap_or_default())]
    Backend {
        /// HTTP status (0 when the request never reached the service).
        status: u16,
        /// The Graph `error.code`, when present.
        code: Option<String>,
        /// A one-line message.
        message: String,
        /// The Graph `request-id`, for Microsoft support.
        request_id: Option<String>,
        /// The raw response body, kept for diagnosis (never contains a token).
        body: Option<String>,
    },
}

impl Error {
    /// Builds [`Error::InvalidInput`].
    pub fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        Error::InvalidInput {
            field,
            reason: reason.into(),
        }
    }

    /// Builds [`Error::NotFound`].
    pub fn not_found(what: impl Into<String>) -> Self {
        Error::NotFound { what: what.into() }
    }

    /// True when retrying the same call later may succeed (throttling, timeouts, 5xx, transport).
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Throttled { .. } | Error::Timeout { .. } => true,
            Error::Backend { status, .. } => *status == 0 || matches!(status, 500 | 502 | 503 | 504),
            _ => false,
        }
    }

    /// The wait the service asked for, if any.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::Throttled { retry_after } => *retry_after,
            _ => None,
        }
    }
}
