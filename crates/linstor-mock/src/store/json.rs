//! The model as JSON: exactly the [`Model`]'s serde JSON, pretty-printed, with a stable
//! field order (struct fields in declaration order, every map sorted by key), for
//! `linstor-mock state export`, diffs and bug reports, and for any other tool that reads or
//! writes the whole model (one format, one function pair: [`export_json`] /
//! [`import_json`]). The store's snapshots are this JSON too.
//!
//! ```
//! use linstor_mock::Model;
//! use linstor_mock::store::{export_json, import_json};
//!
//! let mut model = Model::default();
//! model.seed_demo();
//! let json = export_json(&model);
//! let back = import_json(&json)?;
//! assert_eq!(export_json(&back), json);
//! # Ok::<(), linstor_mock::store::JsonError>(())
//! ```

use crate::model::{InvariantError, Model};

/// Why a JSON text is not a model.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum JsonError {
    /// The text does not parse as a model.
    #[error("not a linstor-mock model: {0}")]
    Parse(#[source] serde_json::Error),
    /// It parses, but breaks a rule every model keeps.
    #[error("the model is inconsistent: {0}")]
    Invariant(#[source] InvariantError),
    /// A state file of an earlier linstor-mock (`{"format": "linstor-mock-state", ...}`) of a
    /// version this one does not read.
    #[error(
        "a linstor-mock JSON state file of format {format:?} version {version}; this version reads version 1"
    )]
    LegacyVersion {
        /// Its `format`.
        format: String,
        /// Its `version`.
        version: u64,
    },
}

/// The model's JSON (the whole model but its event streams, which follow from it).
pub fn export_json(model: &Model) -> String {
    // The model's maps are keyed by strings (tuple keys are written as pairs), so
    // serializing it cannot fail; should it ever, the text says so instead of a model and
    // does not import.
    serde_json::to_string_pretty(model)
        .unwrap_or_else(|e| format!("\"the model does not serialize: {e}\""))
}

/// The model of a JSON text written by [`export_json`] (its event streams rebuilt), checked
/// against the model's invariants.
///
/// # Errors
///
/// [`JsonError::Parse`] or [`JsonError::Invariant`].
pub fn import_json(text: &str) -> Result<Model, JsonError> {
    let mut model: Model = serde_json::from_str(text).map_err(JsonError::Parse)?;
    model.rebuild_streams();
    model.check_invariants().map_err(JsonError::Invariant)?;
    Ok(model)
}

/// Whether `text` looks like a JSON state file of the earlier format (before the store).
pub(crate) fn is_legacy_state(text: &[u8]) -> bool {
    text.iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| *b == b'{')
}

/// The model of either an [`export_json`] text or a JSON state file of the earlier format
/// (`{"format": "linstor-mock-state", "version": 1, "model": {...}}`), for
/// `linstor-mock state import`.
///
/// # Errors
///
/// [`JsonError`].
pub fn import_any_json(text: &str) -> Result<Model, JsonError> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(JsonError::Parse)?;
    let Some(format) = value.get("format").and_then(|f| f.as_str()) else {
        return import_json(text);
    };
    let version = value
        .get("version")
        .and_then(serde_json::Value::as_u64)
        .unwrap_or(0);
    if format != "linstor-mock-state" || version != 1 {
        return Err(JsonError::LegacyVersion {
            format: format.to_owned(),
            version,
        });
    }
    let model = value.get("model").cloned().unwrap_or_default();
    let mut model: Model = serde_json::from_value(model).map_err(JsonError::Parse)?;
    model.rebuild_streams();
    model.check_invariants().map_err(JsonError::Invariant)?;
    Ok(model)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_earlier_state_file_and_the_export_both_import() {
        let mut model = Model::default();
        model.seed_demo();
        let json = export_json(&model);
        let legacy =
            format!("{{\"format\": \"linstor-mock-state\", \"version\": 1, \"model\": {json}}}");
        assert!(is_legacy_state(legacy.as_bytes()));
        assert_eq!(export_json(&import_any_json(&legacy).unwrap()), json);
        assert_eq!(export_json(&import_any_json(&json).unwrap()), json);
        let newer = legacy.replacen("\"version\": 1", "\"version\": 2", 1);
        assert!(matches!(
            import_any_json(&newer),
            Err(JsonError::LegacyVersion { version: 2, .. })
        ));
        assert!(matches!(import_json("{ torn"), Err(JsonError::Parse(_))));
    }
}
