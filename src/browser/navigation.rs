//! The address bar: read it, clean it without a new history entry, leave for the server.
use alloc::string::String;

use crate::error::{ErrorCode, OAuthError, Result};

/// `location.href`.
pub fn current_href() -> Result<String> {
    super::window()?.location().href().map_err(|_| required())
}

/// Replaces the current history entry's URL, keeping its state object (routers keep theirs there).
pub fn replace_href(href: &str) -> Result<()> {
    let history = super::window()?.history().map_err(|_| required())?;
    let state = history.state().unwrap_or(wasm_bindgen::JsValue::NULL);
    history.replace_state_with_url(&state, "", Some(href)).map_err(|_| required())
}

/// `location.assign(href)`.
pub fn assign(href: &str) -> Result<()> {
    super::window()?.location().assign(href).map_err(|_| required())
}

fn required() -> OAuthError {
    OAuthError::new(ErrorCode::BrowserRequired, "location or history is unavailable")
}
