//! `sessionStorage` as a `Store`: per tab, survives reloads, gone with the tab.
use alloc::string::String;
use alloc::vec::Vec;

use crate::error::{ErrorCode, OAuthError, Result};
use crate::platform::Store;

/// The tab's `sessionStorage`.
pub struct SessionStore(web_sys::Storage);

impl SessionStore {
    /// Opens `sessionStorage`; `storage_unavailable` when it is disabled or missing.
    pub fn open() -> Result<Self> {
        match super::window()?.session_storage() {
            Ok(Some(storage)) => Ok(Self(storage)),
            _ => Err(unavailable()),
        }
    }
}

fn unavailable() -> OAuthError {
    OAuthError::new(ErrorCode::StorageUnavailable, "sessionStorage is disabled, missing or full")
}

impl Store for SessionStore {
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
        Ok((0..length).filter_map(|i| self.0.key(i).ok().flatten()).collect())
    }
}
