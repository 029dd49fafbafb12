//! Token endpoint requests and responses (RFC 6749 §4.1.3–§5.2, §6) for a public client.
use alloc::string::String;

use crate::config::ClientConfig;
use crate::error::{ErrorCode, OAuthError, Result};
use crate::form;
use crate::http::{self, Body, Response, Step};
use crate::json::{self, JsonField, JsonObject};
use crate::redacted::{self, Redacted};

/// Latest `expiresAt` given out: 9999-12-31T23:59:59Z, which `new Date(expiresAt * 1000)` shows.
pub const MAX_EXPIRES_AT: u64 = 253_402_300_799;

/// Tokens handed to the app (the JS `TokenSet`).
#[derive(Clone, PartialEq, Eq)]
pub struct TokenSet {
    /// The access token.
    pub access_token: String,
    /// `Bearer` or `DPoP`, as the server spelled it.
    pub token_type: String,
    /// Epoch seconds when the access token expires, from `expires_in`.
    pub expires_at: Option<u64>,
    /// The refresh token, if any.
    pub refresh_token: Option<String>,
    /// The OpenID Connect ID token, if any (not verified here).
    pub id_token: Option<String>,
    /// The granted scope, when the server states it.
    pub scope: Option<String>,
    /// The ID token's claims as JSON text, once checked (see `id_token`).
    pub claims: Option<String>,
    /// With DPoP: the thumbprint (RFC 7638) of the key the tokens were bound to, kept with the
    /// held record so that another key found later (one planted in IndexedDB) is noticed.
    pub jkt: Option<String>,
}

/// The tokens print as `[redacted]`; the rest as they are.
impl core::fmt::Debug for TokenSet {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("TokenSet")
            .field("access_token", &Redacted)
            .field("token_type", &self.token_type)
            .field("expires_at", &self.expires_at)
            .field("refresh_token", &redacted::optional(&self.refresh_token))
            .field("id_token", &redacted::optional(&self.id_token))
            .field("scope", &self.scope)
            .field("claims", &self.claims)
            .field("jkt", &self.jkt)
            .finish()
    }
}

impl TokenSet {
    /// True when the access token has no known expiry, or expires more than `leeway` seconds after `now` (ms).
    pub fn is_fresh(&self, now: f64, leeway: u32) -> bool {
        self.expires_at.is_none_or(|at| now / 1000.0 + f64::from(leeway) < at as f64)
    }

    /// The set as a JSON object with the JS `TokenSet` names, for the token holder's storage.
    pub fn to_json(&self) -> String {
        let mut out = String::from("{");
        json::push_string_members(
            &mut out,
            &[
                ("accessToken", Some(&self.access_token)),
                ("tokenType", Some(&self.token_type)),
                ("refreshToken", self.refresh_token.as_ref()),
                ("idToken", self.id_token.as_ref()),
                ("scope", self.scope.as_ref()),
                ("claims", self.claims.as_ref()),
                ("jkt", self.jkt.as_ref()),
            ],
        );
        if let Some(at) = self.expires_at {
            json::push_key(&mut out, "expiresAt");
            json::push_u64(&mut out, at);
        }
        out.push('}');
        out
    }

    /// Reads `to_json`'s output back; `None` for anything else (a stale or edited record).
    pub fn from_json(record: &impl JsonObject) -> Option<Self> {
        let text = |key| record.string(key);
        Some(Self {
            access_token: text("accessToken").filter(|t| !t.is_empty())?,
            token_type: text("tokenType")?,
            expires_at: match record.field("expiresAt") {
                JsonField::Absent => None,
                JsonField::Num(n) if n.is_finite() && n >= 0.0 => Some(n as u64),
                _ => return None,
            },
            refresh_token: text("refreshToken"),
            id_token: text("idToken"),
            scope: text("scope"),
            claims: text("claims"),
            jkt: text("jkt"),
        })
    }
}

/// Form body redeeming an authorization code (RFC 6749 §4.1.3, RFC 7636 §4.5).
pub fn code_request(config: &ClientConfig, code: &str, redirect_uri: &str, verifier: &str) -> String {
    let mut body = String::new();
    form::push_pair(&mut body, "grant_type", "authorization_code");
    form::push_pair(&mut body, "code", code);
    form::push_pair(&mut body, "redirect_uri", redirect_uri);
    form::push_pair(&mut body, "client_id", &config.client_id);
    form::push_pair(&mut body, "code_verifier", verifier);
    crate::authorize::push_resources(&mut body, config);
    body
}

