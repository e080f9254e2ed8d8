//! The accept loop: HTTP/1.1 connections served by hyper with a header-read (and keep-alive idle)
//! timeout, at most `max_connections` at once, and graceful shutdown.
//!
//! `axum::serve` has neither a connection cap nor a header-read timer, so a client that opens
//! connections without finishing them could hold sockets until the process runs out of file
//! descriptors. Here a connection beyond the cap is answered `503 Service Unavailable` with
//! `Retry-After: 1` and closed, and accept errors (such as `EMFILE`) pause the loop briefly instead
//! of ending it.

use std::time::Duration;

use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{oneshot, watch, OwnedSemaphorePermit, Semaphore};
use tokio::task::JoinSet;

/// How long a refused connection may take to send its request before the 503 goes out anyway.
const REFUSAL_READ: Duration = Duration::from_secs(1);
/// Pause after a failed accept (e.g. out of file descriptors) before trying again.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

/// Limits of the accept loop.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub(crate) max_connections: usize,
    pub(crate) header_read_timeout: Duration,
}

/// Serves `app` on `listener` until `stop` fires (or its sender is dropped), then stops accepting
/// and lets every open connection finish its request in flight.
pub(crate) async fn serve(listener: TcpListener, app: Router, limits: Limits, mut stop: oneshot::Receiver<()>) -> std::io::Result<()> {
    let slots = std::sync::Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let (drain, draining) = watch::channel(false);
    let mut connections = JoinSet::new();
    loop {
        let accepted = tokio::select! {
            _ = &mut stop => break,
            Some(_) = connections.join_next(), if !connections.is_empty() => continue,
            accepted = listener.accept() => accepted,
        };
        let tcp = match accepted {
            Ok((tcp, _)) => tcp,
            Err(e) => {
                tracing::warn!("accept failed: {e}; retrying");
                tokio::time::sleep(ACCEPT_BACKOFF).await;
                continue;
            }
        };
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!("could not set TCP_NODELAY: {e}");
        }
        match slots.clone().try_acquire_owned() {
            Ok(permit) => connections.spawn(connection(tcp, app.clone(), limits, draining.clone(), permit)),
            Err(_) => connections.spawn(refuse_busy(tcp)),
        };
    }
    drop(listener);
    let _ = drain.send(true);
    while connections.join_next().await.is_some() {}
    Ok(())
}

/// One HTTP/1.1 connection; the permit is held until it closes.
async fn connection(tcp: TcpStream, app: Router, limits: Limits, mut draining: watch::Receiver<bool>, _permit: OwnedSemaphorePermit) {
    let service = TowerToHyperService::new(app);
    let conn = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .serve_connection(TokioIo::new(tcp), service);
    tokio::pin!(conn);
    tokio::select! {
        result = conn.as_mut() => {
            if let Err(e) = result {
                tracing::debug!("connection ended: {e}");
            }
        }
        _ = draining.changed() => {
            conn.as_mut().graceful_shutdown();
            if let Err(e) = conn.await {
                tracing::debug!("connection ended while draining: {e}");
            }
        }
    }
}

/// Beyond the cap: read what the client sends (briefly, so it is not reset mid-request), answer
/// 503 with `Retry-After`, close.
async fn refuse_busy(mut tcp: TcpStream) {
    let mut buf = [0u8; 4096];
    let mut seen = Vec::new();
    let _ = tokio::time::timeout(REFUSAL_READ, async {
        while let Ok(n) = tcp.read(&mut buf).await {
            if n == 0 {
                break;
            }
            seen.extend_from_slice(&buf[..n]);
            if seen.windows(4).any(|w| w == b"\r\n\r\n") || seen.len() > 64 * 1024 {
                break;
            }
        }
    })
    .await;
    let body = r#"{"error":{"code":"serviceNotAvailable","message":"The emulator is serving its maximum number of connections; retry after the time in Retry-After."}}"#;
    let response = format!(
        "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = tcp.write_all(response.as_bytes()).await;
    let _ = tcp.shutdown().await;
}
