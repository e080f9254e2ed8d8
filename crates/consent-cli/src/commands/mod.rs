//! One module per command group. Each command is an `async fn` that takes its arguments and a
//! [`Backend`] (or nothing, for the pure link commands) and returns a [`Report`]; it never prints.

pub mod admin_consent;
pub mod diagnose;
pub mod fleet;
pub mod link;
pub mod mock;
pub mod policy;
pub mod requests;
pub mod revoke;
pub mod shell;
mod views;
pub mod watch;
pub mod workflow;

use crate::backend::Backend;
use crate::cli::{Command, GlobalArgs};
use crate::exit::{CliError, CliResult, Exit};
use crate::output::{Output, Report};

/// Runs one command and prints its result; errors are returned for `main` to print.
pub async fn run(command: Command, g: &GlobalArgs, out: &Output) -> CliResult<Exit> {
    match command {
        Command::Policy(c) => with_backend(g, out, |b| Box::pin(policy::run(c, b))).await,
        Command::Requests(c) => with_backend(g, out, |b| Box::pin(requests::run(c, b, *out))).await,
        Command::Approve(a) => with_backend(g, out, |b| Box::pin(workflow::approve(a, b, *out))).await,
        Command::Revoke(a) => with_backend(g, out, |b| Box::pin(revoke::revoke(a, b, *out))).await,
        Command::Status(a) => with_backend(g, out, |b| Box::pin(workflow::status(a, b))).await,
        Command::Guide(a) => with_backend(g, out, |b| Box::pin(workflow::guide(a, b))).await,
        Command::Watch(a) => watch::run(a, g).await,
        Command::Fleet(c) => fleet::run(c, g, out).await,
        Command::Link(c) => link::run(c, g, out),
        Command::AdminConsent(c) => admin_consent::run(c, g, out),
        Command::Mock(c) => mock::run(c, g, out).await,
        Command::Emulator(o) => emulator(o).await,
        Command::Completions(a) => shell::completions(&a),
        Command::Man(a) => shell::man(&a),
    }
}

/// `consentctl emulator`: the emulator crate's own serve loop. Its startup line is its output
/// (one JSON line), so `--json` changes nothing here.
async fn emulator(options: consent_emulator::ServeOptions) -> CliResult<Exit> {
    match consent_emulator::serve(options).await {
        Ok(()) => Ok(Exit::Success),
        Err(e) => match e.downcast::<consent::Error>() {
            Ok(library) => Err(CliError::from(*library)),
            Err(other) => Err(CliError::Runtime(format!("the emulator stopped: {other}"))),
        },
    }
}

type BoxFuture<'a, T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + 'a>>;

/// Opens the backend the flags choose and runs `f` on it; see [`finish`].
async fn with_backend<R, F>(g: &GlobalArgs, out: &Output, f: F) -> CliResult<Exit>
where
    R: Report,
    F: for<'b> FnOnce(&'b Backend) -> BoxFuture<'b, CliResult<R>>,
{
    let backend = Backend::open(g)?;
    let result = f(&backend).await;
    finish(backend, result, out)
}

/// Saves the mock tenant (even when the command failed: the tenant may have changed before the
/// failure), and only then prints, so a report is never shown for a change that was not saved.
fn finish<R: Report>(backend: Backend, result: CliResult<R>, out: &Output) -> CliResult<Exit> {
    let saved = backend.finish();
    if let (Err(_), Err(save_error)) = (&result, &saved) {
        // The command's own error is the one to report; do not lose the save failure entirely.
        tracing::warn!(%save_error, "the mock tenant could not be saved after the command failed");
    }
    let report = result?;
    saved?;
    Ok(out.emit(&report))
}
