//! Tenant policies: the admin consent request policy (who may ask, who reviews) and the
//! authorization policy's user-consent setting (who may consent alone).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::ids::{truncate, ObjectId};

/// The shortest and longest request lifetime accepted when enabling requests, in days.
///
/// Graph documents no range; the Entra admin center offers 1–30 days and security baselines
/// (Maester EIDSCA.CR04) recommend at most 30, so the library refuses anything else.
pub const REQUEST_DURATION_DAYS: std::ops::RangeInclusive<u32> = 1..=30;

/// `/policies/adminConsentRequestPolicy`: whether users may ask for admin consent, and who reviews.
///
/// Serializes in Graph's JSON shape (`isEnabled`, `reviewers[].query`, …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AdminConsentRequestPolicy {
    /// "Users can request admin consent to apps they are unable to consent to".
    pub is_enabled: bool,
    /// Email reviewers when a request arrives.
    pub notify_reviewers: bool,
    /// Email reviewers before a request expires.
    pub reminders_enabled: bool,
    /// Days until an undecided request expires ("Consent request expires after (days)").
    pub request_duration_in_days: u32,
    /// Who reviews requests.
    pub reviewers: Vec<Reviewer>,
    /// Read-only counter the service bumps on every update; ignored on write.
    #[serde(default)]
    pub version: u32,
}

impl AdminConsentRequestPolicy {
    /// The policy of a tenant that never configured the workflow: disabled, version 0.
    pub fn never_configured() -> Self {
        Self {
            is_enabled: false,
            notify_reviewers: false,
            reminders_enabled: false,
            request_duration_in_days: 0,
            reviewers: Vec::new(),
            version: 0,
        }
    }

    /// Checks that an enabled policy can work: at least one reviewer and a duration in
    /// [`REQUEST_DURATION_DAYS`]. A disabled policy is always valid.
    pub fn validate(&self) -> Result<()> {
        if !self.is_enabled {
            return Ok(());
        }
        if self.reviewers.is_empty() {
            return Err(Error::invalid(
                "reviewers",
                "an enabled workflow needs at least one reviewer (a user, a group, or a directory role); otherwise requests reach nobody",
            ));
        }
        if !REQUEST_DURATION_DAYS.contains(&self.request_duration_in_days) {
            return Err(Error::invalid(
                "request_duration_in_days",
                format!(
                    "is {}; pick {} to {} days (the range the Entra admin center offers)",
                    self.request_duration_in_days,
                    REQUEST_DURATION_DAYS.start(),
                    REQUEST_DURATION_DAYS.end()
                ),
            ));
        }
        Ok(())
    }
}

/// A change to the request policy that touches only the fields that are `Some`.
///
/// Read the current policy, [`apply`](Self::apply) the change, validate, write the whole object back
/// (Graph's update is a PUT that replaces everything).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyChange {
    /// Turn requests on or off.
    pub enable: Option<bool>,
    /// Replace the reviewer list.
    pub reviewers: Option<Vec<Reviewer>>,
    /// Change the request lifetime.
    pub request_duration_in_days: Option<u32>,
    /// Change reviewer notifications.
    pub notify_reviewers: Option<bool>,
    /// Change expiry reminders.
    pub reminders_enabled: Option<bool>,
}

impl PolicyChange {
    /// Enable requests with these reviewers; a never-configured duration becomes 30 days and
    /// notifications are switched on, as the admin center does by default.
    pub fn enable_with(reviewers: Vec<Reviewer>) -> Self {
        Self {
            enable: Some(true),
            reviewers: Some(reviewers),
            ..Self::default()
        }
    }

