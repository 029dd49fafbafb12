//! The authorization response on the redirect URI (RFC 6749 §4.1.2, RFC 9207): parsing,
//! the checks in their fixed order, and removing it from the address bar.
use alloc::string::String;
use alloc::vec::Vec;

use crate::config::ClientConfig;
use crate::error::{err, ErrorCode, OAuthError, Result};
use crate::form;
use crate::pkce;
use crate::transaction::Transaction;
use crate::url;

/// Parameters that mark an implicit or hybrid response, refused wherever they appear.
const TOKEN_PARAMS: [&str; 3] = ["access_token", "id_token", "token"];

/// Parameters removed from the address bar after a callback.
const RESPONSE_PARAMS: [&str; 12] = [
    "code",
    "state",
    "iss",
    "error",
    "error_description",
    "error_uri",
    "session_state",
    "access_token",
    "id_token",
    "token",
    "token_type",
    "expires_in",
];

/// A callback URL split into decoded query and fragment parameters.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Callback {
    query: Vec<(String, String)>,
    fragment: Vec<(String, String)>,
    /// `Some` when a query parameter is repeated: the name if it is one we know.
    repeated: Option<Option<&'static str>>,
}

/// What the authorization server answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// An authorization code to redeem.
    Code(String),
    /// `error`, `error_description`, `error_uri`.
    Error(String, Option<String>, Option<String>),
}

/// A callback that passed the checks needing no stored state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    /// The `state` parameter.
    pub state: String,
    /// The `iss` parameter (RFC 9207).
    pub iss: Option<String>,
    /// The code or the error.
    pub outcome: Outcome,
}

impl Callback {
    /// Splits `href` (absolute or not) into its query and fragment parameters.
    pub fn parse(href: &str) -> Self {
        let (rest, fragment) = crate::text::split_once(href, b'#').unwrap_or((href, ""));
        let query = crate::text::split_once(rest, b'?').map_or("", |(_, q)| q);
        Self { query: form::parse(query), fragment: form::parse(fragment), repeated: first_repeated(query) }
    }

    /// The first `state` value of the query.
    pub fn state(&self) -> Option<&str> {
        self.first(|name| name == "state")
    }

    fn first(&self, wanted: impl Fn(&str) -> bool) -> Option<&str> {
        self.query.iter().find(|(name, _)| wanted(name)).map(|(_, value)| value.as_str())
    }

    fn non_empty(&self, name: &str) -> Option<String> {
        self.first(|n| n == name).filter(|v| !v.is_empty()).map(String::from)
    }

    /// Duplicate, implicit, not-a-callback and missing-state checks, in that order.
    pub fn check(&self) -> Result<Response> {
        if let Some(known) = self.repeated {
            let error = OAuthError::new(ErrorCode::DuplicateParameter, "callback repeats a parameter");
            return Err(match known {
                Some(name) => error.with_field(name),
                None => error,
            });
        }
        let carries_tokens =
            |params: &[(String, String)]| params.iter().any(|(n, _)| TOKEN_PARAMS.contains(&n.as_str()));
        if carries_tokens(&self.query) || carries_tokens(&self.fragment) {
            return err(
                ErrorCode::ImplicitResponse,
                "callback carries tokens (implicit or hybrid response); only the code flow is accepted",
            );
        }
        let outcome = match (self.non_empty("error"), self.non_empty("code")) {
            (Some(error), _) => Outcome::Error(error, self.non_empty("error_description"), self.non_empty("error_uri")),
            (None, Some(code)) => Outcome::Code(code),
            (None, None) => return err(ErrorCode::NotACallback, "URL has neither code nor error"),
        };
        let state = self
            .non_empty("state")
            .ok_or_else(|| OAuthError::new(ErrorCode::StateMissing, "callback has no state").with_field("state"))?;
        // RFC 9207: an `iss` that is present, even empty, is compared.
        Ok(Response { state, iss: self.first(|n| n == "iss").map(String::from), outcome })
    }
}

