//! The command-line face: [`ServeOptions`] (a `clap::Args`, so `consentctl emulator` can flatten it)
//! and [`serve`], which binds, prints the one JSON line, and serves until SIGINT/SIGTERM.

use std::io::Write as _;
use std::net::IpAddr;

use clap::Args;
use consent::{AppId, Error};
use consent_mock::{FaultPlan, MockTenant, Preset};

use crate::config::{EmulatorConfig, Latency, RateLimit};
use crate::server::{Emulator, RunningEmulator};

/// Options of `consent-emulator` / `consentctl emulator`. `Debug` prints the secret as `[redacted]`.
#[derive(Clone, Args)]
pub struct ServeOptions {
    /// TCP port on 127.0.0.1; 0 picks a free one (reported in the JSON line).
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Address to listen on. Only loopback addresses are accepted: the emulator has no real security.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: IpAddr,
    /// Tenant preset: microsoft-managed, user-consent-disabled, workflow-on, allow-user-consent.
    #[arg(long, default_value = "workflow-on")]
    pub preset: String,
    /// Injected faults, e.g. `429:0.1,503:0.05,timeout:0.01,lost@create-delegated-grant:1x1`.
    #[arg(long)]
    pub faults: Option<String>,
    /// Seed for probabilistic faults (a run replays identically with the same seed).
    #[arg(long, default_value_t = 0)]
    pub fault_seed: u64,
    /// Fixed admin client id (random by default).
    #[arg(long, env = "CONSENT_EMULATOR_ADMIN_CLIENT_ID")]
    pub admin_client_id: Option<String>,
    /// Fixed admin client secret (random by default).
    #[arg(long, env = "CONSENT_EMULATOR_ADMIN_CLIENT_SECRET", hide_env_values = true)]
    pub admin_client_secret: Option<String>,
    /// Tenants to serve, each a copy of the preset with its own id and state (1 to 100000).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub tenants: u32,
    /// Delay every Graph and token answer: `MS` or `MS:JITTER_MS` (uniform in MS±JITTER).
    #[arg(long, value_name = "MS[:JITTER_MS]")]
    pub latency: Option<String>,
    /// Token bucket per (tenant, client app): `N/S` = N Graph requests per S seconds; `$batch` items
    /// count one by one; over budget → 429 with Retry-After.
    #[arg(long, value_name = "N/S")]
    pub rate_limit: Option<String>,
}

impl std::fmt::Debug for ServeOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServeOptions")
            .field("port", &self.port)
            .field("host", &self.host)
            .field("preset", &self.preset)
            .field("faults", &self.faults)
            .field("fault_seed", &self.fault_seed)
            .field("admin_client_id", &self.admin_client_id)
            .field("admin_client_secret", &self.admin_client_secret.as_ref().map(|_| "[redacted]"))
            .field("tenants", &self.tenants)
            .field("latency", &self.latency)
            .field("rate_limit", &self.rate_limit)
            .finish()
    }
}

impl ServeOptions {
    /// Builds the emulator these options describe (not yet listening).
    pub fn emulator(&self) -> consent::Result<Emulator> {
        if !self.host.is_loopback() {
            return Err(Error::invalid(
                "host",
                format!(
                    "{} is not a loopback address; the emulator accepts any password and must stay on 127.0.0.1 or ::1",
                    self.host
                ),
            ));
        }
        let tenant = MockTenant::preset(self.preset.parse::<Preset>()?);
        if let Some(spec) = &self.faults {
            tenant.set_faults(FaultPlan::parse(spec)?.seeded(self.fault_seed));
        }
        let admin_client_id = self.admin_client_id.as_deref().map(AppId::parse).transpose()?;
        let config = EmulatorConfig {
            admin_client_id,
            admin_client_secret: self.admin_client_secret.clone(),
            tenants: usize::try_from(self.tenants).unwrap_or(1),
            latency: self.latency.as_deref().map(str::parse::<Latency>).transpose()?,
            rate_limit: self.rate_limit.as_deref().map(str::parse::<RateLimit>).transpose()?,
            ..EmulatorConfig::default()
        };
        Ok(Emulator::new(tenant, config))
    }

    fn addr(&self) -> String {
        std::net::SocketAddr::new(self.host, self.port).to_string()
    }
}

/// Binds, writes the JSON line to stdout (the one thing the binary prints there), and serves until
/// SIGINT or SIGTERM, then shuts down gracefully.
pub async fn serve(opts: ServeOptions) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let running = opts.emulator()?.bind(&opts.addr()).await?;
    announce(&running)?;
    wait_for_signal().await;
    tracing::info!("shutting down");
    running.shutdown().await?;
    Ok(())
}

fn announce(running: &RunningEmulator) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", running.startup_line())?;
    out.flush()
}

async fn wait_for_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::warn!("cannot listen for Ctrl-C: {e}");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::warn!("cannot listen for SIGTERM: {e}");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::ServeOptions;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        opts: ServeOptions,
    }

    #[test]
    fn debug_never_prints_the_admin_secret() {
        let cli = Cli::parse_from(["x", "--admin-client-secret", "hunter2-very-secret"]);
        let shown = format!("{:?}", cli.opts);
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("[redacted]"), "{shown}");
    }
}
