//! `ClientConfig`: what a client is told about itself and its authorization server, validated once.
use alloc::string::String;
use alloc::vec::Vec;

use crate::error::{ErrorCode, OAuthError, Result};
use crate::{form, json, url};

/// Default `storagePrefix`.
pub const DEFAULT_STORAGE_PREFIX: &str = "pkce-wasm";
/// Default `transactionTtl`, in seconds.
pub const DEFAULT_TRANSACTION_TTL: u32 = 600;
/// Default `timeout` for the token endpoint, in seconds.
pub const DEFAULT_TIMEOUT: u32 = 30;
/// Default `refreshLeeway`: refresh an access token this many seconds before it expires.
pub const DEFAULT_REFRESH_LEEWAY: u32 = 30;
/// Longest `transactionTtl` accepted (one day).
pub const MAX_TRANSACTION_TTL: u32 = 86_400;
/// Longest `refreshLeeway` accepted (one day).
pub const MAX_REFRESH_LEEWAY: u32 = 86_400;
/// Longest `timeout` accepted (one day; a JS timer overflows past 2^31 - 1 ms and fires at once).
pub const MAX_TIMEOUT: u32 = 86_400;

/// Parameters the library sets in the authorize request; neither `extraParams` nor the
/// endpoint's own query may carry them.
pub const PROTOCOL_PARAMS: [&str; 12] = [
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "code_challenge",
    "code_challenge_method",
    "response_mode",
    "nonce",
    "resource",
    "dpop_jkt",
    "request_uri",
];

/// Where the token holder keeps the current `TokenSet`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TokenStorage {
    /// In the client object: per tab, gone on reload (the default; least exposed).
    #[default]
    Memory,
    /// `sessionStorage`: per tab, survives reloads.
    Session,
    /// `localStorage`: shared by every tab of the origin; readable by any script on it.
    Local,
    /// The JS API's dedicated Web Worker: the code exchange and every refresh run there, and the
    /// refresh token lives only in the worker's memory; the page holds the rest, in memory.
    Worker,
}

/// A public client's configuration (the JS `ClientConfig`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientConfig {
    /// The registered `client_id`.
    pub client_id: String,
    /// The registered redirect URI, sent byte for byte in both requests.
    pub redirect_uri: String,
    /// The authorization endpoint.
    pub authorization_endpoint: String,
    /// The token endpoint.
    pub token_endpoint: String,
    /// The issuer identifier a callback's `iss` and the ID token's `iss` must equal (RFC 9207,
    /// OIDC Core); required unless `skip_issuer_check`.
    pub issuer: Option<String>,
    /// The explicit opt-out for a server without an issuer identifier: no `issuer`, so neither
    /// the callback's `iss` nor the ID token's `iss` is compared.
    pub skip_issuer_check: bool,
    /// Reject callbacks without `iss`.
    pub require_iss: bool,
    /// Default `scope` of authorize requests.
    pub scope: Option<String>,
    /// Prefix of the `sessionStorage` keys.
    pub storage_prefix: String,
    /// Seconds a pending login stays valid.
    pub transaction_ttl: u32,
    /// Seconds to wait for the token endpoint.
    pub timeout: u32,
    /// RFC 7009 revocation endpoint, for `revoke` and `logout`.
    pub revocation_endpoint: Option<String>,
    /// OpenID Connect RP-initiated logout endpoint, for `logout_url`.
    pub end_session_endpoint: Option<String>,
    /// OpenID Connect UserInfo endpoint, for `userinfo()`.
    pub userinfo_endpoint: Option<String>,
    /// Where the token holder keeps tokens.
    pub token_storage: TokenStorage,
    /// Seconds before expiry at which `access_token` refreshes.
    pub refresh_leeway: u32,
    /// Every token request (code, refresh, revocation) carries a DPoP proof (RFC 9449).
    pub dpop: bool,
    /// The origins (`scheme://host[:port]`) `fetch()` may send the access token to.
    pub resource_origins: Vec<String>,
    /// RFC 8707 resource indicators, sent on the authorization, code and refresh requests.
    pub resource: Vec<String>,
    /// RFC 9126 pushed authorization request endpoint: `login()` pushes when there is one.
    pub par_endpoint: Option<String>,
    /// Nothing goes front-channel but `client_id` and `request_uri` (`authorizeUrl()` is `par_required`).
    pub require_par: bool,
}

