//! Issue 9 items 5 and 6: routes real Graph clients use, each following the Microsoft page named.

use consent_mock::{demo, Preset};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::common::{file_eva_request, graph_error, json_of, provision, read, start, Env, GRAPH_APP};

const CALENDARS_READ_ROLE: &str = "798ee544-9d2d-430c-a058-570e29e34338";

async fn ok(env: &Env, path: &str) -> Value {
    let (status, body) = read(env.get(path, &env.admin_token).await).await;
    assert_eq!(status, StatusCode::OK, "{path}: {body}");
    body
}

/// serviceprincipal-get, serviceprincipal-list (paged: `$top` default 100, max 999, `$skiptoken` in
/// `@odata.nextLink`; directory objects take no `$skip`), oauth2permissiongrant-get and
/// oauth2permissiongrant-list without a filter, and the alternate-key navigations
/// `servicePrincipals(appId='…')/oauth2PermissionGrants` and `/appRoleAssignments`
/// (learn.microsoft.com/graph/api/serviceprincipal-list-oauth2permissiongrants,
/// serviceprincipal-list-approleassignments; alternate keys: serviceprincipal-get "appId").
#[tokio::test]
async fn directory_reads_by_id_unfiltered_lists_and_alternate_key_navigation() {
    let env = start(Preset::UserConsentDisabled).await;
    let (client, graph) = provision(&env).await;
    let one = ok(&env, &format!("/servicePrincipals/{client}")).await;
    assert_eq!(one["appId"], demo::CARERIX_APP_ID.to_string());
    assert!(one["@odata.context"]
        .as_str()
        .unwrap()
        .ends_with("$metadata#servicePrincipals/$entity"));
    let (status, body) = read(
        env.get("/servicePrincipals/0b0b0b0b-0000-4000-8000-000000000000", &env.admin_token)
            .await,
    )
    .await;
    assert_eq!(
        (status, graph_error(&body)),
        (StatusCode::NOT_FOUND, "Request_ResourceNotFound".to_owned())
    );

    // Unfiltered and paged by $skiptoken: Graph's and the app's service principals, one per page.
    let first = ok(&env, "/servicePrincipals?$top=1&$select=id,appId").await;
    assert_eq!(first["value"].as_array().unwrap().len(), 1);
    let next = first["@odata.nextLink"].as_str().unwrap().to_owned();
    assert!(next.contains("%24skiptoken=") || next.contains("$skiptoken="), "{next}");
    let second = json_of(env.http.get(&next).bearer_auth(&env.admin_token)).await;
    assert_eq!(second["value"].as_array().unwrap().len(), 1, "{second}");
    assert_ne!(first["value"][0]["id"], second["value"][0]["id"]);
    assert!(second.get("@odata.nextLink").is_none(), "two service principals in all");
    let (status, _) = read(env.get("/servicePrincipals?$top=1000", &env.admin_token).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "$top is at most 999");

    // A grant, read by id, in the unfiltered list, and through the app's alternate key.
    let grant = json!({"clientId": client, "consentType": "AllPrincipals", "resourceId": graph, "scope": "User.Read"});
    let (_, created) = env.admin(Method::POST, "/oauth2PermissionGrants", grant).await;
    let id = created["id"].as_str().unwrap();
    assert_eq!(ok(&env, &format!("/oauth2PermissionGrants/{id}")).await["scope"], "User.Read");
    assert_eq!(
        env.get("/oauth2PermissionGrants/nope", &env.admin_token).await.status(),
        StatusCode::NOT_FOUND
    );
    let all = ok(&env, "/oauth2PermissionGrants").await;
    assert_eq!(all["value"].as_array().unwrap().len(), 1, "{all}");
    let by_key = ok(
        &env,
        &format!("/servicePrincipals(appId='{}')/oauth2PermissionGrants", demo::CARERIX_APP_ID),
    )
    .await;
    assert_eq!(by_key["value"][0]["id"], id);
    let none = ok(&env, &format!("/servicePrincipals(appId='{GRAPH_APP}')/oauth2PermissionGrants")).await;
    assert!(
        none["value"].as_array().unwrap().is_empty(),
        "Graph is the resource, not the client"
    );
    let missing = format!(
        "/servicePrincipals(appId='{}')/appRoleAssignments",
        "0b0b0b0b-0000-4000-8000-000000000000"
    );
    assert_eq!(env.get(&missing, &env.admin_token).await.status(), StatusCode::NOT_FOUND);
}

