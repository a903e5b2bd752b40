//! `encryption` (enter/create/modify passphrase), `error-reports` (list, show),
//! `create-watch`, and the additions `key-value-store` (list, set, delete with namespaces,
//! as the high-level `Kv`) and `events` (a readable live stream until Ctrl-C).

use std::io::{BufRead, IsTerminal, Read, Write};
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use linstor_client::highlevel::Kv;
use linstor_client::requests::ObjectIdentifier;
use linstor_client::{Event, EventAction};
use linstor_proto::messages::{
    MsgCrtCryptPassphrase, MsgEnterCryptPassphrase, MsgErrorReport, MsgModCryptPassphrase,
    MsgReqErrorReport,
};
use serde_json::json;

use crate::ctx::Ctx;
use crate::exit;
use crate::table::{Column, Table, col};

/// The columns of `error-reports list`.
pub const ERROR_COLUMNS: &[Column] = &[col("Nr."), col("Id"), col("Datetime"), col("Node")];

/// `encryption` subcommands (named as in 0.7.3).
#[derive(Debug, Subcommand)]
#[allow(clippy::enum_variant_names)]
pub enum EncryptionCmd {
    /// Enters the passphrase of the master key
    #[command(visible_alias = "enter")]
    EnterPassphrase {
        /// The passphrase (prompted for without it)
        #[arg(short, long)]
        passphrase: Option<String>,
    },
    /// Creates the master key passphrase
    #[command(visible_alias = "create")]
    CreatePassphrase {
        /// The passphrase (prompted for without it)
        #[arg(short, long)]
        passphrase: Option<String>,
    },
    /// Changes the master key passphrase
    #[command(visible_alias = "modify")]
    ModifyPassphrase {
        /// The current passphrase (prompted for without it)
        #[arg(long)]
        old_passphrase: Option<String>,
        /// The new passphrase (prompted for without it)
        #[arg(long)]
        new_passphrase: Option<String>,
    },
}

/// `error-reports` subcommands.
#[derive(Debug, Subcommand)]
pub enum ErrorReportCmd {
    /// Lists error reports
    #[command(visible_aliases = ["l", "ls"])]
    List {
        /// Generate pastable output
        #[arg(short, long)]
        pastable: bool,
        /// Only reports of these nodes
        #[arg(short, long, num_args = 1..)]
        nodes: Vec<String>,
        /// Only reports newer than this age: a number with d, h or m (e.g. 5d, 12h)
        #[arg(short, long, value_parser = parse_age)]
        since: Option<u64>,
        /// Only reports older than this age: a number with d, h or m
        #[arg(short, long, value_parser = parse_age)]
        to: Option<u64>,
        /// Only these report ids (prefix match)
        #[arg(short = 'r', long = "report-id", num_args = 1..)]
        report_id: Vec<String>,
    },
    /// Prints an error report
    #[command(visible_alias = "s")]
    Show {
        /// The report id
        report_id: String,
    },
}

/// The object filter of `create-watch` and `events`.
#[derive(Debug, Args)]
pub struct WatchArgs {
    /// Only this node
    #[arg(long)]
    pub node: Option<String>,
    /// Only this resource
    #[arg(long)]
    pub resource: Option<String>,
    /// Only this volume (needs --resource)
    #[arg(long, requires = "resource")]
    pub volume: Option<i32>,
    /// Only this snapshot
    #[arg(long)]
    pub snapshot: Option<String>,
    /// Only these event kinds
    #[arg(long, value_enum)]
    pub only: Option<EventKind>,
    /// Stop after this many events
    #[arg(long)]
    pub count: Option<u64>,
}

/// Event kinds for `--only`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum EventKind {
    /// Resource state events
    Resource,
    /// Volume disk state events
    Disk,
}

/// `key-value-store` subcommands.
#[derive(Debug, Subcommand)]
pub enum KvCmd {
    /// Lists the keys of a store instance in a namespace
    #[command(visible_aliases = ["l", "ls"])]
    List {
        /// Generate pastable output
        #[arg(short, long)]
        pastable: bool,
        /// Namespace (keys are shown relative to it)
        #[arg(long, default_value = "/")]
        namespace: String,
        /// Store instance
        instance: String,
    },
    /// Sets a key
    #[command(visible_alias = "s")]
    Set {
        /// Namespace of the key
        #[arg(long, default_value = "/")]
        namespace: String,
        /// Store instance
        instance: String,
        /// Key (relative to the namespace)
        key: String,
        /// Value
        value: String,
    },
    /// Deletes a key
    #[command(visible_alias = "d")]
    Delete {
        /// Namespace of the key
        #[arg(long, default_value = "/")]
        namespace: String,
        /// Store instance
        instance: String,
        /// Key (relative to the namespace)
        key: String,
    },
}

