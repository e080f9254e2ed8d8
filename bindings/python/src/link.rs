//! Link flows, sans-IO: the user's authorize URL and callback, the admin-consent link and its
//! callback. Every decision is `consent::link`'s; this file only converts arguments and results.

use std::sync::Mutex;

use consent::link::{self, Authority, LinkTenant, Prompt};
use consent::{AppId, SystemClock};
use pyo3::prelude::*;
use url::Url;

use crate::convert::{self, repr_opt, to_plain};
use crate::errors::{invalid, IntoPy};
use crate::guidance::PyGuidance;

/// `global`, `us-government`, `china`, or an authority URL (a loopback one for the emulator).
fn authority(s: &str) -> PyResult<Authority> {
    match s.trim().to_ascii_lowercase().as_str() {
        "global" => Ok(Authority::Global),
        "us-government" | "usgov" => Ok(Authority::UsGovernment),
        "china" => Ok(Authority::China),
        _ => Authority::parse(s.trim_end_matches('/')).py(),
    }
}

fn prompt(s: &str) -> PyResult<Prompt> {
    match s {
        "select_account" => Ok(Prompt::SelectAccount),
        "login" => Ok(Prompt::Login),
        "consent" => Ok(Prompt::Consent),
        "none" => Ok(Prompt::None),
        other => Err(invalid(
            "prompt",
            format!("{other:?} is not one of select_account, login, consent, none"),
        )),
    }
}

fn app_id(s: &str) -> PyResult<AppId> {
    AppId::parse(s).py()
}

fn admin_url(s: Option<&str>) -> PyResult<Option<Url>> {
    s.map(|u| Url::parse(u).map_err(|e| invalid("admin_consent_url", format!("{u:?} is not a URL: {e}"))))
        .transpose()
}

/// Everything a product's "Link calendar" button needs to send a user to Microsoft.
///
/// `tenant` is a tenant GUID, a verified domain, or `organizations` (`common` is refused);
/// `redirect_uri` is https, or http on loopback; `scopes` is a space-separated string or a list;
/// `authority` is `global`, `us-government`, `china` or a loopback URL (the emulator's `login_url`).
/// Invalid values raise `InvalidInput` here, not at `start()`.
#[pyclass(module = "entra_consent", name = "LinkRequest", frozen)]
#[derive(Debug)]
pub struct PyLinkRequest {
    inner: link::LinkRequest,
    tenant: String,
    client_id: String,
}

#[pymethods]
impl PyLinkRequest {
    #[new]
    #[pyo3(signature = (tenant, client_id, redirect_uri, scopes, authority="global", prompt="select_account", login_hint=None))]
    fn new(
        tenant: &str,
        client_id: &str,
        redirect_uri: &str,
        scopes: &Bound<'_, PyAny>,
        authority: &str,
        prompt: &str,
        login_hint: Option<&str>,
    ) -> PyResult<Self> {
        let link_tenant = LinkTenant::parse(tenant).py()?;
        let id = app_id(client_id)?;
        let mut inner = link::LinkRequest::new(id, redirect_uri, convert::scopes(scopes)?)
            .py()?
            .tenant(link_tenant.clone())
            .authority(self::authority(authority)?)
            .prompt(self::prompt(prompt)?);
        if let Some(h) = login_hint {
            inner = inner.login_hint(h);
        }
        Ok(Self {
            inner,
            tenant: link_tenant.to_string(),
            client_id: id.to_string(),
        })
    }

    /// Builds the authorize URL (PKCE S256, a random `state`) and the `PendingLink` to keep
    /// server-side until the callback: `(url, pending)`.
    fn start(&self) -> PyResult<(String, PyPendingLink)> {
        let (url, pending) = self.inner.clone().build(&SystemClock).py()?;
        Ok((url.to_string(), PyPendingLink::new(pending)))
    }

    fn __repr__(&self) -> String {
        format!("LinkRequest(tenant={:?}, client_id={:?})", self.tenant, self.client_id)
    }
}

