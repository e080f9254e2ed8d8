//! Which Graph resource a `/v1.0/...` path names. Segments are percent-decoded once, so
//! `servicePrincipals(appId=%27…%27)` and `servicePrincipals(appId='…')` are the same route.

use axum::http::Method;

use super::reply::GraphError;

/// A resource the emulator serves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Route {
    RequestPolicy,
    AuthorizationPolicy,
    AppRequests,
    AppRequestsForReviewer,
    AppRequest(String),
    UserRequests(String),
    UserRequestsForReviewer(String),
    UserRequest(String, String),
    /// `…/userConsentRequests/{id}/approval`.
    Approval(String, String),
    /// `…/userConsentRequests/{id}/approval/stages`.
    ApprovalStages(String, String),
    ServicePrincipals,
    ServicePrincipal(String),
    ServicePrincipalByAppId(String),
    /// `servicePrincipals(appId='…')/oauth2PermissionGrants`.
    GrantsOfAppId(String),
    /// `servicePrincipals(appId='…')/appRoleAssignments`.
    AssignmentsOfAppId(String),
    AppRoleAssignments(String),
    AppRoleAssignedTo(String),
    /// `servicePrincipals/{resourceId}/appRoleAssignedTo/{assignmentId}`.
    AppRoleAssignedToItem(String, String),
    Grants,
    Grant(String),
    Batch,
    /// `me/calendar` (link health).
    MeCalendar,
    /// `me/mailboxSettings` (link health).
    MeMailboxSettings,
}

impl Route {
    /// The methods this resource answers to.
    pub(crate) fn allowed(&self) -> &'static [&'static str] {
        match self {
            Route::RequestPolicy => &["GET", "PUT", "PATCH"],
            Route::ServicePrincipals | Route::Grants | Route::AppRoleAssignments(_) => &["GET", "POST"],
            Route::AppRoleAssignedTo(_) => &["GET", "POST"],
            Route::Batch => &["POST"],
            Route::Grant(_) => &["GET", "PATCH", "DELETE"],
            Route::AppRoleAssignedToItem(..) => &["DELETE"],
            _ => &["GET"],
        }
    }

    /// `405` unless `method` is allowed here.
    pub(crate) fn check_method(&self, method: &Method) -> Result<(), GraphError> {
        if self.allowed().contains(&method.as_str()) {
            Ok(())
        } else {
            Err(GraphError::method_not_allowed(self.allowed()))
        }
    }

    /// Parses the path below `/v1.0` (with or without the leading slash).
    pub(crate) fn parse(path: &str) -> Result<Route, GraphError> {
        let segments: Vec<String> = path
            .trim_start_matches('/')
            .trim_end_matches('/')
            .split('/')
            .map(|s| percent_decode(s).ok_or_else(|| GraphError::bad_request("The path is not valid percent-encoded UTF-8.")))
            .collect::<Result<_, _>>()?;
        let segs: Vec<&str> = segments.iter().map(String::as_str).collect();
        route(&segs).ok_or_else(|| GraphError::unknown_segment(first_unknown(&segs)))
    }
}

fn route(s: &[&str]) -> Option<Route> {
    let eq = |a: &str, b: &str| a.eq_ignore_ascii_case(b);
    match s {
        [p, x] if eq(p, "policies") && eq(x, "adminConsentRequestPolicy") => Some(Route::RequestPolicy),
        [p, x] if eq(p, "policies") && eq(x, "authorizationPolicy") => Some(Route::AuthorizationPolicy),
        // The Entra how-to's path (Microsoft Learn: "authorizationPolicy resource type" discrepancy): accept it too.
        [p, x, y] if eq(p, "policies") && eq(x, "authorizationPolicy") && eq(y, "authorizationPolicy") => Some(Route::AuthorizationPolicy),
        ["$batch"] => Some(Route::Batch),
        [me, c] if eq(me, "me") && eq(c, "calendar") => Some(Route::MeCalendar),
        [me, m] if eq(me, "me") && eq(m, "mailboxSettings") => Some(Route::MeMailboxSettings),
        [ig, ac, acr, rest @ ..] if eq(ig, "identityGovernance") && eq(ac, "appConsent") && eq(acr, "appConsentRequests") => requests(rest),
        [sp] if eq(sp, "servicePrincipals") => Some(Route::ServicePrincipals),
        [sp, id] if eq(sp, "servicePrincipals") && !id.is_empty() => Some(Route::ServicePrincipal((*id).to_owned())),
        [sp, id, nav] if eq(sp, "servicePrincipals") && eq(nav, "appRoleAssignments") => Some(Route::AppRoleAssignments((*id).to_owned())),
        [sp, id, nav] if eq(sp, "servicePrincipals") && eq(nav, "appRoleAssignedTo") => Some(Route::AppRoleAssignedTo((*id).to_owned())),
        [sp, id, nav, a] if eq(sp, "servicePrincipals") && eq(nav, "appRoleAssignedTo") && !a.is_empty() => {
            Some(Route::AppRoleAssignedToItem((*id).to_owned(), (*a).to_owned()))
        }
        [g] if eq(g, "oauth2PermissionGrants") => Some(Route::Grants),
        [g, id] if eq(g, "oauth2PermissionGrants") && !id.is_empty() => Some(Route::Grant((*id).to_owned())),
        [sp] => app_id_key(sp).map(Route::ServicePrincipalByAppId),
        [sp, nav] if eq(nav, "oauth2PermissionGrants") => app_id_key(sp).map(Route::GrantsOfAppId),
        [sp, nav] if eq(nav, "appRoleAssignments") => app_id_key(sp).map(Route::AssignmentsOfAppId),
        _ => None,
    }
}

