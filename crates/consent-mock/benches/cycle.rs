//! The mock's full in-process cycle, in cycles per second: observe → enable requests → request →
//! approve → verify, on a fresh tenant each time (forked from a preset outside the timed loop).
//!
//! `cargo bench -p consent-mock --bench cycle [-- CYCLES]` (default 20,000 cycles, 3 rounds; the
//! best round is reported). A plain bench binary rather than criterion: the figure wanted is a
//! throughput, and this keeps the build small.
#![allow(clippy::unwrap_used, clippy::print_stdout)] // a benchmark: a panic is the right failure, stdout its output

use std::time::Instant;

use consent::{observe, ConsentState, Justification, PolicyChange, Reviewer};
use consent_mock::{demo, MockTenant, Preset};

async fn cycle(tenant: &MockTenant, app: &consent::AppRegistration) {
    let admin = tenant.as_admin();
    let eva = tenant.as_user(demo::EVA_ID);
    let ConsentState::RequestsDisabled(disabled) = observe(&admin, app).await.unwrap() else {
        panic!("a fresh tenant starts with requests disabled")
    };
    let change = PolicyChange::enable_with(vec![Reviewer::User(demo::ADMIN_ID)]);
    let enabled = disabled.enable_requests(&admin, change).await.unwrap();
    let pending = enabled
        .request(&eva, Justification::parse("I schedule interviews").unwrap())
        .await
        .unwrap();
    let approved = pending.approve(&admin).await.unwrap();
    assert!(approved.verify(&admin).await.unwrap().all_users_can_link);
}

fn main() {
    let cycles: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(20_000);
    let template = MockTenant::preset(Preset::UserConsentDisabled);
    let app = demo::carerix_app();
    let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let mut best = f64::MAX;
    for round in 1..=3 {
        let tenants: Vec<MockTenant> = (0..cycles).map(|_| template.fork()).collect();
        let start = Instant::now();
        rt.block_on(async {
            for t in &tenants {
                cycle(t, &app).await;
            }
        });
        let secs = start.elapsed().as_secs_f64();
        best = best.min(secs);
        println!(
            "round {round}: {cycles} cycles in {secs:.3} s = {:.0} cycles/s ({:.1} µs/cycle)",
            cycles as f64 / secs,
            secs * 1e6 / cycles as f64
        );
    }
    println!(
        "best: {:.0} cycles/s ({:.1} µs/cycle)",
        cycles as f64 / best,
        best * 1e6 / cycles as f64
    );
}
