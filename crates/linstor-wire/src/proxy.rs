//! The recording proxy: accepts clients, dials only the configured upstream, and forwards
//! bytes unchanged both ways. Each piece read is written to the other side first; a copy
//! then goes (through a bounded queue) to the recorder, which decodes, prints and records.
//! A decode failure only produces a record: it never alters or stops the forwarding.

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::WireError;
use crate::input::decoded_record;
use crate::record::{Direction, Record, RecordKind};
use crate::stream::StreamDecoder;
use crate::tracker::CallTracker;

/// What the proxy prints per frame on standard output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Print {
    /// Nothing.
    Nothing,
    /// One readable line per frame.
    Text,
    /// One JSON line per frame (the recording format).
    Json,
}

/// Settings of a [`Proxy`].
#[derive(Debug, Clone)]
pub struct ProxyConfig {
    /// Address to listen on (the binary's default is `127.0.0.1:3376`).
    pub listen: SocketAddr,
    /// `host:port` of the controller: the only address the proxy dials.
    pub upstream: String,
    /// Recording file (JSON lines), created or truncated.
    pub record: Option<PathBuf>,
    /// What to print.
    pub print: Print,
    /// Largest payload length the decoder accepts (the codec's 16 MiB by default); a
    /// longer one is recorded as bad bytes, and forwarded all the same. It bounds what the
    /// recorder holds per direction.
    pub max_payload: u32,
}

/// Connections served at once; a client beyond this is closed at once (and recorded).
pub const MAX_CONNECTIONS: usize = 1024;
/// Bytes read at most per piece.
const READ_BUF: usize = 64 * 1024;
/// Pieces queued for the recorder (at most 16 MiB); a full queue slows the reading side.
const QUEUE: usize = 256;
/// How long dialling the upstream may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

enum Event {
    Open {
        conn: u64,
        time_us: u64,
        peer: SocketAddr,
        upstream: Option<SocketAddr>,
    },
    Bytes {
        conn: u64,
        time_us: u64,
        dir: Direction,
        data: Bytes,
    },
    Close {
        conn: u64,
        time_us: u64,
        error: Option<String>,
    },
}

/// A running proxy.
pub struct Proxy {
    addr: SocketAddr,
    upstream: String,
    cancel: CancellationToken,
    accept: tokio::task::JoinHandle<()>,
    recorder: tokio::task::JoinHandle<Result<(), WireError>>,
}

/// Microseconds since the Unix epoch.
pub fn now_us() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_micros()).unwrap_or(u64::MAX))
}

impl Proxy {
    /// Binds the listener, opens the recording and starts serving.
    ///
    /// # Errors
    ///
    /// [`WireError::Io`] when the address cannot be bound or the recording not created.
    pub async fn start(config: ProxyConfig) -> Result<Proxy, WireError> {
        let listener = TcpListener::bind(config.listen)
            .await
            .map_err(|e| WireError::io(format!("listening on {}", config.listen), e))?;
        let addr = listener
            .local_addr()
            .map_err(|e| WireError::io("listener address", e))?;
        let file = match &config.record {
            Some(path) => Some(std::io::BufWriter::new(
                std::fs::File::create(path)
                    .map_err(|e| WireError::io(path.display().to_string(), e))?,
            )),
            None => None,
        };
        let (tx, rx) = mpsc::channel(QUEUE);
        let cancel = CancellationToken::new();
        let recorder = tokio::task::spawn_blocking({
            let (print, max_payload) = (config.print, config.max_payload);
            move || record_loop(rx, file, print, max_payload)
        });
        let accept = tokio::spawn(accept_loop(
            listener,
            config.upstream.clone(),
            tx,
            cancel.clone(),
        ));
        Ok(Proxy {
            addr,
            upstream: config.upstream,
            cancel,
            accept,
            recorder,
        })
    }

    /// The address the proxy listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The upstream it forwards to.
    pub fn upstream(&self) -> &str {
        &self.upstream
    }

