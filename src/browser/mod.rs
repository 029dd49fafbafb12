//! The browser behind the core's traits: Web Storage, `fetch`, `location`/`history`,
//! `crypto.getRandomValues`, `JSON.parse`, Web Locks. Compiled for wasm32 only.

pub(crate) mod env;
mod fetch;
pub(crate) mod locks;
pub(crate) mod navigation;
mod promise;
pub(crate) mod shared;
mod storage;

pub use env::{BrowserEnv, JsJson};
pub(crate) use fetch::set;
pub use fetch::FetchTransport;
pub(crate) use promise::promise;
pub use shared::SharedMarks;
pub use storage::WebStore;

use crate::error::{ErrorCode, OAuthError, Result};
use wasm_bindgen::JsCast;

/// The global `window`, or `browser_required` where there is none (SSR, Node, workers).
pub(crate) fn window() -> Result<web_sys::Window> {
    let global = js_sys::global();
    match js_sys::Reflect::get(&global, &"window".into()) {
        Ok(window) if window.is_object() => Ok(window.unchecked_into()),
        _ => Err(OAuthError::new(ErrorCode::BrowserRequired, "this call needs a browser window")),
    }
}
