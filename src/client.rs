//! `Client`: the Rust API for wasm apps (Leptos, Yew, Dioxus), the same operations as the JS
//! `PkceClient`, plus the token holder that keeps the current `TokenSet`.

use crate::authorize::AuthorizeParams;
use crate::browser::{locks, navigation, BrowserEnv, FetchTransport, WebStore};
use crate::callback;
use crate::config::{ClientConfig, TokenStorage};
use crate::error::{ErrorCode, OAuthError, Result};
use crate::flow::{self, LoginResult};
use crate::logout::{self, LogoutParams};
use crate::platform::{Env, Store};
use crate::token::TokenSet;
use alloc::rc::Rc;
use alloc::string::String;
use core::cell::RefCell;
use js_sys::Promise;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

/// A refresh in flight: its promise and where it leaves its result, shared by every caller.
type InFlight = (Promise, Rc<RefCell<Option<Result<String>>>>);

struct Inner {
    config: ClientConfig,
    /// The holder's tokens in `memory` mode.
    memory: RefCell<Option<TokenSet>>,
    refreshing: RefCell<Option<InFlight>>,
}

/// A configured public client. Cheap to clone; clones share the token holder.
#[derive(Clone)]
pub struct Client {
    inner: Rc<Inner>,
}

impl Client {
    /// Validates `config` (`invalid_config`); touches no storage.
    pub fn new(config: ClientConfig) -> Result<Self> {
        config.validate()?;
        Ok(Self { inner: Rc::new(Inner { config, memory: RefCell::new(None), refreshing: RefCell::new(None) }) })
    }

    /// Fetches `issuer`'s metadata (cached in sessionStorage), fills the endpoints, issuer and
    /// `require_iss` of `config`, and validates it.
    pub async fn discover(issuer: &str, mut config: ClientConfig) -> Result<Self> {
        let cache = WebStore::session().ok();
        let metadata = flow::discover(
            issuer,
            &config.storage_prefix,
            config.timeout,
            cache.as_ref(),
            &BrowserEnv,
            &FetchTransport,
        )
        .await?;
        metadata.apply(&mut config);
        Self::new(config)
    }

    /// The validated configuration.
    pub fn config(&self) -> &ClientConfig {
        &self.inner.config
    }

    /// Stores a new transaction and returns the authorize URL; `app_state` is JSON text returned at the callback.
    pub fn authorize_url(&self, params: &AuthorizeParams, app_state: Option<String>) -> Result<String> {
        flow::start_login(self.config(), params, app_state, &WebStore::session()?, &BrowserEnv)
    }

    /// `authorize_url` then `location.assign`.
    pub fn login(&self, params: &AuthorizeParams, app_state: Option<String>) -> Result<()> {
        navigation::assign(&self.authorize_url(params, app_state)?)
    }

    /// True when `href` (default: the current URL) is a response on this client's redirect URI.
    pub fn is_callback(&self, href: Option<&str>) -> Result<bool> {
        let href = match href {
            Some(href) => href.into(),
            None => navigation::current_href()?,
        };
        Ok(callback::is_callback(self.config(), &href))
    }

    /// Validates the callback at `href` (default: the current URL), redeems the code, and removes
    /// the response parameters from the address bar before any network request. The tokens
    /// also go to the holder.
    pub async fn handle_callback(&self, href: Option<&str>) -> Result<LoginResult> {
        let current = navigation::current_href();
        let href = match (href, &current) {
            (Some(href), _) => href.into(),
            (None, Ok(current)) => current.clone(),
            (None, Err(error)) => return Err(error.clone()),
        };
        if current.as_ref() == Ok(&href) {
            if let Some(clean) = callback::cleaned(&href) {
                navigation::replace_href(&clean)?;
            }
        }
        let store = WebStore::session()?;
        let result = flow::finish_login(self.config(), &href, &store, &BrowserEnv, &FetchTransport).await?;
        self.save(Some(&result.tokens))?;
        Ok(result)
    }

    /// Exchanges a refresh token; the returned set keeps `refresh_token` unless the server
    /// rotated it, and goes to the holder. `invalid_grant` for the holder's token clears it.
    pub async fn refresh(&self, refresh_token: &str) -> Result<TokenSet> {
        // The held login's ID token claims, when this is its refresh token (OIDC Core §12.2).
        let original = self.tokens().ok().flatten().filter(|t| t.refresh_token.as_deref() == Some(refresh_token));
        let claims = original.and_then(|t| t.claims);
        match flow::refresh(self.config(), refresh_token, claims.as_deref(), &BrowserEnv, &FetchTransport).await {
            Ok(tokens) => {
                self.save(Some(&tokens))?;
                Ok(tokens)
            }
            Err(error) => {
                let held = self.tokens().ok().flatten().and_then(|t| t.refresh_token);
                if is_invalid_grant(&error) && held.as_deref() == Some(refresh_token) {
                    self.save(None)?;
                }
                Err(error)
            }
        }
    }

    /// The holder's current tokens, fresh or not.
    pub fn tokens(&self) -> Result<Option<TokenSet>> {
        let Some(store) = self.holder_store()? else { return Ok(self.inner.memory.borrow().clone()) };
        let text = store.get(&self.holder_key())?;
        Ok(text.and_then(|t| BrowserEnv.parse_object(&t)).and_then(|record| TokenSet::from_json(&record)))
    }

