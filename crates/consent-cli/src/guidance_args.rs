//! `--locale` and the product flags: whose words and which language guidance is written in.

use clap::Args;
use consent::guidance::{Locale, Product};

/// Parses `--locale` / `CONSENTCTL_LOCALE` strictly (a typo is a usage error, not silent English).
fn parse_locale(s: &str) -> Result<Locale, String> {
    s.parse().map_err(|e: consent::guidance::UnsupportedLocale| e.to_string())
}

/// How guidance names the product and which language it is written in.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Guidance")]
pub struct GuidanceArgs {
    /// Language of the guidance: en or nl (also nl-NL, nl_NL.UTF-8) [default: $LANG if it names one, else en].
    #[arg(long, value_name = "LOCALE", env = "CONSENTCTL_LOCALE", value_parser = parse_locale)]
    pub locale: Option<Locale>,
    /// The product's name as users know it (default: the app's name).
    #[arg(long, value_name = "NAME")]
    pub product_name: Option<String>,
    /// What the user is doing, completing "You need this to …", e.g. "link your Microsoft 365 calendar" [default: "use" and the product name].
    #[arg(long, value_name = "TEXT")]
    pub product_task: Option<String>,
    /// The button that starts linking again, e.g. "Link calendar" [default: "Sign in again"].
    #[arg(long, value_name = "TEXT")]
    pub product_button: Option<String>,
}

impl GuidanceArgs {
    /// The language: `--locale`, else `CONSENTCTL_LOCALE` (both via clap), else `LANG`, else English.
    pub fn locale(&self) -> Locale {
        self.locale
            .unwrap_or_else(|| Locale::from_env_value(&std::env::var("LANG").unwrap_or_default()))
    }

    /// The product, named `default_name` unless `--product-name` says otherwise.
    pub fn product(&self, default_name: &str) -> Product {
        let mut p = Product::new(self.product_name.as_deref().unwrap_or(default_name));
        if let Some(task) = &self.product_task {
            p = p.with_task(task);
        }
        if let Some(button) = &self.product_button {
            p = p.with_button(button);
        }
        p
    }
}
