//! The message catalogue: one Project Fluent file per locale, shipped inside the crate.
//!
//! Code asks for a message id with arguments and never concatenates sentences, so a translator
//! sees whole sentences and word order stays theirs. Every message receives the product's `$product`,
//! `$app` (the name the admin finds under Enterprise applications), `$task` and `$button`.

use std::sync::OnceLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

use super::{Locale, Product};

/// Every catalogue file as (name, English, Dutch); one bundle per locale holds them all, and a
/// message id lives in exactly one file (unit tests check both).
pub(crate) const FILES: &[(&str, &str, &str)] = &[
    (
        "guidance.ftl",
        include_str!("../../locales/en/guidance.ftl"),
        include_str!("../../locales/nl/guidance.ftl"),
    ),
    (
        "link-health.ftl",
        include_str!("../../locales/en/link-health.ftl"),
        include_str!("../../locales/nl/link-health.ftl"),
    ),
    (
        "revoke.ftl",
        include_str!("../../locales/en/revoke.ftl"),
        include_str!("../../locales/nl/revoke.ftl"),
    ),
    (
        "watch.ftl",
        include_str!("../../locales/en/watch.ftl"),
        include_str!("../../locales/nl/watch.ftl"),
    ),
];

/// The sources of a locale's bundle, in [`FILES`] order.
fn sources(locale: Locale) -> impl Iterator<Item = &'static str> {
    FILES.iter().map(move |(_, en, nl)| match locale {
        Locale::En => *en,
        Locale::Nl => *nl,
    })
}

fn bundle(locale: Locale) -> &'static FluentBundle<FluentResource> {
    static EN: OnceLock<FluentBundle<FluentResource>> = OnceLock::new();
    static NL: OnceLock<FluentBundle<FluentResource>> = OnceLock::new();
    let cell = match locale {
        Locale::En => &EN,
        Locale::Nl => &NL,
    };
    cell.get_or_init(|| build(locale))
}

fn build(locale: Locale) -> FluentBundle<FluentResource> {
    let lang = locale.tag().parse().unwrap_or_default();
    let mut bundle = FluentBundle::new_concurrent(vec![lang]);
    // Plain text goes into terminals, emails and HTML: no Unicode bidi isolation marks.
    bundle.set_use_isolating(false);
    // The sources are compiled in and a unit test proves they parse without errors; should one
    // ever not, the messages that did parse still serve and the rest fall back to English.
    for src in sources(locale) {
        let resource = FluentResource::try_new(src.to_owned()).unwrap_or_else(|(partial, _)| partial);
        let _ = bundle.add_resource(resource);
    }
    bundle
}

/// Formats messages of one locale for one product.
#[derive(Debug, Clone)]
pub(crate) struct Catalog {
    locale: Locale,
    product: String,
    app: String,
    task: String,
    button: String,
}

impl Catalog {
    /// A catalogue for `product`; `app` is the app's name in the tenant (often the product's).
    pub(crate) fn new(locale: Locale, product: &Product, app: &str) -> Self {
        let mut c = Self {
            locale,
            product: product.name().to_owned(),
            app: app.to_owned(),
            task: String::new(),
            button: String::new(),
        };
        c.task = product.task().map_or_else(|| c.t("product-default-task"), str::to_owned);
        c.button = product.button().map_or_else(|| c.t("product-default-button"), str::to_owned);
        c
    }

    /// A catalogue with only the locale, for labels that name no product.
    pub(crate) fn plain(locale: Locale) -> Self {
        Self::new(locale, &Product::new(""), "")
    }

    /// The message `id` with the product arguments.
    pub(crate) fn t(&self, id: &str) -> String {
        self.t_with(id, [])
    }

