//! Requests to the authorization server through `fetch`: CORS "simple requests", so no preflight.

use super::env::JsJson;
use super::set;
use crate::http::{Body, Failure, Request, Response};
use crate::platform::Transport;
use alloc::string::String;
use alloc::vec::Vec;
use js_sys::{Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen]
extern "C" {
    /// `Array.from(headers)`: the `[name, value]` pairs (names in lower case).
    #[wasm_bindgen(js_namespace = Array, js_name = from)]
    fn array_from(iterable: &JsValue) -> js_sys::Array;

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

/// `fetch` with `credentials: "omit"`, `redirect: "manual"` and an abort timeout: performs the
/// core's `Request` and hands back what came in (the core's `http` decides what it means).
pub struct FetchTransport;

impl Transport for FetchTransport {
    type Json = JsJson;

    async fn send(&self, request: &Request) -> Answer {
        let controller = AbortController::new().map_err(|_| Failure::Unavailable)?;
        let abort: js_sys::Function =
            Reflect::get(&controller, &"abort".into()).map_err(|_| Failure::Unavailable)?.into();
        let timer = set_timeout(&abort.bind0(&controller), f64::from(request.timeout_secs) * 1000.0)
            .map_err(|_| Failure::Unavailable)?;
        let result = exchange(request, &request_init(request, &controller.signal())).await;
        let _ = clear_timeout(&timer);
        result
    }
}

type Answer = core::result::Result<Response<JsJson>, Failure>;

/// One request under a timer that aborts it, body included: an `AbortController` and
/// `setTimeout`, which every supported browser has (`AbortSignal.timeout` is newer).
async fn exchange(request: &Request, init: &Object) -> Answer {
    let promise = fetch_with(&request.url, init).map_err(|_| Failure::Unavailable)?;
    let response: web_sys::Response = JsFuture::from(promise).await.map_err(failure)?.into();
    let headers = headers(&response);
    let body = match read_limited(&response, request.limit).await? {
        Some(text) => JsJson::parse(&text).map_or(Body::NotAnObject, Body::Object),
        None => Body::TooLarge,
    };
    Ok(Response { status: response.status(), headers, body })
}

/// The headers the browser exposes, as `(name, value)` with names in lower case.
fn headers(response: &web_sys::Response) -> Vec<(String, String)> {
    let pairs = array_from(&response.headers());
    pairs
        .iter()
        .filter_map(|pair| {
            let pair: js_sys::Array = pair.unchecked_into();
            Some((pair.get(0).as_string()?, pair.get(1).as_string()?))
        })
        .collect()
}

/// The body as text, read as a stream and cancelled as soon as it is known to pass `limit`
/// (`None`): at once for a larger `Content-Length`, else when the decoded bytes pass it (a gzip
/// bomb too).
async fn read_limited(response: &web_sys::Response, limit: u32) -> core::result::Result<Option<JsValue>, Failure> {
    let stream = Reflect::get(response, &"body".into()).unwrap_or(JsValue::NULL);
    if stream.is_null() || stream.is_undefined() {
        return Ok(Some(JsValue::from_str(""))); // an opaque redirect, a 204
    }
    let reader = stream.unchecked_into::<BodyStream>().get_reader().map_err(failure)?;
    let declared = response.headers().get("content-length").ok().flatten();
    if declared.is_some_and(|length| length.trim().parse::<u64>().map_or(true, |n| n > u64::from(limit))) {
        return Ok(too_large(&reader));
    }
    let (chunks, mut total) = (js_sys::Array::new(), 0u32);
    loop {
        let step = JsFuture::from(reader.read()).await.map_err(failure)?;
        if Reflect::get(&step, &"done".into()).ok().and_then(|d| d.as_bool()) != Some(false) {
            break;
        }
        let chunk: Uint8Array = Reflect::get(&step, &"value".into()).map_err(failure)?.unchecked_into();
        total = total.saturating_add(chunk.byte_length());
        if total > limit {
            return Ok(too_large(&reader));
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
    Ok(Some(TextDecoder::new().map_err(|_| Failure::Unavailable)?.decode(&whole)))
}

/// Cancels the rest of the body.
fn too_large(reader: &Reader) -> Option<JsValue> {
    let _ = reader.cancel();
    None
}

/// The request's method, headers and body; CORS-safelisted headers only, so never a preflight.
fn request_init(request: &Request, signal: &JsValue) -> Object {
    let init = Object::new();
    let headers = Object::new();
    for (name, value) in &request.headers {
        set(&headers, name, &value.as_str().into());
    }
    set(&init, "method", &request.method.as_str().into());
    set(&init, "headers", &headers);
    if let Some(body) = &request.body {
        set(&init, "body", &body.as_str().into());
    }
    set(&init, "credentials", &"omit".into());
    set(&init, "redirect", &"manual".into());
    set(&init, "cache", &"no-store".into());
    set(&init, "referrerPolicy", &"no-referrer".into());
    set(&init, "signal", signal);
    init
}

/// Our own timer is the only thing that aborts a request, so an abort is a timeout, whatever the
/// engine names it (`AbortError`; WebKitGTK 2.50 also for `AbortSignal.timeout`, not `TimeoutError`).
fn failure(error: JsValue) -> Failure {
    let name = Reflect::get(&error, &"name".into()).ok().and_then(|n| n.as_string());
    match name.as_deref() {
        Some("AbortError" | "TimeoutError") => Failure::Timeout,
        _ => Failure::Unreachable,
    }
}
