//! The retry loop around [`Transport::send_once`].

use crate::operation::GraphOperation;
use std::time::Duration;

use consent::{Error, Result};
use tokio::time::Instant;

use super::{Answer, Attempt, Transport};
use crate::error::{with_attempts, Failure};
use crate::request::GraphRequest;

/// Why an attempt may be repeated, and the wait the service asked for.
enum Verdict {
    Done(Result<Answer>),
    Retry { after: Option<Duration>, last: Error },
}

impl Transport {
    /// Sends `req` until it succeeds (2xx), fails for good, or the retry policy is spent.
    pub(crate) async fn execute(&self, req: &GraphRequest) -> Result<Answer> {
        self.execute_at(req, req.url(&self.base)).await
    }

    /// Like [`execute`](Self::execute), to an explicit URL (a validated next link).
    pub(crate) async fn execute_at(&self, req: &GraphRequest, url: url::Url) -> Result<Answer> {
        let policy = &self.retry;
        let deadline = Instant::now() + policy.deadline;
        let mut attempt = 1;
        loop {
            let outcome = self.send_once(req, url.clone()).await?;
            let (after, last) = match verdict(req, outcome) {
                Verdict::Done(result) => return result,
                Verdict::Retry { after, last } => (after, last),
            };
            if attempt >= policy.max_attempts.max(1) {
                tracing::warn!(operation = req.op.describe(), attempts = attempt, "giving up");
                return Err(with_attempts(last, attempt));
            }
            let wait = policy.delay(attempt, after);
            if wait > policy.max_wait || Instant::now() + wait > deadline {
                tracing::warn!(
                    operation = req.op.describe(),
                    attempts = attempt,
                    wait_ms = wait.as_millis() as u64,
                    "wait exceeds the retry budget"
                );
                return Err(with_attempts(last, attempt));
            }
            tracing::debug!(
                operation = req.op.describe(),
                attempt,
                wait_ms = wait.as_millis() as u64,
                "retrying"
            );
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }
}

/// Decides what an attempt's outcome means: 2xx is done; 429 and 503 are retried for every request
/// (the service refused before acting); 504 and lost responses only for idempotent ones, since a
/// create may have been applied; connection failures always (nothing was sent).
fn verdict(req: &GraphRequest, outcome: Attempt) -> Verdict {
    let idempotent = req.op.is_idempotent();
    match outcome {
        Attempt::Answered(a) if (200..300).contains(&a.status) => Verdict::Done(Ok(a)),
        Attempt::Answered(a) => {
            let retryable = matches!(a.status, 429 | 503) || (a.status == 504 && idempotent);
            let lost_write = a.status == 504 && !idempotent;
            let after = a.retry_after;
            let err = failure(req, a).into_error();
            if lost_write {
                Verdict::Done(Err(Error::Timeout {
                    operation: req.op.describe(),
                }))
            } else if retryable {
                Verdict::Retry { after, last: err }
            } else {
                Verdict::Done(Err(err))
            }
        }
        Attempt::NotSent(why) => Verdict::Retry {
            after: None,
            last: unreachable_error(req, &why),
        },
        Attempt::Lost(why) => {
            tracing::debug!(operation = req.op.describe(), reason = %why, "no response");
            let timeout = Error::Timeout {
                operation: req.op.describe(),
            };
            if idempotent {
                Verdict::Retry {
                    after: None,
                    last: timeout,
                }
            } else {
                Verdict::Done(Err(timeout))
            }
        }
    }
}

pub(crate) fn failure(req: &GraphRequest, a: Answer) -> Failure {
    Failure {
        op: req.op,
        subject: req.subject.clone(),
        status: a.status,
        body: String::from_utf8_lossy(&a.body).into_owned(),
        request_id: a.request_id,
        retry_after: a.retry_after,
    }
}

fn unreachable_error(req: &GraphRequest, why: &str) -> Error {
    Error::Backend {
        status: 0,
        code: None,
        message: format!("could not connect to Microsoft Graph to {}: {why}", req.op.describe()),
        request_id: None,
        body: None,
    }
}
