//! In-memory implementations of the `platform` traits, for the unit tests, the property tests
//! (`tests/properties.rs`) and the fuzz targets (feature `testing`; never in the npm build).

use crate::error::{ErrorCode, OAuthError, Result};
use crate::json::testing;
use crate::platform::{Env, HttpResponse, Marks, Store, Transport};
use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;
use core::cell::{Cell, RefCell};
use core::future::Future;
use core::pin::pin;
use core::task::{Context, Poll, Waker};

/// `sessionStorage` in a map; `full` makes every write fail like a quota error.
#[derive(Default)]
pub struct FakeStore {
    pub items: RefCell<BTreeMap<String, String>>,
    pub full: Cell<bool>,
}

impl Store for FakeStore {
    fn get(&self, key: &str) -> Result<Option<String>> {
        Ok(self.items.borrow().get(key).cloned())
    }
    fn set(&self, key: &str, value: &str) -> Result<()> {
        if self.full.get() {
            return Err(OAuthError::new(ErrorCode::StorageUnavailable, "quota exceeded"));
        }
        self.items.borrow_mut().insert(key.into(), value.into());
        Ok(())
    }
    fn remove(&self, key: &str) -> Result<()> {
        self.items.borrow_mut().remove(key);
        Ok(())
    }
    fn keys(&self) -> Result<Vec<String>> {
        Ok(self.items.borrow().keys().cloned().collect())
    }
}

/// A settable clock and a counter as "randomness".
pub struct FakeEnv {
    pub now: Cell<f64>,
    pub counter: Cell<u8>,
}

impl Default for FakeEnv {
    fn default() -> Self {
        Self { now: Cell::new(1_700_000_000_000.0), counter: Cell::new(0) }
    }
}

impl Env for FakeEnv {
    type Json = serde_json::Value;
    fn now(&self) -> f64 {
        self.now.get()
    }
    fn random(&self, buf: &mut [u8]) -> Result<()> {
        for b in buf {
            self.counter.set(self.counter.get().wrapping_add(1));
            *b = self.counter.get();
        }
        Ok(())
    }
    fn parse_object(&self, text: &str) -> Option<serde_json::Value> {
        testing::object(text)
    }
    fn is_json(&self, text: &str) -> bool {
        serde_json::from_str::<serde_json::Value>(text).is_ok()
    }
}

/// Origin-wide marks in a map, as IndexedDB keeps them for every tab.
#[derive(Default)]
pub struct FakeMarks {
    pub items: RefCell<BTreeMap<String, f64>>,
}

impl Marks for FakeMarks {
    async fn claim(&self, key: &str, expires_at: f64, _now: f64) -> Result<bool> {
        Ok(self.items.borrow_mut().insert(key.into(), expires_at).is_none())
    }
}

/// Records each request body and answers with a canned status and body; GETs are answered
/// from `documents` (404 for a URL not in it) and recorded as `GET <url>`. An `Err` answer
/// (a transport failure) fails GETs too.
pub struct FakeTransport {
    pub requests: RefCell<Vec<String>>,
    pub answer: RefCell<Result<(u16, String)>>,
    pub documents: RefCell<BTreeMap<String, (u16, String)>>,
}

impl FakeTransport {
    /// Answers every request with `status` and `body`.
    pub fn answering(status: u16, body: &str) -> Self {
        Self {
            requests: RefCell::default(),
            answer: RefCell::new(Ok((status, body.into()))),
            documents: RefCell::default(),
        }
    }
}

impl Transport for FakeTransport {
    type Json = serde_json::Value;
    async fn post_form(&self, _url: &str, body: &str, _timeout: u32) -> Result<HttpResponse<serde_json::Value>> {
        self.requests.borrow_mut().push(body.into());
        let (status, text) = self.answer.borrow().clone()?;
        Ok(HttpResponse { status, body: testing::object(&text) })
    }

    async fn get_json(&self, url: &str, _timeout: u32) -> Result<HttpResponse<serde_json::Value>> {
        self.requests.borrow_mut().push(["GET ", url].concat());
        self.answer.borrow().clone()?;
        let (status, text) = self.documents.borrow().get(url).cloned().unwrap_or((404, "not found".into()));
        Ok(HttpResponse { status, body: testing::object(&text) })
    }
}

/// Runs a future whose awaits all complete immediately (the fakes' do).
pub fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
    }
}