/// What a product keeps between sending the user to Microsoft and the callback.
///
/// It holds the PKCE verifier, a single-use secret: store `to_json()` server-side (never in a
/// cookie), and finish it once with `classify_callback(url, pending=...)`. `repr()` shows no secret.
#[pyclass(module = "entra_consent", name = "PendingLink", frozen)]
#[derive(Debug)]
pub struct PyPendingLink {
    inner: SingleUse<link::PendingLink>,
}

impl PyPendingLink {
    fn new(p: link::PendingLink) -> Self {
        Self {
            inner: SingleUse::new(
                p,
                "was already used to classify a callback; a pending link yields one outcome, start a new link",
            ),
        }
    }
}

/// A pending link or admin consent: readable until a callback consumes it, then gone, so a
/// callback cannot be replayed against it (shared across Python threads, hence the lock).
#[derive(Debug)]
struct SingleUse<T> {
    inner: Mutex<Option<T>>,
    /// Why a second use is refused.
    used: &'static str,
}

impl<T> SingleUse<T> {
    fn new(value: T, used: &'static str) -> Self {
        Self {
            inner: Mutex::new(Some(value)),
            used,
        }
    }

    fn with<R>(&self, f: impl FnOnce(&T) -> R) -> PyResult<R> {
        let guard = self.inner.lock().map_err(|_| invalid("pending", "is unusable after a panic"))?;
        guard.as_ref().map(f).ok_or_else(|| invalid("pending", self.used))
    }

    /// True once the value was taken.
    fn is_used(&self) -> PyResult<bool> {
        let guard = self.inner.lock().map_err(|_| invalid("pending", "is unusable after a panic"))?;
        Ok(guard.is_none())
    }

    /// Takes the value out: the one use.
    fn take(&self) -> PyResult<T> {
        let mut guard = self.inner.lock().map_err(|_| invalid("pending", "is unusable after a panic"))?;
        guard.take().ok_or_else(|| invalid("pending", self.used))
    }
}

#[pymethods]
impl PyPendingLink {
    /// The JSON to store server-side (contains the PKCE verifier: treat it as a secret).
    fn to_json(&self) -> PyResult<String> {
        self.inner
            .with(serde_json::to_string)?
            .map_err(|e| invalid("pending", format!("cannot be serialized: {e}")))
    }

    /// A pending link from `to_json()` (or the `pending_link` of `consentctl link url --json`).
    #[staticmethod]
    fn from_json(s: &str) -> PyResult<Self> {
        let value: serde_json::Value = serde_json::from_str(s).map_err(|e| invalid("pending", format!("is not JSON: {e}")))?;
        // Accept the whole `consentctl link url --json` document as well as the bare pending link.
        let value = value.get("pending_link").cloned().unwrap_or(value);
        let p = serde_json::from_value(value).map_err(|e| invalid("pending", format!("is not a pending link: {e}")))?;
        Ok(Self::new(p))
    }

    /// The `state` sent to Microsoft; a product may key its storage by it.
    #[getter]
    fn state(&self) -> PyResult<String> {
        self.inner.with(|p| p.state().to_owned())
    }

    /// The tenant segment the link was built for.
    #[getter]
    fn tenant(&self) -> PyResult<String> {
        self.inner.with(|p| p.tenant().to_string())
    }

    /// The app's client id.
    #[getter]
    fn client_id(&self) -> PyResult<String> {
        self.inner.with(|p| p.client_id().to_string())
    }

    /// The redirect URI the token request must repeat.
    #[getter]
    fn redirect_uri(&self) -> PyResult<String> {
        self.inner.with(|p| p.redirect_uri().to_string())
    }

    /// The requested scopes.
    #[getter]
    fn scopes(&self) -> PyResult<Vec<String>> {
        self.inner.with(|p| p.scopes().iter().map(ToString::to_string).collect())
    }

