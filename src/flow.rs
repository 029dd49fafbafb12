//! The async drivers over the `platform` traits: each performs what a `steps` function asks
//! (send this request, claim this mark) and hands back what came in. No check lives here.

use crate::config::ClientConfig;
use crate::discovery::{Discovery, Metadata};
use crate::error::Result;
use crate::platform::{Env, Marks, Store, Transport};
use crate::steps;
pub use crate::steps::{authorize_url, LoginResult};
use crate::token::TokenSet;

/// Finishes the login whose callback is at `href`: the checks and the consumed pending login
/// (`steps::begin_redemption`), the origin-wide mark, the token request, its response.
pub async fn finish_login(
    config: &ClientConfig,
    href: &str,
    store: &impl Store,
    marks: &impl Marks,
    env: &impl Env,
    transport: &impl Transport,
) -> Result<LoginResult> {
    let redemption = steps::begin_redemption(config, href, store, env)?;
    let claimed = marks.claim(&redemption.mark, redemption.expires_at, redemption.now).await?;
    let (request, login) = redemption.claimed(claimed)?;
    steps::end_redemption(config, login, transport.send(&request).await, env)
}

/// Exchanges a refresh token (`steps::refresh_request`, `steps::refresh_response`); `login`
/// is the held login's ID token and claims.
pub async fn refresh(
    config: &ClientConfig,
    refresh_token: &str,
    login: Option<(&str, &str)>,
    env: &impl Env,
    transport: &impl Transport,
) -> Result<TokenSet> {
    let request = steps::refresh_request(config, refresh_token)?;
    steps::refresh_response(config, refresh_token, login, transport.send(&request).await, env)
}

/// The metadata of `issuer`, from `store`'s cache or `Discovery`'s two locations.
pub async fn discover(
    issuer: &str,
    prefix: &str,
    timeout: u32,
    store: Option<&impl Store>,
    env: &impl Env,
    transport: &impl Transport,
) -> Result<Metadata> {
    if let Some(metadata) = steps::cached_metadata(issuer, prefix, store, env) {
        return Ok(metadata);
    }
    let mut discovery = Discovery::new(issuer)?;
    loop {
        let answer = transport.send(&discovery.request(timeout)).await;
        if let Some(metadata) = discovery.read(answer)? {
            steps::cache_metadata(&metadata, prefix, store);
            return Ok(metadata);
        }
    }
}

/// Revokes `token` at the configured revocation endpoint (RFC 7009).
pub async fn revoke(config: &ClientConfig, token: &str, hint: Option<&str>, transport: &impl Transport) -> Result<()> {
    let request = steps::revoke_request(config, token, hint)?;
    steps::revoke_response(transport.send(&request).await)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::authorize::AuthorizeParams;
    use crate::config;
    use crate::error::ErrorCode;
    use crate::fakes::{block_on, FakeEnv, FakeMarks, FakeStore, FakeTransport};
    use crate::form;
    use crate::http::Failure;
    use crate::pkce;

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
            authorize_url(
                &self.config,
                &AuthorizeParams::default(),
                app_state.map(String::from),
                None,
                &self.store,
                &self.env,
            )
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
        let error = authorize_url(&world.config, &AuthorizeParams::default(), None, None, &world.store, &world.env)
            .unwrap_err();
        assert_eq!(error.code, ErrorCode::StorageUnavailable);
        assert!(world.store.items.borrow().is_empty());
    }

    #[test]
    fn bad_extra_params_store_nothing() {
        let world = World::new();
        let params = AuthorizeParams { scope: None, extra: vec![("state".into(), "x".into())], ..Default::default() };
        assert_eq!(
            authorize_url(&world.config, &params, None, None, &world.store, &world.env).unwrap_err().code,
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
        let error = block_on(refresh(&world.config, "rt", Some(("i.d.t", &original)), &world.env, &world.transport))
            .unwrap_err();
        assert_eq!((error.code, error.field), (ErrorCode::IdTokenInvalid, Some("sub")));
        let same =
            serde_json::json!({"access_token": "at", "token_type": "bearer", "id_token": jwt(&good_claims(now))});
        *world.transport.answer.borrow_mut() = Ok((200, same.to_string()));
        block_on(refresh(&world.config, "rt", Some(("i.d.t", &original)), &world.env, &world.transport)).unwrap();
    }

    #[test]
    fn a_refresh_without_an_id_token_keeps_the_logins_and_its_claims() {
        use crate::id_token::tests::{good_claims, jwt};
        let world = World::new();
        let claims = good_claims(world.env.now.get() / 1000.0);
        let (id_token, original) = (jwt(&claims), claims.to_string());
        // OIDC Core §12.2: the refreshed answer may omit the ID token (Glewlwyd, LemonLDAP::NG do).
        *world.transport.answer.borrow_mut() = Ok((200, r#"{"access_token":"a2","token_type":"bearer"}"#.into()));
        let login = Some((id_token.as_str(), original.as_str()));
        let tokens = block_on(refresh(&world.config, "rt", login, &world.env, &world.transport)).unwrap();
        assert_eq!((tokens.id_token.as_deref(), tokens.claims.as_deref()), (Some(id_token.as_str()), Some(&*original)));
        let mut config = world.config.clone();
        config.end_session_endpoint = Some("https://as.example/logout".into());
        let plan = steps::sign_out(&config, crate::LogoutParams::default(), Some(tokens)).unwrap();
        assert!(plan.end_session.unwrap().contains(&format!("id_token_hint={id_token}")), "logout still hints it");
        let none = block_on(refresh(&world.config, "rt", None, &world.env, &world.transport)).unwrap();
        assert_eq!((none.id_token, none.claims), (None, None), "no login ID token: none invented");
    }

    #[test]
    fn openid_login_sends_a_nonce_and_checks_the_id_token() {
        use crate::id_token::tests::{good_claims, jwt};
        let world = World::new();
        let params = AuthorizeParams { scope: Some("openid".into()), extra: vec![], ..Default::default() };
        let url = authorize_url(&world.config, &params, None, None, &world.store, &world.env).unwrap();
        let nonce = param(&url, "nonce");
        assert_eq!(nonce.len(), 43);
        let mut claims = good_claims(world.env.now.get() / 1000.0);
        claims["nonce"] = nonce.into();
        let body = serde_json::json!({"access_token": "at", "token_type": "bearer", "id_token": jwt(&claims)});
        *world.transport.answer.borrow_mut() = Ok((200, body.to_string()));
        let tokens = world.finish(&world.callback_for(&url, "")).unwrap().tokens;
        assert!(tokens.claims.unwrap().contains("\"sub\":\"u1\""));

        let url = authorize_url(&world.config, &params, None, None, &world.store, &world.env).unwrap();
        let replayed = world.finish(&world.callback_for(&url, "")).unwrap_err();
        assert_eq!(replayed.code, ErrorCode::IdTokenInvalid, "an ID token from another login");
        let url = authorize_url(&world.config, &params, None, None, &world.store, &world.env).unwrap();
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
