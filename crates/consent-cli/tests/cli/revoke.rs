//! `consentctl revoke --app X` on the mock: approved → back to requests enabled, idempotent.

use crate::common::{Mock, APP};

#[test]
fn revoke_undoes_approve_and_the_tenant_falls_back() {
    let m = Mock::preset("workflow-on");
    let a = m.json(&["approve", "--app", APP], 0);
    assert_eq!(a["status"]["state"], "approved");

    let r = m.json(&["revoke", "--app", APP], 0);
    assert_eq!(r["command"], "revoke");
    assert_eq!(r["previous_state"], "approved");
    assert_eq!(r["grants_deleted"].as_array().unwrap().len(), 1);
    assert_eq!(r["status"]["state"], "requests_enabled");
    assert!(r["guidance"].as_str().unwrap().contains("was revoked"), "{}", r["guidance"]);
    assert_eq!(m.json(&["status", "--app", APP], 3)["state"], "requests_enabled");

    let again = m.json(&["revoke", "--app", APP], 0);
    assert!(again["grants_deleted"].as_array().unwrap().is_empty());
}
