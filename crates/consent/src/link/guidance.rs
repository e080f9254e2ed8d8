//! Next steps for every link outcome: who acts, what they do, where, and which link to hand over.
//!
//! Guidance quotes AADSTS codes but never Microsoft's `error_description`: that text arrives through
//! the user's browser, so echoing it into a help page or an email would let a crafted callback
//! write into them.

use chrono::TimeDelta;
use url::Url;

use super::admin::{AdminConsentOutcome, TenantCheck};
use super::callback::{AuthError, LinkOutcome, StateProblem};
use super::codes::Misconfiguration;
use crate::guidance::{
    Guidance, BUTTON_REQUEST_APPROVAL, BUTTON_REVIEW, PATH_ADMIN_CONSENT_REQUESTS, PATH_ADMIN_CONSENT_SETTINGS, SETTING_USERS_CAN_REQUEST,
};

/// Who may grant tenant-wide consent, as Microsoft documents it.
const WHO_MAY_APPROVE: &str = "a Global Administrator, Privileged Role Administrator, Cloud Application Administrator or Application \
     Administrator (approving Microsoft Graph application permissions needs Global Administrator or Privileged Role Administrator)";
/// How long a new consent or setting can take to reach every sign-in.
const PROPAGATION: &str =
    "Changes can take up to an hour to reach every sign-in; if Microsoft still asks for approval, wait and try again.";

impl LinkOutcome {
    /// Next steps for this outcome. `app` is the name users know the app by; `admin_consent_url` is
    /// the admin-consent link to hand over (build it with
    /// [`PendingLink::admin_consent_link`](crate::link::PendingLink::admin_consent_link)); outcomes
    /// that need an admin fall back to the admin center path without it.
    pub fn guidance(&self, app: &str, admin_consent_url: Option<&Url>) -> Guidance {
        let g = match self {
            LinkOutcome::Authorized(_) => authorized(app),
            LinkOutcome::AdminApprovalRequired { can_request: false, error } => workflow_off(app, error, admin_consent_url),
            LinkOutcome::AdminApprovalRequired { can_request: true, error } => workflow_on(app, error),
            LinkOutcome::ConsentRequired { error } => consent_required(app, error),
            LinkOutcome::UserCancelled { error } => cancelled(app, error),
            LinkOutcome::AppNotInTenant { error } => app_not_in_tenant(app, error, admin_consent_url),
            LinkOutcome::RiskyAppBlocked { can_request, error } => risky(app, *can_request, error, admin_consent_url),
            LinkOutcome::Misconfigured { problem, error } => misconfigured(app, *problem, error),
            LinkOutcome::StateMismatch { problem } => state_mismatch(app, *problem),
            LinkOutcome::Expired { max_age, .. } => expired(app, *max_age),
            LinkOutcome::Other { error } => other(app, error),
        };
        match admin_consent_url {
            Some(url) if self.needs_admin_consent_link() => g.link(format!("Admin consent link for {app}"), url.as_str()),
            _ => g,
        }
    }
}

fn codes(e: &AuthError) -> String {
    if e.error_codes.is_empty() {
        return format!("error \"{}\"", e.error);
    }
    e.error_codes.iter().map(|c| format!("AADSTS{c}")).collect::<Vec<_>>().join(", ")
}

fn grant_step(app: &str, admin_consent_url: Option<&Url>) -> String {
    match admin_consent_url {
        Some(_) => format!(
            "To approve {app} for everyone now, open the admin consent link below, sign in as {WHO_MAY_APPROVE}, review the permissions and press Accept."
        ),
        None => format!(
            "To approve {app} for everyone now, open Enterprise applications → {app} → Permissions and press \"Grant admin consent\" \
             (this needs {WHO_MAY_APPROVE})."
        ),
    }
}

fn authorized(app: &str) -> Guidance {
    Guidance::new(
        format!("{app} is linked"),
        "Microsoft signed you in and granted access. Nothing else is needed.",
    )
    .user("No action needed: your calendar will start syncing shortly.")
}

fn workflow_off(app: &str, e: &AuthError, url: Option<&Url>) -> Guidance {
    Guidance::new(
        format!("Your administrator must approve {app}"),
        format!(
            "Your organisation does not let users consent to {app}'s permissions themselves, and requests for admin approval are turned off ({}).",
            codes(e)
        ),
    )
    .user(format!(
        "Ask your IT administrator to approve {app}: say that you need it to link your Microsoft 365 calendar, and forward the admin consent link if one is shown."
    ))
    .user(format!("After your administrator approves, press \"Link calendar\" again. {PROPAGATION}"))
    .admin(grant_step(app, url), None)
    .admin(
        format!("So that users can ask you next time instead of being blocked, turn on \"{SETTING_USERS_CAN_REQUEST}\", choose the reviewers, and Save."),
        Some(PATH_ADMIN_CONSENT_SETTINGS),
    )
}

