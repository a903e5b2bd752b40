//! The property whitelist (`docs/controller-rules.md#property-whitelist`): which keys each object
//! accepts, the value rules, normalisation of stored values, key path clean-up, and the
//! error entries for refused properties.

use std::sync::LazyLock;

use linstor_proto::ReturnCode as RC;
use linstor_proto::messages::LinStorMapEntry;
use regex::{Regex, RegexBuilder};

use super::reply::{Ctx, Problem};
use super::state::Props;

/// The object whose rule set applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RuleSet {
    Controller,
    Node,
    StorPoolDfn,
    StorPool,
    RscDfn,
    VlmDfn,
    Rsc,
    RscConn,
    DrbdProxy,
    DrbdProxyZlib,
    DrbdProxyLzma,
    /// Only `Aux/` (volumes, node and volume connections, lz4 compression).
    AuxOnly,
}

/// A value rule of the whitelist (`docs/controller-rules.md#property-whitelist`).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Rule {
    Pattern(Pattern),
    Int(i64, i64),
    IntOr(i64, i64, &'static [&'static str]),
    YesNo,
    TrueFalse,
    OneOf(&'static [&'static str]),
    Any,
}

/// The regular expressions the whitelist uses.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Pattern {
    /// `[0-9]+-[0-9]+`
    Range,
    /// `^[a-zA-Z0-9_][a-zA-Z0-9_-]{2,47}$`
    PoolName,
    /// `[a-zA-Z0-9_-]+`
    Ident,
    /// `[a-zA-Z0-9_/-]+`
    Path,
    /// `.*`
    Any,
    /// `[0-9]+`
    Digits,
}

impl Pattern {
    const ALL: [Pattern; 6] = [
        Pattern::Range,
        Pattern::PoolName,
        Pattern::Ident,
        Pattern::Path,
        Pattern::Any,
        Pattern::Digits,
    ];

    fn text(self) -> &'static str {
        match self {
            Pattern::Range => "[0-9]+-[0-9]+",
            Pattern::PoolName => "^[a-zA-Z0-9_][a-zA-Z0-9_-]{2,47}$",
            Pattern::Ident => "[a-zA-Z0-9_-]+",
            Pattern::Path => "[a-zA-Z0-9_/-]+",
            Pattern::Any => ".*",
            Pattern::Digits => "[0-9]+",
        }
    }

    /// Whether the whole value matches (the controller's `matches()`: implicitly anchored,
    /// case-sensitive; `.` matches no line break, `\r` included).
    fn matches(self, v: &str) -> bool {
        static COMPILED: LazyLock<Vec<Regex>> = LazyLock::new(|| {
            Pattern::ALL
                .iter()
                .map(|p| {
                    RegexBuilder::new(&format!("^(?:{})$", p.text()))
                        .crlf(true)
                        .build()
                        .expect("whitelist patterns are valid")
                })
                .collect()
        });
        COMPILED[self as usize].is_match(v)
    }
}

fn parse_int(v: &str) -> Option<i64> {
    let digits = v.strip_prefix(['+', '-']).unwrap_or(v);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    v.parse::<i64>().ok()
}

impl Rule {
    /// The normalised value to store, or `None` when the value breaks the rule.
    fn check(self, v: &str) -> Option<String> {
        let ok = match self {
            Rule::Pattern(p) => p.matches(v),
            Rule::Int(a, b) => parse_int(v).is_some_and(|n| (a..=b).contains(&n)),
            Rule::IntOr(a, b, words) => match parse_int(v) {
                Some(n) => (a..=b).contains(&n),
                None => words.contains(&v),
            },
            Rule::YesNo => {
                return (v.eq_ignore_ascii_case("yes") || v.eq_ignore_ascii_case("no"))
                    .then(|| v.to_ascii_lowercase());
            }
            Rule::TrueFalse => {
                return if v.eq_ignore_ascii_case("true") || v.eq_ignore_ascii_case("yes") {
                    Some("true".into())
                } else if v.eq_ignore_ascii_case("false") || v.eq_ignore_ascii_case("no") {
                    Some("false".into())
                } else {
                    None
                };
            }
            Rule::OneOf(words) => words.contains(&v),
            Rule::Any => true,
        };
        ok.then(|| v.to_owned())
    }

