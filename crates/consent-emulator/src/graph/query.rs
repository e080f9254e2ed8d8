//! OData system query options: `$filter`, `$top`, `$skip`, `$select`, `$count`; paging with an
//! absolute `@odata.nextLink` on the emulator's own host; `$select` projection.

use serde_json::{Map, Value};
use url::Url;

use super::reply::GraphError;

/// The largest `$top` Graph accepts for directory collections (Microsoft Learn: "Paging Microsoft Graph data in your app").
pub(crate) const MAX_TOP: usize = 999;

/// The query options of one request, decoded once (keys and values may be fully percent-encoded).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct QueryOptions {
    pub(crate) filter: Option<String>,
    pub(crate) top: Option<usize>,
    pub(crate) skip: usize,
    pub(crate) select: Option<Vec<String>>,
    pub(crate) count: bool,
}

impl QueryOptions {
    /// Parses a raw query string. Duplicated options, malformed numbers and options the emulator does
    /// not implement (`$orderby`, `$expand`, `$search`, …) are refused; non-`$` parameters are ignored,
    /// as Graph ignores them.
    pub(crate) fn parse(raw: Option<&str>) -> Result<Self, GraphError> {
        let mut q = QueryOptions::default();
        let mut seen: Vec<String> = Vec::new();
        for (key, value) in url::form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
            let key = key.to_ascii_lowercase();
            if !key.starts_with('$') {
                continue;
            }
            if seen.contains(&key) {
                return Err(GraphError::bad_request(format!(
                    "Query option '{key}' was specified more than once."
                )));
            }
            seen.push(key.clone());
            q.set(&key, &value)?;
        }
        Ok(q)
    }

    fn set(&mut self, key: &str, value: &str) -> Result<(), GraphError> {
        match key {
            "$filter" => self.filter = Some(value.to_owned()),
            "$top" => self.top = Some(number(key, value).and_then(check_top)?),
            "$skip" => self.skip = number(key, value)?,
            "$select" => self.select = Some(value.split(',').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect()),
            "$count" => self.count = parse_bool(value)?,
            other => {
                return Err(GraphError::unsupported_query(format!(
                    "Query option '{other}' is not supported by the emulator; use $filter, $top, $skip, $select or $count"
                )))
            }
        }
        Ok(())
    }

    /// Only `$select` makes sense on a single object.
    pub(crate) fn reject_collection_options(&self) -> Result<(), GraphError> {
        if self.filter.is_some() || self.top.is_some() || self.skip > 0 || self.count {
            return Err(GraphError::bad_request(
                "$filter, $top, $skip and $count apply to collections, not to a single object",
            ));
        }
        Ok(())
    }

    /// Keeps only the `$select`ed properties (case-insensitively, plus `id` and annotations).
    pub(crate) fn project(&self, item: Value) -> Value {
        let (Some(select), Value::Object(map)) = (&self.select, &item) else {
            return item;
        };
        let kept: Map<String, Value> = map
            .iter()
            .filter(|(k, _)| k.starts_with('@') || *k == "id" || select.iter().any(|s| s.eq_ignore_ascii_case(k)))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        Value::Object(kept)
    }
}

fn number(key: &str, value: &str) -> Result<usize, GraphError> {
    value.trim().parse::<usize>().map_err(|_| {
        GraphError::bad_request(format!(
            "Invalid value '{value}' for query option '{key}'; expected a non-negative integer."
        ))
    })
}

fn check_top(top: usize) -> Result<usize, GraphError> {
    if (1..=MAX_TOP).contains(&top) {
        Ok(top)
    } else {
        Err(GraphError::bad_request(format!(
            "Invalid page size specified: '{top}'. Must be between 1 and {MAX_TOP} inclusive."
        )))
    }
}

fn parse_bool(value: &str) -> Result<bool, GraphError> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(GraphError::bad_request(format!(
            "Invalid value '{value}' for $count; use true or false."
        ))),
    }
}

