//! The request lifecycle: submit, join, approve, deny, block, expire, and who may see a request
//! (Microsoft Learn: "appConsentRequest resource type"; "Review admin consent requests").

use chrono::Duration;
use consent::{ObjectId, RequestFilter, RequestOutcome, UserRequestStatus};
use consent_mock::{demo, Preset};

use crate::check::{ensure, expect_conflict, expect_eq, expect_permission_denied, expect_state, require_review, Step, StepExt};
use crate::fixture::{justification, Fixture};
use crate::{Harness, Outcome};

const WHY_EVA: &str = "I schedule interviews and need them in my Outlook calendar";
const WHY_SAM: &str = "Same for me: candidate meetings go into Outlook";

fn for_app(f: &Fixture<'_>) -> RequestFilter {
    RequestFilter {
        app_id: Some(f.app.app_id),
        pending_only: false,
    }
}

/// A submitted request shows through the backend as one app request holding exactly that user's request and reason.
pub async fn submit_creates_one_app_request(h: &dyn Harness) -> Outcome {
    let f = Fixture::new(h, Preset::WorkflowOn);
    f.file_request(demo::EVA_ID, WHY_EVA).await?;
    let admin = f.admin();
    let apps = admin.list_app_consent_requests(&for_app(&f)).await.step("list app requests")?;
    expect_eq("app requests for the app", 1, apps.len())?;
    expect_eq("pending scopes", f.app.delegated_scopes(), apps[0].pending_scope_set())?;
    let users = admin.list_user_consent_requests(&apps[0].id).await.step("list user requests")?;
    expect_eq("user requests", 1, users.len())?;
    expect_eq("requester", Some(demo::EVA_ID), users[0].requester())?;
    expect_eq("reason", Some(WHY_EVA), users[0].reason.as_deref())?;
    expect_eq("status", UserRequestStatus::InProgress, users[0].status)
}

/// A second user asking for the same app joins the same app request; observe lists both requesters.
pub async fn two_users_join_the_same_app_request(h: &dyn Harness) -> Outcome {
    let f = Fixture::new(h, Preset::WorkflowOn);
    let first = f.file_request(demo::EVA_ID, WHY_EVA).await?;
    let second = f.file_request(demo::SAM_ID, WHY_SAM).await?;
    expect_eq("app request joined by the second user", first.id.clone(), second.id)?;
    let apps = f.admin().list_app_consent_requests(&for_app(&f)).await.step("list app requests")?;
    expect_eq("app requests for the app", 1, apps.len())?;
    let pending = expect_state!(f.observe("after two requests").await?, Pending, "after two requests");
    let who: Vec<_> = pending.details().requesters.iter().map(|r| r.user_id).collect();
    expect_eq("requesters, oldest first", vec![Some(demo::EVA_ID), Some(demo::SAM_ID)], who)?;
    expect_eq("request id on the handle", first.id, pending.details().request_id.clone())
}

/// Approving a pending request grants tenant-wide and closes every user request as approved.
pub async fn approve_settles_the_request(h: &dyn Harness) -> Outcome {
    let f = Fixture::new(h, Preset::WorkflowOn);
    f.file_request(demo::EVA_ID, WHY_EVA).await?;
    let pending = expect_state!(f.observe("after the request").await?, Pending, "after the request");
    pending.approve(&*f.admin()).await.step("approve")?;
    expect_state!(f.observe("after approving").await?, Approved, "after approving");
    for (_, users) in f.requests_truth().await? {
        for u in users {
            expect_eq("user request status after approval", UserRequestStatus::Completed, u.status)?;
            expect_eq("user request outcome after approval", RequestOutcome::Approved, u.outcome())?;
        }
    }
    Ok(())
}

/// Deny (with a justification) closes the request as denied; the user may ask again, which opens a new pending request.
pub async fn deny_closes_and_user_may_ask_again(h: &dyn Harness) -> Outcome {
    let f = Fixture::new(h, Preset::WorkflowOn);
    let reviewer = f.user(demo::CLOUD_ADMIN_ID);
    require_review(&*reviewer, "a denied request closes and the user may ask again")?;
    f.file_request(demo::EVA_ID, WHY_EVA).await?;
    let pending = expect_state!(f.observe("after the request").await?, Pending, "after the request");
    let why = "Use the approved scheduling tool instead";
    pending.deny(&*reviewer, justification(why)?).await.step("deny")?;
    let denied = expect_state!(f.observe("after denying").await?, Denied, "after denying");
    expect_eq("reviewer's justification", Some(why), denied.details().justification.as_deref())?;
    ensure(denied.details().can_request_again, || {
        "after denying: expected can_request_again".to_owned()
    })?;
    expect_eq("grants after a denial", 0, f.tenant_wide_grants().await?.len())?;
    f.file_request(demo::EVA_ID, "Asking again: interviews are moving to Outlook")
        .await?;
    expect_state!(f.observe("after asking again").await?, Pending, "after asking again");
    Ok(())
}

