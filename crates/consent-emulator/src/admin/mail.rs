//! Mail: a page per user with the emails the tenant sent them (reviewer notifications and
//! reminders, "your request was sent / approved / denied / expired"), each with the link a real
//! email would carry, so the email steps of the story can be followed in a browser. The emulator
//! sends no mail; this is the outbox of `/_emulator/outbox`, per recipient.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Query, State};
use axum_extra::extract::cookie::CookieJar;
use consent_mock::NotificationKind;
use serde::Deserialize;

use super::{date, page_ctx, render, Answer, Chrome};
use crate::control::OutboxMail;
use crate::server::Shared;

struct MailRow {
    to: String,
    subject: String,
    body: String,
    sent: String,
    link: String,
    link_text: &'static str,
}

#[derive(Template)]
#[template(path = "admin/mail.html")]
struct MailPage {
    chrome: Chrome,
    /// (UPN, "Display name (UPN)").
    users: Vec<(String, String)>,
    selected: String,
    mails: Vec<MailRow>,
}

#[derive(Debug, Deserialize, Default)]
pub(crate) struct MailQuery {
    user: Option<String>,
}

/// `GET /admin/mail[?user=<upn>]`: the chosen user's mail (default: the signed-in user's), newest first.
pub(crate) async fn page(State(shared): State<Arc<Shared>>, jar: CookieJar, Query(q): Query<MailQuery>) -> Answer {
    let ctx = page_ctx(&shared, &jar)?;
    let users: Vec<(String, String)> = ctx
        .tenant
        .users()
        .into_iter()
        .map(|u| (u.upn.to_string(), format!("{} ({})", u.display_name, u.upn)))
        .collect();
    let selected = q
        .user
        .filter(|u| users.iter().any(|(upn, _)| upn.eq_ignore_ascii_case(u)))
        .unwrap_or_else(|| ctx.user.upn.to_string());
    let mut mails: Vec<MailRow> = ctx
        .tenant
        .outbox()
        .iter()
        .filter(|n| n.to_upn.eq_ignore_ascii_case(&selected))
        .map(|n| {
            let mail = OutboxMail::from(n);
            let (link, link_text) = match n.kind {
                NotificationKind::NewRequest | NotificationKind::Reminder => {
                    (format!("/admin/requests/{}", n.request_id), "Review Request")
                }
                _ => ("https://myapps.microsoft.com".to_owned(), "Open My Apps"),
            };
            MailRow {
                to: mail.to,
                subject: mail.subject,
                body: mail.body,
                sent: date(mail.sent_date_time),
                link,
                link_text,
            }
        })
        .collect();
    mails.reverse();
    Ok(render(&MailPage {
        chrome: ctx.chrome("Mail", "mail", vec![("Mail".to_owned(), String::new())]),
        users,
        selected,
        mails,
    }))
}
