//! Exit codes, and the one error type commands return.
//!
//! The table (also in `--help` and the crate README (`crates/consent-cli/README.md`)); every error goes through [`CliError::exit`], so
//! the table and the code cannot drift apart:
//!
//! | code | meaning |
//! |---|---|
//! | 0 | success (`status`: approved, or users may consent themselves) |
//! | 1 | error: anything not listed below (invalid input found at run time, not found, conflict, invalid transition, unsupported on this backend, state-file problems) |
//! | 2 | usage: unknown command or flag, missing argument, or an argument value that does not parse |
//! | 3 | action needed: `status` not approved, `watch` ended without approval, `fleet` some tenant needs action, `link classify` not authorized, `admin-consent classify` not granted |
//! | 4 | access denied: the acting principal lacks the role or permission, or could not authenticate |
//! | 5 | unavailable: throttled, timed out, or the backend failed (5xx / no connection) after retries |

use std::fmt;
use std::path::PathBuf;

use serde::Serialize;

/// Text appended to `--help`: the exit-code table.
pub const EXIT_CODES_HELP: &str = "\
Exit codes:
  0  success (status: approved, or users may consent themselves)
  1  error (invalid input found at run time, not found, conflict, invalid transition,
     unsupported on this backend, mock state file problems; fleet: some tenant failed)
  2  usage (unknown command or flag, missing argument, argument value that does not parse)
  3  action needed (status not approved; watch ended without approval;
     fleet: some tenant needs action; link classify not authorized;
     admin-consent classify not granted)
  4  access denied (missing role or permission, or not authenticated)
  5  unavailable (throttled, timed out, or backend failure after retries)";

/// How the process ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Exit {
    /// 0: done, nothing else needed.
    Success,
    /// 1: the command failed.
    Error,
    /// 2: the command line was wrong.
    Usage,
    /// 3: the command worked and found that someone must act.
    ActionNeeded,
    /// 4: the acting principal may not do this.
    AccessDenied,
    /// 5: the service is throttling or unavailable; retry later.
    Unavailable,
}

impl Exit {
    /// The process exit code.
    pub fn code(self) -> u8 {
        match self {
            Exit::Success => 0,
            Exit::Error => 1,
            Exit::Usage => 2,
            Exit::ActionNeeded => 3,
            Exit::AccessDenied => 4,
            Exit::Unavailable => 5,
        }
    }

    /// Maps a library error to its exit code (the table above).
    pub fn for_error(e: &consent::Error) -> Exit {
        use consent::Error as E;
        match e {
            E::PermissionDenied { .. } | E::Unauthenticated { .. } => Exit::AccessDenied,
            E::Throttled { .. } | E::Timeout { .. } => Exit::Unavailable,
            E::Backend { status, .. } if *status == 0 || (500..=599).contains(status) => Exit::Unavailable,
            _ => Exit::Error,
        }
    }
}

/// A problem with the mock tenant's state file.
#[derive(Debug)]
pub struct StoreError {
    /// The state file.
    pub path: PathBuf,
    /// What is wrong, in one clause.
    pub problem: String,
    /// What to do about it.
    pub hint: String,
    /// The underlying I/O error, shown with `-v`.
    pub source: Option<std::io::Error>,
}

/// What a command as a whole needs from the acting principal. A command runs several tenant
/// operations, and the first refused one names only its own need (`approve` starts by *reading* the
/// policy, which a Global Reader may do, but a Global Reader cannot approve): this names what the
/// command needs, so one fix is enough.
#[derive(Debug)]
pub struct Needs {
    /// The command, as typed (`approve`).
    pub command: &'static str,
    /// The directory roles that allow it for a signed-in user, as Microsoft names them
    /// (completes "approve needs …").
    pub roles: &'static str,
    /// The application permissions that allow it for an app-only caller (completes "an app-only
    /// caller needs …").
    pub permissions: &'static str,
}

