//! The JS API (`wasm-bindgen`): `PkceClient`, `OAuthError`, and the PKCE helpers.
//! Converts JS values to the core's types and back; no protocol logic lives here.
use alloc::string::String;
use core::cell::RefCell;

use crate::authorize::AuthorizeParams;
use crate::base64url;
use crate::browser::promise;
use crate::browser::{env::json_parse, env::json_stringify, set, BrowserEnv};
use crate::client::Client;
use crate::config::{self, ClientConfig, TokenStorage};
use crate::error::{ErrorCode, OAuthError};
use crate::logout::LogoutParams;
use crate::pkce;
use crate::platform::Env;
use crate::token::TokenSet;
use js_sys::{Object, Promise, Reflect};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/js/oauth_error.js")]
extern "C" {
    #[wasm_bindgen(js_name = OAuthError)]
    type JsOAuthError;
    #[wasm_bindgen(constructor, js_class = "OAuthError")]
    fn new(
        code: &str,
        message: &str,
        error: Option<String>,
        description: Option<String>,
        uri: Option<String>,
        status: Option<u16>,
        field: Option<&str>,
    ) -> JsOAuthError;
}

#[wasm_bindgen]
extern "C" {
    /// `Object.entries`, caught: a Proxy whose traps throw must not unwind through wasm.
    #[wasm_bindgen(js_namespace = Object, js_name = entries, catch)]
    fn entries(object: &JsValue) -> Result<js_sys::Array, JsValue>;
}

impl From<OAuthError> for JsValue {
    fn from(e: OAuthError) -> Self {
        let e = *e.into_info();
        JsOAuthError::new(e.code.as_str(), e.message, e.error, e.error_description, e.error_uri, e.status, e.field)
            .into()
    }
}

type JsResult<T> = Result<T, JsValue>;

/// An OAuth 2.0 public client for one authorization server.
#[wasm_bindgen]
pub struct PkceClient {
    /// `None` once `free()` was called.
    client: RefCell<Option<Client>>,
}

#[wasm_bindgen]
impl PkceClient {
    /// Validates `config`; throws `OAuthError` `invalid_config`. Touches no storage.
    #[wasm_bindgen(constructor)]
    pub fn new(config: JsValue) -> JsResult<PkceClient> {
        Ok(Self::wrap(Client::new(read_config(&config, true)?)?))
    }

    /// Creates verifier, challenge and state, stores the transaction, returns the authorize URL.
    #[wasm_bindgen(js_name = authorizeUrl)]
    pub fn authorize_url(&self, options: JsValue) -> JsResult<String> {
        let client = self.client()?;
        let (params, app_state) = read_options(&options)?;
        Ok(client.authorize_url(&params, app_state)?)
    }

    /// `authorizeUrl()` then `location.assign`.
    pub fn login(&self, options: JsValue) -> JsResult<()> {
        let client = self.client()?;
        let (params, app_state) = read_options(&options)?;
        Ok(client.login(&params, app_state)?)
    }

    /// True when `url` (default `location.href`) is a response on the redirect URI.
    #[wasm_bindgen(js_name = isCallback)]
    pub fn is_callback(&self, url: JsValue) -> JsResult<bool> {
        let client = self.client()?;
        Ok(client.is_callback(optional_argument(&url, "url")?.as_deref())?)
    }

    /// Validates the callback, redeems the code, cleans the address bar; resolves to `{ tokens, appState }`.
    #[wasm_bindgen(js_name = handleCallback)]
    pub fn handle_callback(&self, url: JsValue) -> Promise {
        let client = self.client();
        promise(async move {
            let url = optional_argument(&url, "url")?;
            let result = client?.handle_callback(url.as_deref()).await?;
            let out = Object::new();
            set(&out, "tokens", &token_set(&result.tokens));
            if let Some(text) = result.app_state {
                let app_state = json_parse(&text.into()).map_err(|_| {
                    OAuthError::new(ErrorCode::TransactionInvalid, "stored appState is not JSON").with_field("appState")
                })?;
                set(&out, "appState", &app_state);
            }
            Ok(out.into())
        })
    }

    /// Exchanges a refresh token; resolves to a `TokenSet` that keeps it unless rotated.
    pub fn refresh(&self, refresh_token: JsValue) -> Promise {
        let client = self.client();
        promise(async move {
            let token = argument(&refresh_token, "refreshToken")?;
            Ok(token_set(&client?.refresh(&token).await?))
        })
    }

    /// Builds a client from the issuer's metadata (RFC 8414, then OpenID Discovery); resolves to a `PkceClient`.
    pub fn discover(issuer: JsValue, config: JsValue) -> Promise {
        promise(async move {
            let issuer = argument(&issuer, "issuer")?;
            let config = read_config(&config, false)?;
            Ok(Self::wrap(Client::discover(&issuer, config).await?).into())
        })
    }

    /// The held `TokenSet`, or `undefined`.
    pub fn tokens(&self) -> JsResult<JsValue> {
        Ok(self.client()?.tokens()?.map_or(JsValue::UNDEFINED, |t| token_set(&t)))
    }

