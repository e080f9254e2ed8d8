//! `link url|classify` and `admin-consent url|classify` on the callback shapes Microsoft sends.

use crate::common::{bare, bare_json, strings, APP, TENANT};
use predicates::prelude::*;

const REDIRECT: &str = "https://crm.example.com/auth/microsoft/callback";
const STATE: &str = "s7Kq1f0xZ";

fn classify(query: &str, code: i32) -> serde_json::Value {
    let url = format!("{REDIRECT}?{query}");
    bare_json(&["link", "classify", "--url", &url, "--state", STATE], code)
}

#[test]
fn user_callbacks_classify_by_aadsts_code() {
    let cases: &[(&str, &str, Option<bool>)] = &[
        (
            "error=access_denied&error_codes=%5B90094%5D",
            "admin_approval_required",
            Some(false),
        ),
        ("error=access_denied&error_codes=90095", "admin_approval_required", Some(true)),
        (
            "error=access_denied&error_description=AADSTS90095%3A+Admin+consent+is+required.%0D%0ATrace+ID%3A+abc",
            "admin_approval_required",
            Some(true),
        ),
        ("error=access_denied&error_codes=65004", "user_cancelled", None),
        ("error=access_denied&error_subcode=cancel", "user_cancelled", None),
        ("error=invalid_request&error_codes=65001", "consent_required", None),
        ("error=unauthorized_client&error_codes=700016", "app_not_in_tenant", None),
        ("error=invalid_request&error_codes=50011", "misconfigured", None),
        ("error=access_denied&error_codes=900981", "risky_app_blocked", Some(true)),
        ("error=server_error&error_codes=90090", "other", None),
    ];
    for (query, outcome, can_request) in cases {
        let v = classify(&format!("{query}&state={STATE}"), 3);
        assert_eq!(v["outcome"], *outcome, "{query}");
        assert_eq!(v["state_checked"], true);
        match can_request {
            Some(c) => assert_eq!(v["can_request"], *c, "{query}"),
            None => assert!(v.get("can_request").is_none(), "{query}: {v}"),
        }
        assert!(v["guidance"]["title"].is_string(), "{query}");
    }
    let v = classify(&format!("error=access_denied&error_codes=90094&state={STATE}"), 3);
    assert_eq!(v["error_codes"], serde_json::json!([90094]));
    assert_eq!(v["error"]["error"], "access_denied");
    let v = classify(&format!("error=invalid_request&error_codes=50011&state={STATE}"), 3);
    assert_eq!(v["misconfiguration"], "redirect_uri_mismatch");
    // A cancel without codes has no error_codes field at all.
    assert!(classify(&format!("error=access_denied&error_subcode=cancel&state={STATE}"), 3)
        .get("error_codes")
        .is_none());
}

#[test]
fn state_is_checked_when_given() {
    let v = classify("error=access_denied&error_codes=90094&state=someone-elses", 3);
    assert_eq!(v["outcome"], "state_mismatch");
    assert_eq!(v["state_problem"], "different");
    assert!(v.get("error_codes").is_none(), "nothing is believed from a foreign callback");
    let v = classify("code=abc", 3);
    assert_eq!(v["state_problem"], "missing");
    // Without --state nothing is compared, and the document says so.
    let v = bare_json(&["link", "classify", "--url", "error=access_denied&error_codes=90095&state=x"], 3);
    assert_eq!(v["state_checked"], false);
    assert_eq!(v["outcome"], "admin_approval_required");
}

/// A state that starts with `-` (1 in 64 random base64url states) is a value, not a flag.
const HYPHEN_STATE: &str = "-Xq9_r2Lw0aT";

#[test]
fn a_state_starting_with_a_hyphen_is_a_value_not_a_flag() {
    let v = bare_json(
        &[
            "link",
            "classify",
            "--url",
            &format!("error=access_denied&error_codes=90095&state={HYPHEN_STATE}"),
            "--state",
            HYPHEN_STATE,
        ],
        3,
    );
    assert_eq!(v["outcome"], "admin_approval_required");
    assert_eq!(v["state_checked"], true);
    let q = format!("admin_consent=True&tenant={TENANT}&state={HYPHEN_STATE}");
    let g = bare_json(
        &[
            "--tenant",
            TENANT,
            "admin-consent",
            "classify",
            "--url",
            &q,
            "--state",
            HYPHEN_STATE,
        ],
        0,
    );
    assert_eq!(g["outcome"], "granted");
    // `--state=VALUE` keeps working, and a mismatching hyphen state is still a mismatch.
    let state_eq = format!("--state={HYPHEN_STATE}");
    let m = bare_json(
        &[
            "--tenant",
            TENANT,
            "admin-consent",
            "classify",
            "--url",
            &q.replace("-Xq", "-Yq"),
            &state_eq,
        ],
        3,
    );
    assert_eq!(m["outcome"], "state_mismatch");
}