    /// Applies the change to `current`, returning the policy to write.
    pub fn apply(&self, current: &AdminConsentRequestPolicy) -> AdminConsentRequestPolicy {
        let mut p = current.clone();
        if let Some(e) = self.enable {
            p.is_enabled = e;
        }
        if let Some(r) = &self.reviewers {
            p.reviewers = r.clone();
        }
        if let Some(d) = self.request_duration_in_days {
            p.request_duration_in_days = d;
        }
        if let Some(n) = self.notify_reviewers {
            p.notify_reviewers = n;
        }
        if let Some(r) = self.reminders_enabled {
            p.reminders_enabled = r;
        }
        let first_enable = self.enable == Some(true) && current.version == 0;
        if p.is_enabled && p.request_duration_in_days == 0 {
            p.request_duration_in_days = 30;
        }
        if first_enable && self.notify_reviewers.is_none() {
            p.notify_reviewers = true;
        }
        p
    }
}

/// Who reviews consent requests. Converts to and from Graph's `accessReviewReviewerScope.query`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "ReviewerScope", into = "ReviewerScope")]
pub enum Reviewer {
    /// One user: `/users/{id}`.
    User(ObjectId),
    /// Every user member of a group, transitively: `/groups/{id}/transitiveMembers/microsoft.graph.user`.
    Group(ObjectId),
    /// Holders of a directory role, by role template id:
    /// `/roleManagement/directory/roleAssignments?$filter=roleDefinitionId eq '{id}'`.
    Role(ObjectId),
}

/// The wire form of a reviewer (`accessReviewReviewerScope`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReviewerScope {
    /// The Graph query naming the reviewer(s).
    pub query: String,
    /// Always `MicrosoftGraph` for consent reviewers.
    #[serde(default = "microsoft_graph")]
    pub query_type: String,
    /// Only used by relative queries; `null` for consent reviewers.
    #[serde(default)]
    pub query_root: Option<String>,
}

fn microsoft_graph() -> String {
    "MicrosoftGraph".to_owned()
}

impl Reviewer {
    /// The `query` string Graph stores for this reviewer.
    pub fn to_query(&self) -> String {
        match self {
            Reviewer::User(id) => format!("/users/{id}"),
            Reviewer::Group(id) => format!("/groups/{id}/transitiveMembers/microsoft.graph.user"),
            Reviewer::Role(id) => format!("/roleManagement/directory/roleAssignments?$filter=roleDefinitionId eq '{id}'"),
        }
    }

    /// Parses one of the three query forms. A `/beta` or `/v1.0` prefix (the portal stores role
    /// reviewers as `/beta/roleManagement/…`) and a trailing `/members` on groups are accepted.
    pub fn from_query(query: &str) -> Result<Self> {
        let q = query.trim();
        let q = q.strip_prefix("/beta").or_else(|| q.strip_prefix("/v1.0")).unwrap_or(q);
        let bad = || {
            Error::invalid(
                "reviewer",
                format!(
                    "{:?} is not a reviewer query; expected /users/{{id}}, /groups/{{id}}/transitiveMembers/microsoft.graph.user or /roleManagement/directory/roleAssignments?$filter=roleDefinitionId eq '{{id}}'",
                    truncate(query)
                ),
            )
        };
        if let Some(rest) = q.strip_prefix("/users/") {
            return ObjectId::parse(rest).map(Reviewer::User).map_err(|_| bad());
        }
        if let Some(rest) = q.strip_prefix("/groups/") {
            let id = rest
                .strip_suffix("/transitiveMembers/microsoft.graph.user")
                .or_else(|| rest.strip_suffix("/members"))
                .ok_or_else(bad)?;
            return ObjectId::parse(id).map(Reviewer::Group).map_err(|_| bad());
        }
        if let Some(rest) = q.strip_prefix("/roleManagement/directory/roleAssignments?$filter=roleDefinitionId eq ") {
            let id = rest.strip_prefix('\'').and_then(|r| r.strip_suffix('\'')).ok_or_else(bad)?;
            return ObjectId::parse(id).map(Reviewer::Role).map_err(|_| bad());
        }
        Err(bad())
    }

