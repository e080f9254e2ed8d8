//! OData system query options: `$filter`, `$top`, `$skip`, `$skiptoken`, `$select`, `$count`,
//! `$orderby`; paging with an absolute `@odata.nextLink` on the emulator's own host (`$skip` for
//! consent requests, an opaque `$skiptoken` for directory objects); `$select` projection.

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
    /// True when the client sent `$skip` (directory objects refuse it).
    pub(crate) skip_given: bool,
    /// The offset a `$skiptoken` from one of our `@odata.nextLink`s carries.
    pub(crate) skiptoken: Option<usize>,
    /// `$orderby=property [asc|desc]` (one property).
    pub(crate) orderby: Option<OrderBy>,
}

/// One `$orderby` key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OrderBy {
    pub(crate) property: String,
    pub(crate) descending: bool,
}

/// Prefix of the emulator's skip tokens (opaque to clients, as Graph's are).
const SKIPTOKEN_PREFIX: &str = "emu-offset-";

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
            "$skip" => {
                self.skip = number(key, value)?;
                self.skip_given = true;
            }
            "$skiptoken" => {
                let offset = value.strip_prefix(SKIPTOKEN_PREFIX).and_then(|n| n.parse::<usize>().ok());
                self.skiptoken = Some(offset.ok_or_else(|| GraphError::bad_request("Invalid $skiptoken: it must come from an @odata.nextLink."))?);
            }
            "$orderby" => self.orderby = Some(order_by(value)?),
            "$select" => self.select = Some(value.split(',').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect()),
            "$count" => self.count = parse_bool(value)?,
            other => {
                return Err(GraphError::unsupported_query(format!(
                    "Query option '{other}' is not supported by the emulator; use $filter, $top, $skip, $skiptoken, $select, $count or $orderby"
                )))
            }
        }
        Ok(())
    }

    /// Only `$select` makes sense on a single object.
    pub(crate) fn reject_collection_options(&self) -> Result<(), GraphError> {
        if self.filter.is_some()
            || self.top.is_some()
            || self.skip_given
            || self.count
            || self.orderby.is_some()
            || self.skiptoken.is_some()
        {
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

/// `prop`, `prop asc` or `prop desc`; one property (the emulator's lists sort on one).
fn order_by(value: &str) -> Result<OrderBy, GraphError> {
    let words: Vec<&str> = value.split_whitespace().collect();
    let bad = || {
        GraphError::bad_request(format!(
            "Invalid $orderby '{value}': use one property, optionally followed by asc or desc."
        ))
    };
    let (property, descending) = match words.as_slice() {
        [p] => (*p, false),
        [p, d] if d.eq_ignore_ascii_case("asc") => (*p, false),
        [p, d] if d.eq_ignore_ascii_case("desc") => (*p, true),
        _ => return Err(bad()),
    };
    if property.contains(',') || !property.chars().all(|c| c.is_ascii_alphanumeric() || c == '/') {
        return Err(bad());
    }
    Ok(OrderBy {
        property: property.to_owned(),
        descending,
    })
}

impl QueryOptions {
    /// Sorts `items` by `$orderby` when its property is one of `sortable` (else 400); without
    /// `$orderby` the order is left as it is. Missing values sort first, as nulls do in OData.
    pub(crate) fn sort(&self, items: &mut [Value], sortable: &[&str]) -> Result<(), GraphError> {
        let Some(order) = &self.orderby else {
            return Ok(());
        };
        let property = sortable.iter().find(|p| p.eq_ignore_ascii_case(&order.property)).ok_or_else(|| {
            GraphError::unsupported_query(format!(
                "$orderby on '{}' is not supported here; sort on one of {}.",
                order.property,
                sortable.join(", ")
            ))
        })?;
        let key = |v: &Value| v.get(*property).map(Value::to_string).unwrap_or_default();
        items.sort_by(|a, b| {
            let ord = key(a).cmp(&key(b));
            if order.descending {
                ord.reverse()
            } else {
                ord
            }
        });
        Ok(())
    }

    /// Directory objects page with `$skiptoken` and refuse `$skip` and `$orderby`, as Graph does.
    pub(crate) fn directory_only(&self) -> Result<(), GraphError> {
        if self.skip_given {
            return Err(GraphError::bad_request(
                "'$skip' is not supported by the service for directory objects; follow @odata.nextLink.",
            ));
        }
        if self.orderby.is_some() {
            return Err(GraphError::unsupported_query("$orderby is not supported on this collection."));
        }
        Ok(())
    }
}

/// One page of a directory collection: `$top` (default 100, at most 999) from the `$skiptoken`
/// offset, `@odata.nextLink` carrying the next `$skiptoken`.
pub(crate) fn directory_page(items: Vec<Value>, q: &QueryOptions, request_url: &Url, context: &str) -> Value {
    let top = q.top.unwrap_or(100).max(1);
    one_page(items, q, q.skiptoken.unwrap_or(0), top, context, |end| {
        relink(request_url, &["$skiptoken"], &[("$skiptoken", &format!("{SKIPTOKEN_PREFIX}{end}"))])
    })
}

/// Items `start..start + top` of `items` in Graph's collection shape, with `@odata.count` when asked
/// for and `@odata.nextLink` = `next_link(end)` when more follow.
fn one_page(
    items: Vec<Value>,
    q: &QueryOptions,
    start: usize,
    top: usize,
    context: &str,
    next_link: impl FnOnce(usize) -> String,
) -> Value {
    let total = items.len();
    let start = start.min(total);
    let end = start.saturating_add(top).min(total);
    let value: Vec<Value> = items.into_iter().skip(start).take(end - start).map(|v| q.project(v)).collect();
    let mut body = Map::new();
    body.insert("@odata.context".into(), Value::String(context.to_owned()));
    if q.count {
        body.insert("@odata.count".into(), Value::from(total));
    }
    if end < total {
        body.insert("@odata.nextLink".into(), Value::String(next_link(end)));
    }
    body.insert("value".into(), Value::Array(value));
    Value::Object(body)
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
    let top = q.top.unwrap_or(default_top).max(1);
    one_page(items, q, q.skip, top, context, |end| {
        relink(
            request_url,
            &["$skip", "$top"],
            &[("$top", &top.to_string()), ("$skip", &end.to_string())],
        )
    })
}

/// The request URL without the query options `dropped` (any case) and with `added` appended, every
/// other parameter kept verbatim: the next page's link.
fn relink(request_url: &Url, dropped: &[&str], added: &[(&str, &str)]) -> String {
    let kept: Vec<(String, String)> = request_url
        .query_pairs()
        .filter(|(k, _)| !dropped.iter().any(|d| k.eq_ignore_ascii_case(d)))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let mut url = request_url.clone();
    url.query_pairs_mut().clear().extend_pairs(kept).extend_pairs(added);
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
            "$orderby=appId sideways",
            "$orderby=a,b",
            "$skiptoken=forged",
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
