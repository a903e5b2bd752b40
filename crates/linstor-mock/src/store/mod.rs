//! The durable state of `--state PATH`: one [redb] database file holding a snapshot of the
//! model and the log of the calls applied since (docs/state.md).
//!
//! * [`Store`] (this file): opening a file (create, check, recover), its errors
//!   ([`StoreError`]), appending an applied call.
//! * `log.rs`: the records of the log (a call's typed request, encoded by the protocol's codec).
//! * `commit.rs`: the group-commit thread: every record queued while the previous commit
//!   ran is written in one durable transaction, then every caller of the batch is told.
//! * `snapshot.rs`: snapshots and compaction, on their own thread.
//! * `json.rs`: the model as JSON (export, import, the earlier JSON state files).
//! * `backend.rs`: a read-only overlay to check a file before anything is written to it.
//!
//! Tables: `meta` (`format_version` → 1), `snapshot` (log index it covers → model JSON,
//! one row), `log` (index → record). A file is checked through the overlay first: a corrupt
//! file, a file of a newer format version, or one whose log does not replay on its snapshot
//! is refused with an error naming the file, and is never written.

// redb's error is 160 bytes and a request a few hundred: both are on rare or short-lived
// paths (a failed commit, one queued record), so neither is boxed.
#![allow(clippy::result_large_err, clippy::large_enum_variant)]

mod backend;
mod commit;
mod json;
mod log;
mod snapshot;

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use redb::{Database, ReadableTable as _, ReadableTableMetadata as _, TableDefinition};

use crate::model::Model;

pub use json::{JsonError, export_json, import_any_json, import_json};
pub use log::RecordError;

pub(crate) use commit::{Rollback, Ticket};
pub(crate) use log::{Record, logged};

/// The format version this build writes and reads.
pub const FORMAT_VERSION: u64 = 1;

const META: TableDefinition<&str, u64> = TableDefinition::new("meta");
const SNAPSHOT: TableDefinition<u64, &[u8]> = TableDefinition::new("snapshot");
const LOG: TableDefinition<u64, &[u8]> = TableDefinition::new("log");
const VERSION_KEY: &str = "format_version";

/// Default for [`crate::Config::state_compact_bytes`]: 1 MiB of log.
pub const DEFAULT_COMPACT_BYTES: u64 = 1024 * 1024;

/// A state store that cannot be used. Every variant names the file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The file cannot be read or created.
    #[error("state store {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        #[source]
        source: std::io::Error,
    },
    /// A JSON state file of an earlier linstor-mock: refused, see the message.
    #[error(
        "state store {p}: this is a JSON state file of an earlier linstor-mock (refusing to touch it); convert it with `linstor-mock state import {p} NEW.db` and start with `--state NEW.db`", p = .0.display()
    )]
    LegacyJson(PathBuf),
    /// The file is not a database, or the database is damaged (redb's error says how).
    #[error("state store {} is corrupt or not a linstor-mock state store (refusing to modify it): {source}", path.display())]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What redb found.
        #[source]
        source: Box<redb::Error>,
    },
    /// The database is damaged in a way redb does not report as an error (it panicked
    /// reading it; the panic was caught, the file was only read).
    #[error("state store {} is corrupt (reading it failed: {what}); refusing to modify it", path.display())]
    Damaged {
        /// The file.
        path: PathBuf,
        /// The panic's message.
        what: String,
    },
    /// A database, but not a linstor-mock state store.
    #[error("state store {}: not a linstor-mock state store (refusing to modify it): {what}", path.display())]
    NotAStore {
        /// The file.
        path: PathBuf,
        /// What is missing.
        what: &'static str,
    },
    /// Written by a newer linstor-mock.
    #[error("state store {}: format version {version} is newer than this linstor-mock reads ({FORMAT_VERSION}); refusing to modify it (use the newer linstor-mock, or `state export` with it)", path.display())]
    Newer {
        /// The file.
        path: PathBuf,
        /// Its version.
        version: u64,
    },
    /// The snapshot does not import.
    #[error("state store {}: the snapshot at log index {index} is unusable (refusing to modify the file): {source}", path.display())]
    Snapshot {
        /// The file.
        path: PathBuf,
        /// The index it covers.
        index: u64,
        /// Why.
        #[source]
        source: JsonError,
    },
    /// A log record does not replay on the snapshot.
    #[error("state store {}: log record {index} does not replay (refusing to modify the file): {source}", path.display())]
    Replay {
        /// The file.
        path: PathBuf,
        /// The record's index.
        index: u64,
        /// Why.
        #[source]
        source: RecordError,
    },
    /// The log has a gap (an index is missing).
    #[error("state store {}: the log jumps from index {after} to {next} (refusing to modify the file)", path.display())]
    Gap {
        /// The file.
        path: PathBuf,
        /// The last index before the gap.
        after: u64,
        /// The index found.
        next: u64,
    },
    /// A durable commit failed: the calls of its batch are answered with this error and the
    /// model goes back to its state before them.
    #[error("state store {}: the commit failed: {source}", path.display())]
    Commit {
        /// The file.
        path: PathBuf,
        /// What redb reported.
        #[source]
        source: Arc<redb::Error>,
    },
    /// The commit thread has ended (the controller stops).
    #[error("state store {}: the commit thread has ended", path.display())]
    Stopped {
        /// The file.
        path: PathBuf,
    },
}

