//! The product the user is linking: its name, the task, and the button that starts linking again.

use serde::{Deserialize, Serialize};

/// What guidance calls the product and the user's task.
///
/// Guidance must not tell a CRM's users to "link your calendar" when they are connecting a mail
/// archive, so every sentence that names the product, the task or the button takes them from here.
/// Without a task or button the catalogue's neutral wording is used: "use Acme" and "Sign in again"
/// (in Dutch "Acme te gebruiken" and "Opnieuw aanmelden").
///
/// ```
/// use consent::guidance::Product;
///
/// let calendar = Product::new("Carerix")
///     .with_task("link your Microsoft 365 calendar")
///     .with_button("Link calendar");
/// assert_eq!(calendar.name(), "Carerix");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Product {
    name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    task: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    button: Option<String>,
}

impl Product {
    /// A product called `name`, with the neutral task and button.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            task: None,
            button: None,
        }
    }

    /// What the user is doing, as an infinitive phrase that completes "You need this to …"
    /// (English: "link your Microsoft 365 calendar"; Dutch, completing "U hebt dit nodig om …":
    /// "uw Microsoft 365-agenda te koppelen"). Give it in the locale you render. Blank text keeps
    /// the neutral wording.
    pub fn with_task(mut self, task: impl Into<String>) -> Self {
        self.task = non_blank(task.into());
        self
    }

    /// The caption of the button that starts linking again (e.g. "Link calendar"). Blank text keeps
    /// the neutral wording.
    pub fn with_button(mut self, button: impl Into<String>) -> Self {
        self.button = non_blank(button.into());
        self
    }

    /// The product's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The task, when the product gave one.
    pub fn task(&self) -> Option<&str> {
        self.task.as_deref()
    }

    /// The button caption, when the product gave one.
    pub fn button(&self) -> Option<&str> {
        self.button.as_deref()
    }
}

fn non_blank(s: String) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_owned())
}
