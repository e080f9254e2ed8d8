//! `GraphClient` over `consent-graph`, and the workflow results it returns.
//!
//! Synchronous methods run the library's future on the module's Tokio runtime with the GIL
//! released; the `*_async` twins hand the synchronous method to `asyncio.to_thread`.

use std::sync::Arc;

use consent::{AppId, AppRegistration, ConsentGraph, PolicyChange, Reviewer, ScopeSet};
use consent_graph::{ClientCredentials, GraphBackend, GraphEndpoint, Secret};
use pyo3::prelude::*;
use url::Url;

use crate::convert::{self, repr_opt, to_plain};
use crate::errors::{invalid, IntoPy};
use crate::guidance::PyGuidance;
use crate::runtime::block_on;

/// An app registration: its client id, the name the tenant shows, and the delegated Microsoft
/// Graph scopes it requires (a space-separated string or a list).
#[pyclass(module = "entra_consent", name = "App", frozen)]
#[derive(Debug, Clone)]
pub struct PyApp {
    pub inner: AppRegistration,
}

#[pymethods]
impl PyApp {
    #[new]
    fn new(app_id: &str, name: &str, scopes: &Bound<'_, PyAny>) -> PyResult<Self> {
        let scopes: ScopeSet = convert::scopes(scopes)?;
        let inner = AppRegistration::new(AppId::parse(app_id).py()?, name).with_delegated(AppId::MICROSOFT_GRAPH, scopes);
        Ok(Self { inner })
    }

    /// The client id.
    #[getter]
    fn app_id(&self) -> String {
        self.inner.app_id.to_string()
    }

    /// The display name.
    #[getter]
    fn name(&self) -> &str {
        &self.inner.display_name
    }

    /// The delegated scopes, in order.
    #[getter]
    fn scopes(&self) -> Vec<String> {
        self.inner.delegated_scopes().iter().map(ToString::to_string).collect()
    }

    fn __repr__(&self) -> String {
        format!(
            "App(app_id={:?}, name={:?}, scopes={:?})",
            self.app_id(),
            self.inner.display_name,
            self.scopes()
        )
    }
}

/// What `GraphClient.observe` found: the app's consent state in the tenant.
///
/// `state` is one of `user_consent_allowed`, `requests_disabled`, `requests_enabled`, `pending`,
/// `approved`, `denied`, `expired`, `blocked`.
#[pyclass(module = "entra_consent", name = "ConsentState", frozen)]
#[derive(Debug)]
pub struct PyConsentState {
    inner: consent::ConsentState,
}

#[pymethods]
impl PyConsentState {
    /// The state's name.
    #[getter]
    fn state(&self) -> &'static str {
        self.inner.name()
    }

    /// True when every employee can link without an admin (approved, or users may consent).
    #[getter]
    fn users_can_link(&self) -> bool {
        self.inner.users_can_link()
    }

    /// Next steps for the user and the admin in this state, for `product` (default: the app's
    /// name) in `locale`.
    #[pyo3(signature = (product=None, locale="en", task=None, button=None))]
    fn guidance(&self, product: Option<&str>, locale: &str, task: Option<&str>, button: Option<&str>) -> PyResult<PyGuidance> {
        let locale = convert::locale(locale)?;
        let product = convert::product(product, task, button, &self.inner.app().display_name);
        Ok(PyGuidance::new(self.inner.guidance(&product, locale)))
    }

    /// The state as plain data (`{"state": ..., "app": ..., "details": ...}`, the library's serde shape).
    fn to_dict(&self, py: Python<'_>) -> PyResult<PyObject> {
        to_plain(py, &self.inner)
    }

    fn __repr__(&self) -> String {
        format!(
            "ConsentState(state={:?}, app_id={:?})",
            self.state(),
            self.inner.app().app_id.to_string()
        )
    }
}

/// What `GraphClient.approve` changed.
#[pyclass(module = "entra_consent", name = "GrantReport", frozen)]
#[derive(Debug)]
pub struct PyGrantReport {
    inner: consent::GrantReport,
}

#[pymethods]
impl PyGrantReport {
    /// The client's service principal id.
    #[getter]
    fn service_principal_id(&self) -> Option<String> {
        self.inner.service_principal_id.map(|i| i.to_string())
    }

    /// True when this run created the service principal.
    #[getter]
    fn created_service_principal(&self) -> bool {
        self.inner.created_service_principal
    }

    /// Grants created.
    #[getter]
    fn grants_created(&self) -> usize {
        self.inner.grants_created
    }

    /// Grants whose scope was widened.
    #[getter]
    fn grants_updated(&self) -> usize {
        self.inner.grants_updated
    }

    /// True when the run wrote nothing (everything was already granted).
    #[getter]
    fn is_noop(&self) -> bool {
        self.inner.is_noop()
    }

    /// The report as plain data.
    fn to_dict(&self, py: Python<'_>) -> PyResult<PyObject> {
        to_plain(py, &self.inner)
    }

    fn __repr__(&self) -> String {
        format!(
            "GrantReport(created_service_principal={}, grants_created={}, grants_updated={})",
            if self.inner.created_service_principal { "True" } else { "False" },
            self.inner.grants_created,
            self.inner.grants_updated
        )
    }
}

/// A Microsoft Graph client for one tenant, acting as an app (client credentials).
///
/// Build it with `GraphClient.client_credentials(...)`. Methods block the calling thread, not the
/// interpreter: the GIL is released while they wait, so threads run in parallel. `repr()` never
/// shows the secret.
#[pyclass(module = "entra_consent", name = "GraphClient", frozen)]
#[derive(Debug)]
pub struct PyGraphClient {
    graph: Arc<GraphBackend>,
    client_id: String,
    graph_url: Option<String>,
}

