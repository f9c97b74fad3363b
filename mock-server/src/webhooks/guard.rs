//! The target guard: which webhook URLs the server may connect to.
//!
//! Unless private targets are allowed, a URL whose host is, or resolves to,
//! a loopback, private, link-local (which holds the cloud metadata address
//! `169.254.169.254`), shared, unspecified, broadcast or multicast address
//! is refused. The URL parser already reads every IPv4 spelling
//! (`0x7f000001`, `2130706433`, `0177.0.0.1`, `127.1`) as the address it
//! means, and an IPv4 address inside IPv6 (`::ffff:a.b.c.d`, NAT64) is
//! checked as IPv4. A name is resolved once, every address it resolves to
//! is checked, and the delivery connects to the checked address, so a
//! second lookup cannot point it elsewhere.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use url::{Host, Url};

/// Longest URL accepted, in bytes.
pub(crate) const MAX_URL_LEN: usize = 2048;

/// Where a delivery connects.
#[derive(Debug, Clone)]
pub(crate) struct Target {
    pub(crate) url: Url,
    /// For a host name: the checked address to connect to.
    pub(crate) pinned: Option<(String, SocketAddr)>,
}

/// Why a URL may not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Rejection {
    /// Not an absolute `http` or `https` URL with a host.
    Malformed(String),
    /// The host is or resolves to an address the guard blocks.
    Blocked(String),
    /// The host name did not resolve.
    Unresolved(String),
}

impl Rejection {
    pub(crate) fn detail(&self) -> &str {
        match self {
            Self::Malformed(detail) | Self::Blocked(detail) | Self::Unresolved(detail) => detail,
        }
    }
}

/// Checks the shape of a webhook URL: absolute, `http` or `https`, with a
/// host and no credentials.
pub(crate) fn parse_url(raw: &str) -> Result<Url, Rejection> {
    // The URL is stored and sent back as given, so it must already be an
    // RFC 3986 URI: the url crate would also accept and silently encode
    // spaces and non-ASCII characters.
    if let Some(invalid) = raw.chars().find(|&c| !is_uri_char(c)) {
        return Err(Rejection::Malformed(format!(
            "must be a URI of ASCII characters, not contain {invalid:?}; \
             percent-encode it, or write an international host name in punycode (`xn--`)"
        )));
    }
    let url = Url::parse(raw).map_err(|error| {
        Rejection::Malformed(format!(
            "must be an absolute http or https URL such as `https://example.com/hooks` ({error})"
        ))
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Rejection::Malformed(format!(
            "must use http or https, not `{}`",
            url.scheme()
        )));
    }
    if url.host().is_none() {
        return Err(Rejection::Malformed("must name a host".to_owned()));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Rejection::Malformed(
            "must not contain credentials; remove the `user:password@` part".to_owned(),
        ));
    }
    Ok(url)
}

/// Returns whether `c` may appear in an RFC 3986 URI: an unreserved or
/// reserved character, or the `%` of a percent-encoding.
fn is_uri_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-._~:/?#[]@!$&'()*+,;=%".contains(c)
}

/// Resolves and checks `url`. With `allow_private`, every address is
/// allowed and a name is left to the HTTP client to resolve.
pub(crate) async fn resolve(url: &Url, allow_private: bool) -> Result<Target, Rejection> {
    let port = url.port_or_known_default().unwrap_or(80);
    let check = |ip: IpAddr, shown: &str| match blocked(ip) {
        Some(kind) if !allow_private => Err(Rejection::Blocked(format!(
            "`{shown}` is a {kind} address ({ip}); the server rejects such targets unless it runs with private webhook targets allowed"
        ))),
        _ => Ok(()),
    };
    match url.host() {
        Some(Host::Ipv4(ip)) => {
            check(IpAddr::V4(ip), &ip.to_string())?;
        }
        Some(Host::Ipv6(ip)) => {
            check(IpAddr::V6(ip), &ip.to_string())?;
        }
        Some(Host::Domain(name)) if !allow_private => {
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host((name, port))
                .await
                .map_err(|error| {
                    Rejection::Unresolved(format!("host `{name}` does not resolve ({error})"))
                })?
                .collect();
            let Some(first) = addrs.first().copied() else {
                return Err(Rejection::Unresolved(format!(
                    "host `{name}` resolves to no address"
                )));
            };
            for addr in &addrs {
                check(addr.ip(), name)?;
            }
            return Ok(Target {
                url: url.clone(),
                pinned: Some((name.to_owned(), first)),
            });
        }
        Some(Host::Domain(_)) => {}
        None => return Err(Rejection::Malformed("must name a host".to_owned())),
    }
    Ok(Target {
        url: url.clone(),
        pinned: None,
    })
}

