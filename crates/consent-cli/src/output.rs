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

    /// `key: value`, aligned.
    pub fn field(&mut self, key: &str, value: impl std::fmt::Display) -> io::Result<()> {
        writeln!(self.out, "  {:<22} {value}", format!("{key}:").dimmed())
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
