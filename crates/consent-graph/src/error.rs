//! The one error table: Graph status + `error.code` → [`consent::Error`], per operation.
//!
//! Graph's error body is `{"error": {"code", "message", "innerError": {"request-id", …}}}`. The
//! request id (body or header) and the raw body are kept on `Backend` errors for diagnosis.

use std::time::Duration;

use consent::Error;
use serde::Deserialize;

use consent::Operation;

/// Longest raw body kept on an error (Graph error bodies are far shorter).
const MAX_KEPT_BODY: usize = 4096;

#[derive(Debug, Default, Deserialize)]
struct Envelope {
    #[serde(default)]
    error: Detail,
}

#[derive(Debug, Default, Deserialize)]
struct Detail {
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default, rename = "innerError")]
    inner_error: Option<Inner>,
}

#[derive(Debug, Default, Deserialize)]
struct Inner {
    #[serde(default, rename = "request-id")]
    request_id: Option<String>,
}

/// A non-success answer from Graph (or from one `$batch` item).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Failure {
    pub(crate) op: Operation,
    /// What the request was about, e.g. `service principal of app …`.
    pub(crate) subject: String,
    pub(crate) status: u16,
    pub(crate) body: String,
    pub(crate) request_id: Option<String>,
    pub(crate) retry_after: Option<Duration>,
    /// Attempts made when a retry loop (a `$batch`'s) gave up on this answer.
    pub(crate) gave_up_after: Option<u32>,
}

impl Failure {
    /// What was being done, for messages: `read the consent request policy`, or with a subject that
    /// the operation does not already name, `create a delegated permission grant (delegated grant g1)`.
    fn doing(&self) -> String {
        let describe = self.op.describe();
        if self.subject.is_empty() || describe.ends_with(&self.subject) {
            describe.to_owned()
        } else {
            format!("{describe} ({})", self.subject)
        }
    }

    /// Maps the failure through the table. Every error keeps Graph's `request-id` (header first,
    /// then `innerError`), whatever its variant.
    pub(crate) fn into_error(self) -> Error {
        let detail = serde_json::from_str::<Envelope>(&self.body).map(|e| e.error).unwrap_or_default();
        let request_id = self.request_id.clone().or_else(|| detail.inner_error.and_then(|i| i.request_id));
        let code = detail.code;
        let message = detail.message.unwrap_or_else(|| "no message".to_owned());
        let err = match (self.status, code.as_deref()) {
            (400, _) if self.op == Operation::CreateAppRoleAssignment && message.contains("already exists") => {
                // Graph answers a duplicate assignment with a generic 400 Request_BadRequest; the
                // message is the only thing that tells it apart, so it is checked for this one case.
                Error::conflict(format!("{} already holds this app role ({message})", self.subject), code)
            }
            (400, _) => {
                // InvalidInput has no context (it is mostly raised before any request), so the id
                // goes into the reason.
                let rid = request_id.as_deref().map(|r| format!(" (request-id {r})")).unwrap_or_default();
                return Error::invalid("request", format!("Graph refused to {}: {message}{rid}", self.doing()));
            }
            (401, _) => Error::unauthenticated(format!(
                "Graph refused the token ({}): {message}; check the tenant and that the token is for Microsoft Graph",
                code.as_deref().unwrap_or("401")
            )),
            (403, _) => self.op.permission_denied(),
            (404, _) => Error::not_found(format!("{} ({message})", self.subject)),
            (409, _) => Error::conflict(format!("{}: {message}", self.subject), code),
            (429, _) => Error::throttled(self.retry_after),
            (status, _) => Error::Backend {
                status,
                code,
                message: format!("{}: {message}", self.doing()),
                body: Some(truncate(self.body)),
                context: Default::default(),
            },
        };
        let err = err.with_request_id(request_id);
        match self.gave_up_after {
            Some(n) => err.with_gave_up_after(n),
            None => err,
        }
    }
}

fn truncate(mut body: String) -> String {
    if body.len() > MAX_KEPT_BODY {
        let mut cut = MAX_KEPT_BODY;
        while !body.is_char_boundary(cut) {
            cut -= 1;
        }
        body.truncate(cut);
        body.push('…');
    }
    body
}

