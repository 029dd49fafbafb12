//! Authorization server metadata: RFC 8414 with the OpenID Connect Discovery fallback.

use crate::config::ClientConfig;
use crate::error::{ErrorCode, OAuthError, Result};
use crate::http::{self, Body, Failure, Request, Response, Step};
use crate::json::{self, JsonField, JsonObject};
use crate::url;
use alloc::string::String;

/// What a client needs from the metadata document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Metadata {
    /// `issuer`, equal to the one asked for.
    pub issuer: String,
    /// `authorization_endpoint`.
    pub authorization_endpoint: String,
    /// `token_endpoint`.
    pub token_endpoint: String,
    /// `revocation_endpoint` (RFC 7009), if advertised.
    pub revocation_endpoint: Option<String>,
    /// `end_session_endpoint` (OpenID RP-initiated logout), if advertised.
    pub end_session_endpoint: Option<String>,
    /// `userinfo_endpoint` (OpenID Connect Discovery), if advertised.
    pub userinfo_endpoint: Option<String>,
    /// `authorization_response_iss_parameter_supported` (RFC 9207).
    pub iss_parameter_supported: bool,
    /// `pushed_authorization_request_endpoint` (RFC 9126), if advertised.
    pub par_endpoint: Option<String>,
    /// `require_pushed_authorization_requests` (RFC 9126 §5).
    pub require_par: bool,
}

/// The two places to look, in order: RFC 8414 §3.1 (well-known segment inserted before the
/// issuer's path) and OpenID Connect Discovery §4 (appended to the issuer).
pub fn metadata_urls(issuer: &str) -> Result<[String; 2]> {
    let valid = url::parse(issuer)
        .is_some_and(|u| u.query.is_none() && u.fragment.is_none() && !u.has_userinfo && u.is_secure_or_loopback());
    if !valid {
        return Err(discovery_error("issuer must be an https URL without query or fragment"));
    }
    // `split_at_checked`, not `split_at`: no panic path (core's `slice_error_fail`) in the wasm.
    let path_start =
        url::split_scheme(issuer).and_then(|(scheme, rest)| Some(scheme.len() + 3 + crate::text::find(rest, b'/')?));
    let (origin, path) = path_start.and_then(|i| issuer.split_at_checked(i)).unwrap_or((issuer, ""));
    let rfc8414 =
        crate::text::concat(&[origin, "/.well-known/oauth-authorization-server", crate::text::trim_end(path, b'/')]);
    let openid = crate::text::concat(&[crate::text::trim_end(issuer, b'/'), "/.well-known/openid-configuration"]);
    Ok([rfc8414, openid])
}

/// Validates a metadata document fetched for `issuer` (RFC 8414 §3.3: `issuer` must be identical).
pub fn parse_metadata(issuer: &str, doc: &impl JsonObject) -> Result<Metadata> {
    if doc.field("issuer") != JsonField::Str(issuer.into()) {
        return Err(discovery_error("metadata issuer is not the requested issuer").with_field("issuer"));
    }
    let required = |key: &'static str| {
        doc.string(key).ok_or_else(|| discovery_error("metadata lacks a required endpoint").with_field(key))
    };
    if let Some(methods) = doc.strings("code_challenge_methods_supported") {
        if !methods.iter().any(|m| m == "S256") {
            return Err(discovery_error("the server does not support PKCE S256"));
        }
    } else if doc.field("code_challenge_methods_supported") != JsonField::Absent {
        return Err(discovery_error("code_challenge_methods_supported is not a list of strings"));
    }
    let metadata = Metadata {
        issuer: issuer.into(),
        authorization_endpoint: required("authorization_endpoint")?,
        token_endpoint: required("token_endpoint")?,
        revocation_endpoint: doc.string("revocation_endpoint"),
        end_session_endpoint: doc.string("end_session_endpoint"),
        userinfo_endpoint: doc.string("userinfo_endpoint"),
        iss_parameter_supported: doc.field("authorization_response_iss_parameter_supported") == JsonField::Bool(true),
        par_endpoint: doc.string("pushed_authorization_request_endpoint"),
        require_par: doc.field("require_pushed_authorization_requests") == JsonField::Bool(true),
    };
    Ok(metadata)
}

/// Discovery as a small state machine over the two well-known locations: `request` says what
/// to fetch next, `read` takes what came back and says whether discovery is done (`Some`), goes
/// on to the next location (`None`), or failed (`Err`: a document for another issuer or an
/// invalid one at once; after the last location, the last failure seen).
pub struct Discovery {
    issuer: String,
    urls: [String; 2],
    next: usize,
    last: OAuthError,
}

