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
