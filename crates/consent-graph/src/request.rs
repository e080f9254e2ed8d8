//! Pure request building: each port operation as a [`GraphRequest`] value (method, path, query,
//! body), tested without a network. Sending lives in `transport`.

use consent::{
    AdminConsentRequestPolicy, AppId, Error, NewAppRoleAssignment, NewDelegatedGrant, ObjectId, RequestFilter, Result, ScopeSet,
};
use std::sync::LazyLock;

use serde::Serialize;
use serde_json::{json, Value};
use url::Url;

use consent::Operation;

/// The HTTP methods the backend uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HttpMethod {
    Get,
    Put,
    Post,
    Patch,
    Delete,
}

impl HttpMethod {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            HttpMethod::Get => "GET",
            HttpMethod::Put => "PUT",
            HttpMethod::Post => "POST",
            HttpMethod::Patch => "PATCH",
            HttpMethod::Delete => "DELETE",
        }
    }
}

/// The `$select` for service principals: the fields `consent::ServicePrincipal` reads, nothing more
/// (resource principals such as Microsoft Graph's are large without it).
pub(crate) const SP_SELECT: &str =
    "id,appId,displayName,accountEnabled,appRoleAssignmentRequired,appRoles,oauth2PermissionScopes,verifiedPublisher";

/// A request's JSON body.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Body {
    /// A value, written out when the request is sent.
    Json(Value),
    /// Text already written: a `$batch` is serialised straight from its borrowed items, so no
    /// `Value` tree of the whole batch is built only to be written out and dropped.
    Text(String),
}

impl Body {
    /// The bytes sent.
    pub(crate) fn to_bytes(&self) -> serde_json::Result<Vec<u8>> {
        match self {
            Body::Json(v) => serde_json::to_vec(v),
            Body::Text(t) => Ok(t.clone().into_bytes()),
        }
    }

    /// The body as a value, for tests to inspect.
    #[cfg(test)]
    pub(crate) fn json(&self) -> Value {
        match self {
            Body::Json(v) => v.clone(),
            Body::Text(t) => serde_json::from_str(t).unwrap(),
        }
    }
}

/// One Graph request, relative to the endpoint's base URL.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct GraphRequest {
    pub(crate) op: Operation,
    pub(crate) method: HttpMethod,
    /// Path segments, each percent-encoded when the URL is built.
    pub(crate) segments: Vec<String>,
    pub(crate) query: Vec<(&'static str, String)>,
    pub(crate) body: Option<Body>,
    /// What the request is about, for error messages (`service principal of app …`).
    pub(crate) subject: String,
}

impl GraphRequest {
    pub(crate) fn new(op: Operation, method: HttpMethod, segments: &[&str]) -> Self {
        Self {
            op,
            method,
            segments: segments.iter().map(|s| (*s).to_owned()).collect(),
            query: Vec::new(),
            body: None,
            subject: op.describe().trim_start_matches(|c: char| c != ' ').trim().to_owned(),
        }
    }

    pub(crate) fn about(mut self, subject: impl Into<String>) -> Self {
        self.subject = subject.into();
        self
    }

    fn query(mut self, key: &'static str, value: impl Into<String>) -> Self {
        self.query.push((key, value.into()));
        self
    }

    fn body(mut self, body: Value) -> Self {
        self.body = Some(Body::Json(body));
        self
    }

    /// The absolute URL under `base` (e.g. `https://graph.microsoft.com/v1.0`).
    pub(crate) fn url(&self, base: &Url) -> Url {
        let mut url = base.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(&self.segments);
        }
        if !self.query.is_empty() {
            let mut pairs = url.query_pairs_mut();
            for (k, v) in &self.query {
                pairs.append_pair(k, v);
            }
        }
        url
    }

    /// The URL relative to the version root, as a `$batch` item wants it (`/policies/…?…`).
    pub(crate) fn relative_url(&self) -> String {
        // Any base works: only path and query are kept. Parsed once, not once per batch item.
        #[allow(clippy::expect_used)]
        static BASE: LazyLock<Url> = LazyLock::new(|| Url::parse("http://batch.invalid/").expect("a constant URL parses"));
        let url = self.url(&BASE);
        match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_owned(),
        }
    }
}

/// An OData string literal: single quotes around, inner single quotes doubled.
pub(crate) fn odata_literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

pub(crate) fn get_request_policy() -> GraphRequest {
    GraphRequest::new(
        Operation::GetRequestPolicy,
        HttpMethod::Get,
        &["policies", "adminConsentRequestPolicy"],
    )
}