/// `Some` when a name of `query` appears more than once (compared as decoded bytes, so
/// `%FF` and `%FE` differ), with the name when it is a response parameter we know; found in
/// O(n log n) (a crafted URL with 100k parameters must not freeze the page).
fn first_repeated(query: &str) -> Option<Option<&'static str>> {
    let mut names: Vec<Vec<u8>> = Vec::new();
    for segment in crate::text::split(query, b'&').filter(|segment| !segment.is_empty()) {
        names.push(form::decode_bytes(crate::text::split_once(segment, b'=').map_or(segment, |(name, _)| name)));
    }
    heapsort(&mut names);
    let name = names.windows(2).find(|pair| pair[0] == pair[1])?.first()?;
    Some(RESPONSE_PARAMS.iter().find(|known| known.as_bytes() == name.as_slice()).copied())
}

/// In-place heapsort: O(n log n) always, a few hundred bytes of wasm where `sort_unstable`
/// costs ~1.4 KB gzip.
fn heapsort<T: Ord>(v: &mut [T]) {
    fn sift_down<T: Ord>(v: &mut [T], mut root: usize, end: usize) {
        loop {
            let mut child = 2 * root + 1;
            if child >= end {
                return;
            }
            if child + 1 < end && v[child] < v[child + 1] {
                child += 1;
            }
            if v[root] >= v[child] {
                return;
            }
            v.swap(root, child);
            root = child;
        }
    }
    for root in (0..v.len() / 2).rev() {
        sift_down(v, root, v.len());
    }
    for end in (1..v.len()).rev() {
        v.swap(0, end);
        sift_down(v, 0, end);
    }
}

/// Checks a response against its stored transaction; returns the code to redeem.
pub fn validate(response: Response, tx: &Transaction, config: &ClientConfig, now: f64) -> Result<String> {
    if !pkce::constant_time_eq(&response.state, &tx.state) {
        return Err(unknown_state());
    }
    if !tx.belongs_to(config) {
        return err(ErrorCode::StateUnknown, "the pending login for this state belongs to another client");
    }
    if tx.is_expired(now, config.transaction_ttl) {
        return err(ErrorCode::TransactionExpired, "the pending login expired; start a new login");
    }
    match (&config.issuer, &response.iss) {
        (_, None) if config.require_iss => {
            return Err(
                OAuthError::new(ErrorCode::IssMissing, "callback has no iss but requireIss is set").with_field("iss")
            )
        }
        (Some(expected), Some(got)) if got != expected => {
            return Err(OAuthError::new(
                ErrorCode::IssMismatch,
                "callback iss is not this client's issuer (possible mix-up attack)",
            )
            .with_field("iss"))
        }
        _ => {}
    }
    match response.outcome {
        Outcome::Code(code) => Ok(code),
        Outcome::Error(error, description, uri) => {
            Err(OAuthError::new(ErrorCode::AuthorizationError, "the authorization server returned an error")
                .with_server(error, description, uri))
        }
    }
}

/// `state_unknown`: no pending login of this client in this tab has the callback's `state`.
pub fn unknown_state() -> OAuthError {
    OAuthError::new(ErrorCode::StateUnknown, "no pending login in this tab has this state").with_field("state")
}

/// True when `href` is on the redirect URI's origin and path and carries `state` with `code` or `error`.
pub fn is_callback(config: &ClientConfig, href: &str) -> bool {
    let (Some(redirect), Some(here)) = (url::parse(&config.redirect_uri), url::parse(href)) else {
        return false;
    };
    let params = Callback::parse(href);
    redirect.same_origin_and_path(&here)
        && params.state().is_some()
        && params.first(|name| name == "code" || name == "error").is_some()
}

