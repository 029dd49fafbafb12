//! The three small traits through which the core reaches the outside world; the browser
//! implements them in `browser`, native tests with fakes.
#![allow(async_fn_in_trait)] // wasm is single-threaded: no `Send` bound is wanted on these futures
use alloc::string::String;
use alloc::vec::Vec;

use crate::error::Result;
use crate::json::JsonObject;

/// A string key-value store scoped to one tab (`sessionStorage`).
pub trait Store {
    /// The value under `key`.
    fn get(&self, key: &str) -> Result<Option<String>>;
    /// Writes `value` under `key`, all or nothing.
    fn set(&self, key: &str, value: &str) -> Result<()>;
    /// Deletes `key`.
    fn remove(&self, key: &str) -> Result<()>;
    /// Every key in the store.
    fn keys(&self) -> Result<Vec<String>>;
}

/// Clock, randomness and JSON parsing.
pub trait Env {
    /// A parsed JSON object.
    type Json: JsonObject;
    /// Epoch milliseconds.
    fn now(&self) -> f64;
    /// Fills `buf` from a cryptographically secure generator.
    fn random(&self, buf: &mut [u8]) -> Result<()>;
    /// Parses `text`; `None` unless it is a JSON object.
    fn parse_object(&self, text: &str) -> Option<Self::Json>;
    /// True when `text` is one JSON value of any type.
    fn is_json(&self, text: &str) -> bool;
}

/// The answer of an HTTP endpoint: its status and, when the body was a JSON object, the object.
pub struct HttpResponse<J> {
    /// HTTP status; 0 for an opaque redirect.
    pub status: u16,
    /// The parsed body, `None` when it was not a JSON object.
    pub body: Option<J>,
}

/// HTTP to the authorization server: form POSTs to the token and revocation endpoints, metadata GETs.
pub trait Transport {
    /// A parsed JSON object.
    type Json: JsonObject;
    /// One `application/x-www-form-urlencoded` POST, no credentials, no redirects followed.
    async fn post_form(&self, url: &str, body: &str, timeout_secs: u32) -> Result<HttpResponse<Self::Json>>;
    /// One GET of a JSON document, no credentials, no redirects followed.
    async fn get_json(&self, url: &str, timeout_secs: u32) -> Result<HttpResponse<Self::Json>>;
}

/// Marks every tab of the origin sees at once (IndexedDB in the browser): a callback's code is
/// redeemed only by the tab that claims its mark first.
pub trait Marks {
    /// Adds the mark `key`, kept until `expires_at` (epoch ms); false when it is already there.
    async fn claim(&self, key: &str, expires_at: f64, now: f64) -> Result<bool>;
}
