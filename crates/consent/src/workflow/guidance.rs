//! Guidance for every [`ConsentState`]: the seed's help article, generated from the tenant's state.

use super::states::*;
use super::{Consent, ConsentState};
use crate::decision::AdminReason;
use crate::guidance::*;

impl ConsentState {
    /// Next steps for the user and the admin in this state. Add the admin-consent link for the
    /// tenant with [`Guidance::link`] if the product has one.
    pub fn guidance(&self) -> Guidance {
        match self {
            ConsentState::UserConsentAllowed(c) => user_consent_allowed(c),
            ConsentState::RequestsDisabled(c) => requests_disabled(c),
            ConsentState::RequestsEnabled(c) => requests_enabled(c),
            ConsentState::Pending(c) => pending(c),
            ConsentState::Approved(c) => approved(c),
            ConsentState::Denied(c) => denied(c),
            ConsentState::Expired(c) => expired(c),
            ConsentState::Blocked(c) => blocked(c),
        }
    }
}

fn name<S: State>(c: &Consent<S>) -> &str {
    &c.app().display_name
}

fn review_step(app: &str) -> String {
    format!("Open the request for \"{app}\", choose \"{BUTTON_REVIEW}\", check the permissions and press Accept. This grants consent for the whole organisation.")
}

/// Explains in plain words why users cannot consent themselves.
pub(crate) fn explain(reasons: &[AdminReason]) -> String {
    let mut parts: Vec<String> = Vec::new();
    for r in reasons {
        let s = match r {
            AdminReason::UserConsentDisabled => {
                "the tenant does not allow users to consent to apps (\"Do not allow user consent\")".to_owned()
            }
            AdminReason::AdminOnlyScope(s) => format!("{s} always needs an administrator"),
            AdminReason::RestrictedByMicrosoftManagedPolicy(s) => {
                format!("the Microsoft-managed consent policy no longer lets users grant {s} to third-party apps")
            }
            AdminReason::UnverifiedPublisher => "users may only consent to apps from verified publishers".to_owned(),
            AdminReason::NotLowImpact(s) => format!("{s} is not classified as low impact"),
            AdminReason::AssignmentRequired => "the app requires user assignment".to_owned(),
            AdminReason::CustomPolicy => "a custom app consent policy is in force".to_owned(),
            AdminReason::ApplicationPermission(s) => format!("the application permission {s} always needs an administrator"),
        };
        if !parts.contains(&s) {
            parts.push(s);
        }
    }
    parts.join("; ")
}

fn user_consent_allowed(c: &Consent<UserConsentAllowed>) -> Guidance {
    Guidance::new(
        format!("Users can connect {} themselves", name(c)),
        format!(
            "This tenant's setting \"{}\" lets users consent to the permissions {} asks for. No administrator is needed.",
            c.details().setting.portal_label(),
            name(c)
        ),
    )
    .user("Click \"Link my Microsoft 365 calendar\", sign in, review the permissions and press Accept.")
}

fn requests_disabled(c: &Consent<RequestsDisabled>) -> Guidance {
    let app = name(c);
    Guidance::new(
        format!("An administrator must enable consent requests or approve {app}"),
        format!(
            "Users see \"Need admin approval\" (AADSTS90094) and cannot ask for access because {}. Consent requests are turned off in this tenant.",
            explain(&c.details().reasons)
        ),
    )
    .user(format!("Send your IT administrator this page and ask them to approve {app} for the organisation, or to let users request approval."))
    .admin(format!("Turn on \"{SETTING_USERS_CAN_REQUEST}\", pick the reviewers (users, a group or a role) and Save."), Some(PATH_ADMIN_CONSENT_SETTINGS))
    .admin(format!("Or approve {app} for everyone right away with the admin-consent link, signed in as a Cloud Application Administrator or higher."), None)
}

