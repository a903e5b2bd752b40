//! The group-commit thread. Connections queue the records of the calls they applied (under
//! the lock that orders the calls, so the queue is in model order); the thread takes
//! everything queued, writes it in one durable redb transaction, and then answers every
//! [`Ticket`] of the batch. While one batch is being synced, the next one gathers, so many
//! connections share one fsync.
//!
//! The thread keeps a replica of the model: the snapshot with the durable log applied. It is
//! what a restart would load, so:
//!
//! * a failed commit answers every call of the batch with the error and, under the calls'
//!   lock ([`Rollback`]), fails every record queued after it too and puts the replica back as
//!   the live model: the live model is again exactly the durable state;
//! * a snapshot is a copy of the replica, written by the snapshot thread (`snapshot.rs`) off
//!   the request path.

use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, TryRecvError};
use std::time::Duration;

use super::{Files, LOG, Record, SNAPSHOT, StoreError, snapshot};
use crate::model::Model;

/// Most records in one commit.
const MAX_BATCH: usize = 4096;

/// What the thread is asked to do.
#[derive(Debug)]
pub(crate) enum Work {
    /// Append an applied call.
    Log(Record),
    /// Replace snapshot and log by this model (changed outside a call).
    Reset(Box<Model>),
    /// Nothing: answered once everything before it is durable.
    Barrier,
}

/// One queued piece of work and whom to tell.
#[derive(Debug)]
pub(crate) struct Entry {
    pub(crate) work: Work,
    pub(crate) reply: tokio::sync::oneshot::Sender<Result<(), Arc<StoreError>>>,
}

/// The answer to one queued record: resolves once it is durable, or with the commit's error.
#[derive(Debug)]
pub(crate) struct Ticket(pub(crate) tokio::sync::oneshot::Receiver<Result<(), Arc<StoreError>>>);

impl Ticket {
    /// Waits for the commit.
    pub(crate) async fn wait(
        self,
        timeout: Duration,
        path: &std::path::Path,
    ) -> Result<(), Arc<StoreError>> {
        match tokio::time::timeout(timeout, self.0).await {
            Ok(Ok(result)) => result,
            Ok(Err(_)) => Err(Arc::new(StoreError::Stopped {
                path: path.to_owned(),
            })),
            Err(_) => Err(Arc::new(StoreError::Io {
                path: path.to_owned(),
                source: std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    format!("not committed within {timeout:?}"),
                ),
            })),
        }
    }

    /// Waits for the commit, blocking the thread (not from an async context's worker for
    /// long: the commit thread never waits for the caller).
    pub(crate) fn wait_blocking(
        self,
        timeout: Duration,
        path: &std::path::Path,
    ) -> Result<(), Arc<StoreError>> {
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        let path = path.to_owned();
        // A small thread turns the oneshot into a blocking wait that works inside and
        // outside a runtime.
        std::thread::spawn(move || {
            let _ = tx.send(self.0.blocking_recv());
        });
        match rx.recv_timeout(timeout) {
            Ok(Ok(result)) => result,
            Ok(Err(_)) | Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                Err(Arc::new(StoreError::Stopped { path }))
            }
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => Err(Arc::new(StoreError::Io {
                path,
                source: std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    format!("not committed within {timeout:?}"),
                ),
            })),
        }
    }
}

/// Access to the live model under the lock that orders the calls, for a rollback.
pub(crate) trait Rollback: Send + 'static {
    /// Runs `f` on the live model under the calls' lock; `false` when the model is gone.
    fn with_model(&self, f: &mut dyn FnMut(&mut Model)) -> bool;
}

/// The commit thread's state.
pub(crate) struct Committer {
    files: Arc<Files>,
    replica: Model,
    last_index: u64,
    log_bytes: u64,
    compact_bytes: u64,
    rollback: Box<dyn Rollback>,
    snapshots: snapshot::Snapshotter,
    /// The encoding of one record, reused.
    scratch: bytes::BytesMut,
}

impl Committer {
    pub(crate) fn new(
        files: Arc<Files>,
        replica: Model,
        last_index: u64,
        snapshot_bytes: u64,
        log_bytes: u64,
        compact_bytes: u64,
        rollback: Box<dyn Rollback>,
    ) -> Committer {
        let snapshots = snapshot::Snapshotter::spawn(files.clone(), snapshot_bytes);
        Committer {
            files,
            replica,
            last_index,
            log_bytes,
            compact_bytes,
            rollback,
            snapshots,
            scratch: bytes::BytesMut::new(),
        }
    }
}

/// Starts the commit thread; it ends when every sender of the queue is gone.
pub(crate) fn spawn(committer: Committer) -> (Sender<Entry>, Option<std::thread::JoinHandle<()>>) {
    let (tx, rx) = std::sync::mpsc::channel();
    let spawned = std::thread::Builder::new()
        .name("linstor-mock-commit".into())
        .spawn(move || run(committer, rx));
    match spawned {
        Ok(handle) => (tx, Some(handle)),
        Err(e) => {
            // The receiver is gone with the closure: every ticket answers `Stopped`.
            tracing::error!("cannot start the commit thread: {e}");
            (tx, None)
        }
    }
}

