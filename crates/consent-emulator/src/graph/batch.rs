//! `POST /$batch` (Microsoft Learn: "Combine multiple HTTP requests using JSON batching"): up to 20 requests with unique ids, relative or absolute URLs,
//! `dependsOn` ordering, and a per-item status/headers/body. An item whose dependency failed gets
//! `424 Failed Dependency`; throttling and faults hit items one by one, as on Graph.

use axum::body::Bytes;
use axum::http::Method;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use url::Url;

use super::reply::{GraphError, GraphReply, Trace};
use super::route::Route;
use super::{dispatch, Call, Caller};
use crate::server::Shared;

/// Graph's limit on requests in one batch.
pub(crate) const MAX_ITEMS: usize = 20;

#[derive(Debug, Deserialize)]
struct BatchBody {
    requests: Vec<Item>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Item {
    id: String,
    method: String,
    url: String,
    #[serde(default)]
    headers: Map<String, Value>,
    #[serde(default)]
    body: Option<Value>,
    #[serde(default)]
    depends_on: Vec<String>,
}

/// Runs a batch as the caller. Items share the batch's `request-id`; each takes one request from
/// the caller's `--rate-limit` bucket.
pub(crate) async fn run(shared: &Shared, caller: &Caller, call: &Call, trace: &Trace) -> Result<GraphReply, GraphError> {
    let body: BatchBody =
        serde_json::from_slice(&call.body).map_err(|e| GraphError::bad_request(format!("Invalid batch payload: {e}.")))?;
    validate(&body.requests)?;
    let order = execution_order(&body.requests)?;
    let mut replies: Vec<Option<GraphReply>> = vec![None; body.requests.len()];
    for i in order {
        let item = &body.requests[i];
        let failed_dep = item.depends_on.iter().find(|d| {
            index_of(&body.requests, d)
                .and_then(|j| replies[j].as_ref())
                .is_none_or(GraphReply::is_failure)
        });
        replies[i] = Some(match failed_dep {
            Some(dep) => GraphError::failed_dependency(dep).into_reply(trace),
            None => run_item(shared, caller, item, trace).await,
        });
    }
    let responses: Vec<Value> = body
        .requests
        .iter()
        .zip(replies)
        .map(|(item, reply)| response_item(&item.id, reply, trace))
        .collect();
    Ok(GraphReply::ok(json!({ "responses": responses })))
}

fn validate(items: &[Item]) -> Result<(), GraphError> {
    if items.is_empty() || items.len() > MAX_ITEMS {
        return Err(GraphError::bad_request(format!(
            "A batch must contain between 1 and {MAX_ITEMS} requests; this one has {}.",
            items.len()
        )));
    }
    for (i, item) in items.iter().enumerate() {
        if item.id.trim().is_empty() {
            return Err(GraphError::bad_request("Every batch request needs a non-empty 'id'."));
        }
        // Ids are compared case-insensitively, as Graph does ("a" and "A" clash).
        if items[..i].iter().any(|o| o.id.eq_ignore_ascii_case(&item.id)) {
            return Err(GraphError::bad_request(format!(
                "Batch request id '{}' is used more than once.",
                item.id
            )));
        }
    }
    for item in items {
        if let Some(d) = item.depends_on.iter().find(|d| index_of(items, d).is_none()) {
            return Err(GraphError::bad_request(format!(
                "Request '{}' depends on '{d}', which is not in the batch.",
                item.id
            )));
        }
    }
    Ok(())
}

fn index_of(items: &[Item], id: &str) -> Option<usize> {
    items.iter().position(|i| i.id.eq_ignore_ascii_case(id))
}

/// A dependency-respecting order (stable: items run in the given order where they can). A cycle is
/// a malformed batch.
fn execution_order(items: &[Item]) -> Result<Vec<usize>, GraphError> {
    let mut done = vec![false; items.len()];
    let mut order = Vec::with_capacity(items.len());
    while order.len() < items.len() {
        let ready = (0..items.len())
            .find(|&i| !done[i] && items[i].depends_on.iter().all(|d| index_of(items, d).is_some_and(|j| done[j])))
            .ok_or_else(|| GraphError::bad_request("The batch's dependsOn references form a cycle."))?;
        done[ready] = true;
        order.push(ready);
    }
    Ok(order)
}

async fn run_item(shared: &Shared, caller: &Caller, item: &Item, trace: &Trace) -> GraphReply {
    if let Err(wait) = shared.traffic.take(caller.tenant_index, caller.client) {
        return GraphError::throttled(wait).into_reply(trace);
    }
    match item_call(shared, item) {
        Ok((call, route)) => dispatch(shared, caller, &call, route, trace).await,
        Err(e) => e.into_reply(trace),
    }
}

fn item_call(shared: &Shared, item: &Item) -> Result<(Call, Route), GraphError> {
    let method = Method::from_bytes(item.method.to_ascii_uppercase().as_bytes())
        .map_err(|_| GraphError::bad_request(format!("Invalid method '{}'.", item.method)))?;
    let (path, query) = split_url(shared, &item.url)?;
    let body = match &item.body {
        None | Some(Value::Null) => Bytes::new(),
        Some(b) => {
            if !item.headers.keys().any(|k| k.eq_ignore_ascii_case("content-type")) {
                return Err(GraphError::bad_request(
                    "A batch request with a body must carry a Content-Type header.",
                ));
            }
            Bytes::from(b.to_string())
        }
    };
    let route = Route::parse(&path)?;
    if route == Route::Batch {
        return Err(GraphError::bad_request("A $batch request cannot contain another $batch request."));
    }
    Ok((Call { method, path, query, body }, route))
}

/// Relative (`/policies/…`, `policies/…`, `/v1.0/policies/…`) or absolute URLs on any host (clients
/// send `https://graph.microsoft.com/v1.0/…` as well as the emulator's own base) → path below
/// `/v1.0` and query.
fn split_url(shared: &Shared, raw: &str) -> Result<(String, Option<String>), GraphError> {
    let absolute = raw.starts_with("http://") || raw.starts_with("https://");
    let url = if absolute {
        Url::parse(raw)
    } else {
        Url::parse(&format!("{}/", shared.graph_base())).and_then(|root| root.join(raw.trim_start_matches('/')))
    }
    .map_err(|_| GraphError::bad_request(format!("Invalid batch request url '{raw}'.")))?;
    let path = url.path();
    let below = path
        .strip_prefix("/v1.0")
        .filter(|rest| rest.is_empty() || rest.starts_with('/'))
        .ok_or_else(|| GraphError::bad_request(format!("Batch request url '{raw}' is not under /v1.0.")))?;
    let below = below.strip_prefix("/v1.0").filter(|_| !absolute).unwrap_or(below);
    Ok((below.to_owned(), url.query().map(str::to_owned)))
}

fn response_item(id: &str, reply: Option<GraphReply>, trace: &Trace) -> Value {
    let reply = reply.unwrap_or_else(|| GraphError::failed_dependency(id).into_reply(trace));
    let mut headers = Map::new();
    if reply.body.is_some() {
        headers.insert("Content-Type".into(), Value::String("application/json".into()));
    }
    for (k, v) in &reply.headers {
        headers.insert((*k).to_owned(), Value::String(v.clone()));
    }
    let mut item = json!({ "id": id, "status": reply.status.as_u16(), "headers": headers });
    if let (Some(body), Value::Object(map)) = (reply.body, &mut item) {
        map.insert("body".into(), body);
    }
    item
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(id: &str, deps: &[&str]) -> Item {
        Item {
            id: id.into(),
            method: "GET".into(),
            url: "/policies/authorizationPolicy".into(),
            headers: Map::new(),
            body: None,
            depends_on: deps.iter().map(|d| (*d).to_owned()).collect(),
        }
    }

    #[test]
    fn order_respects_dependencies_and_refuses_cycles() {
        let items = vec![item("a", &["c"]), item("b", &[]), item("c", &["b"])];
        assert_eq!(execution_order(&items).unwrap(), vec![1, 2, 0]);
        let cyclic = vec![item("a", &["b"]), item("b", &["a"])];
        assert!(execution_order(&cyclic).is_err());
    }

    #[test]
    fn validation_checks_size_ids_and_references() {
        assert!(validate(&[]).is_err());
        assert!(validate(&(0..21).map(|i| item(&i.to_string(), &[])).collect::<Vec<_>>()).is_err());
        assert!(validate(&[item("a", &[]), item("a", &[])]).is_err());
        assert!(validate(&[item("a", &[]), item("A", &[])]).is_err(), "ids clash case-insensitively");
        assert!(validate(&[item("a", &["zz"])]).is_err());
        assert!(validate(&[item(" ", &[])]).is_err());
        assert!(validate(&[item("a", &[]), item("b", &["a"])]).is_ok());
    }
}
