//! The protocol steps, sans I/O: each is a synchronous function from what it needs to either
//! the next request to send or the result (as oauth2-rs's `prepare_request`/`endpoint_response`
//! and oauth4webapi's request/process pairs). Nothing is sent before every check that can be
//! made has passed: a step that ends in a request returns it only after its checks, so the
//! boundary is the function's return. The waiting (fetch, IndexedDB, Web Locks) is a driver's:
//! `flow` over the `platform` traits.
use alloc::string::String;

use crate::authorize::{self, AuthorizeParams};
use crate::base64url;
use crate::callback::{self, Callback};
use crate::config::ClientConfig;
use crate::discovery::{self, Metadata};
use crate::error::{ErrorCode, OAuthError, Result};
use crate::http::{self, Failure, Request, Response};
use crate::id_token;
use crate::json::JsonObject;
use crate::logout::{self, LogoutParams};
use crate::par;
use crate::pkce::{self, RANDOM_BYTES};
use crate::platform::{Env, Store};
use crate::token::{self, TokenSet};
use crate::transaction::Transaction;

/// What a driver hands back for a request: the response, or why none came.
pub type Answer<J> = core::result::Result<Response<J>, Failure>;

/// A finished login: the tokens and the `appState` JSON text given to `start_login`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoginResult {
    /// The tokens.
    pub tokens: TokenSet,
    /// The app's state, as JSON text.
    pub app_state: Option<String>,
}

/// Where a started login goes next.
#[derive(Debug)]
pub enum Start {
    /// To this front-channel authorization URL, for the login with this `state`.
    Navigate(String, String),
    /// First this pushed authorization request (RFC 9126); then to the URL `pushed` makes of
    /// its answer, for the login with this `state`.
    Push(Request, String),
}

/// Makes a verifier, challenge and state and stores the transaction; returns where to go. A
/// caller that may `push` pushes whenever there is a PAR endpoint; one that may not (the
/// synchronous `authorizeUrl`) is `par_required` when PAR is required, before anything is stored.
pub fn start_login(
    config: &ClientConfig,
    params: &AuthorizeParams,
    app_state: Option<String>,
    push: bool,
    dpop_jkt: Option<&str>,
    store: &impl Store,
    env: &impl Env,
) -> Result<Start> {
    params.validate(config)?;
    let push = push && config.par_endpoint.is_some();
    if config.require_par && !push {
        return Err(par_required());
    }
    let mut random = [0u8; 3 * RANDOM_BYTES];
    env.random(&mut random)?;
    // i is 0, 1 or 2: always within the three chunks of `random`.
    let value = |i: usize| base64url::encode(&random[i * RANDOM_BYTES..(i + 1) * RANDOM_BYTES]);
    let (verifier, state) = (value(0), value(1));
    let nonce = params.wants_openid(config).then(|| value(2));
    let challenge = pkce::challenge_s256(&verifier)?;
    let login = authorize::Login { state: &state, challenge: &challenge, nonce: nonce.as_deref(), dpop_jkt };
    let start = if push {
        let mut body = String::new();
        authorize::push_parameters(&mut body, config, params, &login);
        Start::Push(par::request(config, body)?, state.clone())
    } else {
        Start::Navigate(authorize::build_url(config, params, &login), state.clone())
    };
    let now = env.now();
    sweep_expired(config, store, env, now)?;
    let mut tx = Transaction::new(config, state, verifier, nonce, now, app_state);
    tx.popup_redirect_uri.clone_from(&params.redirect_uri);
    store.set(&Transaction::key(&config.storage_prefix, &tx.state), &tx.to_json())?;
    Ok(start)
}

/// `start_login` for a front-channel URL only (the synchronous `authorizeUrl`).
pub fn authorize_url(
    config: &ClientConfig,
    params: &AuthorizeParams,
    app_state: Option<String>,
    dpop_jkt: Option<&str>,
    store: &impl Store,
    env: &impl Env,
) -> Result<String> {
    match start_login(config, params, app_state, false, dpop_jkt, store, env)? {
        Start::Navigate(url, _) => Ok(url),
        Start::Push(..) => Err(par_required()), // not with `push: false`
    }
}

