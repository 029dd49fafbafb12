//! The browser behind the core's traits: Web Storage, `fetch`, `location`/`history`,
//! `crypto.getRandomValues`, `JSON.parse`, Web Locks. Compiled for wasm32 only.

pub(crate) mod env;
#[cfg(feature = "client")]
mod fetch;
mod held;
#[cfg(feature = "client")]
pub(crate) mod locks;
pub(crate) mod navigation;
#[cfg(feature = "client")]
mod promise;
#[cfg(feature = "client")]
pub(crate) mod run;
#[cfg(feature = "client")]
pub(crate) mod shared;
mod storage;

pub use env::{BrowserEnv, JsJson};
#[cfg(feature = "client")]
pub use fetch::FetchTransport;
pub use held::HeldRecord;
#[cfg(feature = "client")]
pub(crate) use promise::promise;
#[cfg(feature = "client")]
pub use shared::SharedMarks;
pub use storage::WebStore;

use crate::error::{ErrorCode, OAuthError, Result};
use wasm_bindgen::{JsCast, JsValue};

/// The global `window`, or `browser_required` where there is none (SSR, Node, workers).
pub(crate) fn window() -> Result<web_sys::Window> {
    let global = js_sys::global();
    match js_sys::Reflect::get(&global, &"window".into()) {
        Ok(window) if window.is_object() => Ok(window.unchecked_into()),
        _ => Err(OAuthError::new(ErrorCode::BrowserRequired, "this call needs a browser window")),
    }
}

/// Sets a property on a fresh plain object; cannot fail on one.
pub(crate) fn set(target: &js_sys::Object, key: &str, value: &JsValue) {
    let _ = js_sys::Reflect::set(target, &key.into(), value);
}
