//! Policies (`/policies/adminConsentRequestPolicy`, `/policies/authorizationPolicy`) and the consent
//! request inbox (`/identityGovernance/appConsent/appConsentRequests/...`).

use axum::http::Method;
use consent::{AdminConsentRequestPolicy, AppId, ConsentGraph, RequestFilter};
use serde_json::{json, Value};

use super::filter::{self, Filter, FilterSpec};
use super::query::page;
use super::reply::{GraphError, GraphReply};
use super::route::Route;
use super::Ctx;

const APP_REQUEST_FILTER: FilterSpec = FilterSpec {
    eq: &["appId", "appDisplayName", "consentType"],
    any: Some(("userConsentRequests", "status")),
};
const USER_REQUEST_FILTER: FilterSpec = FilterSpec {
    eq: &["status", "reason"],
    any: None,
};
/// Consent-request lists document no maximum page size (Microsoft Learn: "Paging Microsoft Graph data in your app"); 100 like other collections.
const DEFAULT_PAGE: usize = 100;

/// `GET`/`PUT`/`PATCH` on the request policy, `GET` on the authorization policy.
pub(crate) async fn policy(ctx: &Ctx<'_>, route: &Route) -> Result<GraphReply, GraphError> {
    if *ctx.method == Method::GET {
        ctx.query.reject_collection_options()?;
    }
    match (route, ctx.method.as_str()) {
        (Route::AuthorizationPolicy, _) => {
            let p = ctx.graph.get_authorization_policy().await?;
            let mut v = to_json(&p)?;
            insert(&mut v, "@odata.context", ctx.context("policies/authorizationPolicy/$entity"));
            insert(&mut v, "id", "authorizationPolicy");
            insert(&mut v, "displayName", "Authorization Policy");
            Ok(GraphReply::ok(ctx.query.project(v)))
        }
        (_, "GET") => {
            let mut v = to_json(&ctx.graph.get_request_policy().await?)?;
            insert(&mut v, "@odata.context", ctx.context("policies/adminConsentRequestPolicy/$entity"));
            Ok(GraphReply::ok(ctx.query.project(v)))
        }
        (_, "PUT") => {
            let body = ctx.json_object()?;
            reject_unknown_policy_properties(&body)?;
            let policy = policy_from(Value::Object(body))?;
            ctx.graph.put_request_policy(&policy).await?;
            Ok(GraphReply::no_content())
        }
        _ => {
            // PATCH: Microsoft's SDKs send a partial update; merge it over the current policy. The
            // read is internal (the tenant's own view), so the caller is judged on the write alone.
            let patch = ctx.json_object()?;
            reject_unknown_policy_properties(&patch)?;
            let mut current = to_json(&ctx.tenant.as_admin().get_request_policy().await?)?;
            if let Value::Object(map) = &mut current {
                map.extend(patch);
            }
            ctx.graph.put_request_policy(&policy_from(current)?).await?;
            Ok(GraphReply::no_content())
        }
    }
}

/// The adminConsentRequestPolicy resource's properties (resource page); `version` is read-only but
/// accepted and ignored, as Microsoft's own PUT example sends it.
const POLICY_PROPERTIES: &[&str] = &[
    "isEnabled",
    "notifyReviewers",
    "remindersEnabled",
    "requestDurationInDays",
    "reviewers",
    "version",
];

/// Graph refuses a property its type does not have with `400`, on PATCH as on PUT.
fn reject_unknown_policy_properties(body: &serde_json::Map<String, Value>) -> Result<(), GraphError> {
    match body
        .keys()
        .find(|k| !k.starts_with('@') && !POLICY_PROPERTIES.contains(&k.as_str()))
    {
        Some(k) => Err(GraphError::bad_request(format!(
            "Property '{k}' does not exist on type 'microsoft.graph.adminConsentRequestPolicy'."
        ))),
        None => Ok(()),
    }
}

/// A whole policy from a body; `version` is read-only and ignored (Microsoft Learn: "adminConsentRequestPolicy resource type"; "our choice where the documentation is silent").
fn policy_from(mut body: Value) -> Result<AdminConsentRequestPolicy, GraphError> {
    if let Value::Object(map) = &mut body {
        map.remove("version");
        map.remove("@odata.context");
    }
    serde_json::from_value(body).map_err(|e| GraphError::bad_request(format!("Invalid adminConsentRequestPolicy: {e}.")))
}