fn par_required() -> OAuthError {
    OAuthError::new(ErrorCode::ParRequired, "PAR is required: use login()")
}

/// A pushed request's answer: the front-channel URL with its `request_uri`; on any failure the
/// login with `state` is removed (nothing is left half-done) and no front-channel request is
/// offered in its place.
pub fn pushed<J: JsonObject>(
    config: &ClientConfig,
    state: &str,
    answer: Answer<J>,
    store: &impl Store,
) -> Result<String> {
    let result = answer.map_err(http::failure).and_then(|response| par::read_response(&response));
    match result {
        Ok(request_uri) => Ok(authorize::pushed_url(config, &request_uri)),
        Err(error) => {
            abandon(config, state, store)?;
            Err(error)
        }
    }
}

/// Removes the pending login with `state` (a popup login that ended without a callback).
pub fn abandon(config: &ClientConfig, state: &str, store: &impl Store) -> Result<()> {
    store.remove(&Transaction::key(&config.storage_prefix, state))
}

/// Removes this client's stored transactions that are past their own expiry; other clients'
/// records, and records it cannot read, are not its to judge.
fn sweep_expired(config: &ClientConfig, store: &impl Store, env: &impl Env, now: f64) -> Result<()> {
    let prefix = Transaction::key_prefix(&config.storage_prefix);
    for key in store.keys()?.into_iter().filter(|k| k.starts_with(&prefix)) {
        let record = store.get(&key)?.and_then(|text| env.parse_object(&text));
        let tx = record.and_then(|record| Transaction::from_json(&record).ok());
        if tx.is_some_and(|tx| tx.belongs_to(config) && tx.is_expired(now, config.transaction_ttl)) {
            store.remove(&key)?;
        }
    }
    Ok(())
}

/// A callback that passed every check, its pending login consumed: the origin-wide mark to
/// claim for its state (so a tab holding a copy of this tab's sessionStorage cannot redeem it
/// too). The token request is reached only through `claimed`.
#[derive(Debug)]
pub struct Redemption {
    /// The mark's key.
    pub mark: String,
    /// Epoch ms until which the mark is kept (as long as the login could have been redeemed).
    pub expires_at: f64,
    /// Epoch ms now; marks past their expiry may be swept.
    pub now: f64,
    request: Request,
    login: PendingLogin,
}

/// What the token response of a login is checked against.
#[derive(Debug)]
pub struct PendingLogin {
    nonce: Option<String>,
    app_state: Option<String>,
}

impl PendingLogin {
    /// What a token request made elsewhere (`tokenStorage` "worker": in the worker) is checked
    /// against there: the login's nonce only; its `appState` stays with the page.
    pub fn expecting(nonce: Option<String>) -> Self {
        Self { nonce, app_state: None }
    }

    /// The nonce the login's ID token must carry (`None`: not an OpenID login).
    pub fn nonce(&self) -> Option<&str> {
        self.nonce.as_deref()
    }

    /// The login, finished elsewhere with `tokens` (already checked there), and its `appState`.
    pub fn finished(self, tokens: TokenSet) -> LoginResult {
        LoginResult { tokens, app_state: self.app_state }
    }
}

impl Redemption {
    /// The token request, once the mark was claimed (`claimed`: it was not there yet); else
    /// `state_unknown`, nothing to send.
    pub fn claimed(self, claimed: bool) -> Result<(Request, PendingLogin)> {
        if !claimed {
            return Err(OAuthError::new(ErrorCode::StateUnknown, "another tab already redeemed this login"));
        }
        Ok((self.request, self.login))
    }
}

