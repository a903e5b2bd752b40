//! Shared by the examples: the controller URI (first argument, else `LS_CONTROLLERS`,
//! else `linstor://localhost`), connecting, a check that fails the program, and the `foo`
//! resource most documentation examples use.

#![allow(dead_code)]

use linstor_client::highlevel::{Resource, Volume, parse_size};
use linstor_client::{Client, ClientConfig, ControllerUri};

pub type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// Connects to the first controller that answers.
pub async fn connect() -> Result<Client> {
    let list = std::env::args()
        .nth(1)
        .or_else(|| std::env::var("LS_CONTROLLERS").ok())
        .unwrap_or_else(|| "linstor://localhost".to_owned());
    Ok(Client::connect_any(&ControllerUri::list(&list), ClientConfig::default()).await?)
}

/// Fails the example when a shown fact does not hold.
pub fn check(ok: bool, what: &str) -> Result<()> {
    if ok {
        Ok(())
    } else {
        Err(format!("check failed: {what}").into())
    }
}

/// The documentation's resource `foo`: one 20 MiB volume, three replicas.
pub async fn resource_foo(client: &Client) -> Result<Resource> {
    let mut rsc = Resource::open(client, "foo").await?;
    if !rsc.is_defined() || rsc.diskful_nodes().is_empty() {
        rsc.set_volume(0, Volume::new(parse_size("20 MiB")?));
        rsc.placement.redundancy = 3;
        rsc.autoplace().await?;
    }
    Ok(rsc)
}

/// Runs an example body on a runtime and turns an error into exit code 1.
pub fn run<F: std::future::Future<Output = Result<()>>>(
    body: impl FnOnce() -> F,
) -> std::process::ExitCode {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(body()) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
