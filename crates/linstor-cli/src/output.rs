//! Printing the controller's answers as 0.7.3 does (`SUCCESS`/`WARNING`/`ERROR`/`INFO` with
//! the description, cause, correction and details), and the exit code they give.

use std::fmt::Write as _;

use linstor_client::{Answers, ApiCallResponse};

use crate::exit;

/// Severity words and colours (ANSI, as 0.7.3's `Output.color`).
fn header(r: &ApiCallResponse, colors: bool) -> String {
    let (word, ansi) = if r.is_error() {
        ("ERROR", "\x1b[91m")
    } else if r.is_warning() {
        ("WARNING", "\x1b[93m")
    } else if r.is_info() {
        ("INFO", "\x1b[94m")
    } else {
        ("SUCCESS", "\x1b[92m")
    };
    if colors {
        format!("{ansi}{word}\x1b[0m:")
    } else {
        format!("{word}:")
    }
}

/// One answer entry as text.
pub fn format_reply(r: &ApiCallResponse, colors: bool) -> String {
    let mut out = header(r, colors);
    out.push('\n');
    let mut section = |title: &str, text: &str| {
        if !text.is_empty() {
            let _ = writeln!(out, "{title}:");
            for line in text.lines() {
                let _ = writeln!(out, "    {line}");
            }
        }
    };
    section("Description", r.message());
    section("Cause", r.cause().unwrap_or(""));
    section("Correction", r.correction().unwrap_or(""));
    section("Details", r.details().unwrap_or(""));
    let ids = r.error_report_ids();
    if !ids.is_empty() {
        let cmds: Vec<String> = ids
            .iter()
            .map(|id| format!("linstor error-reports show {id}"))
            .collect();
        section("Show reports", &cmds.join("\n"));
    }
    out
}

/// The exit code of a set of answers: 10 when one entry is an error (or, with
/// `warn_as_error`, a warning), otherwise 0.
pub fn exit_code<'a>(
    replies: impl IntoIterator<Item = &'a ApiCallResponse>,
    warn_as_error: bool,
) -> i32 {
    let mut rc = exit::OK;
    for r in replies {
        if r.is_error() || (warn_as_error && r.is_warning()) {
            rc = exit::API_ERROR;
        }
    }
    rc
}

/// Prints every reply entry and returns the exit code.
pub fn print_replies(answers: &Answers, colors: bool, warn_as_error: bool) -> i32 {
    for r in answers.replies() {
        print!("{}", format_reply(r, colors));
    }
    exit_code(answers.replies(), warn_as_error)
}

#[cfg(test)]
mod tests {
    use super::*;
    use linstor_proto::messages::MsgApiCallResponse;

    #[test]
    fn sections_in_order() {
        let r = ApiCallResponse(MsgApiCallResponse {
            ret_code: linstor_proto::ReturnCode::FAIL_EXISTS_NODE.0,
            message: "Node 'a' exists.".into(),
            cause: Some("It was made before.".into()),
            correction: None,
            details: Some("line 1\nline 2".into()),
            ..Default::default()
        });
        assert_eq!(
            format_reply(&r, false),
            "ERROR:\nDescription:\n    Node 'a' exists.\nCause:\n    It was made before.\nDetails:\n    line 1\n    line 2\n"
        );
        assert_eq!(exit_code([&r], false), exit::API_ERROR);
    }
}