fn run(mut c: Committer, rx: Receiver<Entry>) {
    // Reused from batch to batch: no allocation per commit.
    let mut batch = Vec::new();
    let mut durable = Vec::new();
    let mut stats = Stats::new();
    while let Ok(first) = rx.recv() {
        // Everything queued while the last commit ran. (Waiting a little for more callers,
        // PostgreSQL's commit_delay, was tried: it helped only while the machine was
        // overloaded and commits took over a millisecond, and cost a third of the calls/s
        // otherwise; docs/state.md.)
        batch.push(first);
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(entry) => batch.push(entry),
                Err(TryRecvError::Empty | TryRecvError::Disconnected) => break,
            }
        }
        let started = std::time::Instant::now();
        let result = c.commit(&batch);
        stats.add(batch.len(), started.elapsed());
        match result {
            Ok(added) => {
                // The batch is durable: answer first (the callers' answers leave now), then
                // bring the replica up to it while the next batch gathers. The replica is
                // only read after a failed commit or for a snapshot, both later on this
                // thread.
                for entry in batch.drain(..) {
                    let _ = entry.reply.send(Ok(()));
                    durable.push(entry.work);
                }
                for work in durable.drain(..) {
                    match work {
                        Work::Log(record) => {
                            // It replayed live; a divergence here would be a bug of the model.
                            if let Err(e) = record.replay(&mut c.replica) {
                                tracing::error!("the replica diverged: {e}");
                            }
                        }
                        Work::Reset(model) => {
                            c.replica = *model;
                            c.log_bytes = 0;
                        }
                        Work::Barrier => {}
                    }
                }
                c.log_bytes += added;
                let threshold = c.compact_bytes.max(c.snapshots.last_bytes());
                if c.log_bytes >= threshold && c.snapshots.try_start(c.last_index, &c.replica) {
                    c.log_bytes = 0;
                }
            }
            Err(e) => {
                let error = Arc::new(StoreError::Commit {
                    path: c.files.path.clone(),
                    source: Arc::new(e),
                });
                tracing::error!(
                    "{error}: the calls of the batch are answered with it and the model goes back to the last commit"
                );
                let mut later = Vec::new();
                let replica = &c.replica;
                let restored = c.rollback.with_model(&mut |model| {
                    // Under the lock no call can queue: everything after the batch is here.
                    while let Ok(entry) = rx.try_recv() {
                        later.push(entry);
                    }
                    *model = replica.clone();
                });
                if !restored {
                    tracing::warn!("the model is gone: nothing to restore");
                }
                if let Err(e) = c.files.reopen() {
                    tracing::error!(
                        "state store {}: cannot reopen it (retried at the next commit): {e}",
                        c.files.path.display()
                    );
                }
                for entry in batch.drain(..).chain(later) {
                    let _ = entry.reply.send(Err(error.clone()));
                }
            }
        }
    }
}

/// What the commit thread did, logged (debug) every second while it commits.
#[derive(Debug)]
struct Stats {
    since: std::time::Instant,
    commits: u64,
    records: u64,
    largest: usize,
    committing: Duration,
}

impl Stats {
    fn new() -> Stats {
        Stats {
            since: std::time::Instant::now(),
            commits: 0,
            records: 0,
            largest: 0,
            committing: Duration::ZERO,
        }
    }

    fn add(&mut self, records: usize, committing: Duration) {
        self.commits += 1;
        self.records += records as u64;
        self.largest = self.largest.max(records);
        self.committing += committing;
        if self.since.elapsed() >= Duration::from_secs(1) {
            let n = u32::try_from(self.commits).unwrap_or(u32::MAX);
            tracing::debug!(
                commits = self.commits,
                records = self.records,
                largest = self.largest,
                per_commit = format!("{:.1}", self.records as f64 / f64::from(n)),
                committing = ?(self.committing / n),
                "group commit"
            );
            *self = Stats::new();
        }
    }
}

impl Committer {
    /// Writes the batch in one durable transaction; returns the log bytes it added.
    fn commit(&mut self, batch: &[Entry]) -> Result<u64, redb::Error> {
        let mut index = self.last_index;
        let mut snapshot_bytes = None;
        let scratch = &mut self.scratch;
        let added = self.files.clone().write(|txn| {
            let mut added = 0;
            let mut log = Some(txn.open_table(LOG)?);
            for entry in batch {
                match &entry.work {
                    Work::Log(record) => {
                        index += 1;
                        scratch.clear();
                        record.encode_into(scratch);
                        let bytes = &scratch[..];
                        added += bytes.len() as u64;
                        let table = match &mut log {
                            Some(table) => table,
                            None => log.insert(txn.open_table(LOG)?),
                        };
                        table.insert(index, bytes)?;
                    }
                    Work::Reset(model) => {
                        let json = super::export_json(model);
                        let mut snap = txn.open_table(SNAPSHOT)?;
                        snap.retain(|_, _| false)?;
                        snap.insert(index, json.as_bytes())?;
                        log = None;
                        snapshot::drop_log_through(txn, index)?;
                        added = 0;
                        snapshot_bytes = Some(json.len() as u64);
                    }
                    Work::Barrier => {}
                }
            }
            Ok(added)
        })?;
        if let Some(bytes) = snapshot_bytes {
            self.snapshots.set_last_bytes(bytes);
        }
        self.last_index = index;
        Ok(added)
    }
}
