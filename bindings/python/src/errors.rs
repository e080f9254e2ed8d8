//! The exception hierarchy, and the one conversion from `consent::Error` into it.
//!
//! Every exception's message is the library error's `Display`, which says what went wrong and what
//! to do, and never prints a secret.

use consent::Error;
use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;

create_exception!(
    entra_consent,
    ConsentError,
    PyException,
    "Base class of every error entra_consent raises. `retryable` says whether the same call may succeed later."
);
create_exception!(
    entra_consent,
    InvalidInput,
    ConsentError,
    "A value failed validation (a URL, GUID, scope, reviewer, preset, locale, JSON...). `field` names it."
);
create_exception!(entra_consent, NotFound, ConsentError, "The object does not exist in the tenant.");
create_exception!(
    entra_consent,
    Conflict,
    ConsentError,
    "The write collides with the tenant's state (e.g. the object already exists)."
);
create_exception!(
    entra_consent,
    InvalidTransition,
    Conflict,
    "The step is not possible from the state the tenant is really in; observe again."
);
create_exception!(
    entra_consent,
    PermissionDenied,
    ConsentError,
    "The acting principal lacks the role or permission; the message names the least one that would do."
);
create_exception!(
    entra_consent,
    Unauthenticated,
    PermissionDenied,
    "No valid credentials: a wrong client secret, an unknown client, a failed token request."
);
create_exception!(
    entra_consent,
    Throttled,
    ConsentError,
    "The service throttled the caller; `retry_after` is the wait it asked for, in seconds, or None."
);
create_exception!(
    entra_consent,
    Unsupported,
    ConsentError,
    "The backend cannot do this at all; the message says what to do instead."
);
create_exception!(
    entra_consent,
    Timeout,
    ConsentError,
    "No answer in time; a write may or may not have been applied, so read back before retrying."
);
create_exception!(
    entra_consent,
    BackendError,
    ConsentError,
    "The service answered with an error that has no more specific class; `status` is its HTTP status."
);

/// Converts a library error into the matching exception, with `retryable`, `retry_after` and the
/// variant's own fields as attributes.
pub fn to_py(err: Error) -> PyErr {
    let msg = err.to_string();
    let py_err = match &err {
        Error::InvalidInput { .. } => InvalidInput::new_err(msg),
        Error::NotFound { .. } => NotFound::new_err(msg),
        Error::Conflict { .. } => Conflict::new_err(msg),
        Error::InvalidTransition { .. } => InvalidTransition::new_err(msg),
        Error::PermissionDenied { .. } => PermissionDenied::new_err(msg),
        Error::Unauthenticated { .. } => Unauthenticated::new_err(msg),
        Error::Throttled { .. } => Throttled::new_err(msg),
        Error::Unsupported { .. } => Unsupported::new_err(msg),
        Error::Timeout { .. } => Timeout::new_err(msg),
        Error::Backend { .. } => BackendError::new_err(msg),
        _ => ConsentError::new_err(msg),
    };
    Python::with_gil(|py| {
        let value = py_err.value(py);
        // Setting attributes on a fresh exception instance cannot fail in practice; if it did, the
        // exception with its message is still the right thing to raise.
        let _ = value.setattr("retryable", err.is_retryable());
        let _ = value.setattr("retry_after", err.retry_after().map(|d| d.as_secs_f64()));
        // Graph's request-id, on every error that came from Graph (for Microsoft support).
        let _ = value.setattr("request_id", err.request_id().map(str::to_owned));
        match &err {
            Error::InvalidInput { field, .. } => {
                let _ = value.setattr("field", *field);
            }
            Error::Backend { status, code, .. } => {
                let _ = value.setattr("status", *status);
                let _ = value.setattr("code", code.clone());
            }
            Error::Conflict { code, .. } => {
                let _ = value.setattr("code", code.clone());
            }
            _ => {}
        }
    });
    py_err
}

/// `InvalidInput` for a value the binding itself checks (which argument, and why).
pub fn invalid(field: &'static str, reason: impl Into<String>) -> PyErr {
    to_py(Error::invalid(field, reason))
}

/// `Result<T, consent::Error>` → `PyResult<T>`.
pub trait IntoPy<T> {
    /// Converts the error side.
    fn py(self) -> PyResult<T>;
}

impl<T> IntoPy<T> for consent::Result<T> {
    fn py(self) -> PyResult<T> {
        self.map_err(to_py)
    }
}

/// Adds the exception classes to the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("ConsentError", py.get_type::<ConsentError>())?;
    m.add("InvalidInput", py.get_type::<InvalidInput>())?;
    m.add("NotFound", py.get_type::<NotFound>())?;
    m.add("Conflict", py.get_type::<Conflict>())?;
    m.add("InvalidTransition", py.get_type::<InvalidTransition>())?;
    m.add("PermissionDenied", py.get_type::<PermissionDenied>())?;
    m.add("Unauthenticated", py.get_type::<Unauthenticated>())?;
    m.add("Throttled", py.get_type::<Throttled>())?;
    m.add("Unsupported", py.get_type::<Unsupported>())?;
    m.add("Timeout", py.get_type::<Timeout>())?;
    m.add("BackendError", py.get_type::<BackendError>())?;
    Ok(())
}
