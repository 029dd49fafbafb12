//! The authorize request URL (RFC 6749 §4.1.1 with RFC 7636 §4.3).
use alloc::string::String;
use alloc::vec::Vec;

use crate::config::{ClientConfig, PROTOCOL_PARAMS};
use crate::error::{ErrorCode, OAuthError, Result};
use crate::form;
use crate::url;

/// What one login asks for beyond the configuration (the JS `AuthorizeOptions`, minus `appState`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuthorizeParams {
    /// Overrides the configured `scope`.
    pub scope: Option<String>,
    /// Extra query parameters (`prompt`, `login_hint`, ...), sent after the protocol ones.
    pub extra: Vec<(String, String)>,
    /// The redirect URI of this login instead of the configured one: a popup's own page, on
    /// the configured one's origin (where the popup hands the response to its opener).
    pub redirect_uri: Option<String>,
}

impl AuthorizeParams {
    /// Rejects extra parameters that are empty-named or would override a protocol parameter.
    pub fn validate(&self, config: &ClientConfig) -> Result<()> {
        if let Some(uri) = &self.redirect_uri {
            // The configured redirect URI's rules, then its origin: `invalid_argument` here.
            let uri = crate::config::redirect_uri("popupRedirectUri", uri).map_err(|mut error| {
                error.code = ErrorCode::InvalidArgument;
                error
            })?;
            if !url::parse(&config.redirect_uri).is_some_and(|redirect| uri.same_origin(&redirect)) {
                return Err(OAuthError::new(
                    ErrorCode::InvalidArgument,
                    "popupRedirectUri must be on the redirectUri's origin, without a fragment",
                )
                .with_field("popupRedirectUri"));
            }
        }
        for (name, _) in &self.extra {
            if name.is_empty() {
                return Err(OAuthError::new(ErrorCode::InvalidArgument, "extraParams has an empty name")
                    .with_field("extraParams"));
            }
            if PROTOCOL_PARAMS.contains(&name.as_str()) {
                return Err(OAuthError::new(
                    ErrorCode::InvalidArgument,
                    "extraParams may not set a protocol parameter",
                )
                .with_field("extraParams"));
            }
        }
        Ok(())
    }

    /// True when the effective scope (this login's, else the configured one) contains `openid`.
    pub fn wants_openid(&self, config: &ClientConfig) -> bool {
        let scope = self.scope.as_ref().or(config.scope.as_ref());
        scope.is_some_and(|scope| crate::text::split(scope, b' ').any(|s| s == "openid"))
    }
}

/// What one login adds to the request: its state, challenge, ID token nonce and DPoP key.
#[derive(Clone, Copy, Debug)]
pub struct Login<'a> {
    /// `state`.
    pub state: &'a str,
    /// The S256 `code_challenge`.
    pub challenge: &'a str,
    /// The OpenID Connect `nonce`, for an `openid` login.
    pub nonce: Option<&'a str>,
    /// `dpop_jkt` (RFC 9449 §10): the thumbprint of the key the tokens will be bound to.
    pub dpop_jkt: Option<&'a str>,
}

/// Appends the authorization request's parameters, form-encoded, to `out`: the query of a
/// front-channel request, or the body of a pushed one (RFC 9126 §2.1).
pub fn push_parameters(out: &mut String, config: &ClientConfig, params: &AuthorizeParams, login: &Login<'_>) {
    form::push_pair(out, "response_type", "code");
    form::push_pair(out, "client_id", &config.client_id);
    form::push_pair(out, "redirect_uri", params.redirect_uri.as_ref().unwrap_or(&config.redirect_uri));
    if let Some(scope) = params.scope.as_ref().or(config.scope.as_ref()) {
        form::push_pair(out, "scope", scope);
    }
    form::push_pair(out, "state", login.state);
    form::push_pair(out, "code_challenge", login.challenge);
    form::push_pair(out, "code_challenge_method", "S256");
    for (name, value) in [("nonce", login.nonce), ("dpop_jkt", login.dpop_jkt)] {
        if let Some(value) = value {
            form::push_pair(out, name, value);
        }
    }
    push_resources(out, config);
    for (name, value) in &params.extra {
        form::push_pair(out, name, value);
    }
}

/// Adds one `resource` pair per configured resource indicator (RFC 8707 §2).
pub fn push_resources(out: &mut String, config: &ClientConfig) {
    for resource in &config.resource {
        form::push_pair(out, "resource", resource);
    }
}

