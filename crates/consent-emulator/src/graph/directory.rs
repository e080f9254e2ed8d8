//! Directory objects that carry consent: `servicePrincipals` (incl. `(appId='…')` addressing),
//! `oauth2PermissionGrants`, and app-role assignments.

use consent::{AppId, AppRoleAssignment, ConsentGraph, NewAppRoleAssignment, NewDelegatedGrant, ObjectId, ScopeSet, ServicePrincipal};
use serde_json::Value;

use super::filter::{self, FilterSpec};
use super::query::directory_page;
use super::reply::{GraphError, GraphReply};
use super::requests::{insert, to_json};
use super::route::Route;
use super::Ctx;

const SP_FILTER: FilterSpec = FilterSpec { eq: &["appId"], any: None };
const GRANT_FILTER: FilterSpec = FilterSpec {
    eq: &["clientId", "consentType", "principalId", "resourceId"],
    any: None,
};

/// Serves the directory routes.
pub(crate) async fn run(ctx: &Ctx<'_>, route: Route) -> Result<GraphReply, GraphError> {
    match (route, ctx.method.as_str()) {
        (Route::ServicePrincipals, "GET") => list_service_principals(ctx).await,
        (Route::ServicePrincipals, _) => create_service_principal(ctx).await,
        (Route::ServicePrincipal(id), _) => service_principal(ctx, &id).await,
        (Route::ServicePrincipalByAppId(app), _) => service_principal_by_app_id(ctx, &app).await,
        (Route::GrantsOfAppId(app), _) => {
            let sp = by_app_id(ctx, &app).await?;
            grants_page(
                ctx,
                ctx.graph.list_delegated_grants(&sp.id).await?,
                &format!("servicePrincipals('{}')/oauth2PermissionGrants", sp.id),
            )
        }
        (Route::AssignmentsOfAppId(app), _) => {
            let sp = by_app_id(ctx, &app).await?;
            list_assignments(ctx, &sp.id.to_string(), Side::Principal).await
        }
        (Route::Grants, "GET") => list_grants(ctx).await,
        (Route::Grants, _) => create_grant(ctx).await,
        (Route::Grant(id), "GET") => get_grant(ctx, &id).await,
        (Route::Grant(id), "DELETE") => {
            ctx.graph.delete_delegated_grant(&id)?;
            Ok(GraphReply::no_content())
        }
        (Route::AppRoleAssignedToItem(sp, id), _) => {
            ctx.graph.delete_app_role_assignment(&object_id(&sp)?, &id)?;
            Ok(GraphReply::no_content())
        }
        (Route::Grant(id), _) => update_grant(ctx, &id).await,
        (Route::AppRoleAssignments(sp), "GET") => list_assignments(ctx, &sp, Side::Principal).await,
        (Route::AppRoleAssignments(sp), _) => assign(ctx, &sp, Side::Principal).await,
        (Route::AppRoleAssignedTo(sp), "GET") => list_assignments(ctx, &sp, Side::Resource).await,
        (Route::AppRoleAssignedTo(sp), _) => assign(ctx, &sp, Side::Resource).await,
        (other, _) => Err(GraphError::unknown_segment(&format!("{other:?}"))),
    }
}

/// Graph's answer to an id that is not a GUID.
fn object_id(raw: &str) -> Result<ObjectId, GraphError> {
    ObjectId::parse(raw).map_err(|_| GraphError::bad_request(format!("Invalid object identifier '{raw}'.")))
}