/// Block closes the request, disables the app's service principal, and refuses further requests with Conflict.
pub async fn block_disables_the_app_and_refuses_requests(h: &dyn Harness) -> Outcome {
    let f = Fixture::new(h, Preset::WorkflowOn);
    let reviewer = f.user(demo::CLOUD_ADMIN_ID);
    require_review(&*reviewer, "a blocked app refuses further requests")?;
    f.file_request(demo::EVA_ID, WHY_EVA).await?;
    let pending = expect_state!(f.observe("after the request").await?, Pending, "after the request");
    let blocked = pending
        .block(&*reviewer, justification("Not an approved vendor")?)
        .await
        .step("block")?;
    expect_state!(f.observe("after blocking").await?, Blocked, "after blocking");
    let sp = f.client_truth().await?;
    expect_eq(
        "blocked app's service principal",
        Some((blocked.details().service_principal_id, false)),
        sp.map(|s| (s.id, s.account_enabled)),
    )?;
    let again = f.try_file_request(demo::SAM_ID, WHY_SAM).await;
    expect_conflict("a request for a blocked app", again, None).map(drop)
}

/// An undecided request is still pending just before `requestDurationInDays` and expired just after; users may then ask again.
pub async fn request_expires_after_the_policy_duration(h: &dyn Harness) -> Outcome {
    let f = Fixture::new(h, Preset::WorkflowOn);
    let days = i64::from(f.policy_truth().await?.request_duration_in_days);
    f.file_request(demo::EVA_ID, WHY_EVA).await?;
    f.tenant.advance(Duration::days(days) - Duration::hours(1));
    let pending = expect_state!(f.observe("an hour before expiry").await?, Pending, "an hour before expiry");
    let expires = pending.details().expires_at;
    ensure(expires.is_some_and(|t| t > f.admin().now()), || {
        format!("an hour before expiry: expected expires_at in the future, got {expires:?}")
    })?;
    f.tenant.advance(Duration::hours(2));
    let expired = expect_state!(f.observe("an hour after expiry").await?, Expired, "an hour after expiry");
    ensure(expired.details().can_request_again, || {
        "after expiry: expected can_request_again".to_owned()
    })?;
    let outcomes: Vec<RequestOutcome> = f
        .requests_truth()
        .await?
        .into_iter()
        .flat_map(|(_, u)| u)
        .map(|u| u.outcome())
        .collect();
    expect_eq("user request outcomes after expiry", vec![RequestOutcome::Expired], outcomes)?;
    f.file_request(demo::EVA_ID, "Asking again after it expired").await?;
    expect_state!(f.observe("after asking again").await?, Pending, "after asking again");
    Ok(())
}

/// Arrange: Kim joins the reviewer group, Eva files a request, then Lou joins. Returns (Kim, Lou).
async fn reviewers_before_and_after(f: &Fixture<'_>) -> Step<(ObjectId, ObjectId)> {
    let early = f.tenant.add_user("Kim Early", "kim@contoso.example");
    f.tenant.add_group_member(demo::REVIEWERS_GROUP_ID, early);
    f.file_request(demo::EVA_ID, WHY_EVA).await?;
    let late = f.tenant.add_user("Lou Late", "lou@contoso.example");
    f.tenant.add_group_member(demo::REVIEWERS_GROUP_ID, late);
    Ok((early, late))
}

/// A group member who joined before a request was created sees it as assigned to them; one who joined after does not see it.
pub async fn late_reviewer_cannot_see_the_request(h: &dyn Harness) -> Outcome {
    let f = Fixture::new(h, Preset::WorkflowOn);
    let (early, late) = reviewers_before_and_after(&f).await?;
    let kim = f.user(early);
    let seen = kim
        .list_app_consent_requests(&for_app(&f))
        .await
        .step("list as the early reviewer")?;
    expect_eq("requests the early reviewer sees", 1, seen.len())?;
    let users = kim
        .list_user_consent_requests(&seen[0].id)
        .await
        .step("user requests as the early reviewer")?;
    let stage = users.first().and_then(|u| u.approval.as_ref()).and_then(|a| a.stages.first());
    expect_eq(
        "assignedToMe for the early reviewer",
        Some(true),
        stage.and_then(|s| s.assigned_to_me),
    )?;
    let seen_late = f
        .user(late)
        .list_app_consent_requests(&for_app(&f))
        .await
        .step("list as the late reviewer")?;
    expect_eq("requests the late reviewer sees", 0, seen_late.len())
}

/// A group member who joined after a request was created cannot deny it (PermissionDenied naming the reviewer rule); it stays pending.
pub async fn late_reviewer_cannot_review_the_request(h: &dyn Harness) -> Outcome {
    let f = Fixture::new(h, Preset::WorkflowOn);
    let (_, late) = reviewers_before_and_after(&f).await?;
    let lou = f.user(late);
    require_review(&*lou, "a reviewer designated after the request was created cannot review it")?;
    let pending = expect_state!(f.observe("after the request").await?, Pending, "after the request");
    let result = pending.deny(&*lou, justification("I was not asked")?).await;
    expect_permission_denied("late reviewer denies", result, "reviewer")?;
    expect_state!(f.observe("after the refused review").await?, Pending, "after the refused review");
    Ok(())
}