/// `5d`, `12h`, `30m` → milliseconds.
fn parse_age(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let (num, unit) = t.split_at(t.len().saturating_sub(1));
    let factor: u64 = match unit {
        "d" => 86_400_000,
        "h" => 3_600_000,
        "m" => 60_000,
        _ => return Err(format!("'{text}': use a number with d, h or m")),
    };
    num.parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(factor))
        .ok_or_else(|| format!("'{text}': use a number with d, h or m"))
}

/// Milliseconds since the epoch as `YYYY-MM-DD HH:MM:SS` (UTC).
pub fn format_time(ms: u64) -> String {
    let secs = ms / 1000;
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    let rem = secs % 86_400;
    // Civil from days (H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

fn report_id(r: &MsgErrorReport) -> &str {
    r.filename
        .strip_prefix("ErrorReport-")
        .unwrap_or(&r.filename)
        .strip_suffix(".log")
        .unwrap_or(&r.filename)
}

/// The longest passphrase read from standard input.
const MAX_PASSPHRASE: u64 = 4096;

/// A passphrase: prompted without echo on a terminal (as 0.7.3's `getpass`), else one line
/// of standard input.
fn read_secret(prompt: &str) -> Result<String> {
    if std::io::stdin().is_terminal() {
        return rpassword::prompt_password(format!("{prompt}: ")).context("reading the passphrase");
    }
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .take(MAX_PASSPHRASE + 2)
        .read_line(&mut line)
        .context("reading the passphrase")?;
    let passphrase = line.trim_end_matches(['\r', '\n']);
    if passphrase.len() as u64 > MAX_PASSPHRASE {
        return Err(exit::usage(format!(
            "the passphrase is longer than {MAX_PASSPHRASE} bytes"
        )));
    }
    Ok(passphrase.to_owned())
}

/// Runs an `encryption` subcommand.
pub async fn run_crypt(ctx: &Ctx, cmd: EncryptionCmd) -> Result<i32> {
    let c = &ctx.client;
    let answers = match cmd {
        EncryptionCmd::EnterPassphrase { passphrase } => {
            let passphrase = match passphrase {
                Some(p) => p,
                None => read_secret("Passphrase")?,
            };
            c.crypt_enter_passphrase(MsgEnterCryptPassphrase { passphrase })
                .await?
        }
        EncryptionCmd::CreatePassphrase { passphrase } => {
            let passphrase = match passphrase {
                Some(p) => p,
                None => read_secret("Passphrase")?,
            };
            c.crypt_create_passphrase(MsgCrtCryptPassphrase { passphrase })
                .await?
        }
        EncryptionCmd::ModifyPassphrase {
            old_passphrase,
            new_passphrase,
        } => {
            let old_passphrase = match old_passphrase {
                Some(p) => p,
                None => read_secret("Old passphrase")?,
            };
            let new_passphrase = match new_passphrase {
                Some(p) => p,
                None => read_secret("New passphrase")?,
            };
            c.crypt_modify_passphrase(MsgModCryptPassphrase {
                old_passphrase,
                new_passphrase,
            })
            .await?
        }
    };
    ctx.replies(&answers)
}

/// Runs an `error-reports` subcommand.
pub async fn run_errors(ctx: &Ctx, cmd: ErrorReportCmd) -> Result<i32> {
    let c = &ctx.client;
    let now = u64::try_from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis())
            .unwrap_or(0),
    )
    .unwrap_or(u64::MAX);
    match cmd {
        ErrorReportCmd::List {
            pastable,
            nodes,
            since,
            to,
            report_id: ids,
        } => {
            let body = MsgReqErrorReport {
                node_names: nodes,
                with_content: Some(false),
                since: since.map(|age| now.saturating_sub(age)),
                to: to.map(|age| now.saturating_sub(age)),
                ids,
            };
            let answers = c.error_report_list(body).await?;
            if ctx.json() || answers.replies().next().is_some() {
                return ctx.replies(&answers);
            }
            let mut reports = answers.all::<MsgErrorReport>();
            reports.sort_by_key(|r| r.error_time);
            let mut table = Table::new(ERROR_COLUMNS);
            for (i, r) in reports.iter().enumerate() {
                table.row(vec![
                    (i + 1).to_string().into(),
                    report_id(r).to_owned().into(),
                    format_time(r.error_time).into(),
                    r.node_names.clone().into(),
                ]);
            }
            ctx.show(&table, pastable);
            Ok(exit::OK)
        }
        ErrorReportCmd::Show { report_id: id } => {
            let body = MsgReqErrorReport {
                with_content: Some(true),
                ids: vec![id.clone()],
                ..Default::default()
            };
            let answers = c.error_report_list(body).await?;
            if ctx.json() || answers.replies().next().is_some() {
                return ctx.replies(&answers);
            }
            let reports = answers.all::<MsgErrorReport>();
            if reports.is_empty() {
                eprintln!("Error: error report '{id}' not found.");
                return Ok(exit::OBJECT_NOT_FOUND);
            }
            for r in reports {
                say!("{}", r.text.as_deref().unwrap_or(""));
            }
            Ok(exit::OK)
        }
    }
}

