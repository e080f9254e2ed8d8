//! Emulator throughput and latency on loopback for a realistic mix (reads, grant writes, batch), and
//! the real backend's (`consent-graph`) overhead over raw HTTP (reqwest) against it.
//!
//! `cargo bench -p consent-emulator --bench throughput`
#![allow(clippy::unwrap_used)] // a benchmark's setup failing should stop it loudly

mod common;

use std::time::Duration;

use consent::{ConsentGraph, ObjectId};
use consent_emulator::RunningEmulator;
use consent_graph::GraphBackend;
use consent_mock::demo;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use serde_json::json;
use tokio::runtime::Runtime;

struct Setup {
    emu: RunningEmulator,
    http: reqwest::Client,
    token: String,
    backend: GraphBackend,
    client_sp: ObjectId,
    grant_id: String,
}

fn setup(rt: &Runtime) -> Setup {
    let g = rt.block_on(common::granted());
    Setup {
        http: reqwest::Client::new(),
        emu: g.emu,
        token: g.token,
        backend: g.backend,
        client_sp: g.client_sp,
        grant_id: g.grant_id,
    }
}

impl Setup {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.emu.graph_url())
    }

    async fn get(&self, path: &str) {
        let r = self.http.get(self.url(path)).bearer_auth(&self.token).send().await.unwrap();
        assert!(r.status().is_success());
        r.bytes().await.unwrap();
    }

    async fn patch_grant(&self, scope: &str) {
        let url = self.url(&format!("/oauth2PermissionGrants/{}", self.grant_id));
        let r = self
            .http
            .patch(url)
            .bearer_auth(&self.token)
            .json(&json!({ "scope": scope }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 204);
    }

    async fn batch(&self) {
        let body = json!({"requests": [
            {"id": "1", "method": "GET", "url": "/policies/adminConsentRequestPolicy"},
            {"id": "2", "method": "GET", "url": "/policies/authorizationPolicy"},
            {"id": "3", "method": "GET", "url": format!("/servicePrincipals(appId='{}')", demo::CARERIX_APP_ID)},
            {"id": "4", "method": "GET", "url": format!("/oauth2PermissionGrants?$filter=clientId eq '{}'", self.client_sp)},
            {"id": "5", "method": "GET", "url": "/identityGovernance/appConsent/appConsentRequests"}
        ]});
        let r = self
            .http
            .post(self.url("/$batch"))
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success());
        r.bytes().await.unwrap();
    }

    /// One "observe + approve" round as a client does it: 6 reads, 2 grant writes, 1 batch.
    async fn mix(&self) {
        self.get("/policies/adminConsentRequestPolicy").await;
        self.get("/policies/authorizationPolicy").await;
        self.get(&format!("/servicePrincipals(appId='{}')", demo::CARERIX_APP_ID)).await;
        self.get(&format!(
            "/servicePrincipals(appId='{}')?$select=id,appRoles,oauth2PermissionScopes",
            consent::AppId::MICROSOFT_GRAPH
        ))
        .await;
        self.get(&format!("/oauth2PermissionGrants?$filter=clientId eq '{}'", self.client_sp))
            .await;
        self.get("/identityGovernance/appConsent/appConsentRequests").await;
        self.patch_grant("User.Read Calendars.ReadWrite").await;
        self.patch_grant("User.Read").await;
        self.batch().await;
    }
}

fn bench(c: &mut Criterion) {
    let rt = Runtime::new().unwrap();
    let s = setup(&rt);
    let grants = format!("/oauth2PermissionGrants?$filter=clientId eq '{}'", s.client_sp);

    let mut g = c.benchmark_group("emulator_raw_http");
    g.sample_size(30)
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_millis(500));
    g.throughput(Throughput::Elements(1));
    g.bench_function("read_policy", |b| {
        b.to_async(&rt).iter(|| s.get("/policies/adminConsentRequestPolicy"))
    });
    g.bench_function("read_grants_filtered", |b| b.to_async(&rt).iter(|| s.get(&grants)));
    g.bench_function("write_grant_patch", |b| b.to_async(&rt).iter(|| s.patch_grant("User.Read")));
    g.bench_function("batch_5_reads", |b| b.to_async(&rt).iter(|| s.batch()));
    g.throughput(Throughput::Elements(9));
    g.bench_function("mix_6r_2w_1batch", |b| b.to_async(&rt).iter(|| s.mix()));
    g.throughput(Throughput::Elements(64));
    g.bench_function("concurrent_8x8_reads", |b| {
        b.to_async(&rt).iter(|| async {
            let tasks = (0..8).map(|_| async {
                for _ in 0..8 {
                    s.get("/policies/adminConsentRequestPolicy").await;
                }
            });
            futures::future::join_all(tasks).await;
        })
    });
    g.finish();

    let mut g = c.benchmark_group("graph_backend_vs_raw");
    g.sample_size(30)
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_millis(500));
    g.bench_function("raw_get_policy", |b| {
        b.to_async(&rt).iter(|| s.get("/policies/adminConsentRequestPolicy"))
    });
    g.bench_function("backend_get_policy", |b| {
        b.to_async(&rt).iter(|| async { s.backend.get_request_policy().await.unwrap() })
    });
    g.bench_function("raw_list_grants", |b| b.to_async(&rt).iter(|| s.get(&grants)));
    g.bench_function("backend_list_grants", |b| {
        b.to_async(&rt)
            .iter(|| async { s.backend.list_delegated_grants(&s.client_sp).await.unwrap() })
    });
    g.bench_function("backend_snapshot", |b| {
        b.to_async(&rt).iter(|| async {
            s.backend
                .snapshot(&demo::CARERIX_APP_ID, &[consent::AppId::MICROSOFT_GRAPH])
                .await
                .unwrap()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