#[test]
fn a_code_is_authorized_but_never_printed() {
    let code = "AwABAAAAvPM1KaPlrEqdFSBzjqfTGBCmLdgfSTLEMPGYuNHSUYBrqqb_ZT_p2FgzhRvx";
    let url = format!("{REDIRECT}?code={code}&state={STATE}&session_state=xyz");
    for json in [true, false] {
        let mut c = bare();
        if json {
            c.arg("--json");
        }
        let out = c.args(["link", "classify", "--url", &url, "--state", STATE]).output().unwrap();
        assert_eq!(out.status.code(), Some(0));
        let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert!(!all.contains(code), "the authorization code was printed");
        if json {
            let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            assert_eq!(v["outcome"], "authorized");
            assert_eq!(v["code_redeemable"], false);
        }
    }
}

#[test]
fn malformed_callbacks_are_errors_not_outcomes() {
    for q in [
        format!("code=a&state={STATE}&state={STATE}"),
        format!("state={STATE}"),
        format!("code=a&code=b&state={STATE}"),
    ] {
        let v = bare_json(&["link", "classify", "--url", &q, "--state", STATE], 1);
        assert_eq!(v["error"]["kind"], "invalid_input", "{q}");
    }
}

/// `link url --save-pending PATH` with the standard arguments.
fn save_pending_to(path: &std::path::Path) -> assert_cmd::assert::Assert {
    bare()
        .args(["--tenant", TENANT, "link", "url", "--client-id", APP, "--redirect-uri", REDIRECT])
        .args(["--scopes", "User.Read", "--json", "--save-pending"])
        .arg(path)
        .assert()
}

#[cfg(unix)]
#[test]
fn save_pending_makes_an_existing_world_readable_file_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let pending = dir.path().join("pending.json");
    std::fs::write(&pending, "old").unwrap();
    std::fs::set_permissions(&pending, std::fs::Permissions::from_mode(0o644)).unwrap();
    save_pending_to(&pending).success();
    let mode = std::fs::metadata(&pending).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "the verifier must be owner-only, got {mode:o}");
    assert!(std::fs::read_to_string(&pending).unwrap().contains("verifier"));
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(left.len(), 1, "no temporary file left behind: {left:?}");
}

#[cfg(unix)]
#[test]
fn save_pending_never_writes_through_a_symlink() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("victim.txt");
    std::fs::write(&target, "keep me").unwrap();
    let link = dir.path().join("pending.json");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let out = save_pending_to(&link).code(1).get_output().clone();
    let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(said.contains("symbolic link"), "{said}");
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep me");
    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
}

#[test]
fn link_url_round_trips_through_a_saved_pending_link() {
    let dir = tempfile::tempdir().unwrap();
    let pending = dir.path().join("pending.json");
    let pending_s = pending.to_str().unwrap();
    let v = bare_json(
        &[
            "--tenant",
            TENANT,
            "link",
            "url",
            "--client-id",
            APP,
            "--redirect-uri",
            REDIRECT,
            "--scopes",
            "Calendars.ReadWrite User.Read offline_access",
            "--save-pending",
            pending_s,
        ],
        0,
    );
    let url = url::Url::parse(v["url"].as_str().unwrap()).unwrap();
    assert_eq!(url.path(), format!("/{TENANT}/oauth2/v2.0/authorize"));
    let q: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
    assert_eq!(q["code_challenge_method"], "S256");
    assert_eq!(q["prompt"], "select_account");
    assert_eq!(q["state"], v["state"].as_str().unwrap());
    assert_eq!(strings(&v["scopes"]), ["Calendars.ReadWrite", "User.Read", "offline_access"]);
    assert!(v["pending_link"].is_object());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&pending).unwrap().permissions().mode() & 0o777, 0o600);
    }
    let state = v["state"].as_str().unwrap();
    let ok = bare_json(
        &[
            "link",
            "classify",
            "--url",
            &format!("code=abc&state={state}"),
            "--pending",
            pending_s,
        ],
        0,
    );
    assert_eq!(ok["outcome"], "authorized");
    assert_eq!(ok["code_redeemable"], true);
    let bad = bare_json(&["link", "classify", "--url", "code=abc&state=forged", "--pending", pending_s], 3);
    assert_eq!(bad["outcome"], "state_mismatch");

    // A code that arrives for a pending link older than Microsoft's code lifetime is refused.
    let mut old: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&pending).unwrap()).unwrap();
    old["created_at"] = "2020-01-01T00:00:00Z".into();
    std::fs::write(&pending, old.to_string()).unwrap();
    let late = bare_json(
        &[
            "link",
            "classify",
            "--url",
            &format!("code=abc&state={state}"),
            "--pending",
            pending_s,
        ],
        3,
    );
    assert_eq!(late["outcome"], "expired");
    // And a file that is not a pending link says so.
    std::fs::write(&pending, "{\"state\": 1}").unwrap();
    let err = bare_json(&["link", "classify", "--url", "code=abc&state=x", "--pending", pending_s], 1);
    assert!(err["error"]["message"].as_str().unwrap().contains("not a pending link"), "{err}");
}

