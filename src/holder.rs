//! The token holder's record: its storage key, bound to one client, and the rule that a write
//! lands only where the record is still what the writer started from.
use alloc::string::String;

use crate::base64url;
use crate::config::ClientConfig;
use crate::error::{ErrorCode, OAuthError, Result};
use crate::json;
use crate::platform::{Env, Store};
use crate::token::TokenSet;
use sha2::{Digest, Sha256};

/// `{storagePrefix}:tokens:{id}`, where `id` names this client (client id, issuer, token
/// endpoint): another client never reads, refreshes or clears these tokens, whatever its prefix.
pub fn key(config: &ClientConfig) -> String {
    key_for(config, ":tokens:")
}

/// `{storagePrefix}:dpop:{id}`: where this client's DPoP key pair is kept (IndexedDB).
pub fn dpop_key(config: &ClientConfig) -> String {
    key_for(config, ":dpop:")
}

fn key_for(config: &ClientConfig, kind: &str) -> String {
    let mut identity = String::new();
    for part in [Some(&config.client_id), config.issuer.as_ref(), Some(&config.token_endpoint)] {
        match part {
            Some(text) => json::push_string(&mut identity, text),
            None => identity.push_str("null"),
        }
    }
    let digest = Sha256::digest(identity.as_bytes());
    crate::text::concat(&[&config.storage_prefix, kind, &base64url::encode(&digest[..16])])
}

/// The Web Lock serialising the refreshes of the holder under `key` (from `key`) across tabs;
/// valid whatever the prefix (Web Locks refuse names that start with `-`).
pub fn lock_name(key: &str) -> String {
    crate::text::concat(&["pkce-wasm lock ", key])
}

/// Writes `new` under `key` (`None`: removes it) only while the store holds `expected` there;
/// true when it wrote.
pub fn replace_if(store: &impl Store, key: &str, expected: Option<&str>, new: Option<&str>) -> Result<bool> {
    if store.get(key)?.as_deref() != expected {
        return Ok(false);
    }
    match new {
        Some(text) => store.set(key, text)?,
        None => store.remove(key)?,
    }
    Ok(true)
}

/// Writes `new` under `key` unconditionally when `expected` is `None`, else as `replace_if`.
pub fn replace(store: &impl Store, key: &str, expected: Option<Option<&str>>, new: Option<&str>) -> Result<bool> {
    match expected {
        Some(expected) => replace_if(store, key, expected, new),
        None => replace_if(store, key, store.get(key)?.as_deref(), new),
    }
}

/// The `TokenSet` in the holder's record `text`; `None` for no record or one it cannot read.
pub fn parse(text: Option<&str>, env: &impl Env) -> Option<TokenSet> {
    text.and_then(|text| env.parse_object(text)).and_then(|record| TokenSet::from_json(&record))
}

/// What an access token request gets from the record `held`: its access token while it stays
/// valid for `refresh_leeway` more seconds (`Some`), a refresh (`None`), or `login_required`.
/// An access token a resource server `refused` (`invalid_token`) is due for a refresh too.
pub fn fresh_access_token(
    config: &ClientConfig,
    held: Option<&str>,
    refused: Option<&str>,
    env: &impl Env,
) -> Result<Option<String>> {
    let tokens = parse(held, env).ok_or_else(|| login_required("no tokens are held: sign in"))?;
    let fresh = tokens.is_fresh(env.now(), config.refresh_leeway) && refused != Some(tokens.access_token.as_str());
    Ok(fresh.then_some(tokens.access_token))
}

/// True when the record `held` holds tokens bound to a DPoP key other than the one with
/// `thumbprint` (the key in use now): they are of no use with it, and are dropped. A record
/// without a thumbprint (written before it was kept) is left alone.
pub fn bound_elsewhere(held: Option<&str>, thumbprint: &str, env: &impl Env) -> bool {
    parse(held, env).and_then(|tokens| tokens.jkt).is_some_and(|jkt| jkt != thumbprint)
}

/// The refresh token of the record `held`; `login_required` without one.
pub fn refresh_token(held: Option<&str>, env: &impl Env) -> Result<String> {
    let tokens = parse(held, env).ok_or_else(|| login_required("no tokens are held: sign in"))?;
    tokens.refresh_token.ok_or_else(|| login_required("the access token expired and there is no refresh token"))
}

/// The answer when the holder moved on during a refresh (cleared, or a newer login): the
/// access token it holds now if that one is fresh, else `login_required`.
pub fn after_lost_race(config: &ClientConfig, now: Option<&str>, env: &impl Env) -> Result<String> {
    fresh_access_token(config, now, None, env)
        .ok()
        .flatten()
        .ok_or_else(|| login_required("the held tokens changed during the refresh"))
}

/// A refresh with `refresh_token` that starts while the holder holds `start`: when that is the
/// held login's refresh token, the login's ID token and its claims (a refreshed ID token must
/// match them, OIDC Core §12.2; an answer without one keeps them), and only then may the
/// refresh's rejection empty the holder.
#[derive(Debug)]
pub struct RefreshBasis {
    /// True when `refresh_token` is the held login's.
    pub held: bool,
    /// The held login's ID token and its checked claims (JSON text).
    pub id_token: Option<(String, String)>,
}

