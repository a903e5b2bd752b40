//! Session replay: the client side of a recording is sent, frame for frame and byte for
//! byte, to a controller, one connection after the other; each call's answers (up to its
//! `COMPLETE`) are compared with the recorded ones: the sequence of answer contents and
//! the return codes, and with `strict` every message field by field.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::time::Duration;

use futures::StreamExt;
use linstor_codec::FrameCodec;
use linstor_proto::ReturnCode;
use serde_json::Value;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio_util::codec::FramedRead;

use crate::WireError;
use crate::record::{Direction, Record, RecordKind};
use crate::view::FrameView;

/// Options of [`replay`].
#[derive(Debug, Clone)]
pub struct ReplayOptions {
    /// Also compare every message field by field.
    pub strict: bool,
    /// How long to wait for a call's `COMPLETE` (and for the greeting).
    pub timeout: Duration,
}

impl Default for ReplayOptions {
    fn default() -> Self {
        ReplayOptions {
            strict: false,
            timeout: Duration::from_secs(10),
        }
    }
}

/// Where the replayed session differs from the recording.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// Connection number of the recording.
    pub conn: u64,
    /// `api_call_id` of the call (`None` for the greeting).
    pub api_call_id: Option<i64>,
    /// The call's name (`Version` for the greeting).
    pub call: String,
    /// What differs.
    pub what: DifferenceKind,
}

/// The kinds of [`Difference`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DifferenceKind {
    /// The answers' contents, in order (`COMPLETE` included).
    Contents {
        /// As recorded.
        recorded: Vec<String>,
        /// As replayed.
        replayed: Vec<String>,
    },
    /// The return codes of every `MsgApiCallResponse`, in order.
    ReturnCodes {
        /// As recorded.
        recorded: Vec<u64>,
        /// As replayed.
        replayed: Vec<u64>,
    },
    /// `strict`: a message's fields differ.
    Fields {
        /// Which answer frame (0 = first) and message.
        frame: usize,
        /// Which message of that frame.
        message: usize,
        /// As recorded.
        recorded: String,
        /// As replayed.
        replayed: String,
    },
}

/// What [`replay`] found.
#[derive(Debug, Clone, Default)]
pub struct ReplayReport {
    /// Connections replayed.
    pub connections: usize,
    /// Calls sent and compared.
    pub calls: usize,
    /// Event frames received (not compared).
    pub events: usize,
    /// The differences, in replay order.
    pub differences: Vec<Difference>,
}

fn codes(codes: &[u64]) -> String {
    let names: Vec<String> = codes.iter().map(|&c| ReturnCode(c).to_string()).collect();
    format!("[{}]", names.join(", "))
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let id = self
            .api_call_id
            .map_or_else(|| "-".into(), |id| id.to_string());
        write!(f, "conn {} id {} {}: ", self.conn, id, self.call)?;
        match &self.what {
            DifferenceKind::Contents { recorded, replayed } => write!(
                f,
                "answers differ: recorded [{}], replayed [{}]",
                recorded.join(", "),
                replayed.join(", ")
            ),
            DifferenceKind::ReturnCodes { recorded, replayed } => write!(
                f,
                "return codes differ: recorded {}, replayed {}",
                codes(recorded),
                codes(replayed)
            ),
            DifferenceKind::Fields {
                frame,
                message,
                recorded,
                replayed,
            } => write!(
                f,
                "answer {frame} message {message} differs: recorded {recorded}, replayed {replayed}"
            ),
        }
    }
}

impl fmt::Display for ReplayReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.differences {
            writeln!(f, "DIFF {d}")?;
        }
        writeln!(
            f,
            "replayed {} call(s) on {} connection(s), {} event frame(s) received: {} difference(s)",
            self.calls,
            self.connections,
            self.events,
            self.differences.len()
        )
    }
}

/// The name an answer frame is compared by: its content, or `COMPLETE`.
fn answer_name(view: &FrameView) -> String {
    match view.msg_type.as_deref() {
        Some("COMPLETE") => "COMPLETE".into(),
        _ => view.content.clone().unwrap_or_default(),
    }
}

/// One recorded connection: the client's frames and the answers per call id.
#[derive(Default)]
struct Session {
    greeting: Option<FrameView>,
    requests: Vec<(Vec<u8>, Option<FrameView>)>,
    answers: HashMap<i64, Vec<FrameView>>,
}

fn sessions(records: &[Record]) -> Result<BTreeMap<u64, Session>, WireError> {
    let mut sessions: BTreeMap<u64, Session> = BTreeMap::new();
    for (i, r) in records.iter().enumerate() {
        if r.kind != RecordKind::Frame {
            continue;
        }
        let session = sessions.entry(r.conn).or_default();
        let view = r.frame.clone();
        let dir = match r.dir {
            Direction::Unknown => crate::input::infer_direction(r),
            dir => dir,
        };
        match dir {
            Direction::ToController => session.requests.push((r.raw_bytes(i + 1)?, view)),
            Direction::ToClient => {
                let Some(view) = view else { continue };
                match (view.msg_type.as_deref(), view.api_call_id) {
                    (Some("ANSWER" | "COMPLETE"), Some(id)) => {
                        session.answers.entry(id).or_default().push(view);
                    }
                    (Some("ONEWAY"), _)
                        if view.content.as_deref() == Some("Version")
                            && session.greeting.is_none()
                            && session.requests.is_empty() =>
                    {
                        session.greeting = Some(view);
                    }
                    _ => {}
                }
            }
            Direction::Unknown => {}
        }
    }
    Ok(sessions)
}

