//! `fetch()`'s rules for a request to a resource server, for every runner (the JS API's
//! `fetch()` and the Rust `Client::fetch`): where the access token may go, with which scheme, and
//! what the server's answer asks for. DPoP's nonce retry is `dpop::Session::observe`'s.
use crate::config::ClientConfig;
use crate::dpop;
use crate::error::{ErrorCode, OAuthError, Result};
use crate::http::{self, Response};
use crate::json::JsonObject;

/// The `Authorization` scheme of a request to `url`: only to `resourceOrigins`, never to a URL
/// with user info; `untrusted_destination` (before any request) elsewhere.
pub fn destination(config: &ClientConfig, url: &str) -> Result<&'static str> {
    if !config.is_resource(url) {
        return Err(untrusted());
    }
    Ok(dpop::scheme(config))
}

/// The error for a destination outside `resourceOrigins`.
pub fn untrusted() -> OAuthError {
    OAuthError::new(ErrorCode::UntrustedDestination, "this origin is not in resourceOrigins")
        .with_field("resourceOrigins")
}

/// What a resource server's `answer` says of the access token: true when it refused it (a `401`
/// with an `invalid_token` challenge, RFC 6750 §3.1: refresh once and send again); a redirect is
/// `untrusted_destination` (never followed: the proof, the token and the body would go to a
/// destination nobody checked).
pub fn refused<J: JsonObject>(config: &ClientConfig, answer: &Response<J>) -> Result<bool> {
    if answer.is_redirect() {
        return Err(http::redirected());
    }
    let scheme = dpop::scheme(config);
    let challenge = answer.header("www-authenticate").and_then(|h| dpop::challenge_error(h, scheme));
    Ok(answer.status == 401 && challenge.as_deref() == Some("invalid_token"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config;
    use crate::http::Body;

    fn answer(status: u16, headers: &[(&str, &str)]) -> Response<serde_json::Value> {
        let headers = headers.iter().map(|(n, v)| ((*n).into(), (*v).into())).collect();
        Response { status, headers, body: Body::NotAnObject }
    }

    #[test]
    fn the_token_goes_only_to_resource_origins_and_a_refusal_or_redirect_is_told() {
        let mut config = config::sample();
        config.resource_origins = vec!["https://api.example".into()];
        assert_eq!(destination(&config, "https://api.example/me").unwrap(), "Bearer");
        for elsewhere in ["https://other.example/me", "https://user:pass@api.example/me", "not a url"] {
            assert_eq!(
                destination(&config, elsewhere).unwrap_err().code,
                ErrorCode::UntrustedDestination,
                "{elsewhere}"
            );
        }
        let invalid = answer(401, &[("www-authenticate", r#"Bearer error="invalid_token""#)]);
        assert!(refused(&config, &invalid).unwrap());
        let other = answer(401, &[("www-authenticate", r#"Bearer error="insufficient_scope""#)]);
        assert!(!refused(&config, &other).unwrap());
        assert!(!refused(&config, &answer(200, &[])).unwrap());
        let moved = refused(&config, &answer(307, &[("location", "https://elsewhere.example/")])).unwrap_err();
        assert_eq!((moved.code, moved.field), (ErrorCode::UntrustedDestination, Some("redirect")));
        config.dpop = true;
        assert!(!refused(&config, &invalid).unwrap(), "a DPoP client reads the DPoP challenge only");
    }
}