impl StoreError {
    /// The underlying I/O error's kind, if there is one.
    pub fn io_kind(&self) -> Option<std::io::ErrorKind> {
        match self {
            StoreError::Io { source, .. } => Some(source.kind()),
            _ => None,
        }
    }
}

/// How [`open`] found the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Opened {
    /// There was none: a new store holds the initial model.
    Created,
    /// The snapshot at `snapshot_index` with `replayed` log records applied.
    Recovered {
        /// The log index the snapshot covers.
        snapshot_index: u64,
        /// Records replayed on it.
        replayed: u64,
    },
}

/// An open store whose commit thread has not started yet ([`Loaded::start`]).
#[derive(Debug)]
pub(crate) struct Loaded {
    path: PathBuf,
    db: Database,
    last_index: u64,
    snapshot_bytes: u64,
    log_bytes: u64,
    model: Model,
}

/// Opens the database again after a failed write (redb refuses every write after an I/O
/// error of its file until it is reopened).
pub(crate) type Opener = Box<dyn Fn() -> Result<Database, redb::Error> + Send + Sync>;

/// What the store's threads and handle share.
pub(crate) struct Files {
    pub(crate) path: PathBuf,
    /// `None` while it could not be reopened.
    db: std::sync::RwLock<Option<Database>>,
    opener: Opener,
    /// A write failed: reopen before the next one.
    broken: std::sync::atomic::AtomicBool,
}

impl std::fmt::Debug for Files {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Files")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl Files {
    /// Runs `f` in one write transaction of the database, committed unless `f` fails; a
    /// failure marks the database for reopening.
    pub(crate) fn write<T>(
        &self,
        f: impl FnOnce(&redb::WriteTransaction) -> Result<T, redb::Error>,
    ) -> Result<T, redb::Error> {
        use std::sync::atomic::Ordering;
        if self.broken.load(Ordering::SeqCst) {
            self.reopen()?;
        }
        let result = (|| {
            let db = self
                .db
                .read()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let db = db.as_ref().ok_or(redb::Error::PreviousIo)?;
            let txn = db.begin_write()?;
            let value = f(&txn)?;
            txn.commit()?;
            Ok(value)
        })();
        if result.is_err() {
            self.broken.store(true, Ordering::SeqCst);
        }
        result
    }

