//! Controller URIs: `linstor://host[:port]` (3376), `linstor+ssl://` (3377) and the direct
//! satellite schemes, with the Python client's host and port rules (docs/framing.md#uri-schemes),
//! including bracketed IPv6 (`[::1]:3376`).

use linstor_proto::consts::{ports, schemes};

use crate::ClientError;

/// A parsed controller URI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ControllerUri {
    /// The URI as given.
    pub uri: String,
    /// Host name or address (brackets removed).
    pub host: String,
    /// Port (the scheme's default when none is given).
    pub port: u16,
    /// Whether the connection uses TLS.
    pub tls: bool,
    /// Whether the peer sends the `Version` greeting (controllers do, satellites do not).
    pub expects_version: bool,
}

impl ControllerUri {
    /// Parses a URI; a missing scheme means `linstor://`.
    ///
    /// # Errors
    ///
    /// [`ClientError::InvalidUri`] for an unknown scheme, a `[` without `]`, or a bad port.
    ///
    /// ```
    /// use linstor_client::ControllerUri;
    /// let u = ControllerUri::parse("linstor://[::1]:3376").unwrap();
    /// assert_eq!((u.host.as_str(), u.port), ("::1", 3376));
    /// assert_eq!(ControllerUri::parse("linstor+ssl://ctrl").unwrap().port, 3377);
    /// assert_eq!(ControllerUri::parse("::1").unwrap().host, "::1");
    /// ```
    pub fn parse(uri: &str) -> Result<ControllerUri, ClientError> {
        let bad = |reason: &str| ClientError::InvalidUri {
            uri: uri.to_owned(),
            reason: reason.to_owned(),
        };
        let (scheme, rest) = match uri.split_once("://") {
            Some((s, r)) => (s, r),
            None => (schemes::LINSTOR, uri),
        };
        let (default_port, tls, expects_version) = match scheme {
            schemes::LINSTOR => (ports::CTRL_PLAIN, false, true),
            schemes::LINSTOR_SSL => (ports::CTRL_SSL, true, true),
            schemes::SATELLITE => (ports::STLT_PLAIN, false, false),
            schemes::SATELLITE_SSL => (ports::STLT_SSL, true, false),
            other => return Err(bad(&format!("unknown uri scheme '{other}'"))),
        };
        let netloc = rest.split('/').next().unwrap_or("");
        let (host, port) = if let Some(inner) = netloc.strip_prefix('[') {
            let close = inner.rfind(']').ok_or_else(|| bad("'[' without ']'"))?;
            let after = &inner[close + 1..];
            (inner[..close].to_owned(), after.get(1..).unwrap_or(""))
        } else if netloc.matches(':').count() == 1 {
            let (h, p) = netloc.split_once(':').unwrap_or((netloc, ""));
            (h.to_owned(), p)
        } else {
            (netloc.to_owned(), "")
        };
        let port = if port.is_empty() {
            default_port
        } else {
            port.parse::<u16>()
                .map_err(|_| bad(&format!("invalid port '{port}'")))?
        };
        Ok(ControllerUri {
            uri: uri.to_owned(),
            host,
            port,
            tls,
            expects_version,
        })
    }

    /// Splits a comma-separated controller list: empty items are dropped and items without
    /// `://` get `linstor://` (the Python `MultiLinstor.controller_uri_list`).
    pub fn list(controllers: &str) -> Vec<String> {
        controllers
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                if s.contains("://") {
                    s.to_owned()
                } else {
                    format!("linstor://{s}")
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hp(uri: &str) -> (String, u16) {
        let u = ControllerUri::parse(uri).unwrap();
        (u.host, u.port)
    }

    #[test]
    fn host_and_port_rules() {
        assert_eq!(hp("linstor://localhost"), ("localhost".into(), 3376));
        assert_eq!(
            hp("linstor://10.43.8.103:6667"),
            ("10.43.8.103".into(), 6667)
        );
        assert_eq!(hp("linstor://::1"), ("::1".into(), 3376));
        assert_eq!(hp("linstor://[::1]:3376"), ("::1".into(), 3376));
        assert_eq!(
            hp("linstor://[2001:db8::7344]"),
            ("2001:db8::7344".into(), 3376)
        );
        assert_eq!(hp("linstor+ssl://ctrl/some/path"), ("ctrl".into(), 3377));
        assert_eq!(hp("linstorstlt://node"), ("node".into(), 3366));
        assert!(ControllerUri::parse("linstor://[::1").is_err());
        assert!(ControllerUri::parse("http://x").is_err());
        assert!(ControllerUri::parse("linstor://x:port").is_err());
        assert!(ControllerUri::parse("linstor+ssl://c").unwrap().tls);
        assert!(
            !ControllerUri::parse("linstorstlt://c")
                .unwrap()
                .expects_version
        );
    }

    #[test]
    fn controller_lists() {
        assert_eq!(
            ControllerUri::list("a,b:3376,,linstor+ssl://c"),
            ["linstor://a", "linstor://b:3376", "linstor+ssl://c"]
        );
    }
}
