//! `Client`: the Rust API for wasm apps (Leptos, Yew, Dioxus), the same operations as the JS `PkceClient`.
use alloc::string::String;

use crate::authorize::AuthorizeParams;
use crate::browser::{navigation, BrowserEnv, FetchTransport, SessionStore};
use crate::callback;
use crate::config::ClientConfig;
use crate::error::Result;
use crate::flow::{self, LoginResult};
use crate::token::TokenSet;

/// A configured public client. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Client {
    config: ClientConfig,
}

impl Client {
    /// Validates `config` (`invalid_config`); touches no storage.
    pub fn new(config: ClientConfig) -> Result<Self> {
        config.validate()?;
        Ok(Self { config })
    }

    /// The validated configuration.
    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    /// Stores a new transaction and returns the authorize URL; `app_state` is JSON text returned at the callback.
    pub fn authorize_url(&self, params: &AuthorizeParams, app_state: Option<String>) -> Result<String> {
        flow::start_login(&self.config, params, app_state, &SessionStore::open()?, &BrowserEnv)
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
        Ok(callback::is_callback(&self.config, &href))
    }

    /// Validates the callback at `href` (default: the current URL), redeems the code, and removes
    /// the response parameters from the address bar before any network request.
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
        flow::finish_login(&self.config, &href, &SessionStore::open()?, &BrowserEnv, &FetchTransport).await
    }

    /// Exchanges a refresh token; the returned set keeps `refresh_token` unless the server rotated it.
    pub async fn refresh(&self, refresh_token: &str) -> Result<TokenSet> {
        flow::refresh(&self.config, refresh_token, &BrowserEnv, &FetchTransport).await
    }
}
