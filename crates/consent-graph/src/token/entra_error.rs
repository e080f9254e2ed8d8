//! Microsoft's token-endpoint error JSON and its mapping to [`consent::Error`].

use std::fmt;

use consent::Error;
use serde::{Deserialize, Serialize};

/// The error body of `POST /{tenant}/oauth2/v2.0/token`: `error`, `error_description`, `error_codes`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntraTokenError {
    /// OAuth error, e.g. `invalid_client`.
    pub error: String,
    /// Human text beginning with `AADSTSnnnn:`; may be absent.
    #[serde(default)]
    pub error_description: Option<String>,
    /// The AADSTS codes, e.g. `[7000215]`.
    #[serde(default)]
    pub error_codes: Vec<u64>,
    /// Microsoft's trace id, for support.
    #[serde(default)]
    pub trace_id: Option<String>,
    /// Microsoft's correlation id, for support.
    #[serde(default)]
    pub correlation_id: Option<String>,
}

impl fmt::Display for EntraTokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (codes {:?})", self.error, self.error_codes)
    }
}

impl oauth2::ErrorResponse for EntraTokenError {}

impl EntraTokenError {
    fn has(&self, codes: &[u64]) -> bool {
        self.error_codes.iter().any(|c| codes.contains(c))
    }

    fn trace(&self) -> String {
        match (&self.trace_id, &self.correlation_id) {
            (Some(t), Some(c)) => format!(" (trace id {t}, correlation id {c})"),
            (Some(t), None) => format!(" (trace id {t})"),
            _ => String::new(),
        }
    }

    /// Maps the AADSTS codes to the workspace's error, with a hint of what to do.
    ///
    /// The codes overlap with the link flows' outcomes (700016 app not in tenant, …) and mean the same
    /// here. The description is not echoed: Microsoft's text changes and branching is on codes only.
    pub fn into_error(self) -> Error {
        let trace = self.trace();
        let reason = if self.has(&[7_000_215]) {
            "the client secret is invalid (AADSTS7000215): copy the secret's Value, not its Secret ID, from \
             App registrations → Certificates & secrets"
                .to_owned()
        } else if self.has(&[7_000_222]) {
            "the client secret has expired (AADSTS7000222): create a new one under App registrations → \
             Certificates & secrets and update the configuration"
                .to_owned()
        } else if self.has(&[700_016, 700_011]) {
            format!(
                "the application is not in this tenant (AADSTS{}): a tenant admin must consent to it first \
                 (admin-consent link or Enterprise applications), or the client id or tenant is wrong",
                self.error_codes
                    .iter()
                    .find(|c| [700_016, 700_011].contains(*c))
                    .copied()
                    .unwrap_or(700_016)
            )
        } else if self.has(&[90_002]) {
            "the tenant was not found (AADSTS90002): check the tenant id or domain, and the cloud (global, US Gov, China)".to_owned()
        } else if self.has(&[54_005, 70_008]) {
            "the authorization code was already used or has expired: start the sign-in again".to_owned()
        } else if self.has(&[50_148, 501_481]) {
            "the PKCE code_verifier does not match the code_challenge: use the verifier saved with this sign-in".to_owned()
        } else {
            format!(
                "the token endpoint refused the request: {} (AADSTS codes {:?})",
                self.error, self.error_codes
            )
        };
        Error::unauthenticated(format!("{reason}{trace}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(codes: &[u64]) -> EntraTokenError {
        EntraTokenError {
            error: "invalid_client".into(),
            error_description: Some("AADSTS...".into()),
            error_codes: codes.to_vec(),
            trace_id: Some("t-1".into()),
            correlation_id: None,
        }
    }

    #[test]
    fn known_codes_give_hints() {
        for (codes, needle) in [
            (&[7_000_215][..], "Secret ID"),
            (&[7_000_222][..], "expired"),
            (&[700_016][..], "not in this tenant (AADSTS700016)"),
            (&[700_011][..], "AADSTS700011"),
            (&[90_002][..], "tenant was not found"),
            (&[54_005][..], "already used"),
            (&[50_148][..], "code_verifier"),
            (&[12_345][..], "[12345]"),
        ] {
            match err(codes).into_error() {
                Error::Unauthenticated { reason, .. } => {
                    assert!(reason.contains(needle), "{codes:?}: {reason}");
                    assert!(reason.contains("trace id t-1"), "{reason}");
                }
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn parses_microsofts_error_body() {
        let e: EntraTokenError = serde_json::from_value(serde_json::json!({
            "error": "invalid_client",
            "error_description": "AADSTS7000215: Invalid client secret provided.",
            "error_codes": [7000215],
            "timestamp": "2026-01-01 00:00:00Z",
            "trace_id": "abc",
            "correlation_id": "def",
            "error_uri": "https://login.microsoftonline.com/error?code=7000215"
        }))
        .unwrap();
        assert_eq!(e.error_codes, vec![7_000_215]);
    }
}
