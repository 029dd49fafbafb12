//! `application/x-www-form-urlencoded` encoding and decoding (WHATWG URL §5).
use alloc::string::String;
use alloc::vec::Vec;

/// Appends `s` form-urlencoded: `A-Za-z0-9*-._` kept, space as `+`, every other byte `%XX`.
pub fn push_encoded(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' => out.push(char::from(b)),
            b' ' => out.push('+'),
            _ => {
                out.push('%');
                out.push(char::from(HEX[usize::from(b >> 4)]));
                out.push(char::from(HEX[usize::from(b & 15)]));
            }
        }
    }
}

/// `url` ready for `push_pair`: with a `?` appended unless it already has a query.
pub fn with_query(url: &str) -> String {
    let mut out = String::from(url);
    if crate::text::find(&out, b'?').is_none() {
        out.push('?');
    }
    out
}

/// Appends `name=value`, preceded by `&` unless `out` is empty or ends with `?` or `&`.
pub fn push_pair(out: &mut String, name: &str, value: &str) {
    if !(out.is_empty() || out.ends_with('?') || out.ends_with('&')) {
        out.push('&');
    }
    push_encoded(out, name);
    out.push('=');
    push_encoded(out, value);
}

/// Decodes one component: `+` is a space, `%XX` a byte; malformed escapes stay as they are;
/// a result that is not UTF-8 becomes one U+FFFD (no value we compare can be one).
pub fn decode(s: &str) -> String {
    String::from_utf8(decode_bytes(s)).unwrap_or_else(|_| String::from("\u{fffd}"))
}

/// Decodes one component to its bytes, UTF-8 or not (`%FF` and `%FE` stay different).
pub fn decode_bytes(s: &str) -> Vec<u8> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => match (bytes.get(i + 1).and_then(hex), bytes.get(i + 2).and_then(hex)) {
                (Some(hi), Some(lo)) => {
                    out.push(hi << 4 | lo);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    out
}

fn hex(b: &u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Splits a query or fragment into decoded `(name, value)` pairs, skipping empty segments.
pub fn parse(query: &str) -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    for segment in crate::text::split(query, b'&').filter(|segment| !segment.is_empty()) {
        let (name, value) = crate::text::split_once(segment, b'=').unwrap_or((segment, ""));
        pairs.push((decode(name), decode(value)));
    }
    pairs
}

/// Removes the pairs whose decoded name is in `names`, keeping the others byte for byte.
pub fn without(query: &str, names: &[&str]) -> String {
    let mut kept = String::new();
    for segment in crate::text::split(query, b'&') {
        let name = crate::text::split_once(segment, b'=').map_or(segment, |(n, _)| n);
        if !segment.is_empty() && !names.contains(&decode(name).as_str()) {
            if !kept.is_empty() {
                kept.push('&');
            }
            kept.push_str(segment);
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_like_urlsearchparams() {
        let mut out = String::new();
        push_pair(&mut out, "redirect_uri", "https://app.example/cb?x=1&y=a b");
        assert_eq!(out, "redirect_uri=https%3A%2F%2Fapp.example%2Fcb%3Fx%3D1%26y%3Da+b");
        let mut out = String::new();
        push_encoded(&mut out, "é~*-._");
        assert_eq!(out, "%C3%A9%7E*-._");
    }

    #[test]
    fn decodes_and_round_trips() {
        let input = "a b&c=d/é%+~";
        let mut enc = String::new();
        push_encoded(&mut enc, input);
        assert_eq!(decode(&enc), input);
        assert_eq!(decode("%zz%4"), "%zz%4");
        assert_eq!(decode("%ff"), "\u{fffd}");
    }

    #[test]
    fn parses_pairs() {
        assert_eq!(
            parse("a=1&&b&c=x%3Dy=z"),
            vec![("a".into(), "1".into()), ("b".into(), "".into()), ("c".into(), "x=y=z".into())]
        );
    }

    #[test]
    fn removes_names_and_keeps_the_rest_verbatim() {
        assert_eq!(without("page=2&code=abc&st%61te=s&x=%2F", &["code", "state"]), "page=2&x=%2F");
        assert_eq!(without("code=1", &["code"]), "");
    }
}
