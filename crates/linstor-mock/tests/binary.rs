//! The `linstor-mock` binary: prints the address it listens on, serves, and exits cleanly on
//! SIGTERM and SIGINT.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn run_and_signal(signal: &str) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_linstor-mock"))
        .args(["--listen", "127.0.0.1:0", "--demo", "--admin", "127.0.0.1:0"])
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
