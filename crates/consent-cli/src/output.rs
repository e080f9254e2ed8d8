//! Everything the binary writes: one JSON document or human text on stdout, errors on stderr,
//! progress on stderr only when it is a terminal.
//!
//! Commands never print. They return a [`Report`] (a `Serialize` value whose JSON form is the
//! documented schema, plus a human rendering), and `main` hands it to [`Output::emit`]. That keeps
//! "`--json` prints exactly one document" true by construction.

use std::io::{self, IsTerminal, Write};
use std::time::Duration;

use comfy_table::{presets::UTF8_FULL_CONDENSED, ContentArrangement, Table};
use indicatif::{ProgressBar, ProgressStyle};
use owo_colors::OwoColorize;
use serde::Serialize;

use crate::exit::{CliError, Exit};

/// A command's result: its JSON document and its human rendering.
pub trait Report: Serialize {
    /// Writes the human form.
    fn human(&self, out: &mut Human) -> io::Result<()>;

    /// The exit code for this result (0 unless someone must act).
    fn exit(&self) -> Exit {
        Exit::Success
    }
}

/// How to print: chosen once from the global flags.
#[derive(Debug, Clone, Copy)]
pub struct Output {
    json: bool,
    verbose: u8,
}

impl Output {
    /// `json`: one JSON document on stdout; `verbose`: how many `-v` were given.
    pub fn new(json: bool, verbose: u8) -> Self {
        Self { json, verbose }
    }

    /// Prints a command's result and returns its exit code.
    pub fn emit<R: Report>(&self, report: &R) -> Exit {
        let written = if self.json {
            write_json(report)
        } else {
            let mut h = Human::stdout();
            report.human(&mut h).and_then(|()| h.flush())
        };
        match written {
            Ok(()) => report.exit(),
            // A closed pipe (`consentctl … | head`) is the reader's choice, not a failure.
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => report.exit(),
            Err(e) => {
                self.stderr_line(&format!("cannot write the output: {e}"));
                Exit::Error
            }
        }
    }

    /// Prints an error: one line on stderr (plus detail with `-v`); with `--json` also the JSON
    /// error document on stdout, so a script always gets one document. Returns the exit code.
    pub fn error(&self, e: &CliError) -> Exit {
        let exit = e.exit();
        if self.json {
            let _ = write_json(&ErrorDocument::new(e));
        }
        let hint = e.hint().map(|h| format!(" (hint: {h})")).unwrap_or_default();
        self.stderr_line(&format!("{} {e}{hint}", "error:".red().bold()));
        if self.verbose > 0 {
            for line in e.detail() {
                self.stderr_line(&format!("  {}", line.dimmed()));
            }
        }
        exit
    }

    /// A command line clap refused (or `--help`/`--version`, which clap reports the same way).
    /// Help and version print as clap prints them (exit 0). A usage error prints clap's message on
    /// stderr and, with `--json`, also the JSON error document on stdout (exit 2), like every other
    /// error.
    pub fn parse_failure(e: &clap::Error, json: bool) -> Exit {
        if e.exit_code() == 0 {
            let _ = e.print();
            return Exit::Success;
        }
        if json {
            let _ = write_json(&ErrorDocument::usage(e));
        }
        let _ = e.print();
        Exit::Usage
    }

    fn stderr_line(&self, line: &str) {
        let _ = writeln!(anstream::stderr(), "{line}");
    }

    /// A spinner on stderr for a long operation; hidden unless stderr is a terminal and the output
    /// is for a human.
    pub fn progress(&self, message: &str) -> Progress {
        if self.json || !io::stderr().is_terminal() {
            return Progress(ProgressBar::hidden());
        }
        let bar = ProgressBar::new_spinner();
        if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} ({elapsed})") {
            bar.set_style(style);
        }
        bar.set_message(message.to_owned());
        bar.enable_steady_tick(Duration::from_millis(120));
        Progress(bar)
    }
}

/// A running progress indicator; cleared when dropped.
#[derive(Debug)]
pub struct Progress(ProgressBar);

impl Progress {
    /// Changes the message (e.g. "reading page 3").
    pub fn set_message(&self, message: impl Into<String>) {
        self.0.set_message(message.into());
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.0.finish_and_clear();
    }
}

fn write_json<T: Serialize + ?Sized>(value: &T) -> io::Result<()> {
    let mut out = io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value).map_err(io::Error::from)?;
    writeln!(out)?;
    out.flush()
}

/// `{"error": {...}}`, printed with `--json` when a command fails.
#[derive(Debug, Serialize)]
struct ErrorDocument {
    error: ErrorBody,
}

#[derive(Debug, Serialize)]
struct ErrorBody {
    kind: &'static str,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    hint: Option<String>,
    exit_code: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    retry_after_secs: Option<f64>,
}

impl ErrorDocument {
    /// clap's usage error: its first line is the message, its `tip:` lines the hint.
    fn usage(e: &clap::Error) -> Self {
        // With no command at all clap renders the help text, whose first line is no message.
        let text = match e.kind() {
            clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => "error: a command is required".to_owned(),
            _ => e.render().to_string(),
        };
        let message = text.lines().next().unwrap_or_default();
        let mut hints: Vec<String> = text
            .lines()
            .filter_map(|l| l.trim().strip_prefix("tip: "))
            .map(str::to_owned)
            .collect();
        match text.lines().find_map(|l| l.strip_prefix("Usage: ")) {
            Some(usage) => hints.push(format!("usage: {usage}; more with --help")),
            None => hints.push("see `consentctl --help`".to_owned()),
        }
        let hint = hints.join("; ");
        Self {
            error: ErrorBody {
                kind: "usage",
                message: message.strip_prefix("error: ").unwrap_or(message).to_owned(),
                hint: Some(hint),
                exit_code: Exit::Usage.code(),
                retry_after_secs: None,
            },
        }
    }

