//! Every command of the tree run as a process against a mock: exit codes, the answers'
//! text, error paths, failover, timeouts, help on every level and completions.

mod support;

use std::net::TcpListener;
use std::time::Duration;

use linstor_mock::{Config, Faults};
use support::{Mock, columns, rows, run_with};

/// A cluster with rsc1 (10 MiB) auto-placed on two nodes.
fn with_resource() -> Mock {
    let m = Mock::demo();
    m.ok(&["resource-definition", "create", "rsc1"]);
    m.ok(&["volume-definition", "create", "rsc1", "10M"]);
    m.ok(&["resource", "create", "--auto-place", "2", "rsc1"]);
    m
}

#[test]
fn answers_are_printed_with_severity_and_sections() {
    let m = Mock::demo();
    let out = m.ok(&["rd", "c", "rsc1"]);
    assert!(
        out.starts_with(
            "SUCCESS:\nDescription:\n    New resource definition 'rsc1' created.\nDetails:\n"
        ),
        "{out}"
    );
    let out = m.expect(10, &["rd", "c", "rsc1"]);
    assert!(out.starts_with("ERROR:\nDescription:\n"), "{out}");
    assert!(out.contains("already exists"), "{out}");
    assert!(
        out.contains("Show reports:\n    linstor error-reports show "),
        "{out}"
    );
}

#[test]
fn error_paths_exit_with_the_0_7_3_codes() {
    let m = with_resource();
    // Existing object.
    let out = m.expect(10, &["node", "create", "alpha", "10.0.0.1"]);
    assert!(out.contains("ERROR:"), "{out}");
    // Missing object: the controller's answer, and client-side lookups.
    let out = m.expect(
        10,
        &[
            "resource-definition",
            "set-property",
            "nosuch",
            "Aux/a",
            "b",
        ],
    );
    assert!(out.contains("ERROR:") && out.contains("not found"), "{out}");
    // Deleting a missing object is a warning: exit 0, or 10 with --warn-as-error.
    let out = m.ok(&["resource-definition", "delete", "nosuch"]);
    assert!(
        out.starts_with("WARNING:") && out.contains("not found"),
        "{out}"
    );
    m.expect(
        10,
        &["--warn-as-error", "resource-definition", "delete", "nosuch"],
    );
    for args in [
        &["node", "list-properties", "nosuch"][..],
        &["rd", "lp", "nosuch"],
        &["vd", "lp", "rsc1", "7"],
        &["r", "lp", "alpha", "nosuch"],
        &["sp", "lp", "alpha", "nosuch"],
        &["spd", "lp", "nosuch"],
        &["node", "interface", "list", "nosuch"],
        &["node", "describe", "nosuch"],
        &["rc", "lp", "alpha", "charlie", "rsc1"],
        &["kv", "delete", "store", "nokey"],
    ] {
        let r = m.run(args);
        assert_eq!(r.code, 3, "{args:?}: {r:?}");
        assert!(!r.stderr.is_empty(), "{args:?}: a message on stderr");
    }
    // A list call answered by an error Reply instead of the list: the Reply is printed,
    // exit 10 (as text and as JSON).
    let out = m.expect(10, &["rc", "list", "nosuch"]);
    assert!(out.contains("ERROR:") && out.contains("not found"), "{out}");
    let out = m.expect(10, &["-m", "rc", "list", "nosuch"]);
    assert!(
        out.contains("\"ret_code\"") && out.contains("not found"),
        "{out}"
    );
    // Invalid property.
    let out = m.expect(10, &["node", "set-property", "alpha", "NoSuchKey", "x"]);
    assert!(out.contains("ERROR:") && out.contains("NoSuchKey"), "{out}");
    // Shrinking a deployed volume.
    let out = m.expect(10, &["vd", "set-size", "rsc1", "0", "5M"]);
    assert!(out.contains("shrink"), "{out}");
    let out = m.ok(&["vd", "set-size", "rsc1", "0", "20M"]);
    assert!(out.starts_with("SUCCESS:"), "{out}");
    let vd = m.ok(&["--no-utf8", "vd", "l"]);
    assert_eq!(rows(&vd)[0][3], "20 MiB", "{vd}");
    // Usage errors.
    assert_eq!(m.run(&["node", "list", "--bogus"]).code, 2);
    assert_eq!(
        m.run(&["rd", "opt", "rsc1", "--no-such-option", "1"]).code,
        2
    );
    assert_eq!(m.run(&["vd", "c", "rsc1", "ten"]).code, 2);
    assert_eq!(m.run(&["r", "c", "rsc1"]).code, 2);
}