    /// Empties the holder (memory and its storage key).
    pub fn clear(&self) -> Result<()> {
        self.save(None)
    }

    /// An access token valid for at least `refresh_leeway` more seconds, refreshing when needed.
    /// Concurrent calls share one refresh; in `Local` mode the refresh runs under a Web Lock and
    /// re-reads storage first, so tabs never redeem the same rotating refresh token twice.
    pub async fn access_token(&self) -> Result<String> {
        if let Some(tokens) = self.tokens()?.filter(|t| self.is_fresh(t)) {
            return Ok(tokens.access_token);
        }
        let existing = self.inner.refreshing.borrow().clone();
        let (promise, slot) = match existing {
            Some(in_flight) => in_flight,
            None => {
                let in_flight = self.start_refresh();
                *self.inner.refreshing.borrow_mut() = Some(in_flight.clone());
                in_flight
            }
        };
        let _ = JsFuture::from(promise.clone()).await; // the job never rejects: its result is in `slot`
        let mut refreshing = self.inner.refreshing.borrow_mut();
        if refreshing.as_ref().is_some_and(|(current, _)| JsValue::from(current) == JsValue::from(&promise)) {
            *refreshing = None;
        }
        drop(refreshing);
        let result = slot.borrow().clone();
        result.unwrap_or_else(|| Err(OAuthError::new(ErrorCode::LoginRequired, "the refresh did not finish")))
    }

    /// Revokes `token` (RFC 7009); `hint` is `access_token` or `refresh_token`.
    pub async fn revoke(&self, token: &str, hint: Option<&str>) -> Result<()> {
        flow::revoke(self.config(), token, hint, &FetchTransport).await
    }

    /// The RP-initiated logout URL; `invalid_config` without an end-session endpoint.
    pub fn logout_url(&self, params: &LogoutParams) -> Result<String> {
        logout::logout_url(self.config(), params)
    }

    /// Revokes the held refresh token (best effort), empties the holder, then goes to the
    /// end-session endpoint when there is one (with the held ID token as hint unless given).
    pub async fn logout(&self, mut params: LogoutParams) -> Result<()> {
        let held = self.tokens().ok().flatten();
        if let Some(refresh_token) = held.as_ref().and_then(|t| t.refresh_token.as_deref()) {
            if self.config().revocation_endpoint.is_some() {
                let _ = self.revoke(refresh_token, Some("refresh_token")).await;
                // logging out must not fail on it
            }
        }
        self.clear()?;
        if self.config().end_session_endpoint.is_none() {
            return Ok(());
        }
        if params.id_token_hint.is_none() {
            params.id_token_hint = held.and_then(|t| t.id_token);
        }
        navigation::assign(&self.logout_url(&params)?)
    }

    fn is_fresh(&self, tokens: &TokenSet) -> bool {
        tokens.is_fresh(BrowserEnv.now(), self.config().refresh_leeway)
    }

    fn start_refresh(&self) -> InFlight {
        let slot = Rc::new(RefCell::new(None));
        let (client, out) = (self.clone(), slot.clone());
        let job = async move {
            let result = client.refresh_held().await;
            *out.borrow_mut() = Some(result);
            Ok(JsValue::UNDEFINED)
        };
        let promise = match self.config().token_storage {
            TokenStorage::Local => locks::with_lock(&self.holder_key(), job),
            _ => crate::browser::promise(job),
        };
        (promise, slot)
    }

    /// Refreshes the held tokens, re-reading them first: under the lock, another tab may
    /// already have refreshed them.
    async fn refresh_held(&self) -> Result<String> {
        let Some(held) = self.tokens()? else {
            return Err(OAuthError::new(ErrorCode::LoginRequired, "no tokens are held: sign in"));
        };
        if self.is_fresh(&held) {
            return Ok(held.access_token);
        }
        let Some(refresh_token) = held.refresh_token else {
            return Err(OAuthError::new(
                ErrorCode::LoginRequired,
                "the access token expired and there is no refresh token",
            ));
        };
        Ok(self.refresh(&refresh_token).await?.access_token)
    }

    fn holder_store(&self) -> Result<Option<WebStore>> {
        match self.config().token_storage {
            TokenStorage::Memory => Ok(None),
            TokenStorage::Session => WebStore::session().map(Some),
            TokenStorage::Local => WebStore::local().map(Some),
        }
    }

    fn holder_key(&self) -> String {
        crate::text::concat(&[&self.config().storage_prefix, ":tokens"])
    }

    fn save(&self, tokens: Option<&TokenSet>) -> Result<()> {
        let Some(store) = self.holder_store()? else {
            *self.inner.memory.borrow_mut() = tokens.cloned();
            return Ok(());
        };
        match tokens {
            Some(tokens) => store.set(&self.holder_key(), &tokens.to_json()),
            None => store.remove(&self.holder_key()),
        }
    }
}

fn is_invalid_grant(error: &OAuthError) -> bool {
    error.code == ErrorCode::TokenError && error.error.as_deref() == Some("invalid_grant")
}