/// Marks an error that ended a retry loop: it says how many attempts were made, and is no longer
/// retryable (a caller's own retries would multiply the load).
pub(crate) fn with_attempts(err: Error, attempts: u32) -> Error {
    err.with_gave_up_after(attempts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn failure(op: Operation, status: u16, code: &str, message: &str) -> Failure {
        Failure {
            op,
            subject: "thing 42".to_owned(),
            status,
            body: json!({"error": {"code": code, "message": message, "innerError": {"request-id": "rid-1"}}}).to_string(),
            request_id: None,
            retry_after: Some(Duration::from_secs(3)),
            gave_up_after: None,
        }
    }

    #[test]
    fn table_maps_each_documented_code() {
        let e = failure(Operation::CreateDelegatedGrant, 400, "Request_BadRequest", "bad scope").into_error();
        assert!(
            matches!(e, Error::InvalidInput { field: "request", ref reason } if reason.contains("bad scope")),
            "{e}"
        );
        assert!(matches!(
            failure(Operation::GetRequestPolicy, 401, "InvalidAuthenticationToken", "x").into_error(),
            Error::Unauthenticated { .. }
        ));
        match failure(
            Operation::PutRequestPolicy,
            403,
            "Authorization_RequestDenied",
            "Insufficient privileges",
        )
        .into_error()
        {
            Error::PermissionDenied { operation, needed, .. } => {
                assert_eq!(operation, "update the consent request policy");
                assert!(needed.contains("Policy.ReadWrite.ConsentRequest") && needed.contains("Cloud Application Administrator"));
            }
            other => panic!("{other:?}"),
        }
        let e = failure(Operation::GetServicePrincipal, 404, "Request_ResourceNotFound", "does not exist").into_error();
        let rid = || Some("rid-1".to_owned());
        assert_eq!(e, Error::not_found("thing 42 (does not exist)").with_request_id(rid()));
        let e = failure(
            Operation::CreateDelegatedGrant,
            409,
            "Request_MultipleObjectsWithSameKeyValue",
            "Permission entry already exists.",
        )
        .into_error();
        assert!(matches!(e, Error::Conflict { code: Some(ref c), .. } if c == "Request_MultipleObjectsWithSameKeyValue"));
        let e = failure(Operation::GetRequestPolicy, 429, "TooManyRequests", "later").into_error();
        assert_eq!(e, Error::throttled(Some(Duration::from_secs(3))).with_request_id(rid()));
    }

    #[test]
    fn every_mapped_error_keeps_the_request_id() {
        for status in [400, 401, 403, 404, 409, 429, 500, 503] {
            let e = failure(Operation::CreateDelegatedGrant, status, "Code", "m").into_error();
            assert!(e.to_string().contains("request-id rid-1"), "{status}: {e}");
            if status != 400 {
                assert_eq!(e.request_id(), Some("rid-1"), "{status}: {e:?}");
            }
        }
    }

    #[test]
    fn duplicate_assignment_is_a_conflict_but_other_400s_are_not() {
        let dup = failure(
            Operation::CreateAppRoleAssignment,
            400,
            "Request_BadRequest",
            "Permission being assigned already exists on the object.",
        );
        assert!(matches!(dup.into_error(), Error::Conflict { .. }));
        let other = failure(
            Operation::CreateAppRoleAssignment,
            400,
            "Request_BadRequest",
            "Permission being assigned was not found on application.",
        );
        assert!(matches!(other.into_error(), Error::InvalidInput { .. }));
    }

    #[test]
    fn server_errors_keep_request_id_code_and_body() {
        match failure(Operation::ListDelegatedGrants, 503, "serviceNotAvailable", "down").into_error() {
            Error::Backend {
                status,
                code,
                context,
                body,
                ..
            } => {
                assert_eq!(status, 503);
                assert_eq!(code.as_deref(), Some("serviceNotAvailable"));
                assert_eq!(context.request_id(), Some("rid-1"));
                assert!(body.unwrap().contains("serviceNotAvailable"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn unparseable_bodies_still_map_by_status() {
        let f = Failure {
            op: Operation::GetRequestPolicy,
            subject: "policy".into(),
            status: 502,
            body: "<html>bad gateway</html>".into(),
            request_id: Some("hdr-rid".into()),
            retry_after: None,
            gave_up_after: None,
        };
        let e = with_attempts(f.into_error(), 4);
        assert!(e.to_string().contains("gave up after 4 attempts"), "{e}");
        assert!(e.to_string().contains("hdr-rid"), "{e}");
    }
}
