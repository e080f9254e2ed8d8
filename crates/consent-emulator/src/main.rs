//! `consent-emulator`: the local Entra consent emulator. Prints one JSON line, then serves.

use clap::Parser;
use consent_emulator::ServeOptions;

/// Local Microsoft Entra consent emulator: Graph v1.0 subset + login pages over an in-memory tenant.
#[derive(Debug, Parser)]
#[command(name = "consent-emulator", version)]
struct Cli {
    #[command(flatten)]
    serve: ServeOptions,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_env("RUST_LOG").unwrap_or_else(|_| "warn".into()))
        .with_writer(std::io::stderr)
        .init();
    match consent_emulator::serve(Cli::parse().serve).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("consent-emulator: {e}");
            std::process::ExitCode::from(2)
        }
    }
}
