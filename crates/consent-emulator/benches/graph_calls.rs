//! consent-graph's own cost per call, against the in-process emulator (one tenant, no latency), on a
//! current-thread runtime: `snapshot` (one `$batch` of 7 items) and `get_request_policy` (one GET).
//! Prints wall time per call; under callgrind, the inclusive instruction count of the calls' futures
//! is the load-independent figure (docs/performance.md has the commands).
//!
//! ```sh
//! cargo bench -p consent-emulator --bench graph_calls            # 2,000 calls of each
//! cargo bench -p consent-emulator --bench graph_calls -- 200      # fewer (e.g. under callgrind)
//! ```
#![allow(clippy::unwrap_used)] // a benchmark's setup failing should stop it loudly
#![allow(clippy::print_stdout)] // a bench binary reports on the terminal

mod common;

use std::time::Instant;

use consent::{AppId, ConsentGraph};
use consent_mock::demo;

fn main() {
    let calls: u32 = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with("--"))
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000);
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(run(calls));
}

async fn run(calls: u32) {
    // The demo app granted User.Read: the snapshot reads a client, a grant and Graph's principal.
    let common::Granted { emu, backend, .. } = common::granted().await;
    let resources = [AppId::MICROSOFT_GRAPH];
    // Warm the connection pool and the emulator before timing.
    backend.snapshot(&demo::CARERIX_APP_ID, &resources).await.unwrap();

    let start = Instant::now();
    for _ in 0..calls {
        backend.snapshot(&demo::CARERIX_APP_ID, &resources).await.unwrap();
    }
    let snapshot = start.elapsed() / calls;
    let start = Instant::now();
    for _ in 0..calls {
        backend.get_request_policy().await.unwrap();
    }
    let policy = start.elapsed() / calls;
    println!("{calls} calls each: snapshot {snapshot:?} per call, get_request_policy {policy:?} per call");
    emu.shutdown().await.unwrap();
}
