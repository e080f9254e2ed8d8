//! Microsoft Learn: "adminConsentRequestPolicy resource type"; "appConsentRequest resource type"; "servicePrincipal resource type"; "Grant tenant-wide admin consent to an application"; "authorizationPolicy resource type": what each principal may do.

use consent::{
    AdminConsentRequestPolicy, AppId, ConsentGraph, Error, GrantConsentType, NewAppRoleAssignment, NewDelegatedGrant, RequestFilter,
};

use super::*;

#[tokio::test]
async fn put_policy_needs_cloud_app_admin_or_the_app_permission() {
    let t = workflow();
    let p = AdminConsentRequestPolicy::never_configured();
    let needed = denied_naming(
        t.as_user(demo::EVA_ID).put_request_policy(&p).await,
        "Cloud Application Administrator",
    );
    assert!(needed.contains("Policy.ReadWrite.ConsentRequest"), "{needed}");
    denied_naming(
        t.as_user(demo::READER_ID).put_request_policy(&p).await,
        "Cloud Application Administrator",
    );
    denied_naming(
        t.as_app(&["Policy.Read.All"]).put_request_policy(&p).await,
        "Policy.ReadWrite.ConsentRequest",
    );
    for who in [demo::CLOUD_ADMIN_ID, demo::APP_ADMIN_ID, demo::ADMIN_ID] {
        t.as_user(who).put_request_policy(&p).await.unwrap();
    }
    t.as_app(&["Policy.ReadWrite.ConsentRequest"]).put_request_policy(&p).await.unwrap();
}

#[tokio::test]
async fn reading_the_request_policy_needs_a_reader_role() {
    let t = workflow();
    denied_naming(t.as_user(demo::EVA_ID).get_request_policy().await, "Global Reader");
    assert!(t.as_user(demo::READER_ID).get_request_policy().await.unwrap().is_enabled);
    assert!(t.as_app(&["Policy.Read.All"]).get_request_policy().await.is_ok());
}

#[tokio::test]
async fn authorization_policy_is_readable_by_any_user_but_not_by_a_bare_app() {
    let t = workflow();
    let p = t.as_user(demo::SAM_ID).get_authorization_policy().await.unwrap();
    assert!(p.default_user_role_permissions.permission_grant_policies_assigned.is_empty());
    denied_naming(t.as_app(&[]).get_authorization_policy().await, "Policy.Read.All");
}

#[tokio::test]
async fn unknown_user_is_unauthenticated() {
    let t = workflow();
    let ghost = consent::ObjectId::new_random();
    let err = t.as_user(ghost).get_authorization_policy().await.unwrap_err();
    assert!(matches!(err, Error::Unauthenticated { .. }), "{err:?}");
}

#[tokio::test]
async fn tenant_wide_grants_need_an_admin_role() {
    let t = workflow();
    let client = t.as_admin().create_service_principal(&carerix()).await.unwrap();
    let graph = t.as_admin().get_service_principal(&AppId::MICROSOFT_GRAPH).await.unwrap().unwrap();
    let new = NewDelegatedGrant {
        client_id: client.id,
        consent_type: GrantConsentType::AllPrincipals,
        principal_id: None,
        resource_id: graph.id,
        scope: scopes("User.Read"),
    };
    denied_naming(
        t.as_user(demo::EVA_ID).create_delegated_grant(&new).await,
        "Cloud Application Administrator",
    );
    denied_naming(
        t.as_user(demo::READER_ID).create_delegated_grant(&new).await,
        "DelegatedPermissionGrant.ReadWrite.All",
    );
    t.as_user(demo::PRA_ID).create_delegated_grant(&new).await.unwrap();
    assert_eq!(t.as_user(demo::READER_ID).list_delegated_grants(&client.id).await.unwrap().len(), 1);
    denied_naming(t.as_user(demo::EVA_ID).list_delegated_grants(&client.id).await, "Global Reader");
}

#[tokio::test]
async fn graph_app_roles_need_privileged_role_admin() {
    let t = workflow();
    let app = app_with_graph_role(&t);
    let client = t.as_admin().create_service_principal(&app.app_id).await.unwrap();
    let graph = t.as_admin().get_service_principal(&AppId::MICROSOFT_GRAPH).await.unwrap().unwrap();
    let role = graph.app_role(&consent::Scope::parse("Calendars.Read").unwrap()).unwrap().id;
    let new = NewAppRoleAssignment {
        principal_id: client.id,
        resource_id: graph.id,
        app_role_id: role,
    };
    for who in [demo::CLOUD_ADMIN_ID, demo::APP_ADMIN_ID] {
        denied_naming(
            t.as_user(who).create_app_role_assignment(&new).await,
            "Privileged Role Administrator",
        );
    }
    // Issue #3476: the write permission alone is refused; it needs Application.Read.All as well.
    denied_naming(
        t.as_app(&["AppRoleAssignment.ReadWrite.All"])
            .create_app_role_assignment(&new)
            .await,
        "Application.Read.All",
    );
    let a = t.as_user(demo::PRA_ID).create_app_role_assignment(&new).await.unwrap();
    assert_eq!(a.principal_type.as_deref(), Some("ServicePrincipal"));
    let both = t.as_app(&["AppRoleAssignment.ReadWrite.All", "Application.Read.All"]);
    let dup = both.create_app_role_assignment(&new).await.unwrap_err();
    assert!(
        matches!(dup, Error::Conflict { ref code, .. } if code.as_deref() == Some(crate::BAD_REQUEST)),
        "{dup:?}"
    );
}

#[tokio::test]
async fn apps_need_consent_request_read_to_list_requests() {
    let t = workflow();
    denied_naming(
        t.as_app(&["Policy.Read.All"])
            .list_app_consent_requests(&RequestFilter::default())
            .await,
        "ConsentRequest.Read.All",
    );
    assert!(t
        .as_app(&["ConsentRequest.Read.All"])
        .list_app_consent_requests(&RequestFilter::default())
        .await
        .is_ok());
}

#[tokio::test]
async fn creating_a_service_principal_needs_an_app_admin_role() {
    let t = workflow();
    denied_naming(
        t.as_user(demo::EVA_ID).create_service_principal(&carerix()).await,
        "Cloud Application Administrator",
    );
    assert!(t.as_user(demo::SAM_ID).get_service_principal(&carerix()).await.unwrap().is_none());
    assert!(
        t.as_user(demo::APP_ADMIN_ID)
            .create_service_principal(&carerix())
            .await
            .unwrap()
            .account_enabled
    );
}
