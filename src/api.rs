//! The JS API (`wasm-bindgen`): `PkceClient`, `OAuthError`, and the PKCE helpers.
//! Converts JS values to the core's types and back; no protocol logic lives here.
use alloc::string::String;

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
    ) -> JsOAuthError;
}

impl From<OAuthError> for JsValue {
    fn from(e: OAuthError) -> Self {
        JsOAuthError::new(e.code.as_str(), &e.message, e.error, e.error_description, e.error_uri, e.status).into()
    }
}

type JsResult<T> = Result<T, JsValue>;

/// An OAuth 2.0 public client for one authorization server.
#[wasm_bindgen]
pub struct PkceClient {
    client: Client,
}

#[wasm_bindgen]
impl PkceClient {
    /// Validates `config`; throws `OAuthError` `invalid_config`. Touches no storage.
    #[wasm_bindgen(constructor)]
    pub fn new(config: JsValue) -> JsResult<PkceClient> {
        Ok(Self { client: Client::new(read_config(&config, true)?)? })
    }

    /// Creates verifier, challenge and state, stores the transaction, returns the authorize URL.
    #[wasm_bindgen(js_name = authorizeUrl)]
    pub fn authorize_url(&self, options: JsValue) -> JsResult<String> {
        let (params, app_state) = read_options(&options)?;
        Ok(self.client.authorize_url(&params, app_state)?)
    }

    /// `authorizeUrl()` then `location.assign`.
    pub fn login(&self, options: JsValue) -> JsResult<()> {
        let (params, app_state) = read_options(&options)?;
        Ok(self.client.login(&params, app_state)?)
    }

    /// True when `url` (default `location.href`) is a response on the redirect URI.
    #[wasm_bindgen(js_name = isCallback)]
    pub fn is_callback(&self, url: Option<String>) -> JsResult<bool> {
        Ok(self.client.is_callback(url.as_deref())?)
    }

    /// Validates the callback, redeems the code, cleans the address bar; resolves to `{ tokens, appState }`.
    #[wasm_bindgen(js_name = handleCallback)]
    pub fn handle_callback(&self, url: Option<String>) -> Promise {
        let client = self.client.clone();
        promise(async move {
            let result = client.handle_callback(url.as_deref()).await?;
            let out = Object::new();
            set(&out, "tokens", &token_set(&result.tokens));
            if let Some(text) = result.app_state {
                let app_state = json_parse(&text.into())
                    .map_err(|_| OAuthError::new(ErrorCode::TransactionInvalid, "stored appState is not JSON"))?;
                set(&out, "appState", &app_state);
            }
            Ok(out.into())
        })
    }

    /// Exchanges a refresh token; resolves to a `TokenSet` that keeps it unless rotated.
    pub fn refresh(&self, refresh_token: JsValue) -> Promise {
        let client = self.client.clone();
        promise(async move {
            let token = refresh_token.as_string().unwrap_or_default();
            Ok(token_set(&client.refresh(&token).await?))
        })
    }

    /// Builds a client from the issuer's metadata (RFC 8414, then OpenID Discovery); resolves to a `PkceClient`.
    pub fn discover(issuer: JsValue, config: JsValue) -> Promise {
        promise(async move {
            let issuer = issuer.as_string().unwrap_or_default();
            let config = read_config(&config, false)?;
            Ok(PkceClient { client: Client::discover(&issuer, config).await? }.into())
        })
    }

    /// The held `TokenSet`, or `undefined`.
    pub fn tokens(&self) -> JsResult<JsValue> {
        Ok(self.client.tokens()?.map_or(JsValue::UNDEFINED, |t| token_set(&t)))
    }

    /// Resolves to an access token valid for at least `refreshLeeway` seconds, refreshing once for all callers.
    #[wasm_bindgen(js_name = getAccessToken)]
    pub fn get_access_token(&self) -> Promise {
        let client = self.client.clone();
        promise(async move { Ok(client.access_token().await?.into()) })
    }

    /// Empties the token holder.
    pub fn clear(&self) -> JsResult<()> {
        Ok(self.client.clear()?)
    }

