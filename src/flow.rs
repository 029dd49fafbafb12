//! The protocol steps end to end, over the `platform` traits: start a login, finish it from
//! the callback URL, refresh.
use alloc::string::String;

use crate::authorize::{self, AuthorizeParams};
use crate::base64url;
use crate::callback::{self, Callback};
use crate::config::ClientConfig;
use crate::discovery::{self, Discovery, Metadata};
use crate::error::{ErrorCode, OAuthError, Result};
use crate::http::{self, Request};
use crate::id_token;
use crate::pkce::{self, RANDOM_BYTES};
use crate::platform::{Env, Marks, Store, Transport};
use crate::token::{self, TokenSet};
use crate::transaction::Transaction;

/// A finished login: the tokens and the `appState` JSON text given to `start_login`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoginResult {
    /// The tokens.
    pub tokens: TokenSet,
    /// The app's state, as JSON text.
    pub app_state: Option<String>,
}

/// Makes a verifier, challenge and state, stores the transaction, returns the authorize URL.
pub fn start_login(
    config: &ClientConfig,
    params: &AuthorizeParams,
    app_state: Option<String>,
    store: &impl Store,
    env: &impl Env,
) -> Result<String> {
    params.validate()?;
    let mut random = [0u8; 3 * RANDOM_BYTES];
    env.random(&mut random)?;
    // i is 0, 1 or 2: always within the three chunks of `random`.
    let value = |i: usize| base64url::encode(&random[i * RANDOM_BYTES..(i + 1) * RANDOM_BYTES]);
    let (verifier, state) = (value(0), value(1));
    let nonce = params.wants_openid(config).then(|| value(2));
    let challenge = pkce::challenge_s256(&verifier)?;
    let url = authorize::build_url(config, params, &state, &challenge, nonce.as_deref());
    let now = env.now();
    sweep_expired(config, store, env, now)?;
    let tx = Transaction::new(config, state, verifier, nonce, now, app_state);
    store.set(&Transaction::key(&config.storage_prefix, &tx.state), &tx.to_json())?;
    Ok(url)
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

/// Validates the callback at `href`, consumes its transaction, claims the origin-wide mark for
/// its state (so a tab holding a copy of this tab's sessionStorage cannot redeem it too) and
/// redeems the code.
pub async fn finish_login(
    config: &ClientConfig,
    href: &str,
    store: &impl Store,
    marks: &impl Marks,
    env: &impl Env,
    transport: &impl Transport,
) -> Result<LoginResult> {
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
    let mark = Transaction::mark_key(&config.storage_prefix, &tx.state);
    if !marks.claim(&mark, tx.expires_at(config.transaction_ttl), now).await? {
        return Err(OAuthError::new(ErrorCode::StateUnknown, "another tab already redeemed this login"));
    }
    let body = token::code_request(config, &code, &tx.redirect_uri, &tx.verifier);
    let mut tokens = redeem(config, body, env, transport).await?;
    check_id_token(config, &mut tokens, tx.nonce.as_deref(), env)?;
    Ok(LoginResult { tokens, app_state: tx.app_state })
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

/// Exchanges a refresh token (RFC 6749 §6); keeps `refresh_token` when the server sends no new one.
/// `original_claims` are the checked claims of the login's ID token, when known: a refreshed
/// ID token must then have the same `iss`, `sub` and `aud` (OIDC Core §12.2).
pub async fn refresh(
    config: &ClientConfig,
    refresh_token: &str,
    original_claims: Option<&str>,
    env: &impl Env,
    transport: &impl Transport,
) -> Result<TokenSet> {
    if refresh_token.is_empty() {
        return Err(OAuthError::new(ErrorCode::InvalidArgument, "refresh token must be a non-empty string")
            .with_field("refreshToken"));
    }
    let mut tokens = redeem(config, token::refresh_request(config, refresh_token), env, transport).await?;
    tokens.refresh_token.get_or_insert_with(|| refresh_token.into());
    check_id_token(config, &mut tokens, None, env)?;
    if let (Some(refreshed), Some(original)) = (&tokens.claims, original_claims) {
        id_token::check_same_subject(refreshed, original, env)?;
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

/// Fetches (or reads from `store`) and validates the metadata of `issuer`: RFC 8414 first,
/// then OpenID Connect Discovery when the first answers anything but a JSON object.
pub async fn discover(
    issuer: &str,
    prefix: &str,
    timeout: u32,
    store: Option<&impl Store>,
    env: &impl Env,
    transport: &impl Transport,
) -> Result<Metadata> {
    let key = Metadata::cache_key(prefix, issuer);
    let cached = store.and_then(|s| s.get(&key).ok().flatten()).and_then(|text| env.parse_object(&text));
    if let Some(metadata) = cached.and_then(|doc| discovery::parse_metadata(issuer, &doc).ok()) {
        return Ok(metadata);
    }
    let mut discovery = Discovery::new(issuer)?;
    loop {
        let answer = transport.send(&discovery.request(timeout)).await;
        if let Some(metadata) = discovery.read(answer)? {
            if let Some(store) = store {
                let _ = store.set(&key, &metadata.to_json()); // a cache: a full storage only costs a fetch
            }
            return Ok(metadata);
        }
    }
}

/// Revokes `token` at the configured revocation endpoint (RFC 7009).
pub async fn revoke(config: &ClientConfig, token: &str, hint: Option<&str>, transport: &impl Transport) -> Result<()> {
    let Some(endpoint) = &config.revocation_endpoint else {
        return Err(OAuthError::new(ErrorCode::InvalidConfig, "revocationEndpoint is not configured or discovered")
            .with_field("revocationEndpoint"));
    };
    if token.is_empty() {
        return Err(OAuthError::new(ErrorCode::InvalidArgument, "token must be a non-empty string").with_field("token"));
    }
    let request = Request::form_post(endpoint, token::revocation_request(config, token, hint), config.timeout);
    token::read_revocation(&transport.send(&request).await.map_err(http::failure)?)
}

async fn redeem(config: &ClientConfig, body: String, env: &impl Env, transport: &impl Transport) -> Result<TokenSet> {
    let request = Request::form_post(&config.token_endpoint, body, config.timeout);
    token::read_response(&transport.send(&request).await.map_err(http::failure)?, env.now())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config;
    use crate::fakes::{block_on, FakeEnv, FakeMarks, FakeStore, FakeTransport};
    use crate::form;
    use crate::http::Failure;

    const TOKENS: &str = r#"{"access_token":"at","token_type":"Bearer","expires_in":60,"refresh_token":"rt"}"#;

    struct World {
        config: ClientConfig,
        store: FakeStore,
        marks: FakeMarks,
        env: FakeEnv,
        transport: FakeTransport,
    }

    impl World {
        fn new() -> Self {
            Self {
                config: config::sample(),
                store: FakeStore::default(),
                marks: FakeMarks::default(),
                env: FakeEnv::default(),
                transport: FakeTransport::answering(200, TOKENS),
            }
        }

        fn login(&self, app_state: Option<&str>) -> String {
            start_login(&self.config, &AuthorizeParams::default(), app_state.map(String::from), &self.store, &self.env)
                .unwrap()
        }

        fn finish(&self, href: &str) -> Result<LoginResult> {
            block_on(finish_login(&self.config, href, &self.store, &self.marks, &self.env, &self.transport))
        }

        fn callback_for(&self, authorize_url: &str, extra: &str) -> String {
            let query = authorize_url.split_once('?').unwrap().1;
            let state = form::parse(query).into_iter().find(|(n, _)| n == "state").unwrap().1;
            format!("https://app.example/callback?code=the-code&state={state}&iss=https%3A%2F%2Fas.example{extra}")
        }
    }

    fn param(url: &str, name: &str) -> String {
        form::parse(url.split_once('?').unwrap().1).into_iter().find(|(n, _)| n == name).unwrap().1
    }

    #[test]
    fn full_round_trip() {
        let world = World::new();
        let url = world.login(Some("{\"page\":2}"));
        assert_eq!(world.store.items.borrow().len(), 1);
        let result = world.finish(&world.callback_for(&url, "")).unwrap();
        assert_eq!(result.tokens.access_token, "at");
        assert_eq!(result.tokens.expires_at, Some(1_700_000_000 + 60));
        assert_eq!(result.app_state.as_deref(), Some("{\"page\":2}"));
        assert!(world.store.items.borrow().is_empty(), "transaction consumed");
        let requests = world.transport.requests.borrow();
        assert_eq!(requests.len(), 1);
        let body = form::parse(&requests[0]);
        let verifier = &body.iter().find(|(n, _)| n == "code_verifier").unwrap().1;
        assert_eq!(pkce::challenge_s256(verifier).unwrap(), param(&url, "code_challenge"));
        assert!(body.contains(&("code".into(), "the-code".into())));
        assert!(body.contains(&("redirect_uri".into(), world.config.redirect_uri.clone())));
    }

    #[test]
    fn replay_and_other_tab_are_state_unknown_without_a_request() {
        let world = World::new();
        let callback = world.callback_for(&world.login(None), "");
        world.finish(&callback).unwrap();
        assert_eq!(world.finish(&callback).unwrap_err().code, ErrorCode::StateUnknown);
        let other_tab = World::new();
        assert_eq!(other_tab.finish(&callback).unwrap_err().code, ErrorCode::StateUnknown);
        assert_eq!(world.transport.requests.borrow().len(), 1);
        assert!(other_tab.transport.requests.borrow().is_empty());
    }

    #[test]
    fn every_failure_consumes_the_transaction_and_sends_nothing() {
        for extra in ["&code=again", "&access_token=x", "&iss=https://evil.example"] {
            let world = World::new();
            let callback = world.callback_for(&world.login(None), extra);
            assert!(world.finish(&callback).is_err(), "{extra}");
            assert!(world.store.items.borrow().is_empty(), "{extra}");
            assert!(world.transport.requests.borrow().is_empty(), "{extra}");
        }
    }

    #[test]
    fn expired_then_swept() {
        let world = World::new();
        let first = world.login(None);
        world.env.now.set(world.env.now.get() + 600_001.0);
        assert_eq!(world.finish(&world.callback_for(&first, "")).unwrap_err().code, ErrorCode::TransactionExpired);
        world.login(None);
        world.env.now.set(world.env.now.get() + 600_001.0);
        world.login(None);
        assert_eq!(world.store.items.borrow().len(), 1, "the expired one was swept");
    }

    #[test]
    fn tampered_record_is_invalid_and_removed() {
        let world = World::new();
        let callback = world.callback_for(&world.login(None), "");
        for value in world.store.items.borrow_mut().values_mut() {
            *value = value.replace("\"verifier\":\"", "\"verifier\":\"!");
        }
        assert_eq!(world.finish(&callback).unwrap_err().code, ErrorCode::TransactionInvalid);
        assert!(world.store.items.borrow().is_empty());
        world.store.items.borrow_mut().insert(format!("pkce-wasm:tx:{}", "s".repeat(43)), "not json".into());
        let junk = format!("https://app.example/callback?code=a&state={}", "s".repeat(43));
        assert_eq!(world.finish(&junk).unwrap_err().code, ErrorCode::TransactionInvalid);
    }

    #[test]
    fn a_duplicated_tab_cannot_redeem_the_callback_again() {
        let world = World::new();
        let callback = world.callback_for(&world.login(None), "");
        let copy = FakeStore::default(); // window.open / "duplicate tab" copies sessionStorage
        *copy.items.borrow_mut() = world.store.items.borrow().clone();
        world.finish(&callback).unwrap();
        let second =
            block_on(finish_login(&world.config, &callback, &copy, &world.marks, &world.env, &world.transport));
        assert_eq!(second.unwrap_err().code, ErrorCode::StateUnknown);
        assert_eq!(world.transport.requests.borrow().len(), 1, "one token request for one code");
        assert!(copy.items.borrow().is_empty(), "the copy was consumed too");
        let (_, expires) = world.marks.items.borrow().iter().next().map(|(k, v)| (k.clone(), *v)).unwrap();
        assert_eq!(expires, world.env.now.get() + 600_000.0, "the mark lives as long as the login could");
    }

    #[test]
    fn tampered_app_state_is_invalid_before_any_request() {
        let world = World::new();
        let callback = world.callback_for(&world.login(Some("{\"to\":\"/\"}")), "");
        for value in world.store.items.borrow_mut().values_mut() {
            *value = value.replace("\"appState\":\"{", "\"appState\":\"{{");
        }
        assert_eq!(world.finish(&callback).unwrap_err().code, ErrorCode::TransactionInvalid);
        assert!(world.transport.requests.borrow().is_empty(), "nothing sent");
        assert!(world.store.items.borrow().is_empty(), "and the record is gone");
    }

    #[test]
    fn sweep_leaves_other_clients_records_and_judges_each_by_its_own_ttl() {
        let mut world = World::new();
        world.config.transaction_ttl = 3600;
        world.login(None); // client A: an hour
        let a = world.config.clone();
        world.config.transaction_ttl = 60;
        world.config.issuer = Some("https://b.example".into());
        world.env.now.set(world.env.now.get() + 601_000.0);
        world.login(None); // client B, same prefix, ten minutes later
        assert_eq!(world.store.items.borrow().len(), 2, "B's login kept A's valid one");
        world.config = a.clone();
        world.env.now.set(world.env.now.get() + 61_000.0);
        world.login(None);
        assert_eq!(world.store.items.borrow().len(), 3, "A's sweep left B's expired one to B");
        world.config.issuer = Some("https://b.example".into());
        world.login(None);
        assert_eq!(world.store.items.borrow().len(), 3, "B swept its own expired one, judged by its 60 s");
    }

    #[test]
    fn full_storage_writes_nothing() {
        let world = World::new();
        world.store.full.set(true);
        let error =
            start_login(&world.config, &AuthorizeParams::default(), None, &world.store, &world.env).unwrap_err();
        assert_eq!(error.code, ErrorCode::StorageUnavailable);
        assert!(world.store.items.borrow().is_empty());
    }

    #[test]
    fn bad_extra_params_store_nothing() {
        let world = World::new();
        let params = AuthorizeParams { scope: None, extra: vec![("state".into(), "x".into())] };
        assert_eq!(
            start_login(&world.config, &params, None, &world.store, &world.env).unwrap_err().code,
            ErrorCode::InvalidArgument
        );
        assert!(world.store.items.borrow().is_empty());
    }

    #[test]
    fn network_failure_after_consuming() {
        let world = World::new();
        let callback = world.callback_for(&world.login(None), "");
        *world.transport.answer.borrow_mut() = Err(Failure::Unreachable);
        assert_eq!(world.finish(&callback).unwrap_err().code, ErrorCode::NetworkError);
        assert!(world.store.items.borrow().is_empty());
    }

    #[test]
    fn refresh_keeps_or_rotates_the_refresh_token() {
        let world = World::new();
        let rotated = block_on(refresh(&world.config, "old", None, &world.env, &world.transport)).unwrap();
        assert_eq!(rotated.refresh_token.as_deref(), Some("rt"));
        *world.transport.answer.borrow_mut() = Ok((200, r#"{"access_token":"a2","token_type":"bearer"}"#.into()));
        let kept = block_on(refresh(&world.config, "old", None, &world.env, &world.transport)).unwrap();
        assert_eq!(kept.refresh_token.as_deref(), Some("old"));
        assert_eq!(world.transport.requests.borrow()[0], "grant_type=refresh_token&refresh_token=old&client_id=spa");
        let empty = block_on(refresh(&world.config, "", None, &world.env, &world.transport)).unwrap_err();
        assert_eq!(empty.code, ErrorCode::InvalidArgument);
        *world.transport.answer.borrow_mut() = Ok((400, r#"{"error":"invalid_grant"}"#.into()));
        let rejected = block_on(refresh(&world.config, "old", None, &world.env, &world.transport)).unwrap_err();
        assert_eq!((rejected.code, rejected.error.as_deref()), (ErrorCode::TokenError, Some("invalid_grant")));
    }

    #[test]
    fn a_refreshed_id_token_for_another_subject_is_refused() {
        use crate::id_token::tests::{good_claims, jwt};
        let world = World::new();
        let now = world.env.now.get() / 1000.0;
        let original = good_claims(now).to_string();
        let mut other = good_claims(now);
        other["sub"] = "someone-else".into();
        let body = serde_json::json!({"access_token": "at", "token_type": "bearer", "id_token": jwt(&other)});
        *world.transport.answer.borrow_mut() = Ok((200, body.to_string()));
        let error = block_on(refresh(&world.config, "rt", Some(&original), &world.env, &world.transport)).unwrap_err();
        assert_eq!((error.code, error.field), (ErrorCode::IdTokenInvalid, Some("sub")));
        let same =
            serde_json::json!({"access_token": "at", "token_type": "bearer", "id_token": jwt(&good_claims(now))});
        *world.transport.answer.borrow_mut() = Ok((200, same.to_string()));
        block_on(refresh(&world.config, "rt", Some(&original), &world.env, &world.transport)).unwrap();
    }

    #[test]
    fn openid_login_sends_a_nonce_and_checks_the_id_token() {
        use crate::id_token::tests::{good_claims, jwt};
        let world = World::new();
        let params = AuthorizeParams { scope: Some("openid".into()), extra: vec![] };
        let url = start_login(&world.config, &params, None, &world.store, &world.env).unwrap();
        let nonce = param(&url, "nonce");
        assert_eq!(nonce.len(), 43);
        let mut claims = good_claims(world.env.now.get() / 1000.0);
        claims["nonce"] = nonce.into();
        let body = serde_json::json!({"access_token": "at", "token_type": "bearer", "id_token": jwt(&claims)});
        *world.transport.answer.borrow_mut() = Ok((200, body.to_string()));
        let tokens = world.finish(&world.callback_for(&url, "")).unwrap().tokens;
        assert!(tokens.claims.unwrap().contains("\"sub\":\"u1\""));

        let url = start_login(&world.config, &params, None, &world.store, &world.env).unwrap();
        let replayed = world.finish(&world.callback_for(&url, "")).unwrap_err();
        assert_eq!(replayed.code, ErrorCode::IdTokenInvalid, "an ID token from another login");
        let url = start_login(&world.config, &params, None, &world.store, &world.env).unwrap();
        *world.transport.answer.borrow_mut() = Ok((200, TOKENS.into()));
        assert_eq!(world.finish(&world.callback_for(&url, "")).unwrap_err().code, ErrorCode::IdTokenInvalid);
        assert!(!world.login(None).contains("nonce="), "no nonce without openid");
    }

    const META: &str = r#"{"issuer":"https://as.example/t","authorization_endpoint":"https://as.example/t/auth","token_endpoint":"https://as.example/t/token"}"#;

    #[test]
    fn discovery_falls_back_and_caches() {
        let world = World::new();
        let issuer = "https://as.example/t";
        world
            .transport
            .documents
            .borrow_mut()
            .insert("https://as.example/t/.well-known/openid-configuration".into(), (200, META.into()));
        let discover_once = || block_on(discover(issuer, "p", 5, Some(&world.store), &world.env, &world.transport));
        let metadata = discover_once().unwrap();
        assert_eq!(metadata.token_endpoint, "https://as.example/t/token");
        assert_eq!(
            *world.transport.requests.borrow(),
            [
                "GET https://as.example/.well-known/oauth-authorization-server/t",
                "GET https://as.example/t/.well-known/openid-configuration"
            ]
        );
        assert_eq!(discover_once().unwrap(), metadata);
        assert_eq!(world.transport.requests.borrow().len(), 2, "second discovery came from the cache");
    }

    #[test]
    fn discovery_refuses_a_document_for_another_issuer() {
        let world = World::new();
        let doc = META.replace("https://as.example/t\"", "https://evil.example\"");
        world
            .transport
            .documents
            .borrow_mut()
            .insert("https://as.example/.well-known/oauth-authorization-server/t".into(), (200, doc));
        let error =
            block_on(discover("https://as.example/t", "p", 5, Some(&world.store), &world.env, &world.transport))
                .unwrap_err();
        assert_eq!(error.code, ErrorCode::DiscoveryError);
        assert!(world.store.items.borrow().is_empty(), "nothing cached");
        let none = block_on(discover("https://as.example/x", "p", 5, None::<&FakeStore>, &world.env, &world.transport));
        assert_eq!(none.unwrap_err().code, ErrorCode::DiscoveryError);
    }

    #[test]
    fn discovery_failures_keep_transport_codes_except_unreadable_answers() {
        // (no answer, or an answer over 1 MiB) -> the code discovery gives
        for (transport_code, expected) in [
            (Ok(()), ErrorCode::DiscoveryError),
            (Err(Failure::Timeout), ErrorCode::Timeout),
            (Err(Failure::Unreachable), ErrorCode::NetworkError),
        ] {
            let world = World::new();
            match transport_code {
                Ok(()) => world.transport.too_large.set(true),
                Err(failure) => *world.transport.answer.borrow_mut() = Err(failure),
            }
            let error =
                block_on(discover("https://as.example/t", "p", 5, Some(&world.store), &world.env, &world.transport))
                    .unwrap_err();
            assert_eq!(error.code, expected, "{transport_code:?}");
            assert_eq!(world.transport.requests.borrow().len(), 2, "both well-known locations were tried");
        }
    }

    #[test]
    fn revocation() {
        let mut world = World::new();
        assert_eq!(
            block_on(revoke(&world.config, "rt", None, &world.transport)).unwrap_err().code,
            ErrorCode::InvalidConfig
        );
        world.config.revocation_endpoint = Some("https://as.example/revoke".into());
        *world.transport.answer.borrow_mut() = Ok((200, String::new()));
        block_on(revoke(&world.config, "rt", Some("refresh_token"), &world.transport)).unwrap();
        assert_eq!(world.transport.requests.borrow()[0], "token=rt&token_type_hint=refresh_token&client_id=spa");
        assert_eq!(
            block_on(revoke(&world.config, "", None, &world.transport)).unwrap_err().code,
            ErrorCode::InvalidArgument
        );
    }
}
