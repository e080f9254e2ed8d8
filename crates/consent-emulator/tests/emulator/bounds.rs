//! Issue 9 item 8: bounded connections and timeouts (memory over 100,000 token requests is measured
//! by `benches/rss.py`; the figures are in docs/emulator.md).

use std::time::{Duration, Instant};

use consent_emulator::EmulatorConfig;
use consent_mock::{MockTenant, Preset};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

use crate::common::start_with;

fn request(host: &str) -> String {
    format!("GET /v1.0/policies/authorizationPolicy HTTP/1.1\r\nHost: {host}\r\n\r\n")
}

/// Reads until the peer closes or `limit` passes; returns what came and whether it closed.
async fn read_until_closed(tcp: &mut TcpStream, limit: Duration) -> (String, bool) {
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    let closed = tokio::time::timeout(limit, async {
        loop {
            match tcp.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => seen.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await
    .is_ok();
    (String::from_utf8_lossy(&seen).into_owned(), closed)
}

#[tokio::test]
async fn connections_beyond_the_cap_get_503_with_retry_after_and_slots_free_up() {
    let config = EmulatorConfig {
        max_connections: 2,
        ..EmulatorConfig::default()
    };
    let env = start_with(MockTenant::preset(Preset::WorkflowOn), config).await;
    let addr = env.emu.local_addr();
    let held = [TcpStream::connect(addr).await.unwrap(), TcpStream::connect(addr).await.unwrap()];
    // Let the server accept both before the third arrives.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut third = TcpStream::connect(addr).await.unwrap();
    third.write_all(request(&addr.to_string()).as_bytes()).await.unwrap();
    let (answer, closed) = read_until_closed(&mut third, Duration::from_secs(5)).await;
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    assert!(answer.contains("Retry-After: 1"), "{answer}");
    assert!(closed, "the refused connection is closed");

    drop(held);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let ok = env.get("/policies/authorizationPolicy", &env.admin_token).await;
    assert_eq!(ok.status(), reqwest::StatusCode::OK, "slots free up when connections close");
}

#[tokio::test]
async fn slow_headers_and_idle_keep_alive_connections_are_closed() {
    let config = EmulatorConfig {
        header_read_timeout: Duration::from_millis(300),
        ..EmulatorConfig::default()
    };
    let env = start_with(MockTenant::preset(Preset::WorkflowOn), config).await;
    let addr = env.emu.local_addr();

    // Headers that never end.
    let mut slow = TcpStream::connect(addr).await.unwrap();
    slow.write_all(b"GET /v1.0/policies/authorizationPolicy HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    let started = Instant::now();
    let (_, closed) = read_until_closed(&mut slow, Duration::from_secs(5)).await;
    assert!(closed, "a connection that never finishes its headers is closed");
    assert!(started.elapsed() >= Duration::from_millis(250), "{:?}", started.elapsed());

    // A keep-alive connection that goes quiet after one request.
    let mut idle = TcpStream::connect(addr).await.unwrap();
    let auth = format!(
        "GET /v1.0/policies/authorizationPolicy HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\n\r\n",
        env.admin_token
    );
    idle.write_all(auth.as_bytes()).await.unwrap();
    let (answer, closed) = read_until_closed(&mut idle, Duration::from_secs(5)).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(closed, "an idle keep-alive connection is closed after the timeout");
}