    /// Closes and opens the database again.
    pub(crate) fn reopen(&self) -> Result<(), redb::Error> {
        use std::sync::atomic::Ordering;
        let mut db = self
            .db
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if !self.broken.load(Ordering::SeqCst) {
            return Ok(());
        }
        *db = None;
        *db = Some((self.opener)()?);
        self.broken.store(false, Ordering::SeqCst);
        tracing::info!(
            "state store {}: reopened after a failed write",
            self.path.display()
        );
        Ok(())
    }
}

/// The handle of a running store: queue records, wait for their commit. Dropping it lets
/// the commit thread finish what is queued and waits for it (and so for the file's lock to
/// be released).
#[derive(Debug)]
pub(crate) struct Store {
    files: Arc<Files>,
    /// The file, for the callers' error messages (shared: no copy per call).
    path: Arc<Path>,
    queue: Option<std::sync::mpsc::Sender<commit::Entry>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for Store {
    fn drop(&mut self) {
        self.queue = None;
        if let Some(thread) = self.thread.take()
            && thread.thread().id() != std::thread::current().id()
            && thread.join().is_err()
        {
            tracing::error!(
                "state store {}: the commit thread panicked",
                self.files.path.display()
            );
        }
    }
}

/// Opens `path` with the database's default backend, or creates it holding `init()`.
///
/// # Errors
///
/// [`StoreError`]; a refused file is not modified.
pub(crate) fn open(
    path: &Path,
    init: impl FnOnce() -> Model,
) -> Result<(Loaded, Opened), StoreError> {
    let io = |source| StoreError::Io {
        path: path.to_owned(),
        source,
    };
    let mut head = [0u8; 64];
    let head = match File::open(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return create(path, init()),
        Err(e) => return Err(io(e)),
        Ok(f) => {
            use std::io::Read as _;
            let n = (&f).take(64).read(&mut head).map_err(io)?;
            &head[..n]
        }
    };
    if json::is_legacy_state(head) {
        return Err(StoreError::LegacyJson(path.to_owned()));
    }
    // Check and recover through the overlay: the file is not written.
    let (model, last_index, snapshot_bytes, log_bytes, replayed, snapshot_index) = check(path)?;
    // Now for real (redb repairs the file here after a crash).
    let db = Database::builder()
        .create(path)
        .map_err(|e| corrupt(path, e))?;
    Ok((
        Loaded {
            path: path.to_owned(),
            db,
            last_index,
            snapshot_bytes,
            log_bytes,
            model,
        },
        Opened::Recovered {
            snapshot_index,
            replayed,
        },
    ))
}

/// Opens `path` through the read-only overlay and recovers its model. redb panics on some
/// damaged files instead of returning an error: the panic is caught and reported as
/// [`StoreError::Damaged`] (the overlay only ever read the file).
fn check(path: &Path) -> Result<Recovered, StoreError> {
    let io = |source| StoreError::Io {
        path: path.to_owned(),
        source,
    };
    let file = File::open(path).map_err(io)?;
    let overlay = backend::Overlay::new(file).map_err(io)?;
    let run = std::panic::AssertUnwindSafe(|| {
        let checked = Database::builder()
            .create_with_backend(overlay)
            .map_err(|e| corrupt(path, e))?;
        recover(path, &checked)
    });
    std::panic::catch_unwind(run).unwrap_or_else(|panic| {
        let what = panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
            .unwrap_or_else(|| "a panic".to_owned());
        Err(StoreError::Damaged {
            path: path.to_owned(),
            what,
        })
    })
}

fn corrupt(path: &Path, e: impl Into<redb::Error>) -> StoreError {
    let e = e.into();
    // redb reports a file that is not a database (bad magic number) as InvalidData.
    if let redb::Error::Io(source) = e {
        if matches!(
            source.kind(),
            std::io::ErrorKind::InvalidData | std::io::ErrorKind::UnexpectedEof
        ) {
            return StoreError::Corrupt {
                path: path.to_owned(),
                source: Box::new(redb::Error::Io(source)),
            };
        }
        return StoreError::Io {
            path: path.to_owned(),
            source,
        };
    }
    StoreError::Corrupt {
        path: path.to_owned(),
        source: Box::new(e),
    }
}

type Recovered = (Model, u64, u64, u64, u64, u64);

/// Loads the snapshot and replays the log.
fn recover(path: &Path, db: &Database) -> Result<Recovered, StoreError> {
    let c = |e: redb::Error| corrupt(path, e);
    let txn = db.begin_read().map_err(|e| c(e.into()))?;
    let meta = match txn.open_table(META) {
        Ok(t) => t,
        Err(redb::TableError::TableDoesNotExist(_)) => {
            return Err(StoreError::NotAStore {
                path: path.to_owned(),
                what: "no meta table",
            });
        }
        Err(e) => return Err(c(e.into())),
    };
    let version = meta
        .get(VERSION_KEY)
        .map_err(|e| c(e.into()))?
        .map(|v| v.value())
        .ok_or_else(|| StoreError::NotAStore {
            path: path.to_owned(),
            what: "no format version",
        })?;
    if version > FORMAT_VERSION {
        return Err(StoreError::Newer {
            path: path.to_owned(),
            version,
        });
    }
    let missing = |what| StoreError::NotAStore {
        path: path.to_owned(),
        what,
    };
    let snapshots = txn
        .open_table(SNAPSHOT)
        .map_err(|_| missing("no snapshot table"))?;
    let (index, json) = snapshots
        .last()
        .map_err(|e| c(e.into()))?
        .map(|(k, v)| (k.value(), v.value().to_vec()))
        .ok_or_else(|| missing("no snapshot"))?;
    let snapshot_bytes = json.len() as u64;
    let text = String::from_utf8_lossy(&json);
    let mut model = import_json(&text).map_err(|source| StoreError::Snapshot {
        path: path.to_owned(),
        index,
        source,
    })?;
    drop(text);
    let log = txn.open_table(LOG).map_err(|_| missing("no log table"))?;
    let mut last = index;
    let mut log_bytes = 0;
    for row in log.range(index + 1..).map_err(|e| c(e.into()))? {
        let (k, v) = row.map_err(|e| c(e.into()))?;
        let at = k.value();
        if at != last + 1 {
            return Err(StoreError::Gap {
                path: path.to_owned(),
                after: last,
                next: at,
            });
        }
        log_bytes += v.value().len() as u64;
        Record::decode(v.value())
            .and_then(|r| r.replay(&mut model))
            .map_err(|source| StoreError::Replay {
                path: path.to_owned(),
                index: at,
                source,
            })?;
        last = at;
    }
    let _ = log.len();
    Ok((model, last, snapshot_bytes, log_bytes, last - index, index))
}

/// Creates a store at `path` holding `model` (fails if the file exists).
fn create(path: &Path, model: Model) -> Result<(Loaded, Opened), StoreError> {
    let db = Database::builder()
        .create(path)
        .map_err(|e| corrupt(path, e))?;
    let json = export_json(&model);
    write_initial(&db, json.as_bytes()).map_err(|e| corrupt(path, e))?;
    Ok((
        Loaded {
            path: path.to_owned(),
            db,
            last_index: 0,
            snapshot_bytes: json.len() as u64,
            log_bytes: 0,
            model,
        },
        Opened::Created,
    ))
}

fn write_initial(db: &Database, json: &[u8]) -> Result<(), redb::Error> {
    let txn = db.begin_write()?;
    {
        txn.open_table(META)?.insert(VERSION_KEY, FORMAT_VERSION)?;
        txn.open_table(SNAPSHOT)?.insert(0, json)?;
        txn.open_table(LOG)?;
    }
    txn.commit()?;
    Ok(())
}

/// Writes a new store at `path` holding `model` (for `linstor-mock state import`); refuses
/// to overwrite an existing file.
///
/// # Errors
///
/// [`StoreError::Io`] (e.g. the file exists) or [`StoreError::Corrupt`].
pub fn create_from(path: &Path, model: &Model) -> Result<(), StoreError> {
    let io = |source| StoreError::Io {
        path: path.to_owned(),
        source,
    };
    // create_new: never replace a file.
    File::create_new(path).map_err(io)?;
    let db = Database::builder()
        .create(path)
        .map_err(|e| corrupt(path, e))?;
    write_initial(&db, export_json(model).as_bytes()).map_err(|e| corrupt(path, e))
}

/// The model held by the store at `path` (snapshot with the log replayed), read without
/// writing to the file (for `linstor-mock state export`).
///
/// # Errors
///
/// [`StoreError`]; [`StoreError::Io`] with `NotFound` when there is no file.
pub fn read_model(path: &Path) -> Result<Model, StoreError> {
    let io = |source| StoreError::Io {
        path: path.to_owned(),
        source,
    };
    let bytes = {
        use std::io::Read as _;
        let f = File::open(path).map_err(io)?;
        let mut head = Vec::new();
        (&f).take(64).read_to_end(&mut head).map_err(io)?;
        head
    };
    if json::is_legacy_state(&bytes) {
        return Err(StoreError::LegacyJson(path.to_owned()));
    }
    Ok(check(path)?.0)
}

impl Loaded {
    /// The model the file holds.
    pub(crate) fn model(&self) -> &Model {
        &self.model
    }

