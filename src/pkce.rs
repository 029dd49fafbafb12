//! PKCE (RFC 7636) with S256 only: verifiers, challenges and `state` values.
use alloc::string::String;

use crate::base64url;
use crate::error::{err, ErrorCode, Result};
use sha2::{Digest, Sha256};

/// Bytes of entropy in a verifier and in a `state` (256 bits, RFC 7636 §7.1 and RFC 9700 §4.7).
pub const RANDOM_BYTES: usize = 32;

/// Length of a generated verifier or state: 32 bytes as unpadded base64url.
pub const ENCODED_LEN: usize = 43;

/// Encodes 32 random bytes as a code verifier (43 characters of base64url).
pub fn verifier_from_bytes(bytes: &[u8; RANDOM_BYTES]) -> String {
    base64url::encode(bytes)
}

/// Checks RFC 7636 §4.1: 43–128 characters from `[A-Z a-z 0-9 - . _ ~]`.
pub fn validate_verifier(verifier: &str) -> Result<()> {
    let unreserved = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~');
    if !(43..=128).contains(&verifier.len()) {
        return err(ErrorCode::InvalidVerifier, "code verifier must be 43 to 128 characters");
    }
    if !verifier.bytes().all(unreserved) {
        return err(ErrorCode::InvalidVerifier, "code verifier has a character outside [A-Za-z0-9-._~]");
    }
    Ok(())
}

/// `BASE64URL(SHA256(ASCII(verifier)))`, RFC 7636 §4.2; rejects an invalid verifier.
pub fn challenge_s256(verifier: &str) -> Result<String> {
    validate_verifier(verifier)?;
    Ok(base64url::encode(&Sha256::digest(verifier.as_bytes())))
}

/// True when `state` has the shape of a state this library generates.
pub fn is_generated_state(state: &str) -> bool {
    state.len() == ENCODED_LEN && base64url::is_base64url(state)
}

/// Compares two strings in time that depends only on their lengths.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let diff = a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    core::hint::black_box(diff) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc7636_appendix_b_vector() {
        let octets: [u8; 32] = [
            116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22, 212, 37, 77, 105, 214, 191,
            240, 91, 88, 5, 88, 83, 132, 141, 121,
        ];
        let verifier = verifier_from_bytes(&octets);
        assert_eq!(verifier, "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
        assert_eq!(challenge_s256(&verifier).unwrap(), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    }

    #[test]
    fn verifier_length_bounds() {
        assert_eq!(challenge_s256(&"a".repeat(42)).unwrap_err().code, ErrorCode::InvalidVerifier);
        assert!(challenge_s256(&"a".repeat(43)).is_ok());
        assert!(challenge_s256(&"a".repeat(128)).is_ok());
        assert_eq!(challenge_s256(&"a".repeat(129)).unwrap_err().code, ErrorCode::InvalidVerifier);
    }

    #[test]
    fn verifier_charset() {
        let ok = "abcABC012-._~".repeat(4);
        assert!(challenge_s256(&ok).is_ok());
        for bad in ['+', '/', '=', ' ', 'é', '%'] {
            let v = format!("{}{bad}", "a".repeat(43));
            assert_eq!(challenge_s256(&v).unwrap_err().code, ErrorCode::InvalidVerifier, "{bad:?}");
        }
    }

    #[test]
    fn generated_state_shape() {
        assert!(is_generated_state(&verifier_from_bytes(&[7; 32])));
        assert!(!is_generated_state("short"));
        assert!(!is_generated_state(&"+".repeat(43)));
    }

    #[test]
    fn constant_time_eq_compares() {
        assert!(constant_time_eq("abc", "abc"));
        assert!(!constant_time_eq("abc", "abd"));
        assert!(!constant_time_eq("abc", "abcd"));
    }
}
