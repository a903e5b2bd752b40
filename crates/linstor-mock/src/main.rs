//! The `linstor-mock` binary: a mock LINSTOR controller on 127.0.0.1:3376 by default, and
//! `linstor-mock state export|import` for its state store.

use std::net::SocketAddr;

use anyhow::Context as _;
use clap::Parser;
use std::time::Duration;

use linstor_mock::{Config, Faults, MockController, TlsSettings};

/// jemalloc, not glibc's allocator: it keeps freed large buffers for reuse (glibc unmaps every
/// one above 32 MiB, so a 40 MB list answer cost ~10,000 page faults each time) and is faster
/// with the model's many small allocations (`cargo bench --bench mock_scale`).
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// A mock LINSTOR controller (protobuf protocol, API version 3) serving an in-memory model.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    #[command(subcommand)]
    command: Option<Command>,
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
    /// Open connections at most; past it a new connection is closed at once.
    #[arg(long, default_value_t = 10_000)]
    max_connections: usize,
    /// Length of the kernel's queue of connections not yet accepted.
    #[arg(long, default_value_t = 4096)]
    listen_backlog: u32,
    /// Unsent answer bytes after which a connection whose client does not read is closed.
    #[arg(long, default_value_t = 32 * 1024 * 1024)]
    max_output_bytes: usize,
    /// Exit when a client sends `ControlCtrl Shutdown`, like the real controller.
    #[arg(long)]
    exit_on_shutdown: bool,
    /// Seed the demo cluster: satellites alpha, bravo, charlie, each with an LVM-thin pool
    /// `drbdpool`.
    #[arg(long)]
    demo: bool,
    /// Certificate chain (PEM) of the TLS listener; enables it together with `--tls-key`.
    #[arg(long, value_name = "PEM", requires = "tls_key")]
    tls_cert: Option<std::path::PathBuf>,
    /// Private key (PEM) of the TLS listener.
    #[arg(long, value_name = "PEM", requires = "tls_cert")]
    tls_key: Option<std::path::PathBuf>,
    /// Address of the TLS listener.
    #[arg(long, default_value = "127.0.0.1:3377")]
    tls_listen: SocketAddr,
    /// Serve only TLS (no plain listener).
    #[arg(long, requires = "tls_cert")]
    tls_only: bool,
    /// Keep the model in this state store (a redb database, created if missing): every
    /// change is durable before it is answered (docs/state.md). A corrupt file, one of a
    /// newer version, or a JSON state file of an earlier version is refused, never modified.
    #[arg(long, value_name = "PATH")]
    state: Option<std::path::PathBuf>,
    /// Compact the state store's log into a snapshot once it holds this many bytes (and at
    /// least as many as the last snapshot).
    #[arg(long, value_name = "BYTES", default_value_t = linstor_mock::store::DEFAULT_COMPACT_BYTES)]
    state_compact_bytes: u64,
    /// Delay of the event script (events, deferred answers and COMPLETE of calls that
    /// change resources), in milliseconds.
    #[arg(long, default_value_t = 20)]
    event_delay_ms: u64,
    /// Fault: send every answer this many milliseconds late.
    #[arg(long, default_value_t = 0)]
    answer_delay_ms: u64,
    /// Fault: close a connection, unanswered, when its N-th request frame arrives.
    #[arg(long, value_name = "N")]
    drop_after_frames: Option<u64>,
    /// Fault: accept and close every connection at once.
    #[arg(long)]
    refuse_connections: bool,
    /// Fault: make a call fail with a return code, e.g. `CrtRsc=FAIL_IN_USE` or
    /// `CrtRsc=0xC0000000000003E5` (repeatable).
    #[arg(long, value_name = "CALL=CODE", value_parser = linstor_mock::parse_fail_call)]
    fail_call: Vec<(linstor_proto::Call, linstor_proto::ReturnCode)>,
    /// Address of the admin API (`/api/v1`) and the dashboard (`/`).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:3380")]
    admin: SocketAddr,
    /// Run without the admin API and dashboard (and without the request journal).
    #[arg(long)]
    no_admin: bool,
    /// Entries the request journal keeps at most; the oldest are dropped first.
    #[arg(long, value_name = "N", default_value_t = 100_000)]
    journal_limit: usize,
    /// Play this cluster scenario (JSON timeline of satellites going offline, failing
    /// disks, resyncs, pool capacity, slow satellites; docs/scenarios.md) from the start.
    /// A file that does not load stops the mock before it listens.
    #[arg(long, value_name = "FILE")]
    scenario: Option<std::path::PathBuf>,
}