    /// Starts the commit and snapshot threads. `compact_bytes`: the log is compacted into a
    /// snapshot once it holds this many bytes and at least as many as the last snapshot.
    pub(crate) fn start(self, rollback: Box<dyn Rollback>, compact_bytes: u64) -> Store {
        let path = self.path.clone();
        let opener: Opener = Box::new(move || Ok(Database::builder().create(&path)?));
        self.start_with(opener, rollback, compact_bytes)
    }

    /// [`Loaded::start`] with another way to reopen the database.
    pub(crate) fn start_with(
        self,
        opener: Opener,
        rollback: Box<dyn Rollback>,
        compact_bytes: u64,
    ) -> Store {
        let files = Arc::new(Files {
            path: self.path,
            db: std::sync::RwLock::new(Some(self.db)),
            opener,
            broken: std::sync::atomic::AtomicBool::new(false),
        });
        let (queue, thread) = commit::spawn(commit::Committer::new(
            files.clone(),
            self.model,
            self.last_index,
            self.snapshot_bytes,
            self.log_bytes,
            compact_bytes,
            rollback,
        ));
        Store {
            path: Arc::from(files.path.as_path()),
            files,
            queue: Some(queue),
            thread,
        }
    }
}

impl Store {
    /// The file.
    pub(crate) fn path(&self) -> &Path {
        &self.files.path
    }