/// One page of a collection, in Graph's shape.
pub(crate) fn page(items: Vec<Value>, q: &QueryOptions, default_top: usize, request_url: &Url, context: &str) -> Value {
    let total = items.len();
    let top = q.top.unwrap_or(default_top).max(1);
    let start = q.skip.min(total);
    let end = start.saturating_add(top).min(total);
    let value: Vec<Value> = items.into_iter().skip(start).take(end - start).map(|v| q.project(v)).collect();
    let mut body = Map::new();
    body.insert("@odata.context".into(), Value::String(context.to_owned()));
    if q.count {
        body.insert("@odata.count".into(), Value::from(total));
    }
    if end < total {
        body.insert("@odata.nextLink".into(), Value::String(next_link(request_url, end, top)));
    }
    body.insert("value".into(), Value::Array(value));
    Value::Object(body)
}

/// The request URL with `$skip` advanced and `$top` fixed, every other parameter kept verbatim.
fn next_link(request_url: &Url, skip: usize, top: usize) -> String {
    let mut url = request_url.clone();
    let kept: Vec<(String, String)> = request_url
        .query_pairs()
        .filter(|(k, _)| !matches!(k.to_ascii_lowercase().as_str(), "$skip" | "$top"))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    {
        let mut pairs = url.query_pairs_mut();
        pairs.clear();
        for (k, v) in &kept {
            pairs.append_pair(k, v);
        }
        pairs.append_pair("$top", &top.to_string());
        pairs.append_pair("$skip", &skip.to_string());
    }
    url.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn percent_encoded_options_decode_once() {
        let q = QueryOptions::parse(Some("%24filter=appId%20eq%20%27a%25b%27&%24top=5&api-version=x")).unwrap();
        assert_eq!(q.filter.as_deref(), Some("appId eq 'a%b'"));
        assert_eq!(q.top, Some(5));
    }

    #[test]
    fn bad_options_are_refused_with_400() {
        for raw in [
            "$top=0",
            "$top=1000",
            "$top=x",
            "$skip=-1",
            "$orderby=appId",
            "$expand=x",
            "$top=1&$TOP=2",
            "$count=maybe",
        ] {
            let err = QueryOptions::parse(Some(raw)).unwrap_err();
            assert_eq!(err.status.as_u16(), 400, "{raw}");
        }
    }

    #[test]
    fn pages_carry_an_absolute_next_link_that_keeps_the_filter() {
        let url = Url::parse("http://127.0.0.1:9/v1.0/things?$filter=a%20eq%20'b'&$top=2").unwrap();
        let q = QueryOptions::parse(url.query()).unwrap();
        let items: Vec<Value> = (0..5).map(|i| json!({"id": i.to_string()})).collect();
        let body = page(items.clone(), &q, 100, &url, "ctx");
        assert_eq!(body["value"].as_array().unwrap().len(), 2);
        let next = Url::parse(body["@odata.nextLink"].as_str().unwrap()).unwrap();
        assert_eq!(next.host_str(), Some("127.0.0.1"));
        let q2 = QueryOptions::parse(next.query()).unwrap();
        assert_eq!((q2.skip, q2.top, q2.filter.as_deref()), (2, Some(2), Some("a eq 'b'")));
        let last = page(items, &QueryOptions { skip: 4, ..q2 }, 100, &next, "ctx");
        assert!(last.get("@odata.nextLink").is_none());
        assert_eq!(last["value"][0]["id"], "4");
    }

    #[test]
    fn select_keeps_id_and_selected_fields() {
        let q = QueryOptions::parse(Some("$select=appId,DISPLAYNAME")).unwrap();
        let v = q.project(json!({"id": "1", "appId": "a", "displayName": "d", "appRoles": []}));
        assert_eq!(v, json!({"id": "1", "appId": "a", "displayName": "d"}));
    }
}
