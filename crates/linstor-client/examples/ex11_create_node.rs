//! Documentation example 11: register satellite `alpha` at 10.0.0.20 (an existing `alpha`,
//! as on `linstor-mock --demo`, is reported and accepted).

#[path = "support/mod.rs"]
mod support;

use linstor_client::requests::NodeCreate;
use linstor_proto::ReturnCode;

fn main() -> std::process::ExitCode {
    support::run(|| async {
        let client = support::connect().await?;
        let answers = client
            .node_create(&NodeCreate::new("alpha", "Satellite", "10.0.0.20"))
            .await?;
        let first = answers.replies().next().ok_or("no answer")?;
        println!("{}", first.message());
        support::check(
            first.is_success() || first.ret_code().is_code(ReturnCode::FAIL_EXISTS_NODE),
            "alpha registered (or already there)",
        )
    })
}
