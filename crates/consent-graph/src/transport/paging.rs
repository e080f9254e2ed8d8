//! Listing with `@odata.nextLink`, followed here (with retry per page) rather than by the SDK,
//! whose paging bypasses retries and would send the bearer token to any host a next link names.

use consent::{Error, Result};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use url::Url;

use super::Transport;
use crate::endpoint::same_origin;
use crate::request::GraphRequest;

/// Stops a service that keeps returning next links from looping forever.
const MAX_PAGES: usize = 1000;

/// One page of a Graph collection.
#[derive(Debug, Deserialize)]
pub(crate) struct Page<T> {
    #[serde(default = "Vec::new")]
    pub(crate) value: Vec<T>,
    #[serde(default, rename = "@odata.nextLink")]
    pub(crate) next_link: Option<String>,
}

impl Transport {
    /// Every item of the collection `req` names, across pages.
    /// One deadline ([`RetryPolicy::deadline`](crate::RetryPolicy)) covers every page and retry.
    pub(crate) async fn list<T: DeserializeOwned>(&self, req: &GraphRequest) -> Result<Vec<T>> {
        let deadline = self.deadline();
        let first = self.execute_at(req, req.url(&self.base), deadline).await?;
        let page: Page<T> = parse(req, &first.body)?;
        self.follow_until(req, page, deadline).await
    }

    /// Continues from an already fetched first page (e.g. one that came back inside a `$batch`),
    /// with a fresh deadline for the remaining pages.
    pub(crate) async fn follow<T: DeserializeOwned>(&self, req: &GraphRequest, first: Page<T>) -> Result<Vec<T>> {
        self.follow_until(req, first, self.deadline()).await
    }

    async fn follow_until<T: DeserializeOwned>(
        &self,
        req: &GraphRequest,
        first: Page<T>,
        deadline: tokio::time::Instant,
    ) -> Result<Vec<T>> {
        let mut items = first.value;
        let mut next = first.next_link;
        let mut pages = 1;
        while let Some(link) = next {
            if pages >= MAX_PAGES {
                return Err(bad_answer(req, format!("more than {MAX_PAGES} pages; refusing to continue")));
            }
            let url = self.check_next_link(req, &link)?;
            let answer = self.execute_at(req, url, deadline).await?;
            let page: Page<T> = parse(req, &answer.body)?;
            items.extend(page.value);
            next = page.next_link;
            pages += 1;
        }
        Ok(items)
    }

    /// Accepts a next link only on the endpoint's own scheme, host and port: the bearer token goes
    /// wherever it points.
    fn check_next_link(&self, req: &GraphRequest, link: &str) -> Result<Url> {
        let url = Url::parse(link).map_err(|e| bad_answer(req, format!("@odata.nextLink {link:?} is not a URL: {e}")))?;
        if !same_origin(&self.base, &url) {
            tracing::warn!(next_link = %url, "refusing a next link to another host");
            return Err(bad_answer(
                req,
                format!(
                    "refused to follow @odata.nextLink to {}://{}: it is not the endpoint's origin ({}://{}), and following it would send the bearer token there",
                    url.scheme(),
                    url.host_str().unwrap_or(""),
                    self.base.scheme(),
                    self.base.host_str().unwrap_or("")
                ),
            ));
        }
        Ok(url)
    }
}

/// Parses a success body of `req`'s operation.
pub(crate) fn parse<T: DeserializeOwned>(req: &GraphRequest, body: &[u8]) -> Result<T> {
    serde_json::from_slice(body).map_err(|e| {
        let mut err = bad_answer(req, format!("the response did not match the expected shape: {e}"));
        if let Error::Backend { body: slot, .. } = &mut err {
            *slot = Some(String::from_utf8_lossy(&body[..body.len().min(4096)]).into_owned());
        }
        err
    })
}

fn bad_answer(req: &GraphRequest, message: String) -> Error {
    Error::backend(200, None, format!("{}: {message}", req.op.describe()))
}
