//! A strict parser for the absolute `http(s)` URLs a client is configured with and called back on.
use alloc::string::String;
use alloc::vec::Vec;

/// The parts of an absolute URL that this client compares or edits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Url<'a> {
    /// Lower-cased scheme (`https`).
    pub scheme: String,
    /// Lower-cased host, IPv6 literals keep their brackets.
    pub host: String,
    /// The port, or the scheme's default (443, 80).
    pub port: u16,
    /// True when the authority has `user:pass@`.
    pub has_userinfo: bool,
    /// The path, `/` when empty.
    pub path: &'a str,
    /// The query without `?`.
    pub query: Option<&'a str>,
    /// The fragment without `#`.
    pub fragment: Option<&'a str>,
}

/// Parses an absolute `http:` or `https:` URL; `None` for anything else or for controls and spaces.
pub fn parse(s: &str) -> Option<Url<'_>> {
    if s.bytes().any(|b| b <= b' ' || b == 0x7f) {
        return None;
    }
    let (scheme, rest) = split_scheme(s)?;
    let scheme = scheme.to_ascii_lowercase();
    let default_port = match scheme.as_str() {
        "https" => 443,
        "http" => 80,
        _ => return None,
    };
    let (before_fragment, fragment) = split_off(rest, '#');
    let (before_query, query) = split_off(before_fragment, '?');
    // `split_at_checked`, not `split_at` or `[..]`: no panic path (core's `slice_error_fail`) in the wasm.
    let authority_end = before_query.find('/').unwrap_or(before_query.len());
    let (authority, path) = before_query.split_at_checked(authority_end)?;
    let (has_userinfo, host_port) = match authority.rsplit_once('@') {
        Some((_, host_port)) => (true, host_port),
        None => (false, authority),
    };
    let (host, port) = split_host_port(host_port)?;
    Some(Url {
        scheme,
        host: host.to_ascii_lowercase(),
        port: port.unwrap_or(default_port),
        has_userinfo,
        path: if path.is_empty() { "/" } else { path },
        query,
        fragment,
    })
}

/// `("https", "host/path")` for `"https://host/path"`. A char search, not a substring search,
/// which would pull core's two-way string searcher (~1 KB) into the wasm.
pub fn split_scheme(s: &str) -> Option<(&str, &str)> {
    let (scheme, rest) = s.split_once(':')?;
    Some((scheme, rest.strip_prefix("//")?))
}

fn split_off(s: &str, separator: char) -> (&str, Option<&str>) {
    match s.split_once(separator) {
        Some((head, tail)) => (head, Some(tail)),
        None => (s, None),
    }
}

fn split_host_port(host_port: &str) -> Option<(&str, Option<u16>)> {
    let (host, port) = if host_port.starts_with('[') {
        let close = host_port.find(']')?;
        let (host, rest) = host_port.split_at_checked(close + 1)?;
        (host, rest.strip_prefix(':'))
    } else {
        split_off(host_port, ':')
    };
    if host.is_empty() || host.len() > 255 {
        return None;
    }
    let port = match port {
        None => None,
        Some(digits) if !digits.is_empty() && digits.len() <= 5 && digits.bytes().all(|b| b.is_ascii_digit()) => {
            Some(u16::try_from(digits.bytes().fold(0u32, |n, d| n * 10 + u32::from(d - b'0'))).ok()?)
        }
        Some(_) => return None,
    };
    Some((host, port))
}

impl Url<'_> {
    /// True for `localhost`, `127.0.0.0/8` and `[::1]` (RFC 8252 §8.3 loopback).
    pub fn is_loopback(&self) -> bool {
        self.host == "localhost" || self.host == "[::1]" || is_ipv4_loopback(&self.host)
    }

    /// True for `https:`, or `http:` on a loopback host.
    pub fn is_secure_or_loopback(&self) -> bool {
        self.scheme == "https" || self.is_loopback()
    }

    /// True when scheme, host, port and path are equal (query and fragment ignored).
    pub fn same_origin_and_path(&self, other: &Url<'_>) -> bool {
        self.scheme == other.scheme && self.host == other.host && self.port == other.port && self.path == other.path
    }
}

fn is_ipv4_loopback(host: &str) -> bool {
    let octets: Vec<&str> = host.split('.').collect();
    octets.len() == 4
        && octets[0] == "127"
        && octets.iter().all(|o| {
            !o.is_empty()
                && o.len() <= 3
                && o.bytes().all(|b| b.is_ascii_digit())
                && o.parse::<u16>().is_ok_and(|n| n <= 255)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_parts() {
        let u = parse("HTTPS://User:pw@Example.COM:8443/a/b?x=1&y#frag").unwrap();
        assert_eq!(u.scheme, "https");
        assert_eq!(u.host, "example.com");
        assert_eq!(u.port, 8443);
        assert!(u.has_userinfo);
        assert_eq!(u.path, "/a/b");
        assert_eq!(u.query, Some("x=1&y"));
        assert_eq!(u.fragment, Some("frag"));
        let u = parse("http://[::1]:3000").unwrap();
        assert_eq!((u.host.as_str(), u.port, u.path), ("[::1]", 3000, "/"));
        assert_eq!(parse("https://a.example?q#f").unwrap().query, Some("q"));
    }

    #[test]
    fn rejects_non_http_and_malformed() {
        for bad in [
            "",
            "/relative",
            "example.com",
            "ftp://x",
            "javascript://x",
            "https://",
            "https://:443/",
            "https://a b/",
            "https://a:99999/",
            "https://a:/",
            "https://a:8x/",
            "https://[::1/",
            "https://a\n/",
        ] {
            assert!(parse(bad).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn loopback_hosts() {
        for ok in ["http://localhost:8080/", "http://127.0.0.1/", "http://127.255.0.9:1/", "http://[::1]/"] {
            assert!(parse(ok).unwrap().is_loopback(), "{ok}");
        }
        for no in [
            "http://localhost.evil.example/",
            "http://127.0.0.1.evil.example/",
            "http://128.0.0.1/",
            "http://127.0.0.256/",
            "http://[::2]/",
        ] {
            assert!(!parse(no).unwrap().is_loopback(), "{no}");
        }
    }

    #[test]
    fn default_ports_compare_equal() {
        let a = parse("https://app.example:443/cb").unwrap();
        let b = parse("https://APP.example/cb?code=1").unwrap();
        assert!(a.same_origin_and_path(&b));
        assert!(!a.same_origin_and_path(&parse("https://app.example/cb2").unwrap()));
        assert!(!a.same_origin_and_path(&parse("http://app.example/cb").unwrap()));
    }
}
