//! Admin-consent links and callbacks: the documented shapes, forged tenants, wrong state.

use super::*;
use crate::ids::TenantId;
use crate::link::{AdminConsentOutcome, Authority, StateProblem, TenantCheck};

#[test]
fn admin_consent_url_has_the_v2_shape() {
    let app = AppId::parse(APP).unwrap();
    let clock = ManualClock::new(start());
    let (url, pending) = AdminConsentLink::new(app, LinkTenant::parse(TENANT).unwrap(), "https://crm.example.com/admin-cb")
        .unwrap()
        .build(&clock)
        .unwrap();
    assert_eq!(
        url.as_str().split('?').next(),
        Some(format!("https://login.microsoftonline.com/{TENANT}/v2.0/adminconsent").as_str())
    );
    let p: Vec<(String, String)> = url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
    let get = |k: &str| p.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str());
    assert_eq!(get("client_id"), Some(APP));
    assert_eq!(get("redirect_uri"), Some("https://crm.example.com/admin-cb"));
    assert_eq!(get("scope"), Some("https://graph.microsoft.com/.default"));
    assert_eq!(get("state"), Some(pending.state()));
    assert_eq!(pending.created_at(), start());

    let (url, _) = AdminConsentLink::new(app, LinkTenant::Organizations, "https://crm.example.com/admin-cb")
        .unwrap()
        .scopes(ScopeSet::parse("Calendars.ReadWrite User.Read").unwrap())
        .authority(Authority::China)
        .build(&clock)
        .unwrap();
    assert!(url
        .as_str()
        .starts_with("https://login.chinacloudapi.cn/organizations/v2.0/adminconsent?"));
    assert!(url.query_pairs().any(|(k, v)| k == "scope" && v == "Calendars.ReadWrite User.Read"));
}

#[test]
fn national_clouds_default_to_their_own_graph() {
    let (url, _) = AdminConsentLink::new(AppId::parse(APP).unwrap(), LinkTenant::Organizations, "https://crm.example.com/cb")
        .unwrap()
        .authority(Authority::UsGovernment)
        .build(&ManualClock::new(start()))
        .unwrap();
    assert!(url
        .query_pairs()
        .any(|(k, v)| k == "scope" && v == "https://graph.microsoft.us/.default"));
}

#[test]
fn documented_v2_success_is_granted_and_matched() {
    let p = pending_admin(TENANT);
    // From v2-admin-consent: admin_consent=True&tenant=…&scope=https%3a%2f%2fgraph…Calendars.Read+…Mail.Send&state=…
    let q = format!(
        "http://localhost/myapp/permissions?admin_consent=True&tenant={TENANT}&scope=https%3a%2f%2fgraph.microsoft.com%2fCalendars.Read+https%3a%2f%2fgraph.microsoft.com%2fMail.Send&state={}",
        p.state()
    );
    let AdminConsentOutcome::Granted { tenant, scopes, check } = p.finish(&q).unwrap() else {
        panic!("expected Granted")
    };
    assert_eq!(tenant, TenantId::parse(TENANT).unwrap());
    assert_eq!(check, TenantCheck::Matched);
    assert_eq!(
        scopes.unwrap().to_wire(),
        "https://graph.microsoft.com/Calendars.Read https://graph.microsoft.com/Mail.Send"
    );
}

#[test]
fn documented_v1_success_without_scope_is_granted() {
    let p = pending_admin(TENANT);
    let q = format!("?tenant={TENANT}&state={}&admin_consent=True", p.state());
    assert!(matches!(
        p.finish(&q).unwrap(),
        AdminConsentOutcome::Granted {
            scopes: None,
            check: TenantCheck::Matched,
            ..
        }
    ));
}

#[test]
fn both_documented_error_shapes_are_declined_despite_admin_consent_true() {
    let v2 = "admin_consent=True&error=consent_required&error_description=AADSTS65004%3a+The+resource+owner+or+authorization+server+denied+the+request.%0d%0aTrace+ID%3a+e4d3b3f3%0d%0aCorrelation+ID%3a+a1b2%0d%0aTimestamp%3a+2026-01-01+00%3a00%3a00Z";
    let v1 = "error=permission_denied&error_description=The+admin+canceled+the+request";
    for shape in [
        v2,
        v1,
        "error=access_denied&error_subcode=cancel",
        "error=invalid_request&error_codes=65004",
    ] {
        let p = pending_admin(TENANT);
        let q = format!("{shape}&state={}", p.state());
        let outcome = p.finish(&q).unwrap();
        assert!(matches!(outcome, AdminConsentOutcome::Declined { .. }), "{shape}: {outcome:?}");
    }
    let p = pending_admin(TENANT);
    let q = format!("admin_consent=True&error=server_error&error_codes=90090&state={}", p.state());
    assert!(matches!(p.finish(&q).unwrap(), AdminConsentOutcome::Other { .. }));
}

