//! Microsoft Learn: "servicePrincipal resource type"; "appRoleAssignment resource type": service principals, delegated grants and app-role assignments.

use consent::{AppId, ConsentGraph, Error, GrantConsentType, NewAppRoleAssignment, NewDelegatedGrant, ObjectId, ServicePrincipal};

use super::*;
use crate::DUPLICATE_KEY;

async fn client_and_graph(t: &MockTenant) -> (ServicePrincipal, ServicePrincipal) {
    let admin = t.as_admin();
    let client = admin.create_service_principal(&carerix()).await.unwrap();
    let graph = admin.get_service_principal(&AppId::MICROSOFT_GRAPH).await.unwrap().unwrap();
    (client, graph)
}

fn grant(client: ObjectId, graph: ObjectId, kind: GrantConsentType, principal: Option<ObjectId>, s: &str) -> NewDelegatedGrant {
    NewDelegatedGrant {
        client_id: client,
        consent_type: kind,
        principal_id: principal,
        resource_id: graph,
        scope: scopes(s),
    }
}

#[tokio::test]
async fn create_service_principal_refuses_unpublished_and_existing_apps() {
    let t = workflow();
    let admin = t.as_admin();
    let stranger = AppId::parse("deadbeef-0000-4000-8000-000000000000").unwrap();
    match admin.create_service_principal(&stranger).await {
        Err(Error::NotFound { what, .. }) => assert!(what.contains("not a published app"), "{what}"),
        other => panic!("{other:?}"),
    }
    let sp = admin.create_service_principal(&carerix()).await.unwrap();
    assert_eq!(sp.display_name.as_deref(), Some("Carerix Calendar - Production"));
    assert!(!sp.is_publisher_verified());
    let err = admin.create_service_principal(&carerix()).await.unwrap_err();
    assert!(matches!(err, Error::Conflict { .. }), "{err:?}");
}

#[tokio::test]
async fn grants_are_unique_per_key_with_graphs_error_code() {
    let t = workflow();
    let (client, graph) = client_and_graph(&t).await;
    let admin = t.as_admin();
    let all = grant(client.id, graph.id, GrantConsentType::AllPrincipals, None, "User.Read");
    let g = admin.create_delegated_grant(&all).await.unwrap();
    assert_eq!(g.id.len(), 43, "base64url of two GUIDs");
    match admin.create_delegated_grant(&all).await {
        Err(Error::Conflict { code, .. }) => assert_eq!(code.as_deref(), Some(DUPLICATE_KEY)),
        other => panic!("{other:?}"),
    }
    // A Principal grant for the same pair coexists (Microsoft Learn: "oAuth2PermissionGrant resource type").
    let mine = grant(
        client.id,
        graph.id,
        GrantConsentType::Principal,
        Some(demo::EVA_ID),
        "Calendars.ReadWrite",
    );
    let p = admin.create_delegated_grant(&mine).await.unwrap();
    assert_eq!(p.id.len(), 64, "base64url of three GUIDs");
    assert_eq!(admin.list_delegated_grants(&client.id).await.unwrap().len(), 2);
}

#[tokio::test]
async fn grant_ids_follow_graphs_encoding() {
    let t = workflow();
    let (client, graph) = client_and_graph(&t).await;
    let g = t
        .as_admin()
        .create_delegated_grant(&grant(client.id, graph.id, GrantConsentType::AllPrincipals, None, "User.Read"))
        .await
        .unwrap();
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(&g.id).unwrap();
    assert_eq!(&bytes[..16], client.id.as_uuid().to_bytes_le());
    assert_eq!(&bytes[16..], graph.id.as_uuid().to_bytes_le());
}

#[tokio::test]
async fn grant_preconditions_give_the_graph_errors() {
    let t = workflow();
    let (client, graph) = client_and_graph(&t).await;
    let admin = t.as_admin();
    let cases = [
        grant(
            client.id,
            graph.id,
            GrantConsentType::AllPrincipals,
            Some(demo::EVA_ID),
            "User.Read",
        ),
        grant(client.id, graph.id, GrantConsentType::Principal, None, "User.Read"),
    ];
    for c in cases {
        let err = admin.create_delegated_grant(&c).await.unwrap_err();
        assert!(matches!(err, Error::InvalidInput { field: "principal_id", .. }), "{err:?}");
    }
    let err = admin
        .create_delegated_grant(&grant(
            client.id,
            graph.id,
            GrantConsentType::AllPrincipals,
            None,
            "Mail.Obliterate",
        ))
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::InvalidInput { field: "scope", ref reason } if reason.contains("Mail.Obliterate")),
        "{err:?}"
    );
    let ghost = ObjectId::new_random();
    for bad in [
        grant(ghost, graph.id, GrantConsentType::AllPrincipals, None, "User.Read"),
        grant(client.id, ghost, GrantConsentType::AllPrincipals, None, "User.Read"),
        grant(client.id, graph.id, GrantConsentType::Principal, Some(ghost), "User.Read"),
    ] {
        let err = admin.create_delegated_grant(&bad).await.unwrap_err();
        assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
    }
    assert!(
        admin.list_delegated_grants(&client.id).await.unwrap().is_empty(),
        "nothing was written"
    );
}