#[test]
fn failover_to_the_second_controller_and_connection_errors() {
    let m = Mock::demo();
    // A port that refuses: bound, then closed.
    let refused = {
        let l = TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr")
    };
    let list = format!("{refused},{}", m.addr);
    let r = run_with(&[("LS_CONTROLLERS", &list)], &["--no-utf8", "node", "list"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(rows(&r.stdout).len(), 3, "{}", r.stdout);
    // --controllers after LS_CONTROLLERS.
    let r = run_with(
        &[("LS_CONTROLLERS", &refused.to_string())],
        &["--controllers", &m.addr.to_string(), "node", "list"],
    );
    assert_eq!(r.code, 0, "{r:?}");
    // Nothing answers: exit 20 with the reasons.
    let r = run_with(
        &[("LS_CONTROLLERS", &refused.to_string())],
        &["--controllers", &refused.to_string(), "node", "list"],
    );
    assert_eq!(r.code, 20, "{r:?}");
    assert!(r.stderr.contains("Unable to connect"), "{}", r.stderr);
    assert!(r.stdout.is_empty());
}

#[test]
fn a_slow_controller_times_out_with_exit_code_21() {
    let m = Mock::with(Config {
        demo: true,
        faults: Faults {
            answer_delay: Duration::from_secs(4),
            ..Faults::default()
        },
        ..Config::default()
    });
    let r = m.run(&["--timeout", "1", "node", "list"]);
    assert_eq!(r.code, 21, "{r:?}");
    assert!(r.stderr.contains("timed out"), "{}", r.stderr);
}

#[test]
fn node_commands() {
    let m = Mock::demo();
    m.ok(&["node", "create", "delta", "10.0.0.4"]);
    m.ok(&[
        "n",
        "c",
        "--node-type",
        "Combined",
        "--communication-type",
        "SSL",
        "echo",
        "10.0.0.5",
    ]);
    let nodes = m.ok(&["--no-utf8", "n", "l"]);
    let echo = rows(&nodes)
        .into_iter()
        .find(|r| r[0] == "echo")
        .expect("echo listed");
    assert_eq!(echo[1], "COMBINED");
    assert_eq!(echo[2], "10.0.0.5:3377 (SSL)");
    let filtered = m.ok(&["--no-utf8", "n", "l", "-N", "delta"]);
    assert_eq!(rows(&filtered).len(), 1);
    m.ok(&["n", "m", "-t", "Satellite", "echo"]);
    m.ok(&["n", "sp", "delta", "--aux", "site", "east"]);
    let props = m.ok(&["--no-utf8", "n", "lp", "delta"]);
    assert!(
        rows(&props).contains(&vec!["Aux/site".to_string(), "east".to_string()]),
        "{props}"
    );
    m.ok(&["n", "sp", "delta", "--aux", "site"]);
    let props = m.ok(&["--no-utf8", "n", "lp", "delta"]);
    assert!(
        !props.contains("Aux/site"),
        "an empty value deletes: {props}"
    );
    m.ok(&["n", "i", "c", "delta", "eth1", "10.1.0.4"]);
    m.ok(&["n", "i", "m", "delta", "eth1", "--ip", "10.1.0.5"]);
    m.ok(&["n", "i", "m", "-p", "3370", "delta", "eth1"]);
    let ifs = m.ok(&["--no-utf8", "n", "i", "l", "delta"]);
    assert_eq!(columns(&ifs), ["delta", "NetInterface", "IP"]);
    assert!(
        rows(&ifs).contains(&vec!["+".into(), "eth1".into(), "10.1.0.5".into()]),
        "{ifs}"
    );
    m.ok(&["n", "i", "d", "delta", "eth1"]);
    m.ok(&["n", "rc", "delta", "echo"]);
    let tree = m.ok(&["--no-utf8", "n", "dsc", "alpha"]);
    assert!(
        tree.starts_with("alpha (node)\n+-- drbdpool (storage pool)"),
        "{tree}"
    );
    m.ok(&["n", "cswt", "sf1", "svc1"]);
    m.ok(&["n", "d", "delta"]);
    m.ok(&["n", "d", "--async", "echo"]);
    m.ok(&["n", "lo", "sf1"]);
    let left = m.ok(&["--no-utf8", "n", "l"]);
    assert_eq!(rows(&left).len(), 3, "{left}");
}

#[test]
fn resource_definition_volume_definition_and_resource_commands() {
    let m = with_resource();
    m.ok(&["rd", "sp", "rsc1", "Aux/owner", "me"]);
    m.ok(&[
        "rd",
        "opt",
        "rsc1",
        "--protocol",
        "C",
        "--quorum",
        "majority",
    ]);
    let props = m.ok(&["--no-utf8", "rd", "lp", "rsc1"]);
    let keys: Vec<String> = rows(&props).into_iter().map(|r| r[0].clone()).collect();
    for k in [
        "Aux/owner",
        "DrbdOptions/Net/protocol",
        "DrbdOptions/Resource/quorum",
    ] {
        assert!(keys.contains(&k.to_string()), "{k} in {props}");
    }
    m.ok(&["rd", "opt", "rsc1", "--unset-protocol"]);
    assert!(!m.ok(&["rd", "lp", "rsc1"]).contains("protocol"));
    m.ok(&["vd", "sp", "rsc1", "0", "Aux/x", "y"]);
    m.ok(&["vd", "opt", "rsc1", "0", "--al-extents", "6007"]);
    let vprops = m.ok(&["--no-utf8", "vd", "lp", "rsc1", "0"]);
    assert!(vprops.contains("DrbdOptions/Disk/al-extents"), "{vprops}");
    m.ok(&["vd", "c", "--vlmnr", "1", "rsc1", "20M"]);
    m.ok(&["vd", "d", "rsc1", "1"]);
    // Resources.
    m.ok(&["r", "c", "charlie", "rsc1", "--diskless"]);
    let rs = m.ok(&["--no-utf8", "r", "l", "-r", "rsc1"]);
    assert_eq!(rows(&rs).len(), 3, "{rs}");
    m.ok(&["r", "sp", "alpha", "rsc1", "Aux/a", "b"]);
    let rp = m.ok(&["--no-utf8", "r", "lp", "alpha", "rsc1"]);
    assert!(rp.contains("Aux/a"), "{rp}");
    m.ok(&["r", "dpo", "alpha", "bravo", "rsc1", "--c-max-rate", "250"]);
    m.ok(&["r", "td", "-s", "drbdpool", "charlie", "rsc1"]);
    m.ok(&["r", "td", "-d", "charlie", "rsc1"]);
    let vl = m.ok(&["--no-utf8", "r", "lv", "-n", "alpha"]);
    assert_eq!(rows(&vl).len(), 1, "{vl}");
    m.ok(&["r", "d", "charlie", "rsc1"]);
    m.ok(&["r", "d", "--async", "alpha", "bravo", "rsc1"]);
    m.ok(&["rd", "d", "rsc1"]);
    let rd = m.ok(&["--no-utf8", "rd", "l"]);
    assert!(rows(&rd).is_empty(), "{rd}");
    // Placement filters reach the controller.
    m.ok(&["rd", "c", "rsc2"]);
    m.ok(&["vd", "c", "rsc2", "1G"]);
    let out = m.ok(&[
        "r",
        "c",
        "rsc2",
        "--auto-place",
        "1",
        "--storage-pool",
        "drbdpool",
        "--do-not-place-with-regex",
        "nothing.*",
        "--diskless-on-remaining",
    ]);
    assert!(out.contains("autoplaced"), "{out}");
    let rs = m.ok(&["--no-utf8", "r", "l", "-r", "rsc2"]);
    assert_eq!(rows(&rs).len(), 3, "one diskful, two diskless: {rs}");
    let out = m.expect(10, &["r", "c", "rsc2", "--auto-place", "9"]);
    assert!(out.contains("ERROR:"), "{out}");
}

#[test]
fn connection_proxy_snapshot_storage_controller_and_other_commands() {
    let m = with_resource();
    // Resource connections.
    m.ok(&[
        "rc",
        "sp",
        "alpha",
        "bravo",
        "rsc1",
        "DrbdOptions/Net/protocol",
        "A",
    ]);
    m.ok(&[
        "rc",
        "opt",
        "alpha",
        "bravo",
        "rsc1",
        "--max-buffers",
        "8000",
    ]);
    let rc = m.ok(&["--no-utf8", "rc", "l", "rsc1"]);
    assert_eq!(
        rows(&rc)[0][..2],
        ["alpha".to_string(), "bravo".to_string()]
    );
    assert!(rows(&rc)[0][2].contains("protocol=A"), "{rc}");
    let rcp = m.ok(&["--no-utf8", "rc", "lp", "bravo", "alpha", "rsc1"]);
    assert!(rcp.contains("DrbdOptions/Net/max-buffers"), "{rcp}");
    m.ok(&[
        "rc", "path", "c", "alpha", "bravo", "rsc1", "p1", "default", "default",
    ]);
    let paths = m.ok(&["--no-utf8", "rc", "path", "l", "alpha", "bravo", "rsc1"]);
    assert_eq!(rows(&paths).len(), 2, "{paths}");
    m.ok(&["rc", "path", "d", "alpha", "bravo", "rsc1", "p1"]);
    let paths = m.ok(&["--no-utf8", "rc", "path", "l", "alpha", "bravo", "rsc1"]);
    assert!(rows(&paths).is_empty(), "{paths}");
    // DRBD proxy.
    m.ok(&[
        "drbd-proxy",
        "enable",
        "alpha",
        "bravo",
        "rsc1",
        "-p",
        "7900",
    ]);
    let rc = m.ok(&["--no-utf8", "rc", "l", "rsc1"]);
    assert_eq!(rows(&rc)[0][3], "7900", "{rc}");
    m.ok(&["proxy", "opt", "rsc1", "--memlimit", "100000000"]);
    m.ok(&["proxy", "c", "zlib", "rsc1", "--level", "9"]);
    m.ok(&["proxy", "compression", "lz4", "rsc1"]);
    m.ok(&["proxy", "compression", "none", "rsc1"]);
    m.ok(&["proxy", "c", "lzma", "rsc1", "--dict-size", "4096"]);
    m.ok(&["proxy", "d", "alpha", "bravo", "rsc1"]);
    // Snapshots.
    m.ok(&["s", "c", "rsc1", "snap1"]);
    m.ok(&["s", "rb", "rsc1", "snap1"]);
    m.ok(&["snapshot", "create", "--async", "alpha", "rsc1", "snap2"]);
    let sl = m.ok(&["--no-utf8", "s", "l"]);
    assert_eq!(
        rows(&sl)[0],
        ["rsc1", "snap1", "alpha, bravo", "0: 10 MiB", "Successful"],
        "{sl}"
    );
    m.ok(&["rd", "c", "rsc3"]);
    m.ok(&[
        "s",
        "vd",
        "rst",
        "--from-resource",
        "rsc1",
        "--from-snapshot",
        "snap1",
        "--to-resource",
        "rsc3",
    ]);
    m.ok(&[
        "s", "r", "rst", "--fr", "rsc1", "--fs", "snap1", "--tr", "rsc3",
    ]);
    let r3 = m.ok(&["--no-utf8", "r", "l", "-r", "rsc3"]);
    assert_eq!(rows(&r3).len(), 2, "{r3}");
    m.ok(&["s", "d", "rsc1", "snap1"]);
    m.ok(&["s", "d", "rsc1", "snap2"]);
    // Storage pools and definitions.
    m.ok(&["spd", "c", "pool2"]);
    m.ok(&["spd", "sp", "pool2", "Aux/x", "y"]);
    assert!(m.ok(&["spd", "lp", "pool2"]).contains("Aux/x"));
    for (driver, extra) in [
        ("lvm", Some("vg2")),
        ("lvmthin", Some("vg2/thin")),
        ("zfs", Some("tank")),
        ("zfsthin", Some("tank")),
        ("diskless", None),
    ] {
        let name = format!("p{driver}");
        let mut args = vec!["sp", "c", driver, "charlie", name.as_str()];
        args.extend(extra);
        m.ok(&args);
    }
    m.ok(&["sp", "c", "swordfish_initiator", "charlie", "psfi"]);
    m.run(&["sp", "c", "sft", "charlie", "psft", "pool-a"]);
    let sp = m.ok(&["--no-utf8", "sp", "l", "-n", "charlie"]);
    let pools: Vec<Vec<String>> = rows(&sp);
    let lvmthin = pools
        .iter()
        .find(|r| r[0] == "plvmthin")
        .expect("lvmthin pool");
    assert_eq!(lvmthin[3], "vg2/thin", "{sp}");
    m.ok(&["sp", "sp", "charlie", "plvm", "Aux/a", "b"]);
    assert!(
        m.ok(&["sp", "lp", "charlie", "plvm"])
            .contains("StorDriver/LvmVg")
    );
    m.ok(&["sp", "d", "charlie", "plvm"]);
    m.ok(&["spd", "d", "pool2"]);
    let max = m.ok(&["--no-utf8", "spd", "qmvs", "2"]);
    assert_eq!(
        columns(&max),
        ["StoragePool", "MaxVolumeSize", "Provisioning", "Nodes"]
    );
    assert_eq!(rows(&max)[0][0], "drbdpool", "{max}");
    // Controller.
    let v = m.ok(&["controller", "version"]);
    assert!(
        v.starts_with("linstor controller ") && v.contains("; GIT-hash: "),
        "{v}"
    );
    m.ok(&["c", "sp", "DrbdOptions/Net/max-buffers", "8000"]);
    m.ok(&["c", "opt", "--protocol", "C"]);
    let cp = m.ok(&["--no-utf8", "c", "lp"]);
    assert!(
        cp.contains("DrbdOptions/Net/max-buffers") && cp.contains("DrbdOptions/Net/protocol"),
        "{cp}"
    );
    m.ok(&["c", "sp", "DrbdOptions/Net/max-buffers"]);
    assert!(!m.ok(&["c", "lp"]).contains("max-buffers"));
    // Encryption.
    m.ok(&["encryption", "create-passphrase", "-p", "secret"]);
    m.ok(&["e", "enter", "-p", "secret"]);
    m.expect(
        10,
        &[
            "e",
            "modify",
            "--old-passphrase",
            "wrong",
            "--new-passphrase",
            "x",
        ],
    );
    m.ok(&[
        "e",
        "modify",
        "--old-passphrase",
        "secret",
        "--new-passphrase",
        "other",
    ]);
    // Error reports (the failed calls above made some).
    let errs = m.ok(&["--no-utf8", "error-reports", "list"]);
    assert_eq!(columns(&errs), ["Nr.", "Id", "Datetime", "Node"]);
    let shown = m.run(&["err", "show", "no-such-report"]);
    assert_eq!(shown.code, 3, "{shown:?}");
    // Key/value store with namespaces.
    m.ok(&[
        "kv",
        "set",
        "store",
        "key",
        "val",
        "--namespace",
        "/foo/bar/",
    ]);
    m.ok(&["key-value-store", "set", "store", "other", "1"]);
    let all = m.ok(&["--no-utf8", "kv", "l", "store"]);
    assert_eq!(
        rows(&all),
        [["/foo/bar/key", "val"], ["/other", "1"]],
        "{all}"
    );
    let ns = m.ok(&["--no-utf8", "kv", "l", "store", "--namespace", "/foo/bar"]);
    assert_eq!(rows(&ns), [["key", "val"]], "{ns}");
    m.ok(&["kv", "d", "store", "key", "--namespace", "/foo/bar"]);
    let all = m.ok(&["--no-utf8", "kv", "l", "store"]);
    assert_eq!(rows(&all), [["/other", "1"]], "{all}");
    // Shutdown (the mock answers and keeps serving).
    m.ok(&["controller", "shutdown"]);
}

#[test]
fn create_watch_and_events_print_the_event_stream() {
    let m = with_resource();
    let out = m.ok(&["create-watch", "--resource", "rsc1", "--count", "4"]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[..2], ["SUCCESS:", "Description:"], "{out}");
    let events: Vec<&&str> = lines.iter().filter(|l| l.contains(" Value ")).collect();
    assert_eq!(events.len(), 4, "{out}");
    assert!(events.iter().all(|l| l.contains("resource=rsc1")), "{out}");
    assert!(
        out.contains("ResourceState Value node=alpha resource=rsc1 ready=true"),
        "{out}"
    );
    let out = m.ok(&["events", "--only", "disk", "--count", "2"]);
    let disk: Vec<&str> = out.lines().filter(|l| l.contains("disk: ")).collect();
    assert_eq!(disk.len(), 2, "{out}");
    assert!(disk.iter().all(|l| l.contains("disk: UpToDate")), "{out}");
    let out = m.ok(&["-m", "events", "--node", "bravo", "--count", "1"]);
    let v: serde_json::Value = serde_json::from_str(out.trim()).expect("one JSON event");
    assert_eq!(v["node_name"], "bravo");
}

/// The subcommand names of a `--help` text.
fn subcommands(help: &str) -> Vec<String> {
    help.lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next().map(str::to_owned))
        .filter(|c| c != "help")
        .collect()
}

#[test]
fn help_on_every_level() {
    let mut queue: Vec<Vec<String>> = vec![vec![]];
    let mut seen = 0;
    while let Some(path) = queue.pop() {
        let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
        args.push("--help");
        let r = run_with(&[], &args);
        assert_eq!(r.code, 0, "{args:?}: {r:?}");
        assert!(
            r.stdout.contains("Usage: linstor"),
            "{args:?}: {}",
            r.stdout
        );
        seen += 1;
        assert!(seen < 500, "the tree is bounded");
        for sub in subcommands(&r.stdout) {
            let mut p = path.clone();
            p.push(sub);
            queue.push(p);
        }
    }
    // 16 top-level commands, every family with its subcommands, the driver level of
    // `storage-pool create` and the path level of `resource-connection`.
    assert!(seen > 100, "{seen} help pages");
    let sp_create = run_with(&[], &["sp", "c", "--help"]);
    for driver in [
        "lvm",
        "lvmthin",
        "zfs",
        "zfsthin",
        "diskless",
        "swordfish_target",
        "swordfish_initiator",
    ] {
        assert!(
            subcommands(&sp_create.stdout).contains(&driver.to_string()),
            "{driver}"
        );
    }
    let opt = run_with(&[], &["rd", "drbd-options", "--help"]);
    assert!(
        opt.stdout.contains("DrbdOptions/Net") && opt.stdout.contains("max-buffers"),
        "{}",
        opt.stdout
    );
}

#[test]
fn aliases_of_the_0_7_3_tree() {
    let top = run_with(&[], &["--help"]).stdout;
    for (name, alias) in [
        ("node", "n"),
        ("resource-definition", "rd"),
        ("volume-definition", "vd"),
        ("resource", "r"),
        ("storage-pool", "sp"),
        ("storage-pool-definition", "spd"),
        ("snapshot", "s"),
        ("resource-connection", "rc"),
        ("key-value-store", "kv"),
        ("error-reports", "err"),
    ] {
        let line = top
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("{name} ")))
            .unwrap_or_else(|| panic!("{name} in\n{top}"));
        assert!(
            line.contains(&format!("alias: {alias}]")) || line.contains(&format!(" {alias}")),
            "{line}"
        );
        let r = run_with(&[], &[alias, "--help"]);
        assert_eq!(r.code, 0, "{alias}");
    }
}

