//! OpenID Connect UserInfo (OIDC Core §5.3): the GET with the access token, and the answer,
//! used only when it is a JSON object whose `sub` is the ID token's (§5.3.2: else it may be
//! another user's claims, substituted).
use crate::config::ClientConfig;
use crate::dpop;
use crate::error::{ErrorCode, OAuthError, Result};
use crate::http::{Request, Response};
use crate::json::{JsonField, JsonObject};

/// The UserInfo request for `access_token` (its DPoP proof, when `dpop`, is the driver's to add).
pub fn request(config: &ClientConfig, access_token: &str) -> Result<Request> {
    let endpoint = config.userinfo_endpoint.as_deref().ok_or_else(|| {
        OAuthError::new(ErrorCode::InvalidConfig, "userinfoEndpoint is not configured or discovered")
            .with_field("userinfoEndpoint")
    })?;
    let mut request = Request::get(endpoint, config.timeout);
    request.headers.push(("authorization", crate::text::concat(&[dpop::scheme(config), " ", access_token])));
    Ok(request)
}

/// The claims of a UserInfo answer, checked against the ID token's `sub` (`id_sub`; none when
/// no ID token is held): `userinfo_error` with the status and the challenge's `error` for a
/// refusal, `invalid_userinfo_response` (`field` `sub` for a missing or other user) for the rest.
/// A signed or encrypted answer (`application/jwt`) is not read.
pub fn read_response<'r, J: JsonObject>(
    config: &ClientConfig,
    response: &'r Response<J>,
    id_sub: Option<&str>,
) -> Result<&'r J> {
    if !response.is_success() {
        let refused = OAuthError::new(ErrorCode::UserinfoError, "the UserInfo endpoint refused the request");
        let challenge =
            response.header("www-authenticate").and_then(|h| dpop::challenge_error(h, dpop::scheme(config)));
        return Err(match challenge {
            Some(error) => refused.with_server(error, None, None),
            None => refused,
        }
        .status(response.status));
    }
    let claims = response.json().ok_or_else(|| invalid(response.status, "body is not a JSON object"))?;
    let Some(id_sub) = id_sub else {
        return Err(invalid(response.status, "no ID token is held to compare sub with").with_field("sub"));
    };
    match claims.field("sub") {
        JsonField::Str(sub) if sub == id_sub => Ok(claims),
        JsonField::Str(_) => Err(invalid(response.status, "sub is not the ID token's sub").with_field("sub")),
        _ => Err(invalid(response.status, "sub is missing").with_field("sub")),
    }
}

fn invalid(status: u16, message: &'static str) -> OAuthError {
    OAuthError::new(ErrorCode::InvalidUserinfoResponse, message).status(status)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::Body;
    use crate::json::testing::object;

    fn answer(status: u16, content_type: &str, body: &str) -> Response<serde_json::Value> {
        let headers = alloc::vec![
            ("content-type".into(), content_type.into()),
            ("www-authenticate".into(), "DPoP error=\"invalid_token\", algs=\"ES256\"".into()),
        ];
        Response { status, headers, body: object(body).map_or(Body::NotAnObject, Body::Object) }
    }

    fn config(dpop: bool) -> ClientConfig {
        let mut config = crate::config::sample();
        config.userinfo_endpoint = Some("https://as.example/me".into());
        config.dpop = dpop;
        config
    }

    #[test]
    fn the_request_carries_the_token_in_its_scheme() {
        let get = request(&config(false), "at").unwrap();
        assert_eq!((get.method.as_str(), get.url.as_str()), ("GET", "https://as.example/me"));
        assert_eq!(get.headers, [("authorization", "Bearer at".into())]);
        assert_eq!(request(&config(true), "at").unwrap().headers, [("authorization", "DPoP at".into())]);
        let none = request(&crate::config::sample(), "at").unwrap_err();
        assert_eq!((none.code, none.field), (ErrorCode::InvalidConfig, Some("userinfoEndpoint")));
    }

    #[test]
    fn claims_are_used_only_for_the_id_tokens_subject() {
        let ok = answer(200, "application/json", r#"{"sub":"u","email":"u@example"}"#);
        assert!(read_response(&config(false), &ok, Some("u")).is_ok());
        for (response, sub, code, field) in [
            (ok.clone(), Some("v"), ErrorCode::InvalidUserinfoResponse, Some("sub")),
            (ok.clone(), None, ErrorCode::InvalidUserinfoResponse, Some("sub")),
            (
                answer(200, "application/json", r#"{"email":"u@example"}"#),
                Some("u"),
                ErrorCode::InvalidUserinfoResponse,
                Some("sub"),
            ),
            (
                answer(200, "application/json", r#"{"sub":1}"#),
                Some("u"),
                ErrorCode::InvalidUserinfoResponse,
                Some("sub"),
            ),
            (answer(200, "application/jwt", r#"{"sub":"u"}"#), Some("u"), ErrorCode::InvalidUserinfoResponse, None),
            (answer(200, "application/json", "[1]"), Some("u"), ErrorCode::InvalidUserinfoResponse, None),
        ] {
            let error = read_response(&config(false), &response, sub).unwrap_err();
            assert_eq!((error.code, error.field), (code, field), "{response:?} {sub:?}");
        }
    }

    #[test]
    fn a_refusal_names_the_challenge_of_the_tokens_scheme() {
        let refused = answer(401, "application/json", "{}");
        let dpop = read_response(&config(true), &refused, Some("u")).unwrap_err();
        assert_eq!(
            (dpop.code, dpop.status, dpop.error.as_deref()),
            (ErrorCode::UserinfoError, Some(401), Some("invalid_token"))
        );
        let bearer = read_response(&config(false), &refused, Some("u")).unwrap_err();
        assert_eq!(
            (bearer.code, bearer.error.clone()),
            (ErrorCode::UserinfoError, None),
            "a Bearer client reads Bearer challenges"
        );
    }
}
