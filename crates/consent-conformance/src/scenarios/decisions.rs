//! User-consent decisions: what `observe` concludes from the tenant's settings, checked against what
//! the sign-in (the tenant's own decision, Microsoft Learn: "Configure how users consent to applications") tells a user.

use consent::{AdminReason, AppId, AppRegistration, Reviewer, Scope, UserConsentDecision};
use consent_mock::{demo, Preset};

use crate::check::{ensure, expect_eq, expect_state, Step, StepExt};
use crate::fixture::{scopes, Fixture};
use crate::{Harness, Outcome};

fn sign_in(f: &Fixture<'_>, user: consent::ObjectId) -> Step<UserConsentDecision> {
    f.tenant
        .sign_in(user, &f.app.app_id, &f.app.delegated_scopes())
        .step("arrange: the user signs in")
}

/// With "Allow user consent for apps", observe says UserConsentAllowed and a user signing in gets the consent page.
pub async fn allow_user_consent_means_user_consent_allowed(h: &dyn Harness) -> Outcome {
    let f = Fixture::new(h, Preset::AllowUserConsent);
    let state = f.observe("with user consent allowed").await?;
    ensure(state.users_can_link(), || "users_can_link: expected true".to_owned())?;
    expect_state!(state, UserConsentAllowed, "with user consent allowed");
    expect_eq("Eva's sign-in", UserConsentDecision::UserMayConsent, sign_in(&f, demo::EVA_ID)?)
}

/// With user consent disabled and no workflow, observe says RequestsDisabled (reason: user consent disabled), guidance cites AADSTS90094, and sign-in answers 90094.
pub async fn user_consent_disabled_means_requests_disabled(h: &dyn Harness) -> Outcome {
    let f = Fixture::new(h, Preset::UserConsentDisabled);
    let state = f.observe("with user consent disabled").await?;
    let text = state
        .guidance(
            &consent::guidance::Product::new(&state.app().display_name),
            consent::guidance::Locale::En,
        )
        .to_text();
    let disabled = expect_state!(state, RequestsDisabled, "with user consent disabled");
    ensure(disabled.details().reasons.contains(&AdminReason::UserConsentDisabled), || {
        format!("reasons: expected UserConsentDisabled among {:?}", disabled.details().reasons)
    })?;
    ensure(text.contains("AADSTS90094"), || {
        format!("guidance: expected a mention of AADSTS90094, got:\n{text}")
    })?;
    expect_eq("sign-in AADSTS code", Some(90094), sign_in(&f, demo::EVA_ID)?.aadsts_code())
}

/// With the workflow on, observe says RequestsEnabled with the configured reviewers and sign-in offers the request form (90095).
pub async fn workflow_on_means_requests_enabled(h: &dyn Harness) -> Outcome {
    let f = Fixture::new(h, Preset::WorkflowOn);
    let enabled = expect_state!(f.observe("with the workflow on").await?, RequestsEnabled, "with the workflow on");
    expect_eq(
        "reviewers",
        vec![Reviewer::Group(demo::REVIEWERS_GROUP_ID)],
        enabled.details().reviewers.clone(),
    )?;
    let decision = sign_in(&f, demo::EVA_ID)?;
    expect_eq("sign-in AADSTS code", Some(90095), decision.aadsts_code())
}

/// Under the Microsoft-managed default, Calendars.ReadWrite needs an admin (restricted scope), while an app asking only User.Read is user-consentable.
pub async fn microsoft_managed_default_restricts_calendars(h: &dyn Harness) -> Outcome {
    let mut f = Fixture::new(h, Preset::MicrosoftManaged);
    let disabled = expect_state!(f.observe("for the calendar app").await?, RequestsDisabled, "for the calendar app");
    let calendars = Scope::parse("Calendars.ReadWrite").step("scope")?;
    let restricted = AdminReason::RestrictedByMicrosoftManagedPolicy(calendars);
    ensure(disabled.details().reasons.contains(&restricted), || {
        format!("reasons: expected {restricted:?} among {:?}", disabled.details().reasons)
    })?;
    expect_eq(
        "sign-in AADSTS code for the calendar app",
        Some(90094),
        sign_in(&f, demo::EVA_ID)?.aadsts_code(),
    )?;

    let app_id = AppId::parse("2c4e6a80-1b3d-4f5a-8c7e-9d0f1a2b3c4d").step("build the app id")?;
    f.app = AppRegistration::new(app_id, "Contoso Sign-in").with_delegated(AppId::MICROSOFT_GRAPH, scopes("User.Read")?);
    f.tenant.publish_app(&f.app, false);
    expect_state!(
        f.observe("for a User.Read-only app").await?,
        UserConsentAllowed,
        "for a User.Read-only app"
    );
    expect_eq(
        "sign-in for the User.Read-only app",
        UserConsentDecision::UserMayConsent,
        sign_in(&f, demo::EVA_ID)?,
    )
}