/// Compares one call's answers; appends what differs.
fn compare(
    conn: u64,
    id: Option<i64>,
    call: &str,
    recorded: &[FrameView],
    replayed: &[FrameView],
    strict: bool,
    out: &mut Vec<Difference>,
) {
    let diff = |what| Difference {
        conn,
        api_call_id: id,
        call: call.to_owned(),
        what,
    };
    let names = |frames: &[FrameView]| frames.iter().map(answer_name).collect::<Vec<_>>();
    let (recorded_names, replayed_names) = (names(recorded), names(replayed));
    if recorded_names != replayed_names {
        out.push(diff(DifferenceKind::Contents {
            recorded: recorded_names,
            replayed: replayed_names,
        }));
    }
    let rc = |frames: &[FrameView]| {
        frames
            .iter()
            .flat_map(FrameView::ret_codes)
            .collect::<Vec<_>>()
    };
    let (recorded_codes, replayed_codes) = (rc(recorded), rc(replayed));
    if recorded_codes != replayed_codes {
        out.push(diff(DifferenceKind::ReturnCodes {
            recorded: recorded_codes,
            replayed: replayed_codes,
        }));
    }
    if strict {
        for (frame, (a, b)) in recorded.iter().zip(replayed).enumerate() {
            let fields = |v: &FrameView| -> Vec<Value> {
                v.messages
                    .iter()
                    .map(|m| m.fields.clone().unwrap_or(Value::Null))
                    .collect()
            };
            let (fa, fb) = (fields(a), fields(b));
            let longest = fa.len().max(fb.len());
            for message in 0..longest {
                let (x, y) = (fa.get(message), fb.get(message));
                if x != y {
                    let show =
                        |v: Option<&Value>| v.map_or_else(|| "(none)".into(), Value::to_string);
                    out.push(diff(DifferenceKind::Fields {
                        frame,
                        message,
                        recorded: show(x),
                        replayed: show(y),
                    }));
                }
            }
        }
    }
}

/// Replays every connection of `records` against `to` (`host:port`), in order.
///
/// # Errors
///
/// [`WireError::Io`] when `to` cannot be reached or a write fails; [`WireError::Replay`]
/// when the target sends something that is not a frame, or closes early.
pub async fn replay(
    records: &[Record],
    to: &str,
    options: &ReplayOptions,
) -> Result<ReplayReport, WireError> {
    let mut report = ReplayReport::default();
    for (conn, session) in sessions(records)? {
        replay_session(conn, &session, to, options, &mut report).await?;
        report.connections += 1;
    }
    Ok(report)
}

async fn replay_session(
    conn: u64,
    session: &Session,
    to: &str,
    options: &ReplayOptions,
    report: &mut ReplayReport,
) -> Result<(), WireError> {
    let stream = TcpStream::connect(to)
        .await
        .map_err(|e| WireError::io(format!("connecting to {to}"), e))?;
    let _ = stream.set_nodelay(true);
    let (read, mut write) = stream.into_split();
    let mut frames = FramedRead::new(read, FrameCodec::new());
    let next =
        async |frames: &mut FramedRead<_, FrameCodec>| -> Result<Option<FrameView>, WireError> {
            match tokio::time::timeout(options.timeout, frames.next()).await {
                Err(_) => Ok(None),
                Ok(None) => Err(WireError::Replay(format!("{to} closed connection {conn}"))),
                Ok(Some(Err(e))) => Err(WireError::Replay(format!("{to} sent bad bytes: {e}"))),
                Ok(Some(Ok(frame))) => Ok(Some(FrameView::decode(frame.as_bytes()))),
            }
        };
    if let Some(recorded) = &session.greeting {
        let replayed = next(&mut frames).await?;
        let replayed: Vec<FrameView> = replayed.into_iter().collect();
        compare(
            conn,
            None,
            "Version",
            std::slice::from_ref(recorded),
            &replayed,
            options.strict,
            &mut report.differences,
        );
    }
    for (raw, view) in &session.requests {
        write
            .write_all(raw)
            .await
            .map_err(|e| WireError::io(format!("sending to {to}"), e))?;
        let Some(view) = view else { continue };
        let (Some("API_CALL"), Some(id)) = (view.msg_type.as_deref(), view.api_call_id) else {
            continue;
        };
        report.calls += 1;
        let call = view.content.clone().unwrap_or_default();
        let recorded = session.answers.get(&id).map_or(&[][..], Vec::as_slice);
        let recorded_complete = recorded
            .iter()
            .any(|v| v.msg_type.as_deref() == Some("COMPLETE"));
        let mut replayed = Vec::new();
        loop {
            let Some(frame) = next(&mut frames).await? else {
                replayed.push(FrameView {
                    frame_type: "TIMEOUT".into(),
                    length: 0,
                    msg_type: None,
                    api_call_id: None,
                    content: Some(format!("(no COMPLETE within {:?})", options.timeout)),
                    messages: Vec::new(),
                    error: None,
                });
                break;
            };
            match (frame.msg_type.as_deref(), frame.api_call_id) {
                (Some("ANSWER"), Some(got)) if got == id => replayed.push(frame),
                (Some("COMPLETE"), Some(got)) if got == id => {
                    replayed.push(frame);
                    break;
                }
                (Some("ONEWAY"), _) => report.events += 1,
                _ => {}
            }
            if !recorded_complete && replayed.len() >= recorded.len() {
                break;
            }
        }
        compare(
            conn,
            Some(id),
            &call,
            recorded,
            &replayed,
            options.strict,
            &mut report.differences,
        );
    }
    let _ = write.shutdown().await;
    Ok(())
}
