//! The languages guidance is written in.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A language the guidance catalogue ships.
///
/// Parsing accepts a BCP 47 tag or a POSIX locale as found in `LANG` (`nl`, `nl-BE`, `nl_NL.UTF-8`,
/// `en-US`); only the language part decides. [`Locale::from_env_value`] falls back to English for
/// anything the catalogue does not ship, which is what a CLI reading `LANG` wants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Locale {
    /// English (the default).
    #[default]
    En,
    /// Dutch (Nederlands). Microsoft's admin-center labels stay in English, in quotes: Microsoft
    /// does not document the Dutch portal strings, and most Dutch admins run the portal in English.
    Nl,
}

impl Locale {
    /// Every shipped locale, English first.
    pub const ALL: [Locale; 2] = [Locale::En, Locale::Nl];

    /// The BCP 47 language tag (`en`, `nl`).
    pub fn tag(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::Nl => "nl",
        }
    }

    /// The locale for a value such as `LANG=nl_NL.UTF-8`, or English when the value is empty, `C`,
    /// `POSIX` or a language the catalogue does not ship.
    pub fn from_env_value(value: &str) -> Locale {
        value.parse().unwrap_or_default()
    }
}

impl fmt::Display for Locale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.tag())
    }
}

/// A locale the catalogue does not ship, or text that is not a language tag.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unsupported locale {0:?}: expected one of en, nl (e.g. nl, nl-NL, nl_NL.UTF-8)")]
pub struct UnsupportedLocale(pub String);

impl FromStr for Locale {
    type Err = UnsupportedLocale;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        // POSIX form: language[_territory][.codeset][@modifier]; BCP 47: language[-region…].
        let bare = s.split(['.', '@']).next().unwrap_or_default().replace('_', "-");
        let language = unic_langid::LanguageIdentifier::from_str(&bare)
            .map_err(|_| UnsupportedLocale(s.to_owned()))?
            .language;
        match language.as_str() {
            "en" => Ok(Locale::En),
            "nl" => Ok(Locale::Nl),
            _ => Err(UnsupportedLocale(s.to_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_tags_and_posix_locales() {
        for (input, want) in [
            ("nl", Locale::Nl),
            ("nl-BE", Locale::Nl),
            ("nl_NL.UTF-8", Locale::Nl),
            ("en_US.utf8", Locale::En),
            ("EN", Locale::En),
        ] {
            assert_eq!(input.parse::<Locale>(), Ok(want), "{input}");
        }
        for bad in ["", "C", "de_DE.UTF-8", "not a tag", "nl NL"] {
            assert!(bad.parse::<Locale>().is_err(), "{bad}");
            assert_eq!(Locale::from_env_value(bad), Locale::En, "{bad}");
        }
    }
}
