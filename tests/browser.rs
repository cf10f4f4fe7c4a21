//! The HTML report in a real browser: headless Chromium, driven through chromedriver.
//!
//! The test opens the report of July 1914, checks that the cascade and the timelines are drawn,
//! opens a norm's explanation with a click and another from the keyboard, opens them all with
//! the page's button, and saves a screenshot under the test's output
//! (`target/tmp/browser/july_1914.png`).
//!
//! It needs Debian's `chromium` and `chromium-driver` (`.ci/run` installs them). Without them it
//! says so and passes, unless `CASUS_BROWSER_TEST=required` — as CI sets it — makes their absence
//! a failure.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail loudly")]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// chromedriver, stopped when the test ends however it ends.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn the_html_report_opens_and_explains_in_chromium() {
    if !(Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists()) {
        let required = std::env::var("CASUS_BROWSER_TEST").is_ok_and(|v| v == "required");
        assert!(!required, "CASUS_BROWSER_TEST=required, and {CHROMIUM} or {CHROMEDRIVER} is missing");
        eprintln!("skipped: no {CHROMIUM} and {CHROMEDRIVER} (apt-get install chromium chromium-driver)");
        return;
    }
    let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("browser");
    std::fs::create_dir_all(&out).unwrap();
    let page = out.join("july_1914.html");
    let html = assert_cmd::Command::cargo_bin("casus")
        .unwrap()
        .args(["eval", "scenarios/july_1914.ron", "--format", "html"])
        .output()
        .unwrap();
    assert!(html.status.success());
    std::fs::write(&page, &html.stdout).unwrap();
    let json = assert_cmd::Command::cargo_bin("casus")
        .unwrap()
        .args(["eval", "scenarios/july_1914.ron", "--format", "json"])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let norms = report["norms"].as_array().unwrap().len();

    let port = free_port();
    let _driver = Driver(
        Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let client = connect(port, &out).await;
        let result = walk(&client, &page, &out, norms).await;
        let _ = client.close().await;
        result.unwrap();
    });
}

/// A port no one listens on.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A session of headless Chromium, once chromedriver answers.
async fn connect(port: u16, out: &Path) -> Client {
    let profile = tempfile::tempdir_in(out).unwrap();
    let caps = serde_json::json!({
        "goog:chromeOptions": {
            "binary": CHROMIUM,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--window-size=1280,1600",
                format!("--user-data-dir={}", profile.keep().display()),
            ],
        }
    });
    let caps: fantoccini::wd::Capabilities = caps.as_object().unwrap().clone();
    let started = Instant::now();
    loop {
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        match ClientBuilder::new(connector)
            .capabilities(caps.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(client) => return client,
            Err(e) if started.elapsed() < Duration::from_secs(30) => {
                let _ = e;
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(e) => panic!("chromedriver did not answer on port {port}: {e}"),
        }
    }
}

/// What a reader does with the page.
async fn walk(c: &Client, page: &Path, out: &Path, in_report: usize) -> Result<(), fantoccini::error::CmdError> {
    c.goto(&format!("file://{}", page.display())).await?;
    let title = c.title().await?;
    assert!(title.starts_with("July–August 1914"), "{title}");

    // The cascade and a timeline are drawn, with some size.
    let cascade = c.find(Locator::Css("svg.cascade")).await?;
    let (_, _, w, h) = cascade.rectangle().await?;
    assert!(w > 300.0 && h > 200.0, "the cascade is {w}×{h}");
    assert!(!c.find_all(Locator::Css("svg.timeline .row")).await?.is_empty());

    // An explanation is closed until its norm is clicked; then it quotes the article.
    let norms = c.find_all(Locator::Css("li.norm")).await?;
    assert_eq!(norms.len(), in_report, "the browser shows every norm of the JSON report");
    let first = &norms[0];
    let party = first.attr("data-party").await?.unwrap_or_default();
    let quote = first.find(Locator::Css(".explanation blockquote")).await?;
    assert!(!quote.is_displayed().await?, "an explanation shows before it is asked for");
    first.find(Locator::Css("summary")).await?.click().await?;
    assert!(quote.is_displayed().await?, "a click on {party}'s norm did not open its explanation");
    let text = quote.text().await?;
    assert!(text.len() > 40, "the article's text is missing: {text:?}");
    let heading = first.find(Locator::Css(".explanation h4")).await?.text().await?;
    assert!(heading.contains("art."), "{heading}");

    // From the keyboard: Enter on a focused summary opens it.
    let second = &norms[1];
    let summary = second.find(Locator::Css("summary")).await?;
    summary.send_keys(&Key::Enter.to_string()).await?;
    let opened = second.find(Locator::Css("details")).await?.attr("open").await?;
    assert!(opened.is_some(), "Enter did not open the second norm");

    // The page's button opens every explanation.
    c.find(Locator::Id("expand")).await?.click().await?;
    for n in &norms {
        assert!(n.find(Locator::Css("details")).await?.attr("open").await?.is_some());
    }

    let png = c.screenshot().await?;
    assert!(png.starts_with(b"\x89PNG"), "the screenshot is not a PNG");
    std::fs::write(out.join("july_1914.png"), png).unwrap();
    Ok(())
}
