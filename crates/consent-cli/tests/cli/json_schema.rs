//! Every command's `--json` document: exactly one JSON value on stdout, a `command` field naming
//! the command, and the documented keys (crates/consent-cli/README.md) with their types.

use crate::common::{bare_json, Mock, APP, REVIEWERS_GROUP, TENANT};
use serde_json::Value;

/// Asserts `v` has every key in `keys` with the JSON type named after it (`s`tring, `b`ool,
/// `n`umber, `a`rray, `o`bject, `?` any incl. null).
fn has(v: &Value, keys: &[(&str, char)]) {
    for (k, t) in keys {
        let x = v.get(*k).unwrap_or_else(|| panic!("missing {k:?} in {v}"));
        let ok = match t {
            's' => x.is_string(),
            'b' => x.is_boolean(),
            'n' => x.is_number(),
            'a' => x.is_array(),
            'o' => x.is_object(),
            _ => true,
        };
        assert!(ok, "{k:?} should be {t} in {v}");
    }
}

#[test]
fn backend_commands_have_stable_documents() {
    let m = Mock::preset("microsoft-managed");
    let p = m.json(&["policy", "show"], 0);
    assert_eq!(p["command"], "policy show");
    has(
        &p,
        &[
            ("changed", 'b'),
            ("changed_fields", 'a'),
            ("request_policy", 'o'),
            ("user_consent", 'o'),
        ],
    );
    has(
        &p["request_policy"],
        &[
            ("enabled", 'b'),
            ("reviewers", 'a'),
            ("request_duration_in_days", 'n'),
            ("notify_reviewers", 'b'),
            ("reminders_enabled", 'b'),
            ("version", 'n'),
        ],
    );
    has(&p["user_consent"], &[("setting", 's'), ("label", 's')]);
    assert_eq!(p["user_consent"]["setting"], "microsoft_managed");

    let e = m.json(
        &["policy", "enable", "--reviewer", &format!("group:{REVIEWERS_GROUP}"), "--no-notify"],
        0,
    );
    assert_eq!(e["command"], "policy enable");
    has(&e, &[("previous", 'o')]);
    has(
        &e["request_policy"]["reviewers"][0],
        &[("spec", 's'), ("kind", 's'), ("id", 's'), ("name", 's')],
    );
    assert_eq!(e["request_policy"]["notify_reviewers"], false);
    let same = m.json(&["policy", "enable"], 0);
    assert_eq!(same["changed"], false, "nothing asked, nothing written: {same}");

    let s = m.json(&["status", "--app", APP], 3);
    assert_eq!(s["command"], "status");
    has(
        &s,
        &[
            ("app_id", 's'),
            ("app_display_name", 's'),
            ("state", 's'),
            ("users_can_link", 'b'),
            ("coverage", 'o'),
            ("details", 'o'),
            ("observed_at", 's'),
            ("guidance", 'o'),
        ],
    );
    has(
        &s["coverage"],
        &[("granted", 'a'), ("missing", 'a'), ("missing_app_roles", 'a'), ("drift", 'b')],
    );
    has(&s["guidance"], &[("title", 's'), ("summary", 's'), ("steps", 'a'), ("links", 'a')]);

    let g = m.json(&["guide", "--app", APP], 0);
    assert_eq!(g["command"], "guide");
    has(
        &g,
        &[("state", 's'), ("audience", '?'), ("format", 's'), ("text", 's'), ("guidance", 'o')],
    );

    m.submit("eva@contoso.example", "Sync");
    let l = m.json(&["requests", "list"], 0);
    assert_eq!(l["command"], "requests list");
    has(&l, &[("count", 'n'), ("requests", 'a')]);
    has(
        &l["requests"][0],
        &[
            ("id", 's'),
            ("app_id", 's'),
            ("app_display_name", 's'),
            ("consent_type", 's'),
            ("status", 's'),
            ("pending_scopes", 'a'),
            ("user_requests", 'a'),
        ],
    );
    has(
        &l["requests"][0]["user_requests"][0],
        &[
            ("id", 's'),
            ("outcome", 's'),
            ("requester", 'o'),
            ("reason", 's'),
            ("created_at", 's'),
            ("reviewed_by", '?'),
            ("review_justification", '?'),
            ("reviewed_at", '?'),
        ],
    );

    let a = m.json(&["approve", "--app", APP], 0);
    assert_eq!(a["command"], "approve");
    has(&a, &[("previous_state", 's'), ("grant", 'o'), ("status", 'o'), ("completion", 'o')]);
    has(
        &a["grant"],
        &[
            ("changed", 'b'),
            ("service_principal_id", 's'),
            ("created_service_principal", 'b'),
            ("grants_created", 'n'),
            ("grants_updated", 'n'),
            ("app_roles_assigned", 'a'),
        ],
    );
    has(&a["completion"], &[("all_users_can_link", 'b'), ("granted", 'a'), ("missing", 'a')]);

    let d = m.json(&["policy", "disable"], 0);
    assert_eq!(d["command"], "policy disable");
    assert_eq!(d["changed_fields"], serde_json::json!(["is_enabled"]));
    let f = m.json(&["mock", "faults", "clear"], 0);
    assert_eq!(f["command"], "mock faults");
}

