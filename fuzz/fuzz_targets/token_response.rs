//! Any bytes as a token endpoint body: whatever `JSON.parse` would accept as an object goes
//! through the validator for a few statuses, and an accepted `id_token` through the ID token
//! checks; each answers or gives an `OAuthError`, never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pkce_wasm::fakes::FakeEnv; // the shared fakes (feature `testing`): its clock is NOW
use pkce_wasm::id_token::{self, Expected};
use pkce_wasm::json::testing::object; // JSON.parse + the object check, as the browser adapter
use pkce_wasm::{token, ErrorCode};

const STATUSES: [u16; 8] = [200, 201, 204, 302, 400, 401, 500, 0];
const NOW: f64 = 1_700_000_000_000.0;

fuzz_target!(|data: &[u8]| {
    let body = std::str::from_utf8(data).ok().and_then(object);
    for status in STATUSES {
        match token::parse_response(status, body.as_ref(), NOW) {
            Ok(tokens) => {
                assert!((200..300).contains(&status));
                assert!(!tokens.access_token.is_empty());
                assert!(["bearer", "dpop"].iter().any(|t| tokens.token_type.eq_ignore_ascii_case(t)));
                assert!(tokens.expires_at.is_none_or(|at| at >= (NOW / 1000.0) as u64));
                if let Some(jwt) = &tokens.id_token {
                    for nonce in [None, Some("n0nce")] {
                        let expected =
                            Expected { issuer: Some("https://as.example"), client_id: "spa", nonce, now: NOW };
                        if let Err(error) = id_token::validate(jwt, &expected, &FakeEnv::default()) {
                            assert_eq!(error.code, ErrorCode::IdTokenInvalid);
                        }
                    }
                }
            }
            Err(error) => {
                assert!(matches!(error.code, ErrorCode::TokenError | ErrorCode::InvalidTokenResponse));
                assert_eq!(error.status, Some(status));
            }
        }
    }
});
