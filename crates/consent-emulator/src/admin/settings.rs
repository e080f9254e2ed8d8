//! Enterprise applications → Consent and permissions: the admin consent settings (procedure 1) and
//! the user consent settings. Saving the admin consent settings is the same policy write as
//! `PUT /policies/adminConsentRequestPolicy` (the mock checks the role and bumps the version).

use std::sync::Arc;

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum_extra::extract::cookie::CookieJar;
use consent::{ConsentGraph, ObjectId, Reviewer, UserConsentSetting};
use consent_mock::DirectoryRole;

use super::{message_page, page_ctx, post_ctx, render, see_other, write_error, Answer, Chrome, Ctx, NoticeQuery};
use crate::server::Shared;

const PATH: &str = "/admin/consent-settings";

/// One reviewer checkbox.
struct ReviewerChoice {
    /// `user:<id>`, `group:<id>`, `role:<template id>`.
    value: String,
    label: String,
    kind: &'static str,
    checked: bool,
}

/// One user-consent option.
struct UserConsentChoice {
    value: &'static str,
    label: &'static str,
    checked: bool,
}

#[derive(Template)]
#[template(path = "admin/settings.html")]
struct SettingsPage {
    chrome: Chrome,
    version: u32,
    enabled: bool,
    notify: bool,
    reminders: bool,
    days: u32,
    reviewer_choices: Vec<ReviewerChoice>,
    can_edit: bool,
    user_consent_choices: Vec<UserConsentChoice>,
    can_edit_user_consent: bool,
}

/// Roles that may write the request policy (what the mock enforces; the page only hides the button).
const POLICY_WRITERS: &[DirectoryRole] = &[
    DirectoryRole::GlobalAdministrator,
    DirectoryRole::PrivilegedRoleAdministrator,
    DirectoryRole::CloudApplicationAdministrator,
    DirectoryRole::ApplicationAdministrator,
];

/// The user consent options, in the order the admin center lists them, with their settings.
const USER_CONSENT_OPTIONS: &[(&str, &str)] = &[
    ("disabled", "Do not allow user consent"),
    (
        "low",
        "Allow user consent for apps from verified publishers, for selected permissions",
    ),
    ("legacy", "Allow user consent for apps"),
    ("recommended", "Let Microsoft manage your consent settings"),
];

fn user_consent_key(s: &UserConsentSetting) -> &'static str {
    match s {
        UserConsentSetting::Disabled => "disabled",
        UserConsentSetting::VerifiedPublishersLowRisk => "low",
        UserConsentSetting::AllowAll => "legacy",
        UserConsentSetting::MicrosoftManaged => "recommended",
        UserConsentSetting::Custom(_) => "custom",
    }
}

fn user_consent_from_key(key: &str) -> Option<UserConsentSetting> {
    Some(match key {
        "disabled" => UserConsentSetting::Disabled,
        "low" => UserConsentSetting::VerifiedPublishersLowRisk,
        "legacy" => UserConsentSetting::AllowAll,
        "recommended" => UserConsentSetting::MicrosoftManaged,
        _ => return None,
    })
}

fn reviewer_value(r: &Reviewer) -> String {
    match r {
        Reviewer::User(id) => format!("user:{id}"),
        Reviewer::Group(id) => format!("group:{id}"),
        Reviewer::Role(id) => format!("role:{id}"),
    }
}

fn parse_reviewer(v: &str) -> Option<Reviewer> {
    let (kind, id) = v.split_once(':')?;
    let id = ObjectId::parse(id).ok()?;
    match kind {
        "user" => Some(Reviewer::User(id)),
        "group" => Some(Reviewer::Group(id)),
        "role" => DirectoryRole::from_template_id(id).map(|_| Reviewer::Role(id)),
        _ => None,
    }
}

/// `GET /admin/consent-settings`.
pub(crate) async fn page(State(shared): State<Arc<Shared>>, jar: CookieJar, Query(q): Query<NoticeQuery>) -> Answer {
    let ctx = page_ctx(&shared, &jar)?;
    let policy = match ctx.graph.get_request_policy().await {
        Ok(p) => p,
        Err(e) => return Err(write_error(&ctx, &e, "/admin")),
    };
    let user_consent = ctx
        .graph
        .get_authorization_policy()
        .await
        .map(|p| p.user_consent())
        .unwrap_or(UserConsentSetting::Disabled);
    let chosen: Vec<String> = policy.reviewers.iter().map(reviewer_value).collect();
    let mut reviewer_choices: Vec<ReviewerChoice> = Vec::new();
    for u in ctx.tenant.users() {
        reviewer_choices.push(ReviewerChoice {
            value: format!("user:{}", u.id),
            label: format!("{} ({})", u.display_name, u.upn),
            kind: "User",
            checked: false,
        });
    }
    for g in ctx.tenant.groups() {
        reviewer_choices.push(ReviewerChoice {
            value: format!("group:{}", g.id),
            label: g.display_name.clone(),
            kind: "Group",
            checked: false,
        });
    }
    for r in DirectoryRole::ALL {
        reviewer_choices.push(ReviewerChoice {
            value: format!("role:{}", r.template_id()),
            label: r.display_name().to_owned(),
            kind: "Role",
            checked: false,
        });
    }
    for c in &mut reviewer_choices {
        c.checked = chosen.contains(&c.value);
    }
    let current = user_consent_key(&user_consent);
    let mut chrome = settings_chrome(&ctx);
    chrome.notice = q.notice;
    let page = SettingsPage {
        chrome,
        version: policy.version,
        enabled: policy.is_enabled,
        notify: policy.notify_reviewers,
        reminders: policy.reminders_enabled,
        days: policy.request_duration_in_days,
        reviewer_choices,
        can_edit: ctx.user.has_any_role(POLICY_WRITERS),
        user_consent_choices: USER_CONSENT_OPTIONS
            .iter()
            .map(|(value, label)| UserConsentChoice {
                value,
                label,
                checked: *value == current,
            })
            .collect(),
        can_edit_user_consent: ctx.user.has_role(DirectoryRole::GlobalAdministrator),
    };
    Ok(render(&page))
}

