//! [`GraphFleet`]: one token per tenant, cached; one `$batch` per `observe` of an app with no request.
#![allow(clippy::unwrap_used)] // fixtures are constants; a panic is the right failure in tests

use std::sync::Arc;

use crate::common::*;
use consent::workflow::observe_many;
use consent::{ConsentState, FleetOptions, FleetTenant, TenantId};
use consent_graph::{GraphFleet, Secret};
use futures::StreamExt;
use serde_json::json;
use url::Url;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TENANTS: [&str; 2] = ["contoso.onmicrosoft.com", "fabrikam.onmicrosoft.com"];

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
    batch_mock(not_in_tenant).expect(4).mount(&server).await;
    let fleet = GraphFleet::new(app(), Secret::new("s3cret"))
        .endpoint(endpoint(&server))
        .authority(Url::parse(&server.uri()).unwrap());
    let app = calendar_app();
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
