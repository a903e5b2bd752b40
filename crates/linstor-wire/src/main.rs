//! `linstor-wire`: decode, proxy, replay, seeds and stats for the LINSTOR protocol.

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use linstor_wire::input::{DecodeOptions, decode_input_each, read_input};
use linstor_wire::record::{RecordKind, read_recording};

#[derive(Parser)]
#[command(
    name = "linstor-wire",
    version,
    about = "See the wire of the LINSTOR protocol"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Decode a raw byte stream, hex text, a recording or a pcap/pcapng capture.
    Decode {
        /// The input; `-` for standard input.
        #[arg(default_value = "-")]
        file: PathBuf,
        /// JSON lines (the recording format) instead of readable lines.
        #[arg(long)]
        json: bool,
        /// Controller port(s) of captures (default 3376 and 3377).
        #[arg(long = "port")]
        ports: Vec<u16>,
        /// Largest payload length accepted.
        #[arg(long, default_value_t = linstor_codec::DEFAULT_MAX_PAYLOAD)]
        max_payload: u32,
    },
    /// A transparent TCP proxy that prints and records every frame.
    Proxy {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:3376")]
        listen: SocketAddr,
        /// The controller to forward to (the only address dialled).
        #[arg(long)]
        upstream: String,
        /// Write the recording (JSON lines) to this file.
        #[arg(long)]
        record: Option<PathBuf>,
        /// Print nothing per frame.
        #[arg(long)]
        quiet: bool,
        /// Print JSON lines instead of readable lines.
        #[arg(long)]
        json: bool,
        /// Largest payload length decoded (longer is recorded as bad bytes, still forwarded).
        #[arg(long, default_value_t = linstor_codec::DEFAULT_MAX_PAYLOAD)]
        max_payload: u32,
    },
    /// Send the client side of a recording to a controller and compare the answers.
    Replay {
        /// The recording.
        file: PathBuf,
        /// The controller, e.g. 127.0.0.1:3376.
        #[arg(long)]
        to: String,
        /// Also compare every message field by field.
        #[arg(long)]
        strict: bool,
        /// Seconds to wait for each call's COMPLETE.
        #[arg(long, default_value_t = 10)]
        timeout: u64,
    },
    /// Write the recorded client frames as fuzz seeds and golden-vector files.
    Seeds {
        /// The recording.
        file: PathBuf,
        /// Output folder (created).
        dir: PathBuf,
    },
    /// Counts, sizes and latency percentiles per call.
    Stats {
        /// A recording or a capture.
        file: PathBuf,
        /// Controller port(s) of captures.
        #[arg(long = "port")]
        ports: Vec<u16>,
    },
}

fn options(ports: Vec<u16>, max_payload: u32) -> DecodeOptions {
    let mut options = DecodeOptions {
        max_payload,
        ..DecodeOptions::default()
    };
    if !ports.is_empty() {
        options.ports = ports;
    }
    options
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("linstor-wire: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Decode {
            file,
            json,
            ports,
            max_payload,
        } => {
            let data = read_input(&file)?;
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            let mut errors = 0;
            let mut start = 0;
            let mut write_error = None;
            let decoded = decode_input_each(&data, &options(ports, max_payload), &mut |r| {
                if r.kind == RecordKind::Error {
                    errors += 1;
                }
                if start == 0 {
                    start = r.time_us;
                }
                let line = if json {
                    r.to_json_line()
                } else {
                    r.to_text(start)
                };
                if write_error.is_none()
                    && let Err(e) = writeln!(out, "{line}")
                {
                    write_error = Some(e);
                }
            });
            let flushed = out.flush();
            match write_error.map_or(flushed, Err) {
                // A closed pipe (`| head`) ends the output quietly.
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
                    return Ok(ExitCode::SUCCESS);
                }
                Err(e) => return Err(e.into()),
                Ok(()) => {}
            }
            decoded.with_context(|| format!("decoding {}", file.display()))?;
            if errors > 0 {
                eprintln!("linstor-wire: {errors} bad stretch(es) of input, see the ERROR lines");
                return Ok(ExitCode::from(1));
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Proxy {
            listen,
            upstream,
            record,
            quiet,
            json,
            max_payload,
        } => {
            let runtime = tokio::runtime::Runtime::new()?;
            runtime.block_on(async {
                let config = linstor_wire::proxy::ProxyConfig {
                    listen,
                    upstream,
                    record,
                    print: match (quiet, json) {
                        (true, _) => linstor_wire::proxy::Print::Nothing,
                        (false, true) => linstor_wire::proxy::Print::Json,
                        (false, false) => linstor_wire::proxy::Print::Text,
                    },
                    max_payload,
                };
                let proxy = linstor_wire::proxy::Proxy::start(config).await?;
                eprintln!(
                    "linstor-wire: proxy on {} -> {}",
                    proxy.addr(),
                    proxy.upstream()
                );
                tokio::signal::ctrl_c().await?;
                proxy.shutdown().await?;
                anyhow::Ok(())
            })?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Replay {
            file,
            to,
            strict,
            timeout,
        } => {
            let records = read_recording(&file)?;
            let runtime = tokio::runtime::Runtime::new()?;
            let options = linstor_wire::replay::ReplayOptions {
                strict,
                timeout: std::time::Duration::from_secs(timeout),
            };
            let report = runtime.block_on(linstor_wire::replay::replay(&records, &to, &options))?;
            print!("{report}");
            Ok(if report.differences.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        Command::Seeds { file, dir } => {
            let records = read_recording(&file)?;
            let written = linstor_wire::seeds::write_seeds(&records, &dir)?;
            println!(
                "{written} request frames written to {}/{{decode_frame,decode_envelope,decode_wire,mock_connection,vectors/requests}}",
                dir.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Stats { file, ports } => {
            let data = read_input(&file)?;
            let mut stats = linstor_wire::stats::Stats::default();
            let options = options(ports, linstor_codec::DEFAULT_MAX_PAYLOAD);
            decode_input_each(&data, &options, &mut |r| stats.add(&r))?;
            stats.finish();
            print!("{stats}");
            Ok(ExitCode::SUCCESS)
        }
    }
}
