//! Requests to the authorization server through `fetch`: CORS "simple requests", so no preflight.

use super::env::JsJson;
use crate::error::{ErrorCode, OAuthError, Result};
use crate::json;
use crate::platform::{HttpResponse, Transport};
use js_sys::{Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

/// Bodies larger than this many bytes (after any `Content-Encoding` is undone) are not read further.
const MAX_BODY: u32 = 1 << 20;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = fetch, catch)]
    fn fetch_with(url: &str, init: &Object) -> core::result::Result<Promise, JsValue>;

    type AbortController;
    #[wasm_bindgen(constructor, catch)]
    fn new() -> core::result::Result<AbortController, JsValue>;
    #[wasm_bindgen(method, getter)]
    fn signal(this: &AbortController) -> JsValue;
    #[wasm_bindgen(js_name = setTimeout, catch)]
    fn set_timeout(handler: &js_sys::Function, ms: f64) -> core::result::Result<JsValue, JsValue>;
    #[wasm_bindgen(js_name = clearTimeout, catch)]
    fn clear_timeout(id: &JsValue) -> core::result::Result<(), JsValue>;

    type BodyStream;
    #[wasm_bindgen(method, catch, js_name = getReader)]
    fn get_reader(this: &BodyStream) -> core::result::Result<Reader, JsValue>;
    type Reader;
    #[wasm_bindgen(method)]
    fn read(this: &Reader) -> Promise;
    #[wasm_bindgen(method)]
    fn cancel(this: &Reader) -> Promise;

    type TextDecoder;
    #[wasm_bindgen(constructor, catch)]
    fn new() -> core::result::Result<TextDecoder, JsValue>;
    #[wasm_bindgen(method)]
    fn decode(this: &TextDecoder, bytes: &Uint8Array) -> JsValue;
}

/// `fetch` with `credentials: "omit"`, `redirect: "manual"` and an abort timeout.
pub struct FetchTransport;

impl Transport for FetchTransport {
    type Json = JsJson;

    async fn post_form(&self, url: &str, body: &str, timeout_secs: u32) -> Result<HttpResponse<JsJson>> {
        send(url, Some(body), timeout_secs).await
    }

    async fn get_json(&self, url: &str, timeout_secs: u32) -> Result<HttpResponse<JsJson>> {
        send(url, None, timeout_secs).await
    }
}

/// One request under a timer that aborts it, body included: an `AbortController` and
/// `setTimeout`, which every supported browser has (`AbortSignal.timeout` is newer).
async fn send(url: &str, body: Option<&str>, timeout_secs: u32) -> Result<HttpResponse<JsJson>> {
    let controller = AbortController::new().map_err(|_| browser_required())?;
    let abort: js_sys::Function = Reflect::get(&controller, &"abort".into()).map_err(|_| browser_required())?.into();
    let timer =
        set_timeout(&abort.bind0(&controller), f64::from(timeout_secs) * 1000.0).map_err(|_| browser_required())?;
    let result = exchange(url, &request_init(body, &controller.signal())).await;
    let _ = clear_timeout(&timer);
    result
}

async fn exchange(url: &str, init: &Object) -> Result<HttpResponse<JsJson>> {
    let promise = fetch_with(url, init).map_err(|_| browser_required())?;
    let response: web_sys::Response = JsFuture::from(promise).await.map_err(failure)?.into();
    let status = response.status();
    let text = read_limited(&response).await.map_err(|e| e.status(status))?;
    // A body that does not say it is JSON is not read as JSON (as oauth4webapi does).
    let is_json = response.headers().get("content-type").ok().flatten().is_some_and(|t| json::is_json_media_type(&t));
    Ok(HttpResponse { status, body: if is_json { JsJson::parse(&text) } else { None } })
}

/// The body as text, read as a stream and cancelled as soon as it is known to pass `MAX_BODY`:
/// at once for a larger `Content-Length`, else when the decoded bytes pass it (a gzip bomb too).
async fn read_limited(response: &web_sys::Response) -> Result<JsValue> {
    let stream = Reflect::get(response, &"body".into()).unwrap_or(JsValue::NULL);
    if stream.is_null() || stream.is_undefined() {
        return Ok(JsValue::from_str("")); // an opaque redirect, a 204
    }
    let reader = stream.unchecked_into::<BodyStream>().get_reader().map_err(failure)?;
    let declared = response.headers().get("content-length").ok().flatten();
    if declared.is_some_and(|length| length.trim().parse::<u64>().map_or(true, |n| n > u64::from(MAX_BODY))) {
        return Err(too_large(&reader));
    }
    let (chunks, mut total) = (js_sys::Array::new(), 0u32);
    loop {
        let step = JsFuture::from(reader.read()).await.map_err(failure)?;
        if Reflect::get(&step, &"done".into()).ok().and_then(|d| d.as_bool()) != Some(false) {
            break;
        }
        let chunk: Uint8Array = Reflect::get(&step, &"value".into()).map_err(failure)?.unchecked_into();
        total = total.saturating_add(chunk.byte_length());
        if total > MAX_BODY {
            return Err(too_large(&reader));
        }
        chunks.push(&chunk);
    }
    let whole = Uint8Array::new_with_length(total);
    let mut offset = 0;
    for chunk in chunks.iter() {
        let chunk: Uint8Array = chunk.unchecked_into();
        whole.set(&chunk, offset);
        offset += chunk.byte_length();
    }
    Ok(TextDecoder::new().map_err(|_| browser_required())?.decode(&whole))
}

/// Cancels the rest of the body; the documented size error.
fn too_large(reader: &Reader) -> OAuthError {
    let _ = reader.cancel();
    OAuthError::new(ErrorCode::InvalidTokenResponse, "response is larger than 1 MiB")
}

/// A POST of `body` as a form, or a GET; CORS-safelisted headers only, so never a preflight.
fn request_init(body: Option<&str>, signal: &JsValue) -> Object {
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
    set(&init, "signal", signal);
    init
}

/// Sets a property on a fresh plain object; cannot fail on one.
pub(crate) fn set(target: &Object, key: &str, value: &JsValue) {
    let _ = Reflect::set(target, &key.into(), value);
}

/// Our own timer is the only thing that aborts a request, so an abort is a timeout, whatever the
/// engine names it (`AbortError`; WebKitGTK 2.50 also for `AbortSignal.timeout`, not `TimeoutError`).
fn failure(error: JsValue) -> OAuthError {
    let name = Reflect::get(&error, &"name".into()).ok().and_then(|n| n.as_string());
    match name.as_deref() {
        Some("AbortError" | "TimeoutError") => OAuthError::new(ErrorCode::Timeout, "the server did not answer in time"),
        _ => OAuthError::new(ErrorCode::NetworkError, "the server could not be reached"),
    }
}

fn browser_required() -> OAuthError {
    OAuthError::new(ErrorCode::BrowserRequired, "fetch is missing")
}