#[test]
fn link_documents_and_the_error_document() {
    let u = bare_json(
        &[
            "link",
            "url",
            "--client-id",
            APP,
            "--redirect-uri",
            "http://localhost:3000/cb",
            "--scopes",
            "User.Read",
        ],
        0,
    );
    assert_eq!(u["command"], "link url");
    has(
        &u,
        &[
            ("url", 's'),
            ("state", 's'),
            ("tenant", 's'),
            ("client_id", 's'),
            ("redirect_uri", 's'),
            ("scopes", 'a'),
            ("created_at", 's'),
            ("pending_saved_to", '?'),
            ("pending_link", 'o'),
        ],
    );
    assert_eq!(u["tenant"], "organizations");
    let c = bare_json(
        &[
            "link",
            "classify",
            "--url",
            "error=access_denied&error_codes=90095&state=x",
            "--state",
            "x",
        ],
        3,
    );
    assert_eq!(c["command"], "link classify");
    has(
        &c,
        &[
            ("outcome", 's'),
            ("can_request", 'b'),
            ("error_codes", 'a'),
            ("error", 'o'),
            ("state_checked", 'b'),
            ("guidance", 'o'),
        ],
    );
    let a = bare_json(
        &[
            "--tenant",
            TENANT,
            "admin-consent",
            "url",
            "--client-id",
            APP,
            "--redirect-uri",
            "https://crm.example.com/admin",
        ],
        0,
    );
    assert_eq!(a["command"], "admin-consent url");
    has(
        &a,
        &[
            ("url", 's'),
            ("state", 's'),
            ("tenant", 's'),
            ("client_id", 's'),
            ("scopes", 'a'),
            ("pending_admin_consent", 'o'),
        ],
    );
    let state = a["state"].as_str().unwrap();
    let q = format!("admin_consent=True&tenant={TENANT}&state={state}");
    let k = bare_json(&["--tenant", TENANT, "admin-consent", "classify", "--url", &q, "--state", state], 0);
    assert_eq!(k["command"], "admin-consent classify");
    has(
        &k,
        &[
            ("outcome", 's'),
            ("expected_tenant", 's'),
            ("tenant", 's'),
            ("tenant_check", 's'),
            ("guidance", 'o'),
        ],
    );

    let err = bare_json(&["link", "classify", "--url", "state=x&state=y"], 1);
    has(&err["error"], &[("kind", 's'), ("message", 's'), ("exit_code", 'n')]);
    assert_eq!(err.as_object().unwrap().len(), 1, "the error document has only `error`: {err}");
}
