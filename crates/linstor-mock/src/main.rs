//! The `linstor-mock` binary: a mock LINSTOR controller on 127.0.0.1:3376 by default.

use std::net::SocketAddr;

use anyhow::Context as _;
use clap::Parser;
use linstor_mock::{Config, MockController};

/// A mock LINSTOR controller (protobuf protocol, API version 3) serving an in-memory model.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:3376")]
    listen: SocketAddr,
    /// API version announced to clients (the 2019 client accepts only 3).
    #[arg(long, default_value_t = 3)]
    api_version: u32,
    /// `controller_info` string of the greeting.
    #[arg(long, default_value = linstor_mock::DEFAULT_CONTROLLER_INFO)]
    controller_info: String,
    /// Largest accepted request payload in bytes; a longer one closes that connection.
    #[arg(long, default_value_t = 16 * 1024 * 1024)]
    max_payload: u32,
    /// Exit when a client sends `ControlCtrl Shutdown`, like the real controller.
    #[arg(long)]
    exit_on_shutdown: bool,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    let config = Config {
        listen: args.listen,
        api_version: args.api_version,
        controller_info: args.controller_info,
        max_payload: args.max_payload,
        exit_on_shutdown: args.exit_on_shutdown,
        ..Config::default()
    };
    let mock = MockController::start(config)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    println!("linstor-mock listening on {}", mock.addr());
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .context("SIGTERM handler")?;
    tokio::select! {
        r = tokio::signal::ctrl_c() => r.context("SIGINT handler")?,
        _ = term.recv() => {}
        _ = mock.stopped() => {}
    }
    tracing::info!("shutting down");
    mock.shutdown().await;
    Ok(())
}
