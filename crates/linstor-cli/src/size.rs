//! Sizes as 0.7.3 shows them (`SizeCalc.approximate_size_string`): KiB in, the largest
//! binary unit that keeps the number at or above 1, two decimals unless the value is whole.

const UNITS: [&str; 7] = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB"];

/// `kib` as e.g. `10 MiB` or `9.94 GiB`.
pub fn approximate(kib: u64) -> String {
    let mut unit = 0;
    let mut whole = kib;
    let mut rest_exact = true;
    while whole >= 1024 && unit + 1 < UNITS.len() {
        rest_exact &= whole.is_multiple_of(1024);
        whole /= 1024;
        unit += 1;
    }
    if rest_exact {
        return format!("{whole} {}", UNITS[unit]);
    }
    // `unit` is at most 6, so the divisor fits.
    let divisor = 1024f64.powi(i32::try_from(unit).unwrap_or(0));
    #[allow(clippy::cast_precision_loss)] // a display value
    let value = kib as f64 / divisor;
    format!("{value:.2} {}", UNITS[unit])
}

#[cfg(test)]
mod tests {
    use super::approximate;

    #[test]
    fn units() {
        assert_eq!(approximate(0), "0 KiB");
        assert_eq!(approximate(4), "4 KiB");
        assert_eq!(approximate(10240), "10 MiB");
        assert_eq!(approximate(1536), "1.50 MiB");
        assert_eq!(approximate(1 << 20), "1 GiB");
        assert_eq!(approximate((1 << 20) * 100 - 1), "100.00 GiB");
    }
}