/// Everything a command can fail with.
#[derive(Debug)]
pub enum CliError {
    /// The library (or a backend through it) refused or failed. Boxed: errors travel through every
    /// `Result` in the binary, and the library's error is large.
    Consent(Box<consent::Error>),
    /// A library error with a CLI-specific next step (e.g. which command lists the valid values).
    Hinted {
        /// The error.
        error: Box<consent::Error>,
        /// What to do.
        hint: String,
    },
    /// The tenant refused a step of a command for lack of a role or permission; says what the
    /// command needs, and keeps the refused step's own error.
    Denied {
        /// What the command needs.
        needs: &'static Needs,
        /// The refusal (`PermissionDenied`).
        error: Box<consent::Error>,
    },
    /// The mock state file could not be used.
    Store(StoreError),
    /// The command line is valid for clap but not usable as given (e.g. no backend chosen).
    Usage(String),
    /// The process itself could not run the command (e.g. no async runtime).
    Runtime(String),
}

impl From<consent::Error> for CliError {
    fn from(e: consent::Error) -> Self {
        CliError::Consent(Box::new(e))
    }
}

impl CliError {
    /// Attaches a next step to a library error.
    pub fn hinted(error: consent::Error, hint: impl Into<String>) -> Self {
        CliError::Hinted {
            error: Box::new(error),
            hint: hint.into(),
        }
    }

    /// A permission refusal becomes one that names what the whole command needs; other errors
    /// pass through.
    pub fn needing(self, needs: &'static Needs) -> Self {
        match self {
            CliError::Consent(error) | CliError::Hinted { error, .. } if matches!(*error, consent::Error::PermissionDenied { .. }) => {
                CliError::Denied { needs, error }
            }
            other => other,
        }
    }

    /// The library error inside, if any.
    pub fn consent_error(&self) -> Option<&consent::Error> {
        match self {
            CliError::Consent(e) | CliError::Hinted { error: e, .. } | CliError::Denied { error: e, .. } => Some(e),
            CliError::Store(_) | CliError::Usage(_) | CliError::Runtime(_) => None,
        }
    }

    /// The exit code for this error.
    pub fn exit(&self) -> Exit {
        match self {
            CliError::Consent(e) | CliError::Hinted { error: e, .. } | CliError::Denied { error: e, .. } => Exit::for_error(e),
            CliError::Store(_) | CliError::Runtime(_) => Exit::Error,
            CliError::Usage(_) => Exit::Usage,
        }
    }

    /// A stable snake_case name for the JSON error document.
    pub fn kind(&self) -> &'static str {
        use consent::Error as E;
        match self {
            CliError::Store(_) => "state_file",
            CliError::Usage(_) => "usage",
            CliError::Runtime(_) => "runtime",
            CliError::Consent(e) | CliError::Hinted { error: e, .. } | CliError::Denied { error: e, .. } => match e.as_ref() {
                E::InvalidInput { .. } => "invalid_input",
                E::NotFound { .. } => "not_found",
                E::Conflict { .. } => "conflict",
                E::InvalidTransition { .. } => "invalid_transition",
                E::PermissionDenied { .. } => "permission_denied",
                E::Unauthenticated { .. } => "unauthenticated",
                E::Throttled { .. } => "throttled",
                E::Unsupported { .. } => "unsupported",
                E::Timeout { .. } => "timeout",
                E::Backend { .. } => "backend",
                _ => "other",
            },
        }
    }

    /// What to do next, when the error's own message does not already say it.
    pub fn hint(&self) -> Option<String> {
        use consent::Error as E;
        match self {
            CliError::Store(s) => Some(s.hint.clone()),
            CliError::Hinted { hint, .. } => Some(hint.clone()),
            CliError::Denied { .. } => Some(
                "on the mock, act as a user who holds one of those roles with --as UPN (`consentctl --mock mock show` lists users and roles); on Microsoft Graph, grant the caller app those permissions, see docs/graph-permissions.md".to_owned(),
            ),
            CliError::Usage(_) => Some("see `consentctl --help`".to_owned()),
            CliError::Runtime(_) => None,
            CliError::Consent(e) => match e.as_ref() {
                E::PermissionDenied { .. } => Some(
                    "act as a principal that holds it: --as UPN on the mock, or grant the caller app that permission on Graph".to_owned(),
                ),
                E::Unauthenticated { .. } => Some("check ENTRA_CLIENT_ID, ENTRA_CLIENT_SECRET and --tenant".to_owned()),
                E::Backend { .. } if self.exit() == Exit::Unavailable => {
                    Some("the service is unavailable; retry in a few minutes".to_owned())
                }
                _ => None,
            },
        }
    }

    /// The source chain, for `-v`.
    pub fn detail(&self) -> Vec<String> {
        match self {
            CliError::Consent(e) | CliError::Hinted { error: e, .. } | CliError::Denied { error: e, .. } => {
                vec![format!("{e:?}")]
            }
            CliError::Store(s) => {
                let mut out = vec![format!("state file: {}", s.path.display())];
                if let Some(src) = &s.source {
                    out.push(format!("caused by: {src}"));
                }
                out
            }
            CliError::Usage(_) | CliError::Runtime(_) => Vec::new(),
        }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::Consent(e) | CliError::Hinted { error: e, .. } => fmt::Display::fmt(e, f),
            CliError::Denied { needs, error } => {
                write!(
                    f,
                    "permission denied: {} needs {}; an app-only caller needs {}",
                    needs.command, needs.roles, needs.permissions
                )?;
                match error.as_ref() {
                    consent::Error::PermissionDenied { operation, .. } => write!(f, "; the tenant refused to {operation}"),
                    _ => Ok(()),
                }
            }
            CliError::Store(s) => write!(f, "mock state file {}: {}", s.path.display(), s.problem),
            CliError::Usage(m) | CliError::Runtime(m) => f.write_str(m),
        }
    }
}

