//! `GET /v1.0/me/calendar` and `GET /v1.0/me/mailboxSettings`: the cheap reads a linked calendar
//! product makes first (link health, issue 15), answered from the signed-in user's account status.
//!
//! Microsoft Learn: "Get calendar" (`calendar-get`: delegated Calendars.ReadBasic, Calendars.Read
//! or Calendars.ReadWrite) and "Get user mailbox settings" (`user-get-mailboxsettings`:
//! MailboxSettings.Read or MailboxSettings.ReadWrite). Errors as Graph sends them: `/me` with an
//! app-only token (400), a token without the scope (403 `ErrorAccessDenied`), a user without an
//! Exchange Online mailbox (404 `MailboxNotEnabledForRESTAPI`, the message captured in recent
//! answers; see `docs/link-health.md`).

use axum::http::StatusCode;
use consent::ObjectId;
use consent_mock::Principal;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::reply::{GraphError, GraphReply};
use super::route::Route;
use super::{Caller, Ctx};

/// The scopes that allow each read (any one of them).
const CALENDAR_SCOPES: &[&str] = &["Calendars.ReadBasic", "Calendars.Read", "Calendars.ReadWrite"];
const MAILBOX_SETTINGS_SCOPES: &[&str] = &["MailboxSettings.Read", "MailboxSettings.ReadWrite"];

/// Runs a `/me` route as the caller.
pub(crate) fn run(ctx: &Ctx<'_>, caller: &Caller, route: &Route) -> Result<GraphReply, GraphError> {
    ctx.query.reject_collection_options()?;
    let Principal::User { id } = caller.principal else {
        return Err(GraphError::new(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "/me request is only valid with delegated authentication flow.",
        ));
    };
    let user = ctx
        .tenant
        .users()
        .into_iter()
        .find(|u| u.id == id)
        .ok_or_else(|| GraphError::not_found(&id.to_string()))?;
    let needed = if *route == Route::MeCalendar {
        CALENDAR_SCOPES
    } else {
        MAILBOX_SETTINGS_SCOPES
    };
    // Programmatic tokens (`RunningEmulator::user_token`) carry no `scp` and are not limited.
    if let Some(scp) = &caller.scopes {
        if !scp.iter().any(|s| needed.iter().any(|n| n.eq_ignore_ascii_case(s))) {
            return Err(GraphError::new(
                StatusCode::FORBIDDEN,
                "ErrorAccessDenied",
                "Access is denied. Check credentials and try again.",
            ));
        }
    }
    if !ctx.tenant.account_status(id).mailbox {
        return Err(GraphError::new(
            StatusCode::NOT_FOUND,
            "MailboxNotEnabledForRESTAPI",
            "The mailbox is either inactive, soft-deleted, or is hosted on-premise.",
        ));
    }
    let body = if *route == Route::MeCalendar {
        calendar(ctx, id, &user.display_name, &user.upn)
    } else {
        mailbox_settings(ctx, id)
    };
    Ok(GraphReply::ok(ctx.query.project(body)))
}

/// A stable Exchange-style id (`AAMk…`) for the user's default calendar.
fn calendar_id(user: ObjectId) -> String {
    use base64::Engine as _;
    let digest = Sha256::digest(format!("calendar:{user}").as_bytes());
    format!("AAMk{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&digest[..24]))
}

fn calendar(ctx: &Ctx<'_>, user: ObjectId, name: &str, upn: &str) -> Value {
    json!({
        "@odata.context": ctx.context(&format!("users('{user}')/calendar/$entity")),
        "id": calendar_id(user),
        "name": "Calendar",
        "color": "auto",
        "hexColor": "",
        "isDefaultCalendar": true,
        "changeKey": "nfZyf7VcrEKLNoU37KWlkQAAA0x0+w==",
        "canShare": true,
        "canViewPrivateItems": true,
        "canEdit": true,
        "allowedOnlineMeetingProviders": ["teamsForBusiness"],
        "defaultOnlineMeetingProvider": "teamsForBusiness",
        "isTallyingResponses": true,
        "isRemovable": false,
        "owner": { "name": name, "address": upn },
    })
}

fn mailbox_settings(ctx: &Ctx<'_>, user: ObjectId) -> Value {
    json!({
        "@odata.context": ctx.context(&format!("users('{user}')/mailboxSettings")),
        "archiveFolder": format!("AQMk{}", &calendar_id(user)[4..20]),
        "timeZone": "UTC",
        "automaticRepliesSetting": {
            "status": "disabled",
            "externalAudience": "all",
            "internalReplyMessage": "",
            "externalReplyMessage": "",
        },
        "language": { "locale": "en-US", "displayName": "English (United States)" },
        "workingHours": {
            "daysOfWeek": ["monday", "tuesday", "wednesday", "thursday", "friday"],
            "startTime": "08:00:00.0000000",
            "endTime": "17:00:00.0000000",
            "timeZone": { "name": "UTC" },
        },
        "dateFormat": "MM/dd/yyyy",
        "timeFormat": "hh:mm tt",
        "delegateMeetingMessageDeliveryOptions": "sendToDelegateOnly",
        "userPurpose": "user",
    })
}
