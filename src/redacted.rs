//! What `Debug` prints in place of a secret (a token, a verifier), as oauth2-rs's secret types do:
//! a `{:?}` of a token set or a pending login in a log or a panic message shows no credential.

use core::fmt;

/// Prints `[redacted]`.
pub(crate) struct Redacted;

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// `Some([redacted])` for a present secret, `None` for an absent one.
pub(crate) fn optional(secret: &Option<alloc::string::String>) -> Option<Redacted> {
    secret.as_ref().map(|_| Redacted)
}
