//! Reading the JS API's arguments (`ClientConfig`, `AuthorizeOptions`, `LogoutOptions`, strings):
//! every bad value is an `OAuthError` naming its field, never an exception through wasm.
use alloc::string::String;
use alloc::vec::Vec;

use crate::authorize::AuthorizeParams;
use crate::browser::env::json_stringify;
use crate::config::{self, ClientConfig, TokenStorage};
use crate::error::{ErrorCode, OAuthError};
use crate::logout::LogoutParams;
use js_sys::Reflect;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// `Object.entries`, caught: a Proxy whose traps throw must not unwind through wasm.
    #[wasm_bindgen(js_namespace = Object, js_name = entries, catch)]
    fn entries(object: &JsValue) -> Result<js_sys::Array, JsValue>;
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
pub(crate) fn argument(value: &JsValue, field: &'static str) -> Result<String, OAuthError> {
    value.as_string().ok_or_else(|| bad_argument(field, "must be a string"))
}

/// An optional string argument (`undefined` or `null` is `None`), else `invalid_argument` naming it.
pub(crate) fn optional_argument(value: &JsValue, field: &'static str) -> Result<Option<String>, OAuthError> {
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
pub(crate) fn read_config(source: &JsValue, with_endpoints: bool) -> Result<ClientConfig, OAuthError> {
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
    config.userinfo_endpoint = optional("userinfoEndpoint")?;
    config.token_storage = match optional("tokenStorage")?.as_deref() {
        None | Some("memory") => TokenStorage::Memory,
        Some("session") => TokenStorage::Session,
        Some("local") => TokenStorage::Local,
        Some("worker") => TokenStorage::Worker,
        Some(_) => return Err(config::invalid("tokenStorage", "must be memory, session, local or worker")),
    };
    config.scope = optional("scope")?;
    config.storage_prefix = optional("storagePrefix")?.unwrap_or(config.storage_prefix);
    config.require_iss = flag(source, "requireIss")?;
    config.transaction_ttl = whole_seconds(source, "transactionTtl", config.transaction_ttl)?;
    config.timeout = whole_seconds(source, "timeout", config.timeout)?;
    config.refresh_leeway = whole_seconds(source, "refreshLeeway", config.refresh_leeway)?;
    config.dpop = flag(source, "dpop")?;
    config.resource_origins = strings(source, "resourceOrigins", false)?;
    config.resource = strings(source, "resource", true)?;
    config.par_endpoint = optional("parEndpoint")?;
    config.require_par = flag(source, "requirePar")?;
    Ok(config)
}

/// `source[key]` as an array of strings (or, `or_one`, a single string); empty when undefined.
fn strings(source: &JsValue, key: &'static str, or_one: bool) -> Result<Vec<String>, OAuthError> {
    let value = get(source, key, config::invalid)?;
    if value.is_undefined() {
        return Ok(Vec::new());
    }
    if let (true, Some(one)) = (or_one, value.as_string()) {
        return Ok(alloc::vec![one]);
    }
    crate::browser::env::string_array(&value).ok_or_else(|| config::invalid(key, "must be an array of strings"))
}

pub(crate) fn read_logout(source: &JsValue) -> Result<LogoutParams, OAuthError> {
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

/// `AuthorizeOptions` (and for a `popup`, its `popupRedirectUri`) and the `appState` JSON text.
pub(crate) fn read_options(source: &JsValue, popup: bool) -> Result<(AuthorizeParams, Option<String>), OAuthError> {
    let mut params = AuthorizeParams::default();
    if source.is_undefined() || source.is_null() {
        return Ok((params, None));
    }
    if !source.is_object() {
        return Err(bad_argument("options", "must be an object"));
    }
    params.scope = optional_string(source, "scope", bad_argument)?;
    if popup {
        params.redirect_uri = optional_string(source, "popupRedirectUri", bad_argument)?;
    }
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

/// `loginPopup`'s `timeout` in milliseconds: seconds, positive (default 300).
pub(crate) fn popup_timeout(source: &JsValue) -> Result<f64, OAuthError> {
    let seconds = if source.is_object() { get(source, "timeout", bad_argument)? } else { JsValue::UNDEFINED };
    if seconds.is_undefined() {
        return Ok(300_000.0);
    }
    match seconds.as_f64() {
        Some(s) if s > 0.0 && s <= 86_400.0 => Ok(s * 1000.0),
        _ => Err(bad_argument("timeout", "must be a number of seconds from 0 to 86400")),
    }
}
