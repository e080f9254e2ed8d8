//! The conformance suite on the embedded mock tenant: every scenario must pass, none may skip.

use consent_conformance::{run_all, MockHarness};

#[tokio::test]
async fn the_mock_passes_every_scenario() {
    let report = run_all(&MockHarness).await;
    println!("{report}");
    report.assert_all_passed();
    // The mock implements every capability, so a skip here would hide a scenario.
    assert!(report.skipped.is_empty(), "the mock skipped scenarios:\n{report}");
    assert!(report.passed.len() >= 25, "expected at least 25 scenarios, ran {}", report.total());
}
