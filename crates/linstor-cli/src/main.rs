//! `linstor`: the command line of linstor-client 0.7.3 (its commands, aliases, tables,
//! `-m` JSON and exit codes) on the Rust `linstor-client`, plus `key-value-store`,
//! `events` and `completion`.

/// `println!` that stops quietly when stdout is closed (e.g. piped into `head`).
macro_rules! say {
    ($($t:tt)*) => { $crate::emit(&format!("{}\n", format!($($t)*))) };
}

/// `print!` that stops quietly when stdout is closed.
macro_rules! say_raw {
    ($($t:tt)*) => { $crate::emit(&format!($($t)*)) };
}

mod cmd;
mod ctx;
mod drbd;
mod exit;
mod json;
mod output;
mod size;
mod table;

use clap::{CommandFactory, Parser};
use linstor_client::ClientError;

use cmd::{Cli, Command};

fn main() {
    std::process::exit(real_main());
}

fn real_main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return e.exit_code();
        }
    };
    if let Command::Completion { shell } = cli.command {
        clap_complete::generate(
            shell,
            &mut Cli::command(),
            "linstor",
            &mut std::io::stdout(),
        );
        return exit::OK;
    }
    if let Command::Man { command } = &cli.command {
        return man(command);
    }
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("Error: cannot start the runtime: {e}");
            return exit::UNKNOWN_ERROR;
        }
    };
    runtime.block_on(async {
        let result = async {
            let ctx = ctx::Ctx::connect(&cli.globals).await?;
            cmd::run(&ctx, cli.command).await
        }
        .await;
        match result {
            Ok(code) => code,
            Err(e) => report(&e),
        }
    })
}

/// Prints the man page of the command at `path` (names or visible aliases).
fn man(path: &[String]) -> i32 {
    let mut cmd = Cli::command();
    cmd.build();
    let mut name = String::from("linstor");
    for part in path {
        let Some(sub) = cmd
            .get_subcommands()
            .find(|c| c.get_name() == part || c.get_visible_aliases().any(|a| a == part))
            .cloned()
        else {
            eprintln!("Error: no command '{part}' in '{name}'");
            return exit::ARGPARSE_ERROR;
        };
        name = format!("{name}-{}", sub.get_name());
        cmd = sub
            .display_name(name.clone())
            .bin_name(name.replace('-', " "));
    }
    let mut out = Vec::new();
    if let Err(e) = clap_mangen::Man::new(cmd).render(&mut out) {
        eprintln!("Error: cannot render the man page: {e}");
        return exit::UNKNOWN_ERROR;
    }
    emit(&String::from_utf8_lossy(&out));
    exit::OK
}

/// Writes to stdout; a closed stdout (a reader that went away) ends the process quietly
/// with exit code 0, as a command line piped into `head` should.
pub fn emit(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(text.as_bytes()).and_then(|()| out.flush())
        && e.kind() == std::io::ErrorKind::BrokenPipe
    {
        std::process::exit(exit::OK);
    }
}

/// Prints an error that ended a command and returns its exit code.
fn report(e: &anyhow::Error) -> i32 {
    if let Some(exit::Exit(code)) = e.downcast_ref::<exit::Exit>() {
        return *code;
    }
    if let Some(u) = e.downcast_ref::<exit::Usage>() {
        eprintln!("Error: {u}");
        return exit::ARGPARSE_ERROR;
    }
    if let Some(c) = e.downcast_ref::<ClientError>() {
        eprintln!("Error: {c}");
        return exit::of(c);
    }
    eprintln!("Error: {e:#}");
    exit::UNKNOWN_ERROR
}