fn workflow_on(app: &str, e: &AuthError) -> Guidance {
    Guidance::new(
        format!("Ask your administrator to approve {app}"),
        format!(
            "Users may not consent to {app}'s permissions themselves, but your organisation accepts approval requests ({}).",
            codes(e)
        ),
    )
    .user(format!(
        "If you have not sent a request yet: press \"Link calendar\" again, and on Microsoft's \"Approval required\" page write why you need {app} \
         (for example \"to schedule interviews from my calendar\") and press \"{BUTTON_REQUEST_APPROVAL}\"."
    ))
    .user(format!("Microsoft emails you when a reviewer decides. Then press \"Link calendar\" again. {PROPAGATION}"))
    .admin(
        format!("Open the request for {app}, press \"{BUTTON_REVIEW}\", check the permissions and Accept (this needs {WHO_MAY_APPROVE})."),
        Some(PATH_ADMIN_CONSENT_REQUESTS),
    )
}

fn consent_required(app: &str, e: &AuthError) -> Guidance {
    Guidance::new(
        format!("{app} needs your consent"),
        format!(
            "No consent exists yet for {app} ({}); the sign-in ran without showing Microsoft's consent page.",
            codes(e)
        ),
    )
    .user(format!(
        "Press \"Link calendar\" again and accept {app}'s permissions when Microsoft asks."
    ))
    .admin(
        format!(
            "If users keep seeing this after you approved {app}, check under Enterprise applications → {app} → Permissions that the \
             approval covers every permission it asks for. {PROPAGATION}"
        ),
        None,
    )
}

fn cancelled(app: &str, e: &AuthError) -> Guidance {
    Guidance::new(
        "Linking was cancelled",
        format!("The consent page was closed or declined ({}), so nothing was changed.", codes(e)),
    )
    .user(format!(
        "To link your calendar, press \"Link calendar\" again and accept {app}'s permissions when Microsoft asks."
    ))
}

fn app_not_in_tenant(app: &str, e: &AuthError, url: Option<&Url>) -> Guidance {
    let admin = match url {
        Some(_) => format!(
            "Open the admin consent link below and sign in with an administrator account of your organisation ({WHO_MAY_APPROVE}); \
             pressing Accept adds {app} to Enterprise applications and grants its permissions for everyone."
        ),
        None => format!(
            "{app} has to be added to your organisation by an administrator: ask {app}'s support for its admin consent link, \
             open it signed in as {WHO_MAY_APPROVE}, and press Accept."
        ),
    };
    Guidance::new(
        format!("{app} is not set up in your organisation"),
        format!("Microsoft could not find {app} in your organisation's directory ({}).", codes(e)),
    )
    .user(format!(
        "Forward the admin consent link to your IT administrator and ask them to add {app}. Then press \"Link calendar\" again."
    ))
    .admin(admin, None)
}

fn risky(app: &str, can_request: bool, e: &AuthError, url: Option<&Url>) -> Guidance {
    let g = Guidance::new(
        format!("Microsoft requires an administrator to approve {app}"),
        format!(
            "Microsoft's risk-based step-up consent judged this request risky ({}), typically because the app's publisher is not verified \
             and it asks for more than basic permissions. Only an administrator can approve it.",
            codes(e)
        ),
    );
    let g = if can_request {
        g.user(format!(
            "On Microsoft's \"Approval required\" page, write why you need {app} and press \"{BUTTON_REQUEST_APPROVAL}\"; link again once it is approved."
        ))
        .admin(
            format!("Review the request for {app} (publisher, permissions) and, if you trust it, press \"{BUTTON_REVIEW}\" and Accept."),
            Some(PATH_ADMIN_CONSENT_REQUESTS),
        )
    } else {
        g.user(format!(
            "Ask your IT administrator to review and approve {app}; forward the admin consent link if one is shown."
        ))
    };
    g.admin(
        format!("Check {app}'s publisher and permissions first. {}", grant_step(app, url)),
        None,
    )
}

fn misconfigured(app: &str, problem: Misconfiguration, e: &AuthError) -> Guidance {
    let what = match problem {
        Misconfiguration::RedirectUriMismatch => "the address Microsoft should return to is not registered on the app",
        Misconfiguration::UnknownScopeOrResource => {
            "the app asks for a permission or API that does not exist or that its registration does not list"
        }
        Misconfiguration::InvalidScope => "the app asks for a malformed permission",
    };
    Guidance::new(
        format!("{app} could not start the sign-in"),
        format!(
            "This is a problem on {app}'s side, not yours or your administrator's: {what} ({}).",
            codes(e)
        ),
    )
    .user(format!(
        "Contact {app}'s support and quote {}, with the time of the attempt. Nothing can be fixed in your organisation's settings.",
        codes(e)
    ))
}

