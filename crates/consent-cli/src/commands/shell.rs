//! `completions SHELL` and `man`: the command tree as a shell completion script (clap_complete)
//! and as roff man pages (clap_mangen), both generated from the same clap definition as `--help`,
//! so they cannot drift from it.
//!
//! Their output is the script or the page, so `--json` changes nothing here (like `emulator`).

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use clap::{Args, CommandFactory};
use clap_complete::Shell;

use crate::cli::Cli;
use crate::exit::{CliError, CliResult, Exit};

/// `completions` arguments.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: Shell,
}

/// `man` arguments.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write consentctl.1 and one page per command (consentctl-policy-enable.1, …) into this
    /// directory instead of printing consentctl.1.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

/// The command tree, named as the binary is installed.
fn command() -> clap::Command {
    let mut cmd = Cli::command();
    cmd.build();
    cmd
}

/// `completions SHELL`: the script on stdout.
pub fn completions(a: &CompletionsArgs) -> CliResult<Exit> {
    let mut cmd = command();
    let mut script = Vec::new();
    clap_complete::generate(a.shell, &mut cmd, "consentctl", &mut script);
    write_stdout(&script)
}

/// `man`: consentctl.1 on stdout, or every page into `--dir`.
pub fn man(a: &ManArgs) -> CliResult<Exit> {
    match &a.dir {
        None => {
            let mut page = Vec::new();
            clap_mangen::Man::new(command())
                .render(&mut page)
                .map_err(|e| CliError::Runtime(format!("cannot render the man page: {e}")))?;
            write_stdout(&page)
        }
        Some(dir) => {
            write_pages(&command(), dir).map_err(|e| CliError::Runtime(format!("cannot write the man pages to {}: {e}", dir.display())))?;
            Ok(Exit::Success)
        }
    }
}

/// Writes the page of `cmd` and, recursively, of each visible subcommand (`consentctl-policy.1`, …).
fn write_pages(cmd: &clap::Command, dir: &Path) -> io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let name = cmd.get_display_name().unwrap_or_else(|| cmd.get_name()).to_owned();
    let mut page = Vec::new();
    clap_mangen::Man::new(cmd.clone()).title(&name).render(&mut page)?;
    std::fs::write(dir.join(format!("{name}.1")), page)?;
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set() && s.get_name() != "help") {
        write_pages(sub, dir)?;
    }
    Ok(())
}

fn write_stdout(bytes: &[u8]) -> CliResult<Exit> {
    let mut out = io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        // A closed pipe (`consentctl man | head`) is the reader's choice, not a failure.
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(CliError::Runtime(format!("cannot write the output: {e}"))),
        _ => Ok(Exit::Success),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_command_has_a_man_page() {
        let dir = tempfile::tempdir().unwrap();
        write_pages(&command(), dir.path()).unwrap();
        for page in ["consentctl.1", "consentctl-policy-enable.1", "consentctl-mock-clock-advance.1"] {
            let text = std::fs::read_to_string(dir.path().join(page)).unwrap_or_else(|e| panic!("{page}: {e}"));
            assert!(text.contains("\n.TH "), "{page}: no roff title header");
        }
    }
}
