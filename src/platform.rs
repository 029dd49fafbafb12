//! The three small traits through which the core reaches the outside world; the browser
//! implements them in `browser`, native tests with fakes.
#![allow(async_fn_in_trait)] // wasm is single-threaded: no `Send` bound is wanted on these futures
use alloc::string::String;
use alloc::vec::Vec;

use crate::error::Result;
use crate::http::{Failure, Request, Response};
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

/// HTTP to the authorization server: performs a `Request` as it says and hands back what came
/// in; what the answer means is decided by the core (`http`).
pub trait Transport {
    /// A parsed JSON object.
    type Json: JsonObject;
    /// Sends `request`; a `Failure` when no answer came.
    async fn send(&self, request: &Request) -> core::result::Result<Response<Self::Json>, Failure>;
}

/// Marks every tab of the origin sees at once (IndexedDB in the browser): a callback's code is
/// redeemed only by the tab that claims its mark first.
pub trait Marks {
    /// Adds the mark `key`, kept until `expires_at` (epoch ms); false when it is already there.
    async fn claim(&self, key: &str, expires_at: f64, now: f64) -> Result<bool>;
}