    /// Stops accepting, closes every connection, and writes out the recording.
    ///
    /// # Errors
    ///
    /// A write error of the recording.
    pub async fn shutdown(self) -> Result<(), WireError> {
        self.cancel.cancel();
        let _ = self.accept.await;
        match self.recorder.await {
            Ok(result) => result,
            Err(e) => Err(WireError::io("recorder", std::io::Error::other(e))),
        }
    }
}

async fn accept_loop(
    listener: TcpListener,
    upstream: String,
    tx: mpsc::Sender<Event>,
    cancel: CancellationToken,
) {
    let mut conns = JoinSet::new();
    let mut count = 0u64;
    loop {
        while conns.try_join_next().is_some() {}
        let accepted = tokio::select! {
            () = cancel.cancelled() => break,
            accepted = listener.accept() => accepted,
        };
        let Ok((client, peer)) = accepted else {
            // Out of descriptors and the like: wait a little instead of spinning.
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        count += 1;
        let conn = count;
        if conns.len() >= MAX_CONNECTIONS {
            let _ = tx
                .send(Event::Close {
                    conn,
                    time_us: now_us(),
                    error: Some(format!("refused: {MAX_CONNECTIONS} connections open")),
                })
                .await;
            drop(client);
            continue;
        }
        let tx = tx.clone();
        let upstream = upstream.clone();
        let cancel = cancel.clone();
        conns.spawn(async move {
            tokio::select! {
                () = cancel.cancelled() => {
                    let _ = tx.send(Event::Close { conn, time_us: now_us(), error: Some("proxy shut down".into()) }).await;
                }
                () = serve(conn, client, peer, upstream, tx.clone()) => {}
            }
        });
    }
    while conns.join_next().await.is_some() {}
}

async fn serve(
    conn: u64,
    client: TcpStream,
    peer: SocketAddr,
    upstream: String,
    tx: mpsc::Sender<Event>,
) {
    let dialled =
        tokio::time::timeout(CONNECT_TIMEOUT, TcpStream::connect(upstream.as_str())).await;
    let server = match dialled {
        Ok(Ok(server)) => server,
        Ok(Err(e)) => {
            let error = format!("cannot connect to {upstream}: {e}");
            return close(&tx, conn, Some(error), Some(peer)).await;
        }
        Err(_) => {
            let error = format!("cannot connect to {upstream}: timed out");
            return close(&tx, conn, Some(error), Some(peer)).await;
        }
    };
    let _ = client.set_nodelay(true);
    let _ = server.set_nodelay(true);
    let _ = tx
        .send(Event::Open {
            conn,
            time_us: now_us(),
            peer,
            upstream: server.peer_addr().ok(),
        })
        .await;
    let (client_read, client_write) = client.into_split();
    let (server_read, server_write) = server.into_split();
    let (up, down) = tokio::join!(
        pump(
            conn,
            Direction::ToController,
            client_read,
            server_write,
            tx.clone()
        ),
        pump(
            conn,
            Direction::ToClient,
            server_read,
            client_write,
            tx.clone()
        ),
    );
    let error = match (up, down) {
        (Ok(()), Ok(())) => None,
        (Err(e), _) | (_, Err(e)) => Some(e),
    };
    close(&tx, conn, error, None).await;
}

async fn close(
    tx: &mpsc::Sender<Event>,
    conn: u64,
    error: Option<String>,
    peer: Option<SocketAddr>,
) {
    if let Some(peer) = peer {
        let _ = tx
            .send(Event::Open {
                conn,
                time_us: now_us(),
                peer,
                upstream: None,
            })
            .await;
    }
    let _ = tx
        .send(Event::Close {
            conn,
            time_us: now_us(),
            error,
        })
        .await;
}

/// Copies one direction until end of stream, then half-closes the other side.
async fn pump(
    conn: u64,
    dir: Direction,
    mut from: OwnedReadHalf,
    mut to: OwnedWriteHalf,
    tx: mpsc::Sender<Event>,
) -> Result<(), String> {
    let mut buf = vec![0u8; READ_BUF];
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) => {
                let _ = to.shutdown().await;
                return Err(format!("{} read: {e}", dir.arrow()));
            }
        };
        let time_us = now_us();
        // Forward first; the recorder only ever sees a copy.
        if let Err(e) = to.write_all(&buf[..n]).await {
            return Err(format!("{} write: {e}", dir.arrow()));
        }
        let _ = tx
            .send(Event::Bytes {
                conn,
                time_us,
                dir,
                data: Bytes::copy_from_slice(&buf[..n]),
            })
            .await;
    }
    let _ = to.shutdown().await;
    Ok(())
}