/// `PUT` (not the SDK's PATCH): the whole writable object; `version` is read-only and left out.
pub(crate) fn put_request_policy(policy: &AdminConsentRequestPolicy) -> Result<GraphRequest> {
    let mut body = serde_json::to_value(policy).map_err(|e| Error::invalid("policy", e.to_string()))?;
    if let Some(map) = body.as_object_mut() {
        map.remove("version");
    }
    Ok(GraphRequest::new(
        Operation::PutRequestPolicy,
        HttpMethod::Put,
        &["policies", "adminConsentRequestPolicy"],
    )
    .body(body))
}

pub(crate) fn get_authorization_policy() -> GraphRequest {
    GraphRequest::new(
        Operation::GetAuthorizationPolicy,
        HttpMethod::Get,
        &["policies", "authorizationPolicy"],
    )
}

const APP_REQUESTS: [&str; 3] = ["identityGovernance", "appConsent", "appConsentRequests"];

pub(crate) fn list_app_consent_requests(filter: &RequestFilter) -> GraphRequest {
    let mut clauses = Vec::new();
    if let Some(app) = &filter.app_id {
        clauses.push(format!("appId eq {}", odata_literal(&app.to_string())));
    }
    if filter.pending_only {
        clauses.push("userConsentRequests/any(u:u/status eq 'InProgress')".to_owned());
    }
    let req = GraphRequest::new(Operation::ListAppConsentRequests, HttpMethod::Get, &APP_REQUESTS);
    if clauses.is_empty() {
        req
    } else {
        req.query("$filter", clauses.join(" and "))
    }
}

pub(crate) fn list_user_consent_requests(app_request_id: &str) -> Result<GraphRequest> {
    let id = app_request_id.trim();
    if id.is_empty() || id.len() > 128 || id.chars().any(char::is_control) {
        return Err(Error::invalid(
            "app_request_id",
            "must be the non-empty id of an app consent request (as listed by list_app_consent_requests)",
        ));
    }
    let mut segments: Vec<&str> = APP_REQUESTS.to_vec();
    segments.extend([id, "userConsentRequests"]);
    Ok(GraphRequest::new(Operation::ListUserConsentRequests, HttpMethod::Get, &segments).about(format!("app consent request {id}")))
}

pub(crate) fn get_service_principal(app_id: &AppId) -> GraphRequest {
    let key = format!("servicePrincipals(appId={})", odata_literal(&app_id.to_string()));
    GraphRequest::new(Operation::GetServicePrincipal, HttpMethod::Get, &[&key])
        .query("$select", SP_SELECT)
        .about(format!("service principal of app {app_id}"))
}

pub(crate) fn create_service_principal(app_id: &AppId) -> GraphRequest {
    GraphRequest::new(Operation::CreateServicePrincipal, HttpMethod::Post, &["servicePrincipals"])
        .body(json!({ "appId": app_id.to_string() }))
        .about(format!("service principal of app {app_id}"))
}

pub(crate) fn list_delegated_grants(client_id: &ObjectId) -> GraphRequest {
    GraphRequest::new(Operation::ListDelegatedGrants, HttpMethod::Get, &["oauth2PermissionGrants"])
        .query("$filter", format!("clientId eq {}", odata_literal(&client_id.to_string())))
}

/// The app's delegated grants through the documented alternate key
/// (`/servicePrincipals(appId='…')/oauth2PermissionGrants`): no object id needed, so they can ride
/// in the same `$batch` round as the service principal itself.
pub(crate) fn list_delegated_grants_of_app(app_id: &AppId) -> GraphRequest {
    let key = format!("servicePrincipals(appId={})", odata_literal(&app_id.to_string()));
    GraphRequest::new(Operation::ListDelegatedGrants, HttpMethod::Get, &[&key, "oauth2PermissionGrants"])
        .about(format!("service principal of app {app_id}"))
}

/// The app's app-role assignments through the alternate key
/// (`/servicePrincipals(appId='…')/appRoleAssignments`).
pub(crate) fn list_app_role_assignments_of_app(app_id: &AppId) -> GraphRequest {
    let key = format!("servicePrincipals(appId={})", odata_literal(&app_id.to_string()));
    GraphRequest::new(Operation::ListAppRoleAssignments, HttpMethod::Get, &[&key, "appRoleAssignments"])
        .about(format!("service principal of app {app_id}"))
}

/// `principalId` is omitted for `AllPrincipals`, as in Microsoft's example.
pub(crate) fn create_delegated_grant(grant: &NewDelegatedGrant) -> GraphRequest {
    let mut body = json!({
        "clientId": grant.client_id.to_string(),
        "consentType": grant.consent_type,
        "resourceId": grant.resource_id.to_string(),
        "scope": grant.scope.to_wire(),
    });
    if let (Some(p), Some(map)) = (grant.principal_id, body.as_object_mut()) {
        map.insert("principalId".to_owned(), Value::String(p.to_string()));
    }
    GraphRequest::new(Operation::CreateDelegatedGrant, HttpMethod::Post, &["oauth2PermissionGrants"])
        .body(body)
        .about(format!(
            "delegated grant of client {} on resource {}",
            grant.client_id, grant.resource_id
        ))
}