fn requests(rest: &[&str]) -> Option<Route> {
    let reviewer = |s: &str| s.replace(' ', "").eq_ignore_ascii_case("filterByCurrentUser(on='reviewer')");
    match rest {
        [] => Some(Route::AppRequests),
        [f] if reviewer(f) => Some(Route::AppRequestsForReviewer),
        [id] if !id.is_empty() => Some(Route::AppRequest((*id).to_owned())),
        [id, u] if u.eq_ignore_ascii_case("userConsentRequests") => Some(Route::UserRequests((*id).to_owned())),
        [id, u, f] if u.eq_ignore_ascii_case("userConsentRequests") && reviewer(f) => {
            Some(Route::UserRequestsForReviewer((*id).to_owned()))
        }
        [id, u, uid] if u.eq_ignore_ascii_case("userConsentRequests") && !uid.is_empty() => {
            Some(Route::UserRequest((*id).to_owned(), (*uid).to_owned()))
        }
        [id, u, uid, a] if u.eq_ignore_ascii_case("userConsentRequests") && a.eq_ignore_ascii_case("approval") => {
            Some(Route::Approval((*id).to_owned(), (*uid).to_owned()))
        }
        [id, u, uid, a, s]
            if u.eq_ignore_ascii_case("userConsentRequests") && a.eq_ignore_ascii_case("approval") && s.eq_ignore_ascii_case("stages") =>
        {
            Some(Route::ApprovalStages((*id).to_owned(), (*uid).to_owned()))
        }
        _ => None,
    }
}

/// `servicePrincipals(appId='…')` → the app id (OData quote doubling undone).
fn app_id_key(segment: &str) -> Option<String> {
    let inner = segment.get(..18).filter(|p| p.eq_ignore_ascii_case("servicePrincipals("))?;
    let rest = segment[inner.len()..].strip_suffix(')')?;
    let (key, value) = rest.split_once('=')?;
    if !key.trim().eq_ignore_ascii_case("appId") {
        return None;
    }
    let quoted = value.trim().strip_prefix('\'')?.strip_suffix('\'')?;
    Some(quoted.replace("''", "'"))
}

fn first_unknown<'a>(segs: &[&'a str]) -> &'a str {
    segs.last().copied().unwrap_or("")
}

fn percent_decode(s: &str) -> Option<String> {
    String::from_utf8(decode_bytes(s)).ok()
}

/// Percent-decoding of a path segment (`+` stays a plus, unlike in a query).
fn decode_bytes(s: &str) -> Vec<u8> {
    let raw = s.as_bytes();
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (raw[i], raw.get(i + 1).copied().and_then(hex), raw.get(i + 2).copied().and_then(hex)) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_the_graph_backend_sends() {
        assert_eq!(Route::parse("/policies/adminConsentRequestPolicy").unwrap(), Route::RequestPolicy);
        assert_eq!(
            Route::parse("/servicePrincipals(appId='00000003-0000-0000-c000-000000000000')").unwrap(),
            Route::ServicePrincipalByAppId("00000003-0000-0000-c000-000000000000".into())
        );
        assert_eq!(
            Route::parse("/servicePrincipals(appId=%27a''b%27)").unwrap(),
            Route::ServicePrincipalByAppId("a'b".into())
        );
        assert_eq!(
            Route::parse("identityGovernance/appConsent/appConsentRequests/r1/userConsentRequests").unwrap(),
            Route::UserRequests("r1".into())
        );
        assert_eq!(
            Route::parse("/identityGovernance/appConsent/appConsentRequests/filterByCurrentUser(on='reviewer')").unwrap(),
            Route::AppRequestsForReviewer
        );
        assert_eq!(Route::parse("/oauth2PermissionGrants/abc").unwrap(), Route::Grant("abc".into()));
        assert_eq!(Route::parse("/$batch").unwrap(), Route::Batch);
        assert_eq!(Route::parse("/%24batch").unwrap(), Route::Batch);
    }

    #[test]
    fn unknown_paths_are_404_and_wrong_methods_405() {
        for bad in [
            "/",
            "/me",
            "/policies",
            "/servicePrincipals(displayName='x')",
            "/servicePrincipals(appId=x)",
            "/a/b/c/d",
        ] {
            assert_eq!(Route::parse(bad).unwrap_err().status.as_u16(), 404, "{bad}");
        }
        assert_eq!(Route::parse("/%ff%fe").unwrap_err().status.as_u16(), 400);
        assert_eq!(
            Route::parse("/servicePrincipals(appId='a')/oauth2PermissionGrants").unwrap(),
            Route::GrantsOfAppId("a".into())
        );
        assert_eq!(
            Route::parse("/identityGovernance/appConsent/appConsentRequests/r/userConsentRequests/filterByCurrentUser(on='reviewer')")
                .unwrap(),
            Route::UserRequestsForReviewer("r".into())
        );
        assert_eq!(
            Route::parse("/identityGovernance/appConsent/appConsentRequests/r/userConsentRequests/u/approval/stages").unwrap(),
            Route::ApprovalStages("r".into(), "u".into())
        );
        let err = Route::Grant("x".into()).check_method(&Method::PUT).unwrap_err();
        assert_eq!(err.status.as_u16(), 405);
        assert!(Route::RequestPolicy.check_method(&Method::PATCH).is_ok());
    }
}
