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

/// The callback URL to check: `given`, else the address bar's. When it is the address bar's,
/// the response parameters are removed from it first (before any check or request).
pub fn callback_href(given: Option<String>) -> Result<String> {
    let current = current_href();
    let href = match (given, &current) {
        (Some(href), _) => href,
        (None, Ok(current)) => current.clone(),
        (None, Err(error)) => return Err(error.clone()),
    };
    if current.as_ref() == Ok(&href) {
        if let Some(clean) = crate::callback::cleaned(&href) {
            replace_href(&clean)?;
        }
    }
    Ok(href)
}

/// `location.assign(href)`.
pub fn assign(href: &str) -> Result<()> {
    super::window()?.location().assign(href).map_err(|_| required())
}

fn required() -> OAuthError {
    OAuthError::new(ErrorCode::BrowserRequired, "location or history is unavailable")
}
