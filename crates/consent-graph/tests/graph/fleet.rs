//! [`GraphFleet`]: one token per tenant, cached; one `$batch` per `observe` of an app with no request.
#![allow(clippy::unwrap_used)] // fixtures are constants; a panic is the right failure in tests

use std::sync::Arc;

use crate::common::*;
use consent::workflow::{observe_many, Sleeper};
use consent::{AppId, AppRegistration, ConsentState, FleetOptions, FleetTenant, ScopeSet, TenantId};
use consent_graph::{GraphFleet, Secret};
use futures::StreamExt;
use serde_json::{json, Value};
use url::Url;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

#[derive(Debug)]
struct NoSleep;

impl Sleeper for NoSleep {
    fn sleep(&self, _: std::time::Duration) -> futures::future::BoxFuture<'static, ()> {
        Box::pin(async {})
    }
}

const TENANTS: [&str; 2] = ["contoso.onmicrosoft.com", "fabrikam.onmicrosoft.com"];

fn answer(url: &str) -> (u16, Value) {
    if url.starts_with("/policies/adminConsentRequestPolicy") {
        (200, policy_json(true))
    } else if url.starts_with("/policies/authorizationPolicy") {
        (200, authz_json())
    } else if url.starts_with("/identityGovernance") {
        (200, page(vec![], None))
    } else if url.starts_with(&format!("/servicePrincipals(appId='{GRAPH_APP}')")) {
        (200, graph_sp_json())
    } else {
        (404, graph_error("Request_ResourceNotFound", "no such service principal"))
    }
}

#[tokio::test]
async fn a_fleet_fetches_one_token_per_tenant_and_observes_in_one_batch() {
    let server = MockServer::start().await;
    for (i, t) in TENANTS.iter().enumerate() {
        Mock::given(method("POST"))
            .and(path(format!("/{t}/oauth2/v2.0/token")))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"access_token": format!("tok-{i}"), "token_type": "Bearer", "expires_in": 3599})),
            )
            .expect(1)
            .mount(&server)
            .await;
    }
    Mock::given(method("POST"))
        .and(path("/v1.0/$batch"))
        .respond_with(|req: &Request| {
            let body: Value = serde_json::from_slice(&req.body).unwrap();
            let responses: Vec<Value> = body["requests"]
                .as_array()
                .unwrap()
                .iter()
                .map(|item| {
                    let (status, body) = answer(item["url"].as_str().unwrap());
                    json!({"id": item["id"], "status": status, "body": body})
                })
                .collect();
            ResponseTemplate::new(200).set_body_json(json!({"responses": responses}))
        })
        .expect(4)
        .mount(&server)
        .await;
    let fleet = GraphFleet::new(app(), Secret::new("s3cret"))
        .endpoint(endpoint(&server))
        .authority(Url::parse(&server.uri()).unwrap());
    let app = AppRegistration::new(app(), "Carerix Calendar")
        .with_delegated(AppId::MICROSOFT_GRAPH, ScopeSet::parse("Calendars.ReadWrite").unwrap());
    for _ in 0..2 {
        let tenants = TENANTS.iter().map(|t| FleetTenant::new(TenantId::parse(t).unwrap())).collect();
        let results: Vec<_> = observe_many(&fleet, tenants, &app, FleetOptions::new(Arc::new(NoSleep)).concurrency(2))
            .collect()
            .await;
        assert_eq!(results.len(), 2);
        for r in results {
            assert!(matches!(r.result, Ok(ConsentState::RequestsEnabled(_))), "{:?}", r.result);
        }
    }
    assert_eq!(fleet.cached_tenants(), 2);
    let reqs = received(&server).await;
    let tokens: Vec<_> = reqs.iter().filter(|r| r.url.path().ends_with("/token")).collect();
    assert_eq!(tokens.len(), 2, "one token request per tenant for two runs");
    let batches: Vec<_> = reqs.iter().filter(|r| r.url.path() == "/v1.0/$batch").collect();
    let bearers: std::collections::BTreeSet<_> = batches.iter().filter_map(|r| bearer(r)).collect();
    assert_eq!(bearers.len(), 2, "each tenant's batches carry that tenant's token: {bearers:?}");
}