/// Builds the authorize URL; the endpoint's own query is kept in front of ours.
pub fn build_url(config: &ClientConfig, params: &AuthorizeParams, login: &Login<'_>) -> String {
    let mut url = form::with_query(&config.authorization_endpoint);
    push_parameters(&mut url, config, params, login);
    url
}

/// The front-channel URL of a pushed request: only `client_id` and `request_uri` (RFC 9126 §4).
pub fn pushed_url(config: &ClientConfig, request_uri: &str) -> String {
    let mut url = form::with_query(&config.authorization_endpoint);
    form::push_pair(&mut url, "client_id", &config.client_id);
    form::push_pair(&mut url, "request_uri", request_uri);
    url
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::sample;

    fn login<'a>(state: &'a str, challenge: &'a str, nonce: Option<&'a str>) -> Login<'a> {
        Login { state, challenge, nonce, dpop_jkt: None }
    }

    #[test]
    fn resources_dpop_jkt_and_the_pushed_url() {
        let mut config = sample();
        config.resource = vec!["https://rs.example/".into(), "https://other.example/api".into()];
        let login = Login { dpop_jkt: Some("jkt"), ..login("st", "ch", None) };
        let url = build_url(&config, &AuthorizeParams::default(), &login);
        assert!(
            url.ends_with(
                "&dpop_jkt=jkt&resource=https%3A%2F%2Frs.example%2F&resource=https%3A%2F%2Fother.example%2Fapi"
            ),
            "{url}"
        );
        let mut body = String::new();
        push_parameters(&mut body, &config, &AuthorizeParams::default(), &login);
        assert!(body.starts_with("response_type=code&client_id=spa&"), "{body}");
        config.authorization_endpoint = "https://as.example/authorize?tenant=a".into();
        assert_eq!(
            pushed_url(&config, "urn:ietf:params:oauth:request_uri:x"),
            "https://as.example/authorize?tenant=a&client_id=spa&request_uri=urn%3Aietf%3Aparams%3Aoauth%3Arequest_uri%3Ax"
        );
    }

    #[test]
    fn parameters_in_order_and_encoded() {
        let mut config = sample();
        config.scope = Some("openid profile".into());
        let params =
            AuthorizeParams { scope: None, extra: vec![("prompt".into(), "consent".into())], ..Default::default() };
        let url = build_url(&config, &params, &login("st", "ch", Some("n")));
        assert_eq!(
            url,
            "https://as.example/authorize?response_type=code&client_id=spa&redirect_uri=https%3A%2F%2Fapp.example%2Fcallback&scope=openid+profile&state=st&code_challenge=ch&code_challenge_method=S256&nonce=n&prompt=consent"
        );
    }

    #[test]
    fn keeps_the_endpoint_query_and_overrides_scope() {
        let mut config = sample();
        config.authorization_endpoint = "https://as.example/authorize?tenant=a%20b".into();
        config.scope = Some("a".into());
        let params = AuthorizeParams { scope: Some("b".into()), extra: vec![], ..Default::default() };
        let url = build_url(&config, &params, &login("st", "ch", None));
        assert!(url.starts_with("https://as.example/authorize?tenant=a%20b&response_type=code&"), "{url}");
        assert!(url.contains("&scope=b&"));
        config.authorization_endpoint = "https://as.example/authorize?".into();
        assert!(build_url(&config, &params, &login("s", "c", None))
            .starts_with("https://as.example/authorize?response_type=code"));
    }

    #[test]
    fn openid_is_a_whole_scope_token() {
        let mut config = sample();
        let login = |scope: &str| AuthorizeParams { scope: Some(scope.into()), extra: vec![], ..Default::default() };
        assert!(login("openid profile").wants_openid(&config));
        assert!(!login("openidx profile").wants_openid(&config));
        config.scope = Some("profile openid".into());
        assert!(AuthorizeParams::default().wants_openid(&config));
        assert!(!login("profile").wants_openid(&config));
    }

    #[test]
    fn extra_params_cannot_override_protocol() {
        for name in PROTOCOL_PARAMS {
            let params = AuthorizeParams { scope: None, extra: vec![(name.into(), "x".into())], ..Default::default() };
            assert_eq!(
                params.validate(&crate::config::sample()).unwrap_err().code,
                ErrorCode::InvalidArgument,
                "{name}"
            );
        }
        let empty = AuthorizeParams { scope: None, extra: vec![(String::new(), "x".into())], ..Default::default() };
        assert_eq!(empty.validate(&sample()).unwrap_err().code, ErrorCode::InvalidArgument);
        let fine =
            AuthorizeParams { scope: None, extra: vec![("login_hint".into(), "a@b".into())], ..Default::default() };
        fine.validate(&sample()).unwrap();
    }
}