/// The app request collection, the reviewer view, or one app request.
pub(crate) async fn app_requests(ctx: &Ctx<'_>, route: &Route) -> Result<GraphReply, GraphError> {
    let filter = match &ctx.query.filter {
        Some(f) => filter::parse(f, &APP_REQUEST_FILTER)?,
        None if *route == Route::AppRequestsForReviewer => {
            return Err(GraphError::bad_request(
                "filterByCurrentUser requires a $filter, e.g. userConsentRequests/any(u:u/status eq 'InProgress')",
            ));
        }
        None => Filter::default(),
    };
    let pushed = RequestFilter {
        app_id: filter.eq_value("appId").and_then(|a| AppId::parse(a).ok()),
        pending_only: filter.any_value().is_some_and(|(_, v)| v.eq_ignore_ascii_case("InProgress")),
    };
    if filter.eq_value("appId").is_some() && pushed.app_id.is_none() {
        // Not a GUID: no app can match, as on Graph.
        return Ok(GraphReply::ok(page(
            Vec::new(),
            &ctx.query,
            DEFAULT_PAGE,
            &ctx.url,
            &ctx.context(COLLECTION),
        )));
    }
    let items = ctx.graph.list_app_consent_requests(&pushed).await?;
    let mut values: Vec<Value> = items.iter().map(to_json).collect::<Result<_, _>>()?;
    values.retain(|v| filter.matches_eq(v) && any_matches(&filter, v));
    if *route == Route::AppRequestsForReviewer {
        values.retain(assigned_to_me);
    }
    for v in &mut values {
        unexpand(ctx, v);
    }
    ctx.query.sort(&mut values, APP_REQUEST_ORDER)?;
    if let Route::AppRequest(id) = route {
        ctx.query.reject_collection_options()?;
        let mut one = values
            .into_iter()
            .find(|v| v["id"] == id.as_str())
            .ok_or_else(|| GraphError::not_found(id))?;
        insert(&mut one, "@odata.context", ctx.context(&format!("{COLLECTION}/$entity")));
        return Ok(GraphReply::ok(ctx.query.project(one)));
    }
    Ok(GraphReply::ok(page(
        values,
        &ctx.query,
        DEFAULT_PAGE,
        &ctx.url,
        &ctx.context(COLLECTION),
    )))
}

const COLLECTION: &str = "identityGovernance/appConsent/appConsentRequests";

/// Properties both consent-request lists sort on (appconsentrequest-list and
/// appconsentrequest-list-userconsentrequests document `$orderby`; these are the documented
/// filterable-and-sortable ones).
const APP_REQUEST_ORDER: &[&str] = &["appId", "appDisplayName", "consentType"];
const USER_REQUEST_ORDER: &[&str] = &["status", "reason", "createdDateTime"];

/// What part of a user request a route reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum UserPart {
    Collection { reviewer: bool },
    One,
    Approval,
    Stages,
}

/// The user requests of one app request (all, or the caller's to review), one of them, or one's
/// approval and its stages.
pub(crate) async fn user_requests(ctx: &Ctx<'_>, route: &Route) -> Result<GraphReply, GraphError> {
    let (app_id, user_id, part) = match route {
        Route::UserRequests(a) => (a, None, UserPart::Collection { reviewer: false }),
        Route::UserRequestsForReviewer(a) => (a, None, UserPart::Collection { reviewer: true }),
        Route::UserRequest(a, u) => (a, Some(u), UserPart::One),
        Route::Approval(a, u) => (a, Some(u), UserPart::Approval),
        Route::ApprovalStages(a, u) => (a, Some(u), UserPart::Stages),
        _ => return Err(GraphError::unknown_segment("userConsentRequests")),
    };
    let filter = match (&ctx.query.filter, part) {
        (Some(f), UserPart::Collection { .. }) => filter::parse(f, &USER_REQUEST_FILTER)?,
        _ => Filter::default(),
    };
    let items = ctx.graph.list_user_consent_requests(app_id).await?;
    let mut values: Vec<Value> = items.iter().map(to_json).collect::<Result<_, _>>()?;
    values.retain(|v| filter.matches_eq(v));
    let context = format!("{COLLECTION}('{app_id}')/userConsentRequests");
    let Some(uid) = user_id else {
        if part == (UserPart::Collection { reviewer: true }) {
            values.retain(stage_assigned_to_me);
        }
        ctx.query.sort(&mut values, USER_REQUEST_ORDER)?;
        return Ok(GraphReply::ok(page(
            values,
            &ctx.query,
            DEFAULT_PAGE,
            &ctx.url,
            &ctx.context(&context),
        )));
    };
    let mut one = values
        .into_iter()
        .find(|v| v["id"] == uid.as_str())
        .ok_or_else(|| GraphError::not_found(uid))?;
    let approval_context = format!("{context}('{uid}')/approval");
    match part {
        UserPart::Approval => {
            ctx.query.reject_collection_options()?;
            let mut approval = one["approval"].take();
            insert(&mut approval, "@odata.context", ctx.context(&format!("{approval_context}/$entity")));
            Ok(GraphReply::ok(ctx.query.project(approval)))
        }
        UserPart::Stages => {
            let stages = one["approval"]["stages"].as_array().cloned().unwrap_or_default();
            let stages_context = ctx.context(&format!("{approval_context}/stages"));
            Ok(GraphReply::ok(page(stages, &ctx.query, DEFAULT_PAGE, &ctx.url, &stages_context)))
        }
        _ => {
            ctx.query.reject_collection_options()?;
            insert(&mut one, "@odata.context", ctx.context(&format!("{context}/$entity")));
            Ok(GraphReply::ok(ctx.query.project(one)))
        }
    }
}