/// Shorthand for command results.
pub type CliResult<T> = Result<T, CliError>;

#[cfg(test)]
mod tests {
    use super::*;
    use consent::Error;
    use std::time::Duration;

    #[test]
    fn library_errors_map_to_the_documented_codes() {
        let cases = [
            (Error::invalid("scope", "bad"), 1),
            (Error::not_found("x"), 1),
            (
                Error::PermissionDenied {
                    operation: "put",
                    needed: "Cloud Application Administrator".into(),
                },
                4,
            ),
            (
                Error::Unauthenticated {
                    reason: "bad secret".into(),
                },
                4,
            ),
            (
                Error::Throttled {
                    retry_after: Some(Duration::from_secs(3)),
                },
                5,
            ),
            (Error::Timeout { operation: "get" }, 5),
            (backend(503), 5),
            (backend(0), 5),
            (backend(400), 1),
            (
                Error::Unsupported {
                    operation: "submit",
                    backend: "microsoft-graph",
                    hint: "h".into(),
                },
                1,
            ),
        ];
        for (e, code) in cases {
            assert_eq!(Exit::for_error(&e).code(), code, "{e:?}");
            assert_eq!(CliError::from(e).exit().code(), code);
        }
        assert_eq!(CliError::Usage("x".into()).exit().code(), 2);
    }

    fn backend(status: u16) -> Error {
        Error::Backend {
            status,
            code: None,
            message: "m".into(),
            request_id: None,
            body: None,
        }
    }

    static NEEDS: Needs = Needs {
        command: "approve",
        roles: "the Cloud Application Administrator role",
        permissions: "DelegatedPermissionGrant.ReadWrite.All",
    };

    #[test]
    fn a_refused_step_names_what_the_command_needs() {
        let refused = CliError::from(Error::PermissionDenied {
            operation: "read the admin consent request policy",
            needed: "the Global Reader role".into(),
        })
        .needing(&NEEDS);
        let text = refused.to_string();
        assert!(text.contains("approve needs the Cloud Application Administrator role"), "{text}");
        assert!(text.contains("refused to read the admin consent request policy"), "{text}");
        assert!(!text.contains("Global Reader"), "{text}");
        assert_eq!((refused.exit().code(), refused.kind()), (4, "permission_denied"));
        let other = CliError::from(Error::not_found("x")).needing(&NEEDS);
        assert_eq!(other.kind(), "not_found");
    }

    #[test]
    fn help_text_lists_every_code() {
        for code in 0..=5 {
            assert!(EXIT_CODES_HELP.contains(&format!("  {code}  ")), "{code}");
        }
    }
}
