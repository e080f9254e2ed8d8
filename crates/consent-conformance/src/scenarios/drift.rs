//! Scope drift: the app ships a release that needs one more permission than was approved.

use consent::grant_tenant_wide;
use consent_mock::Preset;

use crate::check::{ensure, expect_eq, expect_state, StepExt};
use crate::fixture::{scopes, with_extra_scopes, Fixture};
use crate::scenarios::grants::sorted;
use crate::{Harness, Outcome};

/// After approval for the old scope set, a release adding a scope observes as not approved with exactly that scope missing; approving again grants the union in the same grant.
pub async fn scope_drift_needs_a_new_approval(h: &dyn Harness) -> Outcome {
    let mut f = Fixture::new(h, Preset::UserConsentDisabled);
    let admin = f.admin();
    grant_tenant_wide(&*admin, &f.app).await.step("approve the first release")?;
    let first_grant = f.the_grant("after the first approval").await?;

    let v1 = f.app.clone();
    f.app = with_extra_scopes(&v1, "MailboxSettings.Read")?;
    f.tenant.publish_app(&f.app, false);
    let state = f.observe("after the release").await?;
    ensure(!matches!(state, consent::ConsentState::Approved(_)), || {
        "after the release: expected a state other than approved".to_owned()
    })?;
    let coverage = state.coverage();
    expect_eq("missing scopes", scopes("MailboxSettings.Read")?, coverage.missing.clone())?;
    ensure(coverage.has_drift(), || format!("coverage: expected drift, got {coverage:?}"))?;

    let report = grant_tenant_wide(&*admin, &f.app).await.step("approve the new release")?;
    expect_eq(
        "(grants created, grants updated)",
        (0, 1),
        (report.grants_created, report.grants_updated),
    )?;
    let grant = f.the_grant("after the second approval").await?;
    expect_eq("grant id", first_grant.id, grant.id.clone())?;
    expect_eq("grant scope as a set", sorted(&f.app.delegated_scopes()), sorted(&grant.scope))?;
    expect_state!(f.observe("after the second approval").await?, Approved, "after the second approval");
    f.app = v1;
    expect_state!(f.observe("for the first release").await?, Approved, "for the first release");
    Ok(())
}