impl Discovery {
    /// Starts discovery for `issuer` (`discovery_error` when it is not an https URL without
    /// query or fragment).
    pub fn new(issuer: &str) -> Result<Self> {
        let urls = metadata_urls(issuer)?;
        Ok(Self { issuer: issuer.into(), urls, next: 0, last: discovery_error("no metadata document was found") })
    }

    /// The GET to send next.
    pub fn request(&self, timeout_secs: u32) -> Request {
        Request::get(&self.urls[self.next.min(1)], timeout_secs)
    }

    /// Reads the answer to `request`: the metadata, `None` to ask the next location, or the error.
    pub fn read<J: JsonObject>(
        &mut self,
        answer: core::result::Result<Response<J>, Failure>,
    ) -> Result<Option<Metadata>> {
        self.next += 1;
        match answer {
            // timeout and network_error keep their codes; only unreadable answers are discovery_error
            Err(failure) => self.last = http::failure(failure),
            Ok(response) if matches!(response.body, Body::TooLarge) => {
                self.last = http::too_large(Step::Discovery, response.status)
            }
            Ok(response) => match response.json() {
                Some(doc) if response.is_success() => return parse_metadata(&self.issuer, doc).map(Some),
                _ => {} // anything but a JSON object: try the next location
            },
        }
        if self.next < self.urls.len() {
            Ok(None)
        } else {
            Err(self.last.clone())
        }
    }
}

impl Metadata {
    /// Fills the issuer, endpoints, `requireIss` and `requirePar` of `config` from the metadata.
    /// The app's own `revocation_endpoint`, `end_session_endpoint`, `userinfo_endpoint` and `par_endpoint` win over
    /// the metadata's; either one asking for `iss` or PAR is enough.
    pub fn apply(&self, config: &mut ClientConfig) {
        config.issuer = Some(self.issuer.clone());
        config.skip_issuer_check = false;
        config.authorization_endpoint = self.authorization_endpoint.clone();
        config.token_endpoint = self.token_endpoint.clone();
        config.revocation_endpoint = config.revocation_endpoint.take().or_else(|| self.revocation_endpoint.clone());
        config.end_session_endpoint = config.end_session_endpoint.take().or_else(|| self.end_session_endpoint.clone());
        config.userinfo_endpoint = config.userinfo_endpoint.take().or_else(|| self.userinfo_endpoint.clone());
        config.require_iss |= self.iss_parameter_supported;
        config.par_endpoint = config.par_endpoint.take().or_else(|| self.par_endpoint.clone());
        config.require_par |= self.require_par;
    }

    /// The metadata as a JSON document with the RFC 8414 names, so `parse_metadata` reads it back.
    pub fn to_json(&self) -> String {
        let mut out = String::from("{");
        json::push_string_members(
            &mut out,
            &[
                ("issuer", Some(&self.issuer)),
                ("authorization_endpoint", Some(&self.authorization_endpoint)),
                ("token_endpoint", Some(&self.token_endpoint)),
                ("revocation_endpoint", self.revocation_endpoint.as_ref()),
                ("end_session_endpoint", self.end_session_endpoint.as_ref()),
                ("userinfo_endpoint", self.userinfo_endpoint.as_ref()),
                ("pushed_authorization_request_endpoint", self.par_endpoint.as_ref()),
            ],
        );
        for (key, value) in [
            ("authorization_response_iss_parameter_supported", self.iss_parameter_supported),
            ("require_pushed_authorization_requests", self.require_par),
        ] {
            json::push_key(&mut out, key);
            out.push_str(if value { "true" } else { "false" });
        }
        out.push('}');
        out
    }

    /// The storage key of cached metadata for `issuer`.
    pub fn cache_key(prefix: &str, issuer: &str) -> String {
        crate::text::concat(&[prefix, ":meta:", issuer])
    }
}