impl ClientConfig {
    /// A configuration with the defaults for every optional field.
    pub fn new(client_id: &str, redirect_uri: &str, authorization_endpoint: &str, token_endpoint: &str) -> Self {
        Self {
            client_id: client_id.into(),
            redirect_uri: redirect_uri.into(),
            authorization_endpoint: authorization_endpoint.into(),
            token_endpoint: token_endpoint.into(),
            issuer: None,
            skip_issuer_check: false,
            require_iss: false,
            scope: None,
            storage_prefix: DEFAULT_STORAGE_PREFIX.into(),
            transaction_ttl: DEFAULT_TRANSACTION_TTL,
            timeout: DEFAULT_TIMEOUT,
            revocation_endpoint: None,
            end_session_endpoint: None,
            userinfo_endpoint: None,
            token_storage: TokenStorage::Memory,
            refresh_leeway: DEFAULT_REFRESH_LEEWAY,
            dpop: false,
            resource_origins: Vec::new(),
            resource: Vec::new(),
            par_endpoint: None,
            require_par: false,
        }
    }

    /// The app's part of a configuration for `Client::discover`, which fills in the issuer and
    /// the endpoints from the metadata (no placeholder endpoints to write).
    pub fn for_discovery(client_id: &str, redirect_uri: &str) -> Self {
        Self::new(client_id, redirect_uri, "", "")
    }

    /// The config of a `worker` client's worker, as JSON text with the JS API's names (which the
    /// worker's `Core` reads back): what its requests and checks need of this one, validated and
    /// discovered (client, endpoints, issuer, DPoP, resources, timeout), holding its tokens in
    /// memory (the worker's own). Logins, callbacks, `fetch()` and logout URLs stay the page's.
    pub fn worker_settings(&self) -> String {
        let mut out = String::from("{");
        json::push_string_members(
            &mut out,
            &[
                ("clientId", Some(&self.client_id)),
                ("redirectUri", Some(&self.redirect_uri)),
                ("authorizationEndpoint", Some(&self.authorization_endpoint)),
                ("tokenEndpoint", Some(&self.token_endpoint)),
                ("issuer", self.issuer.as_ref()),
                ("revocationEndpoint", self.revocation_endpoint.as_ref()),
            ],
        );
        for (key, value) in [("skipIssuerCheck", self.skip_issuer_check), ("dpop", self.dpop)] {
            json::push_key(&mut out, key);
            out.push_str(if value { "true" } else { "false" });
        }
        json::push_key(&mut out, "timeout");
        json::push_u64(&mut out, self.timeout.into());
        json::push_key(&mut out, "resource");
        let mut separator = '[';
        for value in &self.resource {
            out.push(separator);
            json::push_string(&mut out, value);
            separator = ',';
        }
        if separator == '[' {
            out.push('[');
        }
        out.push_str("]}");
        out
    }

    /// Checks every field; the error's `field` names the first bad one.
    pub fn validate(&self) -> Result<()> {
        if self.client_id.is_empty() {
            return Err(invalid("clientId", "must be a non-empty string"));
        }
        // RFC 9700 §2.6: the code must not travel over plain HTTP.
        redirect_uri("redirectUri", &self.redirect_uri)?;
        endpoint("authorizationEndpoint", &self.authorization_endpoint)?;
        endpoint("tokenEndpoint", &self.token_endpoint)?;
        for (field, value) in [
            ("revocationEndpoint", &self.revocation_endpoint),
            ("endSessionEndpoint", &self.end_session_endpoint),
            ("userinfoEndpoint", &self.userinfo_endpoint),
            ("parEndpoint", &self.par_endpoint),
        ] {
            if let Some(value) = value {
                endpoint(field, value)?;
            }
        }
        self.validate_endpoint_query()?;
        match &self.issuer {
            Some(issuer) => {
                let parsed = endpoint("issuer", issuer)?;
                if parsed.query.is_some() {
                    return Err(invalid("issuer", "must not have a query"));
                }
            }
            None if self.require_iss => return Err(invalid("requireIss", "needs issuer to be set")),
            None if !self.skip_issuer_check => {
                return Err(invalid("issuer", "is required (skipIssuerCheck: true opts out)"))
            }
            None => {}
        }
        if self.storage_prefix.is_empty() {
            return Err(invalid("storagePrefix", "must be a non-empty string"));
        }
        if !(1..=MAX_TRANSACTION_TTL).contains(&self.transaction_ttl) {
            return Err(invalid("transactionTtl", "must be a whole number of seconds from 1 to 86400"));
        }
        if !(1..=MAX_TIMEOUT).contains(&self.timeout) {
            return Err(invalid("timeout", "must be a whole number of seconds from 1 to 86400"));
        }
        if self.refresh_leeway > MAX_REFRESH_LEEWAY {
            return Err(invalid("refreshLeeway", "must be a whole number of seconds from 0 to 86400"));
        }
        if self.require_par && self.par_endpoint.is_none() {
            return Err(invalid("requirePar", "needs parEndpoint (configured or discovered)"));
        }
        self.validate_resources()
    }

