//! The command tree (clap derive). Each command's own arguments live next to its code in
//! `commands/`; this file holds the global flags and the top-level shape.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::commands::{admin_consent, fleet, link, mock, policy, requests, revoke, shell, watch, workflow};
use crate::exit::EXIT_CODES_HELP;

/// The help heading of the options every command accepts.
pub const GLOBAL_OPTIONS: &str = "Global options";

/// Microsoft Entra admin consent from the command line: enable consent requests, request consent,
/// approve tenant-wide, and check that every employee can link.
#[derive(Debug, Parser)]
#[command(name = "consentctl", version, after_help = EXIT_CODES_HELP, max_term_width = 110)]
pub struct Cli {
    /// Global options.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command accepts, shown under their own heading in every command's help.
#[derive(Debug, Args)]
#[command(next_help_heading = GLOBAL_OPTIONS)]
pub struct GlobalArgs {
    /// Print one JSON document on stdout (schemas in the crate README, crates/consent-cli/README.md).
    #[arg(long, global = true)]
    pub json: bool,

    /// More detail on errors (-v: debug form; -vv: also library logs on stderr).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// Use the local mock tenant kept in the state file (see `consentctl mock init`).
    #[arg(long, global = true, conflicts_with = "tenant")]
    pub mock: bool,

    /// The mock state file (default under the user's data directory).
    #[arg(
        long,
        global = true,
        value_name = "PATH",
        env = "CONSENTCTL_MOCK_STATE",
        help = "The mock state file [default: <data dir>/entra-consent/mock-tenant.json]"
    )]
    pub mock_state: Option<PathBuf>,

    /// Mock only: act as this user (UPN or object id) instead of the seeded Global Administrator.
    #[arg(long = "as", global = true, value_name = "USER")]
    pub as_user: Option<String>,

    #[command(flatten)]
    pub graph: GraphArgs,
}

/// How to reach Microsoft Graph (when `--mock` is not given). The caller app's credentials come from
/// ENTRA_CLIENT_ID and ENTRA_CLIENT_SECRET only — never flags, so the secret stays out of shell
/// history, `ps` and `Debug` output.
#[derive(Debug, Args)]
#[command(next_help_heading = GLOBAL_OPTIONS)]
pub struct GraphArgs {
    /// Microsoft Graph: the customer's tenant (GUID or verified domain). Also the tenant for
    /// `link` and `admin-consent`.
    #[arg(long, global = true, value_name = "TENANT")]
    pub tenant: Option<String>,

    /// Microsoft Graph base URL, for a local emulator (loopback http only), e.g. http://127.0.0.1:8080/v1.0.
    #[arg(long, global = true, value_name = "URL")]
    pub graph_url: Option<String>,

    /// Login authority for a local emulator (loopback http only), e.g. http://127.0.0.1:8080: the
    /// token endpoint on Graph, and the host of `link` and `admin-consent` URLs.
    #[arg(long, global = true, value_name = "URL")]
    pub login_url: Option<String>,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Procedure 1: the tenant's consent-request policy ("Users can request admin consent…").
    #[command(subcommand)]
    Policy(policy::PolicyCommand),
    /// Procedure 2 and the reviewer's inbox: list, show, submit and deny consent requests.
    #[command(subcommand)]
    Requests(requests::RequestsCommand),
    /// Procedure 3: grant the app's permissions tenant-wide (idempotent), then verify.
    Approve(workflow::ApproveArgs),
    /// Revoke the app's tenant-wide consent ("Revoke permission"); shows the state the tenant falls back to.
    Revoke(revoke::RevokeArgs),
    /// The app's consent state and next steps; exit 0 when every employee can link, 3 otherwise.
    Status(workflow::StatusArgs),
    /// Next steps for the user or the admin, as text or Markdown.
    Guide(workflow::GuideArgs),
    /// Follow the app's consent state until a reviewer decides: one line (or JSON object) per change; exit 0 when approved, 3 when denied, blocked, expired or timed out.
    Watch(watch::WatchArgs),
    /// One app across many tenants with one management app: status of each, or approve in each.
    #[command(subcommand)]
    Fleet(fleet::FleetCommand),
    /// The user's sign-in link: build the authorize URL, classify the callback.
    #[command(subcommand)]
    Link(link::LinkCommand),
    /// The admin-consent link: build it, classify its callback.
    #[command(subcommand, name = "admin-consent")]
    AdminConsent(admin_consent::AdminConsentCommand),
    /// The local mock tenant: create, inspect, move its clock, add users, inject faults.
    #[command(subcommand)]
    Mock(mock::MockCommand),
    /// Serve a fresh preset mock tenant over HTTP (Graph v1.0 subset and login pages) on loopback until Ctrl-C or SIGTERM. Prints one JSON line: URLs, tenant, and the emulator's own admin client credentials.
    Emulator(consent_emulator::ServeOptions),
    /// Print a shell completion script, e.g. `consentctl completions bash > ~/.local/share/bash-completion/completions/consentctl`.
    Completions(shell::CompletionsArgs),
    /// Print the man page (roff), e.g. `consentctl man | man -l -`; or write one page per command with --dir.
    Man(shell::ManArgs),
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn command_tree_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn global_options_have_their_own_heading_in_command_help() {
        let mut cmd = Cli::command();
        cmd.build();
        let policy = cmd.find_subcommand_mut("policy").unwrap();
        let help = policy.find_subcommand_mut("enable").unwrap().render_help().to_string();
        let (own, global) = help.split_once(&format!("{GLOBAL_OPTIONS}:")).expect(&help);
        assert!(own.contains("--duration-days") && !own.contains("--mock-state"), "{help}");
        assert!(
            global.contains("--json") && global.contains("--tenant") && !global.contains("--duration-days"),
            "{help}"
        );
    }

    #[test]
    fn help_documents_exit_codes() {
        let help = Cli::command().render_long_help().to_string();
        assert!(help.contains("Exit codes:"), "{help}");
        assert!(help.contains("4  access denied"));
    }
}
