//! Snapshots and compaction, on their own thread: the commit thread hands over a copy of its
//! replica (the durable state at a log index) when the log has grown past the threshold; this
//! thread serializes it and, in one transaction, replaces the snapshot and drops the log it
//! covers. Commits go on meanwhile (redb serializes the two writers only for the final write
//! of the snapshot). A crash at any point leaves either the old snapshot with its log or the
//! new one with the rest of the log.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError};

use super::{Files, LOG, SNAPSHOT, export_json};
use crate::model::Model;

/// The commit thread's end of the snapshot thread.
pub(crate) struct Snapshotter {
    tx: Option<SyncSender<(u64, Model)>>,
    thread: Option<std::thread::JoinHandle<()>>,
    busy: Arc<AtomicBool>,
    last_bytes: Arc<AtomicU64>,
}

impl Snapshotter {
    /// Starts the thread; `last_bytes`: size of the snapshot in the file.
    pub(crate) fn spawn(files: Arc<Files>, last_bytes: u64) -> Snapshotter {
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        let busy = Arc::new(AtomicBool::new(false));
        let last = Arc::new(AtomicU64::new(last_bytes));
        let (b, l) = (busy.clone(), last.clone());
        let spawned = std::thread::Builder::new()
            .name("linstor-mock-snapshot".into())
            .spawn(move || run(&files, &rx, &b, &l));
        let thread = match spawned {
            Ok(handle) => Some(handle),
            Err(e) => {
                tracing::error!("cannot start the snapshot thread (the log is not compacted): {e}");
                busy.store(true, Ordering::SeqCst);
                None
            }
        };
        Snapshotter {
            tx: Some(tx),
            thread,
            busy,
            last_bytes: last,
        }
    }

    /// Size of the last snapshot written.
    pub(crate) fn last_bytes(&self) -> u64 {
        self.last_bytes.load(Ordering::Relaxed)
    }

    /// Records the size of a snapshot the commit thread wrote.
    pub(crate) fn set_last_bytes(&self, bytes: u64) {
        self.last_bytes.store(bytes, Ordering::Relaxed);
    }

    /// Starts a snapshot of `model` at log `index` unless one is being written.
    pub(crate) fn try_start(&self, index: u64, model: &Model) -> bool {
        if self.busy.swap(true, Ordering::SeqCst) {
            return false;
        }
        let Some(tx) = &self.tx else {
            return false;
        };
        match tx.try_send((index, model.clone())) {
            Ok(()) => true,
            Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => {
                self.busy.store(false, Ordering::SeqCst);
                false
            }
        }
    }
}

impl Drop for Snapshotter {
    /// Lets a snapshot being written finish (the file stays consistent either way).
    fn drop(&mut self) {
        self.tx = None;
        if let Some(thread) = self.thread.take()
            && thread.join().is_err()
        {
            tracing::error!("the snapshot thread panicked");
        }
    }
}

fn run(files: &Files, rx: &Receiver<(u64, Model)>, busy: &AtomicBool, last: &AtomicU64) {
    while let Ok((index, model)) = rx.recv() {
        let started = std::time::Instant::now();
        let json = export_json(&model);
        drop(model);
        let serialized = started.elapsed();
        match write(files, index, json.as_bytes()) {
            Ok(true) => {
                last.store(json.len() as u64, Ordering::Relaxed);
                tracing::debug!(
                    index,
                    bytes = json.len(),
                    ?serialized,
                    elapsed = ?started.elapsed(),
                    "snapshot written, log compacted"
                );
            }
            Ok(false) => {}
            Err(e) => tracing::error!(
                "state store {}: snapshot at log index {index} failed (the log is kept): {e}",
                files.path.display()
            ),
        }
        busy.store(false, Ordering::SeqCst);
    }
}

/// Replaces the snapshot by `json` at `index` and drops the log up to it, unless the file
/// already holds a snapshot at or past `index`.
fn write(files: &Files, index: u64, json: &[u8]) -> Result<bool, redb::Error> {
    use redb::ReadableTable as _;
    files.write(|txn| {
        let mut snap = txn.open_table(SNAPSHOT)?;
        let current = snap.last()?.map(|(k, _)| k.value());
        if current.is_some_and(|c| c >= index) {
            // Nothing to do (committing the empty transaction is harmless).
            return Ok(false);
        }
        snap.retain(|_, _| false)?;
        snap.insert(index, json)?;
        drop(snap);
        drop_log_through(txn, index)?;
        Ok(true)
    })
}

/// Drops the log records up to `index` in `txn`. Deleting the whole table frees its pages
/// at once (removing the rows one by one rewrites every leaf: about a second for 30,000
/// records, during which no commit can write); the few records after `index` (committed
/// while the snapshot was serialized) are copied into the new table.
pub(crate) fn drop_log_through(
    txn: &redb::WriteTransaction,
    index: u64,
) -> Result<(), redb::Error> {
    use redb::ReadableTable as _;
    let tail = {
        let log = txn.open_table(LOG)?;
        let mut tail = Vec::new();
        for row in log.range(index.saturating_add(1)..)? {
            let (k, v) = row?;
            tail.push((k.value(), v.value().to_vec()));
        }
        tail
    };
    txn.delete_table(LOG)?;
    let mut log = txn.open_table(LOG)?;
    for (k, v) in &tail {
        log.insert(*k, v.as_slice())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use redb::{ReadableTable as _, ReadableTableMetadata as _};

    #[test]
    fn dropping_the_log_through_an_index_keeps_the_records_after_it() {
        let dir = std::env::temp_dir().join(format!("linstor-mock-droplog-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("t.db");
        let _ = std::fs::remove_file(&path);
        let db = redb::Database::builder().create(&path).unwrap();
        let txn = db.begin_write().unwrap();
        {
            let mut log = txn.open_table(LOG).unwrap();
            for i in 1..=1000u64 {
                log.insert(i, format!("record {i}").as_bytes()).unwrap();
            }
        }
        txn.commit().unwrap();
        let txn = db.begin_write().unwrap();
        drop_log_through(&txn, 990).unwrap();
        txn.commit().unwrap();
        let txn = db.begin_read().unwrap();
        let log = txn.open_table(LOG).unwrap();
        assert_eq!(log.len().unwrap(), 10);
        let rows: Vec<(u64, String)> = log
            .iter()
            .unwrap()
            .map(|r| {
                let (k, v) = r.unwrap();
                (k.value(), String::from_utf8(v.value().to_vec()).unwrap())
            })
            .collect();
        let expected: Vec<(u64, String)> =
            (991..=1000).map(|i| (i, format!("record {i}"))).collect();
        assert_eq!(rows, expected);
        drop((log, txn, db));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