impl RefreshBasis {
    /// The basis of a refresh with `refresh_token` from the record `start`.
    pub fn new(start: Option<&str>, refresh_token: &str, env: &impl Env) -> Self {
        let held = parse(start, env).filter(|t| t.refresh_token.as_deref() == Some(refresh_token));
        Self { held: held.is_some(), id_token: held.and_then(|t| t.id_token.zip(t.claims)) }
    }

    /// The held login's ID token and claims, as `steps::refresh_response` takes them.
    pub fn login(&self) -> Option<(&str, &str)> {
        self.id_token.as_ref().map(|(token, claims)| (token.as_str(), claims.as_str()))
    }

    /// What the holder writes after the refresh, over `start` only: the new record
    /// (`Some(Some)`), nothing held (`Some(None)`, the server refused the held refresh token),
    /// or no write (`None`).
    pub fn write(&self, result: &Result<TokenSet>) -> Option<Option<String>> {
        match result {
            Ok(tokens) => Some(Some(tokens.to_json())),
            Err(error) if self.held && is_refusal(error) => Some(None),
            Err(_) => None,
        }
    }
}

/// The token endpoint refused the refresh token: `invalid_grant`, or a `400`/`401` without an
/// OAuth error body (`invalid_token_response`; Glewlwyd's empty `400` for a revoked or
/// rotated-out token). Other OAuth errors (`use_dpop_nonce`, ...) and `5xx` keep the session.
fn is_refusal(error: &OAuthError) -> bool {
    match error.code {
        ErrorCode::TokenError => error.error.as_deref() == Some("invalid_grant"),
        ErrorCode::InvalidTokenResponse => matches!(error.status, Some(400 | 401)),
        _ => false,
    }
}

/// The Web Lock that keeps two tabs from refreshing at once could not be taken.
pub fn lock_failed() -> OAuthError {
    OAuthError::new(ErrorCode::LockFailed, "the refresh lock could not be taken")
}

