//! `snapshot` in as few round trips as Graph allows, with `POST /$batch`.
//!
//! Round 1 reads the policy, the authorization policy, the app's consent requests, the client's
//! and the resources' service principals (by appId), and the client's grants and app-role
//! assignments through the documented alternate key (`/servicePrincipals(appId='…')/…`), so no
//! object id from an earlier answer is needed. Round 2 is sent only when the app has consent
//! requests: their user requests are keyed by the app request's id, which `dependsOn` cannot carry
//! from one item into another's URL, and only when round 1 does not already show the app approved
//! (then the requests cannot change its state). An app with no consent request, or approved, costs
//! one round trip; one with a request two.

use std::collections::BTreeMap;

use consent::{AppConsentRequest, AppId, AppRegistration, Error, RequestFilter, Result, ServicePrincipal, TenantSnapshot};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::value::RawValue;

use super::GraphBackend;
use crate::request::{self, GraphRequest, MAX_BATCH};
use crate::retry::parse_retry_after;
use crate::transport::{failure, parse_body, Answer, Page};

#[derive(Debug, Deserialize)]
struct BatchResponse {
    #[serde(default)]
    responses: Vec<BatchItem>,
}

#[derive(Debug, Deserialize)]
struct BatchItem {
    id: String,
    status: u16,
    #[serde(default)]
    headers: BTreeMap<String, String>,
    /// The item's body as the text it arrived as, parsed once, into its target type, by [`item`];
    /// kept raw so it is not built into a `Value` tree and written back to text first.
    #[serde(default)]
    body: Option<Box<RawValue>>,
}

/// Items of round 1 besides the resource service principals.
const FIXED_ITEMS: usize = 6;

impl GraphBackend {
    /// The snapshot in one or two rounds. With `app`, round 2 is skipped when round 1 already shows
    /// it approved (`consent::workflow::is_approved`): user requests cannot change that state.
    pub(super) async fn batched_snapshot(
        &self,
        app_id: &AppId,
        resources: &[AppId],
        app: Option<&AppRegistration>,
    ) -> Result<TenantSnapshot> {
        if resources.len() + FIXED_ITEMS > MAX_BATCH {
            tracing::debug!(resources = resources.len(), "too many resources for one batch; reading one by one");
            return consent::snapshot::read_sequentially(self, app_id, resources).await;
        }
        let filter = RequestFilter {
            app_id: Some(*app_id),
            pending_only: false,
        };
        let mut round1 = vec![
            request::get_request_policy(),
            request::get_authorization_policy(),
            request::list_app_consent_requests(&filter),
            request::get_service_principal(app_id),
            request::list_delegated_grants_of_app(app_id),
            request::list_app_role_assignments_of_app(app_id),
        ];
        round1.extend(resources.iter().map(request::get_service_principal));
        let answers = self.batch_round(&round1).await?;
        let mut answers = round1.iter().zip(answers);
        let mut next = || answers.next().ok_or_else(|| missing("round 1"));
        let (r, a) = next()?;
        let request_policy = item(r, a)?;
        let (r, a) = next()?;
        let authorization_policy = item(r, a)?;
        let (r, a) = next()?;
        let requests: Vec<AppConsentRequest> = self.transport.follow(r, item::<Page<AppConsentRequest>>(r, a)?).await?;
        let (r, a) = next()?;
        let client = optional_sp(r, a)?;
        let (r, a) = next()?;
        let grants = self.optional_list(r, a).await?;
        let (r, a) = next()?;
        let app_role_assignments = self.optional_list(r, a).await?;
        let mut found = Vec::new();
        for _ in resources {
            let (r, a) = next()?;
            found.extend(optional_sp(r, a)?);
        }
        let mut snapshot = TenantSnapshot {
            request_policy,
            authorization_policy,
            resources: found,
            grants: if client.is_some() { grants } else { Vec::new() },
            app_role_assignments: if client.is_some() { app_role_assignments } else { Vec::new() },
            client,
            requests,
        };
        if !app.is_some_and(|a| consent::workflow::is_approved(a, &snapshot)) {
            self.second_round(&mut snapshot).await?;
        }
        Ok(snapshot)
    }

    /// A listing through the client's alternate key: Graph answers 404 when the app has no service
    /// principal in the tenant, which means nothing is granted.
    async fn optional_list<T: DeserializeOwned>(&self, req: &GraphRequest, answer: Answer) -> Result<Vec<T>> {
        match item::<Page<T>>(req, answer) {
            Ok(page) => self.transport.follow(req, page).await,
            Err(Error::NotFound { .. }) => Ok(Vec::new()),
            Err(e) => Err(e),
        }
    }

    /// Reads what depends on round 1: the user requests of each app request. Sends nothing when
    /// the app has no consent request.
    async fn second_round(&self, snap: &mut TenantSnapshot) -> Result<()> {
        if snap.requests.is_empty() {
            return Ok(());
        }
        let reqs = snap
            .requests
            .iter()
            .map(|r| request::list_user_consent_requests(&r.id))
            .collect::<Result<Vec<_>>>()?;
        let mut answers = Vec::with_capacity(reqs.len());
        for chunk in reqs.chunks(MAX_BATCH) {
            answers.extend(self.batch_round(chunk).await?);
        }
        let mut pairs = reqs.iter().zip(answers);
        for app_request in &mut snap.requests {
            let (r, a) = pairs.next().ok_or_else(|| missing("round 2"))?;
            app_request.user_consent_requests = self.transport.follow(r, item(r, a)?).await?;
        }
        Ok(())
    }

