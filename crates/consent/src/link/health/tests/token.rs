//! Token-endpoint answers (refresh or code redemption), one outcome after another.

use std::time::Duration;

use super::*;
use crate::link::health::MAX_RETRY_AFTER;

#[test]
fn consent_revoked_on_refresh_after_the_grant_was_deleted() {
    let h = LinkHealth::from_token_error(&token_body("invalid_grant", &[65001], Some("consent_required")));
    assert_health(&h, HealthOutcome::ConsentRevoked, WhoActs::User, "AADSTS65001");
    assert_eq!(h.error.as_deref(), Some("invalid_grant"));
    // Without codes, the suberror alone says the same.
    let h = LinkHealth::from_token_error(&token_body("invalid_grant", &[], Some("consent_required")));
    assert_health(&h, HealthOutcome::ConsentRevoked, WhoActs::User, "invalid_grant");
}

#[test]
fn reauth_required_for_revoked_expired_or_interactive_grants() {
    for (error, code) in [
        ("invalid_grant", 50173),
        ("invalid_grant", 50133),
        ("invalid_grant", 700082),
        ("invalid_grant", 70043),
        ("invalid_grant", 70008),
        ("invalid_grant", 70000),
        ("invalid_grant", 50076),
        ("interaction_required", 50079),
        ("invalid_grant", 50079),
        ("interaction_required", 50158),
        ("invalid_grant", 50055),
    ] {
        assert_health(
            &token(error, &[code]),
            HealthOutcome::ReauthRequired,
            WhoActs::User,
            &format!("AADSTS{code}"),
        );
    }
    assert_health(
        &token("invalid_grant", &[]),
        HealthOutcome::ReauthRequired,
        WhoActs::User,
        "invalid_grant",
    );
    assert_health(
        &token("interaction_required", &[]),
        HealthOutcome::ReauthRequired,
        WhoActs::User,
        "interaction_required",
    );
}

#[test]
fn reauth_caused_by_the_vendor_says_vendor() {
    for code in [700084, 9002313, 54005] {
        assert_health(
            &token("invalid_grant", &[code]),
            HealthOutcome::ReauthRequired,
            WhoActs::Vendor,
            &format!("AADSTS{code}"),
        );
    }
}

#[test]
fn account_unavailable_for_disabled_missing_or_locked_users() {
    for code in [50057, 50034, 50053, 50020] {
        assert_health(
            &token("invalid_grant", &[code]),
            HealthOutcome::AccountUnavailable,
            WhoActs::Admin,
            &format!("AADSTS{code}"),
        );
    }
}

#[test]
fn blocked_by_policy_for_conditional_access() {
    for (error, code) in [
        ("invalid_grant", 53003),
        ("interaction_required", 53000),
        ("invalid_grant", 53001),
        ("invalid_grant", 530003),
    ] {
        assert_health(
            &token(error, &[code]),
            HealthOutcome::BlockedByPolicy,
            WhoActs::Admin,
            &format!("AADSTS{code}"),
        );
    }
}

#[test]
fn scopes_missing_when_a_refresh_asks_for_what_needs_an_admin() {
    for code in [90094, 90095] {
        assert_health(
            &token("invalid_grant", &[code]),
            HealthOutcome::ScopesMissing,
            WhoActs::Admin,
            &format!("AADSTS{code}"),
        );
    }
}

#[test]
fn app_disabled_and_app_not_in_tenant() {
    assert_health(
        &token("unauthorized_client", &[7000112]),
        HealthOutcome::AppDisabled,
        WhoActs::Admin,
        "AADSTS7000112",
    );
    assert_health(
        &token("unauthorized_client", &[700016]),
        HealthOutcome::AppNotInTenant,
        WhoActs::Admin,
        "AADSTS700016",
    );
    assert_health(
        &token("invalid_request", &[700011]),
        HealthOutcome::AppNotInTenant,
        WhoActs::Admin,
        "AADSTS700011",
    );
    assert_health(
        &token("unauthorized_client", &[]),
        HealthOutcome::AppNotInTenant,
        WhoActs::Admin,
        "unauthorized_client",
    );
}

