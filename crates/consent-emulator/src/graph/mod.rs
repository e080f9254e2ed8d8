//! The Microsoft Graph v1.0 subset under `/v1.0`, backed by the mock tenant's port.
//!
//! One request goes: body read under the size limit (413) → bearer token (401) → [`Route`] (404) →
//! method (405) → handler, which calls the [`consent::ConsentGraph`] port of a
//! [`consent_mock::MockGraph`] acting as the token's principal, so permissions, faults and errors
//! are exactly the mock's. `$batch` items run through the same [`dispatch`] as plain requests.

mod batch;
mod directory;
pub(crate) mod filter;
mod me;
pub(crate) mod query;
pub(crate) mod reply;
mod requests;
pub(crate) mod route;

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use consent::{AppId, Clock};
use consent_mock::{MockGraph, MockTenant, Principal};
use serde_json::Value;
use url::Url;

use crate::auth::TokenProblem;
use crate::server::Shared;
use query::QueryOptions;
use reply::{GraphError, GraphReply, Trace};
use route::Route;

/// Who is calling, from the bearer token: the principal, and the tenant the token was issued in
/// (Graph answers from that tenant only) through which client app.
#[derive(Debug, Clone)]
pub(crate) struct Caller {
    pub(crate) principal: Principal,
    pub(crate) tenant_index: usize,
    pub(crate) tenant: MockTenant,
    pub(crate) client: AppId,
    /// The token's delegated scopes (`None`: not limited, see `auth.rs`).
    pub(crate) scopes: Option<Vec<String>>,
}

impl Caller {
    /// The port acting as the caller in the caller's tenant.
    fn graph(&self) -> MockGraph {
        match &self.principal {
            Principal::User { id } => self.tenant.as_user(*id),
            Principal::App { permissions } => {
                let perms: Vec<&str> = permissions.iter().map(String::as_str).collect();
                self.tenant.as_app(&perms)
            }
        }
    }
}

/// One Graph call, from the wire or from a `$batch` item.
#[derive(Debug)]
pub(crate) struct Call {
    pub(crate) method: Method,
    /// Path below `/v1.0`, still percent-encoded.
    pub(crate) path: String,
    pub(crate) query: Option<String>,
    pub(crate) body: Bytes,
}

/// What a handler works with: the port as the caller, the parsed query, the body, and URLs.
pub(crate) struct Ctx<'a> {
    pub(crate) graph: MockGraph,
    /// The caller's tenant (for internal reads that must not be judged as the caller).
    pub(crate) tenant: &'a MockTenant,
    pub(crate) method: &'a Method,
    pub(crate) query: QueryOptions,
    pub(crate) body: &'a [u8],
    /// The absolute URL of this call on the emulator's host (for `@odata.nextLink`).
    pub(crate) url: Url,
    pub(crate) shared: &'a Shared,
}

impl Ctx<'_> {
    /// `@odata.context` for `fragment` (e.g. `servicePrincipals/$entity`).
    pub(crate) fn context(&self, fragment: &str) -> String {
        format!("{}/$metadata#{fragment}", self.shared.graph_base())
    }

    /// The body as a JSON object, or Graph's 400 for an empty or malformed one.
    pub(crate) fn json_object(&self) -> Result<serde_json::Map<String, Value>, GraphError> {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            return Err(GraphError::bad_request("Empty Payload. JSON content expected."));
        }
        match serde_json::from_slice::<Value>(self.body) {
            Ok(Value::Object(map)) => Ok(map),
            Ok(_) => Err(GraphError::bad_request("The request body must be a JSON object.")),
            Err(e) => Err(GraphError::bad_request(format!("Invalid JSON payload: {e}."))),
        }
    }

    /// The body deserialized into `T`, naming the field serde refused.
    pub(crate) fn body_as<T: serde::de::DeserializeOwned>(&self, what: &str) -> Result<T, GraphError> {
        let map = self.json_object()?;
        serde_json::from_value(Value::Object(map)).map_err(|e| GraphError::bad_request(format!("Invalid {what}: {e}.")))
    }
}

/// The axum handler for everything under `/v1.0`.
pub(crate) async fn handle(State(shared): State<Arc<Shared>>, req: Request) -> Response {
    let client_request_id = req.headers().get("client-request-id").and_then(|v| v.to_str().ok());
    let trace = Trace::new(client_request_id, shared.now(0));
    let reply = match answer(&shared, req, &trace).await {
        Ok(reply) => reply,
        Err(e) => e.into_reply(&trace),
    };
    into_response(reply, &trace)
}