pub(crate) fn update_delegated_grant(grant_id: &str, scope: &ScopeSet) -> Result<GraphRequest> {
    let id = grant_id.trim();
    if id.is_empty() || id.len() > 128 || id.chars().any(|c| !(c.is_ascii_alphanumeric() || "-_".contains(c))) {
        return Err(Error::invalid(
            "grant_id",
            "must be a grant id as Graph returns it (base64url characters only)",
        ));
    }
    Ok(
        GraphRequest::new(Operation::UpdateDelegatedGrant, HttpMethod::Patch, &["oauth2PermissionGrants", id])
            .body(json!({ "scope": scope.to_wire() }))
            .about(format!("delegated grant {id}")),
    )
}

pub(crate) fn list_app_role_assignments(client_id: &ObjectId) -> GraphRequest {
    let id = client_id.to_string();
    GraphRequest::new(
        Operation::ListAppRoleAssignments,
        HttpMethod::Get,
        &["servicePrincipals", &id, "appRoleAssignments"],
    )
    .about(format!("service principal {id}"))
}

pub(crate) fn create_app_role_assignment(a: &NewAppRoleAssignment) -> GraphRequest {
    let resource = a.resource_id.to_string();
    GraphRequest::new(
        Operation::CreateAppRoleAssignment,
        HttpMethod::Post,
        &["servicePrincipals", &resource, "appRoleAssignedTo"],
    )
    .body(json!({
        "principalId": a.principal_id.to_string(),
        "resourceId": resource,
        "appRoleId": a.app_role_id.to_string(),
    }))
    .about(format!("service principal {}", a.principal_id))
}

/// The most requests one `$batch` may carry.
pub(crate) const MAX_BATCH: usize = 20;

/// The JSON of a `$batch` request. The items' fields are in the order a `serde_json::Value` map
/// (sorted by key) wrote them when the batch was built as a `Value`, so the bytes sent are unchanged.
#[derive(Serialize)]
struct BatchOut<'a> {
    requests: Vec<BatchItemOut<'a>>,
}

#[derive(Serialize)]
struct BatchItemOut<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    body: Option<&'a Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    headers: Option<JsonContentType>,
    id: String,
    method: &'static str,
    url: String,
}

#[derive(Serialize)]
struct JsonContentType {
    #[serde(rename = "Content-Type")]
    content_type: &'static str,
}