    /// When the link was built (RFC 3339).
    #[getter]
    fn created_at(&self) -> PyResult<String> {
        self.inner.with(|p| p.created_at().to_rfc3339())
    }

    /// True once a callback was classified against it.
    #[getter]
    fn finished(&self) -> PyResult<bool> {
        self.inner.is_used()
    }

    /// The admin-consent link for the same app, tenant and scopes, returning to `admin_redirect_uri`.
    fn admin_consent_link(&self, admin_redirect_uri: &str) -> PyResult<PyAdminConsentLink> {
        let link = self.inner.with(|p| p.admin_consent_link(admin_redirect_uri))?.py()?;
        let (tenant, client_id) = self.inner.with(|p| (p.tenant().to_string(), p.client_id().to_string()))?;
        Ok(PyAdminConsentLink {
            inner: link,
            tenant,
            client_id,
        })
    }

    fn __repr__(&self) -> String {
        match self
            .inner
            .with(|p| (p.tenant().to_string(), p.client_id().to_string(), p.created_at().to_rfc3339()))
        {
            Ok((t, c, at)) => format!("PendingLink(tenant={t:?}, client_id={c:?}, created_at={at:?})"),
            Err(_) => "PendingLink(finished)".to_owned(),
        }
    }
}

/// What a link attempt came to. `kind` uses the names of `consentctl link classify --json`:
/// `authorized`, `admin_approval_required`, `consent_required`, `user_cancelled`,
/// `app_not_in_tenant`, `risky_app_blocked`, `misconfigured`, `state_mismatch`, `expired`, `other`.
///
/// Without a pending link an `authorized` callback is not redeemable (`redeemable` is False and
/// `code` None): only the pending link's PKCE verifier can redeem a code.
#[pyclass(module = "entra_consent", name = "LinkOutcome", frozen)]
#[derive(Debug)]
pub struct PyLinkOutcome {
    /// `None`: an authorized callback classified without its pending link.
    inner: Option<link::LinkOutcome>,
}

impl PyLinkOutcome {
    fn auth_error(&self) -> Option<&link::AuthError> {
        self.inner.as_ref().and_then(link::LinkOutcome::auth_error)
    }

    fn exchange(&self) -> Option<&link::TokenExchange> {
        match &self.inner {
            Some(link::LinkOutcome::Authorized(x)) => Some(x),
            _ => None,
        }
    }
}