/// Form body of a refresh (RFC 6749 §6).
pub fn refresh_request(config: &ClientConfig, refresh_token: &str) -> String {
    let mut body = String::new();
    form::push_pair(&mut body, "grant_type", "refresh_token");
    form::push_pair(&mut body, "refresh_token", refresh_token);
    form::push_pair(&mut body, "client_id", &config.client_id);
    crate::authorize::push_resources(&mut body, config);
    body
}

/// Form body of a revocation (RFC 7009 §2.1); `hint` is `access_token` or `refresh_token`.
pub fn revocation_request(config: &ClientConfig, token: &str, hint: Option<&str>) -> String {
    let mut body = String::new();
    form::push_pair(&mut body, "token", token);
    if let Some(hint) = hint {
        form::push_pair(&mut body, "token_type_hint", hint);
    }
    form::push_pair(&mut body, "client_id", &config.client_id);
    body
}

/// Validates a token endpoint answer: `body` is the parsed JSON object, `None` when the body
/// was not a JSON object; `now` is epoch milliseconds.
pub fn parse_response(status: u16, body: Option<&impl JsonObject>, now: f64) -> Result<TokenSet> {
    if !(200..300).contains(&status) {
        return Err(error_response(status, body, "token endpoint failed without an OAuth error body"));
    }
    let body = body.ok_or_else(|| invalid(status, "body is not a JSON object"))?;
    let access_token = match body.field("access_token") {
        JsonField::Str(token) if is_b64token(&token) => token,
        _ => return Err(invalid(status, "access_token is not an RFC 6750 b64token string").with_field("access_token")),
    };
    let token_type = match body.field("token_type") {
        JsonField::Str(t) if t.eq_ignore_ascii_case("bearer") || t.eq_ignore_ascii_case("dpop") => t,
        _ => return Err(invalid(status, "token_type is neither Bearer nor DPoP").with_field("token_type")),
    };
    let expires_at = match body.field("expires_in") {
        JsonField::Absent => None,
        // `as` saturates for huge values, and so does the sum; then the clamp: never an overflow,
        // never a date `new Date()` cannot show.
        JsonField::Num(seconds) if seconds.is_finite() && seconds >= 0.0 => {
            Some(((now / 1000.0) as u64).saturating_add(seconds as u64).min(MAX_EXPIRES_AT))
        }
        _ => return Err(invalid(status, "expires_in is not a non-negative number").with_field("expires_in")),
    };
    Ok(TokenSet {
        access_token,
        token_type,
        expires_at,
        refresh_token: optional_string(body, "refresh_token", status)?,
        id_token: optional_string(body, "id_token", status)?,
        scope: optional_string(body, "scope", status)?,
        claims: None,
        jkt: None,
    })
}

/// Reads a token endpoint answer (code redemption or refresh): a body over the limit is
/// `invalid_token_response`, a body not declared JSON is no object (`http::Response::json`).
/// With `config.dpop` the tokens must be DPoP-bound (`token_type` `DPoP`, RFC 9449 §5): a
/// `Bearer` answer to a proof is refused, never taken as a silent downgrade.
pub fn read_response<J: JsonObject>(config: &ClientConfig, response: &Response<J>, now: f64) -> Result<TokenSet> {
    if matches!(response.body, Body::TooLarge) {
        return Err(http::too_large(Step::Token, response.status));
    }
    let mut tokens = parse_response(response.status, response.json(), now)?;
    if config.dpop {
        if !tokens.token_type.eq_ignore_ascii_case("dpop") {
            return Err(invalid(response.status, "the tokens are not DPoP-bound").with_field("token_type"));
        }
        tokens.token_type = "DPoP".into();
    }
    Ok(tokens)
}

/// Reads a revocation answer: any 2xx is success whatever its body, even one over the limit.
pub fn read_revocation<J: JsonObject>(response: &Response<J>) -> Result<()> {
    if matches!(response.body, Body::TooLarge) && !response.is_success() {
        return Err(http::too_large(Step::Revocation, response.status));
    }
    parse_revocation(response.status, response.json())
}

/// Validates a revocation answer (RFC 7009 §2.2): any 2xx is success, whatever the body.
pub fn parse_revocation(status: u16, body: Option<&impl JsonObject>) -> Result<()> {
    if (200..300).contains(&status) {
        Ok(())
    } else {
        Err(error_response(status, body, "revocation endpoint failed without an OAuth error body"))
    }
}

/// The OAuth error of a non-2xx answer; `message` (naming the endpoint) when there is none.
fn error_response(status: u16, body: Option<&impl JsonObject>, message: &'static str) -> OAuthError {
    server_error(ErrorCode::TokenError, status, body).unwrap_or_else(|| invalid(status, message))
}

