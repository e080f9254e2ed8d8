//! Real callback shapes (Microsoft's auth-code-flow documentation) and the code → outcome table.

use super::*;
use crate::link::{CodeClass, LinkOutcome, Misconfiguration, LINK_CODE_TABLE};

/// Every code the issue lists, with the outcome it must produce.
fn expected(code: u32) -> fn(&LinkOutcome) -> bool {
    match code {
        90094 => |o| matches!(o, LinkOutcome::AdminApprovalRequired { can_request: false, .. }),
        90095 => |o| matches!(o, LinkOutcome::AdminApprovalRequired { can_request: true, .. }),
        65001 => |o| matches!(o, LinkOutcome::ConsentRequired { .. }),
        65004 => |o| matches!(o, LinkOutcome::UserCancelled { .. }),
        700016 | 700011 => |o| matches!(o, LinkOutcome::AppNotInTenant { .. }),
        900941 => |o| matches!(o, LinkOutcome::RiskyAppBlocked { can_request: false, .. }),
        900981 => |o| matches!(o, LinkOutcome::RiskyAppBlocked { can_request: true, .. }),
        50011 => |o| {
            matches!(
                o,
                LinkOutcome::Misconfigured {
                    problem: Misconfiguration::RedirectUriMismatch,
                    ..
                }
            )
        },
        650053 | 65005 | 650057 => |o| {
            matches!(
                o,
                LinkOutcome::Misconfigured {
                    problem: Misconfiguration::UnknownScopeOrResource,
                    ..
                }
            )
        },
        70011 => |o| {
            matches!(
                o,
                LinkOutcome::Misconfigured {
                    problem: Misconfiguration::InvalidScope,
                    ..
                }
            )
        },
        _ => |_| false,
    }
}

const LISTED: &[u32] = &[
    90094, 90095, 65001, 65004, 700016, 700011, 900941, 900981, 50011, 650053, 65005, 650057, 70011,
];

#[test]
fn every_listed_code_maps_to_its_outcome_from_either_source() {
    assert_eq!(LINK_CODE_TABLE.len(), LISTED.len(), "the table holds exactly the listed codes");
    for &code in LISTED {
        let shapes = [
            // Code only in error_codes (bracketed, as MSAL-style redirects carry it).
            format!("error=invalid_request&error_codes=%5B{code}%5D"),
            // Code only in the description, as the authorize endpoint usually sends it.
            format!("error=access_denied&error_description=AADSTS{code}%3A+Some+text.%0D%0ATrace+ID%3A+abc%0D%0ACorrelation+ID%3A+def"),
        ];
        for shape in shapes {
            let p = pending();
            let q = format!("{shape}&state={}", p.state());
            let outcome = p.finish(&q, &clock_after(1)).unwrap();
            assert!(expected(code)(&outcome), "AADSTS{code} via {shape:?} gave {outcome:?}");
            assert!(outcome.auth_error().unwrap().has_code(code));
        }
    }
}

#[test]
fn unlisted_codes_are_other_and_keep_everything_sent() {
    let p = pending();
    let q = format!(
        "error=server_error&error_subcode=x&error_codes=90090&error_uri=https%3A%2F%2Flogin.microsoftonline.com%2Ferror&error_description=AADSTS90090%3A+transient&state={}",
        p.state()
    );
    let LinkOutcome::Other { error } = p.finish(&q, &clock_after(1)).unwrap() else {
        panic!("expected Other")
    };
    assert_eq!(error.error, "server_error");
    assert_eq!(error.error_subcode.as_deref(), Some("x"));
    assert_eq!(error.error_codes, vec![90090]);
    assert_eq!(error.description.as_deref(), Some("AADSTS90090: transient"));
    assert_eq!(error.error_uri.as_deref(), Some("https://login.microsoftonline.com/error"));
    assert!(crate::link::classify_code(90090).is_none());
    assert_eq!(
        crate::link::classify_code(90094),
        Some(CodeClass::AdminApprovalRequired { can_request: false })
    );
}