/// serviceprincipal-list: every service principal, paged (`$top` default 100, max 999, a
/// `$skiptoken` in `@odata.nextLink`; `$skip` refused), or the one `$filter=appId eq '…'` names.
async fn list_service_principals(ctx: &Ctx<'_>) -> Result<GraphReply, GraphError> {
    ctx.query.directory_only()?;
    let app = ctx
        .query
        .filter
        .as_deref()
        .map(|f| filter::parse(f, &SP_FILTER))
        .transpose()?
        .map(|f| f.eq_value("appId").map(str::to_owned));
    let found = match app {
        Some(Some(app)) => match AppId::parse(&app) {
            Ok(app) => ctx.graph.get_service_principal(&app).await?.into_iter().collect(),
            Err(_) => Vec::new(),
        },
        // A filter without appId cannot be built from SP_FILTER; no filter lists every one.
        _ => all_service_principals(ctx).await?,
    };
    let items = found.iter().map(to_json).collect::<Result<Vec<_>, _>>()?;
    Ok(GraphReply::ok(directory_page(
        items,
        &ctx.query,
        &ctx.url,
        &ctx.context("servicePrincipals"),
    )))
}

/// Every service principal, if the caller may read them: the port has no list, so the caller's
/// right is checked with the port's own lookup (the mock's rule for reading service principals)
/// before the tenant's list is read.
async fn all_service_principals(ctx: &Ctx<'_>) -> Result<Vec<ServicePrincipal>, GraphError> {
    ctx.graph.get_service_principal(&AppId::MICROSOFT_GRAPH).await?;
    Ok(ctx.tenant.service_principals())
}

/// serviceprincipal-get: one service principal by object id.
async fn service_principal(ctx: &Ctx<'_>, id: &str) -> Result<GraphReply, GraphError> {
    ctx.query.reject_collection_options()?;
    let id = object_id(id)?;
    let sp = all_service_principals(ctx)
        .await?
        .into_iter()
        .find(|sp| sp.id == id)
        .ok_or_else(|| GraphError::not_found(&id.to_string()))?;
    let mut v = to_json(&sp)?;
    insert(&mut v, "@odata.context", ctx.context("servicePrincipals/$entity"));
    Ok(GraphReply::ok(ctx.query.project(v)))
}

