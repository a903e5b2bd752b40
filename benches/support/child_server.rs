//! A server in a child process for the benches that read the client's or the server's CPU
//! time apart: the bench binary started again with a flag (`--serve-mock`, ...), which
//! prints the server's address on its first line and serves until its stdin closes.
//! Included by `client_perf.rs` and `event_fanout.rs` with `#[path]`; each uses part of it.

use std::future::Future;
use std::io::{BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};

/// A child process serving on `addr`.
pub struct ChildServer {
    child: Child,
    /// Where it listens.
    pub addr: SocketAddr,
}

impl ChildServer {
    /// Starts this binary again with `flag` and reads the address it prints.
    pub fn spawn(flag: &str) -> ChildServer {
        let exe = std::env::current_exe().expect("own path");
        let mut child = Command::new(exe)
            .arg(flag)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("server process");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("address");
        let addr = line.trim().parse().expect("an address");
        ChildServer { child, addr }
    }

    /// Its process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Closes its stdin and waits for it to end.
    pub fn stop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.wait();
    }
}

/// In the child: runs `serve` on a multi-thread runtime. `serve` prints the address first,
/// and ends when `until_stdin_closes` does.
pub fn run_child<F: Future<Output = ()>>(serve: F) {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(serve);
}

/// Waits until the parent closes this process's stdin.
pub async fn until_stdin_closes() {
    tokio::task::spawn_blocking(|| {
        let mut sink = Vec::new();
        let _ = std::io::stdin().read_to_end(&mut sink);
    })
    .await
    .expect("stdin");
}

/// In the child: a mock controller with `config` until stdin closes.
pub fn serve_mock(config: linstor_mock::Config) {
    run_child(async {
        let mock = linstor_mock::MockController::start(config)
            .await
            .expect("mock starts");
        println!("{}", mock.addr());
        until_stdin_closes().await;
        mock.shutdown().await;
    });
}