#[pymethods]
impl PyLinkOutcome {
    /// The outcome's stable snake_case name.
    #[getter]
    fn kind(&self) -> &'static str {
        self.inner.as_ref().map_or("authorized", link::LinkOutcome::kind)
    }

    /// For `admin_approval_required` and `risky_app_blocked`: whether the user could ask from
    /// Microsoft's prompt ("Request approval"); None otherwise.
    #[getter]
    fn can_request(&self) -> Option<bool> {
        match &self.inner {
            Some(link::LinkOutcome::AdminApprovalRequired { can_request, .. })
            | Some(link::LinkOutcome::RiskyAppBlocked { can_request, .. }) => Some(*can_request),
            _ => None,
        }
    }

    /// The authorization code, when authorized with a pending link (a secret: do not log it).
    #[getter]
    fn code(&self) -> Option<String> {
        self.exchange().map(|x| x.code.secret().to_owned())
    }

    /// True when this outcome carries a code that can be exchanged (`token_request()`).
    #[getter]
    fn redeemable(&self) -> bool {
        self.exchange().is_some()
    }

    /// The AADSTS codes Microsoft sent, first listed first.
    #[getter]
    fn error_codes(&self) -> Vec<u32> {
        self.auth_error().map(|e| e.error_codes.clone()).unwrap_or_default()
    }

    /// The OAuth `error` value, for error redirects.
    #[getter]
    fn error(&self) -> Option<String> {
        self.auth_error().map(|e| e.error.clone())
    }

    /// `error_description` (with Microsoft's trace and correlation ids), for error redirects.
    #[getter]
    fn error_description(&self) -> Option<String> {
        self.auth_error().and_then(|e| e.description.clone())
    }

    /// For `state_mismatch`: `missing`, `empty` or `different`.
    #[getter]
    fn state_problem(&self, py: Python<'_>) -> PyResult<PyObject> {
        match &self.inner {
            Some(link::LinkOutcome::StateMismatch { problem }) => to_plain(py, problem),
            _ => Ok(py.None()),
        }
    }

    /// For `misconfigured`: `redirect_uri_mismatch`, `unknown_scope_or_resource` or `invalid_scope`.
    #[getter]
    fn misconfiguration(&self, py: Python<'_>) -> PyResult<PyObject> {
        match &self.inner {
            Some(link::LinkOutcome::Misconfigured { problem, .. }) => to_plain(py, problem),
            _ => Ok(py.None()),
        }
    }

    /// True when an admin must act and the admin-consent link is the quickest way.
    #[getter]
    fn needs_admin_consent_link(&self) -> bool {
        self.inner.as_ref().is_some_and(link::LinkOutcome::needs_admin_consent_link)
    }

    /// For a redeemable outcome, the token request to send: `{"url": ..., "form": {...}}`, the form
    /// without client credentials. Contains the code and the PKCE verifier. None otherwise.
    fn token_request(&self, py: Python<'_>) -> PyResult<PyObject> {
        let Some(x) = self.exchange() else { return Ok(py.None()) };
        let form: std::collections::BTreeMap<&str, String> = x.form_fields().into_iter().collect();
        to_plain(py, &serde_json::json!({ "url": x.token_url().as_str(), "form": form }))
    }

    /// Next steps for the user and the admin, written for `product` (default "the app") in `locale`;
    /// `admin_consent_url` is handed over when an admin must act. None for an authorized callback
    /// classified without its pending link.
    #[pyo3(signature = (product=None, locale="en", admin_consent_url=None, task=None, button=None))]
    fn guidance(
        &self,
        product: Option<&str>,
        locale: &str,
        admin_consent_url: Option<&str>,
        task: Option<&str>,
        button: Option<&str>,
    ) -> PyResult<Option<PyGuidance>> {
        let locale = convert::locale(locale)?;
        let url = admin_url(admin_consent_url)?;
        let product = convert::product(product, task, button, "the app");
        Ok(self
            .inner
            .as_ref()
            .map(|o| PyGuidance::new(o.guidance(&product, locale, url.as_ref()))))
    }

    fn __repr__(&self) -> String {
        let mut s = format!("LinkOutcome(kind={:?}", self.kind());
        if let Some(c) = self.can_request() {
            s.push_str(&format!(", can_request={}", if c { "True" } else { "False" }));
        }
        let codes = self.error_codes();
        if !codes.is_empty() {
            s.push_str(&format!(", error_codes={codes:?}"));
        }
        s.push(')');
        s
    }
}

/// Classifies the callback Microsoft redirected to (the full URL or its query string).
///
/// With `pending` (the normal case) the state and the link's age are checked and an authorized
/// callback is redeemable; the pending link is used up. With only `state` the state is compared;
/// with neither it is not checked (log triage). Raises `InvalidInput` for a malformed callback (not
/// a callback at all, a parameter sent twice, oversize) or when both `pending` and `state` are given.
#[pyfunction]
#[pyo3(signature = (url, pending=None, state=None))]
pub fn classify_callback(url: &str, pending: Option<&PyPendingLink>, state: Option<&str>) -> PyResult<PyLinkOutcome> {
    let inner = match (pending, state) {
        (Some(_), Some(_)) => {
            return Err(invalid(
                "state",
                "give pending or state, not both: the pending link already holds its state",
            ))
        }
        (Some(p), None) => Some(p.inner.take()?.finish(url, &SystemClock).py()?),
        (None, s) => link::classify_callback(url, s).py()?,
    };
    Ok(PyLinkOutcome { inner })
}

