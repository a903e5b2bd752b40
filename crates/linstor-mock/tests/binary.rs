//! The `linstor-mock` binary: prints the address it listens on, serves, and exits cleanly on
//! SIGTERM and SIGINT.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn run_and_signal(signal: &str) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_linstor-mock"))
        .args([
            "--listen",
            "127.0.0.1:0",
            "--demo",
            "--admin",
            "127.0.0.1:0",
        ])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("binary starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).expect("a line");
    let addr = line
        .trim()
        .strip_prefix("linstor-mock listening on ")
        .expect("prints its address")
        .to_owned();
    let addr: std::net::SocketAddr = addr.parse().expect("an address");
    assert!(addr.ip().is_loopback());
    std::net::TcpStream::connect(addr).expect("it listens");
    // The shell's built-in kill: no procps needed.
    let status = Command::new("sh")
        .arg("-c")
        .arg(format!("kill {signal} {}", child.id()))
        .status()
        .expect("sh runs");
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            assert!(status.success(), "clean exit on {signal}: {status}");
            return;
        }
        assert!(Instant::now() < deadline, "no exit on {signal}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn prints_its_address_and_exits_on_sigterm() {
    run_and_signal("-TERM");
}

#[test]
fn exits_on_sigint() {
    run_and_signal("-INT");
}

/// One HTTP/1.1 GET with `Connection: close`: the status line and the body.
fn http_get(addr: &str, path: &str) -> (String, String) {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).expect("admin API connects");
    s.set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    write!(
        s,
        "GET {path} HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\n\r\n"
    )
    .expect("write");
    let mut text = String::new();
    s.read_to_string(&mut text).expect("read");
    let (head, body) = text.split_once("\r\n\r\n").expect("a head");
    (
        head.lines().next().unwrap_or_default().to_owned(),
        body.to_owned(),
    )
}

#[test]
fn prints_the_dashboard_address_and_serves_the_admin_api() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_linstor-mock"))
        .args([
            "--listen",
            "127.0.0.1:0",
            "--admin",
            "127.0.0.1:0",
            "--journal-limit",
            "7",
        ])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("binary starts");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let first = lines.next().expect("a line").expect("utf-8");
    assert!(first.starts_with("linstor-mock listening on "), "{first}");
    let second = lines.next().expect("a line").expect("utf-8");
    let admin = second
        .strip_prefix("linstor-mock dashboard and admin API on http://")
        .and_then(|rest| rest.strip_suffix('/'))
        .unwrap_or_else(|| panic!("prints the dashboard address: {second}"))
        .to_owned();
    assert!(admin.starts_with("127.0.0.1:"), "{admin}");
    let (status, body) = http_get(&admin, "/api/v1/journal/count");
    assert!(status.contains(" 200 "), "{status}");
    assert_eq!(body, r#"{"count":0}"#);
    let (_, info) = http_get(&admin, "/api/v1/info");
    assert!(info.contains(r#""journal_limit":7"#), "{info}");
    let (status, page) = http_get(&admin, "/");
    assert!(status.contains(" 200 "), "{status}");
    assert!(page.contains("/assets/app.js"));
    let status = Command::new("sh")
        .arg("-c")
        .arg(format!("kill -TERM {}", child.id()))
        .status()
        .expect("sh runs");
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            assert!(status.success(), "clean exit with the admin API: {status}");
            return;
        }
        assert!(Instant::now() < deadline, "no exit on SIGTERM");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn no_admin_prints_no_dashboard() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_linstor-mock"))
        .args(["--listen", "127.0.0.1:0", "--no-admin"])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("binary starts");
    let mut out = BufReader::new(child.stdout.take().expect("stdout"));
    let mut line = String::new();
    out.read_line(&mut line).expect("a line");
    assert!(line.starts_with("linstor-mock listening on "), "{line}");
    let status = Command::new("sh")
        .arg("-c")
        .arg(format!("kill -TERM {}", child.id()))
        .status()
        .expect("sh runs");
    assert!(status.success());
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut out, &mut rest).expect("read to the end");
    assert!(!rest.contains("dashboard"), "{rest}");
    assert!(child.wait().expect("wait").success());
}

#[test]
fn a_bad_scenario_file_stops_the_mock_before_it_listens() {
    let dir =
        std::env::temp_dir().join(format!("linstor-mock-bin-scenario-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("broken.json");
    std::fs::write(
        &path,
        r#"{"steps": [
            {"at": "1s", "action": "node_offline", "node": "bravo"},
            {"at": "2s", "action": "disk_state", "node": "alpha", "resource": "r1", "state": "Exploded"}
        ]}"#,
    )
    .expect("write");
    let out = Command::new(env!("CARGO_BIN_EXE_linstor-mock"))
        .args(["--listen", "127.0.0.1:0", "--no-admin", "--scenario"])
        .arg(&path)
        .env("RUST_LOG", "warn")
        .output()
        .expect("binary runs");
    assert!(!out.status.success());
    assert!(out.stdout.is_empty(), "it never listened");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let expected = format!(
        "scenario file '{}': step 2 (disk_state): unknown disk state 'Exploded'",
        path.display()
    );
    assert!(stderr.contains(&expected), "{stderr}");

    // A good file starts.
    let good = dir.join("good.json");
    std::fs::write(
        &good,
        r#"{"steps": [{"at": "1s", "action": "node_offline", "node": "bravo"}]}"#,
    )
    .expect("write");
    let mut child = Command::new(env!("CARGO_BIN_EXE_linstor-mock"))
        .args([
            "--listen",
            "127.0.0.1:0",
            "--no-admin",
            "--demo",
            "--scenario",
        ])
        .arg(&good)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("binary starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("a line");
    assert!(line.starts_with("linstor-mock listening on "), "{line}");
    let status = Command::new("sh")
        .arg("-c")
        .arg(format!("kill -TERM {}", child.id()))
        .status()
        .expect("sh runs");
    assert!(status.success());
    assert!(child.wait().expect("wait").success());
    std::fs::remove_dir_all(&dir).expect("clean up");
}