fn requests_enabled(c: &Consent<RequestsEnabled>) -> Guidance {
    let app = name(c);
    Guidance::new(
        format!("Request approval for {app}"),
        format!(
            "Users cannot consent alone because {}, but they can ask: Microsoft shows \"Approval required\" (AADSTS90095). Requests go to the designated reviewers and expire after {} days.",
            explain(&c.details().reasons),
            c.details().request_duration_in_days
        ),
    )
    .user("Start linking your calendar again. When Microsoft shows \"Approval required\", write why you need it (for example \"I schedule interviews and need them in my Outlook calendar\").")
    .user(format!("Press \"{BUTTON_REQUEST_APPROVAL}\". You will get an email when a reviewer decides; then link your calendar again."))
    .admin(format!("Reviewers: watch for the request email, then go to the admin consent requests. {}", review_step(app)), Some(PATH_ADMIN_CONSENT_REQUESTS))
}

fn pending(c: &Consent<Pending>) -> Guidance {
    let d = c.details();
    let app = name(c);
    let who = d.requesters.iter().filter_map(|r| r.name.clone()).collect::<Vec<_>>().join(", ");
    let expiry = d
        .expires_at
        .map(|t| format!(" It expires on {}.", t.format("%Y-%m-%d")))
        .unwrap_or_default();
    Guidance::new(
        format!("A request to approve {app} is waiting for review"),
        format!(
            "{} user(s){} asked for {}.{expiry}",
            d.requesters.len(),
            if who.is_empty() { String::new() } else { format!(" ({who})") },
            d.scopes
        ),
    )
    .user("Your request was sent. You will get an email when a reviewer decides; there is no need to ask again.")
    .admin(review_step(app), Some(PATH_ADMIN_CONSENT_REQUESTS))
    .admin("Approving Microsoft Graph application permissions needs Privileged Role Administrator or Global Administrator; Cloud Application Administrators can approve delegated permissions.", None)
}

fn approved(c: &Consent<Approved>) -> Guidance {
    Guidance::new(
        format!("{} is approved for the whole organisation", name(c)),
        format!("Tenant-wide consent covers {}. Every employee can now link their calendar without an administrator. Changes can take a few minutes (up to an hour) to reach sign-in.", c.details().coverage.granted),
    )
    .user("Click \"Link my Microsoft 365 calendar\" again and sign in. If you still see \"Approval required\", wait a few minutes and retry.")
}

fn closed_again(g: Guidance, can_request_again: bool, app: &str) -> Guidance {
    if can_request_again {
        g.user(format!(
            "You may ask again: start linking, explain why you need {app} and press \"{BUTTON_REQUEST_APPROVAL}\"."
        ))
    } else {
        g.user("Consent requests are now turned off; ask your IT administrator directly.")
            .admin(
                format!("Turn on \"{SETTING_USERS_CAN_REQUEST}\" to let users ask again."),
                Some(PATH_ADMIN_CONSENT_SETTINGS),
            )
    }
}

fn denied(c: &Consent<Denied>) -> Guidance {
    let d = c.details();
    let why = d
        .justification
        .as_deref()
        .map(|j| format!(" The reviewer wrote: \"{j}\"."))
        .unwrap_or_default();
    let g = Guidance::new(
        format!("The request for {} was denied", name(c)),
        format!("A reviewer denied the request.{why}"),
    );
    closed_again(g, d.can_request_again, name(c)).admin(
        format!(
            "To allow it after all, approve it with the admin-consent link or from a new request. {}",
            review_step(name(c))
        ),
        Some(PATH_ADMIN_CONSENT_REQUESTS),
    )
}

fn expired(c: &Consent<Expired>) -> Guidance {
    let g = Guidance::new(
        format!("The request for {} expired", name(c)),
        "Nobody reviewed the request before it expired.".to_owned(),
    );
    closed_again(g, c.details().can_request_again, name(c)).admin(
        "Check that the reviewers receive the request emails (admin accounts often have no mailbox) and review new requests in time.",
        Some(PATH_ADMIN_CONSENT_REQUESTS),
    )
}

fn blocked(c: &Consent<Blocked>) -> Guidance {
    Guidance::new(
        format!("{} is blocked in this organisation", name(c)),
        "A reviewer blocked the app: its enterprise application is disabled and new requests are refused.".to_owned(),
    )
    .user("You cannot link your calendar. Talk to your IT administrator.")
    .admin(
        "To unblock, open the enterprise application, set \"Enabled for users to sign in?\" to Yes, then grant consent.",
        Some("Microsoft Entra admin center → Identity → Applications → Enterprise applications → the app → Properties"),
    )
}