fn object(a: &WatchArgs) -> ObjectIdentifier {
    ObjectIdentifier {
        node_name: a.node.clone(),
        resource_name: a.resource.clone(),
        volume_number: a.volume,
        snapshot_name: a.snapshot.clone(),
    }
}

/// One event as 0.7.3's `create-watch` line: kind, action, object, data.
pub fn watch_line(e: &Event) -> String {
    let mut obj = Vec::new();
    if let Some(n) = &e.node_name {
        obj.push(format!("node={n}"));
    }
    if let Some(r) = &e.resource_name {
        obj.push(format!("resource={r}"));
    }
    if let Some(v) = e.volume_number {
        obj.push(format!("volume={v}"));
    }
    if let Some(s) = &e.snapshot_name {
        obj.push(format!("snapshot={s}"));
    }
    let (action, data) = match &e.action {
        EventAction::ResourceState(s) => (
            "Value",
            format!(
                " ready={} in_use={} up_to_date={}",
                opt(s.ready),
                opt(s.in_use),
                opt(s.up_to_date)
            ),
        ),
        EventAction::VolumeDiskState(d) => (
            "Value",
            format!(" disk_state={}", d.disk_state.as_deref().unwrap_or("")),
        ),
        EventAction::Value => ("Value", String::new()),
        EventAction::CloseRemoved => ("CloseRemoved", String::new()),
        EventAction::CloseNoConnection => ("CloseNoConnection", String::new()),
    };
    format!("{} {action} {}{data}", e.event_name, obj.join(" "))
}

fn opt(b: Option<bool>) -> &'static str {
    match b {
        Some(true) => "true",
        Some(false) => "false",
        None => "-",
    }
}

/// One event as a readable `events` line.
pub fn event_line(e: &Event) -> String {
    let target = match (&e.node_name, &e.resource_name, e.volume_number) {
        (Some(n), Some(r), Some(v)) => format!("{r}/{v} on {n}"),
        (Some(n), Some(r), None) => format!("{r} on {n}"),
        (None, Some(r), _) => r.clone(),
        (Some(n), None, _) => n.clone(),
        (None, None, _) => String::from("-"),
    };
    let what = match &e.action {
        EventAction::ResourceState(s) => {
            let mut parts = Vec::new();
            if s.ready == Some(true) {
                parts.push("ready");
            } else if s.ready == Some(false) {
                parts.push("not ready");
            }
            if s.in_use == Some(true) {
                parts.push("in use");
            }
            if s.up_to_date == Some(true) {
                parts.push("up to date");
            }
            format!("resource: {}", parts.join(", "))
        }
        EventAction::VolumeDiskState(d) => {
            format!("disk: {}", d.disk_state.as_deref().unwrap_or("?"))
        }
        EventAction::Value => "value".to_owned(),
        EventAction::CloseRemoved => "removed".to_owned(),
        EventAction::CloseNoConnection => "satellite connection lost".to_owned(),
    };
    format!("{target:<24} {what}")
}

fn wanted(a: &WatchArgs, e: &Event) -> bool {
    match a.only {
        Some(EventKind::Resource) => e.event_name == linstor_proto::consts::events::RESOURCE_STATE,
        Some(EventKind::Disk) => e.event_name == linstor_proto::consts::events::VOLUME_DISK_STATE,
        None => true,
    }
}

fn event_json(e: &Event) -> serde_json::Value {
    let data = match &e.action {
        EventAction::ResourceState(s) => {
            json!({"ready": s.ready, "in_use": s.in_use, "up_to_date": s.up_to_date})
        }
        EventAction::VolumeDiskState(d) => json!({"disk_state": d.disk_state}),
        _ => serde_json::Value::Null,
    };
    let action = match e.action {
        EventAction::CloseRemoved => "CloseRemoved",
        EventAction::CloseNoConnection => "CloseNoConnection",
        _ => "Value",
    };
    json!({
        "watch_id": e.watch_id, "event_name": e.event_name, "event_action": action,
        "node_name": e.node_name, "resource_name": e.resource_name,
        "volume_number": e.volume_number, "snapshot_name": e.snapshot_name, "data": data,
    })
}

