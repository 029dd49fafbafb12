//! A strict parser for the absolute `http(s)` URLs a client is configured with and called back on.
//!
//! The browser's URL parser (WHATWG) is the judge: `parse` accepts only URLs that WHATWG
//! reads with the same scheme, host, port, user info, path, query and fragment, and refuses
//! every form it would rewrite (`\`, dot segments, numeric hosts other than dotted-quad IPv4,
//! IPv6 other than `[::1]`, punycode labels, characters it percent-encodes, non-ASCII), and
//! `|` in a path, which Chromium percent-encodes though WHATWG does not.
use alloc::string::String;

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
    if s.bytes().any(|b| b <= b' ' || b >= 0x7f || b == b'\\') {
        return None;
    }
    let (scheme, rest) = split_scheme(s)?;
    let scheme = scheme.to_ascii_lowercase();
    let default_port = match scheme.as_str() {
        "https" => 443,
        "http" => 80,
        _ => return None,
    };
    let (before_fragment, fragment) = split_off(rest, b'#');
    let (before_query, query) = split_off(before_fragment, b'?');
    // `split_at_checked`, not `split_at` or `[..]`: no panic path (core's `slice_error_fail`) in the wasm.
    let authority_end = crate::text::find(before_query, b'/').unwrap_or(before_query.len());
    let (authority, path) = before_query.split_at_checked(authority_end)?;
    // Byte searches from the end, not `rsplit_once`/`rsplit`: core's reverse char searcher
    // (~0.7 KB) stays out of the wasm.
    let (has_userinfo, host_port) = match after_last(authority, b'@') {
        Some(host_port) => (true, host_port),
        None => (false, authority),
    };
    let (host, port) = split_host_port(host_port)?;
    let path_ok = path.bytes().all(|b| !matches!(b, b'"' | b'<' | b'>' | b'`' | b'{' | b'}' | b'^' | b'|'))
        && !crate::text::split(path, b'/').any(is_dot_segment);
    let query_ok = query.is_none_or(|q| q.bytes().all(|b| !matches!(b, b'"' | b'<' | b'>' | b'\'')));
    let fragment_ok = fragment.is_none_or(|f| f.bytes().all(|b| !matches!(b, b'"' | b'<' | b'>' | b'`')));
    if !(is_plain_host(host) && path_ok && query_ok && fragment_ok) {
        return None;
    }
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
    let (scheme, rest) = crate::text::split_once(s, b':')?;
    Some((scheme, rest.strip_prefix("//")?))
}

/// What follows the last `byte` (ASCII) in `s`.
fn after_last(s: &str, byte: u8) -> Option<&str> {
    let at = s.bytes().rposition(|b| b == byte)?;
    s.get(at + 1..)
}

fn split_off(s: &str, separator: u8) -> (&str, Option<&str>) {
    match crate::text::split_once(s, separator) {
        Some((head, tail)) => (head, Some(tail)),
        None => (s, None),
    }
}

fn split_host_port(host_port: &str) -> Option<(&str, Option<u16>)> {
    let (host, port) = if host_port.starts_with('[') {
        let close = crate::text::find(host_port, b']')?;
        let (host, rest) = host_port.split_at_checked(close + 1)?;
        // Only `:port` may follow `]` (WHATWG refuses `[::1]evil.example`).
        (host, if rest.is_empty() { None } else { Some(rest.strip_prefix(':')?) })
    } else {
        split_off(host_port, b':')
    };
    if host.is_empty() || host.len() > 255 {
        return None;
    }
    let port = match port {
        None => None,
        Some(digits) if !digits.is_empty() && digits.len() <= 5 && digits.bytes().all(|b| b.is_ascii_digit()) => {
            Some(u16::try_from(decimal(digits)).ok()?)
        }
        Some(_) => return None,
    };
    Some((host, port))
}

/// `.` or `..`, spelled with `%2e` or not: WHATWG removes these segments.
fn is_dot_segment(segment: &str) -> bool {
    // A list, not `str::replace`: a substring search would pull ~1 KB of searcher into the wasm.
    [".", "..", "%2e", ".%2e", "%2e.", "%2e%2e"].iter().any(|dots| segment.eq_ignore_ascii_case(dots))
}

/// A host WHATWG keeps as it is (ASCII case aside): `[::1]`, a dotted-quad IPv4 address in
/// canonical form, or a name of `[A-Za-z0-9._-]` whose last label is not numeric and has no
/// `xn--` label (IDNA would decode, and may refuse, it).
fn is_plain_host(host: &str) -> bool {
    if host.starts_with('[') {
        return host == "[::1]";
    }
    if !host.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_')) {
        return false;
    }
    let starts = |label: &str, prefix: &str| label.get(..prefix.len()).is_some_and(|p| p.eq_ignore_ascii_case(prefix));
    if crate::text::split(host, b'.').any(|label| starts(label, "xn--")) {
        return false;
    }
    let name = host.strip_suffix('.').unwrap_or(host);
    let last = after_last(name, b'.').unwrap_or(name);
    let numeric = (!last.is_empty() && last.bytes().all(|b| b.is_ascii_digit()))
        || (starts(last, "0x") && last.bytes().skip(2).all(|b| b.is_ascii_hexdigit()));
    !numeric || is_dotted_quad(host)
}

/// Four decimal octets 0–255 without leading zeros (which WHATWG reads as octal).
fn is_dotted_quad(host: &str) -> bool {
    let mut octets = 0;
    let all_octets = crate::text::split(host, b'.').all(|o| {
        octets += 1;
        let digits = !o.is_empty() && o.len() <= 3 && o.bytes().all(|b| b.is_ascii_digit());
        digits && (o.len() == 1 || !o.starts_with('0')) && decimal(o) <= 255
    });
    all_octets && octets == 4
}

/// The value of a short run of ASCII digits (checked by the caller); no `str::parse`, whose
/// generic integer parsing costs wasm bytes.
fn decimal(digits: &str) -> u32 {
    digits.bytes().fold(0, |n, d| n * 10 + u32::from(d - b'0'))
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
        self.same_origin(other) && self.path == other.path
    }

    /// True when both have the same scheme, host and port.
    pub fn same_origin(&self, other: &Url<'_>) -> bool {
        self.scheme == other.scheme && self.host == other.host && self.port == other.port
    }
}

fn is_ipv4_loopback(host: &str) -> bool {
    host.starts_with("127.") && is_dotted_quad(host)
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
            "http://evil.example\\@127.0.0.1/",
            "http://127.1/",
            "http://0x7f.0.0.1/",
            "http://2130706433/",
            "http://0177.0.0.1/",
            "http://127.0.0.1./",
            "https://[0:0::1]/",
            "https://xn--a.example/",
            "https://ex%41mple.example/",
            "https://caf\u{e9}.example/",
            "https://a.example/x/../cb",
            "https://a.example/%2E/cb",
            "https://a.example/{cb}",
            "https://a.example/cb?x='",
            "http://[::1]evil.example/t",
            "http://[::1]x:80/",
            "http://[::1]]/",
            "http://[::1].evil.example/",
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
            assert!(parse(no).is_none_or(|u| !u.is_loopback()), "{no}");
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