#[tokio::test]
async fn patch_replaces_the_scope() {
    let t = workflow();
    let (client, graph) = client_and_graph(&t).await;
    let admin = t.as_admin();
    let g = admin
        .create_delegated_grant(&grant(
            client.id,
            graph.id,
            GrantConsentType::AllPrincipals,
            None,
            "User.Read Calendars.Read",
        ))
        .await
        .unwrap();
    admin.update_delegated_grant(&g.id, &scopes("offline_access")).await.unwrap();
    assert_eq!(
        admin.list_delegated_grants(&client.id).await.unwrap()[0].scope.to_wire(),
        "offline_access"
    );
    assert!(matches!(
        admin.update_delegated_grant("nope", &scopes("User.Read")).await,
        Err(Error::NotFound { .. })
    ));
    let err = admin.update_delegated_grant(&g.id, &scopes("Not.A.Scope")).await.unwrap_err();
    assert!(matches!(err, Error::InvalidInput { .. }), "{err:?}");
}

#[tokio::test]
async fn app_role_assignment_preconditions() {
    let t = workflow();
    let (client, graph) = client_and_graph(&t).await;
    let pra = t.as_user(demo::PRA_ID);
    let unknown_role = NewAppRoleAssignment {
        principal_id: client.id,
        resource_id: graph.id,
        app_role_id: uuid::Uuid::nil(),
    };
    let err = pra.create_app_role_assignment(&unknown_role).await.unwrap_err();
    assert!(matches!(err, Error::InvalidInput { field: "app_role_id", .. }), "{err:?}");
    let unknown_client = NewAppRoleAssignment {
        principal_id: ObjectId::new_random(),
        app_role_id: graph.app_roles[0].id,
        ..unknown_role
    };
    assert!(matches!(
        pra.create_app_role_assignment(&unknown_client).await,
        Err(Error::NotFound { .. })
    ));
    assert!(matches!(
        pra.list_app_role_assignments(&ObjectId::new_random()).await,
        Err(Error::NotFound { .. })
    ));
    assert!(pra.list_app_role_assignments(&client.id).await.unwrap().is_empty());
}

#[tokio::test]
async fn every_write_is_audited() {
    let t = workflow();
    let before = t.audit_log().len();
    let (client, graph) = client_and_graph(&t).await;
    t.as_admin()
        .create_delegated_grant(&grant(client.id, graph.id, GrantConsentType::AllPrincipals, None, "User.Read"))
        .await
        .unwrap();
    let log = t.audit_log();
    let new: Vec<_> = log[before..].iter().map(|e| (&*e.actor, e.activity)).collect();
    assert_eq!(
        new,
        vec![
            (demo::ADMIN_UPN, crate::AuditActivity::AddServicePrincipal),
            (demo::ADMIN_UPN, crate::AuditActivity::AddDelegatedPermissionGrant)
        ]
    );
}

#[tokio::test]
async fn deleting_grants_and_assignments_needs_write_rights_and_an_existing_object() {
    let t = workflow();
    let (client, graph) = client_and_graph(&t).await;
    let admin = t.as_admin();
    let g = admin
        .create_delegated_grant(&grant(client.id, graph.id, GrantConsentType::AllPrincipals, None, "User.Read"))
        .await
        .unwrap();
    let member = t.as_user(demo::EVA_ID);
    assert!(matches!(member.delete_delegated_grant(&g.id), Err(Error::PermissionDenied { .. })));
    admin.delete_delegated_grant(&g.id).unwrap();
    assert!(admin.list_delegated_grants(&client.id).await.unwrap().is_empty());
    assert!(matches!(admin.delete_delegated_grant(&g.id), Err(Error::NotFound { .. })));

    let role = graph
        .app_roles
        .iter()
        .find(|r| r.value.as_deref() == Some("Calendars.Read"))
        .unwrap()
        .id;
    let pra = t.as_user(demo::PRA_ID);
    let a = pra
        .create_app_role_assignment(&NewAppRoleAssignment {
            principal_id: client.id,
            resource_id: graph.id,
            app_role_id: role,
        })
        .await
        .unwrap();
    assert!(matches!(
        pra.delete_app_role_assignment(&client.id, &a.id),
        Err(Error::NotFound { .. })
    ));
    pra.delete_app_role_assignment(&graph.id, &a.id).unwrap();
    assert!(pra.list_app_role_assignments(&client.id).await.unwrap().is_empty());
}