    /// Parses the command-line form `user:ID`, `group:ID` or `role:ID`.
    pub fn parse_spec(spec: &str) -> Result<Self> {
        let (kind, id) = spec.split_once(':').ok_or_else(|| {
            Error::invalid(
                "reviewer",
                format!("{:?} should look like user:ID, group:ID or role:ID", truncate(spec)),
            )
        })?;
        let id = ObjectId::parse(id).map_err(|_| Error::invalid("reviewer", format!("{:?} is not a GUID", truncate(id))))?;
        match kind.to_ascii_lowercase().as_str() {
            "user" => Ok(Reviewer::User(id)),
            "group" => Ok(Reviewer::Group(id)),
            "role" => Ok(Reviewer::Role(id)),
            other => Err(Error::invalid(
                "reviewer",
                format!("unknown reviewer kind {:?}; use user, group or role", truncate(other)),
            )),
        }
    }
}

impl fmt::Display for Reviewer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reviewer::User(id) => write!(f, "user:{id}"),
            Reviewer::Group(id) => write!(f, "group:{id}"),
            Reviewer::Role(id) => write!(f, "role:{id}"),
        }
    }
}

impl TryFrom<ReviewerScope> for Reviewer {
    type Error = Error;
    fn try_from(s: ReviewerScope) -> Result<Self> {
        Reviewer::from_query(&s.query)
    }
}
impl From<Reviewer> for ReviewerScope {
    fn from(r: Reviewer) -> Self {
        ReviewerScope {
            query: r.to_query(),
            query_type: microsoft_graph(),
            query_root: None,
        }
    }
}

/// `/policies/authorizationPolicy`, reduced to what consent decisions need. Unknown fields are ignored.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthorizationPolicy {
    /// What the default user role may do.
    #[serde(default)]
    pub default_user_role_permissions: DefaultUserRolePermissions,
}

/// `authorizationPolicy.defaultUserRolePermissions`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DefaultUserRolePermissions {
    /// `ManagePermissionGrantsForSelf.{policyId}` entries; empty means user consent is disabled.
    #[serde(default)]
    pub permission_grant_policies_assigned: Vec<String>,
}

impl AuthorizationPolicy {
    /// A policy whose user-consent setting is `setting`.
    pub fn with_user_consent(setting: &UserConsentSetting) -> Self {
        Self {
            default_user_role_permissions: DefaultUserRolePermissions {
                permission_grant_policies_assigned: setting.to_assigned(),
            },
        }
    }

    /// The user-consent setting this policy encodes.
    pub fn user_consent(&self) -> UserConsentSetting {
        UserConsentSetting::from_assigned(&self.default_user_role_permissions.permission_grant_policies_assigned)
    }
}

/// The tenant's "User consent for applications" setting, read from `permissionGrantPoliciesAssigned`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "setting", content = "policies", rename_all = "snake_case")]
pub enum UserConsentSetting {
    /// "Do not allow user consent": no `ManagePermissionGrantsForSelf.*` entry (CISA SCuBA MS.AAD.5.2).
    Disabled,
    /// "Allow user consent for apps from verified publishers, for selected permissions"
    /// (`microsoft-user-default-low`).
    VerifiedPublishersLowRisk,
    /// "Let Microsoft manage your consent settings" (`microsoft-user-default-recommended`). Since late
    /// 2025 it blocks third-party apps asking for Files, Sites, Exchange (Mail, Calendars, Contacts)
    /// and Teams permissions.
    MicrosoftManaged,
    /// "Allow user consent for apps" (`microsoft-user-default-legacy`): any permission not flagged
    /// admin-only.
    AllowAll,
    /// Custom permission-grant policies, by id.
    Custom(Vec<String>),
}

const SELF_PREFIX: &str = "managepermissiongrantsforself.";

