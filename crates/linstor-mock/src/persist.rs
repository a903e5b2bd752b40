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

/// A state file that cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StateError {
    /// Reading or writing failed.
    #[error("state file {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// The file is not a state file of this version.
    #[error(
        "state file {path} is corrupt or not a linstor-mock state file (refusing to replace it): {reason}"
    )]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What did not parse.
        reason: String,
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
/// [`StateError::Io`] when it cannot be read, [`StateError::Corrupt`] when it does not parse.
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
    let corrupt = |reason: String| StateError::Corrupt {
        path: path.to_owned(),
        reason,
    };
    let file: StateFile = serde_json::from_slice(&text).map_err(|e| corrupt(e.to_string()))?;
    if file.format != FORMAT || file.version != VERSION {
        return Err(corrupt(format!(
            "format {:?} version {}, expected {FORMAT:?} version {VERSION}",
            file.format, file.version
        )));
    }
    let mut model = file.model;
    model.rebuild_streams();
    Ok(Some(model))
}

/// Saves the model atomically (write, fsync, rename, fsync the directory).
///
/// # Errors
///
/// [`StateError::Io`].
pub fn save(path: &Path, model: &Model) -> Result<(), StateError> {
    let io = |source| StateError::Io {
        path: path.to_owned(),
        source,
    };
    let file = StateFile {
        format: FORMAT.to_owned(),
        version: VERSION,
        model: model.clone(),
    };
    let bytes = serde_json::to_vec_pretty(&file).map_err(|e| io(std::io::Error::other(e)))?;
    let tmp = path.with_extension("tmp");
    let mut f = File::create(&tmp).map_err(io)?;
    f.write_all(&bytes).map_err(io)?;
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
        std::fs::write(
            &path,
            b"{\"format\": \"linstor-mock-state\", \"version\": 1, \"model\": 7",
        )
        .unwrap();
        assert!(matches!(load(&path), Err(StateError::Corrupt { .. })));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
