//! The state file: the model as JSON, loaded at start and saved after every change by
//! writing a temporary file, syncing it, and renaming it over the old one (then syncing the
//! directory), so a kill at any moment leaves either the old or the new state, never a torn
//! file. A file that does not parse is refused, never replaced.

use std::fs::File;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::model::Model;

const FORMAT: &str = "linstor-mock-state";
const VERSION: u32 = 1;

/// A state file that cannot be used. Every variant names the file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StateError {
    /// Reading or writing failed.
    #[error("state file {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        #[source]
        source: std::io::Error,
    },
    /// The file does not parse as a state file.
    #[error(
        "state file {path} is corrupt or not a linstor-mock state file (refusing to replace it): {source}"
    )]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What did not parse.
        #[source]
        source: serde_json::Error,
    },
    /// The file parses but is of another format or version.
    #[error(
        "state file {path} is corrupt or not a linstor-mock state file (refusing to replace it): format {format:?} version {version}, expected {FORMAT:?} version {VERSION}"
    )]
    WrongFormat {
        /// The file.
        path: PathBuf,
        /// Its `format`.
        format: String,
        /// Its `version`.
        version: u32,
    },
    /// The model did not serialize (nothing was written).
    #[error("state file {path}: cannot serialize the model: {source}")]
    Serialize {
        /// The file.
        path: PathBuf,
        /// The error.
        #[source]
        source: serde_json::Error,
    },
}

#[derive(serde::Serialize, serde::Deserialize)]
struct StateFile {
    format: String,
    version: u32,
    model: Model,
}

/// Loads the model from `path`; `Ok(None)` when the file does not exist yet.
///
/// # Errors
///
/// [`StateError::Io`] when it cannot be read, [`StateError::Corrupt`] when it does not parse,
/// [`StateError::WrongFormat`] when it is of another format or version.
pub fn load(path: &Path) -> Result<Option<Model>, StateError> {
    let text = match std::fs::read(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(StateError::Io {
                path: path.to_owned(),
                source,
            });
        }
    };
    let file: StateFile = serde_json::from_slice(&text).map_err(|source| StateError::Corrupt {
        path: path.to_owned(),
        source,
    })?;
    if file.format != FORMAT || file.version != VERSION {
        return Err(StateError::WrongFormat {
            path: path.to_owned(),
            format: file.format,
            version: file.version,
        });
    }
    let mut model = file.model;
    model.rebuild_streams();
    Ok(Some(model))
}

/// Saves the model atomically (write, fsync, rename, fsync the directory).
///
/// # Errors
///
/// [`StateError::Io`], or [`StateError::Serialize`] (a bug).
pub fn save(path: &Path, model: &Model) -> Result<(), StateError> {
    write_snapshot(path, &snapshot(path, model)?)
}

/// The bytes of the state file for `model` (the cheap part of a save, done under the lock
/// that orders changes; [`write_snapshot`] is done outside it).
///
/// # Errors
///
/// [`StateError::Serialize`] (a bug).
pub fn snapshot(path: &Path, model: &Model) -> Result<Vec<u8>, StateError> {
    #[derive(serde::Serialize)]
    struct StateFileRef<'a> {
        format: &'a str,
        version: u32,
        model: &'a Model,
    }
    let file = StateFileRef {
        format: FORMAT,
        version: VERSION,
        model,
    };
    serde_json::to_vec_pretty(&file).map_err(|source| StateError::Serialize {
        path: path.to_owned(),
        source,
    })
}

/// Writes a [`snapshot`] atomically: a temporary file beside `path`, fsync, rename over
/// `path`, fsync the directory.
///
/// # Errors
///
/// [`StateError::Io`] naming `path`.
pub fn write_snapshot(path: &Path, bytes: &[u8]) -> Result<(), StateError> {
    let io = |source| StateError::Io {
        path: path.to_owned(),
        source,
    };
    let tmp = path.with_extension("tmp");
    let mut f = File::create(&tmp).map_err(io)?;
    f.write_all(bytes).map_err(io)?;
    f.sync_all().map_err(io)?;
    drop(f);
    std::fs::rename(&tmp, path).map_err(io)?;
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    File::open(dir).and_then(|d| d.sync_all()).map_err(io)?;
    Ok(())
}

/// Ordered saves of one state file from many connections.
///
/// Each change takes a sequence number and its snapshot under the lock that orders the
/// changes ([`Persister::take`]); the snapshots are then written outside that lock
/// ([`Snapshot::write`]), possibly by several threads at once. The file's own lock and the
/// number of the snapshot on disk make the writes land in order: a snapshot older than the
/// one on disk is not written (the newer one holds its change too), so a later state is
/// never overwritten by an earlier one.
#[derive(Debug)]
pub(crate) struct Persister {
    /// The sequence number of the last snapshot taken (guarded by the caller's lock).
    taken: u64,
    file: std::sync::Arc<OrderedFile>,
}

