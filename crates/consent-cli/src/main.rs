//! `consentctl`: Microsoft Entra admin consent from the command line.
//!
//! A thin binding over the `consent` library: `main` parses the command line, picks a backend (the
//! mock tenant in a state file, or Microsoft Graph), runs the command, prints its report, and maps
//! errors to the exit codes documented in `--help` and the crate README (`crates/consent-cli/README.md`).
//!
//! Layout: `cli` (clap tree and global flags), `commands/` (one module per command group, each
//! returning a report), `output` (JSON or human text, progress), `exit` (exit codes and the error
//! type), `backend` (backend and acting principal), `store` (the locked, atomically written mock
//! state file), `app` (`--app`/`--scopes`).

mod app;
mod backend;
mod cli;
mod commands;
mod exit;
mod guidance_args;
mod output;
mod store;

use std::process::ExitCode;

use clap::Parser;
use tracing_subscriber::EnvFilter;

use crate::cli::Cli;
use crate::exit::CliError;
use crate::output::Output;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return ExitCode::from(Output::parse_failure(&e, json_requested()).code()),
    };
    init_tracing(cli.global.verbose);
    let out = Output::new(cli.global.json, cli.global.verbose);
    let exit = match runtime() {
        Ok(rt) => match rt.block_on(commands::run(cli.command, &cli.global, &out)) {
            Ok(exit) => exit,
            Err(e) => out.error(&e),
        },
        Err(e) => out.error(&CliError::Runtime(format!("cannot start the async runtime: {e}"))),
    };
    ExitCode::from(exit.code())
}

/// Whether `--json` is on the command line, for errors found before clap could say so (an option
/// after `--` is a value, not a flag).
fn json_requested() -> bool {
    std::env::args_os().skip(1).take_while(|a| a != "--").any(|a| a == "--json")
}

fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread().enable_all().build()
}

/// Library logs go to stderr: none by default, warnings with `-v`, debug with `-vv`, or whatever
/// `CONSENTCTL_LOG` (an `EnvFilter` directive) says.
fn init_tracing(verbose: u8) {
    let default = match verbose {
        0 => "off",
        1 => "warn",
        2 => "debug",
        _ => "trace",
    };
    let filter = EnvFilter::try_from_env("CONSENTCTL_LOG").unwrap_or_else(|_| EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
}
