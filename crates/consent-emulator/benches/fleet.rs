//! `fleet status` at scale: `observe_many` through `GraphFleet` against an emulator serving many
//! tenants with a fixed latency, at several concurrencies. Prints wall time against the ideal
//! ceil(N / C) × round trips × latency, and CPU per tenant and peak RSS of the client and of the
//! emulator separately.
//!
//! The emulator runs in a child process (this binary re-run with `--serve`), so the client's figures
//! are its own: `/proc/self` for the client, `/proc/CHILD` for the emulator. `--in-process` runs both
//! in one process instead (the figures then include both sides, as this bench measured before).
//!
//! ```sh
//! cargo bench -p consent-emulator --bench fleet              # 1000 tenants, 50 ms, C = 32 and 100
//! cargo bench -p consent-emulator --bench fleet -- 10000 50 100         # RSS at 10,000 tenants
//! cargo bench -p consent-emulator --bench fleet -- 1000 50 32,100 4/1   # with --rate-limit 4/1
//! cargo bench -p consent-emulator --bench fleet -- 1000 50 100 --approve # approve_many instead
//! ```
//! Arguments: tenants, latency in ms, concurrencies (comma-separated), optional rate limit N/S.
//!
//! With `--approve` each concurrency runs `approve_many` (no journal) twice: the first run writes
//! in every tenant not yet approved (so only the first concurrency's first run writes; give one
//! concurrency per invocation to measure the writes at each), the second finds each approved. The
//! round trips per tenant are counted by the emulator. The backend pauses before a read-back only
//! when a write did not stick, which does not happen here, so the ideal has no pause.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark's setup failing should stop it loudly
#![allow(clippy::print_stdout, clippy::print_stderr)] // a bench binary reports on the terminal

use std::io::{BufRead as _, BufReader, Write as _};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use consent::workflow::{approve_many, observe_many, FleetApproval, FleetOptions, FleetTenant, Journal, Sleeper};
use consent::{AppId, TenantId};
use consent_emulator::{Emulator, EmulatorConfig, EmulatorStats, Latency, RateLimit, RunningEmulator};
use consent_graph::{GraphEndpoint, GraphFleet, RetryPolicy, Secret};
use consent_mock::{MockTenant, Preset};
use futures::StreamExt;
use url::Url;

#[derive(Debug)]
struct TokioSleep;

impl Sleeper for TokioSleep {
    fn sleep(&self, d: Duration) -> futures::future::BoxFuture<'static, ()> {
        Box::pin(tokio::time::sleep(d))
    }
}

/// CPU seconds (user + system) and VmHWM / VmRSS in MiB of process `pid` ("self" for this one).
#[derive(Debug, Clone, Copy, Default)]
struct Usage {
    cpu: f64,
    peak_mib: f64,
    rss_mib: f64,
}

fn usage(pid: &str) -> Usage {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let after = stat.rsplit_once(')').map(|(_, s)| s).unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    // Fields 14 and 15 (utime, stime), counted from after the command name; clock ticks at 100 Hz.
    let ticks: f64 = f.get(11).and_then(|v| v.parse().ok()).unwrap_or(0.0) + f.get(12).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let kib = |key: &str| -> f64 {
        status
            .lines()
            .find(|l| l.starts_with(key))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0.0)
    };
    Usage {
        cpu: ticks / 100.0,
        peak_mib: kib("VmHWM:") / 1024.0,
        rss_mib: kib("VmRSS:") / 1024.0,
    }
}

/// The command line: positional arguments plus `--serve` / `--in-process` / `--approve`.
#[derive(Debug, Clone)]
struct Args {
    tenants: usize,
    latency_ms: u64,
    concurrencies: Vec<usize>,
    rate_limit: Option<String>,
    serve: bool,
    in_process: bool,
    approve: bool,
}

impl Args {
    fn parse() -> Self {
        let all: Vec<String> = std::env::args().skip(1).collect();
        let pos: Vec<&String> = all.iter().filter(|a| !a.starts_with("--")).collect();
        Self {
            tenants: pos.first().and_then(|v| v.parse().ok()).unwrap_or(1000),
            latency_ms: pos.get(1).and_then(|v| v.parse().ok()).unwrap_or(50),
            concurrencies: pos
                .get(2)
                .map(|v| v.split(',').filter_map(|c| c.parse().ok()).collect())
                .unwrap_or_else(|| vec![32, 100]),
            rate_limit: pos.get(3).map(|v| (*v).clone()),
            serve: all.iter().any(|a| a == "--serve"),
            in_process: all.iter().any(|a| a == "--in-process"),
            approve: all.iter().any(|a| a == "--approve"),
        }
    }

