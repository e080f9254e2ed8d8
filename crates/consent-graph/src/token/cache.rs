//! A token cache with single-flight refresh: concurrent callers wait for one refresh.

use std::future::Future;
use std::sync::Arc;

use consent::{Clock, Result};
use tokio::sync::Mutex;

use super::secret::AccessToken;

/// Default head start: a cached token is replaced 5 minutes before it expires, so a request that
/// starts with it does not fail mid-flight.
pub const DEFAULT_REFRESH_MARGIN: chrono::Duration = chrono::Duration::minutes(5);

/// Holds the current token; refreshes it under a lock so only one caller fetches.
#[derive(Debug)]
pub(crate) struct TokenCache {
    slot: Mutex<Option<AccessToken>>,
    clock: Arc<dyn Clock>,
    margin: chrono::Duration,
}

impl TokenCache {
    pub(crate) fn new(clock: Arc<dyn Clock>, margin: chrono::Duration) -> Self {
        Self {
            slot: Mutex::new(None),
            clock,
            margin,
        }
    }

    /// Returns the cached token if it is fresh; otherwise runs `fetch` while holding the lock, so
    /// callers arriving meanwhile wait and then reuse its result instead of fetching again.
    pub(crate) async fn get_or_fetch<F, Fut>(&self, fetch: F) -> Result<AccessToken>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<AccessToken>>,
    {
        let mut slot = self.slot.lock().await;
        if let Some(token) = slot.as_ref() {
            if token.is_fresh(self.clock.now(), self.margin) {
                return Ok(token.clone());
            }
        }
        let fresh = fetch().await?;
        *slot = Some(fresh.clone());
        Ok(fresh)
    }

    /// The clock, for computing expiry from `expires_in`.
    pub(crate) fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }
}
