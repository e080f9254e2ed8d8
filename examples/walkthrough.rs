//! Walkthrough: the three admin-consent procedures, step by step, on an embedded mock tenant.
//!
//! Contoso does not let users consent to apps ("Do not allow user consent"). Eva, a recruiter, wants
//! to link her Microsoft 365 calendar to "Carerix Calendar - Production", which needs
//! `Calendars.ReadWrite User.Read offline_access`. Microsoft tells her "Need admin approval". This
//! program walks through what fixes that — (1) an admin enables consent requests, (2) Eva requests
//! approval with a justification, (3) a reviewer approves for the whole organisation — printing the
//! tenant's state and the guidance for users and admins before and after each procedure. It ends
//! with the completion check: Sam, who never asked, now links without any admin.
//!
//! Run it with `cargo run --example walkthrough`.
#![allow(clippy::print_stdout)] // an example program: its output is the point

use std::error::Error;

use consent::link::{LinkOutcome, LinkRequest, LinkTenant};
use consent::{observe, AppRegistration, ConsentState, Justification, PolicyChange, Reviewer, UserConsentDecision};
use consent_mock::{demo, MockTenant, Notification, NotificationKind, Preset};

type Outcome<T = ()> = Result<T, Box<dyn Error>>;

#[tokio::main]
async fn main() -> Outcome {
    let tenant = MockTenant::preset(Preset::UserConsentDisabled);
    let app = demo::carerix_app();
    introduce(&app);

    // The people involved, each acting with their own roles (so a missing role would be refused).
    let ada = tenant.as_admin(); // Global Administrator
    let cas = tenant.as_user(demo::CLOUD_ADMIN_ID); // Cloud Application Administrator, in "Consent Reviewers"
    let eva = tenant.as_user(demo::EVA_ID);

    heading("Before anything: Eva tries to link her calendar");
    link_attempt(&tenant, &app, demo::EVA_ID, "Eva")?;
    let state = observe(&ada, &app).await?;
    show_state("What the tenant looks like now", &state);
    let ConsentState::RequestsDisabled(disabled) = state else {
        return Err(unexpected("requests_disabled", &state));
    };

    heading("Procedure 1: Ada (Global Administrator) enables consent requests");
    println!(
        "Ada turns on \"{}\" and picks the group \"{}\" as reviewers.",
        consent::guidance::SETTING_USERS_CAN_REQUEST,
        demo::REVIEWERS_GROUP_NAME
    );
    let change = PolicyChange::enable_with(vec![Reviewer::Group(demo::REVIEWERS_GROUP_ID)]);
    let enabled = disabled.enable_requests(&ada, change).await?;
    let policy = consent::ConsentGraph::get_request_policy(&ada).await?;
    println!(
        "Saved: requests enabled, {} reviewer(s), requests expire after {} days, reviewers emailed: {}.",
        policy.reviewers.len(),
        policy.request_duration_in_days,
        yes_no(policy.notify_reviewers)
    );
    show_state("After procedure 1", &observe(&ada, &app).await?);
    println!();
    sign_in(&tenant, &app, demo::EVA_ID, "Eva")?;

    heading("Procedure 2: Eva requests approval, with a justification");
    let why = Justification::parse("I schedule candidate interviews and need them in my Outlook calendar.")?;
    println!(
        "Eva writes: \"{why}\" and presses \"{}\".",
        consent::guidance::BUTTON_REQUEST_APPROVAL
    );
    let sent_before = tenant.outbox().len();
    enabled.request(&eva, why).await?;
    show_emails(&tenant.outbox()[sent_before..]);
    let state = observe(&cas, &app).await?;
    show_state("After procedure 2 (as the reviewer sees it)", &state);
    let ConsentState::Pending(pending) = state else {
        return Err(unexpected("pending", &state));
    };

    heading("Procedure 3: Cas (Cloud Application Administrator, a reviewer) approves");
    println!(
        "Cas opens the request, chooses \"{}\" and presses Accept: consent for the whole organisation.",
        consent::guidance::BUTTON_REVIEW
    );
    let sent_before = tenant.outbox().len();
    let approved = pending.approve(&cas).await?;
    show_emails(&tenant.outbox()[sent_before..]);
    show_state("After procedure 3", &observe(&cas, &app).await?);

    heading("Completion: can everyone link now, without an admin?");
    println!("Sam never asked for anything. He links his calendar:");
    let sam = sign_in(&tenant, &app, demo::SAM_ID, "Sam")?;
    let linked = link_attempt(&tenant, &app, demo::SAM_ID, "Sam")?;
    let check = approved.verify(&ada).await?;
    println!(
        "verify: granted tenant-wide = {}; missing = {}; all users can link = {}.",
        check.granted,
        if check.missing.is_empty() {
            "nothing".to_owned()
        } else {
            check.missing.to_string()
        },
        yes_no(check.all_users_can_link)
    );
    if sam != UserConsentDecision::AlreadyGranted || !linked || !check.all_users_can_link {
        return Err("the completion check failed: users still need an admin".into());
    }
    println!("\nDone: every employee of Contoso can link their calendar to {}.", app.display_name);
    Ok(())
}