#[test]
fn link_url_human_output_hides_the_verifier() {
    let dir = tempfile::tempdir().unwrap();
    let pending = dir.path().join("p.json");
    let out = bare()
        .args([
            "link",
            "url",
            "--client-id",
            APP,
            "--redirect-uri",
            REDIRECT,
            "--scopes",
            "User.Read",
            "--save-pending",
        ])
        .arg(&pending)
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("https://login.microsoftonline.com/organizations/oauth2/v2.0/authorize?"),
        "{text}"
    );
    let saved: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&pending).unwrap()).unwrap();
    let verifier = saved["verifier"].as_str().expect("the saved pending link keeps the verifier");
    assert!(verifier.len() >= 43);
    assert!(!text.contains(verifier), "{text}");
    bare()
        .args([
            "--tenant",
            "common",
            "link",
            "url",
            "--client-id",
            APP,
            "--redirect-uri",
            REDIRECT,
            "--scopes",
            "User.Read",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("common"));
    bare()
        .args([
            "link",
            "url",
            "--client-id",
            APP,
            "--redirect-uri",
            "http://crm.example.com/cb",
            "--scopes",
            "User.Read",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--redirect-uri"));
}

#[test]
fn admin_consent_link_and_callbacks() {
    let v = bare_json(
        &[
            "--tenant",
            TENANT,
            "admin-consent",
            "url",
            "--client-id",
            APP,
            "--redirect-uri",
            REDIRECT,
        ],
        0,
    );
    let url = url::Url::parse(v["url"].as_str().unwrap()).unwrap();
    assert_eq!(url.path(), format!("/{TENANT}/v2.0/adminconsent"));
    assert_eq!(strings(&v["scopes"]), ["https://graph.microsoft.com/.default"]);
    let state = v["state"].as_str().unwrap().to_owned();

    let run = |query: String, code: i32| {
        bare_json(
            &[
                "--tenant",
                TENANT,
                "admin-consent",
                "classify",
                "--url",
                &format!("{REDIRECT}?{query}"),
                "--state",
                &state,
            ],
            code,
        )
    };
    let g = run(format!("admin_consent=True&tenant={TENANT}&state={state}"), 0);
    assert_eq!(g["outcome"], "granted");
    assert_eq!(g["tenant"], TENANT);
    assert_eq!(g["tenant_check"], "matched");
    let forged = "11111111-1111-4111-8111-111111111111";
    let m = run(format!("admin_consent=True&tenant={forged}&state={state}"), 3);
    assert_eq!(m["outcome"], "tenant_mismatch");
    assert_eq!(m["returned_tenant"], forged);
    let d = run(
        format!("admin_consent=True&error=consent_required&error_description=AADSTS65004%3a+declined&state={state}"),
        3,
    );
    assert_eq!(d["outcome"], "declined");
    assert_eq!(d["error_codes"], serde_json::json!([65004]));
    let v1 = run(
        format!("error=permission_denied&error_description=The+admin+canceled+the+request&state={state}"),
        3,
    );
    assert_eq!(v1["outcome"], "declined");
    assert_eq!(
        run(format!("admin_consent=True&tenant={TENANT}&state=other"), 3)["outcome"],
        "state_mismatch"
    );
    assert_eq!(
        run(format!("admin_consent=True&error=server_error&error_codes=90090&state={state}"), 3)["outcome"],
        "other"
    );

    bare()
        .args(["admin-consent", "url", "--client-id", APP, "--redirect-uri", REDIRECT])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--tenant"));
}