    /// The file, shared.
    pub(crate) fn shared_path(&self) -> Arc<Path> {
        self.path.clone()
    }

    /// Queues an applied call for the next commit. Call it under the lock that orders the
    /// calls (the order of the log is the order of the model).
    pub(crate) fn append(&self, record: Record) -> Ticket {
        self.send(commit::Work::Log(record))
    }

    /// Queues a snapshot of `model`, replacing the log (the model was changed outside a
    /// call). Call it under the lock that orders the calls.
    pub(crate) fn reset(&self, model: Model) -> Ticket {
        self.send(commit::Work::Reset(Box::new(model)))
    }

    fn send(&self, work: commit::Work) -> Ticket {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let entry = commit::Entry { work, reply: tx };
        let sent = match &self.queue {
            Some(queue) => queue.send(entry).map_err(|e| e.0),
            None => Err(entry),
        };
        if let Err(entry) = sent {
            let _ = entry.reply.send(Err(Arc::new(StoreError::Stopped {
                path: self.files.path.clone(),
            })));
        }
        Ticket(rx)
    }

    /// A ticket that resolves once everything queued before it is durable.
    pub(crate) fn barrier(&self) -> Ticket {
        self.send(commit::Work::Barrier)
    }
}

#[cfg(test)]
mod tests;
