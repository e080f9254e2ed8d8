//! Graph answers to the first calendar call, one outcome after another.

use std::time::Duration;

use super::*;

#[test]
fn a_2xx_is_healthy_whatever_the_body() {
    for status in [200, 204] {
        let h = LinkHealth::from_graph_error(status, "not even json", None);
        assert_eq!(h, LinkHealth::healthy());
        assert_eq!((h.who_acts, h.code.as_deref()), (WhoActs::Nobody, None));
    }
}

#[test]
fn mailbox_unavailable_by_code_or_by_the_documented_message() {
    let kb = "REST API is not yet supported for this mailbox.";
    let newer = "The mailbox is either inactive, soft-deleted, or is hosted on-premise.";
    for (code, message) in [
        ("MailboxNotEnabledForRESTAPI", kb),
        ("MailboxNotEnabledForRESTAPI", newer),
        ("MailboxNotSupportedForRESTAPI", "x"),
        ("ResourceNotFound", "Resource could not be discovered."),
        ("ErrorInvalidUser", newer),
    ] {
        assert_health(&graph(404, code, message), HealthOutcome::MailboxUnavailable, WhoActs::Admin, code);
    }
}

#[test]
fn reauth_required_on_a_401() {
    for message in [
        "Access token has expired or is not yet valid.",
        "Continuous access evaluation resulted in challenge with result: InteractionRequired and code: TokenIssuedBeforeRevocationTimestamp",
    ] {
        let h = graph(401, "InvalidAuthenticationToken", message);
        assert_health(&h, HealthOutcome::ReauthRequired, WhoActs::User, "InvalidAuthenticationToken");
        assert_eq!(h.source, Some(super::super::HealthSource::Graph));
    }
    assert_health(
        &LinkHealth::from_graph_error(401, "", None),
        HealthOutcome::ReauthRequired,
        WhoActs::User,
        "HTTP 401",
    );
}

#[test]
fn scopes_missing_on_access_denied_and_blocked_by_an_access_policy() {
    let h = graph(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.");
    assert_health(&h, HealthOutcome::ScopesMissing, WhoActs::User, "ErrorAccessDenied");
    let h = graph(
        403,
        "Authorization_RequestDenied",
        "Insufficient privileges to complete the operation.",
    );
    assert_health(&h, HealthOutcome::ScopesMissing, WhoActs::User, "Authorization_RequestDenied");
    let h = graph(403, "ErrorAccessDenied", "Access to OData is disabled.");
    assert_health(&h, HealthOutcome::BlockedByPolicy, WhoActs::Admin, "ErrorAccessDenied");
}

#[test]
fn transient_on_throttling_unavailability_and_mailbox_moves() {
    let wait = Some(Duration::from_secs(7));
    for (status, code) in [
        (429, "TooManyRequests"),
        (429, "ApplicationThrottled"),
        (503, "UnknownError"),
        (503, "generalException"),
        (503, "MailboxInfoStale"),
        (500, "ErrorMailboxMoveInProgress"),
        (500, "ErrorMailboxStoreUnavailable"),
        (504, "GatewayTimeout"),
    ] {
        let h = LinkHealth::from_graph_error(status, &graph_body(code, ""), wait);
        assert_health(&h, HealthOutcome::Transient, WhoActs::Nobody, code);
        assert_eq!(h.retry_after, wait, "{code}");
    }
    let h = LinkHealth::from_graph_error(504, "", None);
    assert_health(&h, HealthOutcome::Transient, WhoActs::Nobody, "HTTP 504");
    assert_eq!(h.retry_after, None);
}

#[test]
fn unknown_keeps_the_graph_code_and_message_bounded() {
    let h = graph(404, "ErrorItemNotFound", "The specified object was not found in the store.");
    assert_health(&h, HealthOutcome::Unknown, WhoActs::Vendor, "ErrorItemNotFound");
    assert!(h.description.as_deref().unwrap().starts_with("The specified object"));
    assert_eq!(h.status, Some(404));
    assert_health(
        &LinkHealth::from_graph_error(500, "oops", None),
        HealthOutcome::Unknown,
        WhoActs::Vendor,
        "HTTP 500",
    );
}

#[test]
fn the_message_decides_only_for_its_documented_fragments() {
    // A 404 whose message merely mentions a mailbox is not a missing mailbox.
    let h = graph(404, "ErrorItemNotFound", "The mailbox folder was not found.");
    assert_eq!(h.outcome, HealthOutcome::Unknown);
}