fn discovery_error(message: &'static str) -> OAuthError {
    OAuthError::new(ErrorCode::DiscoveryError, message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::testing::object;

    #[test]
    fn well_known_locations() {
        assert_eq!(
            metadata_urls("https://as.example").unwrap(),
            [
                "https://as.example/.well-known/oauth-authorization-server",
                "https://as.example/.well-known/openid-configuration"
            ]
        );
        assert_eq!(
            metadata_urls("https://as.example/tenant/a/").unwrap(),
            [
                "https://as.example/.well-known/oauth-authorization-server/tenant/a",
                "https://as.example/tenant/a/.well-known/openid-configuration"
            ]
        );
        assert_eq!(
            metadata_urls("http://127.0.0.1:3000/oidc").unwrap()[0],
            "http://127.0.0.1:3000/.well-known/oauth-authorization-server/oidc"
        );
        for bad in ["http://as.example", "https://as.example?x=1", "https://as.example#f", "as.example"] {
            assert_eq!(metadata_urls(bad).unwrap_err().code, ErrorCode::DiscoveryError, "{bad}");
        }
    }

    const DOC: &str = r#"{"issuer":"https://as.example/t","authorization_endpoint":"https://as.example/t/auth","token_endpoint":"https://as.example/t/token","revocation_endpoint":"https://as.example/t/revoke","end_session_endpoint":"https://as.example/t/logout","code_challenge_methods_supported":["S256"],"authorization_response_iss_parameter_supported":true}"#;

    #[test]
    fn reads_and_applies_metadata() {
        let metadata = parse_metadata("https://as.example/t", &object(DOC).unwrap()).unwrap();
        assert!(metadata.iss_parameter_supported);
        let mut config = crate::config::sample();
        metadata.apply(&mut config);
        assert!(config.require_iss);
        assert_eq!(config.issuer.as_deref(), Some("https://as.example/t"));
        assert_eq!(config.revocation_endpoint.as_deref(), Some("https://as.example/t/revoke"));
        config.validate().unwrap();
        let cached = parse_metadata("https://as.example/t", &object(&metadata.to_json()).unwrap()).unwrap();
        assert_eq!(cached, metadata);
    }

    #[test]
    fn the_apps_own_endpoints_win_over_the_metadata() {
        let metadata = parse_metadata("https://as.example/t", &object(DOC).unwrap()).unwrap();
        let mut config = crate::config::sample();
        config.issuer = None;
        config.revocation_endpoint = Some("https://app.example/revoke".into());
        metadata.apply(&mut config);
        assert_eq!(config.revocation_endpoint.as_deref(), Some("https://app.example/revoke"));
        assert_eq!(config.end_session_endpoint.as_deref(), Some("https://as.example/t/logout"), "filled in");
        assert_eq!(config.issuer.as_deref(), Some("https://as.example/t"), "discovery always sets the issuer");
    }

    #[test]
    fn the_par_endpoint_and_its_requirement_are_taken_and_cached() {
        let doc = DOC.replace(
            "}",
            r#","pushed_authorization_request_endpoint":"https://as.example/t/par","require_pushed_authorization_requests":true}"#,
        );
        let metadata = parse_metadata("https://as.example/t", &object(&doc).unwrap()).unwrap();
        assert_eq!((metadata.par_endpoint.as_deref(), metadata.require_par), (Some("https://as.example/t/par"), true));
        let mut config = crate::config::sample();
        metadata.apply(&mut config);
        assert_eq!((config.par_endpoint.as_deref(), config.require_par), (Some("https://as.example/t/par"), true));
        config.validate().unwrap();
        let cached = parse_metadata("https://as.example/t", &object(&metadata.to_json()).unwrap()).unwrap();
        assert_eq!(cached, metadata);
        let plain = parse_metadata("https://as.example/t", &object(DOC).unwrap()).unwrap();
        assert_eq!((plain.par_endpoint, plain.require_par), (None, false));
    }

    #[test]
    fn refuses_wrong_issuer_missing_endpoints_and_no_s256() {
        let check = |issuer: &str, doc: &str| parse_metadata(issuer, &object(doc).unwrap()).unwrap_err().code;
        assert_eq!(check("https://as.example/t/", DOC), ErrorCode::DiscoveryError, "trailing slash differs");
        assert_eq!(check("https://as.example/t", &DOC.replace("[\"S256\"]", "[\"plain\"]")), ErrorCode::DiscoveryError);
        assert_eq!(check("https://as.example/t", &DOC.replace("[\"S256\"]", "\"S256\"")), ErrorCode::DiscoveryError);
        assert_eq!(check("https://as.example/t", &DOC.replace("token_endpoint", "x")), ErrorCode::DiscoveryError);
        let without_iss = DOC.replace("true}", "\"yes\"}");
        assert!(
            !parse_metadata("https://as.example/t", &object(&without_iss).unwrap()).unwrap().iss_parameter_supported
        );
    }
}
