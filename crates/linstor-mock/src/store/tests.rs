//! The store's own tests: replay equals the live model, a failed commit answers an error and
//! leaves the model unchanged, refused files are never modified.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use linstor_proto::messages::{MsgCrtRsc, MsgCrtRscDfn, MsgCrtVlmDfn, Rsc, RscDfn, VlmDfn};
use linstor_proto::{Call, Request, RequestError};
use redb::Database;

use super::*;
use crate::{Config, MockController};

fn temp_dir(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("linstor-mock-store-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn crt_rsc_dfn(name: &str) -> Request {
    Request::CrtRscDfn(MsgCrtRscDfn {
        rsc_dfn: RscDfn {
            rsc_name: name.into(),
            ..Default::default()
        },
    })
}

fn crt_vlm_dfn(rsc: &str) -> Request {
    Request::CrtVlmDfn(MsgCrtVlmDfn {
        rsc_name: rsc.into(),
        rsc_dfn_uuid: None,
        vlm_dfns: vec![VlmDfn {
            vlm_size: 1024 * 1024,
            ..Default::default()
        }],
    })
}

fn crt_rsc(rsc: &str, node: &str) -> Request {
    Request::CrtRsc(MsgCrtRsc {
        rscs: vec![Rsc {
            name: rsc.into(),
            node_name: node.into(),
            ..Default::default()
        }],
    })
}

/// A sequence of calls that draws uuids, fails some (those draw nothing or error ids) and
/// deletes some.
fn calls(n: usize) -> Vec<Request> {
    let mut out = Vec::new();
    for i in 0..n {
        let name = format!("res{i}");
        out.push(crt_rsc_dfn(&name));
        out.push(crt_vlm_dfn(&name));
        out.push(crt_rsc(&name, ["alpha", "bravo", "charlie"][i % 3]));
        // Fails: exists already.
        out.push(crt_rsc_dfn(&name));
        // Fails: no such node.
        out.push(crt_rsc(&name, "nowhere"));
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn snapshot_plus_replayed_log_is_the_live_model() {
    let dir = temp_dir("replay");
    let path = dir.join("state.db");
    let config = Config {
        state_file: Some(path.clone()),
        // Snapshots every few records: both snapshots and a log tail are exercised.
        state_compact_bytes: 2048,
        demo: true,
        ..Config::default()
    };
    let mock = MockController::start(config.clone()).await.unwrap();
    for request in calls(60) {
        let call = request.call();
        let outcome = mock.apply(request);
        assert!(
            !outcome
                .entries()
                .any(|e| e.message.contains("could not be saved")),
            "{call}: {outcome:?}"
        );
    }
    // A change outside a call, through the guard, is snapshotted too.
    let outside = mock.model().apply(crt_rsc_dfn("outside"));
    assert!(outside.changed);
    let live = export_json(&mock.model());
    mock.shutdown().await;
    let stored = read_model(&path).unwrap();
    assert_eq!(export_json(&stored), live);
    // The log was compacted: fewer rows than logged calls.
    let db = Database::builder()
        .create_with_backend(backend::Overlay::new(File::open(&path).unwrap()).unwrap())
        .unwrap();
    let txn = db.begin_read().unwrap();
    let rows = txn.open_table(LOG).unwrap().len().unwrap();
    let snap = txn
        .open_table(SNAPSHOT)
        .unwrap()
        .last()
        .unwrap()
        .unwrap()
        .0
        .value();
    assert!(snap > 0, "a snapshot was taken");
    assert!(rows < 60 * 3, "{rows} log rows");
    drop(txn);
    drop(db);
    // And it starts again with exactly that model.
    let again = MockController::start(config).await.unwrap();
    assert_eq!(export_json(&again.model()), live);
    again.shutdown().await;
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_rejected_body_replays_its_error_report_id() {
    let mut live = Model::default();
    let before = live.generators();
    let error = RequestError::BodyOverrun {
        call: Call::CrtNode,
        length: 9,
        available: 1,
    };
    let outcome = live.reject(&error);
    assert!(logged(&outcome, before, &live));
    let mut replayed = Model::default();
    Record::Rejected(Call::CrtNode)
        .replay(&mut replayed)
        .unwrap();
    assert_eq!(export_json(&replayed), export_json(&live));
    // A call that changes nothing does not replay as logged.
    let err = Record::Call(Request::LstNode)
        .replay(&mut replayed)
        .unwrap_err();
    assert!(matches!(err, RecordError::Diverged(Call::LstNode)), "{err}");
}

struct TestRollback(Arc<Mutex<Model>>);

impl Rollback for TestRollback {
    fn with_model(&self, f: &mut dyn FnMut(&mut Model)) -> bool {
        f(&mut self.0.lock().unwrap());
        true
    }
}

/// A store on a backend whose writes fail on demand, with the live model behind a mutex
/// like the server's.
fn faulty_store(path: &Path, model: Model) -> (Store, Arc<Mutex<Model>>, Arc<AtomicBool>) {
    let (loaded, opened) = open(path, || model).unwrap();
    assert_eq!(opened, Opened::Created);
    let Loaded {
        path: p,
        db,
        last_index,
        snapshot_bytes,
        log_bytes,
        model,
    } = loaded;
    drop(db);
    let fail = Arc::new(AtomicBool::new(false));
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)
        .unwrap();
    let db = Database::builder()
        .create_with_backend(backend::Faulty {
            inner: redb::backends::FileBackend::new(file).unwrap(),
            fail: fail.clone(),
        })
        .unwrap();
    let live = Arc::new(Mutex::new(model.clone()));
    let (reopen_path, reopen_fail) = (path.to_owned(), fail.clone());
    let opener: Opener = Box::new(move || {
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(&reopen_path)?;
        Ok(Database::builder().create_with_backend(backend::Faulty {
            inner: redb::backends::FileBackend::new(file)?,
            fail: reopen_fail.clone(),
        })?)
    });
    let loaded = Loaded {
        path: p,
        db,
        last_index,
        snapshot_bytes,
        log_bytes,
        model,
    };
    let store = loaded.start_with(
        opener,
        Box::new(TestRollback(live.clone())),
        DEFAULT_COMPACT_BYTES,
    );
    (store, live, fail)
}

/// Applies `request` to the live model and queues it, as `Shared::apply` does.
fn apply(store: &Store, live: &Mutex<Model>, request: Request) -> Option<Ticket> {
    let mut model = live.lock().unwrap();
    let before = model.generators();
    let record = Record::Call(request.clone());
    let outcome = model.apply(request);
    logged(&outcome, before, &model).then(|| store.append(record))
}

#[test]
fn a_failed_commit_answers_an_error_and_leaves_the_model_unchanged() {
    let dir = temp_dir("faulty");
    let path = dir.join("state.db");
    let mut demo = Model::default();
    demo.seed_demo();
    let (store, live, fail) = faulty_store(&path, demo);
    let wait = |t: Ticket| t.wait_blocking(Duration::from_secs(10), &path);
    wait(apply(&store, &live, crt_rsc_dfn("kept")).unwrap()).unwrap();
    let durable = export_json(&live.lock().unwrap());
    fail.store(true, Ordering::SeqCst);
    // Several calls queued together: the whole batch fails, the model goes back.
    let tickets: Vec<Ticket> = ["lost1", "lost2", "lost3"]
        .iter()
        .map(|n| apply(&store, &live, crt_rsc_dfn(n)).unwrap())
        .collect();
    for ticket in tickets {
        let err = wait(ticket).unwrap_err();
        assert!(matches!(*err, StoreError::Commit { .. }), "{err}");
        assert!(err.to_string().contains("state.db"), "{err}");
        assert!(
            err.to_string()
                .contains("no space left on device (injected)"),
            "{err}"
        );
    }
    assert_eq!(export_json(&live.lock().unwrap()), durable);
    // The disk has room again: calls commit, and the file holds exactly the live model.
    fail.store(false, Ordering::SeqCst);
    wait(apply(&store, &live, crt_rsc_dfn("after")).unwrap()).unwrap();
    let names = live.lock().unwrap().resource_definition_names();
    assert_eq!(names, ["after", "kept"]);
    let expected = export_json(&live.lock().unwrap());
    drop(store);
    assert_eq!(export_json(&read_model(&path).unwrap()), expected);
    std::fs::remove_dir_all(&dir).unwrap();
}

fn assert_refused_unmodified(path: &Path, check: impl Fn(&StoreError) -> bool) -> StoreError {
    let before = std::fs::read(path).unwrap();
    let err = open(path, Model::default).map(|_| ()).unwrap_err();
    assert!(check(&err), "{err:?}");
    assert!(
        err.to_string().contains(&path.display().to_string()),
        "{err}"
    );
    assert_eq!(
        std::fs::read(path).unwrap(),
        before,
        "{} was modified",
        path.display()
    );
    let export = read_model(path).map(|_| ()).unwrap_err();
    assert!(check(&export), "{export:?}");
    assert_eq!(std::fs::read(path).unwrap(), before);
    err
}

/// Writes into the store at `path` with redb directly (to make a bad file).
fn tamper(path: &Path, f: impl FnOnce(&redb::WriteTransaction)) {
    let db = Database::create(path).unwrap();
    let txn = db.begin_write().unwrap();
    f(&txn);
    txn.commit().unwrap();
}

#[test]
fn corrupt_newer_and_old_json_files_are_refused_and_never_modified() {
    let dir = temp_dir("refuse");
    // Garbage.
    let garbage = dir.join("garbage.db");
    std::fs::write(
        &garbage,
        (0..5000u32)
            .map(|i| (i * 7 % 251) as u8)
            .collect::<Vec<_>>(),
    )
    .unwrap();
    assert_refused_unmodified(&garbage, |e| matches!(e, StoreError::Corrupt { .. }));
    // A redb file torn in its middle.
    let torn = dir.join("torn.db");
    drop(open(&torn, Model::default).unwrap());
    let mut bytes = std::fs::read(&torn).unwrap();
    for b in &mut bytes[4096..] {
        *b ^= 0x5a;
    }
    std::fs::write(&torn, &bytes).unwrap();
    assert_refused_unmodified(&torn, |e| {
        matches!(e, StoreError::Corrupt { .. } | StoreError::Damaged { .. })
    });
    // A newer format version.
    let newer = dir.join("newer.db");
    drop(open(&newer, Model::default).unwrap());
    tamper(&newer, |txn| {
        txn.open_table(META)
            .unwrap()
            .insert(VERSION_KEY, 2)
            .unwrap();
    });
    let err = assert_refused_unmodified(&newer, |e| {
        matches!(e, StoreError::Newer { version: 2, .. })
    });
    assert!(err.to_string().contains("newer"), "{err}");
    // A log record that does not replay.
    let bad_log = dir.join("bad-log.db");
    drop(open(&bad_log, Model::default).unwrap());
    tamper(&bad_log, |txn| {
        let mut log = txn.open_table(LOG).unwrap();
        log.insert(1, Record::Call(crt_rsc_dfn("r")).encode().as_slice())
            .unwrap();
        log.insert(
            2,
            [
                2u8, 9, b'C', b'r', b't', b'R', b's', b'c', b'D', b'f', b'n', 0x0a, 0x50,
            ]
            .as_slice(),
        )
        .unwrap();
    });
    assert_refused_unmodified(&bad_log, |e| {
        matches!(e, StoreError::Replay { index: 2, .. })
    });
    // A database that is not ours.
    let foreign = dir.join("foreign.db");
    tamper(&foreign, |txn| {
        txn.open_table(TableDefinition::<u64, u64>::new("other"))
            .unwrap();
    });
    assert_refused_unmodified(&foreign, |e| matches!(e, StoreError::NotAStore { .. }));
    // The JSON state file of the earlier version: refused with the command that converts it.
    let old = dir.join("state.json");
    let mut model = Model::default();
    model.seed_demo();
    std::fs::write(
        &old,
        format!(
            "{{\"format\": \"linstor-mock-state\", \"version\": 1, \"model\": {}}}",
            export_json(&model)
        ),
    )
    .unwrap();
    let err = assert_refused_unmodified(&old, |e| matches!(e, StoreError::LegacyJson(_)));
    assert!(
        err.to_string().contains("linstor-mock state import"),
        "{err}"
    );
    // ... which imports.
    let converted = dir.join("converted.db");
    let text = std::fs::read_to_string(&old).unwrap();
    create_from(&converted, &import_any_json(&text).unwrap()).unwrap();
    assert_eq!(
        export_json(&read_model(&converted).unwrap()),
        export_json(&model)
    );
    // create_from never replaces a file.
    assert!(create_from(&converted, &model).is_err());
    std::fs::remove_dir_all(&dir).unwrap();
}
