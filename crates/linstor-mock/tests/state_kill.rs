//! `linstor-mock --state` under SIGKILL at random moments (including during snapshots):
//! 20 rounds, 4 connections, at least 10,000 changes sent in all; after each kill every
//! acknowledged change is stored, each connection's changes are a prefix of its sent order,
//! and the mock starts again. The longer run is `cargo bench -p linstor-mock --bench state_kill`.

#[path = "support/kill.rs"]
mod kill;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_at_random_moments_loses_no_acknowledged_change() {
    // A process kill keeps what the kernel was given, so a tmpfs (when there is one) tests
    // the same and spares the disk's fsyncs; the bench runs on the temp dir's disk.
    let base = Some(std::path::PathBuf::from("/dev/shm"))
        .filter(|p| p.is_dir())
        .unwrap_or_else(std::env::temp_dir);
    let dir = base.join(format!("linstor-mock-kill-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(1);
    eprintln!("kill rounds seed {seed}");
    let summary = kill::run(&dir, 20, 4, 500..1000, seed).await;
    eprintln!("{summary:?}");
    assert_eq!(summary.rounds, 20);
    assert!(summary.sent >= 10_000, "{summary:?}");
    assert!(summary.stored >= summary.acknowledged, "{summary:?}");
    std::fs::remove_dir_all(&dir).expect("cleanup");
}
