//! Futures to JS promises through one instantiation of `future_to_promise`.

use alloc::boxed::Box;
use core::future::Future;
use core::pin::Pin;
use js_sys::Promise;
use wasm_bindgen::JsValue;

/// A boxed future resolving to what a promise settles with.
pub type Job = Pin<Box<dyn Future<Output = Result<JsValue, JsValue>>>>;

/// Runs `job` as a JS promise. Boxing first makes every caller share one copy of
/// wasm-bindgen-futures' task machinery instead of one per future type (several KB each).
pub fn promise(job: impl Future<Output = Result<JsValue, JsValue>> + 'static) -> Promise {
    wasm_bindgen_futures::future_to_promise(Box::pin(job) as Job)
}
