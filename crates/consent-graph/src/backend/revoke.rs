//! The deletes behind `revoke` (the app's Permissions page, "Revoke permission"):
//! `DELETE /oauth2PermissionGrants/{id}` and
//! `DELETE /servicePrincipals/{resourceId}/appRoleAssignedTo/{id}`, both answered `204 No Content`.
//!
//! They are tagged `DeleteDelegatedGrant` / `DeleteAppRoleAssignment`, so a refusal names the
//! permission and role a delete needs. DELETE is idempotent, so the transport resends one whose
//! answer was lost; a `404` then means the first landed, and `consent::revoke_tenant_wide` counts a
//! `NotFound` as removed.

use consent::{Error, ObjectId, Operation, Result};

use super::GraphBackend;
use crate::request::{GraphRequest, HttpMethod};

/// Grant ids are base64url strings; assignment ids too.
fn check_id(field: &'static str, id: &str) -> Result<String> {
    let id = id.trim();
    if id.is_empty() || id.len() > 128 || id.chars().any(|c| !(c.is_ascii_alphanumeric() || "-_".contains(c))) {
        return Err(Error::invalid(
            field,
            "must be an id as Graph returns it (base64url characters only)",
        ));
    }
    Ok(id.to_owned())
}

/// `DELETE /oauth2PermissionGrants/{id}`.
pub(crate) fn delete_grant_request(grant_id: &str) -> Result<GraphRequest> {
    let id = check_id("grant_id", grant_id)?;
    Ok(GraphRequest::new(
        Operation::DeleteDelegatedGrant,
        HttpMethod::Delete,
        &["oauth2PermissionGrants", &id],
    )
    .about(format!("delegated grant {id}")))
}

/// `DELETE /servicePrincipals/{resourceId}/appRoleAssignedTo/{id}`.
pub(crate) fn delete_assignment_request(resource_id: &ObjectId, assignment_id: &str) -> Result<GraphRequest> {
    let id = check_id("assignment_id", assignment_id)?;
    let resource = resource_id.to_string();
    Ok(GraphRequest::new(
        Operation::DeleteAppRoleAssignment,
        HttpMethod::Delete,
        &["servicePrincipals", &resource, "appRoleAssignedTo", &id],
    )
    .about(format!("app-role assignment {id} on service principal {resource}")))
}

pub(super) async fn delete_delegated_grant(backend: &GraphBackend, grant_id: &str) -> Result<()> {
    backend.transport.execute(&delete_grant_request(grant_id)?).await.map(|_| ())
}

pub(super) async fn delete_app_role_assignment(backend: &GraphBackend, resource_id: &ObjectId, assignment_id: &str) -> Result<()> {
    backend
        .transport
        .execute(&delete_assignment_request(resource_id, assignment_id)?)
        .await
        .map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deletes_name_the_object_and_refuse_odd_ids() {
        let r = delete_grant_request("AbC-_1").unwrap();
        assert_eq!(r.method, HttpMethod::Delete);
        assert_eq!(r.segments, vec!["oauth2PermissionGrants", "AbC-_1"]);
        assert!(delete_grant_request("a/b").is_err() && delete_grant_request("").is_err());
        let sp = ObjectId::new_random();
        let a = delete_assignment_request(&sp, "x1").unwrap();
        assert_eq!(
            a.segments,
            vec![
                "servicePrincipals".to_owned(),
                sp.to_string(),
                "appRoleAssignedTo".into(),
                "x1".into()
            ]
        );
        assert!(delete_assignment_request(&sp, "x?y").is_err());
    }
}