    /// The message `id` with the product arguments plus `extra`.
    pub(crate) fn t_with<'a>(&self, id: &str, extra: impl IntoIterator<Item = (&'static str, FluentValue<'a>)>) -> String {
        let mut args = FluentArgs::new();
        args.set("product", self.product.as_str());
        args.set("app", self.app.as_str());
        args.set("task", self.task.as_str());
        args.set("button", self.button.as_str());
        for (k, v) in extra {
            args.set(k, v);
        }
        format(self.locale, id, &args)
            .or_else(|| {
                misses::record(self.locale, id);
                format(Locale::En, id, &args)
            })
            .unwrap_or_else(|| id.to_owned())
    }
}

fn format(locale: Locale, id: &str, args: &FluentArgs<'_>) -> Option<String> {
    let bundle = bundle(locale);
    let pattern = bundle.get_message(id)?.value()?;
    let mut errors = Vec::new();
    let text = bundle.format_pattern(pattern, Some(args), &mut errors);
    errors.is_empty().then(|| text.into_owned())
}

/// Message ids a locale did not have (tests assert there are none).
#[cfg(test)]
pub(crate) mod misses {
    use std::cell::RefCell;

    use super::Locale;

    thread_local!(static MISSES: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) });

    pub(crate) fn record(locale: Locale, id: &str) {
        MISSES.with(|m| m.borrow_mut().push(format!("{locale}:{id}")));
    }

    /// Takes the misses recorded on this thread so far.
    pub(crate) fn take() -> Vec<String> {
        MISSES.with(|m| std::mem::take(&mut *m.borrow_mut()))
    }
}

#[cfg(not(test))]
mod misses {
    pub(super) fn record(locale: super::Locale, id: &str) {
        tracing::warn!(%locale, id, "guidance message missing from the catalogue; using English");
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use fluent_bundle::FluentResource;

    use super::*;

    /// Message ids: lines of the form `id =` at column 0 (terms start with `-`, comments with `#`).
    fn ids(src: &str) -> BTreeSet<String> {
        if let Err((_, errors)) = FluentResource::try_new(src.to_owned()) {
            panic!("catalogue does not parse: {errors:?}");
        }
        src.lines()
            .filter_map(|l| l.split_once(" ="))
            .map(|(id, _)| id)
            .filter(|id| id.starts_with(|c: char| c.is_ascii_lowercase()) && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn every_message_id_exists_in_every_locale() {
        let all_en: usize = FILES.iter().map(|(_, en, _)| ids(en).len()).sum();
        assert!(all_en > 100, "the English catalogue looks truncated: {all_en} messages");
        for (name, en, nl) in FILES {
            let (en, nl) = (ids(en), ids(nl));
            let missing: Vec<_> = en.difference(&nl).collect();
            let extra: Vec<_> = nl.difference(&en).collect();
            assert!(
                missing.is_empty() && extra.is_empty(),
                "nl/{name}: missing {missing:?}, extra {extra:?}"
            );
        }
    }

    #[test]
    fn no_message_id_lives_in_two_files() {
        let mut seen: BTreeSet<String> = BTreeSet::new();
        for (name, en, _) in FILES {
            for id in ids(en) {
                assert!(
                    seen.insert(id.clone()),
                    "{id} in {name} repeats an id of an earlier file (it would be dropped)"
                );
            }
        }
    }

    #[test]
    fn product_defaults_are_neutral_and_localised() {
        let en = Catalog::new(Locale::En, &Product::new("Acme"), "Acme");
        assert_eq!(en.task, "use Acme");
        assert_eq!(en.button, "Sign in again");
        let nl = Catalog::new(Locale::Nl, &Product::new("Acme"), "Acme");
        assert_eq!(nl.task, "Acme te gebruiken");
        assert_eq!(nl.button, "Opnieuw aanmelden");
        assert!(misses::take().is_empty());
    }

    #[test]
    fn an_unknown_id_falls_back_to_the_id_and_is_recorded() {
        let c = Catalog::plain(Locale::Nl);
        assert_eq!(c.t("no-such-message"), "no-such-message");
        assert_eq!(misses::take(), vec!["nl:no-such-message".to_owned()]);
    }
}
