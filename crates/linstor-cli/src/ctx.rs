//! Global options, the configuration file, connecting (the controller list with
//! `LS_CONTROLLERS`, tried in order) and the context every command runs in: the client and
//! how to print (tables, colours, `-m`).

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Result;
use clap::Args;
use linstor_client::{Answers, Client, ClientConfig, ClientError, ControllerUri};

use crate::exit::{self, Exit};
use crate::table::{Style, Table};
use crate::{json, output};

/// The environment variable with a comma-separated controller list.
pub const LS_CONTROLLERS: &str = "LS_CONTROLLERS";

/// The options every command takes (0.7.3's global options).
#[derive(Debug, Clone, Args)]
pub struct Globals {
    /// Comma-separated controllers (host[:port] or URI); LS_CONTROLLERS is tried first
    #[arg(long, global = true, value_name = "CONTROLLERS")]
    pub controllers: Option<String>,
    /// Print the answers as JSON (protobuf field names, one array per command)
    #[arg(short = 'm', long, global = true)]
    pub machine_readable: bool,
    /// Do not use colours
    #[arg(long, global = true)]
    pub no_color: bool,
    /// Draw tables with ASCII characters only
    #[arg(long, global = true)]
    pub no_utf8: bool,
    /// Seconds to wait for a controller answer
    #[arg(long, global = true, value_name = "SECONDS", default_value_t = 300)]
    pub timeout: u64,
    /// Do not read linstor-client.conf
    #[arg(long, global = true)]
    pub disable_config: bool,
    /// Treat warnings as errors (exit code 10)
    #[arg(long, global = true)]
    pub warn_as_error: bool,
}

/// The `[global]` settings of `linstor-client.conf` that this command line reads.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct FileConfig {
    /// `controllers`.
    pub controllers: Option<String>,
    /// `no-utf8`.
    pub no_utf8: bool,
    /// `no-color`.
    pub no_color: bool,
}

impl FileConfig {
    /// Reads `~/.config/linstor/linstor-client.conf`, else `/etc/linstor/linstor-client.conf`
    /// (the first that exists); a file that does not parse is an error.
    pub fn load() -> Result<FileConfig> {
        let mut candidates = Vec::new();
        if let Some(home) = std::env::var_os("HOME") {
            candidates.push(PathBuf::from(home).join(".config/linstor/linstor-client.conf"));
        }
        candidates.push(PathBuf::from("/etc/linstor/linstor-client.conf"));
        for path in candidates {
            if path.is_file() {
                let ini = ini::Ini::load_from_file(&path)
                    .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
                return Ok(FileConfig::from_ini(&ini));
            }
        }
        Ok(FileConfig::default())
    }

    fn from_ini(ini: &ini::Ini) -> FileConfig {
        let Some(global) = ini.section(Some("global")) else {
            return FileConfig::default();
        };
        let flag = |key: &str| {
            global.get(key).is_some_and(|v| {
                v.is_empty() || matches!(v.to_ascii_lowercase().as_str(), "true" | "yes" | "1")
            })
        };
        FileConfig {
            controllers: global.get("controllers").map(str::to_owned),
            no_utf8: flag("no-utf8"),
            no_color: flag("no-color"),
        }
    }
}

/// The controller URIs to try, in order: `LS_CONTROLLERS`, then `--controllers` (or the
/// configuration's `controllers`, or `localhost`), duplicates dropped.
pub fn controller_list(env: Option<&str>, arg: Option<&str>, file: Option<&str>) -> Vec<String> {
    let mut list = Vec::new();
    let rest = arg.or(file).unwrap_or("localhost");
    for uri in ControllerUri::list(env.unwrap_or(""))
        .into_iter()
        .chain(ControllerUri::list(rest))
    {
        if !list.contains(&uri) {
            list.push(uri);
        }
    }
    list
}

/// Everything a command needs.
#[derive(Debug)]
pub struct Ctx {
    /// The connection.
    pub client: Client,
    /// The options.
    pub globals: Globals,
    /// Table style.
    pub style: Style,
}

