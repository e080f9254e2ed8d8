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
///
/// A fresh token is read under a short synchronous lock (`current`, never held across an await);
/// only a caller that finds it missing or stale takes the async `refresh` lock.
#[derive(Debug)]
pub(crate) struct TokenCache {
    current: std::sync::Mutex<Option<AccessToken>>,
    refresh: Mutex<()>,
    clock: Arc<dyn Clock>,
    margin: chrono::Duration,
}

impl TokenCache {
    pub(crate) fn new(clock: Arc<dyn Clock>, margin: chrono::Duration) -> Self {
        Self {
            current: std::sync::Mutex::new(None),
            refresh: Mutex::new(()),
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
        if let Some(token) = self.fresh() {
            return Ok(token);
        }
        let _refreshing = self.refresh.lock().await;
        // Whoever held the lock before us may have just refreshed it.
        if let Some(token) = self.fresh() {
            return Ok(token);
        }
        let fresh = fetch().await?;
        *self.current.lock().unwrap_or_else(|p| p.into_inner()) = Some(fresh.clone());
        Ok(fresh)
    }

    /// True when a token is cached and still fresh (a fleet forgets tenants without one).
    pub(crate) fn holds_fresh(&self) -> bool {
        let slot = self.current.lock().unwrap_or_else(|p| p.into_inner());
        slot.as_ref().is_some_and(|t| t.is_fresh(self.clock.now(), self.margin))
    }

    /// The cached token when it is still fresh.
    fn fresh(&self) -> Option<AccessToken> {
        let slot = self.current.lock().unwrap_or_else(|p| p.into_inner());
        slot.as_ref().filter(|t| t.is_fresh(self.clock.now(), self.margin)).cloned()
    }

    /// The clock, for computing expiry from `expires_in`.
    pub(crate) fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use consent::SystemClock;

    fn token(secret: &str, hours: i64) -> AccessToken {
        AccessToken::new(secret, Some(chrono::Utc::now() + chrono::Duration::hours(hours)))
    }

    #[tokio::test(flavor = "current_thread", start_paused = true)]
    async fn a_fresh_token_is_read_without_waiting_for_a_refresh_in_flight() {
        let cache = TokenCache::new(Arc::new(SystemClock), DEFAULT_REFRESH_MARGIN);
        cache.get_or_fetch(|| async { Ok(token("first", 1)) }).await.unwrap();
        // A refresh holding the async lock does not stall readers of a fresh token.
        let _refreshing = cache.refresh.lock().await;
        let read = tokio::time::timeout(
            std::time::Duration::from_secs(1),
            cache.get_or_fetch(|| async { Ok(token("must not be fetched", 1)) }),
        )
        .await
        .expect("the read waited for the refresh lock")
        .unwrap();
        assert_eq!(read.secret(), "first");
    }

    #[tokio::test]
    async fn a_stale_token_is_fetched_again() {
        let cache = TokenCache::new(Arc::new(SystemClock), DEFAULT_REFRESH_MARGIN);
        cache.get_or_fetch(|| async { Ok(token("old", 0)) }).await.unwrap();
        let read = cache.get_or_fetch(|| async { Ok(token("new", 1)) }).await.unwrap();
        assert_eq!(read.secret(), "new");
    }
}