fn stage_assigned_to_me(user_request: &Value) -> bool {
    user_request["approval"]["stages"]
        .as_array()
        .is_some_and(|s| s.iter().any(|st| st["assignedToMe"] == json!(true)))
}

/// Graph does not expand `userConsentRequests` on app requests: its list and get examples
/// (appconsentrequest-list, appconsentrequest-get) carry an empty array and the navigation's
/// `@odata.context`. The inline requests were only needed for filtering, so they go here.
fn unexpand(ctx: &Ctx<'_>, item: &mut Value) {
    let Some(id) = item["id"].as_str().map(str::to_owned) else {
        return;
    };
    let context = ctx.context(&format!("{COLLECTION}('{id}')/userConsentRequests"));
    insert(item, "userConsentRequests@odata.context", context);
    insert(item, "userConsentRequests", Value::Array(Vec::new()));
}

/// `userConsentRequests/any(u:u/status eq '…')` evaluated on the inline user requests.
fn any_matches(filter: &Filter, item: &Value) -> bool {
    let Some((property, wanted)) = filter.any_value() else {
        return true;
    };
    item["userConsentRequests"].as_array().is_some_and(|users| {
        users
            .iter()
            .any(|u| u[property].as_str().is_some_and(|s| s.eq_ignore_ascii_case(wanted)))
    })
}

/// The reviewer view keeps requests with a stage assigned to the caller.
fn assigned_to_me(item: &Value) -> bool {
    item["userConsentRequests"]
        .as_array()
        .is_some_and(|users| users.iter().any(stage_assigned_to_me))
}

pub(crate) fn to_json<T: serde::Serialize>(v: &T) -> Result<Value, GraphError> {
    serde_json::to_value(v).map_err(|e| GraphError::new(axum::http::StatusCode::INTERNAL_SERVER_ERROR, "generalException", e.to_string()))
}

pub(crate) fn insert(v: &mut Value, key: &str, value: impl Into<Value>) {
    if let Value::Object(map) = v {
        map.insert(key.to_owned(), value.into());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_body_needs_every_required_field_and_ignores_version() {
        let ok = json!({"isEnabled": true, "notifyReviewers": true, "remindersEnabled": false, "requestDurationInDays": 30,
            "reviewers": [], "version": 99});
        assert_eq!(policy_from(ok).unwrap().version, 0);
        let missing = json!({"isEnabled": true});
        let err = policy_from(missing).unwrap_err();
        assert_eq!(err.status.as_u16(), 400);
        assert!(err.message.contains("notifyReviewers"), "{}", err.message);
        let bad_reviewer = json!({"isEnabled": true, "notifyReviewers": true, "remindersEnabled": false,
            "requestDurationInDays": 30, "reviewers": [{"query": "/me"}]});
        assert_eq!(policy_from(bad_reviewer).unwrap_err().status.as_u16(), 400);
    }

    #[test]
    fn any_clause_reads_inline_user_requests() {
        let f = filter::parse("userConsentRequests/any(u:u/status eq 'Completed')", &APP_REQUEST_FILTER).unwrap();
        assert!(any_matches(
            &f,
            &json!({"userConsentRequests": [{"status": "InProgress"}, {"status": "Completed"}]})
        ));
        assert!(!any_matches(&f, &json!({"userConsentRequests": [{"status": "InProgress"}]})));
        assert!(!any_matches(&f, &json!({})));
    }
}