fn state_mismatch(app: &str, problem: StateProblem) -> Guidance {
    let why = match problem {
        StateProblem::Missing | StateProblem::Empty => "it carried no link-attempt identifier",
        StateProblem::Different => "it belongs to another link attempt: an old tab, a second attempt, or a link someone sent you",
    };
    Guidance::new(
        "This link attempt could not be verified",
        format!("The response from Microsoft was ignored for your safety because {why}."),
    )
    .user(format!("Close other {app} tabs and press \"Link calendar\" again in this one."))
}

fn expired(app: &str, max_age: TimeDelta) -> Guidance {
    Guidance::new(
        "The link attempt timed out",
        format!(
            "Sign-in took longer than {} minutes, so the response was not used.",
            max_age.num_minutes()
        ),
    )
    .user(format!(
        "Press \"Link calendar\" again and finish signing in to {app} without a long pause."
    ))
}

fn other(app: &str, e: &AuthError) -> Guidance {
    Guidance::new(
        format!("Microsoft could not link {app}"),
        format!("Microsoft reported {}.", codes(e)),
    )
    .user(format!(
        "Try \"Link calendar\" again. If it keeps failing, contact {app}'s support and quote {}.",
        codes(e)
    ))
}

impl AdminConsentOutcome {
    /// Next steps after an admin-consent attempt; `admin_consent_url` is offered again where a retry
    /// helps (declined, unverifiable or failed attempts).
    pub fn guidance(&self, app: &str, admin_consent_url: Option<&Url>) -> Guidance {
        let (g, retry) = match self {
            AdminConsentOutcome::Granted { tenant, check, .. } => (granted(app, &tenant.to_string(), *check), false),
            AdminConsentOutcome::Declined { error } => (declined(app, error), true),
            AdminConsentOutcome::StateMismatch { .. } => (admin_state_mismatch(app), true),
            AdminConsentOutcome::TenantMismatch { expected, returned } => {
                (tenant_mismatch(app, &expected.to_string(), returned.as_deref()), true)
            }
            AdminConsentOutcome::Other { error } => (admin_other(app, error), true),
        };
        match admin_consent_url {
            Some(url) if retry => g.link(format!("Admin consent link for {app}"), url.as_str()),
            _ => g,
        }
    }
}

fn granted(app: &str, tenant: &str, check: TenantCheck) -> Guidance {
    let mut summary = format!("An administrator granted {app}'s permissions for the whole organisation (tenant {tenant}).");
    if check == TenantCheck::Unconfirmed {
        summary.push_str(" The tenant id came from the browser and has not been confirmed yet.");
    }
    Guidance::new(format!("{app} is approved for your organisation"), summary)
        .user(format!("Everyone can now press \"Link calendar\". {PROPAGATION}"))
        .admin(
            format!("Nothing more to do. The granted permissions are listed under Enterprise applications → {app} → Permissions."),
            None,
        )
}

fn declined(app: &str, e: &AuthError) -> Guidance {
    Guidance::new(
        format!("{app} was not approved"),
        format!("The consent page was cancelled or declined ({}), so nothing was granted.", codes(e)),
    )
    .admin(
        format!("If that was not intended, open the admin consent link again, sign in as {WHO_MAY_APPROVE}, and press Accept."),
        None,
    )
    .user(format!("Users cannot link {app} until an administrator approves it."))
}

fn admin_state_mismatch(app: &str) -> Guidance {
    Guidance::new(
        "This approval response could not be verified",
        format!("The response did not match any admin consent link {app} issued, so it was ignored."),
    )
    .admin(
        format!("Open the newest admin consent link from {app} (older ones stop working once replaced) and approve again."),
        None,
    )
}

fn tenant_mismatch(app: &str, expected: &str, returned: Option<&str>) -> Guidance {
    Guidance::new(
        "The approval came from a different organisation",
        format!(
            "The link was made for {expected} but the response named {}; it was ignored because such a response can be forged.",
            returned.unwrap_or("no organisation")
        ),
    )
    .admin(
        format!("Sign out, then open the admin consent link for {app} again signed in with an administrator account of {expected}."),
        None,
    )
}

fn admin_other(app: &str, e: &AuthError) -> Guidance {
    Guidance::new(
        format!("Microsoft could not approve {app}"),
        format!("Microsoft reported {}.", codes(e)),
    )
    .admin(
        format!(
            "Check that you are signed in as {WHO_MAY_APPROVE} and open the admin consent link again; if it keeps failing, contact {app}'s support and quote {}.",
            codes(e)
        ),
        None,
    )
}
