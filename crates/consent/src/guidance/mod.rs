//! Plain-language next steps for the user and the admin, in the user's language, for any product.
//!
//! Guidance is generated from state (see [`ConsentState::guidance`](crate::ConsentState::guidance)
//! and the link-flow outcomes), so a product's help text always matches what the tenant really needs.
//! Every sentence comes from one [Project Fluent](https://projectfluent.org) catalogue per
//! [`Locale`] (English and Dutch ship) and names the [`Product`] the user is linking. Microsoft's own
//! labels ("Need admin approval", "Approval required", "Request approval", …) are quoted as
//! Microsoft shows them; Microsoft does not document its Dutch portal strings, so Dutch guidance
//! quotes the English label and explains it in Dutch.
//!
//! ```
//! use consent::guidance::{Guidance, Locale, Product};
//!
//! let acme = Product::new("Acme").with_button("Connect mailbox");
//! # let _ = &acme;
//! let g = Guidance::new("Title", "Summary.").user("Ask your administrator.");
//! assert!(g.to_html().starts_with("<section"));
//! assert_eq!(g.locale, Locale::En);
//! ```

mod catalog;
mod locale;
mod product;
mod render;

use serde::{Deserialize, Serialize};

pub(crate) use catalog::Catalog;
pub use locale::{Locale, UnsupportedLocale};
pub use product::Product;

/// The exact name of the tenant setting that turns on consent requests.
pub const SETTING_USERS_CAN_REQUEST: &str = "Users can request admin consent to apps they are unable to consent to";
/// Where that setting lives in the Microsoft Entra admin center (English labels).
pub const PATH_ADMIN_CONSENT_SETTINGS: &str =
    "Microsoft Entra admin center → Identity → Applications → Enterprise applications → Consent and permissions → Admin consent settings";
/// Where the user-consent setting lives (English labels).
pub const PATH_USER_CONSENT_SETTINGS: &str =
    "Microsoft Entra admin center → Identity → Applications → Enterprise applications → Consent and permissions → User consent settings";
/// Where reviewers find pending requests (English labels).
pub const PATH_ADMIN_CONSENT_REQUESTS: &str =
    "Microsoft Entra admin center → Identity → Applications → Enterprise applications → Admin consent requests";
/// The page a user sees when requests are off (AADSTS90094).
pub const PAGE_NEED_ADMIN_APPROVAL: &str = "Need admin approval";
/// The page a user sees when requests are on (AADSTS90095).
pub const PAGE_APPROVAL_REQUIRED: &str = "Approval required";
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
    /// The employee linking their account.
    User,
    /// The tenant administrator or consent reviewer.
    Admin,
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
    /// The language of the text (also of the renderers' headings).
    #[serde(default)]
    pub locale: Locale,
    /// A short headline ("Your administrator must approve Acme").
    pub title: String,
    /// One paragraph: what is going on.
    pub summary: String,
    /// Ordered steps for either audience.
    pub steps: Vec<Step>,
    /// Links to hand over.
    pub links: Vec<Link>,
}

impl Guidance {
    /// English guidance with a title and summary and no steps yet.
    pub fn new(title: impl Into<String>, summary: impl Into<String>) -> Self {
        Self {
            locale: Locale::En,
            title: title.into(),
            summary: summary.into(),
            steps: Vec::new(),
            links: Vec::new(),
        }
    }

    /// The same guidance, declared to be written in `locale` (the renderers' headings follow it).
    pub fn in_locale(mut self, locale: Locale) -> Self {
        self.locale = locale;
        self
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
}

#[cfg(test)]
pub(crate) mod tests;