impl UserConsentSetting {
    /// Reads the setting from `permissionGrantPoliciesAssigned` (prefix compared case-insensitively;
    /// `ManagePermissionGrantsForOwnedResource.*` entries are not user consent and are ignored).
    pub fn from_assigned(assigned: &[String]) -> Self {
        // Borrowed policy ids: the workflow reads the setting on every observation, and only a
        // custom policy needs them copied. `get` rather than indexing: an entry from Graph whose
        // prefix length falls inside a multi-byte character is simply not a self-consent entry.
        let ids = || {
            assigned.iter().filter_map(|a| {
                a.get(..SELF_PREFIX.len())
                    .filter(|p| p.eq_ignore_ascii_case(SELF_PREFIX))
                    .map(|_| &a[SELF_PREFIX.len()..])
                    .filter(|id| !id.is_empty())
            })
        };
        let has = |id: &str| ids().any(|i| i.eq_ignore_ascii_case(id));
        let count = ids().count();
        if count == 0 {
            UserConsentSetting::Disabled
        } else if has("microsoft-user-default-legacy") {
            UserConsentSetting::AllowAll
        } else if has("microsoft-user-default-recommended") {
            UserConsentSetting::MicrosoftManaged
        } else if count == 1 && has("microsoft-user-default-low") {
            UserConsentSetting::VerifiedPublishersLowRisk
        } else {
            UserConsentSetting::Custom(ids().map(str::to_owned).collect())
        }
    }

    /// The `permissionGrantPoliciesAssigned` entries for this setting.
    pub fn to_assigned(&self) -> Vec<String> {
        let one = |id: &str| vec![format!("ManagePermissionGrantsForSelf.{id}")];
        match self {
            UserConsentSetting::Disabled => Vec::new(),
            UserConsentSetting::VerifiedPublishersLowRisk => one("microsoft-user-default-low"),
            UserConsentSetting::MicrosoftManaged => one("microsoft-user-default-recommended"),
            UserConsentSetting::AllowAll => one("microsoft-user-default-legacy"),
            UserConsentSetting::Custom(ids) => ids.iter().map(|i| format!("ManagePermissionGrantsForSelf.{i}")).collect(),
        }
    }