/// `href` without the response parameters in query and fragment; `None` when there are none.
pub fn cleaned(href: &str) -> Option<String> {
    let (rest, fragment) = match crate::text::split_once(href, b'#') {
        Some((rest, fragment)) => (rest, Some(fragment)),
        None => (href, None),
    };
    let (base, query) = match crate::text::split_once(rest, b'?') {
        Some((base, query)) => (base, Some(query)),
        None => (rest, None),
    };
    let mut out = String::from(base);
    if let Some(query) = query {
        let kept = form::without(query, &RESPONSE_PARAMS);
        if !kept.is_empty() {
            out.push('?');
            out.push_str(&kept);
        }
    }
    if let Some(fragment) = fragment {
        let kept = if crate::text::find(fragment, b'=').is_some() {
            form::without(fragment, &RESPONSE_PARAMS)
        } else {
            fragment.into()
        };
        if !kept.is_empty() {
            out.push('#');
            out.push_str(&kept);
        }
    }
    (out != href).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{config, transaction};

    const STATE: &str = "sssssssssssssssssssssssssssssssssssssssssss";

    fn code_of(href: &str) -> Result<String> {
        let config = config::sample();
        let tx = transaction::sample(&config, 1000.0);
        validate(Callback::parse(href).check()?, &tx, &config, 2000.0)
    }

    fn code(err: Result<String>) -> ErrorCode {
        err.unwrap_err().code
    }

    #[test]
    fn accepts_a_good_callback() {
        let href = format!("https://app.example/callback?code=abc%2Bd&state={STATE}&iss=https%3A%2F%2Fas.example");
        assert_eq!(code_of(&href).unwrap(), "abc+d");
    }

    #[test]
    fn checks_in_order() {
        let cb = "https://app.example/callback";
        assert_eq!(code(code_of(&format!("{cb}?code=a&code=b"))), ErrorCode::DuplicateParameter);
        assert_eq!(code(code_of(&format!("{cb}?state=a&code=b&state=c"))), ErrorCode::DuplicateParameter);
        assert_eq!(code(code_of(&format!("{cb}?state={STATE}"))), ErrorCode::NotACallback);
        assert_eq!(code(code_of(&format!("{cb}?code=&state={STATE}"))), ErrorCode::NotACallback);
        assert_eq!(code(code_of(&format!("{cb}?code=a"))), ErrorCode::StateMissing);
        assert_eq!(code(code_of(&format!("{cb}?code=a&state=other"))), ErrorCode::StateUnknown);
        assert_eq!(
            code(code_of(&format!("{cb}?code=a&state={STATE}&iss=https://evil.example"))),
            ErrorCode::IssMismatch
        );
    }

    #[test]
    fn messages_never_carry_callback_input() {
        let cb = "https://app.example/callback";
        let hostile = format!("%3Cimg%20src%3Dx%3E{}", "A".repeat(200_000));
        let error = code_of(&format!("{cb}?{hostile}=1&{hostile}=2&code=a&state={STATE}")).unwrap_err();
        assert_eq!((error.code, error.field), (ErrorCode::DuplicateParameter, None));
        assert!(error.message.len() < 100 && !error.message.contains('<'), "{}", error.message);
        let error = code_of(&format!("{cb}?code=a&st%61te={STATE}&state=x")).unwrap_err();
        assert_eq!((error.code, error.field), (ErrorCode::DuplicateParameter, Some("state")));
        let error = code_of(&format!("{cb}?code=a&state={STATE}&iss=%3Cb%3E")).unwrap_err();
        assert_eq!((error.code, error.field), (ErrorCode::IssMismatch, Some("iss")));
        assert!(!error.message.contains("<b>"));
    }

    #[test]
    fn distinct_non_utf8_names_are_not_duplicates() {
        let href = format!("https://app.example/callback?%FF=1&%FE=2&code=a&state={STATE}");
        assert_eq!(code_of(&href).unwrap(), "a");
        let href = format!("https://app.example/callback?%FF=1&%ff=2&code=a&state={STATE}");
        assert_eq!(code(code_of(&href)), ErrorCode::DuplicateParameter);
    }

    #[test]
    fn an_empty_iss_is_present_and_compared() {
        let mut config = config::sample();
        let tx = transaction::sample(&config, 0.0);
        let empty_iss = Callback::parse(&format!("/cb?code=a&state={STATE}&iss=")).check().unwrap();
        assert_eq!(code(validate(empty_iss.clone(), &tx, &config, 1.0)), ErrorCode::IssMismatch);
        config.require_iss = true;
        assert_eq!(code(validate(empty_iss, &tx, &config, 1.0)), ErrorCode::IssMismatch);
    }

    #[test]
    fn heapsort_sorts() {
        let mut words = vec!["state", "code", "iss", "a", "code", "", "zz", "b"];
        heapsort(&mut words);
        assert_eq!(words, ["", "a", "b", "code", "code", "iss", "state", "zz"]);
        let mut one = vec!["x"];
        heapsort(&mut one);
        assert_eq!(one, ["x"]);
        heapsort::<&str>(&mut []);
    }

    #[test]
    fn implicit_and_hybrid_are_refused() {
        let cb = "https://app.example/callback";
        for href in [
            format!("{cb}#access_token=t&state={STATE}&token_type=bearer"),
            format!("{cb}?code=a&state={STATE}#id_token=x"),
            format!("{cb}?code=a&state={STATE}&token=x"),
        ] {
            assert_eq!(code(code_of(&href)), ErrorCode::ImplicitResponse, "{href}");
        }
    }

    #[test]
    fn authorization_error_carries_server_fields() {
        let href = format!("https://app.example/callback?error=access_denied&error_description=%3Cb%3Eno%3C%2Fb%3E&error_uri=https%3A%2F%2Fas.example%2Fe&state={STATE}&iss=https%3A%2F%2Fas.example");
        let error = code_of(&href).unwrap_err();
        assert_eq!(error.code, ErrorCode::AuthorizationError);
        assert_eq!(error.error.as_deref(), Some("access_denied"));
        assert_eq!(error.error_description.as_deref(), Some("<b>no</b>"));
        assert_eq!(error.error_uri.as_deref(), Some("https://as.example/e"));
    }

    #[test]
    fn iss_rules() {
        let mut config = config::sample();
        let tx = transaction::sample(&config, 0.0);
        let without_iss = Callback::parse(&format!("/cb?code=a&state={STATE}")).check().unwrap();
        assert_eq!(validate(without_iss.clone(), &tx, &config, 1.0).unwrap(), "a");
        config.require_iss = true;
        assert_eq!(code(validate(without_iss, &tx, &config, 1.0)), ErrorCode::IssMissing);
        let error_with_wrong_iss =
            Callback::parse(&format!("/cb?error=x&state={STATE}&iss=https://b.example")).check().unwrap();
        assert_eq!(code(validate(error_with_wrong_iss, &tx, &config, 1.0)), ErrorCode::IssMismatch);
    }

    #[test]
    fn expired_and_foreign_transactions() {
        let config = config::sample();
        let tx = transaction::sample(&config, 0.0);
        let response = Callback::parse(&format!("/cb?code=a&state={STATE}")).check().unwrap();
        assert_eq!(code(validate(response.clone(), &tx, &config, 600_001.0)), ErrorCode::TransactionExpired);
        let mut other_client = config.clone();
        other_client.client_id = "other".into();
        assert_eq!(code(validate(response, &tx, &other_client, 1.0)), ErrorCode::StateUnknown);
    }

    #[test]
    fn recognises_callbacks() {
        let config = config::sample();
        assert!(is_callback(&config, "https://app.example:443/callback?code=a&state=b"));
        assert!(is_callback(&config, "https://app.example/callback?error=x&state=b"));
        assert!(!is_callback(&config, "https://app.example/callback?code=a"));
        assert!(!is_callback(&config, "https://app.example/other?code=a&state=b"));
        assert!(!is_callback(&config, "https://evil.example/callback?code=a&state=b"));
        assert!(!is_callback(&config, "not a url"));
    }

    #[test]
    fn cleans_only_response_parameters() {
        assert_eq!(
            cleaned("https://app.example/cb?page=2&code=a&state=b&iss=c#section").as_deref(),
            Some("https://app.example/cb?page=2#section")
        );
        assert_eq!(
            cleaned("https://app.example/cb?error=x&error_description=y&state=s").as_deref(),
            Some("https://app.example/cb")
        );
        assert_eq!(cleaned("https://app.example/cb#access_token=t&x=1").as_deref(), Some("https://app.example/cb#x=1"));
        assert_eq!(cleaned("https://app.example/cb?page=2"), None);
    }
}
