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
//! Run it with `cargo run --example walkthrough` (add `-- --locale nl` for the guidance in Dutch).
//! Output is wrapped at 100 columns and coloured on a terminal unless `NO_COLOR` is set.
#![allow(clippy::print_stdout)] // an example program: its output is the point

use std::error::Error;
use std::io::IsTerminal;
use std::sync::OnceLock;

use consent::guidance::{Locale, Product};
use consent::link::{LinkOutcome, LinkRequest, LinkTenant};
use consent::{observe, AppRegistration, ConsentState, Justification, PolicyChange, Reviewer, UserConsentDecision};
use consent_mock::{demo, MockTenant, Notification, NotificationKind, Preset};

type Outcome<T = ()> = Result<T, Box<dyn Error>>;

/// Lines never pass this many columns.
const WIDTH: usize = 100;

/// The language of the guidance, from `--locale` (default English).
fn locale() -> Locale {
    static LOCALE: OnceLock<Locale> = OnceLock::new();
    *LOCALE.get_or_init(|| {
        let args: Vec<String> = std::env::args().collect();
        args.windows(2)
            .find(|w| w[0] == "--locale")
            .map_or(Locale::En, |w| Locale::from_env_value(&w[1]))
    })
}

/// The product as Carerix's help pages name it, in the walkthrough's language.
fn carerix() -> Product {
    match locale() {
        Locale::Nl => Product::new("Carerix")
            .with_task("uw Microsoft 365-agenda te koppelen")
            .with_button("Agenda koppelen"),
        _ => Product::new("Carerix")
            .with_task("link your Microsoft 365 calendar")
            .with_button("Link calendar"),
    }
}

/// ANSI styling, only on a terminal and only when `NO_COLOR` is unset or empty (no-color.org).
fn paint(code: &str, text: &str) -> String {
    static COLOUR: OnceLock<bool> = OnceLock::new();
    let on = *COLOUR.get_or_init(|| std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()));
    if on {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_owned()
    }
}

/// Greedy word wrap: `first` prefixes the first line, `rest` the others; no line passes [`WIDTH`]
/// unless a single word is longer than the space left.
fn wrap(text: &str, first: &str, rest: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = first.to_owned();
    let mut empty = true;
    for word in text.split_whitespace() {
        if !empty && line.chars().count() + 1 + word.chars().count() > WIDTH {
            lines.push(std::mem::replace(&mut line, rest.to_owned()));
            empty = true;
        }
        if !empty {
            line.push(' ');
        }
        line.push_str(word);
        empty = false;
    }
    lines.push(line);
    lines
}

/// Prints a paragraph wrapped at [`WIDTH`].
fn say(text: &str) {
    for line in wrap(text, "", "") {
        println!("{line}");
    }
}