    /// The label the Entra admin center shows for this setting.
    pub fn portal_label(&self) -> &'static str {
        match self {
            UserConsentSetting::Disabled => "Do not allow user consent",
            UserConsentSetting::VerifiedPublishersLowRisk => {
                "Allow user consent for apps from verified publishers, for selected permissions"
            }
            UserConsentSetting::MicrosoftManaged => "Let Microsoft manage your consent settings",
            UserConsentSetting::AllowAll => "Allow user consent for apps",
            UserConsentSetting::Custom(_) => "a custom app consent policy",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "11111111-1111-1111-1111-111111111111";

    #[test]
    fn reviewer_queries_round_trip() {
        let id = ObjectId::parse(ID).unwrap();
        for r in [Reviewer::User(id), Reviewer::Group(id), Reviewer::Role(id)] {
            assert_eq!(Reviewer::from_query(&r.to_query()).unwrap(), r);
            assert_eq!(Reviewer::parse_spec(&r.to_string()).unwrap(), r);
        }
        let beta = format!("/beta/roleManagement/directory/roleAssignments?$filter=roleDefinitionId eq '{ID}'");
        assert_eq!(Reviewer::from_query(&beta).unwrap(), Reviewer::Role(id));
    }

    #[test]
    fn reviewer_query_outside_the_three_forms_is_refused() {
        for bad in [
            "/users/not-a-guid",
            "/me",
            "/groups/11111111-1111-1111-1111-111111111111/owners",
            "./manager",
            "",
        ] {
            let err = Reviewer::from_query(bad).unwrap_err();
            assert!(matches!(err, Error::InvalidInput { field: "reviewer", .. }), "{bad}: {err:?}");
        }
        assert!(Reviewer::parse_spec("device:11111111-1111-1111-1111-111111111111").is_err());
    }

    #[test]
    fn policy_serializes_in_graph_shape() {
        let p = AdminConsentRequestPolicy {
            reviewers: vec![Reviewer::User(ObjectId::parse(ID).unwrap())],
            ..PolicyChange::enable_with(vec![]).apply(&AdminConsentRequestPolicy::never_configured())
        };
        let v = serde_json::to_value(&p).unwrap();
        assert_eq!(v["isEnabled"], true);
        assert_eq!(v["requestDurationInDays"], 30);
        assert_eq!(v["reviewers"][0]["query"], format!("/users/{ID}"));
        assert_eq!(v["reviewers"][0]["queryType"], "MicrosoftGraph");
        let back: AdminConsentRequestPolicy = serde_json::from_value(v).unwrap();
        assert_eq!(back, p);
    }

    #[test]
    fn enabling_without_reviewers_or_with_bad_duration_is_refused() {
        let p = PolicyChange::enable_with(vec![]).apply(&AdminConsentRequestPolicy::never_configured());
        assert!(matches!(p.validate(), Err(Error::InvalidInput { field: "reviewers", .. })));
        let mut p = PolicyChange::enable_with(vec![Reviewer::User(ObjectId::new_random())]).apply(&p);
        p.request_duration_in_days = 400;
        assert!(matches!(
            p.validate(),
            Err(Error::InvalidInput {
                field: "request_duration_in_days",
                ..
            })
        ));
    }

    #[test]
    fn change_touches_only_what_was_asked() {
        let mut current = AdminConsentRequestPolicy::never_configured();
        current.is_enabled = true;
        current.request_duration_in_days = 14;
        current.version = 3;
        current.reminders_enabled = true;
        let change = PolicyChange {
            notify_reviewers: Some(false),
            ..Default::default()
        };
        let next = change.apply(&current);
        assert_eq!(next.request_duration_in_days, 14);
        assert!(next.reminders_enabled && !next.notify_reviewers && next.is_enabled);
    }

    #[test]
    fn user_consent_setting_reads_assigned_policies() {
        let s = |v: &[&str]| UserConsentSetting::from_assigned(&v.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(s(&[]), UserConsentSetting::Disabled);
        assert_eq!(
            s(&["ManagePermissionGrantsForOwnedResource.DeveloperConsent"]),
            UserConsentSetting::Disabled
        );
        assert_eq!(
            s(&["managePermissionGrantsForSelf.microsoft-user-default-low"]),
            UserConsentSetting::VerifiedPublishersLowRisk
        );
        assert_eq!(
            s(&["ManagePermissionGrantsForSelf.microsoft-user-default-legacy"]),
            UserConsentSetting::AllowAll
        );
        assert_eq!(
            s(&["ManagePermissionGrantsForSelf.microsoft-user-default-recommended"]),
            UserConsentSetting::MicrosoftManaged
        );
        assert_eq!(
            s(&["ManagePermissionGrantsForSelf.contoso-policy"]),
            UserConsentSetting::Custom(vec!["contoso-policy".into()])
        );
        // From Graph, not from us: a multi-byte character where the prefix ends, or nothing after it.
        assert_eq!(s(&["ManagePermissionGrantsForSel\u{20ac}x"]), UserConsentSetting::Disabled);
        assert_eq!(s(&["ManagePermissionGrantsForSelf."]), UserConsentSetting::Disabled);
        for setting in [
            UserConsentSetting::Disabled,
            UserConsentSetting::AllowAll,
            UserConsentSetting::MicrosoftManaged,
        ] {
            assert_eq!(UserConsentSetting::from_assigned(&setting.to_assigned()), setting);
        }
    }

    proptest::proptest! {
        #[test]
        fn reviewer_parsers_never_panic(s in "\\PC{0,200}") {
            let _ = Reviewer::from_query(&s);
            let _ = Reviewer::parse_spec(&s);
        }
    }
}
