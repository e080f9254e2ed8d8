//! Small conversions shared by the wrappers: serde values to Python objects, argument parsing.

use consent::guidance::{Locale, Product};
use consent::{ScopeSet, TenantId};
use pyo3::prelude::*;
use pyo3::types::PyString;
use serde::Serialize;

use crate::errors::{invalid, IntoPy};

/// Any serializable value as plain Python data (dicts, lists, str, int, float, bool, None), through
/// the `json` module so the shapes are exactly the library's serde shapes.
pub fn to_plain<T: Serialize>(py: Python<'_>, value: &T) -> PyResult<PyObject> {
    let text = serde_json::to_string(value).map_err(|e| invalid("value", format!("cannot be serialized: {e}")))?;
    Ok(py.import("json")?.call_method1("loads", (text,))?.unbind())
}

/// `scopes` given as one space-separated string or as a sequence of strings.
pub fn scopes(arg: &Bound<'_, PyAny>) -> PyResult<ScopeSet> {
    if let Ok(s) = arg.downcast::<PyString>() {
        return ScopeSet::parse(&s.to_cow()?).py();
    }
    let items: Vec<String> = arg
        .extract()
        .map_err(|_| invalid("scopes", "must be a space-separated string or a list of strings"))?;
    ScopeSet::parse(&items.join(" ")).py()
}

/// A locale tag (`en`, `nl`, `nl-NL`, `nl_NL.UTF-8`).
pub fn locale(tag: &str) -> PyResult<Locale> {
    tag.parse()
        .map_err(|e: consent::guidance::UnsupportedLocale| invalid("locale", e.to_string()))
}

/// The product the guidance names; `default_name` when the caller gave none.
pub fn product(name: Option<&str>, task: Option<&str>, button: Option<&str>, default_name: &str) -> Product {
    let mut p = Product::new(name.unwrap_or(default_name));
    if let Some(t) = task {
        p = p.with_task(t);
    }
    if let Some(b) = button {
        p = p.with_button(b);
    }
    p
}

/// A tenant id or verified domain.
pub fn tenant(s: &str) -> PyResult<TenantId> {
    TenantId::parse(s).py()
}

/// `repr()` of an optional string, Python style.
pub fn repr_opt(v: Option<&str>) -> String {
    v.map_or_else(|| "None".to_owned(), |s| format!("{s:?}"))
}
