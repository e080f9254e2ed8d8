//! `Emulator`: the Rust emulator (`consent-emulator`) running in-process on background threads.

use std::sync::Mutex;

use consent::TenantId;
use consent_emulator::{Emulator, EmulatorConfig, RunningEmulator};
use consent_mock::{MockTenant, MockUser, Preset};
use pyo3::prelude::*;
use pyo3::types::PyType;
use tokio::runtime::Runtime;

use crate::convert::{self, to_plain};
use crate::errors::{invalid, IntoPy};
use crate::runtime::new_runtime;

/// A served emulator and the runtime whose worker threads serve it.
struct Served {
    emulator: RunningEmulator,
    runtime: Runtime,
}

/// A user of the emulated tenant (the demo directory), with the password for the sign-in page.
/// `repr()` leaves the password out.
#[pyclass(module = "entra_consent", name = "EmulatorUser", frozen, get_all)]
#[derive(Debug, Clone)]
pub struct PyEmulatorUser {
    /// Object id.
    id: String,
    /// User principal name (also the mail address).
    upn: String,
    /// Display name.
    display_name: String,
    /// Directory roles held, by display name.
    roles: Vec<String>,
    /// The sign-in password.
    password: String,
}

#[pymethods]
impl PyEmulatorUser {
    fn __repr__(&self) -> String {
        format!("EmulatorUser(upn={:?}, id={:?}, roles={:?})", self.upn, self.id, self.roles)
    }
}

impl From<MockUser> for PyEmulatorUser {
    fn from(u: MockUser) -> Self {
        Self {
            id: u.id.to_string(),
            upn: u.upn.to_string(),
            display_name: u.display_name.to_string(),
            roles: u.roles.iter().map(|r| r.display_name().to_owned()).collect(),
            password: u.password,
        }
    }
}

/// A local Microsoft Entra consent emulator (Graph v1.0 subset, login pages, control API) on
/// `127.0.0.1` and a free port, started when constructed and stopped by `close()` or at the end of
/// a `with` block.
///
/// `preset` is `workflow-on`, `user-consent-disabled`, `microsoft-managed` or `allow-user-consent`;
/// `tenants` is how many tenants it serves (copies of the first, each with its own id and state).
/// `repr()` never shows `admin_client_secret` or a password.
#[pyclass(module = "entra_consent", name = "Emulator", frozen)]
pub struct PyEmulator {
    served: Mutex<Option<Served>>,
    /// The Graph base URL, `http://127.0.0.1:PORT/v1.0`.
    #[pyo3(get)]
    graph_url: String,
    /// The login authority, `http://127.0.0.1:PORT`.
    #[pyo3(get)]
    login_url: String,
    /// The first tenant's id.
    #[pyo3(get)]
    tenant_id: String,
    /// Every served tenant's id, the first first.
    #[pyo3(get)]
    tenants: Vec<String>,
    /// The seeded admin client's id (client credentials with every permission the library needs).
    #[pyo3(get)]
    admin_client_id: String,
    /// The seeded admin client's secret (also the control API's bearer token).
    #[pyo3(get)]
    admin_client_secret: String,
    /// The app the login pages are set up for (the demo app, "Carerix Calendar - Production").
    #[pyo3(get)]
    app_id: Option<String>,
    /// The preset the tenants started from.
    #[pyo3(get)]
    preset: String,
}

impl std::fmt::Debug for PyEmulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Emulator")
            .field("graph_url", &self.graph_url)
            .field("tenant_id", &self.tenant_id)
            .finish_non_exhaustive()
    }
}

impl PyEmulator {
    fn with<T>(&self, f: impl FnOnce(&RunningEmulator) -> T) -> PyResult<T> {
        let guard = self.served.lock().map_err(|_| invalid("emulator", "is unusable after a panic"))?;
        guard
            .as_ref()
            .map(|s| f(&s.emulator))
            .ok_or_else(|| invalid("emulator", "is closed; start a new Emulator()"))
    }
}

fn tenant_arg(t: Option<&str>) -> PyResult<Option<TenantId>> {
    t.map(convert::tenant).transpose()
}

#[pymethods]
impl PyEmulator {
    #[new]
    #[pyo3(signature = (preset="workflow-on", tenants=1))]
    fn new(py: Python<'_>, preset: &str, tenants: usize) -> PyResult<Self> {
        let preset: Preset = preset.parse().py()?;
        if tenants == 0 {
            return Err(invalid("tenants", "must be at least 1"));
        }
        let runtime = new_runtime("entra-emulator").map_err(|e| invalid("emulator", e))?;
        let config = EmulatorConfig {
            tenants,
            ..EmulatorConfig::default()
        };
        let emulator = Emulator::new(MockTenant::preset(preset), config);
        let emulator = py
            .allow_threads(|| runtime.block_on(emulator.bind("127.0.0.1:0")))
            .map_err(|e| invalid("emulator", format!("cannot listen on 127.0.0.1: {e}")))?;
        Ok(Self {
            graph_url: emulator.graph_url().to_string(),
            login_url: emulator.login_url().as_str().trim_end_matches('/').to_owned(),
            tenant_id: emulator.tenant_id().to_string(),
            tenants: emulator.tenant_ids().iter().map(ToString::to_string).collect(),
            admin_client_id: emulator.admin_client_id().to_string(),
            admin_client_secret: emulator.admin_client_secret().to_owned(),
            app_id: emulator.app_id().map(|a| a.to_string()),
            preset: preset.name().to_owned(),
            served: Mutex::new(Some(Served { emulator, runtime })),
        })
    }

