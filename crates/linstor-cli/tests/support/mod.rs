//! Test support: a mock controller on an ephemeral port (in its own runtime, so the tests
//! can block on the `linstor` process), running the built binary, and reading tables.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::process::{Command, Output};
use std::time::Duration;

use linstor_mock::{Config, MockController};

/// A mock controller and the runtime that serves it.
pub struct Mock {
    pub mock: Option<MockController>,
    pub runtime: tokio::runtime::Runtime,
    pub addr: SocketAddr,
}

impl Mock {
    /// A mock with the demo cluster (alpha, bravo, charlie with pool `drbdpool`).
    pub fn demo() -> Mock {
        Mock::with(Config {
            demo: true,
            ..Config::default()
        })
    }

    /// A mock with `config` on 127.0.0.1 and an ephemeral port.
    pub fn with(config: Config) -> Mock {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        let mock = runtime
            .block_on(MockController::start(config))
            .expect("mock starts");
        let addr = mock.addr();
        Mock {
            mock: Some(mock),
            runtime,
            addr,
        }
    }

    /// Runs `linstor` with `LS_CONTROLLERS` pointing at this mock.
    pub fn run(&self, args: &[&str]) -> Run {
        run_with(&[("LS_CONTROLLERS", &self.addr.to_string())], args)
    }

    /// Runs `linstor` with `input` on standard input.
    pub fn run_input(&self, input: &str, args: &[&str]) -> Run {
        use std::io::Write;
        use std::process::Stdio;
        let mut child = Command::new(env!("CARGO_BIN_EXE_linstor"))
            .env("LS_CONTROLLERS", self.addr.to_string())
            .env("HOME", "/nonexistent")
            .arg("--disable-config")
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("linstor starts");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input.as_bytes())
            .expect("write stdin");
        let out = child.wait_with_output().expect("linstor ends");
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Runs `linstor` and asserts its exit code; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        self.expect(0, args)
    }

    /// Runs `linstor` and asserts the exit code.
    pub fn expect(&self, code: i32, args: &[&str]) -> String {
        let r = self.run(args);
        assert_eq!(
            r.code, code,
            "linstor {args:?}: exit code {} (wanted {code})\nstdout:\n{}\nstderr:\n{}",
            r.code, r.stdout, r.stderr
        );
        r.stdout
    }

    /// A connected client for checking state directly.
    pub fn client(&self) -> linstor_client::Client {
        let uri = format!("linstor://{}", self.addr);
        self.runtime
            .block_on(linstor_client::Client::connect(&uri))
            .expect("client connects")
    }
}

impl Drop for Mock {
    fn drop(&mut self) {
        if let Some(m) = self.mock.take() {
            self.runtime.block_on(async {
                let _ = tokio::time::timeout(Duration::from_secs(5), m.shutdown()).await;
            });
        }
    }
}

/// The result of one run.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs the built `linstor` binary with `env` (configuration files disabled, no colours).
pub fn run_with(env: &[(&str, &str)], args: &[&str]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_linstor"));
    cmd.env_remove("LS_CONTROLLERS")
        .env("HOME", "/nonexistent")
        .arg("--disable-config")
        .args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out: Output = cmd.output().expect("linstor runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// The column names of an ASCII (`--no-utf8`) table: the first `|` line.
pub fn columns(table: &str) -> Vec<String> {
    let header = table
        .lines()
        .find(|l| l.starts_with('|'))
        .unwrap_or_else(|| panic!("no table in:\n{table}"));
    cells(header)
}

/// The cells of one `|` line.
pub fn cells(line: &str) -> Vec<String> {
    line.trim_matches('|')
        .split('|')
        .map(|c| c.trim().to_owned())
        .collect()
}

/// The data rows of an ASCII table.
pub fn rows(table: &str) -> Vec<Vec<String>> {
    table
        .lines()
        .filter(|l| l.starts_with('|') && !l.starts_with("|-"))
        .skip(1)
        .map(cells)
        .collect()
}
