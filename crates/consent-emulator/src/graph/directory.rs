//! Directory objects that carry consent: `servicePrincipals` (incl. `(appId='…')` addressing),
//! `oauth2PermissionGrants`, and app-role assignments.

use consent::{AppId, ConsentGraph, NewAppRoleAssignment, NewDelegatedGrant, ObjectId, ScopeSet};
use serde_json::Value;

use super::filter::{self, FilterSpec};
use super::query::page;
use super::reply::{GraphError, GraphReply};
use super::requests::{insert, to_json};
use super::route::Route;
use super::Ctx;

const SP_FILTER: FilterSpec = FilterSpec { eq: &["appId"], any: None };
const GRANT_FILTER: FilterSpec = FilterSpec {
    eq: &["clientId", "consentType", "principalId", "resourceId"],
    any: None,
};
/// Microsoft Learn: "Paging Microsoft Graph data in your app": `servicePrincipals` pages default to 100 items; grants and assignments likewise.
const DEFAULT_PAGE: usize = 100;

/// Serves the directory routes.
pub(crate) async fn run(ctx: &Ctx<'_>, route: Route) -> Result<GraphReply, GraphError> {
    match (route, ctx.method.as_str()) {
        (Route::ServicePrincipals, "GET") => list_service_principals(ctx).await,
        (Route::ServicePrincipals, _) => create_service_principal(ctx).await,
        (Route::ServicePrincipalByAppId(app), _) => service_principal_by_app_id(ctx, &app).await,
        (Route::Grants, "GET") => list_grants(ctx).await,
        (Route::Grants, _) => create_grant(ctx).await,
        (Route::Grant(id), _) => update_grant(ctx, &id).await,
        (Route::AppRoleAssignments(sp), "GET") => list_assignments(ctx, &sp).await,
        (Route::AppRoleAssignments(sp), _) => assign(ctx, &sp, Side::Principal).await,
        (Route::AppRoleAssignedTo(sp), _) => assign(ctx, &sp, Side::Resource).await,
        (other, _) => Err(GraphError::unknown_segment(&format!("{other:?}"))),
    }
}

/// Graph's answer to an id that is not a GUID.
fn object_id(raw: &str) -> Result<ObjectId, GraphError> {
    ObjectId::parse(raw).map_err(|_| GraphError::bad_request(format!("Invalid object identifier '{raw}'.")))
}

async fn list_service_principals(ctx: &Ctx<'_>) -> Result<GraphReply, GraphError> {
    let filter = ctx
        .query
        .filter
        .as_deref()
        .map(|f| filter::parse(f, &SP_FILTER))
        .transpose()?
        .and_then(|f| f.eq_value("appId").map(str::to_owned))
        .ok_or_else(|| GraphError::unsupported_query("The emulator lists service principals only with $filter=appId eq '{appId}'."))?;
    let found = match AppId::parse(&filter) {
        Ok(app) => ctx.graph.get_service_principal(&app).await?,
        Err(_) => None,
    };
    let items = found.iter().map(to_json).collect::<Result<Vec<_>, _>>()?;
    Ok(GraphReply::ok(page(
        items,
        &ctx.query,
        DEFAULT_PAGE,
        &ctx.url,
        &ctx.context("servicePrincipals"),
    )))
}

async fn service_principal_by_app_id(ctx: &Ctx<'_>, app: &str) -> Result<GraphReply, GraphError> {
    ctx.query.reject_collection_options()?;
    let app_id = AppId::parse(app).map_err(|_| GraphError::bad_request(format!("Invalid appId '{app}'.")))?;
    let sp = ctx
        .graph
        .get_service_principal(&app_id)
        .await?
        .ok_or_else(|| GraphError::not_found(&format!("servicePrincipals(appId='{app}')")))?;
    let mut v = to_json(&sp)?;
    insert(&mut v, "@odata.context", ctx.context("servicePrincipals/$entity"));
    Ok(GraphReply::ok(ctx.query.project(v)))
}

async fn create_service_principal(ctx: &Ctx<'_>) -> Result<GraphReply, GraphError> {
    let body = ctx.json_object()?;
    let app = body
        .get("appId")
        .and_then(Value::as_str)
        .ok_or_else(|| GraphError::bad_request("The request body must contain 'appId' (the application id to provision)."))?;
    let app_id = AppId::parse(app).map_err(|_| GraphError::bad_request(format!("Invalid appId '{app}'.")))?;
    let sp = ctx.graph.create_service_principal(&app_id).await?;
    let mut v = to_json(&sp)?;
    insert(&mut v, "@odata.context", ctx.context("servicePrincipals/$entity"));
    Ok(GraphReply::created(v))
}