    fn config(&self) -> EmulatorConfig {
        EmulatorConfig {
            tenants: self.tenants,
            latency: Some(Latency {
                base: Duration::from_millis(self.latency_ms),
                jitter: Duration::ZERO,
            }),
            rate_limit: self.rate_limit.as_deref().map(|r| r.parse::<RateLimit>().unwrap()),
            // Every concurrent tenant keeps a connection open; leave headroom over the largest C.
            max_connections: 1024,
            ..EmulatorConfig::default()
        }
    }
}

/// Where the emulator runs: in this process, or in a child this process talks to over pipes.
#[allow(clippy::large_enum_variant)] // one value for the whole run: its size does not matter
enum Server {
    InProcess(RunningEmulator),
    Child {
        child: Child,
        stdin: ChildStdin,
        stdout: BufReader<ChildStdout>,
        graph_url: Url,
        login_url: Url,
        admin_id: AppId,
        admin_secret: String,
        ids: Vec<TenantId>,
    },
}

impl Server {
    fn start(args: &Args, rt: &tokio::runtime::Runtime) -> Self {
        if args.in_process {
            let emu = rt.block_on(async {
                Emulator::new(MockTenant::preset(Preset::WorkflowOn), args.config())
                    .bind("127.0.0.1:0")
                    .await
                    .unwrap()
            });
            return Server::InProcess(emu);
        }
        let mut cmd = Command::new(std::env::current_exe().unwrap());
        cmd.arg("--serve")
            .arg(args.tenants.to_string())
            .arg(args.latency_ms.to_string())
            .arg("1");
        if let Some(r) = &args.rate_limit {
            cmd.arg(r);
        }
        let mut child = cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().unwrap();
        let stdin = child.stdin.take().unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        let banner: serde_json::Value = serde_json::from_str(&line).expect("the child's startup line");
        let text = |k: &str| banner[k].as_str().unwrap().to_owned();
        let ids = banner["tenants"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| TenantId::parse(t.as_str().unwrap()).unwrap())
            .collect();
        Server::Child {
            graph_url: Url::parse(&text("graph_url")).unwrap(),
            login_url: Url::parse(&text("login_url")).unwrap(),
            admin_id: AppId::parse(&text("admin_client_id")).unwrap(),
            admin_secret: text("admin_client_secret"),
            ids,
            child,
            stdin,
            stdout,
        }
    }

    fn fleet(&self) -> GraphFleet {
        let (id, secret, graph, login) = match self {
            Server::InProcess(emu) => (
                emu.admin_client_id(),
                emu.admin_client_secret().to_owned(),
                emu.graph_url(),
                emu.login_url(),
            ),
            Server::Child {
                admin_id,
                admin_secret,
                graph_url,
                login_url,
                ..
            } => (*admin_id, admin_secret.clone(), graph_url.clone(), login_url.clone()),
        };
        GraphFleet::new(id, Secret::new(secret))
            .endpoint(GraphEndpoint::custom(graph.as_str()).unwrap())
            .authority(login)
            .retry(RetryPolicy::default())
    }

    fn ids(&self) -> Vec<TenantId> {
        match self {
            Server::InProcess(emu) => emu.tenant_ids(),
            Server::Child { ids, .. } => ids.clone(),
        }
    }

    /// The emulator's counters, and its process's usage (`None` in-process: it is this process).
    fn stats(&mut self) -> (EmulatorStats, Option<Usage>) {
        match self {
            Server::InProcess(emu) => (emu.stats(), None),
            Server::Child { child, stdin, stdout, .. } => {
                writeln!(stdin, "stats").unwrap();
                stdin.flush().unwrap();
                let mut line = String::new();
                stdout.read_line(&mut line).unwrap();
                (serde_json::from_str(&line).unwrap(), Some(usage(&child.id().to_string())))
            }
        }
    }

    fn stop(self, rt: &tokio::runtime::Runtime) {
        match self {
            Server::InProcess(emu) => rt.block_on(emu.shutdown()).unwrap(),
            Server::Child { mut child, stdin, .. } => {
                // The child serves until its stdin closes.
                drop(stdin);
                child.wait().unwrap();
            }
        }
    }
}