/// The OAuth error in an error answer's `body` (RFC 6749 §5.2), as `code` with the server's
/// fields; `None` when the body has no `error` string.
pub(crate) fn server_error(code: ErrorCode, status: u16, body: Option<&impl JsonObject>) -> Option<OAuthError> {
    let Some(JsonField::Str(error)) = body.map(|b| b.field("error")) else { return None };
    let text = |key| body.and_then(|b| b.string(key));
    Some(
        OAuthError::new(code, "the server returned an OAuth error")
            .with_server(error, text("error_description"), text("error_uri"))
            .status(status),
    )
}

fn optional_string(body: &impl JsonObject, key: &'static str, status: u16) -> Result<Option<String>> {
    match body.field(key) {
        JsonField::Absent => Ok(None),
        JsonField::Str(s) => Ok(Some(s)),
        _ => Err(invalid(status, "a token response member is not a string").with_field(key)),
    }
}

/// RFC 6750 §2.1 `b64token`: `1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`.
fn is_b64token(token: &str) -> bool {
    let body = crate::text::trim_end(token, b'=');
    !body.is_empty()
        && body.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'+' | b'/'))
}

fn invalid(status: u16, message: &'static str) -> OAuthError {
    OAuthError::new(ErrorCode::InvalidTokenResponse, message).status(status)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config;
    use crate::json::testing::object;

    const NOW: f64 = 1_700_000_000_500.0;

    fn parse(status: u16, text: &str) -> Result<TokenSet> {
        parse_response(status, object(text).as_ref(), NOW)
    }

    #[test]
    fn a_dpop_client_refuses_bearer_tokens() {
        let mut config = config::sample();
        config.dpop = true;
        let answer = |token_type: &str| Response {
            status: 200,
            headers: alloc::vec![("content-type".into(), "application/json".into())],
            body: Body::Object(object(&format!(r#"{{"access_token":"at","token_type":"{token_type}"}}"#)).unwrap()),
        };
        let error = read_response(&config, &answer("Bearer"), NOW).unwrap_err();
        assert_eq!((error.code, error.field), (ErrorCode::InvalidTokenResponse, Some("token_type")));
        assert_eq!(read_response(&config, &answer("dpop"), NOW).unwrap().token_type, "DPoP");
        config.dpop = false;
        assert_eq!(read_response(&config, &answer("bearer"), NOW).unwrap().token_type, "bearer");
    }

    #[test]
    fn resources_go_on_code_and_refresh_requests() {
        let mut config = config::sample();
        config.resource = alloc::vec!["https://rs.example/".into()];
        assert!(code_request(&config, "c", "r", "v").ends_with("&resource=https%3A%2F%2Frs.example%2F"));
        assert!(refresh_request(&config, "rt").ends_with("&resource=https%3A%2F%2Frs.example%2F"));
        assert!(!revocation_request(&config, "rt", None).contains("resource"));
    }

    #[test]
    fn request_bodies() {
        let config = config::sample();
        assert_eq!(
            code_request(&config, "c/1", &config.redirect_uri, "v"),
            "grant_type=authorization_code&code=c%2F1&redirect_uri=https%3A%2F%2Fapp.example%2Fcallback&client_id=spa&code_verifier=v"
        );
        assert_eq!(refresh_request(&config, "r+t"), "grant_type=refresh_token&refresh_token=r%2Bt&client_id=spa");
    }

    #[test]
    fn accepts_a_full_response() {
        let tokens = parse(200, r#"{"access_token":"at","token_type":"bearer","expires_in":3600,"refresh_token":"rt","id_token":"it","scope":"openid","extra":[1]}"#).unwrap();
        assert_eq!(
            tokens,
            TokenSet {
                access_token: "at".into(),
                token_type: "bearer".into(),
                expires_at: Some(1_700_000_000 + 3600),
                refresh_token: Some("rt".into()),
                id_token: Some("it".into()),
                scope: Some("openid".into()),
                claims: None,
                jkt: None,
            }
        );
        assert_eq!(parse(201, r#"{"access_token":"a","token_type":"DPoP"}"#).unwrap().expires_at, None);
        let forever = parse(200, r#"{"access_token":"a","token_type":"bearer","expires_in":1e308}"#).unwrap();
        assert_eq!(forever.expires_at, Some(MAX_EXPIRES_AT), "clamped to a date new Date() can show");
        let padded = parse(200, r#"{"access_token":"a-._~+/Z9==","token_type":"bearer"}"#).unwrap();
        assert_eq!(padded.access_token, "a-._~+/Z9==");
    }

    #[test]
    fn debug_prints_no_token() {
        let tokens = parse(200, r#"{"access_token":"secret-at","token_type":"Bearer","refresh_token":"secret-rt","id_token":"secret-it","scope":"openid"}"#).unwrap();
        let printed = format!("{tokens:?}");
        assert!(!printed.contains("secret-"), "{printed}");
        assert_eq!(printed.matches("[redacted]").count(), 3, "{printed}");
        assert!(printed.contains("token_type: \"Bearer\"") && printed.contains("scope: Some(\"openid\")"), "{printed}");
    }

    #[test]
    fn rejects_malformed_success_bodies() {
        for body in [
            "<html>",
            "",
            "[]",
            "\"at\"",
            "null",
            r#"{"token_type":"bearer"}"#,
            r#"{"access_token":1,"token_type":"bearer"}"#,
            r#"{"access_token":"","token_type":"bearer"}"#,
            r#"{"access_token":"a\r\nSet-Cookie: x","token_type":"bearer"}"#,
            r#"{"access_token":"a b","token_type":"bearer"}"#,
            r#"{"access_token":"==","token_type":"bearer"}"#,
            r#"{"access_token":"a=b","token_type":"bearer"}"#,
            r#"{"access_token":"a"}"#,
            r#"{"access_token":"a","token_type":"mac"}"#,
            r#"{"access_token":"a","token_type":"bearer","expires_in":-1}"#,
            r#"{"access_token":"a","token_type":"bearer","expires_in":"3600"}"#,
            r#"{"access_token":"a","token_type":"bearer","refresh_token":5}"#,
            r#"{"access_token":"a","token_type":"bearer","id_token":null}"#,
        ] {
            let error = parse(200, body).unwrap_err();
            assert_eq!(error.code, ErrorCode::InvalidTokenResponse, "{body}");
            assert_eq!(error.status, Some(200));
        }
    }

    #[test]
    fn stored_form_round_trips_and_freshness() {
        let mut tokens =
            parse(200, r#"{"access_token":"ab","token_type":"Bearer","expires_in":100,"refresh_token":"r\"t"}"#)
                .unwrap();
        tokens.claims = Some(r#"{"sub":"u"}"#.into());
        tokens.jkt = Some("thumb".into());
        assert_eq!(TokenSet::from_json(&object(&tokens.to_json()).unwrap()), Some(tokens.clone()));
        assert!(TokenSet::from_json(&object(r#"{"accessToken":"","tokenType":"x"}"#).unwrap()).is_none());
        assert!(
            TokenSet::from_json(&object(r#"{"accessToken":"a","tokenType":"x","expiresAt":"1"}"#).unwrap()).is_none()
        );
        assert!(tokens.is_fresh(NOW, 30));
        assert!(!tokens.is_fresh(NOW + 70_000.0, 30));
        tokens.expires_at = None;
        assert!(tokens.is_fresh(f64::MAX, 30));
    }

    #[test]
    fn revocation_body_and_answers() {
        let config = config::sample();
        assert_eq!(
            revocation_request(&config, "r t", Some("refresh_token")),
            "token=r+t&token_type_hint=refresh_token&client_id=spa"
        );
        assert_eq!(revocation_request(&config, "a", None), "token=a&client_id=spa");
        parse_revocation(200, object("").as_ref()).unwrap();
        let error = parse_revocation(400, object(r#"{"error":"unsupported_token_type"}"#).as_ref()).unwrap_err();
        assert_eq!((error.code, error.error.as_deref()), (ErrorCode::TokenError, Some("unsupported_token_type")));
        let failed = parse_revocation(503, object("busy").as_ref()).unwrap_err();
        assert_eq!(failed.code, ErrorCode::InvalidTokenResponse);
        assert!(failed.message.starts_with("revocation endpoint "), "names its endpoint: {}", failed.message);
        assert!(parse(503, "busy").unwrap_err().message.starts_with("token endpoint "));
    }

    #[test]
    fn oauth_errors_and_other_failures() {
        let error = parse(400, r#"{"error":"invalid_grant","error_description":"used"}"#).unwrap_err();
        assert_eq!(
            (error.code, error.error.as_deref(), error.error_description.as_deref(), error.status),
            (ErrorCode::TokenError, Some("invalid_grant"), Some("used"), Some(400))
        );
        for (status, body) in [(500, "<h1>oops</h1>"), (400, r#"{"error":5}"#), (0, ""), (302, "")] {
            let error = parse(status, body).unwrap_err();
            assert_eq!((error.code, error.status), (ErrorCode::InvalidTokenResponse, Some(status)), "{status} {body}");
        }
    }
}