fn login_required(message: &'static str) -> OAuthError {
    OAuthError::new(ErrorCode::LoginRequired, message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config;
    use crate::fakes::FakeStore;

    #[test]
    fn keys_are_bound_to_the_client() {
        let a = config::sample();
        let mut other_issuer = a.clone();
        other_issuer.issuer = Some("https://other.example".into());
        let mut other_endpoint = a.clone();
        other_endpoint.token_endpoint = "https://other.example/token".into();
        let mut other_client = a.clone();
        other_client.client_id = "other".into();
        let mut no_issuer = a.clone();
        no_issuer.issuer = None;
        let keys = [&a, &other_issuer, &other_endpoint, &other_client, &no_issuer].map(key);
        for (i, k) in keys.iter().enumerate() {
            assert!(k.starts_with("pkce-wasm:tokens:") && k.len() == "pkce-wasm:tokens:".len() + 22, "{k}");
            assert!(keys[i + 1..].iter().all(|other| other != k), "{k} is shared");
        }
        assert_eq!(key(&a), key(&a.clone()), "stable for one client");
    }

    #[test]
    fn lock_names_are_valid_for_any_prefix() {
        let mut config = config::sample();
        config.storage_prefix = "-p".into();
        assert!(!lock_name(&key(&config)).starts_with('-'));
        assert!(lock_name(&key(&config)).ends_with(&key(&config)));
    }

    fn record(refresh_token: Option<&str>, expires_at: Option<u64>) -> String {
        let tokens = TokenSet {
            access_token: "at".into(),
            token_type: "Bearer".into(),
            expires_at,
            refresh_token: refresh_token.map(String::from),
            id_token: Some("i.d.t".into()),
            scope: None,
            claims: Some("{\"sub\":\"u1\"}".into()),
            jkt: Some("jkt-1".into()),
        };
        tokens.to_json()
    }

    #[test]
    fn access_token_requests_are_decided_from_the_record() {
        let (config, env) = (config::sample(), crate::fakes::FakeEnv::default());
        let now_s = (env.now.get() / 1000.0) as u64;
        let fresh = record(Some("rt"), Some(now_s + 3600));
        let stale = record(Some("rt"), Some(now_s + 10)); // inside the 30 s leeway
        assert_eq!(fresh_access_token(&config, Some(&fresh), None, &env).unwrap().as_deref(), Some("at"));
        assert_eq!(fresh_access_token(&config, Some(&stale), None, &env).unwrap(), None, "a refresh is due");
        assert_eq!(fresh_access_token(&config, Some(&fresh), Some("at"), &env).unwrap(), None, "refused: refresh");
        let other = fresh_access_token(&config, Some(&fresh), Some("older"), &env).unwrap();
        assert_eq!(other.as_deref(), Some("at"), "an older token was refused: this one was refreshed already");
        for nothing in [None, Some("{}"), Some("not json")] {
            let error = fresh_access_token(&config, nothing, None, &env).unwrap_err();
            assert_eq!(error.code, ErrorCode::LoginRequired, "{nothing:?}");
        }
        assert_eq!(refresh_token(Some(&stale), &env).unwrap(), "rt");
        let no_refresh = record(None, Some(now_s));
        assert_eq!(refresh_token(Some(&no_refresh), &env).unwrap_err().code, ErrorCode::LoginRequired);
        assert_eq!(after_lost_race(&config, Some(&fresh), &env).unwrap(), "at");
        assert_eq!(after_lost_race(&config, None, &env).unwrap_err().code, ErrorCode::LoginRequired);
        assert_eq!(after_lost_race(&config, Some(&stale), &env).unwrap_err().code, ErrorCode::LoginRequired);
    }

    #[test]
    fn only_the_held_refresh_token_carries_claims_and_may_empty_the_holder() {
        let env = crate::fakes::FakeEnv::default();
        let start = record(Some("rt"), None);
        let held = RefreshBasis::new(Some(&start), "rt", &env);
        assert!(held.held);
        assert_eq!(held.login(), Some(("i.d.t", "{\"sub\":\"u1\"}")));
        let other = RefreshBasis::new(Some(&start), "someone else's", &env);
        assert!(!other.held && other.login().is_none());
        let invalid_grant =
            Err(OAuthError::new(ErrorCode::TokenError, "x").with_server("invalid_grant".into(), None, None));
        assert_eq!(held.write(&invalid_grant), Some(None), "the held login was rejected: empty the holder");
        assert_eq!(other.write(&invalid_grant), None, "another token's rejection leaves the holder alone");
        let timeout = Err(OAuthError::new(ErrorCode::Timeout, "x"));
        assert_eq!(held.write(&timeout), None);
        let tokens = parse(Some(&start), &env).unwrap();
        assert_eq!(other.write(&Ok(tokens)), Some(Some(start)));
    }

    #[test]
    fn a_held_refresh_refused_without_an_oauth_error_ends_the_session() {
        use crate::fakes::FakeTransport;
        let (config, env) = (config::sample(), crate::fakes::FakeEnv::default());
        let start = record(Some("rt"), None);
        let request = crate::steps::refresh_request(&config, "rt").unwrap();
        for (status, body) in [(400, ""), (400, "<html>gone</html>"), (401, ""), (400, "{}")] {
            // Glewlwyd answers a revoked or rotated-out refresh token with an empty 400.
            let answer = FakeTransport::answering(status, body).answer_to(&request);
            let result = crate::steps::refresh_response(&config, "rt", None, answer, &env);
            let error = result.as_ref().unwrap_err();
            assert_eq!((error.code, error.status), (ErrorCode::InvalidTokenResponse, Some(status)), "{body}");
            let basis = RefreshBasis::new(Some(&start), "rt", &env);
            assert_eq!(basis.write(&result), Some(None), "{status} {body}: the dead refresh token goes");
            let other = RefreshBasis::new(Some(&start), "someone else's", &env);
            assert_eq!(other.write(&result), None, "another token's refusal leaves the holder alone");
        }
        for (status, body) in [(500, ""), (503, "busy"), (400, r#"{"error":"use_dpop_nonce"}"#)] {
            let answer = FakeTransport::answering(status, body).answer_to(&request);
            let result = crate::steps::refresh_response(&config, "rt", None, answer, &env);
            let basis = RefreshBasis::new(Some(&start), "rt", &env);
            assert_eq!(basis.write(&result), None, "{status} {body}: a server failure or an OAuth error keeps it");
        }
    }

    #[test]
    fn tokens_bound_to_another_key_are_told_apart() {
        let env = crate::fakes::FakeEnv::default();
        let held = record(Some("rt"), None);
        assert!(!bound_elsewhere(Some(&held), "jkt-1", &env), "the key they were bound to");
        assert!(bound_elsewhere(Some(&held), "jkt-2", &env), "another key: a swapped or planted one");
        let unknown = held.replace(",\"jkt\":\"jkt-1\"", "");
        assert!(!unknown.contains("jkt") && !bound_elsewhere(Some(&unknown), "jkt-2", &env), "no thumbprint kept");
        assert!(!bound_elsewhere(None, "jkt-2", &env));
    }

    #[test]
    fn replace_if_writes_only_over_what_it_started_from() {
        let store = FakeStore::default();
        assert!(replace_if(&store, "k", None, Some("a")).unwrap(), "empty, as expected");
        assert!(!replace_if(&store, "k", None, Some("b")).unwrap(), "a newer record is kept");
        assert!(!replace_if(&store, "k", Some("x"), None).unwrap());
        assert_eq!(store.get("k").unwrap().as_deref(), Some("a"));
        assert!(replace_if(&store, "k", Some("a"), Some("b")).unwrap());
        store.remove("k").unwrap(); // clear() while a refresh that started from "b" runs
        assert!(!replace_if(&store, "k", Some("b"), Some("c")).unwrap(), "a cleared holder stays empty");
        assert_eq!(store.get("k").unwrap(), None);
    }
}
