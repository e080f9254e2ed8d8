//! What happens to a user's account after consent: whether they have an Exchange Online mailbox,
//! whether the account is enabled, whether Conditional Access blocks their sign-ins, and since when
//! their refresh tokens are valid (a password change moves that date). Entra answers a linked
//! app's refresh or Graph call from these (see `docs/link-health.md`); the mock only stores them,
//! and the emulator applies them at its token endpoint and its `/me` routes.

use chrono::{DateTime, Utc};
use consent::{AppId, Error, ObjectId, Result, ScopeSet};
use serde::{Deserialize, Serialize};

use crate::journal::AuditActivity;
use crate::state::{system_actor, TenantState};
use crate::tenant::MockTenant;

/// A user's account health. `Default` is a healthy account: licensed mailbox, enabled, no block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountStatus {
    /// The user has an Exchange Online mailbox (false: unlicensed, soft-deleted or on-premises).
    pub mailbox: bool,
    /// The account is enabled (`accountEnabled`).
    pub enabled: bool,
    /// A Conditional Access policy blocks the user's sign-ins and token issuance (AADSTS53003).
    pub conditional_access_block: bool,
    /// Refresh tokens whose sign-in happened before this time are refused (AADSTS50173): set to
    /// the tenant's time when the password changes (Entra's `TokensValidFrom`).
    pub tokens_valid_from: Option<DateTime<Utc>>,
}

impl Default for AccountStatus {
    fn default() -> Self {
        Self {
            mailbox: true,
            enabled: true,
            conditional_access_block: false,
            tokens_valid_from: None,
        }
    }
}

/// A change to a user's [`AccountStatus`]; fields left `None` stay as they are. The names are the
/// emulator's control API (`PATCH /_emulator/users/{upn}`), and unknown fields are refused.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountChange {
    /// Give or take away the Exchange Online mailbox.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mailbox: Option<bool>,
    /// Enable or disable the account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// Set or lift a Conditional Access block.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conditional_access_block: Option<bool>,
    /// `true`: the password changed now (refresh tokens from earlier sign-ins die); `false`:
    /// forget the change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_changed: Option<bool>,
}

/// One user's stored status (only users whose status was changed are stored).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct AccountRecord {
    pub(crate) user: ObjectId,
    #[serde(flatten)]
    pub(crate) status: AccountStatus,
}

impl TenantState {
    fn account(&self, user: ObjectId) -> AccountStatus {
        self.accounts.iter().find(|a| a.user == user).map(|a| a.status).unwrap_or_default()
    }

    fn change_account(&mut self, user: ObjectId, change: &AccountChange) -> Result<AccountStatus> {
        let upn = self
            .user(user)
            .map(|u| u.upn.clone())
            .ok_or_else(|| Error::not_found(format!("user {user}")))?;
        let mut status = self.account(user);
        if let Some(m) = change.mailbox {
            status.mailbox = m;
        }
        if let Some(e) = change.enabled {
            status.enabled = e;
        }
        if let Some(b) = change.conditional_access_block {
            status.conditional_access_block = b;
        }
        match change.password_changed {
            Some(true) => status.tokens_valid_from = Some(self.now),
            Some(false) => status.tokens_valid_from = None,
            None => {}
        }
        self.accounts.retain(|a| a.user != user);
        if status != AccountStatus::default() {
            self.accounts.push(AccountRecord { user, status });
        }
        let detail = serde_json::to_string(change).unwrap_or_default();
        self.audit(
            system_actor(),
            AuditActivity::ArrangeDirectory,
            user.to_string(),
            format!("account of {upn}: {detail}"),
        );
        Ok(status)
    }
}

impl MockTenant {
    /// The user's account status (the default, healthy one for a user never changed, or unknown).
    pub fn account_status(&self, user: ObjectId) -> AccountStatus {
        self.with(|s| s.account(user))
    }

    /// Changes the user's account status and returns the new one; `NotFound` for an unknown user.
    pub fn set_account_status(&self, user: ObjectId, change: &AccountChange) -> Result<AccountStatus> {
        self.with(|s| s.change_account(user, change))
    }

    /// The Microsoft Graph scopes `user` holds for `app_id` right now: the tenant-wide grant plus
    /// their own (empty when the app has no service principal here).
    pub fn granted_scopes(&self, user: ObjectId, app_id: &AppId) -> Result<ScopeSet> {
        self.with(|s| {
            let client = s.sp_by_app(app_id).map(|c| c.id);
            s.granted_to(user, client)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{demo, Preset};
    use consent::Clock;

    #[test]
    fn account_status_changes_persist_and_reset() {
        let tenant = MockTenant::preset(Preset::WorkflowOn);
        assert_eq!(tenant.account_status(demo::EVA_ID), AccountStatus::default());
        let change: AccountChange = serde_json::from_str(r#"{"mailbox": false, "password_changed": true}"#).unwrap();
        let s = tenant.set_account_status(demo::EVA_ID, &change).unwrap();
        assert!(!s.mailbox && s.enabled && !s.conditional_access_block);
        assert_eq!(s.tokens_valid_from, Some(tenant.clock().now()));
        let reloaded = MockTenant::from_json(&tenant.to_json()).unwrap();
        assert_eq!(reloaded.account_status(demo::EVA_ID), s);
        let back = AccountChange {
            mailbox: Some(true),
            password_changed: Some(false),
            ..AccountChange::default()
        };
        assert_eq!(tenant.set_account_status(demo::EVA_ID, &back).unwrap(), AccountStatus::default());
        assert!(!tenant.to_json().contains("\"accounts\""), "healthy accounts are not stored");
        assert!(tenant.set_account_status(ObjectId::new_random(), &back).is_err());
        assert!(serde_json::from_str::<AccountChange>(r#"{"mailbox": false, "licence": false}"#).is_err());
    }
}