    /// The first tenant's users (the demo directory), with their sign-in passwords.
    #[getter]
    fn users(&self) -> PyResult<Vec<PyEmulatorUser>> {
        self.with(|e| e.users().into_iter().map(PyEmulatorUser::from).collect())
    }

    /// True until `close()`.
    #[getter]
    fn running(&self) -> PyResult<bool> {
        Ok(self
            .served
            .lock()
            .map_err(|_| invalid("emulator", "is unusable after a panic"))?
            .is_some())
    }

    /// Moves the clock forward by `seconds` (every tenant's, or one tenant's); returns that tenant's
    /// (or the first tenant's) time afterwards, as a timezone-aware `datetime`. Request expiry,
    /// reminders and token lifetimes follow the clock.
    #[pyo3(signature = (seconds, tenant=None))]
    fn advance_clock(&self, py: Python<'_>, seconds: f64, tenant: Option<&str>) -> PyResult<PyObject> {
        if !seconds.is_finite() || seconds < 0.0 {
            return Err(invalid("seconds", "must be a finite number of seconds, zero or more"));
        }
        let tenant = tenant_arg(tenant)?;
        // Whole seconds: the emulator's clock API counts in seconds.
        let by = chrono::Duration::try_seconds(seconds as i64).ok_or_else(|| invalid("seconds", "is too large"))?;
        let now = self.with(|e| e.advance_clock(by, tenant.as_ref()))?.py()?;
        let datetime = py.import("datetime")?.getattr("datetime")?;
        Ok(datetime.call_method1("fromisoformat", (now.to_rfc3339(),))?.unbind())
    }

    /// The emails a tenant (default: the first) sent, oldest first: dicts with `to`, `subject`,
    /// `body` and `sentDateTime`.
    #[pyo3(signature = (tenant=None))]
    fn outbox(&self, py: Python<'_>, tenant: Option<&str>) -> PyResult<PyObject> {
        let tenant = tenant_arg(tenant)?;
        let mails = self.with(|e| e.outbox(tenant.as_ref()))?.py()?;
        to_plain(py, &mails)
    }

    /// Requests answered, by status, throttled and early retries, since start or the last reset.
    fn stats(&self, py: Python<'_>) -> PyResult<PyObject> {
        let stats = self.with(RunningEmulator::stats)?;
        to_plain(py, &stats)
    }

    /// A tenant's rate limit (default: the first's) as `"N/S"` (N Graph calls per S seconds), or
    /// `None` when it is not limited.
    #[pyo3(signature = (tenant=None))]
    fn rate_limit(&self, tenant: Option<&str>) -> PyResult<Option<String>> {
        let tenant = tenant_arg(tenant)?;
        Ok(self.with(|e| e.rate_limit(tenant.as_ref()))?.py()?.map(|l| l.to_string()))
    }

    /// Sets the rate limit (`"N/S"`, or `None` to lift it) of one tenant — a customer tenant that
    /// throttles in a fleet test — or of every tenant. Over the limit Graph calls get `429` with
    /// `Retry-After`, and `stats()["early_retries"]` counts calls that came back too soon.
    #[pyo3(signature = (limit, tenant=None))]
    fn set_rate_limit(&self, limit: Option<&str>, tenant: Option<&str>) -> PyResult<()> {
        let tenant = tenant_arg(tenant)?;
        let limit = limit.map(str::parse::<consent_emulator::RateLimit>).transpose().py()?;
        self.with(|e| e.set_rate_limit(limit, tenant.as_ref()))?.py()
    }

    /// Every tenant (or one) back to its starting state; tokens stay valid.
    #[pyo3(signature = (tenant=None))]
    fn reset(&self, tenant: Option<&str>) -> PyResult<()> {
        let tenant = tenant_arg(tenant)?;
        self.with(|e| e.reset(tenant.as_ref()))?.py()
    }

    /// A tenant's state (default: the first) as JSON, the format `consentctl` stores.
    #[pyo3(signature = (tenant=None))]
    fn state(&self, tenant: Option<&str>) -> PyResult<String> {
        let tenant = tenant_arg(tenant)?;
        self.with(|e| e.state(tenant.as_ref()))?.py()
    }

    /// Loads a saved state (from `state()`) into one tenant or every tenant.
    #[pyo3(signature = (json, tenant=None))]
    fn load_state(&self, json: &str, tenant: Option<&str>) -> PyResult<()> {
        let tenant = tenant_arg(tenant)?;
        self.with(|e| e.load_state(json, tenant.as_ref()))?.py()
    }

    /// Stops serving and waits for in-flight requests; idempotent.
    fn close(&self, py: Python<'_>) -> PyResult<()> {
        let served = self
            .served
            .lock()
            .map_err(|_| invalid("emulator", "is unusable after a panic"))?
            .take();
        if let Some(Served { emulator, runtime }) = served {
            py.allow_threads(|| {
                let _ = runtime.block_on(emulator.shutdown());
                runtime.shutdown_background();
            });
        }
        Ok(())
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    #[pyo3(signature = (*_args))]
    fn __exit__(&self, py: Python<'_>, _args: &Bound<'_, pyo3::types::PyTuple>) -> PyResult<bool> {
        self.close(py)?;
        Ok(false)
    }

    fn __repr__(&self) -> String {
        format!(
            "Emulator(preset={:?}, graph_url={:?}, tenant_id={:?}, tenants={})",
            self.preset,
            self.graph_url,
            self.tenant_id,
            self.tenants.len()
        )
    }

    /// The presets an emulator can start from.
    #[classmethod]
    fn presets(_cls: &Bound<'_, PyType>) -> Vec<&'static str> {
        Preset::all().iter().map(|p| p.name()).collect()
    }
}