    /// Resolves to an access token valid for at least `refreshLeeway` seconds, refreshing once for all callers.
    #[wasm_bindgen(js_name = getAccessToken)]
    pub fn get_access_token(&self) -> Promise {
        let client = self.client();
        promise(async move { Ok(client?.access_token().await?.into()) })
    }

    /// Empties the token holder.
    pub fn clear(&self) -> JsResult<()> {
        Ok(self.client()?.clear()?)
    }

    /// Revokes a token (RFC 7009); `hint` is "access_token" or "refresh_token".
    pub fn revoke(&self, token: JsValue, hint: JsValue) -> Promise {
        let client = self.client();
        promise(async move {
            let (token, hint) = (argument(&token, "token")?, optional_argument(&hint, "hint")?);
            client?.revoke(&token, hint.as_deref()).await?;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// The RP-initiated logout URL.
    #[wasm_bindgen(js_name = logoutUrl)]
    pub fn logout_url(&self, options: JsValue) -> JsResult<String> {
        let client = self.client()?;
        Ok(client.logout_url(&read_logout(&options)?)?)
    }

    /// Revokes the held refresh token, empties the holder, goes to the end-session endpoint if known.
    pub fn logout(&self, options: JsValue) -> Promise {
        let client = self.client();
        promise(async move {
            let options = read_logout(&options)?;
            client?.logout(options).await?;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// Releases the client's state; every later call fails with `invalid_argument`.
    ///
    /// Replaces wasm-bindgen's generated `free()` (a later method of the same name wins in a JS
    /// class), so the JS object keeps a valid pointer: a call after `free()` never reaches
    /// wasm with a null pointer, whose JS exception would unwind through wasm frames and leak
    /// the shadow stack. The small wrapper itself goes when the JS object is collected.
    pub fn free(&self) {
        self.client.borrow_mut().take();
    }
}

impl PkceClient {
    fn wrap(client: Client) -> Self {
        Self { client: RefCell::new(Some(client)) }
    }

    /// The client, or `invalid_argument` after `free()`.
    fn client(&self) -> Result<Client, OAuthError> {
        let client = self.client.try_borrow().ok().and_then(|c| c.clone());
        client.ok_or_else(|| OAuthError::new(ErrorCode::InvalidArgument, "this PkceClient was freed"))
    }
}

/// 32 random bytes as a base64url code verifier (43 characters).
#[wasm_bindgen(js_name = generateCodeVerifier)]
pub fn generate_code_verifier() -> JsResult<String> {
    random_base64url()
}

/// The S256 code challenge of `verifier`; throws `invalid_verifier`.
#[wasm_bindgen(js_name = codeChallengeS256)]
pub fn code_challenge_s256(verifier: JsValue) -> JsResult<String> {
    Ok(pkce::challenge_s256(&verifier.as_string().unwrap_or_default())?)
}

/// 32 random bytes as a base64url `state` value.
#[wasm_bindgen(js_name = generateState)]
pub fn generate_state() -> JsResult<String> {
    random_base64url()
}

fn random_base64url() -> JsResult<String> {
    let mut bytes = [0u8; pkce::RANDOM_BYTES];
    BrowserEnv.random(&mut bytes)?;
    Ok(base64url::encode(&bytes))
}

/// `source[key]`; a getter or Proxy trap that throws is `bad(key)`, never an exception through wasm.
fn get(source: &JsValue, key: &'static str, bad: Bad) -> Result<JsValue, OAuthError> {
    Reflect::get(source, &key.into()).map_err(|_| bad(key, "could not be read"))
}

/// Makes the error for a bad member: `invalid_config` or `invalid_argument`, naming it.
type Bad = fn(&'static str, &'static str) -> OAuthError;

fn bad_argument(field: &'static str, problem: &'static str) -> OAuthError {
    OAuthError::new(ErrorCode::InvalidArgument, problem).with_field(field)
}

/// A string argument, else `invalid_argument` naming it.
fn argument(value: &JsValue, field: &'static str) -> Result<String, OAuthError> {
    value.as_string().ok_or_else(|| bad_argument(field, "must be a string"))
}

/// An optional string argument (`undefined` or `null` is `None`), else `invalid_argument` naming it.
fn optional_argument(value: &JsValue, field: &'static str) -> Result<Option<String>, OAuthError> {
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    argument(value, field).map(Some)
}

/// `source[key]`: `None` when undefined, the string, or `bad(key)` for anything else.
fn optional_string(source: &JsValue, key: &'static str, bad: Bad) -> Result<Option<String>, OAuthError> {
    match get(source, key, bad)? {
        v if v.is_undefined() => Ok(None),
        v => v.as_string().map(Some).ok_or_else(|| bad(key, "must be a string")),
    }
}

/// `source[key]` as whole seconds that fit a `u32`, `default` when undefined; ranges are `ClientConfig::validate`'s.
fn whole_seconds(source: &JsValue, key: &'static str, default: u32) -> Result<u32, OAuthError> {
    match get(source, key, config::invalid)? {
        v if v.is_undefined() => Ok(default),
        v => v
            .as_f64()
            .filter(|n| (0.0..=f64::from(u32::MAX)).contains(n) && f64::from(*n as u32) == *n)
            .map(|n| n as u32)
            .ok_or_else(|| config::invalid(key, "must be a whole number of seconds")),
    }
}

/// `source[key]` as a boolean, `false` when undefined.
fn flag(source: &JsValue, key: &'static str) -> Result<bool, OAuthError> {
    match get(source, key, config::invalid)? {
        v if v.is_undefined() => Ok(false),
        v => v.as_bool().ok_or_else(|| config::invalid(key, "must be a boolean")),
    }
}

/// Reads a `ClientConfig`; without `with_endpoints` (discovery) the endpoints and issuer come later.
fn read_config(source: &JsValue, with_endpoints: bool) -> Result<ClientConfig, OAuthError> {
    if !source.is_object() {
        return Err(OAuthError::new(ErrorCode::InvalidConfig, "config must be an object"));
    }
    let optional = |key| optional_string(source, key, config::invalid);
    let string = |key| optional(key)?.ok_or_else(|| config::invalid(key, "must be a string"));
    let endpoint = |key| if with_endpoints { string(key) } else { Ok(String::new()) };
    let mut config = ClientConfig::new(
        &string("clientId")?,
        &string("redirectUri")?,
        &endpoint("authorizationEndpoint")?,
        &endpoint("tokenEndpoint")?,
    );
    if with_endpoints {
        config.issuer = optional("issuer")?;
        config.skip_issuer_check = flag(source, "skipIssuerCheck")?;
    }
    // The app's own values; discovery fills in only what is missing.
    config.revocation_endpoint = optional("revocationEndpoint")?;
    config.end_session_endpoint = optional("endSessionEndpoint")?;
    config.token_storage = match optional("tokenStorage")?.as_deref() {
        None | Some("memory") => TokenStorage::Memory,
        Some("session") => TokenStorage::Session,
        Some("local") => TokenStorage::Local,
        Some(_) => return Err(config::invalid("tokenStorage", "must be \"memory\", \"session\" or \"local\"")),
    };
    config.scope = optional("scope")?;
    config.storage_prefix = optional("storagePrefix")?.unwrap_or(config.storage_prefix);
    config.require_iss = flag(source, "requireIss")?;
    config.transaction_ttl = whole_seconds(source, "transactionTtl", config.transaction_ttl)?;
    config.timeout = whole_seconds(source, "timeout", config.timeout)?;
    config.refresh_leeway = whole_seconds(source, "refreshLeeway", config.refresh_leeway)?;
    Ok(config)
}

fn read_logout(source: &JsValue) -> Result<LogoutParams, OAuthError> {
    let mut params = LogoutParams::default();
    if source.is_undefined() || source.is_null() {
        return Ok(params);
    }
    if !source.is_object() {
        return Err(bad_argument("options", "must be an object"));
    }
    let text = |key| optional_string(source, key, bad_argument);
    params.id_token_hint = text("idTokenHint")?;
    params.post_logout_redirect_uri = text("postLogoutRedirectUri")?;
    params.state = text("state")?;
    Ok(params)
}

fn read_options(source: &JsValue) -> Result<(AuthorizeParams, Option<String>), OAuthError> {
    let mut params = AuthorizeParams::default();
    if source.is_undefined() || source.is_null() {
        return Ok((params, None));
    }
    if !source.is_object() {
        return Err(bad_argument("options", "must be an object"));
    }
    params.scope = optional_string(source, "scope", bad_argument)?;
    let extra = get(source, "extraParams", bad_argument)?;
    if !extra.is_undefined() {
        let not_strings = || bad_argument("extraParams", "must be an object of strings");
        if !extra.is_object() {
            return Err(not_strings());
        }
        for entry in entries(&extra).map_err(|_| not_strings())? {
            let pair: js_sys::Array = entry.unchecked_into();
            let (name, value) = (pair.get(0).as_string(), pair.get(1).as_string());
            params.extra.push((name.ok_or_else(not_strings)?, value.ok_or_else(not_strings)?));
        }
    }
    let app_state = match get(source, "appState", bad_argument)? {
        v if v.is_undefined() => None,
        v => Some(
            json_stringify(&v)
                .ok()
                .and_then(|text| text.as_string())
                .ok_or_else(|| bad_argument("appState", "must be JSON-serializable"))?,
        ),
    };
    Ok((params, app_state))
}

fn token_set(tokens: &TokenSet) -> JsValue {
    let out = Object::new();
    set(&out, "accessToken", &tokens.access_token.as_str().into());
    set(&out, "tokenType", &tokens.token_type.as_str().into());
    if let Some(at) = tokens.expires_at {
        set(&out, "expiresAt", &(at as f64).into());
    }
    for (key, value) in
        [("refreshToken", &tokens.refresh_token), ("idToken", &tokens.id_token), ("scope", &tokens.scope)]
    {
        if let Some(value) = value {
            set(&out, key, &value.as_str().into());
        }
    }
    if let Some(claims) = tokens.claims.as_ref().and_then(|text| json_parse(&text.into()).ok()) {
        set(&out, "claims", &claims);
    }
    out.into()
}
