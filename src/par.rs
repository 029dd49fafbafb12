//! Pushed authorization requests (RFC 9126): the authorization parameters go to the PAR
//! endpoint in a POST, and the browser is sent with only `client_id` and the `request_uri`
//! that came back.
use alloc::string::String;

use crate::config::ClientConfig;
use crate::error::{ErrorCode, OAuthError, Result};
use crate::http::{Body, Request, Response};
use crate::json::{JsonField, JsonObject};
use crate::token;

/// The POST of the authorization request's form-encoded `parameters` to the PAR endpoint.
pub fn request(config: &ClientConfig, parameters: String) -> Result<Request> {
    let endpoint = config.par_endpoint.as_deref().ok_or_else(|| {
        OAuthError::new(ErrorCode::InvalidConfig, "parEndpoint is not configured or discovered")
            .with_field("parEndpoint")
    })?;
    Ok(Request::form_post(endpoint, parameters, config.timeout))
}

/// The `request_uri` of a pushed authorization response (RFC 9126 §2.2: `201` with
/// `request_uri` and `expires_in`); `par_error` with the server's fields for an error
/// response (§2.3), `invalid_par_response` for anything else.
pub fn read_response<J: JsonObject>(response: &Response<J>) -> Result<String> {
    let body = response.json();
    if !response.is_success() {
        return Err(token::server_error(ErrorCode::ParError, response.status, body)
            .unwrap_or_else(|| invalid(response.status, "the PAR endpoint failed without an OAuth error body")));
    }
    if matches!(response.body, Body::TooLarge) {
        return Err(invalid(response.status, "response is larger than 1 MiB"));
    }
    let body = body.ok_or_else(|| invalid(response.status, "body is not a JSON object"))?;
    let request_uri = match body.field("request_uri") {
        JsonField::Str(uri) if !uri.is_empty() => uri,
        _ => return Err(invalid(response.status, "request_uri is not a string").with_field("request_uri")),
    };
    if !matches!(body.field("expires_in"), JsonField::Num(n) if n > 0.0) {
        return Err(invalid(response.status, "expires_in is not a positive number").with_field("expires_in"));
    }
    Ok(request_uri)
}

fn invalid(status: u16, message: &'static str) -> OAuthError {
    OAuthError::new(ErrorCode::InvalidParResponse, message).status(status)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::testing::object;

    fn answer(status: u16, body: &str) -> Response<serde_json::Value> {
        let body = object(body).map_or(Body::NotAnObject, Body::Object);
        Response { status, headers: alloc::vec![("content-type".into(), "application/json".into())], body }
    }

    #[test]
    fn a_pushed_request_gives_its_request_uri() {
        let uri = "urn:ietf:params:oauth:request_uri:6esc_11ACC5bwc014ltc14eY22c";
        let ok = answer(201, &format!(r#"{{"request_uri":"{uri}","expires_in":60}}"#));
        assert_eq!(read_response(&ok).unwrap(), uri);
    }

    #[test]
    fn each_bad_answer_has_its_code() {
        let refused =
            read_response(&answer(400, r#"{"error":"invalid_request","error_description":"no"}"#)).unwrap_err();
        assert_eq!(
            (refused.code, refused.error.as_deref(), refused.status),
            (ErrorCode::ParError, Some("invalid_request"), Some(400))
        );
        assert_eq!(read_response(&answer(500, "<html>")).unwrap_err().code, ErrorCode::InvalidParResponse);
        for body in [
            r#"{"expires_in":60}"#,
            r#"{"request_uri":"","expires_in":60}"#,
            r#"{"request_uri":"u"}"#,
            r#"{"request_uri":"u","expires_in":0}"#,
            "[]",
        ] {
            assert_eq!(read_response(&answer(201, body)).unwrap_err().code, ErrorCode::InvalidParResponse, "{body}");
        }
        let mut config = crate::config::sample();
        assert_eq!(request(&config, String::new()).unwrap_err().code, ErrorCode::InvalidConfig);
        config.par_endpoint = Some("https://as.example/par".into());
        assert_eq!(request(&config, "a=b".into()).unwrap().url, "https://as.example/par");
    }
}