/// `finish_login`, first half: parses and checks the callback at `href`, removes its pending
/// login (before any check can fail: every callback is single-use), and builds the token request.
pub fn begin_redemption(config: &ClientConfig, href: &str, store: &impl Store, env: &impl Env) -> Result<Redemption> {
    let callback = Callback::parse(href);
    let stored = match callback.state() {
        Some(state) => take_transaction(config, state, store, env)?,
        None => None,
    };
    let response = callback.check()?;
    let tx = stored
        .ok_or_else(|| OAuthError::new(ErrorCode::StateUnknown, "no pending login in this tab has this state"))??;
    let now = env.now();
    let code = callback::validate(response, &tx, config, now)?;
    let redirect_uri = tx.popup_redirect_uri.as_ref().unwrap_or(&tx.redirect_uri);
    let body = token::code_request(config, &code, redirect_uri, &tx.verifier);
    Ok(Redemption {
        mark: Transaction::mark_key(&config.storage_prefix, &tx.state),
        expires_at: tx.expires_at(config.transaction_ttl),
        now,
        request: Request::form_post(&config.token_endpoint, body, config.timeout),
        login: PendingLogin { nonce: tx.nonce, app_state: tx.app_state },
    })
}

/// `finish_login`, second half: the token response, and the ID token against the login's nonce.
pub fn end_redemption<J: JsonObject>(
    config: &ClientConfig,
    login: PendingLogin,
    answer: Answer<J>,
    env: &impl Env,
) -> Result<LoginResult> {
    let mut tokens = token::read_response(config, &answer.map_err(http::failure)?, env.now())?;
    check_id_token(config, &mut tokens, login.nonce.as_deref(), env)?;
    Ok(LoginResult { tokens, app_state: login.app_state })
}

/// Reads and deletes the transaction for `state`; the inner result is its decoding.
fn take_transaction(
    config: &ClientConfig,
    state: &str,
    store: &impl Store,
    env: &impl Env,
) -> Result<Option<Result<Transaction>>> {
    if !pkce::is_generated_state(state) {
        return Ok(None); // not a state we could have issued: no storage lookup with attacker input
    }
    let key = Transaction::key(&config.storage_prefix, state);
    let Some(text) = store.get(&key)? else { return Ok(None) };
    store.remove(&key)?;
    let decoded = env
        .parse_object(&text)
        .ok_or_else(|| OAuthError::new(ErrorCode::TransactionInvalid, "stored login is not a JSON object"))
        .and_then(|record| Transaction::from_json(&record))
        .and_then(|tx| match &tx.app_state {
            Some(app_state) if !env.is_json(app_state) => {
                Err(OAuthError::new(ErrorCode::TransactionInvalid, "stored login has a bad appState"))
            }
            _ => Ok(tx),
        });
    Ok(Some(decoded))
}

/// A refresh (RFC 6749 §6), first half: the request; `invalid_argument` for an empty token.
pub fn refresh_request(config: &ClientConfig, refresh_token: &str) -> Result<Request> {
    if refresh_token.is_empty() {
        return Err(OAuthError::new(ErrorCode::InvalidArgument, "refresh token must be a non-empty string")
            .with_field("refreshToken"));
    }
    Ok(Request::form_post(&config.token_endpoint, token::refresh_request(config, refresh_token), config.timeout))
}

/// A refresh, second half: keeps `refresh_token` when the server sends no new one.
/// `login` is the login's ID token and its checked claims, when known: a refreshed ID token
/// must then have the same `iss`, `sub` and `aud`, and an answer without one (OIDC Core §12.2
/// allows it) keeps the login's.
pub fn refresh_response<J: JsonObject>(
    config: &ClientConfig,
    refresh_token: &str,
    login: Option<(&str, &str)>,
    answer: Answer<J>,
    env: &impl Env,
) -> Result<TokenSet> {
    let mut tokens = token::read_response(config, &answer.map_err(http::failure)?, env.now())?;
    tokens.refresh_token.get_or_insert_with(|| refresh_token.into());
    check_id_token(config, &mut tokens, None, env)?;
    match (&tokens.claims, login) {
        (Some(refreshed), Some((_, original))) => id_token::check_same_subject(refreshed, original, env)?,
        (None, Some((id_token, claims))) => {
            tokens.id_token = Some(id_token.into());
            tokens.claims = Some(claims.into());
        }
        _ => {}
    }
    Ok(tokens)
}