/// The link that lets a tenant admin grant tenant-wide consent in one step (`/v2.0/adminconsent`).
///
/// `tenant` is a tenant GUID or domain (`common` is refused);
/// `scopes` default to `https://graph.microsoft.com/.default`.
#[pyclass(module = "entra_consent", name = "AdminConsentLink", frozen)]
#[derive(Debug)]
pub struct PyAdminConsentLink {
    inner: link::AdminConsentLink,
    tenant: String,
    client_id: String,
}

#[pymethods]
impl PyAdminConsentLink {
    #[new]
    #[pyo3(signature = (tenant, client_id, redirect_uri, scopes=None, authority="global"))]
    fn new(tenant: &str, client_id: &str, redirect_uri: &str, scopes: Option<&Bound<'_, PyAny>>, authority: &str) -> PyResult<Self> {
        let link_tenant = LinkTenant::parse(tenant).py()?;
        let id = app_id(client_id)?;
        let mut inner = link::AdminConsentLink::new(id, link_tenant.clone(), redirect_uri)
            .py()?
            .authority(self::authority(authority)?);
        if let Some(s) = scopes {
            inner = inner.scopes(convert::scopes(s)?);
        }
        Ok(Self {
            inner,
            tenant: link_tenant.to_string(),
            client_id: id.to_string(),
        })
    }

    /// Builds the admin-consent URL and the `PendingAdminConsent` to keep: `(url, pending)`.
    fn start(&self) -> PyResult<(String, PyPendingAdminConsent)> {
        let (url, pending) = self.inner.clone().build(&SystemClock).py()?;
        Ok((url.to_string(), PyPendingAdminConsent::new(pending)))
    }

    fn __repr__(&self) -> String {
        format!("AdminConsentLink(tenant={:?}, client_id={:?})", self.tenant, self.client_id)
    }
}

/// What a product keeps until the admin-consent callback: the state and the tenant expected.
/// Nothing in it is secret.
#[pyclass(module = "entra_consent", name = "PendingAdminConsent", frozen)]
#[derive(Debug)]
pub struct PyPendingAdminConsent {
    inner: SingleUse<link::PendingAdminConsent>,
}

impl PyPendingAdminConsent {
    fn new(p: link::PendingAdminConsent) -> Self {
        Self {
            inner: SingleUse::new(p, "was already used to classify a callback; build a new admin-consent link"),
        }
    }
}

#[pymethods]
impl PyPendingAdminConsent {
    /// The JSON to store server-side, keyed by `state`.
    fn to_json(&self) -> PyResult<String> {
        self.inner
            .with(serde_json::to_string)?
            .map_err(|e| invalid("pending", format!("cannot be serialized: {e}")))
    }

    /// A pending admin consent from `to_json()`.
    #[staticmethod]
    fn from_json(s: &str) -> PyResult<Self> {
        let p = serde_json::from_str(s).map_err(|e| invalid("pending", format!("is not a pending admin consent: {e}")))?;
        Ok(Self::new(p))
    }

    /// The `state` sent to Microsoft.
    #[getter]
    fn state(&self) -> PyResult<String> {
        self.inner.with(|p| p.state().to_owned())
    }

    /// The tenant the link was built for.
    #[getter]
    fn tenant(&self) -> PyResult<String> {
        self.inner.with(|p| p.tenant().to_string())
    }

    /// When the link was built (RFC 3339).
    #[getter]
    fn created_at(&self) -> PyResult<String> {
        self.inner.with(|p| p.created_at().to_rfc3339())
    }

    fn __repr__(&self) -> String {
        match self.inner.with(|p| (p.tenant().to_string(), p.client_id().to_string())) {
            Ok((t, c)) => format!("PendingAdminConsent(tenant={t:?}, client_id={c:?})"),
            Err(_) => "PendingAdminConsent(finished)".to_owned(),
        }
    }
}