    /// True when `fetch()` may send the access token to `url`: an http(s) URL without user
    /// info (a browser refuses to send one; never a token to it) on one of `resource_origins`.
    pub fn is_resource(&self, url: &str) -> bool {
        url::parse(url).is_some_and(|u| !u.has_userinfo && self.resource_origins.contains(&crate::dpop::origin_of(&u)))
    }

    /// `resourceOrigins` are origins exactly as `fetch()` compares them; `resource` are absolute
    /// URIs without a fragment (RFC 8707 §2).
    fn validate_resources(&self) -> Result<()> {
        for origin in &self.resource_origins {
            let canonical = endpoint("resourceOrigins", origin)
                .ok()
                .filter(|url| url.path.len() <= 1 && url.query.is_none())
                .map(|url| crate::dpop::origin_of(&url));
            if canonical.as_deref() != Some(origin.as_str()) {
                return Err(invalid("resourceOrigins", "must be origins: scheme://host[:port], lower case, no path"));
            }
        }
        if !self.resource.iter().all(|resource| is_absolute_uri(resource)) {
            return Err(invalid("resource", "must be absolute URIs without a fragment"));
        }
        Ok(())
    }

    fn validate_endpoint_query(&self) -> Result<()> {
        let query = url::parse(&self.authorization_endpoint).and_then(|u| u.query).unwrap_or("");
        if form::parse(query).iter().any(|(name, _)| PROTOCOL_PARAMS.contains(&name.as_str())) {
            return Err(invalid("authorizationEndpoint", "must not carry protocol parameters in its query"));
        }
        Ok(())
    }
}

/// A configured or discovered URL: one the browser's URL parser reads exactly as `url::parse` does.
fn endpoint<'a>(field: &'static str, value: &'a str) -> Result<url::Url<'a>> {
    let parsed = url::parse(value).ok_or_else(|| invalid(field, "must be an absolute http(s) URL"))?;
    if !parsed.is_secure_or_loopback() {
        return Err(invalid(field, "must use https: (http: only on a loopback host)"));
    }
    if parsed.fragment.is_some() || parsed.has_userinfo {
        return Err(invalid(field, "must not have a fragment or user info"));
    }
    Ok(parsed)
}

/// A redirect URI (`redirectUri`, a popup's `popupRedirectUri`): an `endpoint` whose scheme is
/// written in lower case, as the browser writes the URL it calls back on and as the server
/// compares it, byte for byte, with the registered one.
pub fn redirect_uri<'a>(field: &'static str, value: &'a str) -> Result<url::Url<'a>> {
    let parsed = endpoint(field, value)?;
    if !value.starts_with(parsed.scheme.as_str()) {
        return Err(invalid(field, "must write its scheme in lower case"));
    }
    Ok(parsed)
}

/// RFC 3986 `absolute-URI` (RFC 8707 §2's `resource`): a scheme, `:`, then URI characters
/// only, no fragment (`https://rs.example/`, `urn:example:api`).
fn is_absolute_uri(value: &str) -> bool {
    let Some((scheme, rest)) = crate::text::split_once(value, b':') else { return false };
    let scheme_ok = scheme.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
        && scheme.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'));
    let uri_char = |b: u8| {
        b.is_ascii_alphanumeric()
            || matches!(b, b'-' | b'.' | b'_' | b'~' | b':' | b'/' | b'?' | b'[' | b']' | b'@')
            || matches!(b, b'!' | b'$' | b'&' | b'\'' | b'(' | b')' | b'*' | b'+' | b',' | b';' | b'=' | b'%')
    };
    scheme_ok && rest.bytes().all(uri_char)
}