fn introduce(app: &AppRegistration) {
    heading("The setting");
    println!(
        "Tenant:  Contoso ({}), user consent disabled (\"Do not allow user consent\").",
        demo::TENANT_ID
    );
    println!("App:     {} ({})", app.display_name, app.app_id);
    println!("Needs:   {} on Microsoft Graph", app.delegated_scopes());
    println!("People:  Ada Admin (Global Administrator), Cas Cloud (Cloud Application Administrator,");
    println!(
        "         member of \"{}\"), Eva and Sam (ordinary users).",
        demo::REVIEWERS_GROUP_NAME
    );
}

fn heading(title: &str) {
    println!("\n{title}\n{}", "=".repeat(title.chars().count()));
}

/// Prints the state's name and its guidance, indented so it reads as a quoted help page.
fn show_state(label: &str, state: &ConsentState) {
    println!("\n{label}: state `{}`", state.name());
    for line in state.guidance().to_text().lines() {
        println!("  |{}{line}", if line.is_empty() { "" } else { " " });
    }
}

/// What Microsoft's sign-in answers when `name` links the calendar.
fn sign_in(tenant: &MockTenant, app: &AppRegistration, user: consent::ObjectId, name: &str) -> Outcome<UserConsentDecision> {
    let decision = tenant.sign_in(user, &app.app_id, &app.delegated_scopes())?;
    let said = match &decision {
        UserConsentDecision::AlreadyGranted => "no prompt at all: the organisation already consented. Linked!".to_owned(),
        UserConsentDecision::UserMayConsent => "the consent page; they can accept alone.".to_owned(),
        UserConsentDecision::AdminApprovalRequired { can_request: false, .. } => {
            "\"Need admin approval\" (AADSTS90094), with no way to ask.".to_owned()
        }
        UserConsentDecision::AdminApprovalRequired { can_request: true, .. } => {
            "\"Approval required\" (AADSTS90095), with a form to request approval.".to_owned()
        }
        other => format!("{other:?} (AADSTS{})", other.aadsts_code().unwrap_or_default()),
    };
    println!("{name} signs in to link the calendar. Microsoft shows {said}");
    Ok(decision)
}

/// The emails the tenant would have sent (its outbox), in words.
fn show_emails(sent: &[Notification]) {
    for n in sent {
        let what = match n.kind {
            NotificationKind::NewRequest => "a new request to review",
            NotificationKind::RequestSubmitted => "your request was received",
            NotificationKind::Approved => "your request was approved",
            NotificationKind::Denied => "your request was denied",
            NotificationKind::Blocked => "the app was blocked",
            NotificationKind::Expired => "your request expired",
            NotificationKind::Reminder => "a request is about to expire",
        };
        println!("  (email to {}: \"{}: {what}\")", n.to_upn, n.app_display_name);
    }
}

/// The product's "Link my Microsoft 365 calendar" button, end to end: `consent::link` builds the
/// authorize URL (PKCE + state), the mock tenant plays Microsoft's sign-in and redirects back, and
/// `PendingLink::finish` classifies the callback. Returns true when an authorization code came back.
fn link_attempt(tenant: &MockTenant, app: &AppRegistration, user: consent::ObjectId, name: &str) -> Outcome<bool> {
    let clock = tenant.clock();
    let (authorize_url, pending) = LinkRequest::new(
        app.app_id,
        "https://crm.carerix.example/auth/microsoft/callback",
        app.delegated_scopes(),
    )?
    .tenant(LinkTenant::Tenant(tenant.tenant_id()))
    .build(&clock)?;
    println!("{name} clicks \"Link my Microsoft 365 calendar\"; the CRM redirects to");
    println!("  {}…", &authorize_url.as_str()[..authorize_url.as_str().len().min(110)]);
    let callback = tenant.authorize(user, &authorize_url)?;
    let query = callback.query().unwrap_or_default();
    println!("Microsoft redirects back to the CRM with: ?{}", &query[..query.len().min(110)]);
    let outcome = pending.finish(callback.as_str(), &clock)?;
    println!("The CRM classifies the callback as `{}`.", outcome.kind());
    if !matches!(outcome, LinkOutcome::Authorized(_)) {
        let help = outcome.guidance(&app.display_name, None);
        println!("It shows {name}: \"{}\"", help.title);
    }
    Ok(matches!(outcome, LinkOutcome::Authorized(_)))
}

fn yes_no(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

fn unexpected(wanted: &str, found: &ConsentState) -> Box<dyn Error> {
    format!("expected the tenant to be in state `{wanted}`, found `{}`", found.name()).into()
}