#[pymethods]
impl PyGraphClient {
    /// A client for `tenant` (GUID or domain) acting as app `client_id` with `client_secret`.
    /// `graph_url` and `login_url` point it at a local emulator (both loopback, given together);
    /// without them it talks to Microsoft's global cloud.
    #[staticmethod]
    #[pyo3(signature = (tenant, client_id, client_secret, graph_url=None, login_url=None))]
    fn client_credentials(
        tenant: &str,
        client_id: &str,
        client_secret: &str,
        graph_url: Option<&str>,
        login_url: Option<&str>,
    ) -> PyResult<Self> {
        let tenant = convert::tenant(tenant)?;
        let id = AppId::parse(client_id).py()?;
        let endpoint = match (graph_url, login_url) {
            (Some(g), Some(_)) => GraphEndpoint::custom(g).py()?,
            // An emulator serves its own token endpoint; Microsoft's would not issue tokens for it.
            (Some(_), None) => return Err(invalid("graph_url", "needs login_url: the emulator's token authority")),
            (None, Some(_)) => return Err(invalid("login_url", "needs graph_url: the emulator's Graph base URL")),
            (None, None) => GraphEndpoint::Global,
        };
        let mut tokens = ClientCredentials::builder(tenant.clone(), id, Secret::new(client_secret)).cloud(endpoint.clone());
        if let Some(login) = login_url {
            let url = Url::parse(login).map_err(|e| invalid("login_url", format!("{login:?} is not a URL: {e}")))?;
            tokens = tokens.authority(url);
        }
        let graph = GraphBackend::builder()
            .tenant(tenant)
            .token_provider(Arc::new(tokens.build().py()?))
            .endpoint(endpoint)
            .build()
            .py()?;
        Ok(Self {
            graph: Arc::new(graph),
            client_id: id.to_string(),
            graph_url: graph_url.map(str::to_owned),
        })
    }

    /// The tenant this client acts in.
    #[getter]
    fn tenant(&self) -> String {
        self.graph.tenant().to_string()
    }

    /// Reads the tenant and returns the app's consent state.
    fn observe(&self, py: Python<'_>, app: PyApp) -> PyResult<PyConsentState> {
        let graph = self.graph.clone();
        let inner = block_on(py, async move { consent::observe(&*graph, &app.inner).await })?.py()?;
        Ok(PyConsentState { inner })
    }

    /// Procedure 1: turns on "Users can request admin consent to apps they are unable to consent
    /// to" with `reviewers` (`user:ID`, `group:ID` or `role:ID`) and requests lasting
    /// `duration_days`; returns the policy the tenant now holds (Graph's JSON shape).
    #[pyo3(signature = (reviewers, duration_days=30))]
    fn enable_requests(&self, py: Python<'_>, reviewers: Vec<String>, duration_days: u32) -> PyResult<PyObject> {
        let reviewers = reviewers
            .iter()
            .map(|r| Reviewer::parse_spec(r))
            .collect::<consent::Result<Vec<_>>>()
            .py()?;
        let change = PolicyChange {
            request_duration_in_days: Some(duration_days),
            ..PolicyChange::enable_with(reviewers)
        };
        let graph = self.graph.clone();
        let policy = block_on(py, async move {
            let current = graph.get_request_policy().await?;
            let next = change.apply(&current);
            next.validate()?;
            graph.put_request_policy(&next).await?;
            // Read back: the service bumps the version, and what it stored is the truth.
            graph.get_request_policy().await
        })?
        .py()?;
        to_plain(py, &policy)
    }

    /// Procedure 3: grants the app's required permissions tenant-wide (idempotent: writes only
    /// what is missing).
    fn approve(&self, py: Python<'_>, app: PyApp) -> PyResult<PyGrantReport> {
        let graph = self.graph.clone();
        let inner = block_on(py, async move { consent::grant_tenant_wide(&*graph, &app.inner).await })?.py()?;
        Ok(PyGrantReport { inner })
    }

    /// `observe` for asyncio: runs it in a worker thread (`asyncio.to_thread`).
    fn observe_async<'py>(slf: &Bound<'py, Self>, app: PyApp) -> PyResult<Bound<'py, PyAny>> {
        to_thread(slf, "observe", vec![Bound::new(slf.py(), app)?.into_any()])
    }

    /// `enable_requests` for asyncio.
    #[pyo3(signature = (reviewers, duration_days=30))]
    fn enable_requests_async<'py>(slf: &Bound<'py, Self>, reviewers: Vec<String>, duration_days: u32) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        to_thread(
            slf,
            "enable_requests",
            vec![reviewers.into_pyobject(py)?.into_any(), duration_days.into_pyobject(py)?.into_any()],
        )
    }

    /// `approve` for asyncio.
    fn approve_async<'py>(slf: &Bound<'py, Self>, app: PyApp) -> PyResult<Bound<'py, PyAny>> {
        to_thread(slf, "approve", vec![Bound::new(slf.py(), app)?.into_any()])
    }

    fn __repr__(&self) -> String {
        format!(
            "GraphClient(tenant={:?}, client_id={:?}, graph_url={})",
            self.tenant(),
            self.client_id,
            repr_opt(self.graph_url.as_deref())
        )
    }
}

/// `asyncio.to_thread(slf.<method>, *args)`: a coroutine for the caller to await.
fn to_thread<'py>(slf: &Bound<'py, PyGraphClient>, method: &str, args: Vec<Bound<'py, PyAny>>) -> PyResult<Bound<'py, PyAny>> {
    let py = slf.py();
    let mut all = vec![slf.getattr(method)?];
    all.extend(args);
    py.import("asyncio")?
        .getattr("to_thread")?
        .call1(pyo3::types::PyTuple::new(py, all)?)
}