    fn new(e: &CliError) -> Self {
        let retry_after_secs = e.consent_error().and_then(|c| c.retry_after()).map(|d| d.as_secs_f64());
        Self {
            error: ErrorBody {
                kind: e.kind(),
                message: e.to_string(),
                hint: e.hint(),
                exit_code: e.exit().code(),
                retry_after_secs,
            },
        }
    }
}

/// Human output on stdout. Colour goes through `anstream`, which strips it when stdout is not a
/// terminal (or `NO_COLOR` is set).
pub struct Human {
    out: anstream::AutoStream<io::Stdout>,
}

impl std::fmt::Debug for Human {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Human")
    }
}

impl Human {
    fn stdout() -> Self {
        Self { out: anstream::stdout() }
    }

    /// A bold heading line.
    pub fn title(&mut self, text: &str) -> io::Result<()> {
        writeln!(self.out, "{}", text.bold())
    }

    /// `key: value`, aligned. Booleans print as `Yes`/`No` (see [`FieldValue`]).
    pub fn field(&mut self, key: &str, value: impl FieldValue) -> io::Result<()> {
        writeln!(self.out, "  {:<22} {}", format!("{key}:").dimmed(), value.render())
    }

    /// An indented `key: before → after` line, for what a command changed.
    pub fn change(&mut self, key: &str, before: impl FieldValue, after: impl FieldValue) -> io::Result<()> {
        writeln!(
            self.out,
            "    {:<22} {} → {}",
            format!("{key}:").dimmed(),
            before.render(),
            after.render()
        )
    }

    /// A plain line.
    pub fn line(&mut self, text: impl std::fmt::Display) -> io::Result<()> {
        writeln!(self.out, "{text}")
    }

    /// A line marked as good news (green) or as needing action (yellow).
    pub fn verdict(&mut self, good: bool, text: &str) -> io::Result<()> {
        if good {
            writeln!(self.out, "{}", text.green().bold())
        } else {
            writeln!(self.out, "{}", text.yellow().bold())
        }
    }

    /// A table; `rows` already formatted.
    pub fn table(&mut self, header: &[&str], rows: Vec<Vec<String>>) -> io::Result<()> {
        let mut t = Table::new();
        t.load_preset(UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Dynamic)
            .set_header(header.to_vec());
        for r in rows {
            t.add_row(r);
        }
        writeln!(self.out, "{t}")
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// A value [`Human::field`] prints. Booleans have one style in all human output, the portal's
/// `Yes`/`No`; everything else prints as its `Display`. (A trait rather than `impl Display` so a
/// `bool` cannot slip through as `true`.)
pub trait FieldValue {
    /// The text shown.
    fn render(&self) -> String;
}

/// The one human form of a boolean.
pub fn yes_no(b: bool) -> &'static str {
    if b {
        "Yes"
    } else {
        "No"
    }
}

impl FieldValue for bool {
    fn render(&self) -> String {
        yes_no(*self).to_owned()
    }
}

macro_rules! display_field_value {
    ($($t:ty),*) => {$(
        impl FieldValue for $t {
            fn render(&self) -> String {
                self.to_string()
            }
        }
    )*};
}
display_field_value!(str, String, u32, u64, usize, i64);

impl<T: FieldValue + ?Sized> FieldValue for &T {
    fn render(&self) -> String {
        (**self).render()
    }
}

/// Renders library guidance as text or Markdown.
pub fn guidance_text(g: &consent::Guidance, markdown: bool) -> String {
    if markdown {
        g.to_markdown()
    } else {
        g.to_text()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clap_error_becomes_a_usage_document() {
        use clap::CommandFactory;
        let e = crate::cli::Cli::command()
            .try_get_matches_from(["consentctl", "--json", "policy", "show", "--bogus"])
            .unwrap_err();
        let v = serde_json::to_value(ErrorDocument::usage(&e)).unwrap();
        assert_eq!(v["error"]["kind"], "usage");
        assert_eq!(v["error"]["exit_code"], 2);
        let message = v["error"]["message"].as_str().unwrap();
        assert!(message.contains("--bogus") && !message.starts_with("error:"), "{message}");
    }

    #[test]
    fn booleans_have_one_human_style() {
        assert_eq!(true.render(), "Yes");
        assert_eq!(false.render(), "No");
        assert_eq!("text".render(), "text");
        assert_eq!(30u32.render(), "30");
    }

    #[test]
    fn error_document_carries_kind_code_and_retry_after() {
        let e = CliError::from(consent::Error::Throttled {
            context: Default::default(),
            retry_after: Some(Duration::from_secs(7)),
        });
        let v = serde_json::to_value(ErrorDocument::new(&e)).unwrap();
        assert_eq!(v["error"]["kind"], "throttled");
        assert_eq!(v["error"]["exit_code"], 5);
        assert_eq!(v["error"]["retry_after_secs"], 7.0);
        assert!(v["error"]["message"].as_str().unwrap().contains("retry"));
    }
}
