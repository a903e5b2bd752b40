//! Name and value validation rules of the controller (`docs/controller-rules.md#names-and-values`).

/// Node names: RFC-1123 host names, 2-255 bytes, labels of at most 63.
pub(crate) fn valid_node_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    (2..=255).contains(&bytes.len())
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'.' || *b == b'-')
        && !name.starts_with(['.', '-'])
        && !name.ends_with('-')
        && name.split('.').all(|label| label.len() <= 63)
}

/// Resource-style names (resources, storage pools, snapshots, interfaces, key/value stores):
/// first char a letter or `_`, then letters, digits, `_`, `-`, at least one letter.
fn valid_ident(name: &str, min: usize, max: usize) -> bool {
    let bytes = name.as_bytes();
    (min..=max).contains(&bytes.len())
        && bytes
            .first()
            .is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_')
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'_' || *b == b'-')
        && bytes.iter().any(u8::is_ascii_alphabetic)
}

pub(crate) fn valid_rsc_name(name: &str) -> bool {
    valid_ident(name, 2, 48) && !name.eq_ignore_ascii_case("all")
}

pub(crate) fn valid_stor_pool_name(name: &str) -> bool {
    valid_ident(name, 3, 48)
}

pub(crate) fn valid_snapshot_name(name: &str) -> bool {
    valid_ident(name, 2, 48)
}

pub(crate) fn valid_net_if_name(name: &str) -> bool {
    valid_ident(name, 3, 32)
}

pub(crate) fn valid_kvs_name(name: &str) -> bool {
    valid_ident(name, 2, 48)
}

/// IPv4 without leading zeros in octets, or IPv6.
pub(crate) fn valid_ip(address: &str) -> bool {
    if address.contains(':') {
        return address.parse::<std::net::Ipv6Addr>().is_ok();
    }
    let octets: Vec<&str> = address.split('.').collect();
    octets.len() == 4
        && octets.iter().all(|o| {
            !o.is_empty()
                && o.len() <= 3
                && o.bytes().all(|b| b.is_ascii_digit())
                && (o.len() == 1 || !o.starts_with('0'))
                && o.parse::<u16>().is_ok_and(|v| v <= 255)
        })
}

pub(crate) fn valid_port(port: i32) -> bool {
    (1..=65535).contains(&port)
}

/// Whether a list filter selects `name`: an empty list selects everything; names compare
/// case-insensitively.
pub(crate) fn selected(filter: &[String], name: &str) -> bool {
    filter.is_empty() || filter.iter().any(|n| n.eq_ignore_ascii_case(name))
}

/// The names a list filter holds, checked as `LstStorPool` and `LstVlm` check them (`LstRsc`
/// does not): the first invalid node name, then the first invalid storage pool name, is
/// refused in `ctx`.
pub(crate) fn check_filter_names(
    ctx: &super::reply::Ctx,
    filter: &linstor_proto::messages::Filter,
) -> Result<(), super::reply::Problem> {
    use linstor_proto::ReturnCode as RC;
    if let Some(bad) = filter.node_names.iter().find(|n| !valid_node_name(n)) {
        return Err(ctx.problem(
            RC::FAIL_INVLD_NODE_NAME,
            format!("The given node name '{bad}' is invalid."),
        ));
    }
    if let Some(bad) = filter
        .stor_pool_names
        .iter()
        .find(|n| !valid_stor_pool_name(n))
    {
        return Err(ctx.problem(
            RC::FAIL_INVLD_STOR_POOL_NAME,
            format!("The given storage pool name '{bad}' is invalid."),
        ));
    }
    Ok(())
}

/// Case-insensitive key of a name.
pub(crate) fn key(name: &str) -> String {
    name.to_ascii_uppercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_names() {
        for ok in ["alpha", "a1", "1node", "node-1.example.com", "ab"] {
            assert!(valid_node_name(ok), "{ok}");
        }
        for bad in ["a", "-a", ".a", "a-", "a_b", "a b", ""] {
            assert!(!valid_node_name(bad), "{bad}");
        }
    }

    #[test]
    fn resource_names() {
        for ok in ["rsc1", "_x", "my-rsc_2", "ab"] {
            assert!(valid_rsc_name(ok), "{ok}");
        }
        for bad in ["1rsc", "a", "all", "ALL", "a.b", "__", &"a".repeat(49)] {
            assert!(!valid_rsc_name(bad), "{bad}");
        }
        assert!(!valid_stor_pool_name("ab") && valid_stor_pool_name("abc"));
    }

    #[test]
    fn addresses() {
        for ok in ["127.0.0.10", "10.0.0.1", "::1", "2001:db8::7344", "0.0.0.0"] {
            assert!(valid_ip(ok), "{ok}");
        }
        for bad in ["127.0.0.010", "256.1.1.1", "1.2.3", "host", "", "1.2.3.4.5"] {
            assert!(!valid_ip(bad), "{bad}");
        }
    }
}