/// Prints a URL without ever cutting a parameter: the address, then one query parameter per line.
fn show_url(url: &url::Url) {
    let base = url.as_str().split('?').next().unwrap_or_default();
    println!("  {base}");
    for (i, pair) in url.query().unwrap_or_default().split('&').enumerate() {
        for line in wrap(pair, if i == 0 { "    ?" } else { "    &" }, "     ") {
            println!("{line}");
        }
    }
}

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
    say(&format!(
        "Ada turns on \"{}\" and picks the group \"{}\" as reviewers.",
        consent::guidance::SETTING_USERS_CAN_REQUEST,
        demo::REVIEWERS_GROUP_NAME
    ));
    let change = PolicyChange::enable_with(vec![Reviewer::Group(demo::REVIEWERS_GROUP_ID)]);
    let enabled = disabled.enable_requests(&ada, change).await?;
    let policy = consent::ConsentGraph::get_request_policy(&ada).await?;
    say(&format!(
        "Saved: requests enabled, {} reviewer(s), requests expire after {} days, reviewers emailed: {}.",
        policy.reviewers.len(),
        policy.request_duration_in_days,
        yes_no(policy.notify_reviewers)
    ));
    show_state("After procedure 1", &observe(&ada, &app).await?);
    println!();
    sign_in(&tenant, &app, demo::EVA_ID, "Eva")?;

    heading("Procedure 2: Eva requests approval, with a justification");
    let why = Justification::parse("I schedule candidate interviews and need them in my Outlook calendar.")?;
    say(&format!(
        "Eva writes: \"{why}\" and presses \"{}\".",
        consent::guidance::BUTTON_REQUEST_APPROVAL
    ));
    let sent_before = tenant.outbox().len();
    enabled.request(&eva, why).await?;
    show_emails(&tenant.outbox()[sent_before..]);
    let state = observe(&cas, &app).await?;
    show_state("After procedure 2 (as the reviewer sees it)", &state);
    let ConsentState::Pending(pending) = state else {
        return Err(unexpected("pending", &state));
    };

    heading("Procedure 3: Cas (Cloud Application Administrator, a reviewer) approves");
    say(&format!(
        "Cas opens the request, chooses \"{}\" and presses Accept: consent for the whole organisation.",
        consent::guidance::BUTTON_REVIEW
    ));
    let sent_before = tenant.outbox().len();
    let approved = pending.approve(&cas).await?;
    show_emails(&tenant.outbox()[sent_before..]);
    show_state("After procedure 3", &observe(&cas, &app).await?);

    heading("Completion: can everyone link now, without an admin?");
    println!("Sam never asked for anything. He links his calendar:");
    let sam = sign_in(&tenant, &app, demo::SAM_ID, "Sam")?;
    let linked = link_attempt(&tenant, &app, demo::SAM_ID, "Sam")?;
    let check = approved.verify(&ada).await?;
    say(&format!(
        "verify: granted tenant-wide = {}; missing = {}; all users can link = {}.",
        check.granted,
        if check.missing.is_empty() {
            "nothing".to_owned()
        } else {
            check.missing.to_string()
        },
        yes_no(check.all_users_can_link)
    ));
    if sam != UserConsentDecision::AlreadyGranted || !linked || !check.all_users_can_link {
        return Err("the completion check failed: users still need an admin".into());
    }
    println!();
    say(&paint(
        "1;32",
        &format!("Done: every employee of Contoso can link their calendar to {}.", app.display_name),
    ));
    Ok(())
}

fn introduce(app: &AppRegistration) {
    heading("The setting");
    let facts = [
        ("Tenant:", format!("Contoso ({}), user consent disabled (\"Do not allow user consent\").", demo::TENANT_ID)),
        ("App:", format!("{} ({})", app.display_name, app.app_id)),
        ("Needs:", format!("{} on Microsoft Graph", app.delegated_scopes())),
        (
            "People:",
            format!(
                "Ada Admin (Global Administrator), Cas Cloud (Cloud Application Administrator, member of \"{}\"), Eva and Sam (ordinary users).",
                demo::REVIEWERS_GROUP_NAME
            ),
        ),
    ];
    for (label, text) in facts {
        for line in wrap(&text, &format!("{label:<9}"), "         ") {
            println!("{line}");
        }
    }
}

fn heading(title: &str) {
    println!("\n{}\n{}", paint("1;34", title), paint("34", &"=".repeat(title.chars().count())));
}

/// Prints the state's name and its guidance, indented so it reads as a quoted help page.
fn show_state(label: &str, state: &ConsentState) {
    println!("\n{label}: state `{}`", paint("1;33", state.name()));
    for line in state.guidance(&carerix(), locale()).to_text().lines() {
        let indent: String = line.chars().take_while(|c| *c == ' ').collect();
        // Continuation lines of a numbered step line up under its text.
        let hang = if line.trim_start().starts_with(|c: char| c.is_ascii_digit()) {
            "   "
        } else {
            ""
        };
        for wrapped in wrap(line.trim_start(), &format!("  | {indent}"), &format!("  | {indent}{hang}")) {
            println!("{}", wrapped.trim_end());
        }
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
    say(&format!("{name} signs in to link the calendar. Microsoft shows {said}"));
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
        for line in wrap(&format!("(email to {}: \"{}: {what}\")", n.to_upn, n.app_display_name), "  ", "   ") {
            println!("{line}");
        }
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
    println!("{name} clicks \"Link calendar\"; the CRM redirects to");
    show_url(&authorize_url);
    let callback = tenant.authorize(user, &authorize_url)?;
    println!("Microsoft redirects back to the CRM with:");
    show_url(&callback);
    let outcome = pending.finish(callback.as_str(), &clock)?;
    println!("The CRM classifies the callback as `{}`.", paint("1;33", outcome.kind()));
    if !matches!(outcome, LinkOutcome::Authorized(_)) {
        let help = outcome.guidance(&carerix(), locale(), None);
        say(&format!("It shows {name}: \"{}\"", help.title));
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