async fn follow(ctx: &Ctx, a: WatchArgs, readable: bool) -> Result<i32> {
    let mut watch = ctx.client.watch(object(&a)).await?;
    let rc = if ctx.json() {
        crate::output::exit_code(watch.reply().replies(), false)
    } else {
        ctx.replies(watch.reply())?
    };
    if rc != exit::OK {
        return Ok(rc);
    }
    if std::io::stderr().is_terminal() && !ctx.json() {
        eprintln!("Watching events; press Ctrl-C to stop.");
    }
    let mut seen = 0u64;
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    loop {
        if a.count.is_some_and(|n| seen >= n) {
            return Ok(exit::OK);
        }
        tokio::select! {
            _ = &mut ctrl_c => return Ok(exit::OK),
            item = watch.next_event() => match item {
                None => return Ok(exit::OK),
                Some(Err(e)) => {
                    eprintln!("Error: {e}");
                    return Ok(exit::of(&e));
                }
                Some(Ok(e)) => {
                    if !wanted(&a, &e) {
                        continue;
                    }
                    seen += 1;
                    if ctx.json() {
                        say!("{}", event_json(&e));
                    } else if readable {
                        let now = SystemTime::now()
                            .duration_since(UNIX_EPOCH)
                            .map(|d| u64::try_from(d.as_millis()).unwrap_or(0))
                            .unwrap_or(0);
                        let time = format_time(now);
                        say!("{} {}", &time[11..], event_line(&e));
                    } else {
                        say!("{}", watch_line(&e));
                    }
                    std::io::stdout().flush()?;
                }
            }
        }
    }
}

/// `create-watch`: the watch's reply, then one line per event until the watch ends,
/// `--count` events were printed, or Ctrl-C.
pub async fn create_watch(ctx: &Ctx, a: WatchArgs) -> Result<i32> {
    follow(ctx, a, false).await
}

/// `events`: a readable line per event (time, object, state) until Ctrl-C.
pub async fn events(ctx: &Ctx, a: WatchArgs) -> Result<i32> {
    follow(ctx, a, true).await
}

/// Runs a `key-value-store` subcommand.
pub async fn run_kv(ctx: &Ctx, cmd: KvCmd) -> Result<i32> {
    let c = &ctx.client;
    let done = |r: Result<(), linstor_client::ClientError>| -> Result<i32> {
        ctx.listed(r)?;
        if !ctx.json() {
            say!("SUCCESS:\nDescription:\n    Key/value store modified.");
        } else {
            crate::json::print_value(&json!([]))?;
        }
        Ok(exit::OK)
    };
    match cmd {
        KvCmd::List {
            pastable,
            namespace,
            instance,
        } => {
            let kv = ctx.listed(Kv::open(c, &instance, &namespace).await)?;
            let items = kv.items();
            if ctx.json() {
                let list: Vec<_> = items
                    .iter()
                    .map(|(k, v)| json!({"key": k, "value": v}))
                    .collect();
                crate::json::print_value(&json!([list]))?;
                return Ok(exit::OK);
            }
            let mut table = Table::new(&[col("Key"), col("Value")]);
            for (k, v) in items {
                table.row(vec![k.into(), v.into()]);
            }
            ctx.show(&table, pastable);
            Ok(exit::OK)
        }
        KvCmd::Set {
            namespace,
            instance,
            key,
            value,
        } => {
            let mut kv = ctx.listed(Kv::open(c, &instance, &namespace).await)?;
            done(kv.set(&key, &value).await)
        }
        KvCmd::Delete {
            namespace,
            instance,
            key,
        } => {
            let mut kv = ctx.listed(Kv::open(c, &instance, &namespace).await)?;
            if !kv.contains(&key) {
                eprintln!(
                    "Error: key '{key}' not found in '{instance}' at namespace '{}'.",
                    kv.namespace()
                );
                return Ok(exit::OBJECT_NOT_FOUND);
            }
            done(kv.delete(&key).await)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_and_times() {
        assert_eq!(parse_age("2d"), Ok(2 * 86_400_000));
        assert_eq!(parse_age("90m"), Ok(90 * 60_000));
        assert!(parse_age("5x").is_err());
        assert!(parse_age("").is_err());
        assert_eq!(format_time(0), "1970-01-01 00:00:00");
        assert_eq!(format_time(1_548_167_462_000), "2019-01-22 14:31:02");
    }
}