fn settings_chrome(ctx: &Ctx) -> Chrome {
    ctx.chrome(
        "Admin consent settings",
        "settings",
        vec![
            ("Enterprise applications".to_owned(), "/admin/apps".to_owned()),
            ("Consent and permissions".to_owned(), String::new()),
        ],
    )
}

/// `POST /admin/consent-settings`: Save → the policy PUT, acting as the signed-in user.
pub(crate) async fn save(State(shared): State<Arc<Shared>>, jar: CookieJar, body: Bytes) -> Answer {
    let (ctx, form) = post_ctx(&shared, &jar, &body)?;
    let mut reviewers = Vec::new();
    for v in form.all("reviewer") {
        match parse_reviewer(v) {
            Some(r) if !reviewers.contains(&r) => reviewers.push(r),
            Some(_) => {}
            None => {
                return Err(message_page(
                    StatusCode::BAD_REQUEST,
                    Some(&ctx),
                    "Save",
                    &format!("Unknown reviewer '{v}'."),
                    PATH,
                ))
            }
        }
    }
    let days = match form.one("days").and_then(|d| d.trim().parse::<u32>().ok()) {
        Some(d) if (1..=30).contains(&d) => d,
        _ => {
            return Err(message_page(
                StatusCode::BAD_REQUEST,
                Some(&ctx),
                "Save",
                "Consent request expires after (days): enter a whole number from 1 to 30.",
                PATH,
            ))
        }
    };
    let current = match ctx.graph.get_request_policy().await {
        Ok(p) => p,
        Err(e) => return Err(write_error(&ctx, &e, PATH)),
    };
    let next = consent::AdminConsentRequestPolicy {
        is_enabled: form.one("enabled") == Some("yes"),
        notify_reviewers: form.one("notify") == Some("yes"),
        reminders_enabled: form.one("reminders") == Some("yes"),
        request_duration_in_days: days,
        reviewers,
        version: current.version,
    };
    if let Err(e) = next.validate() {
        return Err(write_error(&ctx, &e, PATH));
    }
    Ok(match ctx.graph.put_request_policy(&next).await {
        Ok(()) => see_other(PATH, "Admin consent settings saved."),
        Err(e) => write_error(&ctx, &e, PATH),
    })
}

/// `POST /admin/user-consent-settings`: Global Administrators only.
pub(crate) async fn save_user_consent(State(shared): State<Arc<Shared>>, jar: CookieJar, body: Bytes) -> Answer {
    let (ctx, form) = post_ctx(&shared, &jar, &body)?;
    if !ctx.user.has_role(DirectoryRole::GlobalAdministrator) {
        return Err(message_page(
            StatusCode::FORBIDDEN,
            Some(&ctx),
            "Access denied",
            "Only a Global Administrator can change the user consent settings here.",
            PATH,
        ));
    }
    let Some(setting) = form.one("user_consent").and_then(user_consent_from_key) else {
        return Err(message_page(
            StatusCode::BAD_REQUEST,
            Some(&ctx),
            "Save",
            "Choose one of the user consent options.",
            PATH,
        ));
    };
    ctx.tenant.set_user_consent(setting);
    Ok(see_other(PATH, "User consent settings saved."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reviewer_values_round_trip() {
        let id = ObjectId::new_random();
        for r in [Reviewer::User(id), Reviewer::Group(id)] {
            assert_eq!(parse_reviewer(&reviewer_value(&r)), Some(r));
        }
        let role = Reviewer::Role(DirectoryRole::GlobalAdministrator.template_id());
        assert_eq!(parse_reviewer(&reviewer_value(&role)), Some(role));
        assert_eq!(parse_reviewer(&format!("role:{id}")), None);
        assert_eq!(parse_reviewer("nonsense"), None);
    }

    #[test]
    fn every_user_consent_option_maps_back() {
        for (key, _) in USER_CONSENT_OPTIONS {
            assert_eq!(user_consent_key(&user_consent_from_key(key).unwrap()), *key);
        }
    }
}
