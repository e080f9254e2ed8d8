//! `Guidance`: next steps for the user and the admin, rendered by the Rust catalogue.

use consent::guidance::Audience;
use pyo3::prelude::*;

use crate::convert::to_plain;
use crate::errors::invalid;

/// Next steps for a state or an outcome, in the user's language, written for a product.
///
/// Built by `LinkOutcome.guidance()`, `AdminConsentOutcome.guidance()` and `ConsentState.guidance()`;
/// `str(g)` is `g.to_text()`.
#[pyclass(module = "entra_consent", name = "Guidance", frozen)]
#[derive(Debug, Clone)]
pub struct PyGuidance {
    pub inner: consent::Guidance,
}

impl PyGuidance {
    pub fn new(inner: consent::Guidance) -> Self {
        Self { inner }
    }
}

#[pymethods]
impl PyGuidance {
    /// A short headline.
    #[getter]
    fn title(&self) -> &str {
        &self.inner.title
    }

    /// One paragraph: what is going on.
    #[getter]
    fn summary(&self) -> &str {
        &self.inner.summary
    }

    /// The language tag of the text (`en`, `nl`).
    #[getter]
    fn locale(&self) -> &'static str {
        self.inner.locale.tag()
    }

    /// Ordered steps: dicts with `audience` (`user` or `admin`), `text` and, for some, `location`.
    #[getter]
    fn steps(&self, py: Python<'_>) -> PyResult<PyObject> {
        to_plain(py, &self.inner.steps)
    }

    /// Links to hand over: dicts with `label` and `url`.
    #[getter]
    fn links(&self, py: Python<'_>) -> PyResult<PyObject> {
        to_plain(py, &self.inner.links)
    }

    /// Plain text, for a terminal or an email.
    fn to_text(&self) -> String {
        self.inner.to_text()
    }

    /// Markdown.
    fn to_markdown(&self) -> String {
        self.inner.to_markdown()
    }

    /// An HTML fragment (`<section>…</section>`), every value escaped.
    fn to_html(&self) -> String {
        self.inner.to_html()
    }

    /// The guidance as plain data (the JSON shape `consentctl --json` prints).
    fn to_dict(&self, py: Python<'_>) -> PyResult<PyObject> {
        to_plain(py, &self.inner)
    }

    /// Only what one audience needs: `"user"` or `"admin"` (same title, summary and links).
    fn for_audience(&self, audience: &str) -> PyResult<Self> {
        let a = match audience {
            "user" => Audience::User,
            "admin" => Audience::Admin,
            other => return Err(invalid("audience", format!("{other:?} is neither \"user\" nor \"admin\""))),
        };
        Ok(Self::new(self.inner.for_audience(a)))
    }

    fn __str__(&self) -> String {
        self.inner.to_text()
    }

    fn __repr__(&self) -> String {
        format!("Guidance(title={:?}, locale={:?})", self.inner.title, self.inner.locale.tag())
    }
}