/// `--serve`: the emulator alone. Prints its startup line, then one line of statistics (JSON) per
/// `stats` line read from stdin; exits when stdin closes.
fn serve(args: &Args) {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let emu = Emulator::new(MockTenant::preset(Preset::WorkflowOn), args.config())
            .bind("127.0.0.1:0")
            .await
            .unwrap();
        println!("{}", emu.startup_line());
        loop {
            let read = tokio::task::spawn_blocking(|| {
                let mut line = String::new();
                std::io::stdin().read_line(&mut line).map(|n| (n, line))
            })
            .await;
            match read {
                Ok(Ok((n, line))) if n > 0 => {
                    if line.trim() == "stats" {
                        println!("{}", serde_json::to_string(&emu.stats()).unwrap());
                    }
                }
                _ => break,
            }
        }
        emu.shutdown().await.unwrap();
    });
}

/// Errors, tenants that wrote, the first error.
type Tally = (usize, usize, Option<String>);

fn main() {
    let args = Args::parse();
    if args.serve {
        return serve(&args);
    }
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let mut server = Server::start(&args, &rt);
    let app = args.config().apps.first().cloned().unwrap();
    let ids = server.ids();
    let n = args.tenants;
    println!(
        "fleet {}: {n} tenants, latency {} ms, rate limit {}, emulator {}",
        if args.approve { "approve" } else { "status" },
        args.latency_ms,
        args.rate_limit.as_deref().unwrap_or("none"),
        if args.in_process {
            "in this process (figures include it)"
        } else {
            "in a child process"
        }
    );
    println!("| C | run | round trips/tenant | wall | ideal | wall/ideal | client CPU/tenant | client peak RSS | client RSS after | emulator CPU/tenant | emulator peak RSS | errors | throttled | early retries |");
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    let runs: [&str; 2] = if args.approve {
        ["approve", "approve again"]
    } else {
        ["cold", "warm"]
    };
    for &c in &args.concurrencies {
        // A fresh fleet per concurrency: the first run pays one token request per tenant.
        let fleet = server.fleet();
        for run in runs {
            let (before, server0) = server.stats();
            let client0 = usage("self");
            let start = Instant::now();
            let list: Vec<FleetTenant> = ids.iter().cloned().map(FleetTenant::new).collect();
            let options = FleetOptions::new(Arc::new(TokioSleep)).concurrency(c);
            // Results are counted as they stream in, not collected: a `fleet status` that prints
            // each tenant as it finishes holds none of them.
            let tally = |(errors, wrote, first): Tally, result: consent::Result<bool>| async move {
                match result {
                    Ok(w) => (errors, wrote + usize::from(w), first),
                    Err(e) => (errors + 1, wrote, first.or_else(|| Some(e.to_string()))),
                }
            };
            let (errors, wrote, first_error) = if args.approve {
                let journal = Journal::disabled(app.app_id);
                rt.block_on(approve_many(&fleet, list, &app, &journal, options).fold((0, 0, None), |t, r| {
                    tally(t, r.result.map(|a| matches!(a, FleetApproval::Granted { .. })))
                }))
            } else {
                rt.block_on(observe_many(&fleet, list, &app, options).fold((0, 0, None), |t, r| tally(t, r.result.map(|_| false))))
            };
            let wall = start.elapsed();
            let client1 = usage("self");
            let (after, server1) = server.stats();
            if let Some(e) = first_error {
                eprintln!("first error: {e}");
            }
            // Round trips as the emulator counted them, token requests included.
            let round_trips = (after.requests - before.requests) as f64 / n as f64;
            let per_wave = Duration::from_secs_f64(round_trips.ceil() * args.latency_ms as f64 / 1000.0);
            let ideal = per_wave * n.div_ceil(c) as u32;
            let per_tenant = |a: f64, b: f64| format!("{:.0} µs", (b - a) * 1e6 / n as f64);
            let (server_cpu, server_peak) = match (server0, server1) {
                (Some(s0), Some(s1)) => (per_tenant(s0.cpu, s1.cpu), format!("{:.0} MiB", s1.peak_mib)),
                _ => ("(in client)".to_owned(), "(in client)".to_owned()),
            };
            let run = if wrote > 0 {
                format!("{run} ({wrote} wrote)")
            } else {
                run.to_owned()
            };
            println!(
                "| {c} | {run} | {round_trips:.2} | {:.2} s | {:.2} s | {:.2}× | {} | {:.0} MiB | {:.0} MiB | {server_cpu} | {server_peak} | {errors} | {} | {} |",
                wall.as_secs_f64(),
                ideal.as_secs_f64(),
                wall.as_secs_f64() / ideal.as_secs_f64(),
                per_tenant(client0.cpu, client1.cpu),
                client1.peak_mib,
                client1.rss_mib,
                after.throttled - before.throttled,
                after.early_retries - before.early_retries,
            );
        }
    }
    server.stop(&rt);
}
