//! The Web Locks API: runs a job while holding a lock shared by every tab of the origin.

use super::promise::promise;
use core::future::Future;
use js_sys::{Promise, Reflect};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    type LockManager;
    #[wasm_bindgen(method, catch)]
    fn request(this: &LockManager, name: &str, callback: &JsValue) -> Result<Promise, JsValue>;
}

/// Runs `job` under the lock `name` (`navigator.locks.request`); the lock is released when the
/// job settles; the promise rejects, without running the job, when the lock cannot be taken.
/// Without the API (very old browsers) the job runs unlocked.
pub fn with_lock<F>(name: &str, job: F) -> Promise
where
    F: Future<Output = Result<JsValue, JsValue>> + 'static,
{
    let navigator = Reflect::get(&js_sys::global(), &"navigator".into()).unwrap_or(JsValue::UNDEFINED);
    let locks = Reflect::get(&navigator, &"locks".into()).unwrap_or(JsValue::UNDEFINED);
    if !locks.is_object() {
        return promise(job);
    }
    let callback = Closure::once_into_js(move |_lock: JsValue| promise(job));
    locks.unchecked_into::<LockManager>().request(name, &callback).unwrap_or_else(|error| Promise::reject(&error))
}
