//! The retry loop around [`Transport::send_once`].

use crate::operation::GraphOperation;
use std::time::Duration;

use consent::{Cause, Error, Result};
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
        self.execute_at(req, req.url(&self.base), self.deadline()).await
    }

    /// When a call starting now must be done: [`RetryPolicy::deadline`](crate::RetryPolicy) from now.
    /// A paged listing or a `$batch` with retried items takes one deadline for all its requests.
    pub(crate) fn deadline(&self) -> Instant {
        Instant::now() + self.retry.deadline
    }

    /// Like [`execute`](Self::execute), to an explicit URL (a validated next link), within `deadline`.
    pub(crate) async fn execute_at(&self, req: &GraphRequest, url: url::Url, deadline: Instant) -> Result<Answer> {
        let policy = &self.retry;
        let mut attempt = 1;
        loop {
            if Instant::now() >= deadline {
                tracing::warn!(operation = req.op.describe(), "the deadline passed before the request was sent");
                let late = Error::timeout(req.op.describe());
                return Err(if attempt > 1 { late.with_gave_up_after(attempt - 1) } else { late });
            }
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
            if wait > policy.max_wait {
                // The service named a wait longer than we block for: hand it to the caller, who may
                // honour it. Not "gave up": the error stays retryable, after `retry_after`.
                tracing::warn!(
                    operation = req.op.describe(),
                    wait_ms = wait.as_millis() as u64,
                    "wait exceeds the single-wait cap"
                );
                return Err(last);
            }
            if Instant::now() + wait > deadline {
                tracing::warn!(operation = req.op.describe(), attempts = attempt, "the retry deadline is spent");
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

/// Decides what an attempt's outcome means, from the one table [`Error::is_retryable`]: 2xx is
/// done; 429, 503 and a concurrency violation are retried for every request (the service refused
/// before acting, or says so); 504
/// and lost answers only for idempotent requests, since a create may have been applied (a create's
/// lost answer becomes `Timeout`, which the workflow reads back); connection failures always
/// (nothing was sent); every other status is final.
fn verdict(req: &GraphRequest, outcome: Attempt) -> Verdict {
    let idempotent = req.op.is_idempotent();
    match outcome {
        Attempt::Answered(a) if (200..300).contains(&a.status) => Verdict::Done(Ok(a)),
        Attempt::Answered(a) if a.status == 504 && !idempotent => {
            let request_id = a.request_id.clone();
            Verdict::Done(Err(Error::timeout(req.op.describe()).with_request_id(request_id)))
        }
        Attempt::Answered(a) => {
            let after = a.retry_after;
            let err = failure(req, a).into_error();
            // The one table: what `Error::is_retryable` calls retryable is what this loop resends
            // (429, 503, 504 for idempotent requests, 409 Directory_ConcurrencyViolation).
            if err.is_retryable() {
                Verdict::Retry { after, last: err }
            } else {
                Verdict::Done(Err(err))
            }
        }
        Attempt::TooLarge { status } => Verdict::Done(Err(Error::backend(
            status,
            None,
            format!(
                "{}: the response body is larger than the backend's cap; refusing to read it (raise it with GraphBackendBuilder::max_response_body if this is expected)",
                req.op.describe()
            ),
        ))),
        Attempt::NotSent(cause) => Verdict::Retry {
            after: None,
            last: unreachable_error(req, cause),
        },
        Attempt::Lost(cause) => {
            tracing::debug!(operation = req.op.describe(), reason = %cause.chain_text(), "no response");
            let timeout = Error::timeout(req.op.describe()).with_cause(cause);
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
        gave_up_after: a.gave_up_after,
        op: req.op,
        subject: req.subject.clone(),
        status: a.status,
        body: String::from_utf8_lossy(&a.body).into_owned(),
        request_id: a.request_id,
        retry_after: a.retry_after,
    }
}

/// The request never reached Graph. The message names the transport's own cause (refused, DNS,
/// TLS, proxy), which reqwest keeps only in its error's sources; the error itself is the `source`.
fn unreachable_error(req: &GraphRequest, cause: Cause) -> Error {
    Error::backend(
        0,
        None,
        format!(
            "could not connect to Microsoft Graph to {}: {}",
            req.op.describe(),
            cause.chain_text()
        ),
    )
    .with_cause(cause)
}
