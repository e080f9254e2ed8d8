//! Renderer tests and the checks every guidance producer runs in both locales.

use super::*;

/// English words that are not also Dutch words: none may appear in Dutch guidance outside quotes.
const ENGLISH_ONLY: &[&str] = &[
    "the",
    "and",
    "your",
    "you",
    "with",
    "please",
    "must",
    "cannot",
    "will",
    "when",
    "which",
    "what",
    "this",
    "that",
    "press",
    "click",
    "again",
    "ask",
    "only",
    "approve",
    "request",
    "users",
    "needs",
    "sign",
    "wait",
    "nothing",
    "everyone",
    "organisation",
    "organization",
    "administrator",
    "because",
    "after",
    "before",
    "there",
    "has",
    "have",
    "been",
];

/// The text outside double quotes.
fn unquoted(text: &str) -> String {
    text.split('"').step_by(2).collect::<Vec<_>>().join(" ")
}

/// Every piece of text in `g`.
fn texts(g: &Guidance) -> Vec<String> {
    let mut v = vec![g.title.clone(), g.summary.clone(), g.to_text()];
    for s in &g.steps {
        v.push(s.text.clone());
        v.extend(s.location.clone());
    }
    v.extend(g.links.iter().map(|l| l.label.clone()));
    v
}

/// Asserts no English-only word appears in `g` outside quoted labels.
pub(crate) fn assert_dutch(kind: &str, g: &Guidance) {
    for text in texts(g) {
        let lower = unquoted(&text).to_lowercase();
        for word in lower.split(|c: char| !c.is_alphabetic()) {
            assert!(
                !ENGLISH_ONLY.contains(&word),
                "{kind}: English word {word:?} in Dutch guidance: {text}"
            );
        }
    }
}

/// Asserts guidance for a product that is not a calendar never mentions one. Permission names
/// (`Calendars.ReadWrite` of the test app) are data the tenant returned, not our wording.
pub(crate) fn assert_not_about_a_calendar(kind: &str, g: &Guidance) {
    let text = g.to_text().to_lowercase().replace("calendars.", "");
    assert!(!text.contains("calendar") && !text.contains("agenda"), "{kind}: {text}");
}

/// Asserts a `<script>` in the product or app name comes out escaped in HTML.
pub(crate) fn assert_html_escapes(g: &Guidance) {
    let html = g.to_html();
    assert!(!html.contains("<script"), "{html}");
    assert!(html.contains("&lt;script&gt;"), "the name is shown, escaped: {html}");
}

/// Message ids that fell back to English on this thread since the last call.
pub(crate) fn catalog_misses() -> Vec<String> {
    catalog::misses::take()
}

fn sample() -> Guidance {
    Guidance::new("Title", "Summary.")
        .user("Ask your admin.")
        .admin(
            format!("Turn on \"{SETTING_USERS_CAN_REQUEST}\"."),
            Some(PATH_ADMIN_CONSENT_SETTINGS),
        )
        .link("Admin consent link", "https://login.microsoftonline.com/x/v2.0/adminconsent")
}

#[test]
fn renders_both_audiences_in_text_markdown_and_html() {
    let g = sample();
    let text = g.to_text();
    assert!(text.contains("What you (the user) do:\n  1. Ask your admin."), "{text}");
    assert!(text.contains(SETTING_USERS_CAN_REQUEST));
    assert!(text.contains("Where: Microsoft Entra admin center"));
    let md = g.to_markdown();
    assert!(md.starts_with("### Title"));
    assert!(md.contains("- [Admin consent link](<https://login.microsoftonline.com/x/v2.0/adminconsent>)"));
    let html = g.to_html();
    assert!(html.starts_with("<section class=\"guidance\" lang=\"en\">"), "{html}");
    assert!(html.contains("<h4>What your administrator does</h4>"));
    assert!(html.contains("&quot;Users can request admin consent"));
    assert!(html.contains("<a href=\"https://login.microsoftonline.com/x/v2.0/adminconsent\">Admin consent link</a>"));
    assert_eq!(g.for_audience(Audience::User).steps.len(), 1);
}

#[test]
fn headings_follow_the_locale() {
    let g = sample().in_locale(Locale::Nl);
    assert!(g.to_text().contains("Wat u (de gebruiker) doet:"));
    assert!(g.to_markdown().contains("*Waar:*"));
    assert!(g.to_html().contains("lang=\"nl\""));
    assert!(catalog_misses().is_empty());
}

#[test]
fn html_never_links_a_non_http_url() {
    let g = Guidance::new("<b>", "x").link("<i>click</i>", "javascript:alert(1)");
    let html = g.to_html();
    assert!(!html.contains("href"), "{html}");
    assert!(html.contains("&lt;b&gt;") && html.contains("&lt;i&gt;click&lt;/i&gt;: javascript:alert(1)"));
}

#[test]
fn guidance_json_carries_its_locale_and_old_documents_default_to_english() {
    let g = sample().in_locale(Locale::Nl);
    let json = serde_json::to_value(&g).unwrap();
    assert_eq!(json["locale"], "nl");
    let old = serde_json::json!({"title": "t", "summary": "s", "steps": [], "links": []});
    assert_eq!(serde_json::from_value::<Guidance>(old).unwrap().locale, Locale::En);
}