/// Decodes the copies, prints and records; runs on a blocking thread (file writes).
fn record_loop(
    mut rx: mpsc::Receiver<Event>,
    mut file: Option<std::io::BufWriter<std::fs::File>>,
    print: Print,
    max_payload: u32,
) -> Result<(), WireError> {
    let mut decoders: std::collections::HashMap<(u64, Direction), StreamDecoder> =
        Default::default();
    let mut tracker = CallTracker::new();
    let mut write_error: Option<std::io::Error> = None;
    let mut stdout = std::io::stdout();
    let start_us = now_us();
    while let Some(event) = rx.blocking_recv() {
        let mut records = Vec::new();
        match event {
            Event::Open {
                conn,
                time_us,
                peer,
                upstream,
            } => {
                let mut r = Record::new(RecordKind::Open, time_us, conn, Direction::Unknown);
                r.peer = Some(peer.to_string());
                r.upstream = upstream.map(|a| a.to_string());
                records.push(r);
            }
            Event::Bytes {
                conn,
                time_us,
                dir,
                data,
            } => {
                let mut found = Vec::new();
                decoders
                    .entry((conn, dir))
                    .or_insert_with(|| StreamDecoder::with_max_payload(max_payload))
                    .push(&data, &mut found);
                records.extend(
                    found
                        .into_iter()
                        .map(|d| decoded_record(d, time_us, conn, dir)),
                );
            }
            Event::Close {
                conn,
                time_us,
                error,
            } => {
                for dir in [Direction::ToController, Direction::ToClient] {
                    if let Some(mut decoder) = decoders.remove(&(conn, dir)) {
                        let mut found = Vec::new();
                        decoder.finish(&mut found);
                        records.extend(
                            found
                                .into_iter()
                                .map(|d| decoded_record(d, time_us, conn, dir)),
                        );
                    }
                }
                let mut r = Record::new(RecordKind::Close, time_us, conn, Direction::Unknown);
                r.error = error;
                records.push(r);
            }
        }
        for mut r in records {
            tracker.observe(&mut r);
            match print {
                Print::Nothing => {}
                Print::Text => {
                    let _ = writeln!(stdout, "{}", r.to_text(start_us));
                }
                Print::Json => {
                    let _ = writeln!(stdout, "{}", r.to_json_line());
                }
            }
            if let (Some(f), None) = (file.as_mut(), write_error.as_ref())
                && let Err(e) = writeln!(f, "{}", r.to_json_line())
            {
                eprintln!("linstor-wire: recording stopped: {e}");
                write_error = Some(e);
            }
        }
        if rx.is_empty()
            && let (Some(f), None) = (file.as_mut(), write_error.as_ref())
            && let Err(e) = f.flush()
        {
            eprintln!("linstor-wire: recording stopped: {e}");
            write_error = Some(e);
        }
    }
    if let (Some(f), None) = (file.as_mut(), write_error.as_ref()) {
        f.flush().map_err(|e| WireError::io("recording", e))?;
    }
    match write_error {
        Some(e) => Err(WireError::io("recording", e)),
        None => Ok(()),
    }
}
