//! Clock, randomness and JSON from the browser.

use crate::error::{ErrorCode, OAuthError, Result};
use crate::json::{JsonField, JsonObject};
use crate::platform::Env;
use alloc::string::String;
use alloc::vec::Vec;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// `JSON.parse` on a JS string, so large bodies never enter wasm memory.
    #[wasm_bindgen(js_namespace = JSON, js_name = parse, catch)]
    pub(crate) fn json_parse(text: &JsValue) -> core::result::Result<JsValue, JsValue>;
    #[wasm_bindgen(js_namespace = JSON, js_name = stringify, catch)]
    pub(crate) fn json_stringify(value: &JsValue) -> core::result::Result<JsValue, JsValue>;
}

/// A value from `JSON.parse` known to be a non-array object.
pub struct JsJson(pub JsValue);

impl JsJson {
    /// Parses `text`; `None` unless it is a JSON object (not an array).
    pub fn parse(text: &JsValue) -> Option<Self> {
        json_parse(text).ok().filter(|v| v.is_object() && !js_sys::Array::is_array(v)).map(Self)
    }
}

impl JsJson {
    fn get(&self, key: &str) -> JsValue {
        // Keys looked up are protocol names, none of which exists on Object.prototype.
        js_sys::Reflect::get(&self.0, &key.into()).unwrap_or(JsValue::UNDEFINED)
    }
}

impl JsonObject for JsJson {
    fn strings(&self, key: &str) -> Option<Vec<String>> {
        string_array(&self.get(key))
    }

    fn field(&self, key: &str) -> JsonField {
        let value = self.get(key);
        if value.is_undefined() {
            JsonField::Absent
        } else if value.is_null() {
            JsonField::Null
        } else if let Some(s) = value.as_string() {
            JsonField::Str(s)
        } else if let Some(n) = value.as_f64() {
            JsonField::Num(n)
        } else if let Some(b) = value.as_bool() {
            JsonField::Bool(b)
        } else {
            JsonField::Other
        }
    }
}

#[wasm_bindgen]
extern "C" {
    /// `Array.from`, caught: a Proxy's trap or an iterator that throws must not unwind through wasm.
    #[wasm_bindgen(js_namespace = Array, js_name = from, catch)]
    fn array_from(value: &JsValue) -> core::result::Result<js_sys::Array, JsValue>;
}

/// `value` when it is an array of strings only (read with `Array.from`: a config's array may be
/// any iterable array, and a throwing one is no array of strings; `JSON.parse`'s are plain ones).
pub(crate) fn string_array(value: &JsValue) -> Option<Vec<String>> {
    if !js_sys::Array::is_array(value) {
        return None;
    }
    let mut items = Vec::new();
    for item in array_from(value).ok()?.iter() {
        items.push(item.as_string()?); // a loop: a collect into `Option` costs more wasm
    }
    Some(items)
}

/// `Date.now()`, `crypto.getRandomValues` (through `getrandom`) and `JSON.parse`.
pub struct BrowserEnv;

impl Env for BrowserEnv {
    type Json = JsJson;

    fn now(&self) -> f64 {
        js_sys::Date::now()
    }

    fn random(&self, buf: &mut [u8]) -> Result<()> {
        getrandom::fill(buf)
            .map_err(|_| OAuthError::new(ErrorCode::BrowserRequired, "crypto.getRandomValues is missing"))
    }

    fn parse_object(&self, text: &str) -> Option<JsJson> {
        JsJson::parse(&text.into())
    }

    fn is_json(&self, text: &str) -> bool {
        json_parse(&text.into()).is_ok()
    }
}