/// Subcommands (without one, the controller runs).
#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Inspect or convert a state store.
    State {
        #[command(subcommand)]
        action: StateAction,
    },
}

/// What to do with a state store.
#[derive(Debug, clap::Subcommand)]
enum StateAction {
    /// Print the whole model of the store at PATH as JSON (stable field order), without
    /// modifying the file.
    Export {
        /// The state store.
        path: std::path::PathBuf,
    },
    /// Create a new state store at PATH from a JSON model (`state export`'s output, or a
    /// JSON state file of an earlier linstor-mock). PATH must not exist.
    Import {
        /// The JSON file.
        json: std::path::PathBuf,
        /// The new state store.
        path: std::path::PathBuf,
    },
}

fn state_command(action: StateAction) -> anyhow::Result<()> {
    use linstor_mock::store;
    match action {
        StateAction::Export { path } => {
            let model = store::read_model(&path)?;
            println!("{}", store::export_json(&model));
        }
        StateAction::Import { json, path } => {
            let text = std::fs::read_to_string(&json)
                .with_context(|| format!("cannot read {}", json.display()))?;
            let model = store::import_any_json(&text)
                .with_context(|| format!("{} is not a linstor-mock model", json.display()))?;
            store::create_from(&path, &model)?;
            eprintln!(
                "imported {} into the state store {} ({} nodes, {} resource definitions)",
                json.display(),
                path.display(),
                model.node_names().len(),
                model.resource_definition_names().len()
            );
        }
    }
    Ok(())
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
    if let Some(Command::State { action }) = args.command {
        return state_command(action);
    }
    // A bad scenario names the file, the step and what is wrong; nothing starts.
    let scenario = args
        .scenario
        .as_deref()
        .map(linstor_mock::scenario::Scenario::load)
        .transpose()?;
    let config = Config {
        scenario,
        listen: args.listen,
        api_version: args.api_version,
        controller_info: args.controller_info,
        max_payload: args.max_payload,
        max_connections: args.max_connections,
        listen_backlog: args.listen_backlog,
        max_output_bytes: args.max_output_bytes,
        exit_on_shutdown: args.exit_on_shutdown,
        demo: args.demo,
        state_file: args.state.clone(),
        state_compact_bytes: args.state_compact_bytes,
        plain: !args.tls_only,
        tls: match (args.tls_cert, args.tls_key) {
            (Some(cert), Some(key)) => Some(TlsSettings {
                listen: args.tls_listen,
                cert,
                key,
            }),
            _ => None,
        },
        event_delay: Duration::from_millis(args.event_delay_ms),
        faults: Faults {
            answer_delay: Duration::from_millis(args.answer_delay_ms),
            drop_after_frames: args.drop_after_frames,
            refuse_connections: args.refuse_connections,
            fail_calls: args.fail_call,
            ..Faults::default()
        },
        admin: (!args.no_admin).then_some(args.admin),
        journal_limit: args.journal_limit,
        ..Config::default()
    };
    // The error names the address or the file at fault.
    let mock = MockController::start(config)
        .await
        .context("cannot start the mock controller")?;
    // Handlers first, then the address: a signal right after the address is seen exits cleanly.
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate()).context("SIGTERM handler")?;
    let mut int = signal(SignalKind::interrupt()).context("SIGINT handler")?;
    // A reader that closed stdout after the first line (it has the address) must not make
    // the next line's write fail the process: write errors are ignored, not panics.
    let mut lines = Vec::new();
    if !args.tls_only {
        lines.push(format!("linstor-mock listening on {}", mock.addr()));
    }
    if let Some(tls) = mock.tls_addr() {
        lines.push(format!("linstor-mock listening on {tls} (TLS)"));
    }
    if let Some(admin) = mock.admin_addr() {
        lines.push(format!(
            "linstor-mock dashboard and admin API on http://{admin}/"
        ));
    }
    {
        use std::io::Write as _;
        let mut out = std::io::stdout().lock();
        for line in lines {
            let _ = writeln!(out, "{line}");
        }
        let _ = out.flush();
    }
    tokio::select! {
        _ = int.recv() => {}
        _ = term.recv() => {}
        _ = mock.stopped() => {}
    }
    tracing::info!("shutting down");
    mock.shutdown().await;
    Ok(())
}
