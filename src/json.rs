//! JSON without a JSON crate: parsed objects are read through `JsonObject` (the browser's
//! `JSON.parse` in production), and the one record we write is built by hand.
use alloc::string::String;
use alloc::vec::Vec;

/// One member of a parsed JSON object, classified by type.
#[derive(Clone, Debug, PartialEq)]
pub enum JsonField {
    /// The member is not there.
    Absent,
    /// `null`.
    Null,
    /// A string.
    Str(String),
    /// A number.
    Num(f64),
    /// `true` or `false`.
    Bool(bool),
    /// An array or an object.
    Other,
}

/// Read access to a parsed JSON object.
pub trait JsonObject {
    /// The member named `key`.
    fn field(&self, key: &str) -> JsonField;
    /// The member named `key` when it is an array of strings only.
    fn strings(&self, key: &str) -> Option<Vec<String>>;

    /// The member named `key` when it is a string.
    fn string(&self, key: &str) -> Option<String> {
        match self.field(key) {
            JsonField::Str(s) => Some(s),
            _ => None,
        }
    }
}

/// True for a `Content-Type` of `application/json` or any `+json` type, parameters ignored
/// (RFC 6749 §5.1, RFC 8414 §3.2: answers are `application/json`).
pub fn is_json_media_type(content_type: &str) -> bool {
    // `trim_ascii`: HTTP's optional whitespace is spaces and tabs (`trim` would link Unicode's
    // whitespace table).
    let essence = crate::text::split(content_type, b';').next().unwrap_or_default().trim_ascii().to_ascii_lowercase();
    essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// Appends `s` as a JSON string literal. Byte by byte: only ASCII needs escaping, and the
/// runs between escapes are copied whole (no UTF-8 decoding and re-encoding in the wasm).
pub fn push_string(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    let mut run = 0;
    for (i, b) in s.bytes().enumerate() {
        if !(b == b'"' || b == b'\\' || b < 0x20) {
            continue;
        }
        out.push_str(s.get(run..i).unwrap_or_default()); // `i` is an ASCII byte: a char boundary
        out.push('\\');
        match b {
            b'"' | b'\\' => out.push(char::from(b)),
            _ => {
                out.push_str("u00");
                out.push(char::from(HEX[usize::from(b >> 4)]));
                out.push(char::from(HEX[usize::from(b & 15)]));
            }
        }
        run = i + 1;
    }
    out.push_str(s.get(run..).unwrap_or_default());
    out.push('"');
}

/// Appends `n` in decimal (no `core::fmt`).
pub fn push_u64(out: &mut String, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &d in &digits[i..] {
        out.push(char::from(d));
    }
}

/// Appends `"key":"value"` for each present value to an object under construction.
pub fn push_string_members(out: &mut String, members: &[(&str, Option<&String>)]) {
    for (key, value) in members {
        if let Some(value) = value {
            push_key(out, key);
            push_string(out, value);
        }
    }
}

/// Appends `"key":` to an object under construction.
pub fn push_key(out: &mut String, key: &str) {
    if !out.ends_with('{') {
        out.push(',');
    }
    push_string(out, key);
    out.push(':');
}

/// `JsonObject` over `serde_json`, for this crate's unit tests, `tests/properties.rs` and the
/// fuzz targets (feature `testing`; never in the npm build).
#[cfg(any(test, feature = "testing"))]
pub mod testing {
    use super::{JsonField, JsonObject};
    use alloc::string::String;
    use alloc::vec::Vec;

    impl JsonObject for serde_json::Value {
        fn field(&self, key: &str) -> JsonField {
            match self.get(key) {
                None => JsonField::Absent,
                Some(serde_json::Value::Null) => JsonField::Null,
                Some(serde_json::Value::String(s)) => JsonField::Str(s.clone()),
                Some(serde_json::Value::Number(n)) => JsonField::Num(n.as_f64().unwrap_or(f64::NAN)),
                Some(serde_json::Value::Bool(b)) => JsonField::Bool(*b),
                Some(_) => JsonField::Other,
            }
        }

        fn strings(&self, key: &str) -> Option<Vec<String>> {
            self.get(key)?.as_array()?.iter().map(|v| v.as_str().map(String::from)).collect()
        }
    }

    /// Parses `text` as a JSON object, `None` otherwise (what the browser adapter does).
    pub fn object(text: &str) -> Option<serde_json::Value> {
        serde_json::from_str::<serde_json::Value>(text).ok().filter(|v| v.is_object())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_escape_and_round_trip() {
        let input = "a\"b\\c\u{1}\n\u{1f}é😀</script>";
        let mut out = String::new();
        push_string(&mut out, input);
        assert_eq!(serde_json::from_str::<String>(&out).unwrap(), input);
    }

    #[test]
    fn json_media_types() {
        for ok in ["application/json", "Application/JSON; charset=utf-8", "application/jwk-set+json"] {
            assert!(is_json_media_type(ok), "{ok}");
        }
        for no in [
            "",
            "text/plain",
            "text/html; charset=utf-8",
            "application/jsonx",
            "text/json",
            "application/x-www-form-urlencoded",
        ] {
            assert!(!is_json_media_type(no), "{no}");
        }
    }

    #[test]
    fn integers() {
        for n in [0u64, 7, 10, 1_700_000_000_000, u64::MAX] {
            let mut out = String::new();
            push_u64(&mut out, n);
            assert_eq!(out, n.to_string());
        }
    }
}
