//! `link diagnose`: what a linked account's failure means, who acts, and the guidance (sans-IO, no
//! backend). Reads the token endpoint's error body or Graph's status and body, as text, `@FILE` or
//! `-` (stdin), and classifies it with `consent::link::LinkHealth`.

use std::io::{self, Read};

use clap::{ArgGroup, Args};
use consent::link::{HealthOutcome, LinkHealth, WhoActs, MAX_BODY_BYTES};
use consent::Guidance;
use serde::Serialize;

use crate::exit::{CliError, CliResult, Exit};
use crate::guidance_args::GuidanceArgs;
use crate::output::{Human, Report};

/// `link diagnose` arguments.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("answer").required(true).args(["token_error", "graph_error"])))]
pub struct DiagnoseArgs {
    /// The token endpoint's error body (refresh or code redemption): JSON, @FILE, or - for stdin.
    #[arg(long, value_name = "JSON")]
    pub token_error: Option<String>,
    /// Graph's answer to the first calendar call: its HTTP status and body (JSON, @FILE, or - for stdin).
    #[arg(long, num_args = 2, value_names = ["STATUS", "JSON"], allow_hyphen_values = true)]
    pub graph_error: Option<Vec<String>>,
    /// The token endpoint's HTTP status, when known (decides for bodies without a known code, e.g. 503).
    #[arg(long, value_name = "STATUS", conflicts_with = "graph_error", value_parser = parse_status)]
    pub token_status: Option<u16>,
    /// The answer's Retry-After, in seconds (kept for transient outcomes only).
    #[arg(long, value_name = "SECONDS")]
    pub retry_after: Option<u64>,
    /// The app's name, for the guidance text.
    #[arg(long, value_name = "NAME", default_value = "the app")]
    pub app_name: String,
    #[command(flatten)]
    pub guidance: GuidanceArgs,
}

/// An HTTP status, 100 to 599.
fn parse_status(s: &str) -> Result<u16, String> {
    match s.parse::<u16>() {
        Ok(n) if (100..=599).contains(&n) => Ok(n),
        _ => Err(format!("{s:?} is not an HTTP status (100-599)")),
    }
}

/// Runs `link diagnose`.
pub fn run(a: DiagnoseArgs) -> CliResult<DiagnoseReport> {
    let retry_after = a.retry_after.map(std::time::Duration::from_secs);
    let health = match (&a.token_error, &a.graph_error) {
        (Some(body), _) => {
            let body = read_body("--token-error", body)?;
            match a.token_status {
                Some(status) => LinkHealth::from_token_response(status, &body, retry_after),
                None => LinkHealth::from_token_error(&body),
            }
        }
        (None, Some(pair)) => {
            let [status, body] = pair.as_slice() else {
                return Err(CliError::Usage("--graph-error takes STATUS and JSON".to_owned()));
            };
            let status = parse_status(status).map_err(|e| CliError::Usage(format!("invalid --graph-error STATUS: {e}")))?;
            LinkHealth::from_graph_error(status, &read_body("--graph-error", body)?, retry_after)
        }
        (None, None) => return Err(CliError::Usage("pass --token-error or --graph-error".to_owned())),
    };
    let product = a.guidance.product(&a.app_name);
    let guidance = health.guidance(&product, a.guidance.locale());
    Ok(DiagnoseReport::new(&health, guidance))
}

/// The text itself, `@FILE`'s contents, or stdin for `-`; at most one byte more than the classifier
/// parses (a longer body is not Microsoft's and is classified by status alone).
fn read_body(flag: &str, value: &str) -> CliResult<String> {
    let limit = MAX_BODY_BYTES as u64 + 1;
    let mut bytes = Vec::new();
    let read = match (value, value.strip_prefix('@')) {
        ("-", _) => io::stdin().lock().take(limit).read_to_end(&mut bytes).map(drop),
        (_, Some(path)) => std::fs::File::open(path).and_then(|f| f.take(limit).read_to_end(&mut bytes).map(drop)),
        (v, None) => return Ok(v.to_owned()),
    };
    read.map_err(|e| CliError::Usage(format!("cannot read {flag} {value}: {e}")))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// `link diagnose`'s document.
#[derive(Debug, Serialize)]
pub struct DiagnoseReport {
    command: &'static str,
    outcome: HealthOutcome,
    who_acts: WhoActs,
    code: Option<String>,
    /// Seconds, rounded up; only for `transient` answers that gave one.
    #[serde(skip_serializing_if = "Option::is_none")]
    retry_after: Option<u64>,
    guidance: Guidance,
}

impl DiagnoseReport {
    fn new(h: &LinkHealth, guidance: Guidance) -> Self {
        Self {
            command: "link diagnose",
            outcome: h.outcome,
            who_acts: h.who_acts,
            code: h.code.clone(),
            retry_after: h.retry_after_secs(),
            guidance,
        }
    }
}

impl Report for DiagnoseReport {
    fn human(&self, out: &mut Human) -> io::Result<()> {
        out.verdict(self.outcome == HealthOutcome::Healthy, &format!("Outcome: {}", self.outcome))?;
        out.field("Who acts", self.who_acts.as_str())?;
        if let Some(code) = &self.code {
            out.field("Code", code)?;
        }
        if let Some(secs) = self.retry_after {
            out.field("Retry after", format!("{secs} s"))?;
        }
        out.line("")?;
        out.line(self.guidance.to_text().trim_end())
    }

    fn exit(&self) -> Exit {
        match self.outcome {
            HealthOutcome::Healthy => Exit::Success,
            HealthOutcome::Transient => Exit::Unavailable,
            _ => Exit::ActionNeeded,
        }
    }
}
