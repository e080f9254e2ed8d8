//! Issue 9 item 9: many tenants in one emulator, tokens bound to their tenant, isolation.

use consent_emulator::EmulatorConfig;
use consent_mock::{MockTenant, Preset};
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::common::{client_credentials, file_eva_request, read, start_with, Env};

async fn three_tenants() -> Env {
    let config = EmulatorConfig {
        tenants: 3,
        ..EmulatorConfig::default()
    };
    start_with(MockTenant::preset(Preset::WorkflowOn), config).await
}

async fn token_in(env: &Env, tenant: &str) -> String {
    let (status, body) = read(client_credentials(env, tenant).await).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["access_token"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn the_banner_lists_every_tenant_and_keeps_the_first_tenants_fields() {
    let env = three_tenants().await;
    let banner: serde_json::Value = serde_json::from_str(&env.emu.startup_line()).unwrap();
    let tenants: Vec<String> = banner["tenants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(tenants.len(), 3);
    assert_eq!(tenants[0], banner["tenant_id"].as_str().unwrap());
    assert_eq!(tenants, env.emu.tenant_ids().iter().map(ToString::to_string).collect::<Vec<_>>());
    assert!(tenants[1] != tenants[0] && tenants[2] != tenants[1]);
    for key in [
        "graph_url",
        "login_url",
        "admin_client_id",
        "admin_client_secret",
        "app_id",
        "users",
        "now",
    ] {
        assert!(!banner[key].is_null(), "missing {key}");
    }
    assert_eq!(env.emu.built_tenants(), 1, "extra tenants are built on first use");
}

#[tokio::test]
async fn a_token_of_one_tenant_never_reads_or_writes_another() {
    let env = three_tenants().await;
    let ids: Vec<String> = env.emu.tenant_ids().iter().map(ToString::to_string).collect();
    let (a, b) = (token_in(&env, &ids[0]).await, token_in(&env, &ids[1]).await);

    // Tenant A has a request; tenant B, a copy of the same preset, does not.
    file_eva_request(&env.tenant).await;
    let list = "/identityGovernance/appConsent/appConsentRequests";
    let (_, in_a) = read(env.get(list, &a).await).await;
    let (_, in_b) = read(env.get(list, &b).await).await;
    assert_eq!(in_a["value"].as_array().unwrap().len(), 1);
    assert!(in_b["value"].as_array().unwrap().is_empty(), "{in_b}");

    // B turns the workflow off in B only.
    let r = env
        .send_json(
            Method::PATCH,
            "/policies/adminConsentRequestPolicy",
            &b,
            json!({"isEnabled": false}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let (_, pa) = read(env.get("/policies/adminConsentRequestPolicy", &a).await).await;
    let (_, pb) = read(env.get("/policies/adminConsentRequestPolicy", &b).await).await;
    assert_eq!((pa["isEnabled"].clone(), pb["isEnabled"].clone()), (json!(true), json!(false)));

    // A service principal created in A is not in B; B's tenant object is what the emulator serves.
    let app = consent_mock::demo::CARERIX_APP_ID.to_string();
    let r = env.send_json(Method::POST, "/servicePrincipals", &a, json!({"appId": &app})).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let by_key = format!("/servicePrincipals(appId='{app}')");
    assert_eq!(env.get(&by_key, &a).await.status(), StatusCode::OK);
    assert_eq!(env.get(&by_key, &b).await.status(), StatusCode::NOT_FOUND);
    let tenant_b = env.emu.tenant_by_id(&env.emu.tenant_ids()[1]).unwrap();
    assert_eq!(tenant_b.tenant_id().to_string(), ids[1]);
    let in_b = consent::ConsentGraph::get_service_principal(&tenant_b.as_admin(), &consent::AppId::parse(&app).unwrap())
        .await
        .unwrap();
    assert!(in_b.is_none());

    // Tokens come only for a served tenant.
    let (status, err) = read(client_credentials(&env, "0b0b0b0b-0000-4000-8000-000000000000").await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(err["error_codes"][0], 90002);
}

#[tokio::test]
async fn login_pages_and_admin_consent_answer_for_the_tenant_in_the_path() {
    let env = three_tenants().await;
    let third = env.emu.tenant_ids()[2].to_string();
    let url = env.login(&format!(
        "/{third}/v2.0/adminconsent?client_id={}&redirect_uri=http://127.0.0.1:9/cb&scope=https://graph.microsoft.com/.default&state=s1",
        consent_mock::demo::CARERIX_APP_ID
    ));
    let page = env.http.get(&url).send().await.unwrap().text().await.unwrap();
    let start = page.find(r#"name="flow" value=""#).unwrap() + r#"name="flow" value=""#.len();
    let flow = page[start..].split('"').next().unwrap().to_owned();
    let post = env.login(&format!("/{third}/v2.0/adminconsent"));
    let form = [
        ("flow", flow.as_str()),
        ("action", "signin"),
        ("upn", consent_mock::demo::ADMIN_UPN),
        ("password", consent_mock::demo::PASSWORD),
    ];
    let r = env.http.post(&post).form(&form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r = env
        .http
        .post(&post)
        .form(&[("flow", flow.as_str()), ("action", "accept")])
        .send()
        .await
        .unwrap();
    let location = r.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.contains(&format!("tenant={third}")), "{location}");
    // The grant landed in the third tenant only.
    let granted = |t: &MockTenant| {
        let t = t.clone();
        async move {
            use consent::ConsentGraph;
            let g = t.as_admin();
            let sp = g.get_service_principal(&consent_mock::demo::CARERIX_APP_ID).await.unwrap();
            match sp {
                Some(sp) => !g.list_delegated_grants(&sp.id).await.unwrap().is_empty(),
                None => false,
            }
        }
    };
    assert!(granted(&env.emu.tenant_by_id(&env.emu.tenant_ids()[2]).unwrap()).await);
    assert!(!granted(&env.tenant).await);
}
