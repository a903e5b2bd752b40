//! DRBD options on the command line (`drbd-options --max-buffers 8000 --unset-protocol`):
//! the option names per namespace (the controller's whitelist, semantics.md §18.6) and
//! turning the arguments into properties to set and delete.

use anyhow::{Result, bail};

/// A DRBD option namespace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// `DrbdOptions/Disk`.
    Disk,
    /// `DrbdOptions/Net`.
    Net,
    /// `DrbdOptions/PeerDevice`.
    PeerDevice,
    /// `DrbdOptions/Resource`.
    Resource,
}

impl Section {
    fn prefix(self) -> &'static str {
        match self {
            Section::Disk => "DrbdOptions/Disk",
            Section::Net => "DrbdOptions/Net",
            Section::PeerDevice => "DrbdOptions/PeerDevice",
            Section::Resource => "DrbdOptions/Resource",
        }
    }

    fn options(self) -> &'static [&'static str] {
        match self {
            Section::Disk => &[
                "al-extents",
                "al-updates",
                "disable-write-same",
                "discard-zeroes-if-aligned",
                "disk-barrier",
                "disk-drain",
                "disk-flushes",
                "disk-timeout",
                "md-flushes",
                "on-io-error",
                "read-balancing",
                "resync-after",
                "rs-discard-granularity",
            ],
            Section::Net => &[
                "after-sb-0pri",
                "after-sb-1pri",
                "after-sb-2pri",
                "allow-two-primaries",
                "always-asbp",
                "congestion-extents",
                "congestion-fill",
                "connect-int",
                "cram-hmac-alg",
                "csums-after-crash-only",
                "csums-alg",
                "data-integrity-alg",
                "fencing",
                "ko-count",
                "max-buffers",
                "max-epoch-size",
                "on-congestion",
                "ping-int",
                "ping-timeout",
                "protocol",
                "rcvbuf-size",
                "rr-conflict",
                "shared-secret",
                "sndbuf-size",
                "socket-check-timeout",
                "tcp-cork",
                "timeout",
                "transport",
                "use-rle",
                "verify-alg",
            ],
            Section::PeerDevice => &[
                "bitmap",
                "c-delay-target",
                "c-fill-target",
                "c-max-rate",
                "c-min-rate",
                "c-plan-ahead",
                "resync-rate",
            ],
            Section::Resource => &[
                "auto-promote",
                "auto-promote-timeout",
                "cpu-mask",
                "max-io-depth",
                "on-no-data-accessible",
                "on-no-quorum",
                "peer-ack-delay",
                "peer-ack-window",
                "quorum",
                "twopc-retry-timeout",
                "twopc-timeout",
            ],
        }
    }
}

/// Every section an object accepts.
pub const ALL: &[Section] = &[
    Section::Resource,
    Section::Disk,
    Section::Net,
    Section::PeerDevice,
];

/// The help text listing the options of `sections`.
pub fn help(sections: &[Section]) -> String {
    let mut out =
        String::from("DRBD options: --<option> <value> sets, --unset-<option> deletes.\n");
    for s in sections {
        out.push_str(&format!(
            "\n{}:\n  {}\n",
            s.prefix(),
            s.options().join(", ")
        ));
    }
    out
}

/// The global options, which must come before the command when DRBD options follow.
pub const GLOBAL_FLAGS: &[&str] = &[
    "-m",
    "--machine-readable",
    "--no-color",
    "--no-utf8",
    "--timeout",
    "--controllers",
    "--disable-config",
    "--warn-as-error",
];

/// Properties to set and keys to delete.
pub type Changes = (Vec<(String, String)>, Vec<String>);

/// Parses `--opt value` / `--opt=value` / `--unset-opt` arguments for `sections`.
///
/// # Errors
///
/// An unknown option, a missing value, or no option at all.
pub fn parse(args: &[String], sections: &[Section]) -> Result<Changes> {
    let find = |name: &str| -> Result<String> {
        sections
            .iter()
            .find(|s| s.options().contains(&name))
            .map(|s| format!("{}/{name}", s.prefix()))
            .ok_or_else(|| anyhow::anyhow!("unknown DRBD option '--{name}'"))
    };
    let mut set = Vec::new();
    let mut unset = Vec::new();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        if GLOBAL_FLAGS.contains(&arg.as_str()) {
            bail!("'{arg}' is a global option: give it before the command");
        }
        let Some(opt) = arg.strip_prefix("--") else {
            bail!("unexpected argument '{arg}' (DRBD options start with --)");
        };
        if let Some(name) = opt.strip_prefix("unset-") {
            unset.push(find(name)?);
            continue;
        }
        let (name, value) = match opt.split_once('=') {
            Some((n, v)) => (n, v.to_owned()),
            None => match it.next() {
                Some(v) => (opt, v.clone()),
                None => bail!("option '--{opt}' needs a value"),
            },
        };
        set.push((find(name)?, value));
    }
    if set.is_empty() && unset.is_empty() {
        bail!("no DRBD option given (see --help)");
    }
    Ok((set, unset))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn set_unset_and_errors() {
        let (set, unset) = parse(
            &s(&[
                "--max-buffers",
                "8000",
                "--unset-protocol",
                "--quorum=majority",
            ]),
            ALL,
        )
        .unwrap();
        assert_eq!(
            set,
            [
                (
                    "DrbdOptions/Net/max-buffers".to_string(),
                    "8000".to_string()
                ),
                (
                    "DrbdOptions/Resource/quorum".to_string(),
                    "majority".to_string()
                )
            ]
        );
        assert_eq!(unset, ["DrbdOptions/Net/protocol"]);
        assert!(parse(&s(&["--max-buffers"]), ALL).is_err());
        assert!(parse(&s(&["--protocol", "C"]), &[Section::Disk]).is_err());
        assert!(parse(&[], ALL).is_err());
        let global = parse(&s(&["--protocol", "C", "--no-utf8"]), ALL).unwrap_err();
        assert!(global.to_string().contains("global option"), "{global}");
    }
}