/// Returns the kind of a blocked address, or `None` for a public one.
pub(crate) fn blocked(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(ip) => blocked_v4(ip),
        IpAddr::V6(ip) => blocked_v6(ip),
    }
}

fn blocked_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, ..] = ip.octets();
    if ip.is_loopback() {
        Some("loopback")
    } else if ip.is_private() {
        Some("private")
    } else if ip.is_link_local() {
        Some("link-local")
    } else if a == 0 {
        Some("unspecified")
    } else if a == 100 && (64..128).contains(&b) {
        Some("shared (carrier-grade NAT)")
    } else if ip.is_broadcast() {
        Some("broadcast")
    } else if ip.is_multicast() || a >= 240 {
        Some("multicast or reserved")
    } else {
        None
    }
}

fn blocked_v6(ip: Ipv6Addr) -> Option<&'static str> {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return blocked_v4(v4);
    }
    let segments = ip.segments();
    // NAT64 (64:ff9b::/96) and IPv4-compatible (::a.b.c.d) addresses carry
    // an IPv4 address in their last 32 bits.
    let [.., high, low] = segments;
    let embedded = Ipv4Addr::from((u32::from(high) << 16) | u32::from(low));
    if segments[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return blocked_v4(embedded);
    }
    if ip.is_loopback() {
        Some("loopback")
    } else if ip.is_unspecified() {
        Some("unspecified")
    } else if segments[..6] == [0; 6] {
        blocked_v4(embedded).or(Some("reserved"))
    } else if segments[0] & 0xfe00 == 0xfc00 {
        Some("private (unique local)")
    } else if segments[0] & 0xffc0 == 0xfe80 {
        Some("link-local")
    } else if ip.is_multicast() {
        Some("multicast")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host_of(raw: &str) -> IpAddr {
        match parse_url(raw).expect("the test URLs parse").host() {
            Some(Host::Ipv4(ip)) => IpAddr::V4(ip),
            Some(Host::Ipv6(ip)) => IpAddr::V6(ip),
            other => panic!("not an address: {other:?}"),
        }
    }

    #[test]
    fn every_spelling_of_a_private_address_is_blocked() {
        for raw in [
            "http://169.254.169.254/latest/meta-data/",
            "http://127.0.0.1:6379/",
            "http://[::1]/",
            "http://0x7f000001/",
            "http://2130706433/",
            "http://0177.0.0.1/",
            "http://127.1/",
            "http://[::ffff:169.254.169.254]/",
            "http://[::ffff:7f00:1]/",
            "http://[64:ff9b::a00:5]/",
            "http://10.0.0.5/",
            "http://0.0.0.0/",
            "http://[::]/",
            "http://[fd00:ec2::254]/",
            "http://224.0.0.1/",
        ] {
            assert!(blocked(host_of(raw)).is_some(), "{raw} must be blocked");
        }
    }

    #[test]
    fn public_addresses_pass() {
        for raw in ["http://93.184.215.14/", "http://[2606:4700::1111]/"] {
            assert_eq!(blocked(host_of(raw)), None, "{raw} must pass");
        }
    }

    #[test]
    fn other_schemes_and_credentials_are_malformed() {
        assert!(matches!(
            parse_url("ftp://example.com/"),
            Err(Rejection::Malformed(_))
        ));
        assert!(matches!(
            parse_url("http://a:b@example.com/"),
            Err(Rejection::Malformed(_))
        ));
        assert!(matches!(parse_url("/hooks"), Err(Rejection::Malformed(_))));
    }

    #[test]
    fn non_uri_characters_are_malformed() {
        for raw in [
            "https://\u{cf}",
            "https://example.com/a b",
            "https://example.com/<x>",
        ] {
            assert!(
                matches!(parse_url(raw), Err(Rejection::Malformed(_))),
                "{raw}"
            );
        }
        assert!(parse_url("https://xn--1ca.example/a%20b?x=1#y").is_ok());
    }
}
