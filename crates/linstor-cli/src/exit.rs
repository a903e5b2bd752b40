//! The exit codes of linstor-client 0.7.3 and how client errors map to them.

use linstor_client::ClientError;

/// Success.
pub const OK: i32 = 0;
/// An unexpected failure of the command line itself.
pub const UNKNOWN_ERROR: i32 = 1;
/// A usage error (clap's own exit code, as argparse's).
pub const ARGPARSE_ERROR: i32 = 2;
/// An object named on the command line does not exist (client-side lookups).
pub const OBJECT_NOT_FOUND: i32 = 3;
/// The controller answered with an error entry.
pub const API_ERROR: i32 = 10;
/// No controller could be reached, or the connection broke.
pub const CONNECTION_ERROR: i32 = 20;
/// A call or connect timed out.
pub const CONNECTION_TIMEOUT: i32 = 21;

/// The exit code of a client error.
pub fn of(error: &ClientError) -> i32 {
    match error {
        e if e.is_timeout() => CONNECTION_TIMEOUT,
        ClientError::AllControllersFailed(all) => {
            if !all.is_empty() && all.iter().all(|(_, e)| e.is_timeout()) {
                CONNECTION_TIMEOUT
            } else {
                CONNECTION_ERROR
            }
        }
        ClientError::Connect { .. }
        | ClientError::Disconnected { .. }
        | ClientError::VersionMismatch { .. }
        | ClientError::Handshake { .. }
        | ClientError::NoAnswer { .. } => CONNECTION_ERROR,
        ClientError::ApiCall(_) => API_ERROR,
        ClientError::InvalidArgument(_) => ARGPARSE_ERROR,
        _ => UNKNOWN_ERROR,
    }
}

/// A failure that ends the command with an exit code after its message was printed.
#[derive(Debug)]
pub struct Exit(pub i32);

impl std::fmt::Display for Exit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "exit code {}", self.0)
    }
}

impl std::error::Error for Exit {}

/// A usage error found after clap's parsing (exit code 2).
#[derive(Debug)]
pub struct Usage(pub String);

impl std::fmt::Display for Usage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Usage {}

/// Marks an argument error as a usage error.
pub fn usage(error: impl std::fmt::Display) -> anyhow::Error {
    Usage(error.to_string()).into()
}