/// The caller behind an `Authorization` header; expiry is judged on the token's tenant's clock.
fn authenticate(shared: &Shared, header: Option<&str>) -> Result<Caller, GraphError> {
    let refuse = |p: TokenProblem| GraphError::unauthenticated(p.message());
    let record = shared.tokens.lookup(header).map_err(refuse)?;
    let tenant = shared.tenants.get(record.tenant).ok_or(TokenProblem::Unknown).map_err(refuse)?;
    let record = record.check(tenant.clock().now()).map_err(refuse)?;
    Ok(Caller {
        principal: record.principal,
        tenant_index: record.tenant,
        tenant,
        client: record.client,
        scopes: record.scopes,
    })
}

async fn answer(shared: &Shared, req: Request, trace: &Trace) -> Result<GraphReply, GraphError> {
    let (parts, body) = req.into_parts();
    let body = read_body(body, shared.config.body_limit).await?;
    let auth = parts.headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    let caller = authenticate(shared, auth)?;
    shared.traffic.arrive(caller.tenant_index, caller.client);
    let path = parts.uri.path().strip_prefix("/v1.0").unwrap_or("").to_owned();
    let call = Call {
        method: parts.method,
        path,
        query: parts.uri.query().map(str::to_owned),
        body,
    };
    let route = Route::parse(&call.path)?;
    route.check_method(&call.method)?;
    if route == Route::Batch {
        return batch::run(shared, &caller, &call, trace).await;
    }
    shared
        .traffic
        .take(caller.tenant_index, caller.client)
        .map_err(GraphError::throttled)?;
    Ok(dispatch(shared, &caller, &call, route, trace).await)
}

/// Runs one non-batch call as the caller; errors become Graph error replies under `trace`.
pub(crate) async fn dispatch(shared: &Shared, caller: &Caller, call: &Call, route: Route, trace: &Trace) -> GraphReply {
    match run(shared, caller, call, route).await {
        Ok(reply) => reply,
        Err(e) => e.into_reply(trace),
    }
}

async fn run(shared: &Shared, caller: &Caller, call: &Call, route: Route) -> Result<GraphReply, GraphError> {
    route.check_method(&call.method)?;
    let ctx = Ctx {
        graph: caller.graph(),
        tenant: &caller.tenant,
        method: &call.method,
        query: QueryOptions::parse(call.query.as_deref())?,
        body: &call.body,
        url: shared.call_url(&call.path, call.query.as_deref()),
        shared,
    };
    match route {
        Route::RequestPolicy | Route::AuthorizationPolicy => requests::policy(&ctx, &route).await,
        Route::AppRequests | Route::AppRequestsForReviewer | Route::AppRequest(_) => requests::app_requests(&ctx, &route).await,
        Route::UserRequests(_)
        | Route::UserRequestsForReviewer(_)
        | Route::UserRequest(..)
        | Route::Approval(..)
        | Route::ApprovalStages(..) => requests::user_requests(&ctx, &route).await,
        Route::Batch => Err(GraphError::bad_request("A $batch request cannot contain another $batch request.")),
        Route::MeCalendar | Route::MeMailboxSettings => me::run(&ctx, caller, &route),
        other => directory::run(&ctx, other).await,
    }
}

async fn read_body(body: Body, limit: usize) -> Result<Bytes, GraphError> {
    axum::body::to_bytes(body, limit).await.map_err(|_| GraphError::too_large(limit))
}

fn into_response(reply: GraphReply, trace: &Trace) -> Response {
    let mut response = match &reply.body {
        Some(body) => (reply.status, axum::Json(body)).into_response(),
        None => reply.status.into_response(),
    };
    let headers = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&trace.request_id) {
        headers.insert("request-id", v);
    }
    if let Ok(v) = HeaderValue::from_str(&trace.client_request_id) {
        headers.insert("client-request-id", v);
    }
    if reply.status == StatusCode::UNAUTHORIZED {
        headers.insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"\", error=\"invalid_token\""),
        );
    }
    if reply.body.is_some() {
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8"),
        );
        headers.insert("OData-Version", HeaderValue::from_static("4.0"));
    }
    for (name, value) in reply.headers {
        if let Ok(v) = HeaderValue::from_str(&value) {
            headers.insert(name, v);
        }
    }
    response
}
