//! `sessionStorage` and `localStorage` as a `Store`.

use crate::error::{ErrorCode, OAuthError, Result};
use crate::platform::Store;
use alloc::string::String;
use alloc::vec::Vec;

/// One of the page's Web Storage areas.
pub struct WebStore(web_sys::Storage);

impl WebStore {
    /// `sessionStorage`: per tab, survives reloads. `storage_unavailable` when disabled or missing.
    pub fn session() -> Result<Self> {
        Self::wrap(super::window()?.session_storage())
    }

    /// `localStorage`: shared by the origin's tabs. `storage_unavailable` when disabled or missing.
    pub fn local() -> Result<Self> {
        Self::wrap(super::window()?.local_storage())
    }

    fn wrap(storage: core::result::Result<Option<web_sys::Storage>, wasm_bindgen::JsValue>) -> Result<Self> {
        match storage {
            Ok(Some(storage)) => Ok(Self(storage)),
            _ => Err(unavailable()),
        }
    }
}

fn unavailable() -> OAuthError {
    OAuthError::new(ErrorCode::StorageUnavailable, "web storage is disabled, missing or full")
}

impl Store for WebStore {
    fn get(&self, key: &str) -> Result<Option<String>> {
        self.0.get_item(key).map_err(|_| unavailable())
    }

    fn set(&self, key: &str, value: &str) -> Result<()> {
        self.0.set_item(key, value).map_err(|_| unavailable())
    }

    fn remove(&self, key: &str) -> Result<()> {
        self.0.remove_item(key).map_err(|_| unavailable())
    }

    fn keys(&self) -> Result<Vec<String>> {
        let length = self.0.length().map_err(|_| unavailable())?;
        let mut keys = Vec::new();
        for i in 0..length {
            if let Ok(Some(key)) = self.0.key(i) {
                keys.push(key);
            }
        }
        Ok(keys)
    }
}