impl Ctx {
    /// Connects to the first controller that answers.
    pub async fn connect(globals: &Globals) -> Result<Ctx> {
        let file = if globals.disable_config {
            FileConfig::default()
        } else {
            FileConfig::load()?
        };
        let env = std::env::var(LS_CONTROLLERS).ok();
        let uris = controller_list(
            env.as_deref(),
            globals.controllers.as_deref(),
            file.controllers.as_deref(),
        );
        let timeout = Duration::from_secs(globals.timeout.max(1));
        let config = ClientConfig {
            call_timeout: timeout,
            connect_timeout: timeout.min(Duration::from_secs(10)),
            ..ClientConfig::default()
        };
        let client = match Client::connect_any(&uris, config).await {
            Ok(c) => c,
            Err(e) => {
                eprintln!("Error: {}", connect_message(&e));
                return Err(Exit(exit::of(&e)).into());
            }
        };
        let terminal = std::io::stdout().is_terminal();
        let style = Style {
            utf8: !(globals.no_utf8 || file.no_utf8),
            colors: terminal && !(globals.no_color || file.no_color),
            pastable: false,
        };
        Ok(Ctx {
            client,
            globals: globals.clone(),
            style,
        })
    }

    /// Whether `-m` was given.
    pub fn json(&self) -> bool {
        self.globals.machine_readable
    }

    /// 0.7.3's `handle_replies`: JSON of every answer with `-m`, else each entry as text;
    /// the exit code follows the entries.
    pub fn replies(&self, answers: &Answers) -> Result<i32> {
        if self.json() {
            json::print_answers(answers)?;
            return Ok(output::exit_code(
                answers.replies(),
                self.globals.warn_as_error,
            ));
        }
        Ok(output::print_replies(
            answers,
            self.style.colors,
            self.globals.warn_as_error,
        ))
    }

    /// The answers of several calls of one command, printed together.
    pub fn replies_of(&self, all: Vec<Answers>) -> Result<i32> {
        let merged = Answers(all.into_iter().flat_map(|a| a.0).collect());
        self.replies(&merged)
    }

    /// Prints a table (with `pastable` from the command).
    pub fn show(&self, table: &Table, pastable: bool) {
        let style = Style {
            pastable,
            ..self.style
        };
        say!("{}", table.render(style));
    }

    /// The answer of a list call (or of another call that answers with data): a `Reply`
    /// instead of the list is printed as answers and ends the command with their exit
    /// code (10 for an error, as [`Exit`]); other errors end the command as they are.
    pub fn listed<T>(&self, result: std::result::Result<T, ClientError>) -> Result<T> {
        match result {
            Ok(list) => Ok(list),
            Err(ClientError::ApiCall(r)) => {
                let code = self.replies(&Answers(vec![linstor_client::Answer::Reply(*r)]))?;
                Err(Exit(code).into())
            }
            Err(other) => Err(other.into()),
        }
    }
}

fn connect_message(e: &ClientError) -> String {
    match e {
        ClientError::AllControllersFailed(all) if all.len() == 1 => {
            format!("Unable to connect to {}: {}", all[0].0, all[0].1)
        }
        ClientError::AllControllersFailed(all) => {
            let each: Vec<String> = all.iter().map(|(u, e)| format!("{u}: {e}")).collect();
            format!(
                "Unable to connect to any of the given controller hosts: {}",
                each.join("; ")
            )
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_first_then_argument() {
        assert_eq!(
            controller_list(Some("a:1,b"), Some("c"), Some("d")),
            ["linstor://a:1", "linstor://b", "linstor://c"]
        );
        assert_eq!(controller_list(None, None, Some("d")), ["linstor://d"]);
        assert_eq!(controller_list(None, None, None), ["linstor://localhost"]);
        assert_eq!(controller_list(Some("x"), Some("x"), None), ["linstor://x"]);
    }

    #[test]
    fn config_file_global_section() {
        let ini =
            ini::Ini::load_from_str("[global]\ncontrollers=alpha,beta\nno-utf8=true\n").unwrap();
        let c = FileConfig::from_ini(&ini);
        assert_eq!(c.controllers.as_deref(), Some("alpha,beta"));
        assert!(c.no_utf8);
        assert!(!c.no_color);
    }
}