    /// Revokes a token (RFC 7009); `hint` is "access_token" or "refresh_token".
    pub fn revoke(&self, token: JsValue, hint: Option<String>) -> Promise {
        let client = self.client.clone();
        promise(async move {
            client.revoke(&token.as_string().unwrap_or_default(), hint.as_deref()).await?;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// The RP-initiated logout URL.
    #[wasm_bindgen(js_name = logoutUrl)]
    pub fn logout_url(&self, options: JsValue) -> JsResult<String> {
        Ok(self.client.logout_url(&read_logout(&options)?)?)
    }

    /// Revokes the held refresh token, empties the holder, goes to the end-session endpoint if known.
    pub fn logout(&self, options: JsValue) -> Promise {
        let client = self.client.clone();
        promise(async move {
            client.logout(read_logout(&options)?).await?;
            Ok(JsValue::UNDEFINED)
        })
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

fn get(source: &JsValue, key: &str) -> JsValue {
    Reflect::get(source, &key.into()).unwrap_or(JsValue::UNDEFINED)
}

/// `source[key]`: `None` when undefined, the string, or `wrong_type(key)` for anything else.
fn optional_string(
    source: &JsValue,
    key: &str,
    wrong_type: fn(&str) -> OAuthError,
) -> Result<Option<String>, OAuthError> {
    match get(source, key) {
        v if v.is_undefined() => Ok(None),
        v => v.as_string().map(Some).ok_or_else(|| wrong_type(key)),
    }
}

fn config_not_a_string(key: &str) -> OAuthError {
    config::invalid(key, "must be a string")
}

fn argument_not_a_string(key: &str) -> OAuthError {
    OAuthError::with_parts(ErrorCode::InvalidArgument, &[key, " must be a string"])
}

/// `source[key]` as whole seconds in `range`, `default` when undefined, else `invalid_config`.
fn whole_seconds(
    source: &JsValue,
    key: &str,
    range: core::ops::RangeInclusive<f64>,
    default: u32,
    problem: &str,
) -> Result<u32, OAuthError> {
    match get(source, key) {
        v if v.is_undefined() => Ok(default),
        v => v
            .as_f64()
            .filter(|n| range.contains(n) && f64::from(*n as u32) == *n)
            .map(|n| n as u32)
            .ok_or_else(|| config::invalid(key, problem)),
    }
}

/// Reads a `ClientConfig`; without `with_endpoints` (discovery) the endpoints and issuer come later.
fn read_config(source: &JsValue, with_endpoints: bool) -> Result<ClientConfig, OAuthError> {
    if !source.is_object() {
        return Err(OAuthError::new(ErrorCode::InvalidConfig, "config must be an object"));
    }
    let string = |key| get(source, key).as_string().ok_or_else(|| config_not_a_string(key));
    let endpoint = |key| if with_endpoints { string(key) } else { Ok(String::new()) };
    let mut config = ClientConfig::new(
        &string("clientId")?,
        &string("redirectUri")?,
        &endpoint("authorizationEndpoint")?,
        &endpoint("tokenEndpoint")?,
    );
    let optional = |key| optional_string(source, key, config_not_a_string);
    if with_endpoints {
        config.issuer = optional("issuer")?;
        config.revocation_endpoint = optional("revocationEndpoint")?;
        config.end_session_endpoint = optional("endSessionEndpoint")?;
    }
    config.token_storage = match optional("tokenStorage")?.as_deref() {
        None | Some("memory") => TokenStorage::Memory,
        Some("session") => TokenStorage::Session,
        Some("local") => TokenStorage::Local,
        Some(_) => return Err(config::invalid("tokenStorage", "must be \"memory\", \"session\" or \"local\"")),
    };
    config.scope = optional("scope")?;
    config.storage_prefix = optional("storagePrefix")?.unwrap_or(config.storage_prefix);
    config.require_iss = match get(source, "requireIss") {
        v if v.is_undefined() => false,
        v => v.as_bool().ok_or_else(|| config::invalid("requireIss", "must be a boolean"))?,
    };
    let positive = "must be a positive whole number of seconds";
    let any_u32 = 1.0..=f64::from(u32::MAX);
    config.transaction_ttl =
        whole_seconds(source, "transactionTtl", any_u32.clone(), config.transaction_ttl, positive)?;
    config.timeout = whole_seconds(source, "timeout", any_u32, config.timeout, positive)?;
    config.refresh_leeway = whole_seconds(
        source,
        "refreshLeeway",
        0.0..=86_400.0,
        config.refresh_leeway,
        "must be a whole number of seconds from 0 to 86400",
    )?;
    Ok(config)
}

fn read_logout(source: &JsValue) -> Result<LogoutParams, OAuthError> {
    let mut params = LogoutParams::default();
    if source.is_undefined() || source.is_null() {
        return Ok(params);
    }
    let text = |key| optional_string(source, key, argument_not_a_string);
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
    let bad = |message| OAuthError::new(ErrorCode::InvalidArgument, message);
    if !source.is_object() {
        return Err(bad("options must be an object"));
    }
    params.scope = optional_string(source, "scope", argument_not_a_string)?;
    let extra = get(source, "extraParams");
    if !extra.is_undefined() {
        if !extra.is_object() {
            return Err(bad("extraParams must be an object of strings"));
        }
        for entry in Object::entries(extra.unchecked_ref()) {
            let pair: js_sys::Array = entry.unchecked_into();
            let name = pair.get(0).as_string().unwrap_or_default();
            let value = pair.get(1).as_string().ok_or_else(|| bad("extraParams values must be strings"))?;
            params.extra.push((name, value));
        }
    }
    let app_state = match get(source, "appState") {
        v if v.is_undefined() => None,
        v => Some(
            json_stringify(&v)
                .ok()
                .and_then(|text| text.as_string())
                .ok_or_else(|| bad("appState must be JSON-serializable"))?,
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
