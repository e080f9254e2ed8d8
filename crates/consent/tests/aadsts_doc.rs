//! `docs/aadsts.md` documents every code the link flows classify, with the outcome they map to.

use consent::link::LINK_CODE_TABLE;

#[test]
fn every_classified_code_has_a_row_naming_its_outcome() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/aadsts.md")).expect("docs/aadsts.md");
    for (code, class) in LINK_CODE_TABLE {
        let row = doc
            .lines()
            .find(|l| l.starts_with(&format!("| {code} |")))
            .unwrap_or_else(|| panic!("docs/aadsts.md has no row for AADSTS{code}"));
        let outcome = format!("{class:?}");
        let variant = outcome.split([' ', '(', '{']).next().unwrap_or_default();
        assert!(row.contains(variant), "AADSTS{code} maps to {outcome}, but its row says: {row}");
    }
}

#[test]
fn no_code_is_classified_twice() {
    let mut codes: Vec<u32> = LINK_CODE_TABLE.iter().map(|(c, _)| *c).collect();
    codes.sort_unstable();
    let before = codes.len();
    codes.dedup();
    assert_eq!(
        codes.len(),
        before,
        "a code appears twice in LINK_CODE_TABLE; the first row would shadow the second"
    );
}
