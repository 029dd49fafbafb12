//! IndexedDB (through `js/shared_store.js`) as the store every tab of the origin sees at once:
//! the authoritative copy of a `local` token holder and the redeemed-callback marks.

use crate::error::{ErrorCode, OAuthError, Result};
use crate::platform::Marks;
use alloc::string::String;
use js_sys::Promise;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen(module = "/js/shared_store.js")]
extern "C" {
    #[wasm_bindgen(js_name = sharedGet)]
    fn shared_get(key: &str) -> Promise;
    #[wasm_bindgen(js_name = sharedSwap)]
    fn shared_swap(key: &str, any: bool, expected: Option<String>, text: Option<String>) -> Promise;
    #[wasm_bindgen(js_name = sharedClaim)]
    fn shared_claim(key: &str, expires: f64, now: f64) -> Promise;
}

/// The text under `key`.
pub async fn get(key: &str) -> Result<Option<String>> {
    Ok(settle(shared_get(key)).await?.as_string())
}

/// Writes `text` (`None`: deletes) under `key`, unconditionally when `expected` is `None`, else
/// only while the stored text is `expected`'s; true when it wrote.
pub async fn swap(key: &str, expected: Option<Option<&str>>, text: Option<&str>) -> Result<bool> {
    let (any, expected) = match expected {
        None => (true, None),
        Some(expected) => (false, expected.map(String::from)),
    };
    Ok(settle(shared_swap(key, any, expected, text.map(String::from))).await?.is_truthy())
}

/// The browser's marks: IndexedDB where there is one (`sharedClaim` says what happens without).
pub struct SharedMarks;

impl Marks for SharedMarks {
    async fn claim(&self, key: &str, expires_at: f64, now: f64) -> Result<bool> {
        Ok(settle(shared_claim(key, expires_at, now)).await?.is_truthy())
    }
}

async fn settle(promise: Promise) -> Result<JsValue> {
    JsFuture::from(promise).await.map_err(|_| unavailable())
}

fn unavailable() -> OAuthError {
    OAuthError::new(ErrorCode::StorageUnavailable, "IndexedDB is disabled, missing or full")
}
