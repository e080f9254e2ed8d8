//! `fleet status` at scale: `observe_many` through `GraphFleet` against one in-process emulator
//! serving many tenants with a fixed latency, at several concurrencies. Prints wall time against
//! the ideal ceil(N / C) × round trips × latency, CPU per tenant and peak RSS (this process holds
//! both the emulator and the client, so both figures include the emulator's share).
//!
//! ```sh
//! cargo bench -p consent-emulator --bench fleet              # 1000 tenants, 50 ms, C = 32 and 100
//! cargo bench -p consent-emulator --bench fleet -- 1000 50 32,100 4/1   # with --rate-limit 4/1
//! ```
//! Arguments: tenants, latency in ms, concurrencies (comma-separated), optional rate limit N/S.
#![allow(clippy::unwrap_used)] // a benchmark's setup failing should stop it loudly
#![allow(clippy::print_stdout, clippy::print_stderr)] // a bench binary reports on the terminal

use std::sync::Arc;
use std::time::{Duration, Instant};

use consent::workflow::{observe_many, FleetOptions, FleetTenant, Sleeper};
use consent_emulator::{Emulator, EmulatorConfig, Latency, RateLimit};
use consent_graph::{GraphEndpoint, GraphFleet, RetryPolicy, Secret};
use consent_mock::{MockTenant, Preset};
use futures::StreamExt;

#[derive(Debug)]
struct TokioSleep;

impl Sleeper for TokioSleep {
    fn sleep(&self, d: Duration) -> futures::future::BoxFuture<'static, ()> {
        Box::pin(tokio::time::sleep(d))
    }
}

/// (user + system CPU seconds, peak RSS in MiB) of this process, from /proc.
fn cpu_and_peak_rss() -> (f64, f64) {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit_once(')').map(|(_, s)| s).unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    // Fields 14 and 15 (utime, stime), counted from after the command name; clock ticks at 100 Hz.
    let ticks: f64 = f.get(11).and_then(|v| v.parse().ok()).unwrap_or(0.0) + f.get(12).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let hwm_kb: f64 = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0);
    (ticks / 100.0, hwm_kb / 1024.0)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let tenants: usize = args.first().and_then(|v| v.parse().ok()).unwrap_or(1000);
    let latency_ms: u64 = args.get(1).and_then(|v| v.parse().ok()).unwrap_or(50);
    let concurrencies: Vec<usize> = args
        .get(2)
        .map(|v| v.split(',').filter_map(|c| c.parse().ok()).collect())
        .unwrap_or_else(|| vec![32, 100]);
    let rate_limit: Option<RateLimit> = args.get(3).map(|v| v.parse().unwrap());
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    rt.block_on(run(tenants, latency_ms, concurrencies, rate_limit));
}

async fn run(n: usize, latency_ms: u64, concurrencies: Vec<usize>, rate_limit: Option<RateLimit>) {
    let config = EmulatorConfig {
        tenants: n,
        latency: Some(Latency {
            base: Duration::from_millis(latency_ms),
            jitter: Duration::ZERO,
        }),
        rate_limit,
        // Every concurrent tenant keeps a connection open; leave headroom over the largest C.
        max_connections: 1024,
        ..EmulatorConfig::default()
    };
    let app = config.apps.first().cloned().unwrap();
    let emu = Emulator::new(MockTenant::preset(Preset::WorkflowOn), config)
        .bind("127.0.0.1:0")
        .await
        .unwrap();
    let ids = emu.tenant_ids();
    println!(
        "fleet status: {n} tenants, latency {latency_ms} ms, rate limit {}",
        rate_limit.map_or("none".to_owned(), |r| format!("{}/{}s", r.requests, r.per.as_secs_f64()))
    );
    println!("| C | run | wall | ideal | wall/ideal | CPU/tenant | peak RSS | errors | throttled | early retries |");
    println!("|---|---|---|---|---|---|---|---|---|---|");
    for c in concurrencies {
        // A fresh fleet per concurrency: the first run pays one token request per tenant.
        let fleet = GraphFleet::new(emu.admin_client_id(), Secret::new(emu.admin_client_secret()))
            .endpoint(GraphEndpoint::custom(emu.graph_url().as_str()).unwrap())
            .authority(emu.login_url())
            .retry(RetryPolicy::default());
        for (run, round_trips) in [("cold (token + 1 batch)", 2u64), ("warm (1 batch)", 1)] {
            let before = emu.stats();
            let (cpu0, _) = cpu_and_peak_rss();
            let start = Instant::now();
            let list: Vec<FleetTenant> = ids.iter().cloned().map(FleetTenant::new).collect();
            let results: Vec<_> = observe_many(&fleet, list, &app, FleetOptions::new(Arc::new(TokioSleep)).concurrency(c))
                .collect()
                .await;
            let wall = start.elapsed();
            let (cpu1, rss) = cpu_and_peak_rss();
            let after = emu.stats();
            let errors = results.iter().filter(|r| r.result.is_err()).count();
            if let Some(e) = results.iter().find_map(|r| r.result.as_ref().err()) {
                eprintln!("first error: {e}");
            }
            let ideal = Duration::from_millis(n.div_ceil(c) as u64 * round_trips * latency_ms);
            println!(
                "| {c} | {run} | {:.2} s | {:.2} s | {:.2}× | {:.0} µs | {:.0} MiB | {errors} | {} | {} |",
                wall.as_secs_f64(),
                ideal.as_secs_f64(),
                wall.as_secs_f64() / ideal.as_secs_f64(),
                (cpu1 - cpu0) * 1e6 / n as f64,
                rss,
                after.throttled - before.throttled,
                after.early_retries - before.early_retries,
            );
        }
    }
    emu.shutdown().await.unwrap();
}