/// serviceprincipal-get and serviceprincipal-list ("Permissions": an app-only caller needs
/// Application.Read.All, Application.ReadWrite.All or Directory.Read.All): an app without them is
/// refused on the unfiltered list and the read by id as on the `$filter=appId` lookup, not served.
#[tokio::test]
async fn service_principal_reads_need_a_directory_read_permission() {
    let env = start(Preset::UserConsentDisabled).await;
    let (client, _) = provision(&env).await;
    let weak = env.emu.issue_token(&consent_mock::Principal::App {
        permissions: vec!["Policy.Read.All".to_owned()],
    });
    for path in [
        "/servicePrincipals".to_owned(),
        format!("/servicePrincipals/{client}"),
        format!("/servicePrincipals?$filter=appId eq '{}'", demo::CARERIX_APP_ID),
    ] {
        let (status, body) = read(env.get(&path, &weak).await).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}: {body}");
        assert_eq!(graph_error(&body), "Authorization_RequestDenied", "{path}");
    }
}

/// resources/approleassignment (`principalDisplayName`, `resourceDisplayName`, `deletedDateTime`),
/// serviceprincipal-post-approleassignedto (`@odata.context` …`/appRoleAssignedTo/$entity`) and
/// serviceprincipal-list-approleassignedto (the assignments granted on a resource).
#[tokio::test]
async fn app_role_assignments_carry_display_names_and_list_from_the_resource() {
    let env = start(Preset::UserConsentDisabled).await;
    let (client, graph) = provision(&env).await;
    let body = json!({"principalId": client, "resourceId": graph, "appRoleId": CALENDARS_READ_ROLE});
    let (status, created) = env
        .admin(Method::POST, &format!("/servicePrincipals/{graph}/appRoleAssignedTo"), body)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["principalDisplayName"], "Carerix Calendar - Production");
    assert_eq!(created["resourceDisplayName"], "Microsoft Graph");
    assert!(created.get("deletedDateTime").is_some_and(Value::is_null), "{created}");
    assert!(created["@odata.context"]
        .as_str()
        .unwrap()
        .ends_with(&format!("$metadata#servicePrincipals('{graph}')/appRoleAssignedTo/$entity")));

    let to = ok(&env, &format!("/servicePrincipals/{graph}/appRoleAssignedTo")).await;
    assert_eq!(to["value"][0]["principalId"], client.as_str());
    assert_eq!(to["value"][0]["resourceDisplayName"], "Microsoft Graph");
    let from = ok(
        &env,
        &format!("/servicePrincipals(appId='{}')/appRoleAssignments", demo::CARERIX_APP_ID),
    )
    .await;
    assert_eq!(from["value"][0]["appRoleId"], CALENDARS_READ_ROLE);
    assert!(from["@odata.context"].as_str().unwrap().ends_with("/appRoleAssignments"));
}