/// `invalid_config` naming the field.
pub(crate) fn invalid(field: &'static str, problem: &'static str) -> OAuthError {
    OAuthError::new(ErrorCode::InvalidConfig, problem).with_field(field)
}

/// A valid configuration for tests: client `spa` at `https://app.example/callback`, issuer
/// `https://as.example` (feature `testing`; never in the npm build).
#[cfg(any(test, feature = "testing"))]
pub fn sample() -> ClientConfig {
    let mut config = ClientConfig::new(
        "spa",
        "https://app.example/callback",
        "https://as.example/authorize",
        "https://as.example/token",
    );
    config.issuer = Some("https://as.example".into());
    config
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field_for(change: impl FnOnce(&mut ClientConfig)) -> &'static str {
        let mut config = sample();
        change(&mut config);
        let error = config.validate().unwrap_err();
        assert_eq!(error.code, ErrorCode::InvalidConfig);
        error.field.unwrap()
    }

    #[test]
    fn worker_settings_carry_what_the_worker_needs_and_a_memory_holder() {
        let mut config = sample();
        config.token_storage = TokenStorage::Worker;
        config.scope = Some("openid".into());
        config.dpop = true;
        config.timeout = 7;
        config.revocation_endpoint = Some("https://as.example/re\"voke".into());
        config.resource = alloc::vec!["https://api.example/".into(), "urn:b".into()];
        let text = config.worker_settings();
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        let expected = serde_json::json!({
            "clientId": "spa", "redirectUri": "https://app.example/callback",
            "authorizationEndpoint": "https://as.example/authorize", "tokenEndpoint": "https://as.example/token",
            "issuer": "https://as.example", "revocationEndpoint": "https://as.example/re\"voke",
            "skipIssuerCheck": false, "dpop": true, "timeout": 7, "resource": ["https://api.example/", "urn:b"],
        });
        assert_eq!(value, expected, "no tokenStorage: the worker's holder is a memory one");
        config.resource.clear();
        config.issuer = None;
        let value: serde_json::Value = serde_json::from_str(&config.worker_settings()).unwrap();
        assert_eq!((value["resource"].clone(), value.get("issuer")), (serde_json::json!([]), None));
    }

    #[test]
    fn sample_is_valid_and_loopback_http_allowed() {
        sample().validate().unwrap();
        let mut c =
            ClientConfig::new("c", "http://127.0.0.1:5173/", "http://localhost:3000/auth", "http://[::1]:3000/token");
        c.skip_issuer_check = true;
        c.validate().unwrap();
    }

    #[test]
    fn each_field_is_named() {
        assert!(field_for(|c| c.client_id.clear()) == "clientId");
        assert!(field_for(|c| c.redirect_uri = "/callback".into()) == "redirectUri");
        assert!(field_for(|c| c.redirect_uri = "https://app.example/cb#x".into()) == "redirectUri");
        assert!(field_for(|c| c.redirect_uri = "http://app.example/cb".into()) == "redirectUri");
        assert!(
            field_for(|c| c.authorization_endpoint = "http://as.example/authorize".into()) == "authorizationEndpoint"
        );
        assert!(
            field_for(|c| c.authorization_endpoint = "https://as.example/a?state=x".into()) == "authorizationEndpoint"
        );
        assert!(field_for(|c| c.token_endpoint = "http://10.0.0.1/token".into()) == "tokenEndpoint");
        assert!(field_for(|c| c.token_endpoint = "https://u:p@as.example/token".into()) == "tokenEndpoint");
        assert!(field_for(|c| c.issuer = Some("https://as.example?x".into())) == "issuer");
        assert!(
            field_for(|c| {
                c.issuer = None;
                c.require_iss = true
            }) == "requireIss"
        );
        assert!(field_for(|c| c.storage_prefix.clear()) == "storagePrefix");
        assert!(field_for(|c| c.transaction_ttl = 0) == "transactionTtl");
        assert!(field_for(|c| c.timeout = 0) == "timeout");
        assert!(field_for(|c| c.revocation_endpoint = Some("http://as.example/r".into())) == "revocationEndpoint");
        assert!(field_for(|c| c.end_session_endpoint = Some("x".into())) == "endSessionEndpoint");
    }

    #[test]
    fn redirect_uri_with_userinfo_is_refused() {
        assert_eq!(field_for(|c| c.redirect_uri = "https://u@app.example/cb".into()), "redirectUri");
        assert_eq!(field_for(|c| c.redirect_uri = "http://evil.example@127.0.0.1/cb".into()), "redirectUri");
    }

    #[test]
    fn issuer_is_required_unless_skipped() {
        assert_eq!(field_for(|c| c.issuer = None), "issuer");
        let mut c = sample();
        c.issuer = None;
        c.skip_issuer_check = true;
        c.validate().unwrap();
    }

    #[test]
    fn ranges_are_checked_for_every_caller() {
        assert_eq!(field_for(|c| c.refresh_leeway = u32::MAX), "refreshLeeway");
        assert_eq!(field_for(|c| c.transaction_ttl = MAX_TRANSACTION_TTL + 1), "transactionTtl");
        // 2^31 ms and more: the JS timer would overflow and abort every request at once.
        assert_eq!(field_for(|c| c.timeout = 2_147_484), "timeout");
        assert_eq!(field_for(|c| c.timeout = 86_401), "timeout");
        let mut c = sample();
        c.refresh_leeway = MAX_REFRESH_LEEWAY;
        c.timeout = 86_400;
        c.validate().unwrap();
    }

    #[test]
    fn every_redirect_uri_is_written_as_the_browser_writes_it() {
        assert_eq!(field_for(|c| c.redirect_uri = "HTTPS://app.example/cb".into()), "redirectUri");
        assert_eq!(field_for(|c| c.redirect_uri = "Https://app.example/cb".into()), "redirectUri");
    }

    #[test]
    fn resources_may_be_any_absolute_uri() {
        let mut c = sample();
        c.resource = vec!["urn:example:api".into(), "https://rs.example/".into(), "tag:a.example,2026:x".into()];
        c.validate().unwrap();
        for bad in ["urn:example:api#f", ":x", "1urn:x", "ur n:x", "/api", "api", "urn:a b", "urn:\u{e9}"] {
            assert_eq!(field_for(|c| c.resource = vec![bad.into()]), "resource", "{bad}");
        }
    }

    #[test]
    fn resource_origins_resources_and_par_are_checked() {
        assert_eq!(field_for(|c| c.resource_origins = vec!["https://api.example/".into()]), "resourceOrigins");
        for bad in
            ["https://API.example", "https://api.example:443", "https://api.example/v1", "http://api.example", "*"]
        {
            assert_eq!(field_for(|c| c.resource_origins = vec![bad.into()]), "resourceOrigins", "{bad}");
        }
        assert_eq!(field_for(|c| c.resource = vec!["https://rs.example/#f".into()]), "resource");
        assert_eq!(field_for(|c| c.resource = vec!["rs.example".into()]), "resource");
        assert_eq!(field_for(|c| c.require_par = true), "requirePar");
        assert_eq!(field_for(|c| c.par_endpoint = Some("http://as.example/par".into())), "parEndpoint");
        let mut c = sample();
        c.resource_origins = vec!["https://api.example".into(), "http://127.0.0.1:8080".into()];
        c.resource = vec!["https://rs.example/".into()];
        c.par_endpoint = Some("https://as.example/par".into());
        c.require_par = true;
        c.validate().unwrap();
    }

    #[test]
    fn the_token_goes_only_to_resource_origins_without_user_info() {
        let mut c = sample();
        c.resource_origins = vec!["https://api.example".into(), "http://127.0.0.1:8080".into()];
        for yes in ["https://api.example/x", "https://API.example:443/x?q", "http://127.0.0.1:8080/"] {
            assert!(c.is_resource(yes), "{yes}");
        }
        for no in [
            "https://user:pass@api.example/x",
            "https://user@api.example/x",
            "https://@api.example/x",
            "http://api.example/x",
            "https://api.example:8443/x",
            "https://api.example.evil/x",
            "/x",
            "",
        ] {
            assert!(!c.is_resource(no), "{no}");
        }
    }

    #[test]
    fn endpoint_may_keep_its_own_query() {
        let mut c = sample();
        c.authorization_endpoint = "https://as.example/authorize?tenant=a".into();
        c.validate().unwrap();
    }
}
