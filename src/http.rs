//! HTTP as a value at the seam (as oauth2-rs's `HttpRequest`/`HttpResponse`): the core builds
//! a `Request`, a driver performs it and hands back a `Response` or a `Failure`, and the core
//! decides what the answer means: the Content-Type rule, the size limit, and which `ErrorCode`
//! a failure gets for the step that asked. A driver makes no protocol decision.
use alloc::string::String;
use alloc::vec::Vec;

use crate::error::{ErrorCode, OAuthError};
use crate::json;

/// Bodies larger than this many bytes (after any `Content-Encoding` is undone) are not read further.
pub const MAX_BODY: u32 = 1 << 20;

/// The two methods the client uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// A metadata document.
    Get,
    /// A form to the token or revocation endpoint.
    Post,
}

impl Method {
    /// The method's name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Post => "POST",
        }
    }
}

/// One request to send: no credentials, no referrer, no cache, no redirects followed, aborted
/// after `timeout_secs` (body included), its body read at most up to `limit` bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    /// `GET` or `POST`.
    pub method: Method,
    /// The endpoint.
    pub url: String,
    /// Request headers (CORS-safelisted only, so never a preflight).
    pub headers: Vec<(&'static str, String)>,
    /// The form body of a POST.
    pub body: Option<String>,
    /// Seconds before the request is aborted.
    pub timeout_secs: u32,
    /// Bytes of body read at most; past it the body is cancelled and the answer is `TooLarge`.
    pub limit: u32,
}

impl Request {
    /// An `application/x-www-form-urlencoded` POST of `body` to `url`.
    pub fn form_post(url: &str, body: String, timeout_secs: u32) -> Self {
        Self {
            method: Method::Post,
            url: url.into(),
            headers: alloc::vec![("content-type", "application/x-www-form-urlencoded".into())],
            body: Some(body),
            timeout_secs,
            limit: MAX_BODY,
        }
    }

    /// A GET of the JSON document at `url`.
    pub fn get(url: &str, timeout_secs: u32) -> Self {
        Self { method: Method::Get, url: url.into(), headers: Vec::new(), body: None, timeout_secs, limit: MAX_BODY }
    }
}

/// What came back as the body, as the driver read it.
#[derive(Clone, Debug, PartialEq)]
pub enum Body<J> {
    /// The body parsed as a JSON object (not an array).
    Object(J),
    /// Anything else: no body, not JSON, a JSON value that is not an object.
    NotAnObject,
    /// Longer than the request's `limit`: reading stopped there.
    TooLarge,
}

/// One answer: status (0 for an opaque redirect), the headers the browser exposes (names in
/// lower case) and the body.
#[derive(Clone, Debug, PartialEq)]
pub struct Response<J> {
    /// HTTP status; 0 for an opaque redirect.
    pub status: u16,
    /// `(name, value)` pairs, names in lower case.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Body<J>,
}

impl<J> Response<J> {
    /// The value of header `name` (lower case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    /// The JSON object, only when the answer declares itself JSON (`application/json` or
    /// `+json`, as oauth4webapi): a body that does not say it is JSON is not read as JSON.
    pub fn json(&self) -> Option<&J> {
        match &self.body {
            Body::Object(object) if self.header("content-type").is_some_and(json::is_json_media_type) => Some(object),
            _ => None,
        }
    }

    /// True for a 2xx status.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// True for a redirect not followed: an opaque redirect (`redirect: "manual"`, status 0)
    /// or a 3xx other than `304 Not Modified` (where `fetch` shows the redirect itself).
    pub fn is_redirect(&self) -> bool {
        self.status == 0 || ((300..400).contains(&self.status) && self.status != 304)
    }
}

/// `fetch()`'s answer to a resource server's redirect: never followed, as the proof, the token
/// and the body would go to a destination nobody checked (`untrusted_destination`).
pub fn redirected() -> OAuthError {
    OAuthError::new(ErrorCode::UntrustedDestination, "the resource server redirected: fetch() follows no redirect")
        .with_field("redirect")
}

