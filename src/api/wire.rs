//! The values that cross to the JS driver: a `Request` out as a plain object, the driver's
//! answer back as a `Response` or a `Failure`, and a `TokenSet` out with the JS names.
use alloc::string::String;
use alloc::vec::Vec;

use crate::browser::env::json_parse;
use crate::browser::{set, JsJson};
use crate::http::{Body, Failure, Request, Response};
use crate::steps::Answer;
use crate::token::TokenSet;
use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;

/// `{ method, url, headers, body?, timeout, limit }` for the driver's `send` (js/send.js).
pub(crate) fn request(request: &Request) -> JsValue {
    let out = Object::new();
    let headers = Object::new();
    for (name, value) in &request.headers {
        set(&headers, name, &value.as_str().into());
    }
    set(&out, "method", &request.method.as_str().into());
    set(&out, "url", &request.url.as_str().into());
    set(&out, "headers", &headers);
    if let Some(body) = &request.body {
        set(&out, "body", &body.as_str().into());
    }
    set(&out, "timeout", &f64::from(request.timeout_secs).into());
    set(&out, "limit", &f64::from(request.limit).into());
    out.into()
}

/// What `send` resolved to: `{ status, headers: [name, value][], body }` (`body` the text, or
/// undefined when it passed the request's `limit`), or the name of the failure.
pub(crate) fn answer(value: &JsValue) -> Answer<JsJson> {
    if let Some(failure) = value.as_string() {
        return Err(match failure.as_str() {
            "timeout" => Failure::Timeout,
            "unavailable" => Failure::Unavailable,
            _ => Failure::Unreachable,
        });
    }
    let get = |key: &str| Reflect::get(value, &key.into()).unwrap_or(JsValue::UNDEFINED);
    let status = get("status").as_f64().filter(|s| (0.0..1000.0).contains(s)).unwrap_or(0.0) as u16;
    let body = match get("body") {
        text if text.is_undefined() => Body::TooLarge,
        text => JsJson::parse(&text).map_or(Body::NotAnObject, Body::Object),
    };
    Ok(Response { status, headers: headers(&get("headers")), body })
}

/// `[name, value]` pairs as `(name, value)`; anything else is skipped. A loop, not a
/// `filter_map` collect: that costs more wasm.
fn headers(pairs: &JsValue) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let Some(pairs) = pairs.dyn_ref::<js_sys::Array>() else { return out };
    for pair in pairs.iter() {
        let Ok(pair) = pair.dyn_into::<js_sys::Array>() else { continue };
        let Some(name) = pair.get(0).as_string() else { continue };
        let Some(value) = pair.get(1).as_string() else { continue };
        out.push((name, value));
    }
    out
}

/// The JS `TokenSet`.
pub(crate) fn token_set(tokens: &TokenSet) -> JsValue {
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
