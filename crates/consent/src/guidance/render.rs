//! Renderers: plain text (terminals, emails), Markdown (help centres) and HTML (web pages).

use std::fmt::Write as _;

use super::{Audience, Catalog, Guidance, Step};

fn heading_id(audience: Audience) -> &'static str {
    match audience {
        Audience::User => "heading-user",
        Audience::Admin => "heading-admin",
    }
}

impl Guidance {
    /// Each audience with steps, in order, with its localised heading.
    fn sections(&self) -> impl Iterator<Item = (String, Vec<&Step>)> + '_ {
        let labels = Catalog::plain(self.locale);
        [Audience::User, Audience::Admin].into_iter().filter_map(move |audience| {
            let steps: Vec<&Step> = self.steps_for(audience).collect();
            (!steps.is_empty()).then(|| (labels.t(heading_id(audience)), steps))
        })
    }

    fn where_label(&self) -> String {
        Catalog::plain(self.locale).t("label-where")
    }

    /// Plain text, for terminals and emails.
    pub fn to_text(&self) -> String {
        let mut out = format!("{}\n\n{}\n", self.title, self.summary);
        let where_ = self.where_label();
        for (heading, steps) in self.sections() {
            let _ = write!(out, "\n{heading}:\n");
            for (i, s) in steps.iter().enumerate() {
                let _ = writeln!(out, "  {}. {}", i + 1, s.text);
                if let Some(loc) = &s.location {
                    let _ = writeln!(out, "     {where_}: {loc}");
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
        let where_ = self.where_label();
        for (heading, steps) in self.sections() {
            let _ = write!(out, "\n**{heading}**\n\n");
            for (i, s) in steps.iter().enumerate() {
                let _ = writeln!(out, "{}. {}", i + 1, s.text);
                if let Some(loc) = &s.location {
                    let _ = writeln!(out, "   *{where_}:* {loc}");
                }
            }
        }
        if !self.links.is_empty() {
            out.push('\n');
            for l in &self.links {
                let _ = writeln!(out, "- [{}](<{}>)", l.label, l.url);
            }
        }
        out
    }

    /// An HTML fragment (`<section lang="…">`), every text escaped. Only `http`/`https` links become
    /// anchors; anything else is shown as text, so a crafted URL cannot run script.
    pub fn to_html(&self) -> String {
        let mut out = format!(
            "<section class=\"guidance\" lang=\"{}\">\n<h3>{}</h3>\n<p>{}</p>\n",
            self.locale.tag(),
            escape(&self.title),
            escape(&self.summary)
        );
        let where_ = escape(&self.where_label());
        for (heading, steps) in self.sections() {
            let _ = write!(out, "<h4>{}</h4>\n<ol>\n", escape(&heading));
            for s in steps {
                let _ = write!(out, "<li>{}", escape(&s.text));
                if let Some(loc) = &s.location {
                    let _ = write!(out, "<br><small>{where_}: {}</small>", escape(loc));
                }
                out.push_str("</li>\n");
            }
            out.push_str("</ol>\n");
        }
        if !self.links.is_empty() {
            out.push_str("<ul>\n");
            for l in &self.links {
                let (label, url) = (escape(&l.label), escape(&l.url));
                if l.url.starts_with("https://") || l.url.starts_with("http://") {
                    let _ = writeln!(out, "<li><a href=\"{url}\">{label}</a></li>");
                } else {
                    let _ = writeln!(out, "<li>{label}: {url}</li>");
                }
            }
            out.push_str("</ul>\n");
        }
        out.push_str("</section>\n");
        out
    }
}

/// Escapes text for HTML element content and double- or single-quoted attributes.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}
