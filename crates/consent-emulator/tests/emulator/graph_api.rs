//! The Graph v1.0 subset over HTTP: shapes, status codes, paging, batch, faults, permissions.

use std::time::Duration;

use crate::common::{file_request, graph_error, provision, read, start, GRAPH_APP};
use consent::ConsentGraph;
use consent_mock::{demo, Fault, FaultPlan, FaultRule, Operation, Preset};
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn policy_get_put_patch_follow_graph() {
    let env = start(Preset::MicrosoftManaged).await;
    let (status, body) = read(env.get("/policies/adminConsentRequestPolicy", &env.admin_token).await).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!((body["isEnabled"].clone(), body["version"].clone()), (json!(false), json!(0)));
    assert!(body["@odata.context"]
        .as_str()
        .unwrap()
        .ends_with("$metadata#policies/adminConsentRequestPolicy/$entity"));

    let reviewer = format!("/users/{}", demo::CLOUD_ADMIN_ID);
    let put = json!({"isEnabled": true, "notifyReviewers": true, "remindersEnabled": true, "requestDurationInDays": 14,
        "reviewers": [{"query": reviewer, "queryType": "MicrosoftGraph", "queryRoot": null}], "version": 42});
    let r = env
        .send_json(Method::PUT, "/policies/adminConsentRequestPolicy", &env.admin_token, put)
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);

    // PATCH (what generated SDKs send) changes only the given field.
    let r = env
        .send_json(
            Method::PATCH,
            "/policies/adminConsentRequestPolicy",
            &env.admin_token,
            json!({"remindersEnabled": false}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let (_, body) = read(
        env.get(
            "/policies/adminConsentRequestPolicy?$select=isEnabled,remindersEnabled,version",
            &env.admin_token,
        )
        .await,
    )
    .await;
    assert_eq!(body["isEnabled"], true);
    assert_eq!(body["remindersEnabled"], false);
    assert_eq!(
        body["version"], 2,
        "two writes bump the service's counter twice, ignoring the given version"
    );
    assert!(body.get("reviewers").is_none(), "$select projects: {body}");

    let (status, body) = env
        .admin(Method::PUT, "/policies/adminConsentRequestPolicy", json!({"isEnabled": true}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(graph_error(&body), "Request_BadRequest");
    assert!(body["error"]["message"].as_str().unwrap().contains("notifyReviewers"), "{body}");
}

#[tokio::test]
async fn a_plain_member_cannot_write_the_policy() {
    let env = start(Preset::MicrosoftManaged).await;
    let eva = env.emu.user_token(demo::EVA_ID);
    let r = env
        .send_json(
            Method::PATCH,
            "/policies/adminConsentRequestPolicy",
            &eva,
            json!({"isEnabled": true}),
        )
        .await;
    let (status, body) = read(r).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(graph_error(&body), "Authorization_RequestDenied");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Cloud Application Administrator"),
        "{body}"
    );
    // …but reads the authorization policy, as default user permissions allow.
    let (status, body) = read(env.get("/policies/authorizationPolicy", &eva).await).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["id"], "authorizationPolicy");
    assert!(body["defaultUserRolePermissions"]["permissionGrantPoliciesAssigned"].is_array());
}

#[tokio::test]
async fn service_principals_by_alternate_key_and_filter() {
    let env = start(Preset::MicrosoftManaged).await;
    let path = format!("/servicePrincipals(appId='{GRAPH_APP}')?$select=id,appId,oauth2PermissionScopes");
    let (status, body) = read(env.get(&path, &env.admin_token).await).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["appId"], GRAPH_APP);
    assert!(body["oauth2PermissionScopes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["value"] == "Calendars.ReadWrite"));
    assert!(body.get("appRoles").is_none());

    // Fully percent-encoded, as some SDKs send it.
    let encoded = format!("/servicePrincipals?%24filter=appId%20eq%20%27{GRAPH_APP}%27");
    let (status, body) = read(env.get(&encoded, &env.admin_token).await).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["value"].as_array().unwrap().len(), 1);

    let missing = format!("/servicePrincipals(appId='{}')", demo::CARERIX_APP_ID);
    let (status, body) = read(env.get(&missing, &env.admin_token).await).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(graph_error(&body), "Request_ResourceNotFound");

    let (status, body) = env
        .admin(Method::POST, "/servicePrincipals", json!({"appId": demo::CARERIX_APP_ID}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["appId"], demo::CARERIX_APP_ID.to_string());
    let (status, body) = env
        .admin(Method::POST, "/servicePrincipals", json!({"appId": demo::CARERIX_APP_ID}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
}

#[tokio::test]
async fn grants_create_conflict_filter_and_patch() {
    let env = start(Preset::UserConsentDisabled).await;
    let (client, graph) = provision(&env).await;
    let grant = json!({"clientId": client, "consentType": "AllPrincipals", "resourceId": graph, "scope": "User.Read"});
    let (status, created) = env.admin(Method::POST, "/oauth2PermissionGrants", grant.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["principalId"], serde_json::Value::Null);
    let (status, body) = env.admin(Method::POST, "/oauth2PermissionGrants", grant).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(graph_error(&body), "Request_MultipleObjectsWithSameKeyValue");

    let id = created["id"].as_str().unwrap();
    let r = env
        .send_json(
            Method::PATCH,
            &format!("/oauth2PermissionGrants/{id}"),
            &env.admin_token,
            json!({"scope": "User.Read Calendars.ReadWrite"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let r = env
        .send_json(
            Method::PATCH,
            &format!("/oauth2PermissionGrants/{id}"),
            &env.admin_token,
            json!({"principalId": client}),
        )
        .await;
    let (status, body) = read(r).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["error"]["message"].as_str().unwrap().contains("principalId"));

    let filter = format!("/oauth2PermissionGrants?$filter=clientId eq '{client}' and consentType eq 'AllPrincipals'");
    let (status, body) = read(env.get(&filter, &env.admin_token).await).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["value"][0]["scope"], "User.Read Calendars.ReadWrite");
    let principal_only = format!("/oauth2PermissionGrants?$filter=clientId eq '{client}' and consentType eq 'Principal'");
    let (_, body) = read(env.get(&principal_only, &env.admin_token).await).await;
    assert_eq!(body["value"], json!([]));
}

#[tokio::test]
async fn app_role_assignments_on_both_ends() {
    let env = start(Preset::UserConsentDisabled).await;
    let (client, graph) = provision(&env).await;
    let role = "798ee544-9d2d-430c-a058-570e29e34338"; // Calendars.Read (application)
    let body = json!({"principalId": client, "resourceId": graph, "appRoleId": role});
    let (status, created) = env
        .admin(Method::POST, &format!("/servicePrincipals/{graph}/appRoleAssignedTo"), body.clone())
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let (status, dup) = env
        .admin(Method::POST, &format!("/servicePrincipals/{client}/appRoleAssignments"), body)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "duplicate assignment is 400 on Graph: {dup}");
    let (status, list) = read(
        env.get(&format!("/servicePrincipals/{client}/appRoleAssignments"), &env.admin_token)
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["value"][0]["appRoleId"], role);
    // The URL and the body must name the same principal.
    let wrong = json!({"principalId": client, "resourceId": graph, "appRoleId": role});
    let (status, _) = env
        .admin(Method::POST, &format!("/servicePrincipals/{client}/appRoleAssignedTo"), wrong)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn consent_requests_filter_and_page_with_absolute_next_links() {
    let env = start(Preset::WorkflowOn).await;
    for user in [demo::EVA_ID, demo::SAM_ID] {
        file_request(&env.tenant, user, demo::CARERIX_SCOPES, "I need my interviews in my calendar").await;
    }
    let filter = format!(
        "/identityGovernance/appConsent/appConsentRequests?$filter=appId eq '{}' and userConsentRequests/any(u:u/status eq 'InProgress')",
        demo::CARERIX_APP_ID
    );
    let (status, body) = read(env.get(&filter, &env.admin_token).await).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let requests = body["value"].as_array().unwrap();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0]["consentType"], "Dynamic");
    let id = requests[0]["id"].as_str().unwrap().to_owned();

    let (_, first) = read(
        env.get(
            &format!("/identityGovernance/appConsent/appConsentRequests/{id}/userConsentRequests?$top=1"),
            &env.admin_token,
        )
        .await,
    )
    .await;
    assert_eq!(first["value"].as_array().unwrap().len(), 1);
    let next = first["@odata.nextLink"].as_str().expect("a second page");
    assert!(next.starts_with(env.emu.graph_url().as_str()), "{next}");
    let (_, second) = read(env.http.get(next).bearer_auth(&env.admin_token).send().await.unwrap()).await;
    assert_eq!(second["value"].as_array().unwrap().len(), 1);
    assert!(second.get("@odata.nextLink").is_none());
    assert_ne!(first["value"][0]["id"], second["value"][0]["id"]);

    let (status, one) = read(
        env.get(&format!("/identityGovernance/appConsent/appConsentRequests/{id}"), &env.admin_token)
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(one["appId"], demo::CARERIX_APP_ID.to_string());
    let (status, _) = read(
        env.get("/identityGovernance/appConsent/appConsentRequests/nope", &env.admin_token)
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The reviewer view: the Cloud Application Administrator is in the reviewer group.
    let cas = env.emu.user_token(demo::CLOUD_ADMIN_ID);
    let mine = "/identityGovernance/appConsent/appConsentRequests/filterByCurrentUser(on='reviewer')?$filter=userConsentRequests/any(u:u/status eq 'InProgress')";
    let (status, body) = read(env.get(mine, &cas).await).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["value"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn batch_runs_items_in_dependency_order_and_fails_dependants_with_424() {
    let env = start(Preset::MicrosoftManaged).await;
    let absolute = format!("{}/policies/authorizationPolicy", env.emu.graph_url());
    let batch = json!({"requests": [
        {"id": "1", "method": "GET", "url": "/policies/adminConsentRequestPolicy"},
        {"id": "2", "method": "GET", "url": absolute},
        {"id": "3", "method": "GET", "url": format!("/servicePrincipals(appId='{}')", demo::CARERIX_APP_ID)},
        {"id": "4", "method": "POST", "url": "/servicePrincipals", "dependsOn": ["3"],
         "headers": {"Content-Type": "application/json"}, "body": {"appId": demo::CARERIX_APP_ID}},
        {"id": "5", "method": "GET", "url": "policies/adminConsentRequestPolicy", "dependsOn": ["1", "2"]}
    ]});
    let (status, body) = env.admin(Method::POST, "/$batch", batch).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let by_id = |id: &str| {
        body["responses"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .cloned()
            .unwrap()
    };
    assert_eq!(by_id("1")["status"], 200);
    assert_eq!(by_id("2")["body"]["id"], "authorizationPolicy");
    assert_eq!(by_id("3")["status"], 404);
    assert_eq!(by_id("4")["status"], 424, "its dependency failed, so it never ran");
    assert_eq!(by_id("5")["status"], 200);
    assert!(env
        .tenant
        .as_admin()
        .get_service_principal(&demo::CARERIX_APP_ID)
        .await
        .unwrap()
        .is_none());

    let too_many = json!({"requests": (0..21).map(|i| json!({"id": i.to_string(), "method": "GET", "url": "/policies/authorizationPolicy"})).collect::<Vec<_>>()});
    let (status, body) = env.admin(Method::POST, "/$batch", too_many).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    graph_error(&body);
    let nested = json!({"requests": [{"id": "1", "method": "POST", "url": "/$batch", "headers": {"Content-Type": "application/json"}, "body": {"requests": []}}]});
    let (_, body) = env.admin(Method::POST, "/$batch", nested).await;
    assert_eq!(body["responses"][0]["status"], 400);
    let no_content_type =
        json!({"requests": [{"id": "1", "method": "POST", "url": "/servicePrincipals", "body": {"appId": demo::CARERIX_APP_ID}}]});
    let (_, body) = env.admin(Method::POST, "/$batch", no_content_type).await;
    assert_eq!(body["responses"][0]["status"], 400);
}

#[tokio::test]
async fn faults_from_the_mock_plan_become_429_with_retry_after_per_route_and_per_batch_item() {
    let env = start(Preset::MicrosoftManaged).await;
    let throttle = Fault::Throttle {
        retry_after: Duration::from_millis(2500),
    };
    env.tenant
        .set_faults(FaultPlan::none().with(FaultRule::always(Some(Operation::GetRequestPolicy), throttle).times(2)));
    let r = env.get("/policies/adminConsentRequestPolicy", &env.admin_token).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.headers()["retry-after"], "3");
    let (_, body) = read(r).await;
    assert_eq!(graph_error(&body), "TooManyRequests");
    // Another route is unaffected.
    assert_eq!(
        env.get("/policies/authorizationPolicy", &env.admin_token).await.status(),
        StatusCode::OK
    );
    let batch = json!({"requests": [{"id": "a", "method": "GET", "url": "/policies/adminConsentRequestPolicy"}]});
    let (_, body) = env.admin(Method::POST, "/$batch", batch).await;
    assert_eq!(body["responses"][0]["status"], 429);
    assert_eq!(body["responses"][0]["headers"]["Retry-After"], "3");
    assert_eq!(
        env.get("/policies/adminConsentRequestPolicy", &env.admin_token).await.status(),
        StatusCode::OK
    );

    env.tenant
        .set_faults(FaultPlan::none().with(FaultRule::always(None, Fault::ServerError { status: 503 }).times(1)));
    assert_eq!(
        env.get("/policies/authorizationPolicy", &env.admin_token).await.status(),
        StatusCode::SERVICE_UNAVAILABLE
    );
}