    /// Sends `items` as one `$batch` and returns one answer per item, in order. Items answered with
    /// a retryable status (Graph throttles each item separately) are resent in a smaller batch, all
    /// within one deadline; all are reads, so resending is safe. The wait before a resend is the
    /// longest of the items' own waits, so one item's `Retry-After: 0` does not cancel another's
    /// backoff.
    async fn batch_round(&self, items: &[GraphRequest]) -> Result<Vec<Answer>> {
        let policy = &self.transport.retry;
        let deadline = self.transport.deadline();
        let mut results: Vec<Option<Answer>> = vec![None; items.len()];
        let mut pending: Vec<usize> = (0..items.len()).collect();
        let mut attempt = 1;
        while !pending.is_empty() {
            let refs: Vec<&GraphRequest> = pending.iter().map(|&i| &items[i]).collect();
            let batch = request::batch(&refs)?;
            let answer = self.transport.execute_at(&batch, batch.url(&self.transport.base), deadline).await?;
            let response: BatchResponse = parse_body(&batch, &answer.body)?;
            let retry = self.collect(&pending, response, &mut results)?;
            if retry.is_empty() {
                break;
            }
            let wait = retry
                .iter()
                .map(|&i| policy.delay(attempt, results[i].as_ref().and_then(|a| a.retry_after)))
                .max()
                .unwrap_or_default();
            if wait > policy.max_wait {
                // An item named a wait longer than we block for: its error carries `retry_after`.
                break;
            }
            if attempt >= policy.max_attempts || tokio::time::Instant::now() + wait > deadline {
                give_up(&retry, &mut results, attempt);
                break;
            }
            tracing::debug!(
                items = retry.len(),
                wait_ms = wait.as_millis() as u64,
                "retrying throttled batch items"
            );
            tokio::time::sleep(wait).await;
            pending = retry;
            attempt += 1;
        }
        results.into_iter().collect::<Option<Vec<_>>>().ok_or_else(|| missing("batch"))
    }

    /// Files each item's answer under its request's index; returns the indexes worth retrying.
    fn collect(&self, pending: &[usize], response: BatchResponse, results: &mut [Option<Answer>]) -> Result<Vec<usize>> {
        let now = std::time::SystemTime::from(self.transport.clock.now());
        let mut retry = Vec::new();
        for it in response.responses {
            let index = it
                .id
                .parse::<usize>()
                .ok()
                .and_then(|i| pending.get(i).copied())
                .ok_or_else(|| missing("batch ids"))?;
            let header = |name: &str| {
                it.headers
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(name))
                    .map(|(_, v)| v.clone())
            };
            let retry_after = header("retry-after").and_then(|v| parse_retry_after(&v, now));
            // Status 0 never comes inside a batch answer; the rest is the one retry table.
            if it.status != 0 && Error::is_retryable_status(it.status) {
                retry.push(index);
            }
            // A missing or `null` body is no body, as before; `Box<str>` into bytes reuses the text.
            let body = it
                .body
                .map(|raw| String::from(Box::<str>::from(raw)).into_bytes())
                .unwrap_or_default();
            results[index] = Some(Answer {
                status: it.status,
                body,
                request_id: header("request-id"),
                retry_after,
                gave_up_after: None,
            });
        }
        Ok(retry)
    }
}

/// Marks the items still failing after the last round: their errors say the backend gave up.
fn give_up(retry: &[usize], results: &mut [Option<Answer>], attempts: u32) {
    for &i in retry {
        if let Some(a) = results[i].as_mut() {
            a.gave_up_after = Some(attempts);
        }
    }
}

/// The parsed body of a successful item, or the mapped error of a failed one.
fn item<T: DeserializeOwned>(req: &GraphRequest, answer: Answer) -> Result<T> {
    if (200..300).contains(&answer.status) {
        parse_body(req, &answer.body)
    } else {
        Err(failure(req, answer).into_error())
    }
}

fn optional_sp(req: &GraphRequest, answer: Answer) -> Result<Option<ServicePrincipal>> {
    match item(req, answer) {
        Ok(sp) => Ok(Some(sp)),
        Err(Error::NotFound { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

fn missing(round: &str) -> Error {
    Error::backend(
        200,
        None,
        format!("the $batch answer of {round} did not answer every request it was sent"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn item_bodies_stay_as_they_arrived_and_null_or_missing_is_none() {
        let text = r#"{"responses":[
            {"id":"0","status":200,"body":{"a": [1, "é\u00e9"]}},
            {"id":"1","status":204,"body":null},
            {"id":"2","status":204}
        ]}"#;
        let r: BatchResponse = serde_json::from_str(text).unwrap();
        assert_eq!(r.responses[0].body.as_ref().unwrap().get(), r#"{"a": [1, "é\u00e9"]}"#);
        assert!(r.responses[1].body.is_none() && r.responses[2].body.is_none());
    }
}
