//! Why Entra refuses a token to a user who consented before (link health, issue 15): the app's
//! service principal is gone or disabled, the account is disabled, the password changed, a
//! Conditional Access policy blocks the user, or consent no longer covers the scopes asked for.
//! Codes and texts from Microsoft Learn, "Microsoft Entra authentication and authorization error
//! codes" (see `docs/link-health.md` for the table and `docs/emulator.md` for the order).

use consent::{AppId, ObjectId, ScopeSet};

use crate::server::Shared;

/// One refusal: the OAuth `error`, the AADSTS code, its text and an optional `suberror`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Refusal {
    pub(crate) error: &'static str,
    pub(crate) code: u32,
    pub(crate) text: String,
    pub(crate) suberror: Option<&'static str>,
}

fn refusal(error: &'static str, code: u32, text: impl Into<String>) -> Refusal {
    Refusal {
        error,
        code,
        text: text.into(),
        suberror: None,
    }
}

/// Scopes of OpenID Connect, never part of a Graph grant.
const OIDC_SCOPES: &[&str] = &["openid", "profile", "email", "offline_access"];

/// The Graph scopes among `scopes` (OpenID Connect ones left out).
pub(crate) fn graph_only(scopes: &ScopeSet) -> Vec<String> {
    scopes
        .iter()
        .map(|s| s.as_str().to_owned())
        .filter(|s| !OIDC_SCOPES.iter().any(|o| o.eq_ignore_ascii_case(s)))
        .collect()
}

/// What a user's sign-in runs into before consent is looked at: disabled account (50057), then a
/// Conditional Access block (53003). Used by the authorize page and by every refresh.
pub(crate) fn account_refusal(shared: &Shared, tenant: usize, user: ObjectId) -> Option<Refusal> {
    let t = shared.tenants.get(tenant)?;
    let status = t.account_status(user);
    if !status.enabled {
        return Some(refusal("invalid_grant", 50057, "The user account is disabled."));
    }
    if status.conditional_access_block {
        return Some(refusal(
            "invalid_grant",
            53003,
            "Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.",
        ));
    }
    None
}

/// The checks of a refresh-token grant after the client and the token itself passed, in order:
/// no service principal (700016), service principal disabled (7000112), user disabled (50057),
/// password changed after the sign-in (50173), Conditional Access block (53003), and scopes no
/// longer covered by the user's and the tenant-wide grant (65001, `suberror: consent_required`).
pub(crate) fn refresh_refusal(
    shared: &Shared,
    tenant: usize,
    client: AppId,
    user: ObjectId,
    auth_time: chrono::DateTime<chrono::Utc>,
    requested: &ScopeSet,
) -> Option<Refusal> {
    let t = shared.tenants.get(tenant)?;
    let tenant_id = t.tenant_id();
    let sp = t.service_principals().into_iter().find(|sp| sp.app_id == client);
    let Some(sp) = sp else {
        return Some(refusal(
            "unauthorized_client",
            700016,
            format!("Application with identifier '{client}' was not found in the directory '{tenant_id}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant."),
        ));
    };
    let name = sp.display_name.clone().unwrap_or_else(|| client.to_string());
    if !sp.account_enabled {
        return Some(refusal(
            "unauthorized_client",
            7000112,
            format!("Application '{client}'({name}) is disabled."),
        ));
    }
    let status = t.account_status(user);
    if !status.enabled {
        return account_refusal(shared, tenant, user);
    }
    if let Some(valid_from) = status.tokens_valid_from.filter(|v| auth_time < *v) {
        return Some(refusal(
            "invalid_grant",
            50173,
            format!(
                "The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password. The grant was issued on '{}' and the TokensValidFrom date (before which tokens are not valid) for this user is '{}'.",
                auth_time.format("%Y-%m-%dT%H:%M:%S%.3fZ"),
                valid_from.format("%Y-%m-%dT%H:%M:%S%.3fZ"),
            ),
        ));
    }
    if let Some(r) = account_refusal(shared, tenant, user) {
        return Some(r);
    }
    let held = t.granted_scopes(user, &client).unwrap_or_default();
    let missing: Vec<String> = graph_only(requested)
        .into_iter()
        .filter(|s| !held.iter().any(|h| h.as_str().eq_ignore_ascii_case(s)))
        .collect();
    if !missing.is_empty() {
        return Some(Refusal {
            error: "invalid_grant",
            code: 65001,
            text: format!(
                "The user or administrator has not consented to use the application with ID '{client}' named '{name}'. Send an interactive authorization request for this user and resource."
            ),
            suberror: Some("consent_required"),
        });
    }
    None
}
