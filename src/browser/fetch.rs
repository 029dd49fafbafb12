//! Requests to the authorization server through `fetch`: CORS "simple requests", so no preflight.

use super::env::JsJson;
use crate::error::{ErrorCode, OAuthError, Result};
use crate::json;
use crate::platform::{HttpResponse, Transport};
use js_sys::{Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

/// Bodies larger than this (UTF-16 units) are refused without parsing.
const MAX_BODY: u32 = 1 << 20;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = fetch, catch)]
    fn fetch_with(url: &str, init: &Object) -> core::result::Result<Promise, JsValue>;
    #[wasm_bindgen(js_namespace = AbortSignal, js_name = timeout)]
    fn abort_after(ms: f64) -> JsValue;
}

/// `fetch` with `credentials: "omit"`, `redirect: "manual"` and an abort timeout.
pub struct FetchTransport;

impl Transport for FetchTransport {
    type Json = JsJson;

    async fn post_form(&self, url: &str, body: &str, timeout_secs: u32) -> Result<HttpResponse<JsJson>> {
        send(url, &request_init(Some(body), timeout_secs)).await
    }

    async fn get_json(&self, url: &str, timeout_secs: u32) -> Result<HttpResponse<JsJson>> {
        send(url, &request_init(None, timeout_secs)).await
    }
}

async fn send(url: &str, init: &Object) -> Result<HttpResponse<JsJson>> {
    let promise = fetch_with(url, init).map_err(|_| browser_required())?;
    let signal = Reflect::get(init, &"signal".into()).unwrap_or(JsValue::UNDEFINED);
    let failure = |error| failure(error, &signal);
    let response: web_sys::Response = JsFuture::from(promise).await.map_err(failure)?.into();
    let status = response.status();
    let text = JsFuture::from(response.text().map_err(failure)?).await.map_err(failure)?;
    if js_sys::JsString::from(text.clone()).length() > MAX_BODY {
        return Err(OAuthError::new(ErrorCode::InvalidTokenResponse, "response is larger than 1 MiB").status(status));
    }
    // A body that does not say it is JSON is not read as JSON (as oauth4webapi does).
    let is_json = response.headers().get("content-type").ok().flatten().is_some_and(|t| json::is_json_media_type(&t));
    Ok(HttpResponse { status, body: if is_json { JsJson::parse(&text) } else { None } })
}

/// A POST of `body` as a form, or a GET; CORS-safelisted headers only, so never a preflight.
fn request_init(body: Option<&str>, timeout_secs: u32) -> Object {
    let init = Object::new();
    if let Some(body) = body {
        let headers = Object::new();
        set(&headers, "content-type", &"application/x-www-form-urlencoded".into());
        set(&init, "method", &"POST".into());
        set(&init, "headers", &headers);
        set(&init, "body", &body.into());
    }
    set(&init, "credentials", &"omit".into());
    set(&init, "redirect", &"manual".into());
    set(&init, "cache", &"no-store".into());
    set(&init, "referrerPolicy", &"no-referrer".into());
    set(&init, "signal", &abort_after(f64::from(timeout_secs) * 1000.0));
    init
}

/// Sets a property on a fresh plain object; cannot fail on one.
pub(crate) fn set(target: &Object, key: &str, value: &JsValue) {
    let _ = Reflect::set(target, &key.into(), value);
}

/// A rejection once the timeout signal has fired is a timeout, whatever its name: the spec's
/// `TimeoutError` (Chromium, Firefox), an `AbortError` in WebKit (WebKitGTK 2.50).
fn failure(error: JsValue, signal: &JsValue) -> OAuthError {
    let name = Reflect::get(&error, &"name".into()).ok().and_then(|n| n.as_string());
    let timed_out = Reflect::get(signal, &"aborted".into()).is_ok_and(|aborted| aborted.is_truthy());
    if timed_out || name.as_deref() == Some("TimeoutError") {
        OAuthError::new(ErrorCode::Timeout, "the server did not answer in time")
    } else {
        OAuthError::new(ErrorCode::NetworkError, "the server could not be reached")
    }
}

fn browser_required() -> OAuthError {
    OAuthError::new(ErrorCode::BrowserRequired, "fetch is missing")
}