#[test]
fn shell_completions() {
    for shell in ["bash", "zsh", "fish"] {
        let r = run_with(&[], &["completion", shell]);
        assert_eq!(r.code, 0, "{shell}: {r:?}");
        assert!(r.stdout.contains("linstor"), "{shell}");
        assert!(r.stdout.contains("storage-pool-definition"), "{shell}");
    }
    let bash = run_with(&[], &["completion", "bash"]).stdout;
    assert!(bash.contains("_linstor()"), "a bash completion function");
    assert_eq!(run_with(&[], &["completion", "tcsh-or-so"]).code, 2);
}

#[test]
fn passphrases_are_read_from_standard_input_without_options() {
    let m = Mock::demo();
    let r = m.run_input("first secret\n", &["encryption", "create-passphrase"]);
    assert_eq!(r.code, 0, "{r:?}");
    let r = m.run_input("wrong\n", &["e", "enter"]);
    assert_eq!(r.code, 10, "{r:?}");
    let r = m.run_input("first secret\n", &["e", "enter"]);
    assert_eq!(r.code, 0, "{r:?}");
    let r = m.run_input("first secret\nsecond\n", &["e", "modify"]);
    assert_eq!(r.code, 0, "old then new passphrase: {r:?}");
    m.ok(&["e", "enter", "-p", "second"]);
    let long = "x".repeat(10_000);
    let r = m.run_input(&long, &["e", "enter"]);
    assert_eq!(r.code, 2, "an over-long passphrase is refused: {r:?}");
    assert!(r.stderr.contains("longer than 4096"), "{}", r.stderr);
}

#[test]
fn man_pages() {
    let top = run_with(&[], &["man"]);
    assert_eq!(top.code, 0, "{top:?}");
    assert!(
        top.stdout.contains(".TH linstor 1 "),
        "{}",
        &top.stdout[..200.min(top.stdout.len())]
    );
    assert!(
        top.stdout.contains("resource\\-definition"),
        "subcommands listed"
    );
    let node = run_with(&[], &["man", "n", "create"]);
    assert_eq!(node.code, 0, "{node:?}");
    assert!(
        node.stdout.contains(".TH linstor-node-create"),
        "{}",
        &node.stdout[..300.min(node.stdout.len())]
    );
    assert!(
        node.stdout.contains("communication\\-type"),
        "options listed"
    );
    assert_eq!(run_with(&[], &["man", "nosuch"]).code, 2);
}