/// A request that got no answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    /// The driver has no `fetch` (or `AbortController`, `TextDecoder`) to send it with.
    Unavailable,
    /// Offline, DNS, CORS refused, the connection dropped.
    Unreachable,
    /// Aborted after the request's `timeout_secs`.
    Timeout,
}

/// Which step asked, so a failure is named for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// A code redemption or a refresh at the token endpoint.
    Token,
    /// A revocation (RFC 7009).
    Revocation,
    /// A metadata document (RFC 8414, OpenID Discovery).
    Discovery,
}

/// The error for a request that got no answer: the same codes for every step.
pub fn failure(failure: Failure) -> OAuthError {
    match failure {
        Failure::Unavailable => OAuthError::new(ErrorCode::BrowserRequired, "fetch is missing"),
        Failure::Unreachable => OAuthError::new(ErrorCode::NetworkError, "the server could not be reached"),
        Failure::Timeout => OAuthError::new(ErrorCode::Timeout, "the server did not answer in time"),
    }
}

/// The error for a body over the limit: `discovery_error` for metadata, else `invalid_token_response`.
pub fn too_large(step: Step, status: u16) -> OAuthError {
    let code = match step {
        Step::Discovery => ErrorCode::DiscoveryError,
        Step::Token | Step::Revocation => ErrorCode::InvalidTokenResponse,
    };
    OAuthError::new(code, "response is larger than 1 MiB").status(status)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::testing::object;

    fn answer(content_type: &str, body: Body<serde_json::Value>) -> Response<serde_json::Value> {
        Response { status: 200, headers: alloc::vec![("content-type".into(), content_type.into())], body }
    }

    #[test]
    fn a_body_is_json_only_when_it_says_so() {
        let doc = object("{\"a\":1}").unwrap();
        assert!(answer("application/json; charset=utf-8", Body::Object(doc.clone())).json().is_some());
        assert!(answer("application/jwk-set+json", Body::Object(doc.clone())).json().is_some());
        assert!(answer("text/plain", Body::Object(doc.clone())).json().is_none(), "valid JSON as text/plain");
        let no_type = Response { status: 200, headers: Vec::new(), body: Body::Object(doc) };
        assert!(no_type.json().is_none());
        assert!(answer("application/json", Body::NotAnObject).json().is_none());
        assert!(answer("application/json", Body::TooLarge).json().is_none());
    }

    #[test]
    fn redirects_are_told_apart() {
        let with = |status| Response::<serde_json::Value> { status, headers: Vec::new(), body: Body::NotAnObject };
        for status in [0, 301, 302, 303, 307, 308] {
            assert!(with(status).is_redirect(), "{status}");
        }
        for status in [200, 204, 304, 400, 401, 500] {
            assert!(!with(status).is_redirect(), "{status}");
        }
        assert_eq!(redirected().code, ErrorCode::UntrustedDestination);
    }

    #[test]
    fn failures_are_named_for_the_step() {
        assert_eq!(failure(Failure::Timeout).code, ErrorCode::Timeout);
        assert_eq!(failure(Failure::Unreachable).code, ErrorCode::NetworkError);
        assert_eq!(failure(Failure::Unavailable).code, ErrorCode::BrowserRequired);
        let token = too_large(Step::Token, 200);
        assert_eq!(
            (token.code, token.status, token.message),
            (ErrorCode::InvalidTokenResponse, Some(200), "response is larger than 1 MiB")
        );
        assert_eq!(too_large(Step::Discovery, 200).code, ErrorCode::DiscoveryError);
    }

    #[test]
    fn requests_are_values() {
        let post = Request::form_post("https://as.example/token", "a=b".into(), 30);
        assert_eq!((post.method.as_str(), post.body.as_deref(), post.limit), ("POST", Some("a=b"), MAX_BODY));
        assert_eq!(post.headers, [("content-type", String::from("application/x-www-form-urlencoded"))]);
        let get = Request::get("https://as.example/.well-known/x", 5);
        assert_eq!((get.method, get.body, get.headers.len()), (Method::Get, None, 0));
    }
}