/// The state file and the sequence number of the snapshot on disk, locked while writing.
#[derive(Debug)]
struct OrderedFile {
    path: PathBuf,
    written: std::sync::Mutex<u64>,
}

/// A snapshot to write: its sequence number and bytes.
#[derive(Debug)]
pub(crate) struct Snapshot {
    seq: u64,
    bytes: Vec<u8>,
    file: std::sync::Arc<OrderedFile>,
}

impl Persister {
    /// A persister of `path` whose file holds the current state (loaded or just saved).
    pub(crate) fn new(path: PathBuf) -> Persister {
        Persister {
            taken: 0,
            file: std::sync::Arc::new(OrderedFile {
                path,
                written: std::sync::Mutex::new(0),
            }),
        }
    }

    /// Takes the snapshot of `model` that follows every snapshot taken before. Call it under
    /// the lock that orders the changes.
    ///
    /// # Errors
    ///
    /// [`StateError::Serialize`] (a bug).
    pub(crate) fn take(&mut self, model: &Model) -> Result<Snapshot, StateError> {
        let bytes = snapshot(&self.file.path, model)?;
        self.taken += 1;
        Ok(Snapshot {
            seq: self.taken,
            bytes,
            file: self.file.clone(),
        })
    }
}

impl Snapshot {
    /// The state file.
    pub(crate) fn path(&self) -> &Path {
        &self.file.path
    }

    /// Writes the snapshot unless a later one is already on disk. Blocking: call it outside
    /// the lock of the changes (from a blocking thread).
    ///
    /// # Errors
    ///
    /// [`StateError::Io`] naming the file; the file then holds the last snapshot written.
    pub(crate) fn write(&self) -> Result<(), StateError> {
        let mut written = self
            .file
            .written
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if self.seq <= *written {
            return Ok(());
        }
        write_snapshot(&self.file.path, &self.bytes)?;
        *written = self.seq;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use linstor_proto::Request;
    use linstor_proto::messages::{MsgCrtRscDfn, RscDfn};

    #[test]
    fn round_trips_and_refuses_corrupt_files() {
        let dir = std::env::temp_dir().join(format!("linstor-mock-persist-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("state.json");
        let _ = std::fs::remove_file(&path);
        assert!(load(&path).unwrap().is_none());
        let mut model = Model::default();
        model.seed_demo();
        let body = MsgCrtRscDfn {
            rsc_dfn: RscDfn {
                rsc_name: "res1".into(),
                ..Default::default()
            },
        };
        model.apply(Request::CrtRscDfn(body));
        save(&path, &model).unwrap();
        let loaded = load(&path).unwrap().unwrap();
        assert_eq!(loaded.node_names(), model.node_names());
        assert_eq!(loaded.resource_definition_names(), ["res1"]);
        let saved = std::fs::read_to_string(&path).unwrap();
        std::fs::write(
            &path,
            b"{\"format\": \"linstor-mock-state\", \"version\": 1, \"model\": 7",
        )
        .unwrap();
        let err = load(&path).unwrap_err();
        assert!(matches!(err, StateError::Corrupt { .. }), "{err}");
        assert!(
            err.to_string().contains(&path.display().to_string()),
            "{err}"
        );
        let source = std::error::Error::source(&err).expect("a source");
        assert!(source.is::<serde_json::Error>(), "{source:?}");
        let newer = saved.replacen("\"version\": 1", "\"version\": 2", 1);
        assert_ne!(newer, saved);
        std::fs::write(&path, newer).unwrap();
        let err = load(&path).unwrap_err();
        assert!(
            matches!(&err, StateError::WrongFormat { version: 2, .. }),
            "{err}"
        );
        assert!(
            err.to_string()
                .contains("expected \"linstor-mock-state\" version 1"),
            "{err}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_later_snapshot_is_never_overwritten_by_an_earlier_one() {
        let dir = std::env::temp_dir().join(format!("linstor-mock-order-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("state.json");
        let mut persister = Persister::new(path.clone());
        let mut model = Model::default();
        let first = persister.take(&model).unwrap();
        model.apply(Request::CrtRscDfn(MsgCrtRscDfn {
            rsc_dfn: RscDfn {
                rsc_name: "later".into(),
                ..Default::default()
            },
        }));
        let second = persister.take(&model).unwrap();
        // The writes race; the later snapshot lands first.
        second.write().unwrap();
        first.write().unwrap();
        let loaded = load(&path).unwrap().unwrap();
        assert_eq!(loaded.resource_definition_names(), ["later"]);
        // A failed write leaves the last written snapshot and reports the file.
        let third = persister.take(&model).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        let err = third.write().unwrap_err();
        assert!(matches!(err, StateError::Io { .. }), "{err}");
        assert!(err.to_string().contains("state.json"), "{err}");
    }
}
