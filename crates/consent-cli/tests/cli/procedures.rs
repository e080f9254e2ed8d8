//! The three procedures, end to end through the binary on the mock, plus the other lifecycles a
//! request can take (denied, blocked, expired).

use crate::common::{strings, Mock, APP, REVIEWERS_GROUP};
use predicates::prelude::*;

#[test]
fn enable_request_approve_on_a_microsoft_managed_tenant() {
    let m = Mock::preset("microsoft-managed");

    // Before: users hit AADSTS90094 and cannot even ask.
    let s = m.json(&["status", "--app", APP], 3);
    assert_eq!(s["state"], "requests_disabled");
    assert_eq!(s["users_can_link"], false);

    // Procedure 1: the admin enables consent requests.
    let reviewer = format!("group:{REVIEWERS_GROUP}");
    let p = m.json(&["policy", "enable", "--reviewer", &reviewer, "--duration-days", "14"], 0);
    assert_eq!(p["changed"], true);
    assert_eq!(p["request_policy"]["enabled"], true);
    assert_eq!(p["request_policy"]["request_duration_in_days"], 14);
    assert_eq!(p["request_policy"]["reviewers"][0]["spec"], reviewer);
    assert_eq!(p["request_policy"]["reviewers"][0]["name"], "Consent Reviewers");
    assert_eq!(p["previous"]["enabled"], false);
    assert_eq!(m.json(&["status", "--app", APP], 3)["state"], "requests_enabled");

    // Procedure 2: Eva asks, with a justification.
    let why = "I schedule interviews and need them in Outlook";
    let r = m.submit("eva@contoso.example", why);
    assert_eq!(r["command"], "requests submit");
    assert_eq!(r["request"]["status"], "pending");
    assert_eq!(r["request"]["user_requests"][0]["reason"], why);
    assert_eq!(
        r["request"]["user_requests"][0]["requester"]["user_principal_name"],
        "eva@contoso.example"
    );
    let pending = m.json(&["requests", "list", "--status", "pending"], 0);
    assert_eq!(pending["count"], 1);
    assert_eq!(m.json(&["status", "--app", APP], 3)["state"], "pending");

    // Procedure 3: the admin approves tenant-wide; everyone can link.
    let a = m.json(&["approve", "--app", APP], 0);
    assert_eq!(a["previous_state"], "pending");
    assert_eq!(a["grant"]["changed"], true);
    assert_eq!(a["grant"]["created_service_principal"], true);
    assert_eq!(a["grant"]["grants_created"], 1);
    assert_eq!(a["status"]["state"], "approved");
    assert_eq!(a["completion"]["all_users_can_link"], true);
    assert_eq!(
        strings(&a["completion"]["granted"]),
        ["Calendars.ReadWrite", "User.Read", "offline_access"]
    );

    // Completion: status says so, the request is settled as approved, and approving again is a no-op.
    let done = m.json(&["status", "--app", APP], 0);
    assert_eq!(done["state"], "approved");
    assert!(strings(&done["coverage"]["missing"]).is_empty());
    let closed = m.json(&["requests", "list", "--status", "completed"], 0);
    assert_eq!(closed["requests"][0]["user_requests"][0]["outcome"], "approved");
    assert_eq!(m.json(&["requests", "list", "--status", "pending"], 0)["count"], 0);
    let again = m.json(&["approve", "--app", APP], 0);
    assert_eq!(again["grant"]["changed"], false);
}

#[test]
fn human_output_walks_the_same_procedures() {
    let m = Mock::preset("user-consent-disabled");
    m.run(&["status", "--app", APP])
        .code(3)
        .stdout(predicate::str::contains("requests_disabled").and(predicate::str::contains("Users can request admin consent")));
    m.run(&["policy", "enable", "--reviewer", &format!("group:{REVIEWERS_GROUP}")])
        .success()
        .stdout(predicate::str::contains("Policy updated"));
    m.run(&[
        "requests",
        "submit",
        "--as",
        "sam@contoso.example",
        "--app",
        APP,
        "--justification",
        "Interviews",
    ])
    .success()
    .stdout(predicate::str::contains("Request submitted"));
    m.run(&["approve", "--app", APP])
        .success()
        .stdout(predicate::str::contains("Tenant-wide consent granted").and(predicate::str::contains("Every employee can link")));
    m.run(&["approve", "--app", APP])
        .success()
        .stdout(predicate::str::contains("nothing written"));
}

