//! Documentation example 10: list the nodes and show the first.

#[path = "support/mod.rs"]
mod support;

fn main() -> std::process::ExitCode {
    support::run(|| async {
        let client = support::connect().await?;
        let nodes = client.node_list().await?;
        let first = nodes.nodes.first().ok_or("no nodes")?;
        println!(
            "{} ({}), {} interface(s)",
            first.name,
            first.r#type,
            first.net_interfaces.len()
        );
        support::check(!nodes.nodes.is_empty(), "at least one node")
    })
}
