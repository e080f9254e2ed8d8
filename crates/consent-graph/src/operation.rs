//! Whether resending each port operation to Microsoft Graph is safe.

use consent::Operation;

/// Graph-specific facts about a [`consent::Operation`]. The permission a refusal names is core's
/// ([`Operation::needed`]), so the mock and this backend word a 403 the same way.
pub trait GraphOperation: Copy {
    /// True when sending the request twice has the same effect as once (GET, PUT, PATCH, and the
    /// read-only `$batch` of a snapshot). Creates are not: after a lost response they are read back
    /// and converged, never resent blindly.
    fn is_idempotent(self) -> bool;
}

impl GraphOperation for Operation {
    fn is_idempotent(self) -> bool {
        !matches!(
            self,
            Operation::CreateServicePrincipal | Operation::CreateDelegatedGrant | Operation::CreateAppRoleAssignment
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_need_write_permissions_and_reads_read_permissions() {
        assert_eq!(Operation::PutRequestPolicy.least_permission(), "Policy.ReadWrite.ConsentRequest");
        assert!(Operation::CreateAppRoleAssignment
            .needed()
            .contains("Privileged Role Administrator"));
        assert!(Operation::ListDelegatedGrants.needed().contains("Directory.Read.All"));
        assert!(!Operation::CreateDelegatedGrant.is_idempotent());
        assert!(Operation::UpdateDelegatedGrant.is_idempotent());
        assert!(Operation::PutRequestPolicy.is_idempotent());
        assert!(Operation::Snapshot.is_idempotent());
    }
}