#[test]
fn documented_success_shape_yields_a_token_exchange() {
    let p = pending();
    let state = p.state().to_owned();
    let verifier = p.verifier.secret().to_owned();
    // From the auth-code-flow page: code=AwABAAAAvPM1KaPlrEqdFSBzjqfTGBCmLdgfSTLEMPGYuNHSUYBrq…&state=…
    let q = format!("code=AwABAAAAvPM1KaPlrEqdFSBzjqfTGBCmLdgfSTLEMPGYuNHSUYBrqqb_ZT_p2FgzhRvx&state={state}&session_state=xyz");
    let LinkOutcome::Authorized(ex) = p.finish(&q, &clock_after(2)).unwrap() else {
        panic!("expected Authorized")
    };
    assert_eq!(
        ex.code.secret(),
        "AwABAAAAvPM1KaPlrEqdFSBzjqfTGBCmLdgfSTLEMPGYuNHSUYBrqqb_ZT_p2FgzhRvx"
    );
    assert_eq!(
        ex.token_url().as_str(),
        "https://login.microsoftonline.com/organizations/oauth2/v2.0/token"
    );
    let fields = ex.form_fields();
    assert!(fields.contains(&("grant_type", "authorization_code".to_owned())));
    assert!(fields.contains(&("code_verifier", verifier.clone())));
    assert!(fields.contains(&("redirect_uri", "https://crm.example.com/auth/microsoft/callback".to_owned())));
    let debug = format!("{ex:?}");
    assert!(!debug.contains(&verifier) && !debug.contains("AwABAAAA"), "{debug}");
}

#[test]
fn a_full_callback_url_is_accepted() {
    let p = pending();
    let q = format!(
        "https://crm.example.com/auth/microsoft/callback?code=abc.def-ghi&state={}",
        p.state()
    );
    assert!(matches!(p.finish(&q, &clock_after(1)).unwrap(), LinkOutcome::Authorized(_)));
}

#[test]
fn user_cancel_shapes() {
    let p = pending();
    let q = format!("error=access_denied&error_subcode=cancel&state={}", p.state());
    assert!(matches!(p.finish(&q, &clock_after(1)).unwrap(), LinkOutcome::UserCancelled { .. }));
    // The protocol page's example error has no subcode and no code: not enough to call it a cancel.
    let p = pending();
    let q = format!(
        "error=access_denied&error_description=the+user+canceled+the+authentication&state={}",
        p.state()
    );
    assert!(
        matches!(p.finish(&q, &clock_after(1)).unwrap(), LinkOutcome::Other { .. }),
        "English text is not read"
    );
    let p = pending();
    let q = format!("error=consent_required&state={}", p.state());
    assert!(matches!(
        p.finish(&q, &clock_after(1)).unwrap(),
        LinkOutcome::ConsentRequired { .. }
    ));
}

#[test]
fn codes_are_expired_after_the_limit_but_errors_are_still_classified() {
    let p = pending();
    let q = format!("code=abc&state={}", p.state());
    assert!(
        matches!(p.finish(&q, &clock_after(10)).unwrap(), LinkOutcome::Authorized(_)),
        "exactly 10 min is in time"
    );
    let p = pending();
    let q = format!("code=abc&state={}", p.state());
    let LinkOutcome::Expired { age, max_age } = p.finish(&q, &clock_after(11)).unwrap() else {
        panic!("expected Expired")
    };
    assert_eq!((age, max_age), (TimeDelta::minutes(11), TimeDelta::minutes(10)));
    let p = pending();
    let q = format!("code=abc&state={}", p.state());
    let opts = crate::link::FinishOptions {
        max_age: TimeDelta::minutes(30),
    };
    assert!(matches!(
        p.finish_with(&q, &clock_after(11), opts).unwrap(),
        LinkOutcome::Authorized(_)
    ));
    let p = pending();
    let q = format!("error=access_denied&error_codes=90095&state={}", p.state());
    assert!(matches!(
        p.finish(&q, &clock_after(90)).unwrap(),
        LinkOutcome::AdminApprovalRequired { can_request: true, .. }
    ));
}