#[test]
fn a_reviewer_denies_and_the_user_asks_again() {
    let m = Mock::preset("workflow-on");
    let sub = m.submit("eva@contoso.example", "Calendar sync");
    let id = sub["request"]["id"].as_str().unwrap().to_owned();

    let d = m.json(
        &[
            "--as",
            "cloudadmin@contoso.example",
            "requests",
            "deny",
            &id,
            "--justification",
            "Use the shared calendar",
        ],
        0,
    );
    assert_eq!(d["command"], "requests deny");
    assert_eq!(d["decision"], "deny");
    assert_eq!(d["request"]["user_requests"][0]["outcome"], "denied");
    assert_eq!(d["request"]["user_requests"][0]["review_justification"], "Use the shared calendar");

    let s = m.json(&["status", "--app", APP], 3);
    assert_eq!(s["state"], "denied");
    assert_eq!(s["details"]["can_request_again"], true);

    let again = m.submit("eva@contoso.example", "Please reconsider");
    assert_eq!(again["request"]["status"], "pending");
    assert_eq!(m.json(&["status", "--app", APP], 3)["state"], "pending");
}

#[test]
fn a_blocked_app_cannot_be_approved_by_the_cli() {
    let m = Mock::preset("workflow-on");
    let sub = m.submit("eva@contoso.example", "Calendar sync");
    let id = sub["request"]["id"].as_str().unwrap().to_owned();
    m.json(
        &[
            "--as",
            "cloudadmin@contoso.example",
            "requests",
            "deny",
            &id,
            "--block",
            "--justification",
            "Not approved software",
        ],
        0,
    );
    assert_eq!(m.json(&["status", "--app", APP], 3)["state"], "blocked");
    let err = m.json(&["approve", "--app", APP], 1);
    assert_eq!(err["error"]["kind"], "invalid_transition");
    assert!(err["error"]["message"].as_str().unwrap().contains("Enabled for users to sign in"));
}

#[test]
fn an_undecided_request_expires_when_the_clock_passes_its_duration() {
    let m = Mock::preset("workflow-on");
    m.submit("eva@contoso.example", "Calendar sync");
    let adv = m.json(&["mock", "clock", "advance", "--days", "31"], 0);
    assert_eq!(adv["command"], "mock clock advance");
    assert_eq!(adv["advanced_by_hours"], 31 * 24);
    let kinds: Vec<&str> = adv["new_notifications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"expired"), "{kinds:?}");
    assert_eq!(m.json(&["status", "--app", APP], 3)["state"], "expired");
    assert_eq!(m.json(&["requests", "list", "--status", "expired"], 0)["count"], 1);
    assert_eq!(m.json(&["requests", "list", "--status", "pending"], 0)["count"], 0);
}

#[test]
fn requests_show_returns_one_request_and_unknown_ids_are_not_found() {
    let m = Mock::preset("workflow-on");
    let sub = m.submit("eva@contoso.example", "Calendar sync");
    let id = sub["request"]["id"].as_str().unwrap().to_owned();
    let shown = m.json(&["requests", "show", &id], 0);
    assert_eq!(shown["command"], "requests show");
    assert_eq!(shown["request"]["id"], id.as_str());
    assert_eq!(shown["request"]["app_id"], APP);
    assert_eq!(strings(&shown["request"]["pending_scopes"]).len(), 3);
    let missing = m.json(&["requests", "show", "no-such-request"], 1);
    assert_eq!(missing["error"]["kind"], "not_found");
    assert!(missing["error"]["hint"].as_str().unwrap().contains("requests list"));
}

#[test]
fn guide_renders_for_one_audience_as_text_or_markdown() {
    let m = Mock::preset("microsoft-managed");
    let g = m.json(&["guide", "--app", APP, "--audience", "admin", "--markdown"], 0);
    assert_eq!(g["state"], "requests_disabled");
    assert_eq!(g["audience"], "admin");
    assert_eq!(g["format"], "markdown");
    let steps = g["guidance"]["steps"].as_array().unwrap();
    assert!(!steps.is_empty() && steps.iter().all(|s| s["audience"] == "admin"));
    assert!(g["text"].as_str().unwrap().starts_with("### "));
    m.run(&["guide", "--app", APP, "--audience", "user"])
        .success()
        .stdout(predicate::str::contains("What you (the user) do").and(predicate::str::contains("What your administrator does").not()));
}

#[test]
fn apps_other_than_the_demo_need_scopes() {
    let m = Mock::preset("workflow-on");
    let other = "11111111-2222-4333-8444-555555555555";
    m.run(&["status", "--app", other])
        .code(2)
        .stderr(predicate::str::contains("--scopes is required"));
    // Unknown to the tenant: the mock refuses the request as Entra would (the app is not published).
    let err = m.json(
        &[
            "requests",
            "submit",
            "--as",
            "eva@contoso.example",
            "--app",
            other,
            "--scopes",
            "User.Read",
            "--justification",
            "x",
        ],
        1,
    );
    assert!(err["error"]["kind"].is_string());
}
