//! Plain-language next steps for the user and the admin, rendered as text or Markdown.
//!
//! Guidance is generated from state (see [`ConsentState::guidance`](crate::ConsentState::guidance)
//! and the link-flow outcomes), so a product's help text always matches what the tenant really needs.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

/// The exact name of the tenant setting that turns on consent requests.
pub const SETTING_USERS_CAN_REQUEST: &str = "Users can request admin consent to apps they are unable to consent to";
/// Where that setting lives in the Microsoft Entra admin center.
pub const PATH_ADMIN_CONSENT_SETTINGS: &str =
    "Microsoft Entra admin center → Identity → Applications → Enterprise applications → Consent and permissions → Admin consent settings";
/// Where the user-consent setting lives.
pub const PATH_USER_CONSENT_SETTINGS: &str =
    "Microsoft Entra admin center → Identity → Applications → Enterprise applications → Consent and permissions → User consent settings";
/// Where reviewers find pending requests.
pub const PATH_ADMIN_CONSENT_REQUESTS: &str =
    "Microsoft Entra admin center → Identity → Applications → Enterprise applications → Admin consent requests";
/// The button a reviewer presses on a request.
pub const BUTTON_REVIEW: &str = "Review permissions and consent";
/// The button the user presses on the "Approval required" prompt.
pub const BUTTON_REQUEST_APPROVAL: &str = "Request approval";
/// The Entra admin center's address.
pub const ENTRA_ADMIN_CENTER: &str = "https://entra.microsoft.com";

/// Who a step is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    /// The employee linking their calendar.
    User,
    /// The tenant administrator or consent reviewer.
    Admin,
}

impl Audience {
    fn heading(self) -> &'static str {
        match self {
            Audience::User => "What you (the user) do",
            Audience::Admin => "What your administrator does",
        }
    }
}

/// One instruction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    /// Who acts.
    pub audience: Audience,
    /// What to do, in one or two sentences.
    pub text: String,
    /// Where (an admin center path), when it matters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
}

/// A link to hand over (e.g. the admin-consent link).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    /// What it is.
    pub label: String,
    /// The URL.
    pub url: String,
}

/// Next steps for a state or outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Guidance {
    /// A short headline ("Your administrator must approve Carerix Calendar").
    pub title: String,
    /// One paragraph: what is going on.
    pub summary: String,
    /// Ordered steps for either audience.
    pub steps: Vec<Step>,
    /// Links to hand over.
    pub links: Vec<Link>,
}

impl Guidance {
    /// Guidance with a title and summary and no steps yet.
    pub fn new(title: impl Into<String>, summary: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            summary: summary.into(),
            steps: Vec::new(),
            links: Vec::new(),
        }
    }

    /// Adds a step for the user.
    pub fn user(mut self, text: impl Into<String>) -> Self {
        self.steps.push(Step {
            audience: Audience::User,
            text: text.into(),
            location: None,
        });
        self
    }

    /// Adds a step for the admin, optionally with a location.
    pub fn admin(mut self, text: impl Into<String>, location: Option<&str>) -> Self {
        self.steps.push(Step {
            audience: Audience::Admin,
            text: text.into(),
            location: location.map(str::to_owned),
        });
        self
    }

    /// Adds a link.
    pub fn link(mut self, label: impl Into<String>, url: impl Into<String>) -> Self {
        self.links.push(Link {
            label: label.into(),
            url: url.into(),
        });
        self
    }

    /// The steps for one audience, in order.
    pub fn steps_for(&self, audience: Audience) -> impl Iterator<Item = &Step> {
        self.steps.iter().filter(move |s| s.audience == audience)
    }

    /// Only the parts one audience needs (same title, summary and links).
    pub fn for_audience(&self, audience: Audience) -> Guidance {
        Guidance {
            steps: self.steps_for(audience).cloned().collect(),
            ..self.clone()
        }
    }

    /// Plain text, for terminals and emails.
    pub fn to_text(&self) -> String {
        let mut out = format!("{}\n\n{}\n", self.title, self.summary);
        for audience in [Audience::User, Audience::Admin] {
            let steps: Vec<&Step> = self.steps_for(audience).collect();
            if steps.is_empty() {
                continue;
            }
            let _ = write!(out, "\n{}:\n", audience.heading());
            for (i, s) in steps.iter().enumerate() {
                let _ = writeln!(out, "  {}. {}", i + 1, s.text);
                if let Some(loc) = &s.location {
                    let _ = writeln!(out, "     Where: {loc}");
                }
            }
        }
        for l in &self.links {
            let _ = write!(out, "\n{}: {}\n", l.label, l.url);
        }
        out
    }

    /// Markdown, for help centres and web pages.
    pub fn to_markdown(&self) -> String {
        let mut out = format!("### {}\n\n{}\n", self.title, self.summary);
        for audience in [Audience::User, Audience::Admin] {
            let steps: Vec<&Step> = self.steps_for(audience).collect();
            if steps.is_empty() {
                continue;
            }
            let _ = write!(out, "\n**{}**\n\n", audience.heading());
            for (i, s) in steps.iter().enumerate() {
                let _ = writeln!(out, "{}. {}", i + 1, s.text);
                if let Some(loc) = &s.location {
                    let _ = writeln!(out, "   *Where:* {loc}");
                }
            }
        }
        if !self.links.is_empty() {
            out.push('\n');
            for l in &self.links {
                let _ = writeln!(out, "- [{}]({})", l.label, l.url);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_both_audiences_in_text_and_markdown() {
        let g = Guidance::new("Title", "Summary.")
            .user("Ask your admin.")
            .admin(
                format!("Turn on \"{SETTING_USERS_CAN_REQUEST}\"."),
                Some(PATH_ADMIN_CONSENT_SETTINGS),
            )
            .link("Admin consent link", "https://login.microsoftonline.com/x/v2.0/adminconsent");
        let text = g.to_text();
        assert!(text.contains("What you (the user) do:\n  1. Ask your admin."), "{text}");
        assert!(text.contains(SETTING_USERS_CAN_REQUEST));
        assert!(text.contains("Where: Microsoft Entra admin center"));
        let md = g.to_markdown();
        assert!(md.starts_with("### Title"));
        assert!(md.contains("- [Admin consent link](https://login.microsoftonline.com/x/v2.0/adminconsent)"));
        assert_eq!(g.for_audience(Audience::User).steps.len(), 1);
    }
}
