//! Which addresses a webhook may reach. A webhook URL is chosen by a tenant, so without
//! this check it could make the server call its own admin ports, other services on the
//! private network, or a cloud metadata endpoint (server-side request forgery).
//! Refused unless the operator allows private networks: loopback, private, shared
//! (CGNAT), link-local (with the 169.254.169.254 metadata address), unspecified,
//! documentation, benchmarking, multicast and reserved ranges, in IPv4 and IPv6, and
//! IPv6 forms that embed an IPv4 address (mapped, NAT64, 6to4) by what they embed.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::time::Duration;

/// True when `ip` is on the public internet.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    let refused = a == 0 // "this network", 0.0.0.0
        || a == 10
        || a == 127
        || (a == 100 && (64..128).contains(&b)) // shared address space (CGNAT) 100.64/10
        || (a == 169 && b == 254) // link-local, cloud metadata
        || (a == 172 && (16..32).contains(&b))
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 192 && b == 0 && c == 2) // TEST-NET-1
        || (a == 192 && b == 88 && c == 99) // 6to4 relay anycast
        || (a == 192 && b == 168)
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || (a == 198 && b == 51 && c == 100) // TEST-NET-2
        || (a == 203 && b == 0 && c == 113) // TEST-NET-3
        || a >= 224; // multicast, reserved, broadcast
    !refused
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = embedded_v4(ip) {
        return is_public_v4(v4);
    }
    let s = ip.segments();
    let refused = ip.is_unspecified()
        || ip.is_loopback()
        || (s[0] & 0xfe00) == 0xfc00 // unique local fc00::/7 (fd00::/8 included)
        || (s[0] & 0xffc0) == 0xfe80 // link-local
        || (s[0] & 0xffc0) == 0xfec0 // site-local (deprecated)
        || (s[0] & 0xff00) == 0xff00 // multicast
        || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
        || (s[0] == 0x0100 && s[1] == 0 && s[2] == 0 && s[3] == 0) // discard-only
        || (s[0] == 0x2001 && s[1] < 0x0200) // IETF protocol assignments (Teredo etc.)
        || s[0] == 0; // the rest of ::/16: compatible and reserved forms
    !refused
}

/// The IPv4 address inside IPv4-mapped (`::ffff:a.b.c.d`), NAT64 (`64:ff9b::/96`) and
/// 6to4 (`2002::/16`) addresses.
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = ip.segments();
    let low =
        |hi: u16, lo: u16| Ipv4Addr::new((hi >> 8) as u8, hi as u8, (lo >> 8) as u8, lo as u8);
    if let Some(v4) = ip.to_ipv4_mapped() {
        return Some(v4);
    }
    if s[0] == 0x0064 && s[1] == 0xff9b && s[2..6] == [0, 0, 0, 0] {
        return Some(low(s[6], s[7]));
    }
    if s[0] == 0x2002 {
        return Some(low(s[1], s[2]));
    }
    None
}

/// The IP address a URL's host names literally (`https://10.0.0.1/`, `http://[::1]/`),
/// if it is one. Such a URL never goes through DNS, so it is checked on its own.
pub fn literal_host(host: &str) -> Option<IpAddr> {
    host.trim_start_matches('[')
        .trim_end_matches(']')
        .parse()
        .ok()
}

/// The address a URL's host names without asking DNS: an IP literal, or loopback for
/// `localhost` and the names under it, which RFC 6761 reserves for loopback (so no
/// resolver's answer is needed to know where they go).
pub fn known_host(host: &str) -> Option<IpAddr> {
    let name = host.trim_end_matches('.').to_ascii_lowercase();
    if name == "localhost" || name.ends_with(".localhost") {
        return Some(IpAddr::V4(Ipv4Addr::LOCALHOST));
    }
    literal_host(host)
}

/// One refused address of `host` when every address it resolves to within `timeout`
/// is refused; `None` when one is public, or when the name does not resolve in time
/// (it may later, and every attempt checks again after its own resolution).
pub async fn resolves_only_private(host: &str, timeout: Duration) -> Option<IpAddr> {
    let found = tokio::time::timeout(timeout, tokio::net::lookup_host((host, 0)))
        .await
        .ok()?
        .ok()?;
    let mut refused = None;
    for addr in found {
        if is_public(addr.ip()) {
            return None;
        }
        refused.get_or_insert(addr.ip());
    }
    refused
}

#[cfg(test)]
mod tests {
    use super::*;

    fn public(s: &str) -> bool {
        is_public(s.parse().unwrap())
    }

    #[test]
    fn refuses_internal_ranges() {
        for addr in [
            "127.0.0.1",
            "0.0.0.0",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "100.127.255.254",
            "224.0.0.1",
            "255.255.255.255",
            "::1",
            "::",
            "fd00::1",
            "fc00::1",
            "fd00:ec2::254",
            "fe80::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "64:ff9b::a00:1",
            "2002:c0a8:0101::1",
            "2001:db8::1",
        ] {
            assert!(!public(addr), "{addr} must be refused");
        }
    }

    #[test]
    fn allows_public_addresses() {
        for addr in [
            "8.8.8.8",
            "1.1.1.1",
            "100.128.0.1",
            "172.32.0.1",
            "2606:4700:4700::1111",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
        ] {
            assert!(public(addr), "{addr} must be allowed");
        }
    }

    #[test]
    fn reads_literal_hosts() {
        assert_eq!(literal_host("[::1]"), Some("::1".parse().unwrap()));
        assert_eq!(literal_host("10.0.0.1"), Some("10.0.0.1".parse().unwrap()));
        assert_eq!(literal_host("example.com"), None);
    }

    #[test]
    fn localhost_names_are_loopback_without_dns() {
        let loopback = Some(IpAddr::V4(Ipv4Addr::LOCALHOST));
        for host in ["localhost", "LocalHost", "localhost.", "app.localhost"] {
            assert_eq!(known_host(host), loopback, "{host}");
        }
        assert_eq!(known_host("[::1]"), Some("::1".parse().unwrap()));
        assert_eq!(known_host("localhost.example.com"), None);
        assert_eq!(known_host("example.com"), None);
    }

    #[tokio::test]
    async fn names_are_judged_by_what_they_resolve_to() {
        let wait = Duration::from_secs(2);
        // Resolved through the system (the hosts file), not the special case above.
        let loopback = resolves_only_private("localhost", wait).await;
        assert!(loopback.is_some_and(|ip| ip.is_loopback()), "{loopback:?}");
        // `.invalid` never resolves (RFC 6761): nothing to refuse yet.
        assert_eq!(resolves_only_private("nowhere.invalid", wait).await, None);
    }
}