async fn list_grants(ctx: &Ctx<'_>) -> Result<GraphReply, GraphError> {
    let filter = match ctx.query.filter.as_deref() {
        Some(f) => filter::parse(f, &GRANT_FILTER)?,
        None => {
            return Err(GraphError::unsupported_query(
                "The emulator lists grants only with $filter=clientId eq '{id}' (optionally and consentType eq '…').",
            ))
        }
    };
    let client = filter
        .eq_value("clientId")
        .ok_or_else(|| GraphError::unsupported_query("The emulator's grant $filter must include clientId eq '{id}'."))?;
    let items = match ObjectId::parse(client) {
        Ok(client) => ctx.graph.list_delegated_grants(&client).await?,
        Err(_) => Vec::new(),
    };
    let mut values: Vec<Value> = items.iter().map(to_json).collect::<Result<_, _>>()?;
    values.retain(|v| filter.matches_eq(v));
    Ok(GraphReply::ok(page(
        values,
        &ctx.query,
        DEFAULT_PAGE,
        &ctx.url,
        &ctx.context("oauth2PermissionGrants"),
    )))
}

async fn create_grant(ctx: &Ctx<'_>) -> Result<GraphReply, GraphError> {
    let grant: NewDelegatedGrant = ctx.body_as("oauth2PermissionGrant")?;
    let created = ctx.graph.create_delegated_grant(&grant).await?;
    let mut v = to_json(&created)?;
    insert(&mut v, "@odata.context", ctx.context("oauth2PermissionGrants/$entity"));
    Ok(GraphReply::created(v))
}

/// Microsoft Learn: "oAuth2PermissionGrant resource type": only `scope` may change; `principalId` (and the other keys) cannot.
async fn update_grant(ctx: &Ctx<'_>, id: &str) -> Result<GraphReply, GraphError> {
    let body = ctx.json_object()?;
    if let Some(other) = body.keys().find(|k| *k != "scope" && !k.starts_with('@')) {
        return Err(GraphError::bad_request(format!("Property cannot be updated: {other}")));
    }
    let scope = body
        .get("scope")
        .and_then(Value::as_str)
        .ok_or_else(|| GraphError::bad_request("The request body must contain 'scope' (a space-separated string)."))?;
    let scope = ScopeSet::parse(scope).map_err(|e| GraphError::bad_request(e.to_string()))?;
    ctx.graph.update_delegated_grant(id, &scope).await?;
    Ok(GraphReply::no_content())
}

async fn list_assignments(ctx: &Ctx<'_>, sp: &str) -> Result<GraphReply, GraphError> {
    if ctx.query.filter.is_some() {
        return Err(GraphError::unsupported_query("The emulator does not filter app role assignments."));
    }
    let items = ctx.graph.list_app_role_assignments(&object_id(sp)?).await?;
    let values: Vec<Value> = items.iter().map(to_json).collect::<Result<_, _>>()?;
    let context = format!("servicePrincipals('{sp}')/appRoleAssignments");
    Ok(GraphReply::ok(page(
        values,
        &ctx.query,
        DEFAULT_PAGE,
        &ctx.url,
        &ctx.context(&context),
    )))
}

/// Which end of the assignment the URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    /// `/servicePrincipals/{clientId}/appRoleAssignments`.
    Principal,
    /// `/servicePrincipals/{resourceId}/appRoleAssignedTo`.
    Resource,
}

async fn assign(ctx: &Ctx<'_>, sp: &str, side: Side) -> Result<GraphReply, GraphError> {
    let url_id = object_id(sp)?;
    let a: NewAppRoleAssignment = ctx.body_as("appRoleAssignment")?;
    let (named, field) = match side {
        Side::Principal => (a.principal_id, "principalId"),
        Side::Resource => (a.resource_id, "resourceId"),
    };
    if named != url_id {
        return Err(GraphError::bad_request(format!(
            "'{field}' in the body must be the service principal in the URL ({sp})."
        )));
    }
    let created = ctx.graph.create_app_role_assignment(&a).await?;
    let mut v = to_json(&created)?;
    insert(&mut v, "@odata.context", ctx.context("appRoleAssignments/$entity"));
    Ok(GraphReply::created(v))
}