/// What an admin-consent attempt came to. `kind`: `granted`, `declined`, `state_mismatch`,
/// `tenant_mismatch`, `other` (the names of `consentctl admin-consent classify --json`).
#[pyclass(module = "entra_consent", name = "AdminConsentOutcome", frozen)]
#[derive(Debug)]
pub struct PyAdminConsentOutcome {
    inner: link::AdminConsentOutcome,
}

#[pymethods]
impl PyAdminConsentOutcome {
    /// The outcome's stable snake_case name.
    #[getter]
    fn kind(&self) -> &'static str {
        self.inner.kind()
    }

    /// For `granted`: the tenant GUID Microsoft returned.
    #[getter]
    fn tenant(&self) -> Option<String> {
        match &self.inner {
            link::AdminConsentOutcome::Granted { tenant, .. } => Some(tenant.to_string()),
            _ => None,
        }
    }

    /// For `granted`: the scopes reported, or None when Microsoft omitted them.
    #[getter]
    fn scopes(&self) -> Option<Vec<String>> {
        match &self.inner {
            link::AdminConsentOutcome::Granted { scopes, .. } => scopes.as_ref().map(|s| s.iter().map(ToString::to_string).collect()),
            _ => None,
        }
    }

    /// For `granted`: `matched` (the tenant is the one the link was built for) or `unconfirmed`.
    #[getter]
    fn tenant_check(&self, py: Python<'_>) -> PyResult<PyObject> {
        match &self.inner {
            link::AdminConsentOutcome::Granted { check, .. } => to_plain(py, check),
            _ => Ok(py.None()),
        }
    }

    /// The AADSTS codes Microsoft sent, for `declined` and `other`.
    #[getter]
    fn error_codes(&self) -> Vec<u32> {
        match &self.inner {
            link::AdminConsentOutcome::Declined { error } | link::AdminConsentOutcome::Other { error } => error.error_codes.clone(),
            _ => Vec::new(),
        }
    }

    /// Next steps, written for `product` (default "the app") in `locale`.
    #[pyo3(signature = (product=None, locale="en", admin_consent_url=None, task=None, button=None))]
    fn guidance(
        &self,
        product: Option<&str>,
        locale: &str,
        admin_consent_url: Option<&str>,
        task: Option<&str>,
        button: Option<&str>,
    ) -> PyResult<PyGuidance> {
        let locale = convert::locale(locale)?;
        let url = admin_url(admin_consent_url)?;
        let product = convert::product(product, task, button, "the app");
        Ok(PyGuidance::new(self.inner.guidance(&product, locale, url.as_ref())))
    }

    fn __repr__(&self) -> String {
        format!(
            "AdminConsentOutcome(kind={:?}, tenant={})",
            self.kind(),
            repr_opt(self.tenant().as_deref())
        )
    }
}

/// Classifies an admin-consent callback. With `pending` its state and tenant are checked (and it
/// is used up); otherwise give both `state` and `tenant`, as `consentctl admin-consent classify`
/// takes them. Raises `InvalidInput` for a malformed callback or missing arguments.
#[pyfunction]
#[pyo3(signature = (url, pending=None, state=None, tenant=None))]
pub fn classify_admin_consent(
    url: &str,
    pending: Option<&PyPendingAdminConsent>,
    state: Option<&str>,
    tenant: Option<&str>,
) -> PyResult<PyAdminConsentOutcome> {
    let inner = match (pending, state, tenant) {
        (Some(p), None, None) => p.inner.take()?.finish(url).py()?,
        (None, Some(s), Some(t)) => link::AdminConsentOutcome::classify(url, s, LinkTenant::parse(t).py()?).py()?,
        _ => {
            return Err(invalid(
                "pending",
                "give either pending, or both state and tenant (the values the admin-consent link was built with)",
            ))
        }
    };
    Ok(PyAdminConsentOutcome { inner })
}