/// appconsentrequest-list and appconsentrequest-list-userconsentrequests (`$orderby`),
/// userconsentrequest-filterbycurrentuser, and the approval navigation (resources/approval,
/// resources/approvalstage) that Graph's metadata exposes below a user request.
#[tokio::test]
async fn orderby_reviewer_view_of_user_requests_and_the_approval_navigation() {
    let env = start(Preset::WorkflowOn).await;
    let id = file_eva_request(&env.tenant).await;
    let users = format!("/identityGovernance/appConsent/appConsentRequests/{id}/userConsentRequests");
    let sorted = ok(&env, &format!("{users}?$orderby=createdDateTime desc")).await;
    assert_eq!(sorted["value"].as_array().unwrap().len(), 1);
    ok(&env, "/identityGovernance/appConsent/appConsentRequests?$orderby=appDisplayName").await;

    let reviewer = env.emu.user_token(demo::CLOUD_ADMIN_ID);
    let mine = format!("{users}/filterByCurrentUser(on='reviewer')");
    let (_, as_reviewer) = read(env.get(&mine, &reviewer).await).await;
    assert_eq!(as_reviewer["value"].as_array().unwrap().len(), 1, "{as_reviewer}");
    let (_, as_global_admin) = read(env.get(&mine, &env.emu.user_token(demo::ADMIN_ID)).await).await;
    assert!(
        as_global_admin["value"].as_array().unwrap().is_empty(),
        "not a designated reviewer: {as_global_admin}"
    );

    let uid = sorted["value"][0]["id"].as_str().unwrap();
    let approval = ok(&env, &format!("{users}/{uid}/approval")).await;
    assert_eq!(approval["id"], uid);
    assert!(approval["@odata.context"].as_str().unwrap().ends_with("/approval/$entity"));
    let stages = ok(&env, &format!("{users}/{uid}/approval/stages")).await;
    assert_eq!(stages["value"][0]["status"], "InProgress");
    assert_eq!(
        env.get(&format!("{users}/nope/approval"), &env.admin_token).await.status(),
        StatusCode::NOT_FOUND
    );
}

/// oauth2permissiongrant-delete and serviceprincipal-delete-approleassignedto: `204 No Content`,
/// the object gone afterwards (404 on a second delete), and the caller's permissions apply.
#[tokio::test]
async fn grants_and_app_role_assignments_can_be_deleted() {
    let env = start(Preset::UserConsentDisabled).await;
    let (client, graph) = provision(&env).await;
    let grant = json!({"clientId": client, "consentType": "AllPrincipals", "resourceId": graph, "scope": "User.Read"});
    let (_, created) = env.admin(Method::POST, "/oauth2PermissionGrants", grant).await;
    let path = format!("/oauth2PermissionGrants/{}", created["id"].as_str().unwrap());

    let member = env.emu.user_token(demo::EVA_ID);
    let (status, body) = read(env.http.delete(env.graph(&path)).bearer_auth(&member).send().await.unwrap()).await;
    assert_eq!(
        (status, graph_error(&body)),
        (StatusCode::FORBIDDEN, "Authorization_RequestDenied".to_owned())
    );

    let r = env
        .http
        .delete(env.graph(&path))
        .bearer_auth(&env.admin_token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(env.get(&path, &env.admin_token).await.status(), StatusCode::NOT_FOUND);
    let again = env
        .http
        .delete(env.graph(&path))
        .bearer_auth(&env.admin_token)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_FOUND);

    let body = json!({"principalId": client, "resourceId": graph, "appRoleId": CALENDARS_READ_ROLE});
    let (_, assignment) = env
        .admin(Method::POST, &format!("/servicePrincipals/{graph}/appRoleAssignedTo"), body)
        .await;
    let item = format!(
        "/servicePrincipals/{graph}/appRoleAssignedTo/{}",
        assignment["id"].as_str().unwrap()
    );
    let wrong_resource = format!(
        "/servicePrincipals/{client}/appRoleAssignedTo/{}",
        assignment["id"].as_str().unwrap()
    );
    let r = env
        .http
        .delete(env.graph(&wrong_resource))
        .bearer_auth(&env.admin_token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND, "granted on Graph, not on the client");
    let r = env
        .http
        .delete(env.graph(&item))
        .bearer_auth(&env.admin_token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let left = ok(&env, &format!("/servicePrincipals/{graph}/appRoleAssignedTo")).await;
    assert!(left["value"].as_array().unwrap().is_empty(), "{left}");
}