    /// The rule text shown in error details.
    pub(crate) fn text(self) -> String {
        fn words(w: &[&str]) -> String {
            let mut w = w.to_vec();
            w.sort_unstable();
            format!("(?:{})", w.join("|"))
        }
        match self {
            Rule::Pattern(p) => p.text().to_owned(),
            Rule::Int(a, b) => format!("({a}-{b})"),
            Rule::IntOr(a, b, w) => format!("({a}-{b}) or {}", words(w)),
            Rule::YesNo => "(?i)(?:yes|no)".to_owned(),
            Rule::TrueFalse => "(?i)(?:true|false|yes|no)".to_owned(),
            Rule::OneOf(w) => words(w),
            Rule::Any => ".*".to_owned(),
        }
    }
}

/// Why a property was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PropError {
    /// Not in the rule set.
    UnknownKey { key: String },
    /// Known key, value breaks the rule.
    BadValue {
        key: String,
        value: String,
        rule: String,
    },
    /// An `Aux/` key longer than 256 characters.
    KeyTooLong { key: String },
}

const MAX_KEY_LEN: usize = 256;

impl RuleSet {
    fn tables(self) -> &'static [&'static [(&'static str, Rule)]] {
        match self {
            RuleSet::Controller => &[CTRL, DRBD_DISK, DRBD_NET, DRBD_PEERDEVICE, DRBD_RESOURCE],
            RuleSet::Node => &[NODE],
            RuleSet::StorPoolDfn => &[SPD],
            RuleSet::StorPool => &[SP],
            RuleSet::RscDfn => &[RD, DRBD_DISK, DRBD_NET, DRBD_PEERDEVICE, DRBD_RESOURCE],
            RuleSet::VlmDfn => &[VD, DRBD_DISK],
            RuleSet::Rsc => &[RSC],
            RuleSet::RscConn => &[DRBD_NET, DRBD_PEERDEVICE],
            RuleSet::DrbdProxy => &[DRBD_PROXY],
            RuleSet::DrbdProxyZlib => &[DRBD_PROXY_ZLIB],
            RuleSet::DrbdProxyLzma => &[DRBD_PROXY_LZMA],
            RuleSet::AuxOnly => &[],
        }
    }

    /// The rule of `key` in this set, if any.
    pub(crate) fn rule(self, key: &str) -> Option<Rule> {
        self.tables()
            .iter()
            .flat_map(|t| t.iter())
            .find(|(k, _)| *k == key)
            .map(|(_, r)| *r)
    }

    /// Checks one key/value pair; returns the cleaned key and normalised value to store.
    pub(crate) fn check(self, key: &str, value: &str) -> Result<(String, String), PropError> {
        if key.starts_with("Aux/") {
            if key.len() > MAX_KEY_LEN {
                return Err(PropError::KeyTooLong {
                    key: key.to_owned(),
                });
            }
            return Ok((clean_key(key), value.to_owned()));
        }
        let rule = self.rule(key).ok_or_else(|| PropError::UnknownKey {
            key: key.to_owned(),
        })?;
        let stored = rule.check(value).ok_or_else(|| PropError::BadValue {
            key: key.to_owned(),
            value: value.to_owned(),
            rule: rule.text(),
        })?;
        Ok((clean_key(key), stored))
    }

    /// Checks every pair in request order; all or nothing.
    pub(crate) fn check_all<'a>(
        self,
        props: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Vec<(String, String)>, PropError> {
        props.into_iter().map(|(k, v)| self.check(k, v)).collect()
    }
}

/// Drops empty path segments (`a//b/` → `a/b`) and a leading `/`.
pub(crate) fn clean_key(key: &str) -> String {
    key.split('/')
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("/")
}

const CTRL: &[(&str, Rule)] = &[
    ("TcpPortAutoRange", Rule::Pattern(Pattern::Range)),
    ("MinorNrAutoRange", Rule::Pattern(Pattern::Range)),
    ("PeerSlotsNewResource", Rule::Int(1, 31)),
    ("GlobSeqApiCalls", Rule::TrueFalse),
    ("StorDriver/DMStats", Rule::TrueFalse),
    ("StorDriver/SwordfishUrl", Rule::Pattern(Pattern::Any)),
    ("StorDriver/SwordfishUserName", Rule::Pattern(Pattern::Any)),
    ("StorDriver/SwordfishUserPw", Rule::Pattern(Pattern::Any)),
    (
        "StorDriver/SwordfishRetryCount",
        Rule::Pattern(Pattern::Digits),
    ),
    (
        "StorDriver/SwordfishRetryDelay",
        Rule::Pattern(Pattern::Digits),
    ),
];

const NODE: &[(&str, Rule)] = &[
    ("StorPoolName", Rule::Pattern(Pattern::PoolName)),
    ("StorDriver/SwordfishUrl", Rule::Pattern(Pattern::Any)),
    ("StorDriver/SwordfishUserName", Rule::Pattern(Pattern::Any)),
    ("StorDriver/SwordfishUserPw", Rule::Pattern(Pattern::Any)),
    (
        "StorDriver/SwordfishRetryCount",
        Rule::Pattern(Pattern::Digits),
    ),
    (
        "StorDriver/SwordfishRetryDelay",
        Rule::Pattern(Pattern::Digits),
    ),
    (
        "StorDriver/SwordfishComposedNodeName",
        Rule::Pattern(Pattern::Any),
    ),
    ("StorDriver/SwordfishStorSvc", Rule::Pattern(Pattern::Any)),
];

const SPD: &[(&str, Rule)] = &[("MaxOversubscriptionRatio", Rule::Int(1, 1000))];

const SP: &[(&str, Rule)] = &[
    ("PrefNic", Rule::Pattern(Pattern::PoolName)),
    ("StorDriver/LvmVg", Rule::Pattern(Pattern::Ident)),
    ("StorDriver/ThinPool", Rule::Pattern(Pattern::Ident)),
    ("StorDriver/ZPool", Rule::Pattern(Pattern::Path)),
    ("StorDriver/ZPoolThin", Rule::Pattern(Pattern::Path)),
    (
        "StorDriver/SwordfishRetryCount",
        Rule::Pattern(Pattern::Digits),
    ),
    (
        "StorDriver/SwordfishRetryDelay",
        Rule::Pattern(Pattern::Digits),
    ),
    ("StorDriver/SwordfishStorPool", Rule::Pattern(Pattern::Any)),
    (
        "StorDriver/SwordfishVolumeCreateTimeout",
        Rule::Pattern(Pattern::Digits),
    ),
    (
        "StorDriver/SwordfishVolumeCreateRetries",
        Rule::Pattern(Pattern::Digits),
    ),
    (
        "StorDriver/SwordfishAttachVolumeTimeout",
        Rule::Pattern(Pattern::Digits),
    ),
    (
        "StorDriver/SwordfishAttachVolumeRetries",
        Rule::Pattern(Pattern::Digits),
    ),
    (
        "StorDriver/SwordfishGrepNvmeUuidTimeout",
        Rule::Pattern(Pattern::Digits),
    ),
    (
        "StorDriver/SwordfishGrepNvmeUuidRetries",
        Rule::Pattern(Pattern::Digits),
    ),
];

const RD: &[(&str, Rule)] = &[
    ("PeerSlotsNewResource", Rule::Int(1, 31)),
    ("StorPoolName", Rule::Pattern(Pattern::PoolName)),
    (
        "DrbdProxy/CompressionType",
        Rule::OneOf(&["lz4", "lzma", "zlib"]),
    ),
];

const VD: &[(&str, Rule)] = &[
    ("StorPoolName", Rule::Pattern(Pattern::PoolName)),
    ("OverrideVlmId", Rule::Pattern(Pattern::Any)),
    ("AllowLargerVolumeSize", Rule::TrueFalse),
];

const RSC: &[(&str, Rule)] = &[
    ("StorPoolName", Rule::Pattern(Pattern::PoolName)),
    ("PrefNic", Rule::Pattern(Pattern::PoolName)),
    ("PeerSlots", Rule::Int(1, 31)),
];

const DRBD_PROXY: &[(&str, Rule)] = &[
    (
        "DrbdOptions/Proxy/memlimit",
        Rule::Int(16777216, 9223372036854775807),
    ),
    ("DrbdOptions/Proxy/read-loops", Rule::Int(0, 2147483647)),
    ("DrbdOptions/Proxy/sndbuf-size", Rule::Int(0, 10485760)),
    ("DrbdOptions/Proxy/rcvbuf-size", Rule::Int(0, 10485760)),
    ("DrbdOptions/Proxy/ping-timeout", Rule::Int(1, 300)),
];

const DRBD_PROXY_ZLIB: &[(&str, Rule)] = &[("DrbdOptions/ProxyCompression/level", Rule::Int(1, 9))];

const DRBD_PROXY_LZMA: &[(&str, Rule)] = &[
    ("DrbdOptions/ProxyCompression/level", Rule::Int(1, 9)),
    (
        "DrbdOptions/ProxyCompression/dict-size",
        Rule::Int(4096, 1610612736),
    ),
    ("DrbdOptions/ProxyCompression/lc", Rule::Int(0, 4)),
    ("DrbdOptions/ProxyCompression/lp", Rule::Int(0, 4)),
    ("DrbdOptions/ProxyCompression/pb", Rule::Int(0, 4)),
    ("DrbdOptions/ProxyCompression/nice-len", Rule::Int(0, 273)),
    (
        "DrbdOptions/ProxyCompression/mf",
        Rule::OneOf(&["bt2", "bt3", "bt4", "hc3", "hc4"]),
    ),
    (
        "DrbdOptions/ProxyCompression/mode",
        Rule::OneOf(&["fast", "normal"]),
    ),
    ("DrbdOptions/ProxyCompression/depth", Rule::Int(0, 1000)),
    ("DrbdOptions/ProxyCompression/contexts", Rule::Int(1, 253)),
    (
        "DrbdOptions/ProxyCompression/fallback-to-zlib",
        Rule::OneOf(&["off", "on"]),
    ),
    (
        "DrbdOptions/ProxyCompression/numa-threshold",
        Rule::Int(0, 253),
    ),
];

const DRBD_DISK: &[(&str, Rule)] = &[
    ("DrbdOptions/Disk/al-extents", Rule::Int(67, 65534)),
    ("DrbdOptions/Disk/al-updates", Rule::YesNo),
    ("DrbdOptions/Disk/disable-write-same", Rule::YesNo),
    ("DrbdOptions/Disk/discard-zeroes-if-aligned", Rule::YesNo),
    ("DrbdOptions/Disk/disk-barrier", Rule::YesNo),
    ("DrbdOptions/Disk/disk-drain", Rule::YesNo),
    ("DrbdOptions/Disk/disk-flushes", Rule::YesNo),
    ("DrbdOptions/Disk/disk-timeout", Rule::Int(0, 6000)),
    ("DrbdOptions/Disk/md-flushes", Rule::YesNo),
    (
        "DrbdOptions/Disk/on-io-error",
        Rule::OneOf(&["pass_on", "call-local-io-error", "detach"]),
    ),
    (
        "DrbdOptions/Disk/read-balancing",
        Rule::OneOf(&[
            "prefer-local",
            "prefer-remote",
            "round-robin",
            "least-pending",
            "when-congested-remote",
            "32K-striping",
            "64K-striping",
            "128K-striping",
            "256K-striping",
            "512K-striping",
            "1M-striping",
        ]),
    ),
    ("DrbdOptions/Disk/resync-after", Rule::Any),
    (
        "DrbdOptions/Disk/rs-discard-granularity",
        Rule::Int(0, 1048576),
    ),
];

const DRBD_NET: &[(&str, Rule)] = &[
    (
        "DrbdOptions/Net/after-sb-0pri",
        Rule::OneOf(&[
            "disconnect",
            "discard-younger-primary",
            "discard-older-primary",
            "discard-zero-changes",
            "discard-least-changes",
            "discard-local",
            "discard-remote",
        ]),
    ),
    (
        "DrbdOptions/Net/after-sb-1pri",
        Rule::OneOf(&[
            "disconnect",
            "consensus",
            "discard-secondary",
            "call-pri-lost-after-sb",
            "violently-as0p",
        ]),
    ),
    (
        "DrbdOptions/Net/after-sb-2pri",
        Rule::OneOf(&["disconnect", "call-pri-lost-after-sb", "violently-as0p"]),
    ),
    ("DrbdOptions/Net/allow-two-primaries", Rule::YesNo),
    ("DrbdOptions/Net/always-asbp", Rule::YesNo),
    ("DrbdOptions/Net/congestion-extents", Rule::Int(67, 65534)),
    ("DrbdOptions/Net/congestion-fill", Rule::Int(0, 20971520)),
    ("DrbdOptions/Net/connect-int", Rule::Int(1, 120)),
    ("DrbdOptions/Net/cram-hmac-alg", Rule::Any),
    ("DrbdOptions/Net/csums-after-crash-only", Rule::YesNo),
    ("DrbdOptions/Net/csums-alg", Rule::Any),
    ("DrbdOptions/Net/data-integrity-alg", Rule::Any),
    (
        "DrbdOptions/Net/fencing",
        Rule::OneOf(&["dont-care", "resource-only", "resource-and-stonith"]),
    ),
    ("DrbdOptions/Net/ko-count", Rule::Int(0, 200)),
    ("DrbdOptions/Net/max-buffers", Rule::Int(32, 131072)),
    ("DrbdOptions/Net/max-epoch-size", Rule::Int(1, 20000)),
    (
        "DrbdOptions/Net/on-congestion",
        Rule::OneOf(&["block", "pull-ahead", "disconnect"]),
    ),
    ("DrbdOptions/Net/ping-int", Rule::Int(1, 120)),
    ("DrbdOptions/Net/ping-timeout", Rule::Int(1, 300)),
    ("DrbdOptions/Net/protocol", Rule::OneOf(&["A", "B", "C"])),
    ("DrbdOptions/Net/rcvbuf-size", Rule::Int(0, 10485760)),
    (
        "DrbdOptions/Net/rr-conflict",
        Rule::OneOf(&["disconnect", "call-pri-lost", "violently"]),
    ),
    ("DrbdOptions/Net/shared-secret", Rule::Any),
    ("DrbdOptions/Net/sndbuf-size", Rule::Int(0, 10485760)),
    ("DrbdOptions/Net/socket-check-timeout", Rule::Int(0, 300)),
    ("DrbdOptions/Net/tcp-cork", Rule::YesNo),
    ("DrbdOptions/Net/timeout", Rule::Int(1, 600)),
    ("DrbdOptions/Net/transport", Rule::Any),
    ("DrbdOptions/Net/use-rle", Rule::YesNo),
    ("DrbdOptions/Net/verify-alg", Rule::Any),
];

const DRBD_PEERDEVICE: &[(&str, Rule)] = &[
    ("DrbdOptions/PeerDevice/bitmap", Rule::YesNo),
    ("DrbdOptions/PeerDevice/c-delay-target", Rule::Int(1, 100)),
    (
        "DrbdOptions/PeerDevice/c-fill-target",
        Rule::Int(0, 1048576),
    ),
    ("DrbdOptions/PeerDevice/c-max-rate", Rule::Int(250, 4194304)),
    ("DrbdOptions/PeerDevice/c-min-rate", Rule::Int(0, 4194304)),
    ("DrbdOptions/PeerDevice/c-plan-ahead", Rule::Int(0, 300)),
    ("DrbdOptions/PeerDevice/resync-rate", Rule::Int(1, 4194304)),
];

const DRBD_RESOURCE: &[(&str, Rule)] = &[
    ("DrbdOptions/Resource/auto-promote", Rule::YesNo),
    (
        "DrbdOptions/Resource/auto-promote-timeout",
        Rule::Int(0, 600),
    ),
    ("DrbdOptions/Resource/cpu-mask", Rule::Any),
    (
        "DrbdOptions/Resource/max-io-depth",
        Rule::Int(4, 4294967295),
    ),
    (
        "DrbdOptions/Resource/on-no-data-accessible",
        Rule::OneOf(&["io-error", "suspend-io"]),
    ),
    (
        "DrbdOptions/Resource/on-no-quorum",
        Rule::OneOf(&["io-error", "suspend-io"]),
    ),
    ("DrbdOptions/Resource/peer-ack-delay", Rule::Int(1, 10000)),
    (
        "DrbdOptions/Resource/peer-ack-window",
        Rule::Int(2048, 204800),
    ),
    (
        "DrbdOptions/Resource/quorum",
        Rule::IntOr(1, 32, &["off", "majority", "all"]),
    ),
    ("DrbdOptions/Resource/twopc-retry-timeout", Rule::Int(1, 50)),
    ("DrbdOptions/Resource/twopc-timeout", Rule::Int(50, 600)),
];

impl PropError {
    /// The controller's error entry for a refused property (logged).
    pub(crate) fn problem(self, ctx: &Ctx) -> Problem {
        match self {
            PropError::UnknownKey { key } => ctx
                .problem(RC::FAIL_INVLD_PROP, "Invalid property key")
                .cause(format!("The key '{key}' is not whitelisted.")),
            PropError::BadValue { key, value, rule } => ctx
                .problem(RC::FAIL_INVLD_PROP, "Invalid property value")
                .cause(format!(
                    "The value '{value}' is not valid for the key '{key}'"
                ))
                .details(format!("The value must match '{rule}'")),
            PropError::KeyTooLong { key } => ctx
                .problem(RC::FAIL_INVLD_PROP, "Invalid key.")
                .cause(format!("The key '{key}' is invalid.")),
        }
    }
}

/// Checks `overrides` against `rules`, then sets them and removes `deletes` (never
/// checked; absent keys ignored): all or nothing.
pub(crate) fn modify_props(
    ctx: &Ctx,
    rules: RuleSet,
    props: &mut Props,
    overrides: &[LinStorMapEntry],
    deletes: &[String],
) -> Result<(), Problem> {
    let checked = rules
        .check_all(overrides.iter().map(|e| (e.key.as_str(), e.value.as_str())))
        .map_err(|e| e.problem(ctx))?;
    props.extend(checked);
    for k in deletes {
        props.remove(&clean_key(k));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_set_sizes_match_the_sheet() {
        let size = |s: RuleSet| s.tables().iter().map(|t| t.len()).sum::<usize>();
        assert_eq!(size(RuleSet::Controller), 71);
        assert_eq!(size(RuleSet::Node), 8);
        assert_eq!(size(RuleSet::StorPool), 14);
        assert_eq!(size(RuleSet::RscDfn), 64);
        assert_eq!(size(RuleSet::VlmDfn), 16);
        assert_eq!(size(RuleSet::Rsc), 3);
        assert_eq!(size(RuleSet::RscConn), 37);
        assert_eq!(size(RuleSet::DrbdProxyLzma), 12);
    }

    #[test]
    fn keys_are_case_sensitive_and_aux_is_open() {
        assert!(RuleSet::Rsc.check("StorPoolName", "pool1").is_ok());
        assert_eq!(
            RuleSet::Rsc.check("storpoolname", "pool1"),
            Err(PropError::UnknownKey {
                key: "storpoolname".into()
            })
        );
        assert_eq!(
            RuleSet::Node.check("Aux//rack/", "7"),
            Ok(("Aux/rack".into(), "7".into()))
        );
        assert!(RuleSet::Node.check("aux/rack", "7").is_err());
        assert!(matches!(
            RuleSet::Node.check(&format!("Aux/{}", "x".repeat(260)), "v"),
            Err(PropError::KeyTooLong { .. })
        ));
    }

    #[test]
    fn patterns_match_whole_values() {
        assert!(Pattern::Range.matches("7000-7999"));
        assert!(!Pattern::Range.matches("1-2-3"));
        assert!(!Pattern::Range.matches("x7000-7999"));
        assert!(Pattern::PoolName.matches("abc") && !Pattern::PoolName.matches("ab"));
        assert!(Pattern::PoolName.matches(&"a".repeat(48)));
        assert!(!Pattern::PoolName.matches(&"a".repeat(49)));
        assert!(!Pattern::PoolName.matches("-abc"));
        assert!(Pattern::Path.matches("tank/zfs-1") && !Pattern::Ident.matches("tank/zfs"));
        assert!(Pattern::Any.matches("") && Pattern::Any.matches("any thing"));
        assert!(!Pattern::Any.matches("a\nb") && !Pattern::Any.matches("a\rb"));
        assert!(Pattern::Digits.matches("007") && !Pattern::Digits.matches(""));
        assert!(!Pattern::Digits.matches("１"), "ASCII digits only");
    }

    #[test]
    fn values_are_checked_and_normalised() {
        assert_eq!(
            RuleSet::RscDfn.check("DrbdOptions/Net/allow-two-primaries", "YES"),
            Ok(("DrbdOptions/Net/allow-two-primaries".into(), "yes".into()))
        );
        assert_eq!(
            RuleSet::Controller
                .check("GlobSeqApiCalls", "No")
                .map(|p| p.1),
            Ok("false".into())
        );
        let err = RuleSet::StorPoolDfn
            .check("MaxOversubscriptionRatio", "100M")
            .unwrap_err();
        assert_eq!(
            err,
            PropError::BadValue {
                key: "MaxOversubscriptionRatio".into(),
                value: "100M".into(),
                rule: "(1-1000)".into()
            }
        );
        assert!(
            RuleSet::RscDfn
                .check("DrbdOptions/Resource/quorum", "majority")
                .is_ok()
        );
        assert!(
            RuleSet::RscDfn
                .check("DrbdOptions/Resource/quorum", "007")
                .is_ok()
        );
        assert!(
            RuleSet::RscDfn
                .check("DrbdOptions/Resource/quorum", "33")
                .is_err()
        );
        assert!(RuleSet::Rsc.check("DrbdOptions/Net/protocol", "C").is_err());
        assert!(
            RuleSet::Controller
                .check("TcpPortAutoRange", "7000-7999")
                .is_ok()
        );
        assert!(RuleSet::StorPool.check("StorDriver/LvmVg", "vg 1").is_err());
    }
}