/// The service principal `(appId='…')` names, or Graph's 404.
async fn by_app_id(ctx: &Ctx<'_>, app: &str) -> Result<ServicePrincipal, GraphError> {
    let app_id = AppId::parse(app).map_err(|_| GraphError::bad_request(format!("Invalid appId '{app}'.")))?;
    ctx.graph
        .get_service_principal(&app_id)
        .await?
        .ok_or_else(|| GraphError::not_found(&format!("servicePrincipals(appId='{app}')")))
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

/// oauth2permissiongrant-list: every grant, or those `$filter` names (`clientId`, `consentType`,
/// `principalId`, `resourceId`, joined by `and`), paged with `$skiptoken`.
async fn list_grants(ctx: &Ctx<'_>) -> Result<GraphReply, GraphError> {
    ctx.query.directory_only()?;
    let filter = match ctx.query.filter.as_deref() {
        Some(f) => filter::parse(f, &GRANT_FILTER)?,
        None => filter::Filter::default(),
    };
    let items = match filter.eq_value("clientId") {
        Some(client) => match ObjectId::parse(client) {
            Ok(client) => ctx.graph.list_delegated_grants(&client).await?,
            Err(_) => Vec::new(),
        },
        None => all_grants(ctx).await?,
    };
    let mut values: Vec<Value> = items.iter().map(to_json).collect::<Result<_, _>>()?;
    values.retain(|v| filter.matches_eq(v));
    Ok(GraphReply::ok(directory_page(
        values,
        &ctx.query,
        &ctx.url,
        &ctx.context("oauth2PermissionGrants"),
    )))
}

/// Every grant in the tenant, read as the caller (one port call per client service principal).
async fn all_grants(ctx: &Ctx<'_>) -> Result<Vec<consent::DelegatedGrant>, GraphError> {
    let mut all = Vec::new();
    for sp in ctx.tenant.service_principals() {
        all.extend(ctx.graph.list_delegated_grants(&sp.id).await?);
    }
    Ok(all)
}

/// oauth2permissiongrant-get: one grant by id.
async fn get_grant(ctx: &Ctx<'_>, id: &str) -> Result<GraphReply, GraphError> {
    ctx.query.reject_collection_options()?;
    let grant = all_grants(ctx)
        .await?
        .into_iter()
        .find(|g| g.id == id)
        .ok_or_else(|| GraphError::not_found(id))?;
    let mut v = to_json(&grant)?;
    insert(&mut v, "@odata.context", ctx.context("oauth2PermissionGrants/$entity"));
    Ok(GraphReply::ok(ctx.query.project(v)))
}

fn grants_page(ctx: &Ctx<'_>, grants: Vec<consent::DelegatedGrant>, context: &str) -> Result<GraphReply, GraphError> {
    ctx.query.directory_only()?;
    if ctx.query.filter.is_some() {
        return Err(GraphError::unsupported_query(
            "The emulator does not filter this navigation; use /oauth2PermissionGrants?$filter=…",
        ));
    }
    let values: Vec<Value> = grants.iter().map(to_json).collect::<Result<_, _>>()?;
    Ok(GraphReply::ok(directory_page(values, &ctx.query, &ctx.url, &ctx.context(context))))
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

/// serviceprincipal-list-approleassignments (the service principal as the client) and
/// serviceprincipal-list-approleassignedto (as the resource), paged with `$skiptoken`.
async fn list_assignments(ctx: &Ctx<'_>, sp: &str, side: Side) -> Result<GraphReply, GraphError> {
    ctx.query.directory_only()?;
    if ctx.query.filter.is_some() {
        return Err(GraphError::unsupported_query("The emulator does not filter app role assignments."));
    }
    let id = object_id(sp)?;
    let sps = ctx.tenant.service_principals();
    let items = match side {
        Side::Principal => ctx.graph.list_app_role_assignments(&id).await?,
        Side::Resource => {
            let mut all = Vec::new();
            for client in &sps {
                all.extend(ctx.graph.list_app_role_assignments(&client.id).await?);
            }
            all.retain(|a| a.resource_id == id);
            all
        }
    };
    let values: Vec<Value> = items.iter().map(|a| assignment_json(a, &sps)).collect::<Result<_, _>>()?;
    let context = format!("servicePrincipals('{sp}')/{}", side.navigation());
    Ok(GraphReply::ok(directory_page(values, &ctx.query, &ctx.url, &ctx.context(&context))))
}

/// The appRoleAssignment resource as Graph returns it: with `principalDisplayName`,
/// `resourceDisplayName` and `deletedDateTime` (resources/approleassignment).
fn assignment_json(a: &AppRoleAssignment, sps: &[ServicePrincipal]) -> Result<Value, GraphError> {
    let name = |id: ObjectId| {
        sps.iter()
            .find(|sp| sp.id == id)
            .and_then(|sp| sp.display_name.clone())
            .map_or(Value::Null, Value::String)
    };
    let mut v = to_json(a)?;
    insert(&mut v, "principalDisplayName", name(a.principal_id));
    insert(&mut v, "resourceDisplayName", name(a.resource_id));
    insert(&mut v, "deletedDateTime", Value::Null);
    Ok(v)
}

/// Which end of the assignment the URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    /// `/servicePrincipals/{clientId}/appRoleAssignments`.
    Principal,
    /// `/servicePrincipals/{resourceId}/appRoleAssignedTo`.
    Resource,
}

impl Side {
    fn navigation(self) -> &'static str {
        match self {
            Side::Principal => "appRoleAssignments",
            Side::Resource => "appRoleAssignedTo",
        }
    }
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
    let mut v = assignment_json(&created, &ctx.tenant.service_principals())?;
    let context = format!("servicePrincipals('{sp}')/{}/$entity", side.navigation());
    insert(&mut v, "@odata.context", ctx.context(&context));
    Ok(GraphReply::created(v))
}
