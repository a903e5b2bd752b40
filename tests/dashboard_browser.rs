//! The dashboard in a real browser: headless Chromium through chromedriver (WebDriver, via
//! fantoccini). Loads the page, creates a resource with the Rust client and sees it appear
//! and its disk state turn `UpToDate` without a reload, filters the journal, opens an entry,
//! saves a screenshot (`target/dashboard.png`; also `docs/dashboard.png`, the docs' picture,
//! when `LINSTOR_UPDATE_SCREENSHOT` is set) and presses reset.
//!
//! Runs when `chromedriver` is on the `PATH`; otherwise it prints that it did not run, unless
//! `LINSTOR_BROWSER_TEST=required` (as in `.ci/run`), where a missing chromedriver fails it.

use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{ClientBuilder, Locator};
use linstor_mock::{Config, MockController};
use linstor_tests::mock::{auto_place, connect};
use serde_json::{Value, json};

/// Longest wait for anything the page should show.
const WAIT: Duration = Duration::from_secs(20);

fn on_path(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|dir| PathBuf::from(dir).join(name))
        .find(|p| p.is_file())
}

/// Ends chromedriver when the test ends, however it ends.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// Polls `script` (a JS expression) until it is truthy; panics with `what` after [`WAIT`].
async fn wait_js(browser: &fantoccini::Client, script: &str, what: &str) -> Value {
    let deadline = Instant::now() + WAIT;
    loop {
        let v = browser
            .execute(&format!("return ({script});"), vec![])
            .await
            .expect("script runs");
        let truthy = match &v {
            Value::Null | Value::Bool(false) => false,
            Value::Number(n) => n.as_f64() != Some(0.0),
            Value::String(s) => !s.is_empty(),
            _ => true,
        };
        if truthy {
            return v;
        }
        assert!(Instant::now() < deadline, "not within {WAIT:?}: {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dashboard_follows_the_mock_live_in_headless_chromium() {
    let required = std::env::var("LINSTOR_BROWSER_TEST").as_deref() == Ok("required");
    let Some(chromedriver) = on_path("chromedriver") else {
        assert!(
            !required,
            "LINSTOR_BROWSER_TEST=required but chromedriver is not on the PATH \
             (apt-get install chromium chromium-driver)"
        );
        println!(
            "dashboard browser test did not run: chromedriver is not on the PATH \
             (apt-get install chromium chromium-driver; LINSTOR_BROWSER_TEST=required makes it mandatory)"
        );
        return;
    };
    let port = free_port();
    let _driver = Driver(
        Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts"),
    );
    let deadline = Instant::now() + WAIT;
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "chromedriver does not listen");
        std::thread::sleep(Duration::from_millis(50));
    }

    let mock = MockController::start(Config {
        demo: true,
        admin: Some(SocketAddr::from(([127, 0, 0, 1], 0))),
        // Long enough to see the resource before its disk state arrives.
        event_delay: Duration::from_millis(800),
        ..Config::default()
    })
    .await
    .expect("mock starts");
    let admin = mock.admin_addr().expect("admin API");

    let mut chrome = json!({
        "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--window-size=1440,1100", "--hide-scrollbars"]
    });
    if let Some(binary) = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())
    {
        chrome["binary"] = json!(binary);
    }
    let mut caps = serde_json::Map::new();
    caps.insert("goog:chromeOptions".into(), chrome);
    let browser = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .expect("WebDriver session");

    browser
        .goto(&format!("http://{admin}/"))
        .await
        .expect("dashboard loads");
    wait_js(
        &browser,
        "document.getElementById('live').textContent === 'live'",
        "the SSE connection",
    )
    .await;
    wait_js(
        &browser,
        "document.querySelectorAll('[data-node]').length >= 3",
        "the demo nodes",
    )
    .await;
    // A marker that a reload would lose.
    browser
        .execute("window.__noReload = 42; return 1;", vec![])
        .await
        .expect("script");

    let client = connect(&mock).await;
    let placing = tokio::spawn(async move {
        auto_place(&client, "web", 10 * 1024 * 1024, 2).await;
        client
    });
    wait_js(
        &browser,
        "document.querySelectorAll('.rsc[data-rsc=\"web\"]').length === 2",
        "resource web on two nodes",
    )
    .await;
    wait_js(
        &browser,
        "[...document.querySelectorAll('.rsc[data-rsc=\"web\"] [data-disk-state]')].length === 2 && \
         [...document.querySelectorAll('.rsc[data-rsc=\"web\"] [data-disk-state]')].every(e => e.dataset.diskState === 'UpToDate')",
        "disk states UpToDate",
    )
    .await;
    wait_js(
        &browser,
        "document.querySelector('[data-rscdfn=\"web\"]') && document.querySelector('[data-rscdfn=\"web\"]').textContent.includes('10 GiB')",
        "the resource definition with its volume size",
    )
    .await;
    let _client = placing.await.expect("placing task");

    // Filter the journal by typing, then open the entry with the keyboard.
    let input = browser
        .find(Locator::Id("f-call"))
        .await
        .expect("filter input");
    input.send_keys("AutoPlaceRsc").await.expect("typed");
    wait_js(
        &browser,
        "(() => { const rows = [...document.querySelectorAll('#journal tbody tr')]; \
          return rows.length === 1 && rows[0].dataset.call === 'AutoPlaceRsc'; })()",
        "the journal filtered to AutoPlaceRsc",
    )
    .await;
    let row = browser
        .find(Locator::Css("#journal tbody tr"))
        .await
        .expect("row");
    // With the keyboard: Enter on the focused row opens it.
    row.send_keys(&fantoccini::key::Key::Enter)
        .await
        .expect("Enter on the row");
    wait_js(
        &browser,
        "!document.getElementById('detail').hidden && document.getElementById('detail-request').textContent.includes('\"web\"')",
        "the entry's request",
    )
    .await;
    // The whole page from the top, after the chart's next second.
    browser
        .set_window_size(1440, 1560)
        .await
        .expect("window size");
    browser
        .execute("window.scrollTo(0, 0); return 1;", vec![])
        .await
        .expect("script");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let png = browser.screenshot().await.expect("screenshot");
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    std::fs::create_dir_all(root.join("target")).expect("target/");
    std::fs::write(root.join("target/dashboard.png"), &png).expect("target/dashboard.png");
    if std::env::var_os("LINSTOR_UPDATE_SCREENSHOT").is_some() {
        std::fs::write(root.join("docs/dashboard.png"), &png).expect("docs/dashboard.png");
    }

    browser
        .find(Locator::Id("reset"))
        .await
        .expect("reset button")
        .click()
        .await
        .expect("reset pressed");
    wait_js(
        &browser,
        "document.querySelectorAll('.rsc[data-rsc]').length === 0 && document.querySelectorAll('[data-node]').length >= 3",
        "the demo cluster without resources after reset",
    )
    .await;
    assert!(mock.model().resources().is_empty());
    assert_eq!(
        browser
            .execute("return window.__noReload;", vec![])
            .await
            .expect("script"),
        json!(42),
        "the page was never reloaded"
    );
    browser.close().await.expect("session closes");
}
