//! String building without `core::fmt` or the generic slice `concat`, which cost wasm bytes.

use alloc::string::String;

/// `parts` joined with nothing between them.
pub(crate) fn concat(parts: &[&str]) -> String {
    let mut out = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for part in parts {
        out.push_str(part);
    }
    out
}

// Byte searches for ASCII separators: a char pattern links core's `CharSearcher`, `memchr` and
// `Split` into the wasm; for an ASCII byte the result is the same (UTF-8 never has an ASCII
// byte inside a longer character), so every cut is at a char boundary.

/// The index of the first `byte` (ASCII) in `s`.
pub(crate) fn find(s: &str, byte: u8) -> Option<usize> {
    s.bytes().position(|b| b == byte)
}

/// `s` before and after its first `byte` (ASCII), as `str::split_once`.
pub(crate) fn split_once(s: &str, byte: u8) -> Option<(&str, &str)> {
    let (before, after) = s.split_at_checked(find(s, byte)?)?;
    Some((before, after.get(1..)?))
}

/// The parts of `s` between the `byte`s (ASCII), as `str::split`.
pub(crate) fn split(s: &str, byte: u8) -> Split<'_> {
    Split { rest: Some(s), byte }
}

/// `s` without the `byte`s (ASCII) at its end, as `str::trim_end_matches`.
pub(crate) fn trim_end(s: &str, byte: u8) -> &str {
    let mut end = s.len();
    while end > 0 && s.as_bytes().get(end - 1) == Some(&byte) {
        end -= 1;
    }
    s.get(..end).unwrap_or_default()
}

/// The iterator of `split`.
pub(crate) struct Split<'a> {
    rest: Option<&'a str>,
    byte: u8,
}

impl<'a> Iterator for Split<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let rest = self.rest?;
        let (part, after) = match split_once(rest, self.byte) {
            Some((part, after)) => (part, Some(after)),
            None => (rest, None),
        };
        self.rest = after;
        Some(part)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    #[test]
    fn byte_searches_agree_with_strs_char_searches() {
        for s in ["", "a", "&", "a&b", "&a&&b&", "é&ü=ö&", "==x==", "/a/b//", "a;b;c"] {
            for (byte, c) in [(b'&', '&'), (b'=', '='), (b'/', '/'), (b';', ';'), (b'x', 'x')] {
                assert_eq!(find(s, byte), s.find(c), "{s:?} {c}");
                assert_eq!(split_once(s, byte), s.split_once(c), "{s:?} {c}");
                assert_eq!(split(s, byte).collect::<Vec<_>>(), s.split(c).collect::<Vec<_>>(), "{s:?} {c}");
                assert_eq!(trim_end(s, byte), s.trim_end_matches(c), "{s:?} {c}");
            }
        }
    }
}