#[test]
fn client_credentials_invalid_is_the_vendors() {
    for code in [7000215, 7000222, 700027] {
        let h = LinkHealth::from_token_response(401, &token_body("invalid_client", &[code], None), None);
        assert_health(
            &h,
            HealthOutcome::ClientCredentialsInvalid,
            WhoActs::Vendor,
            &format!("AADSTS{code}"),
        );
        assert_eq!(h.status, Some(401));
    }
    assert_health(
        &token("invalid_client", &[]),
        HealthOutcome::ClientCredentialsInvalid,
        WhoActs::Vendor,
        "invalid_client",
    );
}

#[test]
fn transient_keeps_retry_after_and_other_outcomes_drop_it() {
    let h = LinkHealth::from_token_response(
        503,
        &token_body("temporarily_unavailable", &[], None),
        Some(Duration::from_secs(30)),
    );
    assert_health(&h, HealthOutcome::Transient, WhoActs::Nobody, "temporarily_unavailable");
    assert_eq!(h.retry_after, Some(Duration::from_secs(30)));
    // An HTML error page from a proxy: the status decides.
    let h = LinkHealth::from_token_response(429, "<html>Too Many Requests</html>", Some(Duration::from_secs(999_999)));
    assert_health(&h, HealthOutcome::Transient, WhoActs::Nobody, "HTTP 429");
    assert_eq!(h.retry_after, Some(MAX_RETRY_AFTER), "capped");
    let h = LinkHealth::from_token_response(400, &token_body("invalid_grant", &[50173], None), Some(Duration::from_secs(5)));
    assert_eq!(h.retry_after, None);
}

#[test]
fn unknown_keeps_the_code_and_a_bounded_description() {
    let h = token("invalid_request", &[90002]);
    assert_health(&h, HealthOutcome::Unknown, WhoActs::Vendor, "AADSTS90002");
    assert!(h.description.as_deref().unwrap().contains("Trace ID: 0c7d"));
    assert_eq!(h.error_codes, vec![90002]);
    let h = LinkHealth::from_token_error("not json");
    assert_eq!((h.outcome, h.code.as_deref()), (HealthOutcome::Unknown, None));
    let h = LinkHealth::from_token_response(500, "", None);
    assert_health(&h, HealthOutcome::Unknown, WhoActs::Vendor, "HTTP 500");
}

#[test]
fn the_first_known_code_decides_then_suberror_then_error() {
    // Microsoft lists [70002, 54005] together; 70002 is not in the table, 54005 is.
    let h = token("invalid_grant", &[70002, 54005]);
    assert_health(&h, HealthOutcome::ReauthRequired, WhoActs::Vendor, "AADSTS54005");
    // A code in the description only, as the callback classifier reads it.
    let body = r#"{"error":"invalid_grant","error_description":"AADSTS50057: The user account is disabled."}"#;
    assert_health(
        &LinkHealth::from_token_error(body),
        HealthOutcome::AccountUnavailable,
        WhoActs::Admin,
        "AADSTS50057",
    );
    // The code beats the error value and the suberror.
    let h = LinkHealth::from_token_error(&token_body("invalid_client", &[53003], Some("basic_action")));
    assert_eq!(h.outcome, HealthOutcome::BlockedByPolicy);
    // An unknown code with a known suberror: the suberror decides, the code is quoted.
    let h = LinkHealth::from_token_error(&token_body("invalid_grant", &[12345], Some("basic_action")));
    assert_health(&h, HealthOutcome::ReauthRequired, WhoActs::User, "AADSTS12345");
}

#[test]
fn a_2xx_token_answer_is_healthy() {
    assert_eq!(LinkHealth::from_token_response(200, "{}", None), LinkHealth::healthy());
}
