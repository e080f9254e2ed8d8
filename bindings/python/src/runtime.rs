//! One Tokio runtime for the whole module; synchronous methods release the GIL while they wait.

use std::future::Future;
use std::sync::OnceLock;

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use tokio::runtime::Runtime;

static RUNTIME: OnceLock<Result<Runtime, String>> = OnceLock::new();

/// Two workers: the machines this runs on are small, and every task here mostly waits on I/O.
pub fn new_runtime(name: &str) -> Result<Runtime, String> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name(name)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the Tokio runtime: {e}"))
}

fn runtime() -> PyResult<&'static Runtime> {
    RUNTIME
        .get_or_init(|| new_runtime("entra-consent"))
        .as_ref()
        .map_err(|e| PyRuntimeError::new_err(e.clone()))
}

/// Runs `fut` to completion on the shared runtime with the GIL released, so other Python threads
/// run meanwhile (and several threads can wait on Graph at once).
pub fn block_on<F>(py: Python<'_>, fut: F) -> PyResult<F::Output>
where
    F: Future + Send,
    F::Output: Send,
{
    let rt = runtime()?;
    Ok(py.allow_threads(|| rt.block_on(fut)))
}
