//! The scenarios, one module per area, and the registry that lists them.
//!
//! Every scenario is a `pub async fn name(h: &dyn Harness) -> Outcome` whose one-line doc comment
//! states the expected behaviour. The registry repeats that line for reports; a unit test below
//! checks that the two agree and that no scenario is left unregistered.

pub mod completion;
pub mod decisions;
pub mod drift;
pub mod grants;
pub mod lifecycle;
pub mod permissions;
pub mod policy;
pub mod stale;

use crate::report::Scenario;

macro_rules! registry {
    ($($group:ident :: $name:ident => $doc:literal),* $(,)?) => {
        vec![$(Scenario {
            name: stringify!($name),
            group: stringify!($group),
            doc: $doc,
            run: |h| Box::pin($group::$name(h)),
        }),*]
    };
}

/// Every scenario of the suite, grouped by area, in a stable order.
pub fn scenarios() -> Vec<Scenario> {
    registry![
        policy::policy_never_configured_reads_disabled_version_0 => "A tenant that never configured the workflow reads as disabled, no reviewers, version 0 (not NotFound).",
        policy::policy_put_replaces_whole_object_and_bumps_version => "PUT replaces the whole object (nothing of the previous one survives) and the service bumps `version`, ignoring the one sent.",
        policy::enable_requests_changes_only_what_was_asked => "`enable_requests` turns the workflow on with the reviewers asked for and keeps every other field as it was.",
        policy::enable_without_reviewers_is_refused => "Enabling requests without a reviewer is refused with InvalidInput naming `reviewers`, and nothing is written.",
        policy::reviewer_kinds_round_trip => "User, group and role reviewers survive a write and a read, in order, as the same three queries.",
        lifecycle::submit_creates_one_app_request => "A submitted request shows through the backend as one app request holding exactly that user's request and reason.",
        lifecycle::two_users_join_the_same_app_request => "A second user asking for the same app joins the same app request; observe lists both requesters.",
        lifecycle::approve_settles_the_request => "Approving a pending request grants tenant-wide and closes every user request as approved.",
        lifecycle::deny_closes_and_user_may_ask_again => "Deny (with a justification) closes the request as denied; the user may ask again, which opens a new pending request.",
        lifecycle::block_disables_the_app_and_refuses_requests => "Block closes the request, disables the app's service principal, and refuses further requests with Conflict.",
        lifecycle::request_expires_after_the_policy_duration => "An undecided request is still pending just before `requestDurationInDays` and expired just after; users may then ask again.",
        lifecycle::late_reviewer_cannot_see_the_request => "A group member who joined before a request was created sees it as assigned to them; one who joined after does not see it.",
        lifecycle::late_reviewer_cannot_review_the_request => "A group member who joined after a request was created cannot deny it (PermissionDenied naming the reviewer rule); it stays pending.",
        permissions::member_cannot_put_policy => "A plain member cannot write the request policy: PermissionDenied naming Cloud Application Administrator, policy unchanged.",
        permissions::cloud_app_admin_cannot_assign_graph_app_roles => "A Cloud Application Administrator cannot assign Microsoft Graph app roles (PermissionDenied naming Privileged Role Administrator); a Global Administrator can.",
        permissions::global_reader_reads_but_cannot_write => "A Global Reader can read the policy, requests and grants (and observe), but every write is refused.",
        permissions::app_only_policy_write_needs_consent_request_permission => "An app-only caller may write the policy with `Policy.ReadWrite.ConsentRequest`; with only `Policy.Read.All` it may read but not write.",
        permissions::non_reviewer_cannot_deny => "Only a designated reviewer may deny a request: a member who is not one gets PermissionDenied and the request stays pending.",
        decisions::allow_user_consent_means_user_consent_allowed => "With \"Allow user consent for apps\", observe says UserConsentAllowed and a user signing in gets the consent page.",
        decisions::user_consent_disabled_means_requests_disabled => "With user consent disabled and no workflow, observe says RequestsDisabled (reason: user consent disabled), guidance cites AADSTS90094, and sign-in answers 90094.",
        decisions::workflow_on_means_requests_enabled => "With the workflow on, observe says RequestsEnabled with the configured reviewers and sign-in offers the request form (90095).",
        decisions::microsoft_managed_default_restricts_calendars => "Under the Microsoft-managed default, Calendars.ReadWrite needs an admin (restricted scope), while an app asking only User.Read is user-consentable.",
        grants::approve_twice_keeps_one_grant => "Approving twice (a pending request, then the same stale handle again) leaves one grant with exactly the app's scopes; re-running the recipe writes nothing.",
        grants::approve_widens_an_existing_subset_grant => "Approving an app that already holds a subset grant PATCHes that same grant to the union (keeping extra scopes); no second grant.",
        grants::concurrent_approvals_make_one_grant => "Eight approvals racing on eight connections all succeed and leave one service principal and one grant.",
        grants::concurrent_approvals_keep_every_scope => "Eight approvals racing, each wanting a different extra scope on an existing grant, all succeed and leave one grant holding the union of all eight.",
        grants::approve_converges_after_lost_grant_create => "An approval whose grant create is applied but answered with a timeout reads back and succeeds; one grant.",
        grants::approve_converges_after_lost_service_principal_create => "An approval whose service-principal create is applied but answered with a timeout reads it back and succeeds; one principal, one grant.",
        grants::approve_converges_after_lost_grant_update => "Widening a grant whose PATCH is applied but answered with a timeout checks the grant and succeeds.",
        grants::approve_converges_after_a_grant_create_landed_then_503 => "An approval whose grant create is applied and then answered 503 reads back and succeeds; one grant with the app's scopes.",
        grants::approve_converges_after_a_concurrency_violation => "Widening a grant whose PATCH meets 409 Directory_ConcurrencyViolation reads back, widens again and succeeds with the union.",
        grants::concurrent_approvals_converge_under_replica_lag => "Two approvals racing while the directory lags (the service principal one creates is invisible to the next 2 reads) both succeed; one principal, one grant.",
        grants::approve_converges_when_a_widened_grant_reads_stale => "A PATCH whose result the next 2 reads do not show yet is not written over blindly: approve reads until it sees it and succeeds with the union.",
        grants::duplicate_grant_is_conflict => "Creating a second AllPrincipals grant for the same client and resource is a Conflict with code Request_MultipleObjectsWithSameKeyValue.",
        grants::grant_update_replaces_scope => "PATCH replaces a grant's scope (it does not merge): narrowing it shows as missing scopes, and re-approving restores them.",
        drift::scope_drift_needs_a_new_approval => "After approval for the old scope set, a release adding a scope observes as not approved with exactly that scope missing; approving again grants the union in the same grant.",
        stale::stale_pending_cannot_be_approved_after_deny => "Approving a saved Pending handle after another reviewer denied the request fails with InvalidTransition (state denied) and grants nothing.",
        stale::stale_disabled_cannot_enable_after_another_admin_did => "Enabling requests from a saved RequestsDisabled handle after another admin enabled them fails with InvalidTransition and leaves their policy alone.",
        stale::stale_pending_approve_after_approval_is_idempotent => "Approving a saved Pending handle after another admin approved is idempotent: it returns Approved and the tenant still has one grant.",
        stale::stale_enabled_cannot_request_after_workflow_off => "Requesting from a saved RequestsEnabled handle after an admin switched the workflow off fails with InvalidTransition; no request is created.",
        completion::second_user_links_without_admin_after_approval => "The three procedures end to end: after the reviewer approves Eva's request, Sam (who never asked) signs in with AlreadyGranted and `verify` says all users can link.",
        completion::verify_detects_a_revoked_scope => "`verify` notices when a scope is revoked after approval: not all users can link, and the revoked scope is missing.",
        completion::a_users_own_consent_is_not_tenant_wide => "Users who consented for themselves are not tenant-wide consent: with only a user's own grant, the app is not approved and others still need an admin.",
        completion::revoke_returns_the_tenant_to_needing_approval => "Revoking tenant-wide consent removes the app's tenant-wide grant: observe is back to RequestsDisabled, Eva's sign-in answers 90094 again, and a second revoke removes nothing.",
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    const SOURCES: &[(&str, &str)] = &[
        ("completion", include_str!("completion.rs")),
        ("decisions", include_str!("decisions.rs")),
        ("drift", include_str!("drift.rs")),
        ("grants", include_str!("grants.rs")),
        ("lifecycle", include_str!("lifecycle.rs")),
        ("permissions", include_str!("permissions.rs")),
        ("policy", include_str!("policy.rs")),
        ("stale", include_str!("stale.rs")),
    ];

    fn source(group: &str) -> &'static str {
        SOURCES.iter().find(|(g, _)| *g == group).map(|(_, s)| *s).unwrap_or_default()
    }

    #[test]
    fn registry_doc_is_the_functions_doc_comment() {
        for s in scenarios() {
            // The source escapes nothing in a doc comment; the registry literal's `\"` is a plain quote.
            let wanted = format!("/// {}\npub async fn {}(h: &dyn Harness) -> Outcome", s.doc, s.name);
            assert!(
                source(s.group).contains(&wanted),
                "{}::{}: registry doc differs from the doc comment",
                s.group,
                s.name
            );
        }
    }

    #[test]
    fn every_scenario_function_is_registered_once() {
        let all = scenarios();
        for (group, src) in SOURCES {
            let defined = src.matches("\npub async fn ").count();
            let registered = all.iter().filter(|s| s.group == *group).count();
            assert_eq!(
                defined, registered,
                "{group}: {defined} scenario functions, {registered} registered"
            );
        }
        let mut names: Vec<_> = all.iter().map(|s| s.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), all.len(), "scenario names must be unique");
        assert!(all.len() >= 25, "the suite promises at least 25 scenarios, has {}", all.len());
    }
}