/// Checks the ID token, required when the login sent a nonce, and keeps its claims.
fn check_id_token(config: &ClientConfig, tokens: &mut TokenSet, nonce: Option<&str>, env: &impl Env) -> Result<()> {
    let Some(id_token) = &tokens.id_token else {
        return match nonce {
            Some(_) => Err(OAuthError::new(ErrorCode::IdTokenInvalid, "an openid login returned no ID token")
                .with_field("id_token")),
            None => Ok(()),
        };
    };
    let expected =
        id_token::Expected { issuer: config.issuer.as_deref(), client_id: &config.client_id, nonce, now: env.now() };
    tokens.claims = Some(id_token::validate(id_token, &expected, env)?);
    Ok(())
}

/// The metadata of `issuer` cached by an earlier discovery, when still valid for it.
pub fn cached_metadata(issuer: &str, prefix: &str, store: Option<&impl Store>, env: &impl Env) -> Option<Metadata> {
    let key = Metadata::cache_key(prefix, issuer);
    let cached = store.and_then(|s| s.get(&key).ok().flatten()).and_then(|text| env.parse_object(&text));
    cached.and_then(|doc| discovery::parse_metadata(issuer, &doc).ok())
}

/// Caches discovered metadata; a full storage only costs a fetch next time.
pub fn cache_metadata(metadata: &Metadata, prefix: &str, store: Option<&impl Store>) {
    if let Some(store) = store {
        let _ = store.set(&Metadata::cache_key(prefix, &metadata.issuer), &metadata.to_json());
    }
}

/// A revocation (RFC 7009), first half: the request, once there is an endpoint and a token.
pub fn revoke_request(config: &ClientConfig, token: &str, hint: Option<&str>) -> Result<Request> {
    let Some(endpoint) = &config.revocation_endpoint else {
        return Err(OAuthError::new(ErrorCode::InvalidConfig, "revocationEndpoint is not configured or discovered")
            .with_field("revocationEndpoint"));
    };
    if token.is_empty() {
        return Err(OAuthError::new(ErrorCode::InvalidArgument, "token must be a non-empty string").with_field("token"));
    }
    Ok(Request::form_post(endpoint, token::revocation_request(config, token, hint), config.timeout))
}

/// A revocation, second half.
pub fn revoke_response<J: JsonObject>(answer: Answer<J>) -> Result<()> {
    token::read_revocation(&answer.map_err(http::failure)?)
}

/// What `logout` does once the holder is empty: revoke the refresh token it held (when there
/// is one and a revocation endpoint; best effort), then leave for the end-session URL (with the
/// held ID token as hint unless given) when there is an end-session endpoint.
#[derive(Debug)]
pub struct SignOut {
    /// The revocation of the held refresh token.
    pub revocation: Option<Request>,
    /// Where to go afterwards; `None`: signed out locally, stay.
    pub end_session: Option<String>,
}