#[test]
fn forged_or_foreign_tenant_is_refused() {
    let other = "72f988bf-86f1-41af-91ab-2d7cd011db47";
    for returned in [Some(other), Some("contoso.com"), Some("not a tenant"), None] {
        let p = pending_admin(TENANT);
        let tenant = returned.map(|t| format!("&tenant={t}")).unwrap_or_default();
        let q = format!("admin_consent=True{tenant}&state={}", p.state());
        let outcome = p.finish(&q).unwrap();
        let AdminConsentOutcome::TenantMismatch { expected, returned: got } = outcome else {
            panic!("{returned:?} gave {outcome:?}")
        };
        assert_eq!(expected, LinkTenant::parse(TENANT).unwrap());
        assert_eq!(got.as_deref(), returned);
    }
}

#[test]
fn domain_or_organizations_links_return_an_unconfirmed_guid() {
    for expected in ["contoso.onmicrosoft.com", "organizations"] {
        let p = pending_admin(expected);
        let q = format!("admin_consent=True&tenant={TENANT}&state={}", p.state());
        assert!(
            matches!(
                p.finish(&q).unwrap(),
                AdminConsentOutcome::Granted {
                    check: TenantCheck::Unconfirmed,
                    ..
                }
            ),
            "{expected}"
        );
        // Even then a non-GUID tenant is refused: Microsoft returns the GUID.
        let p = pending_admin(expected);
        let q = format!("admin_consent=True&tenant=contoso.onmicrosoft.com&state={}", p.state());
        assert!(
            matches!(p.finish(&q).unwrap(), AdminConsentOutcome::TenantMismatch { .. }),
            "{expected}"
        );
    }
}

#[test]
fn wrong_state_and_malformed_callbacks_are_refused() {
    let p = pending_admin(TENANT);
    let q = format!("admin_consent=True&tenant={TENANT}&state=copied-from-someone-else");
    assert_eq!(
        p.finish(&q).unwrap(),
        AdminConsentOutcome::StateMismatch {
            problem: StateProblem::Different
        }
    );
    let p = pending_admin(TENANT);
    let state = p.state().to_owned();
    assert!(p.finish(&format!("admin_consent=False&tenant={TENANT}&state={state}")).is_err());
    let p = pending_admin(TENANT);
    assert!(p
        .finish(&format!("admin_consent=True&tenant={TENANT}&tenant={TENANT}&state={state}"))
        .is_err());
    let p = pending_admin(TENANT);
    let q = format!("admin_consent=True&tenant={TENANT}&scope=%22bad%22&state={}", p.state());
    assert!(p.finish(&q).is_err());
}

#[test]
fn common_is_refused_for_admin_consent_with_the_reason() {
    let err = LinkTenant::parse("common").unwrap_err().to_string();
    assert!(err.contains("refuses it for admin consent"), "{err}");
}

#[test]
fn pending_admin_consent_round_trips() {
    let p = pending_admin("contoso.onmicrosoft.com");
    let back: PendingAdminConsent = serde_json::from_str(&serde_json::to_string(&p).unwrap()).unwrap();
    assert_eq!(back, p);
}

#[test]
fn admin_link_from_a_pending_link_reuses_its_app_tenant_and_scopes() {
    let p = pending();
    let (url, admin) = p
        .admin_consent_link("https://crm.example.com/admin-cb")
        .unwrap()
        .build(&ManualClock::new(start()))
        .unwrap();
    assert!(url
        .as_str()
        .starts_with("https://login.microsoftonline.com/organizations/v2.0/adminconsent?"));
    assert_eq!(admin.scopes(), p.scopes());
    assert_eq!(admin.client_id(), p.client_id());
    assert_ne!(admin.state(), p.state());
}
