//! Sizes as bytes or strings like `"20 MiB"` (the Python `SizeCalc` units).

use crate::ClientError;

/// Parses a size: a number with an optional unit (`B`, `K`/`KiB`, `kB`, `M`/`MiB`, `MB`,
/// `G`/`GiB`, `GB`, `T`/`TiB`, `TB`, `P`/`PiB`, `PB`, case-insensitive; `K`/`M`/... are
/// binary). No unit means bytes.
///
/// # Errors
///
/// [`ClientError::InvalidArgument`] for an unknown unit, a missing number or an overflow.
///
/// ```
/// assert_eq!(linstor_client::highlevel::parse_size("20 MiB").unwrap(), 20 << 20);
/// assert_eq!(linstor_client::highlevel::parse_size("128k").unwrap(), 128 << 10);
/// assert_eq!(linstor_client::highlevel::parse_size("1GB").unwrap(), 1_000_000_000);
/// ```
pub fn parse_size(text: &str) -> Result<u64, ClientError> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let bad = || ClientError::InvalidArgument(format!("invalid size '{text}'"));
    let n: u64 = number.parse().map_err(|_| bad())?;
    let factor: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kib" => 1 << 10,
        "kb" => 1_000,
        "m" | "mib" => 1 << 20,
        "mb" => 1_000_000,
        "g" | "gib" => 1 << 30,
        "gb" => 1_000_000_000,
        "t" | "tib" => 1 << 40,
        "tb" => 1_000_000_000_000,
        "p" | "pib" => 1 << 50,
        "pb" => 1_000_000_000_000_000,
        _ => return Err(bad()),
    };
    n.checked_mul(factor).ok_or_else(bad)
}

/// Bytes to KiB, rounded up.
pub(crate) fn kib_round_up(bytes: u64) -> i64 {
    i64::try_from(bytes.div_ceil(1024)).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units() {
        assert_eq!(parse_size("4096").unwrap(), 4096);
        assert_eq!(parse_size("10 MiB").unwrap(), 10 << 20);
        assert_eq!(parse_size("2 tib").unwrap(), 2 << 40);
        assert!(parse_size("MiB").is_err());
        assert!(parse_size("5 furlongs").is_err());
        assert!(parse_size("99999999999 PiB").is_err());
        assert_eq!(kib_round_up(1), 1);
        assert_eq!(kib_round_up(2048), 2);
    }
}