/// Plans a logout of the held tokens `held`.
pub fn sign_out(config: &ClientConfig, mut params: LogoutParams, held: Option<TokenSet>) -> Result<SignOut> {
    let refresh_token = held.as_ref().and_then(|t| t.refresh_token.as_deref());
    let revocation = match refresh_token {
        Some(token) if config.revocation_endpoint.is_some() => {
            Some(revoke_request(config, token, Some("refresh_token"))?)
        }
        _ => None,
    };
    if config.end_session_endpoint.is_none() {
        return Ok(SignOut { revocation, end_session: None });
    }
    if params.id_token_hint.is_none() {
        params.id_token_hint = held.and_then(|t| t.id_token);
    }
    Ok(SignOut { revocation, end_session: Some(logout::logout_url(config, &params)?) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config;
    use crate::fakes::{FakeEnv, FakeStore, FakeTransport};
    use crate::form;
    use crate::http::{Body, Method};

    const TOKENS: &str = r#"{"access_token":"at","token_type":"Bearer","refresh_token":"rt"}"#;

    fn login(config: &ClientConfig, store: &FakeStore, env: &FakeEnv) -> String {
        let url = authorize_url(config, &AuthorizeParams::default(), None, None, store, env).unwrap();
        let state = form::parse(url.split_once('?').unwrap().1).into_iter().find(|(n, _)| n == "state").unwrap().1;
        format!("https://app.example/callback?code=c&state={state}&iss=https%3A%2F%2Fas.example")
    }

    #[test]
    fn the_token_request_exists_only_after_the_checks_the_consumed_login_and_the_mark() {
        let (config, store, env) = (config::sample(), FakeStore::default(), FakeEnv::default());
        let callback = login(&config, &store, &env);
        let foreign = callback.replace("iss=https%3A%2F%2Fas.example", "iss=https%3A%2F%2Fevil.example");
        let error = begin_redemption(&config, &foreign, &store, &env).unwrap_err();
        assert_eq!(error.code, ErrorCode::IssMismatch, "a failed check leaves no request to send");
        assert!(store.items.borrow().is_empty(), "and consumed the pending login");

        let callback = login(&config, &store, &env);
        let redemption = begin_redemption(&config, &callback, &store, &env).unwrap();
        assert!(store.items.borrow().is_empty(), "consumed before the request is handed out");
        assert_eq!(redemption.expires_at, env.now.get() + 600_000.0);
        let again = begin_redemption(&config, &callback, &store, &env).unwrap_err();
        assert_eq!(again.code, ErrorCode::StateUnknown);
        let (request, _) = redemption.claimed(true).unwrap();
        assert_eq!((request.method, request.url.as_str()), (Method::Post, "https://as.example/token"));
        let body = form::parse(request.body.as_deref().unwrap());
        assert!(body.contains(&("code".into(), "c".into())));

        let callback = login(&config, &store, &env);
        let taken = begin_redemption(&config, &callback, &store, &env).unwrap().claimed(false).unwrap_err();
        assert_eq!(taken.code, ErrorCode::StateUnknown, "a mark another tab holds: no request");
    }

    #[test]
    fn a_popups_own_redirect_uri_goes_on_its_authorize_and_token_requests_and_stays_on_the_origin() {
        let (config, store, env) = (config::sample(), FakeStore::default(), FakeEnv::default());
        let popup = "https://app.example/popup.html";
        let params = AuthorizeParams { redirect_uri: Some(popup.into()), ..Default::default() };
        let Start::Navigate(url, state) = start_login(&config, &params, None, true, None, &store, &env).unwrap() else {
            panic!("front-channel")
        };
        let query = form::parse(url.split_once('?').unwrap().1);
        assert!(query.contains(&("redirect_uri".into(), popup.into())));
        let callback = format!("{popup}?code=c&state={state}&iss=https%3A%2F%2Fas.example");
        let (request, _) = begin_redemption(&config, &callback, &store, &env).unwrap().claimed(true).unwrap();
        let body = form::parse(request.body.as_deref().unwrap());
        assert!(body.contains(&("redirect_uri".into(), popup.into())), "the token request names the same redirect URI");

        for elsewhere in [
            "https://evil.example/popup.html",
            "http://app.example/popup.html",
            "https://app.example/p#x",
            "popup.html",
            "https://u@app.example/popup.html",
            "https://u:p@app.example/popup.html",
            "HTTPS://app.example/popup.html",
            "http://[::1]app.example/popup.html",
        ] {
            let params = AuthorizeParams { redirect_uri: Some(elsewhere.into()), ..Default::default() };
            let error = start_login(&config, &params, None, true, None, &store, &env).unwrap_err();
            assert_eq!(
                (error.code, error.field),
                (ErrorCode::InvalidArgument, Some("popupRedirectUri")),
                "{elsewhere}"
            );
        }
        assert!(store.items.borrow().is_empty(), "a refused popupRedirectUri stores nothing");

        let Start::Navigate(_, state) =
            start_login(&config, &AuthorizeParams::default(), None, true, None, &store, &env).unwrap()
        else {
            panic!("front-channel")
        };
        abandon(&config, &state, &store).unwrap();
        assert!(store.items.borrow().is_empty(), "an abandoned popup login leaves nothing");
    }

    #[test]
    fn a_login_is_pushed_when_it_can_be_and_front_channel_only_when_allowed() {
        let (mut config, store, env) = (config::sample(), FakeStore::default(), FakeEnv::default());
        config.par_endpoint = Some("https://as.example/par".into());
        let params = AuthorizeParams::default();
        let url = authorize_url(&config, &params, None, Some("jkt"), &store, &env).unwrap();
        assert!(url.contains("&dpop_jkt=jkt"), "PAR known, not required: authorizeUrl stays front-channel");
        let Start::Push(request, state) = start_login(&config, &params, None, true, Some("jkt"), &store, &env).unwrap()
        else {
            panic!("pushed")
        };
        assert_eq!((request.method, request.url.as_str()), (Method::Post, "https://as.example/par"));
        let body = form::parse(request.body.as_deref().unwrap());
        for name in ["state", "code_challenge", "dpop_jkt", "redirect_uri"] {
            assert!(body.iter().any(|(n, _)| n == name), "{name} is pushed");
        }
        let key = Transaction::key(&config.storage_prefix, &state);
        assert!(store.items.borrow().contains_key(&key), "the login is pending while it is pushed");
        let refused = FakeTransport::answering(400, r#"{"error":"invalid_request"}"#).answer_to(&request);
        assert_eq!(pushed(&config, &state, refused, &store).unwrap_err().code, ErrorCode::ParError);
        assert!(!store.items.borrow().contains_key(&key), "a failed push leaves no pending login");

        let Start::Push(request, state) = start_login(&config, &params, None, true, None, &store, &env).unwrap() else {
            panic!("pushed")
        };
        let ok = FakeTransport::answering(201, r#"{"request_uri":"urn:x","expires_in":60}"#).answer_to(&request);
        assert_eq!(
            pushed(&config, &state, ok, &store).unwrap(),
            "https://as.example/authorize?client_id=spa&request_uri=urn%3Ax"
        );

        config.require_par = true;
        let before = store.items.borrow().len();
        let error = authorize_url(&config, &params, None, None, &store, &env).unwrap_err();
        assert_eq!(error.code, ErrorCode::ParRequired);
        assert_eq!(store.items.borrow().len(), before, "nothing stored for a refused front-channel login");
        config.par_endpoint = None;
        assert_eq!(
            start_login(&config, &params, None, true, None, &store, &env).unwrap_err().code,
            ErrorCode::ParRequired
        );
    }

    #[test]
    fn token_answers_are_judged_by_the_core() {
        let (config, store, env) = (config::sample(), FakeStore::default(), FakeEnv::default());
        let transport = FakeTransport::answering(200, TOKENS);
        let redeem = |answer| {
            let redemption = begin_redemption(&config, &login(&config, &store, &env), &store, &env).unwrap();
            let (_, pending) = redemption.claimed(true).unwrap();
            end_redemption(&config, pending, answer, &env)
        };
        let request = Request::form_post("https://as.example/token", String::new(), 30);
        assert_eq!(redeem(transport.answer_to(&request)).unwrap().tokens.access_token, "at");
        *transport.content_type.borrow_mut() = "text/plain".into();
        assert_eq!(redeem(transport.answer_to(&request)).unwrap_err().code, ErrorCode::InvalidTokenResponse);
        for (failure, code) in [(Failure::Timeout, ErrorCode::Timeout), (Failure::Unreachable, ErrorCode::NetworkError)]
        {
            assert_eq!(redeem(Err::<Response<serde_json::Value>, _>(failure)).unwrap_err().code, code);
        }
    }

    #[test]
    fn refresh_and_revocation_halves() {
        let mut config = config::sample();
        let env = FakeEnv::default();
        assert_eq!(refresh_request(&config, "").unwrap_err().code, ErrorCode::InvalidArgument);
        let request = refresh_request(&config, "old").unwrap();
        assert_eq!(request.body.as_deref(), Some("grant_type=refresh_token&refresh_token=old&client_id=spa"));
        let transport = FakeTransport::answering(200, r#"{"access_token":"a2","token_type":"bearer"}"#);
        let kept = refresh_response(&config, "old", None, transport.answer_to(&request), &env).unwrap();
        assert_eq!(kept.refresh_token.as_deref(), Some("old"));

        assert_eq!(revoke_request(&config, "rt", None).unwrap_err().code, ErrorCode::InvalidConfig);
        config.revocation_endpoint = Some("https://as.example/revoke".into());
        assert_eq!(revoke_request(&config, "", None).unwrap_err().code, ErrorCode::InvalidArgument);
        let too_large =
            |status| Ok(Response::<serde_json::Value> { status, headers: Vec::new(), body: Body::TooLarge });
        revoke_response(too_large(200)).expect("RFC 7009: any 2xx is success, whatever the body");
        let error = revoke_response(too_large(500)).unwrap_err();
        assert_eq!((error.code, error.status), (ErrorCode::InvalidTokenResponse, Some(500)));
    }

    #[test]
    fn sign_out_revokes_the_held_refresh_token_and_hints_the_held_id_token() {
        let mut config = config::sample();
        let held = || {
            let env = FakeEnv::default();
            let text = r#"{"accessToken":"at","tokenType":"Bearer","refreshToken":"rt","idToken":"i.d.t"}"#;
            crate::holder::parse(Some(text), &env)
        };
        let local = sign_out(&config, LogoutParams::default(), held()).unwrap();
        assert!(local.revocation.is_none() && local.end_session.is_none(), "no endpoints: signed out locally");
        config.revocation_endpoint = Some("https://as.example/revoke".into());
        config.end_session_endpoint = Some("https://as.example/logout".into());
        let plan = sign_out(&config, LogoutParams::default(), held()).unwrap();
        let body = plan.revocation.unwrap().body.unwrap();
        assert_eq!(body, "token=rt&token_type_hint=refresh_token&client_id=spa");
        assert_eq!(plan.end_session.as_deref(), Some("https://as.example/logout?id_token_hint=i.d.t&client_id=spa"));
        let given = LogoutParams { id_token_hint: Some("mine".into()), ..LogoutParams::default() };
        let plan = sign_out(&config, given, None).unwrap();
        assert!(plan.revocation.is_none(), "nothing held, nothing to revoke");
        assert_eq!(plan.end_session.as_deref(), Some("https://as.example/logout?id_token_hint=mine&client_id=spa"));
    }

    #[test]
    fn discovery_walks_its_two_locations() {
        const META: &str = r#"{"issuer":"https://as.example/t","authorization_endpoint":"https://as.example/t/a","token_endpoint":"https://as.example/t/t"}"#;
        let transport = FakeTransport::answering(200, "");
        let mut discovery = discovery::Discovery::new("https://as.example/t").unwrap();
        let first = discovery.request(5);
        assert_eq!(first.url, "https://as.example/.well-known/oauth-authorization-server/t");
        assert_eq!(discovery.read(transport.answer_to(&first)).unwrap(), None, "a 404: ask the next one");
        let second = discovery.request(5);
        assert_eq!(second.url, "https://as.example/t/.well-known/openid-configuration");
        transport.documents.borrow_mut().insert(second.url.clone(), (200, META.into()));
        let metadata = discovery.read(transport.answer_to(&second)).unwrap().unwrap();
        assert_eq!(metadata.token_endpoint, "https://as.example/t/t");

        let mut discovery = discovery::Discovery::new("https://as.example/t").unwrap();
        assert_eq!(discovery.read(Err::<Response<serde_json::Value>, _>(Failure::Timeout)).unwrap(), None);
        let last = discovery.read(Err::<Response<serde_json::Value>, _>(Failure::Unreachable)).unwrap_err();
        assert_eq!(last.code, ErrorCode::NetworkError, "the last failure seen");
        assert_eq!(
            discovery::Discovery::new("http://as.example").err().map(|e| e.code),
            Some(ErrorCode::DiscoveryError)
        );
    }
}
