//! The message catalogue: one Project Fluent file per locale, shipped inside the crate.
//!
//! Code asks for a message id with arguments and never concatenates sentences, so a translator
//! sees whole sentences and word order stays theirs. Every message receives the product's `$product`,
//! `$app` (the name the admin finds under Enterprise applications), `$task` and `$button`.

use std::sync::OnceLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

use super::{Locale, Product};

/// The English catalogue sources (one bundle; later files may use earlier files' messages).
pub(crate) const EN_FTL: &[&str] = &[
    include_str!("../../locales/en/guidance.ftl"),
    include_str!("../../locales/en/watch.ftl"),
];
/// The Dutch catalogue sources, file for file like the English.
pub(crate) const NL_FTL: &[&str] = &[
    include_str!("../../locales/nl/guidance.ftl"),
    include_str!("../../locales/nl/watch.ftl"),
];

fn sources(locale: Locale) -> &'static [&'static str] {
    match locale {
        Locale::En => EN_FTL,
        Locale::Nl => NL_FTL,
    }
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
    for source in sources(locale) {
        let resource = FluentResource::try_new((*source).to_owned()).unwrap_or_else(|(partial, _)| partial);
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
    fn ids(srcs: &[&str]) -> BTreeSet<String> {
        for src in srcs {
            if let Err((_, errors)) = FluentResource::try_new((*src).to_owned()) {
                panic!("catalogue does not parse: {errors:?}");
            }
        }
        srcs.iter()
            .flat_map(|src| src.lines())
            .filter_map(|l| l.split_once(" ="))
            .map(|(id, _)| id)
            .filter(|id| id.starts_with(|c: char| c.is_ascii_lowercase()) && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn every_message_id_exists_in_every_locale() {
        let en = ids(EN_FTL);
        assert!(en.len() > 50, "the English catalogue looks truncated: {} messages", en.len());
        for locale in Locale::ALL {
            let other = ids(sources(locale));
            let missing: Vec<_> = en.difference(&other).collect();
            let extra: Vec<_> = other.difference(&en).collect();
            assert!(
                missing.is_empty() && extra.is_empty(),
                "{locale}: missing {missing:?}, extra {extra:?}"
            );
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
