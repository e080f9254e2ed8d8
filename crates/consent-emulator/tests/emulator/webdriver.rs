//! Headless Chromium through chromedriver, shared by the two browser walks (`browser`,
//! `admin_browser`): start the driver, open a session, wait for a page, click and type.

use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// chromedriver as a child process, killed on drop.
pub struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A browser session on a fresh profile, with the driver and profile kept alive beside it.
pub struct Browser {
    pub client: Client,
    _driver: Driver,
    _profile: tempfile::TempDir,
}

/// Starts chromedriver and a 1280×800 headless Chromium session. The walks are `#[ignore]`d, so
/// this runs only when asked for with `--ignored` (as `.ci/run` does), and then a missing browser
/// is a failure, never a silent pass.
pub async fn open() -> Browser {
    assert!(
        Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists(),
        "{CHROMIUM} or {CHROMEDRIVER} is missing: apt-get install chromium chromium-driver"
    );
    let (driver, port) = start_driver();
    let profile = tempfile::tempdir().expect("a fresh profile dir");
    let args = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--hide-scrollbars",
        "--window-size=1280,800",
        &format!("--user-data-dir={}", profile.path().display()),
    ];
    let mut caps = serde_json::Map::new();
    caps.insert("goog:chromeOptions".into(), serde_json::json!({ "binary": CHROMIUM, "args": args }));
    // chromedriver speaks plain HTTP on loopback: no TLS stack needed.
    let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .expect("a WebDriver session");
    Browser {
        client,
        _driver: driver,
        _profile: profile,
    }
}

fn start_driver() -> (Driver, u16) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port");
    let child = Command::new(CHROMEDRIVER)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromedriver");
    let driver = Driver(child);
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "chromedriver did not listen within 20 s");
        std::thread::sleep(Duration::from_millis(50));
    }
    (driver, port)
}

/// Waits until the page that has `css` is shown (clicks navigate asynchronously), then returns its text.
pub async fn page_with(c: &Client, css: &str) -> String {
    let found = c.wait().at_most(Duration::from_secs(15)).for_element(Locator::Css(css)).await;
    if let Err(e) = found {
        let shown = c.source().await.unwrap_or_default();
        panic!("no {css} on the page ({e}); the page is:\n{shown}");
    }
    c.find(Locator::Css("body")).await.expect("a body").text().await.expect("text")
}

pub async fn click(c: &Client, css: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no {css}: {e}"))
        .click()
        .await
        .expect("click");
}

/// Signs in as `upn` (with the demo password) on the emulator's sign-in page, once it is shown.
pub async fn sign_in(c: &Client, upn: &str) {
    let page = page_with(c, "#upn").await;
    assert!(page.contains("Sign in"), "expected the sign-in page, got: {page}");
    type_into(c, "#upn", upn).await;
    type_into(c, "#password", consent_mock::demo::PASSWORD).await;
    click(c, "#signin").await;
}

/// Replaces the field's value with `value`.
pub async fn type_into(c: &Client, css: &str, value: &str) {
    let field = c.find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("no {css}: {e}"));
    field.clear().await.expect("clear");
    field.send_keys(value).await.expect("type");
}