/// `POST /$batch` with the items numbered by their index (`"0"`, `"1"`, …).
pub(crate) fn batch(items: &[&GraphRequest]) -> Result<GraphRequest> {
    if items.is_empty() || items.len() > MAX_BATCH {
        return Err(Error::invalid(
            "batch",
            format!("has {} requests; Graph accepts 1 to {MAX_BATCH}", items.len()),
        ));
    }
    let requests = items
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let body = match &r.body {
                None => None,
                Some(Body::Json(v)) => Some(v),
                Some(Body::Text(_)) => return Err(Error::invalid("batch", "a $batch item cannot be a $batch itself")),
            };
            Ok(BatchItemOut {
                headers: body.map(|_| JsonContentType {
                    content_type: "application/json",
                }),
                body,
                id: i.to_string(),
                method: r.method.as_str(),
                url: r.relative_url(),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let text = serde_json::to_string(&BatchOut { requests }).map_err(|e| Error::invalid("batch", e.to_string()))?;
    let mut req = GraphRequest::new(Operation::Snapshot, HttpMethod::Post, &["$batch"]);
    req.body = Some(Body::Text(text));
    Ok(req)
}

#[cfg(test)]
mod tests {
    use super::*;
    use consent::{GrantConsentType, Reviewer};

    const APP: &str = "c1c1c1c1-0000-4000-8000-000000000002";
    const SP: &str = "a1a1a1a1-0000-4000-8000-000000000001";

    fn base() -> Url {
        Url::parse("https://graph.microsoft.com/v1.0").unwrap()
    }

    fn pairs(url: &Url) -> Vec<(String, String)> {
        url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
    }

    #[test]
    fn policy_put_drops_version_and_uses_put() {
        let mut p = AdminConsentRequestPolicy::never_configured();
        p.is_enabled = true;
        p.request_duration_in_days = 30;
        p.version = 7;
        p.reviewers = vec![Reviewer::User(ObjectId::parse(SP).unwrap())];
        let r = put_request_policy(&p).unwrap();
        assert_eq!(r.method, HttpMethod::Put);
        assert_eq!(
            r.url(&base()).as_str(),
            "https://graph.microsoft.com/v1.0/policies/adminConsentRequestPolicy"
        );
        let body = r.body.unwrap().json();
        assert!(body.get("version").is_none());
        assert_eq!(body["reviewers"][0]["query"], format!("/users/{SP}"));
        assert_eq!(body["isEnabled"], true);
    }

    #[test]
    fn app_request_filters_combine_with_and() {
        let f = RequestFilter {
            app_id: Some(AppId::parse(APP).unwrap()),
            pending_only: true,
        };
        let url = list_app_consent_requests(&f).url(&base());
        assert_eq!(url.path(), "/v1.0/identityGovernance/appConsent/appConsentRequests");
        assert_eq!(
            pairs(&url),
            vec![(
                "$filter".to_owned(),
                format!("appId eq '{APP}' and userConsentRequests/any(u:u/status eq 'InProgress')")
            )]
        );
        assert!(list_app_consent_requests(&RequestFilter::default()).url(&base()).query().is_none());
    }

    #[test]
    fn service_principal_by_app_id_uses_the_alternate_key_and_select() {
        let url = get_service_principal(&AppId::parse(APP).unwrap()).url(&base());
        assert_eq!(url.path(), format!("/v1.0/servicePrincipals(appId='{APP}')"));
        assert_eq!(pairs(&url), vec![("$select".to_owned(), SP_SELECT.to_owned())]);
    }

    #[test]
    fn grant_bodies_follow_graph() {
        let g = NewDelegatedGrant {
            client_id: ObjectId::parse(SP).unwrap(),
            consent_type: GrantConsentType::AllPrincipals,
            principal_id: None,
            resource_id: ObjectId::parse(APP).unwrap(),
            scope: ScopeSet::parse("Calendars.ReadWrite User.Read").unwrap(),
        };
        let body = create_delegated_grant(&g).body.unwrap().json();
        assert_eq!(
            body,
            json!({"clientId": SP, "consentType": "AllPrincipals", "resourceId": APP, "scope": "Calendars.ReadWrite User.Read"})
        );
        let patch = update_delegated_grant("abc-_DEF", &g.scope).unwrap();
        assert_eq!(patch.method, HttpMethod::Patch);
        assert_eq!(patch.url(&base()).path(), "/v1.0/oauth2PermissionGrants/abc-_DEF");
        assert!(update_delegated_grant("../x", &g.scope).is_err());
        assert!(list_user_consent_requests("  ").is_err());
    }

    #[test]
    fn batch_items_are_relative_and_numbered() {
        let a = get_request_policy();
        let b = list_delegated_grants(&ObjectId::parse(SP).unwrap());
        let r = batch(&[&a, &b]).unwrap();
        let reqs = &r.body.unwrap().json()["requests"];
        assert_eq!(
            reqs[0],
            json!({"id": "0", "method": "GET", "url": "/policies/adminConsentRequestPolicy"})
        );
        let url = reqs[1]["url"].as_str().unwrap();
        let parsed = Url::parse(&format!("http://x{url}")).unwrap();
        assert_eq!(parsed.path(), "/oauth2PermissionGrants");
        assert_eq!(pairs(&parsed), vec![("$filter".to_owned(), format!("clientId eq '{SP}'"))]);
        assert!(batch(&[]).is_err());
        assert!(batch(&[&a; 21]).is_err());
    }

    #[test]
    fn batch_text_is_the_bytes_a_value_wrote() {
        let a = get_request_policy();
        let b = create_service_principal(&AppId::parse(APP).unwrap());
        let r = batch(&[&a, &b]).unwrap();
        let Some(Body::Text(text)) = &r.body else {
            panic!("a batch is sent as the text written from its items")
        };
        let as_value = json!({"requests": [
            {"id": "0", "method": "GET", "url": a.relative_url()},
            {"id": "1", "method": "POST", "url": b.relative_url(), "body": b.body.as_ref().unwrap().json(),
             "headers": {"Content-Type": "application/json"}},
        ]});
        assert_eq!(text, &as_value.to_string());
        assert!(batch(&[&r]).is_err(), "a batch inside a batch is refused");
    }

    proptest::proptest! {
        #[test]
        fn odata_literals_escape_every_quote(s in ".{0,40}") {
            let lit = odata_literal(&s);
            let inner = &lit[1..lit.len() - 1];
            proptest::prop_assert_eq!(inner.replace("''", "'"), s.clone());
            proptest::prop_assert_eq!(inner.matches('\'').count(), s.matches('\'').count() * 2);
        }
    }
}
