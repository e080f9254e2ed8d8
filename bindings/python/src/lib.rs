//! `entra_consent._native`: the Python binding of entra-consent, thin over the Rust crates.
//!
//! Every decision (callback classification, guidance text, workflow states, Graph calls, the
//! emulator) is made by the Rust crates; this crate converts arguments and results, maps
//! `consent::Error` onto a small exception hierarchy, and releases the GIL while Rust waits. The
//! pure-Python package around it (`python/entra_consent`) adds only the pytest plugin and stubs.
//!
//! # Contents
//!
//! - `link`: `LinkRequest`, `PendingLink`, `LinkOutcome`, `classify_callback`, `AdminConsentLink`,
//!   `PendingAdminConsent`, `AdminConsentOutcome`, `classify_admin_consent`.
//! - `guidance`: `Guidance`.
//! - `graph`: `App`, `GraphClient`, `ConsentState`, `GrantReport`.
//! - `emulator`: `Emulator`, `EmulatorUser`.
//! - `errors`: `ConsentError` and its subclasses.

mod convert;
mod emulator;
mod errors;
mod graph;
mod guidance;
mod link;
mod runtime;

use pyo3::prelude::*;

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    errors::register(m)?;
    m.add_class::<link::PyLinkRequest>()?;
    m.add_class::<link::PyPendingLink>()?;
    m.add_class::<link::PyLinkOutcome>()?;
    m.add_class::<link::PyAdminConsentLink>()?;
    m.add_class::<link::PyPendingAdminConsent>()?;
    m.add_class::<link::PyAdminConsentOutcome>()?;
    m.add_function(wrap_pyfunction!(link::classify_callback, m)?)?;
    m.add_function(wrap_pyfunction!(link::classify_admin_consent, m)?)?;
    m.add_class::<guidance::PyGuidance>()?;
    m.add_class::<graph::PyApp>()?;
    m.add_class::<graph::PyGraphClient>()?;
    m.add_class::<graph::PyConsentState>()?;
    m.add_class::<graph::PyGrantReport>()?;
    m.add_class::<emulator::PyEmulator>()?;
    m.add_class::<emulator::PyEmulatorUser>()?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
