//! Policy semantics: the admin consent request policy as Graph stores it (Microsoft Learn: "adminConsentRequestPolicy resource type"; "our choice where the documentation is silent").

use consent::{AdminConsentRequestPolicy, ConsentGraph, ObjectId, PolicyChange, Reviewer};
use consent_mock::{demo, DirectoryRole, Preset};

use crate::check::{ensure, expect_eq, expect_invalid_input, expect_state, StepExt};
use crate::fixture::Fixture;
use crate::{Harness, Outcome};

fn enabled(reviewers: Vec<Reviewer>, days: u32, notify: bool, version: u32) -> AdminConsentRequestPolicy {
    AdminConsentRequestPolicy {
        is_enabled: true,
        notify_reviewers: notify,
        reminders_enabled: notify,
        request_duration_in_days: days,
        reviewers,
        version,
    }
}

/// A tenant that never configured the workflow reads as disabled, no reviewers, version 0 (not NotFound).
pub async fn policy_never_configured_reads_disabled_version_0(h: &dyn Harness) -> Outcome {
    let f = Fixture::new(h, Preset::MicrosoftManaged);
    let policy = f.admin().get_request_policy().await.step("read the policy")?;
    expect_eq("never-configured policy", AdminConsentRequestPolicy::never_configured(), policy)
}

/// PUT replaces the whole object (nothing of the previous one survives) and the service bumps `version`, ignoring the one sent.
pub async fn policy_put_replaces_whole_object_and_bumps_version(h: &dyn Harness) -> Outcome {
    let f = Fixture::new(h, Preset::UserConsentDisabled);
    let admin = f.admin();
    let first = enabled(
        vec![Reviewer::User(demo::ADMIN_ID), Reviewer::Group(demo::REVIEWERS_GROUP_ID)],
        14,
        true,
        77,
    );
    admin.put_request_policy(&first).await.step("first PUT")?;
    let v1 = admin.get_request_policy().await.step("read after first PUT")?;
    ensure(v1.version >= 1 && v1.version != 77, || {
        format!(
            "version after first PUT: expected a service-assigned version >= 1 (the 77 sent is ignored), got {}",
            v1.version
        )
    })?;
    expect_eq(
        "policy after first PUT",
        AdminConsentRequestPolicy {
            version: v1.version,
            ..first
        },
        v1.clone(),
    )?;

    let second = AdminConsentRequestPolicy {
        is_enabled: true,
        notify_reviewers: false,
        reminders_enabled: false,
        request_duration_in_days: 7,
        reviewers: vec![Reviewer::User(demo::PRA_ID)],
        version: 0,
    };
    admin.put_request_policy(&second).await.step("second PUT")?;
    let v2 = admin.get_request_policy().await.step("read after second PUT")?;
    expect_eq(
        "policy after second PUT (whole object replaced)",
        AdminConsentRequestPolicy {
            version: v2.version,
            ..second
        },
        v2.clone(),
    )?;
    expect_eq("version after second PUT", v1.version + 1, v2.version)
}

/// `enable_requests` turns the workflow on with the reviewers asked for and keeps every other field as it was.
pub async fn enable_requests_changes_only_what_was_asked(h: &dyn Harness) -> Outcome {
    let f = Fixture::new(h, Preset::UserConsentDisabled);
    // A tenant that configured the workflow once and switched it off: 14 days, reminders on, no emails.
    let before = AdminConsentRequestPolicy {
        is_enabled: false,
        notify_reviewers: false,
        reminders_enabled: true,
        request_duration_in_days: 14,
        reviewers: vec![Reviewer::User(demo::ADMIN_ID)],
        version: 0,
    };
    f.tenant
        .as_admin()
        .put_request_policy(&before)
        .await
        .step("arrange: a switched-off policy")?;
    let stored = f.policy_truth().await?;
    let disabled = expect_state!(f.observe("before enabling").await?, RequestsDisabled, "before enabling");
    let group = Reviewer::Group(demo::REVIEWERS_GROUP_ID);
    let change = PolicyChange::enable_with(vec![group]);
    let enabled = disabled.enable_requests(&*f.admin(), change).await.step("enable requests")?;
    expect_eq("reviewers on the returned handle", vec![group], enabled.details().reviewers.clone())?;
    let after = f.policy_truth().await?;
    let want = AdminConsentRequestPolicy {
        is_enabled: true,
        reviewers: vec![group],
        version: stored.version + 1,
        ..stored
    };
    expect_eq("policy after enabling (only isEnabled and reviewers changed)", want, after)
}

/// Enabling requests without a reviewer is refused with InvalidInput naming `reviewers`, and nothing is written.
pub async fn enable_without_reviewers_is_refused(h: &dyn Harness) -> Outcome {
    let f = Fixture::new(h, Preset::UserConsentDisabled);
    let disabled = expect_state!(f.observe("before enabling").await?, RequestsDisabled, "before enabling");
    let result = disabled.enable_requests(&*f.admin(), PolicyChange::enable_with(Vec::new())).await;
    expect_invalid_input("enable requests with no reviewer", result, "reviewers")?;
    expect_eq(
        "policy after the refused enable",
        AdminConsentRequestPolicy::never_configured(),
        f.policy_truth().await?,
    )
}

/// User, group and role reviewers survive a write and a read, in order, as the same three queries.
pub async fn reviewer_kinds_round_trip(h: &dyn Harness) -> Outcome {
    let f = Fixture::new(h, Preset::UserConsentDisabled);
    let role: ObjectId = DirectoryRole::CloudApplicationAdministrator.template_id();
    let reviewers = vec![
        Reviewer::User(demo::EVA_ID),
        Reviewer::Group(demo::REVIEWERS_GROUP_ID),
        Reviewer::Role(role),
    ];
    let admin = f.admin();
    admin
        .put_request_policy(&enabled(reviewers.clone(), 30, true, 0))
        .await
        .step("PUT three reviewer kinds")?;
    let read = admin.get_request_policy().await.step("read the policy back")?;
    expect_eq("reviewers read back", reviewers.clone(), read.reviewers.clone())?;
    let queries: Vec<String> = read.reviewers.iter().map(Reviewer::to_query).collect();
    let parsed: Vec<Reviewer> = queries
        .iter()
        .map(|q| Reviewer::from_query(q))
        .collect::<consent::Result<_>>()
        .step("re-parse queries")?;
    expect_eq("reviewers re-parsed from their queries", reviewers, parsed)
}
