//! In-memory implementations of the `platform` traits (feature `testing`): the one set of fakes
//! shared by the unit tests, `tests/properties.rs` and the fuzz targets. `no_std` like the core.
use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;
use core::cell::{Cell, RefCell};
use core::future::Future;
use core::pin::pin;
use core::task::{Context, Poll, Waker};

use crate::error::{ErrorCode, OAuthError, Result};
use crate::http::{Body, Failure, Method, Request, Response};
use crate::json::testing;
use crate::platform::{Env, Marks, Store, Transport};

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

/// A settable clock and, as "randomness", a counter (`default`) or a seeded xorshift (`seeded`).
pub struct FakeEnv {
    pub now: Cell<f64>,
    pub counter: Cell<u8>,
    /// 0: the counter; else the xorshift state.
    pub seed: Cell<u64>,
}

impl Default for FakeEnv {
    fn default() -> Self {
        Self { now: Cell::new(1_700_000_000_000.0), counter: Cell::new(0), seed: Cell::new(0) }
    }
}

impl FakeEnv {
    /// Randomness from a xorshift seeded with `seed` (property tests: one stream per case).
    pub fn seeded(seed: u64) -> Self {
        Self { seed: Cell::new(seed | 1), ..Self::default() }
    }

    fn next_byte(&self) -> u8 {
        let mut x = self.seed.get();
        if x == 0 {
            self.counter.set(self.counter.get().wrapping_add(1));
            return self.counter.get();
        }
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.seed.set(x);
        x as u8
    }
}

impl Env for FakeEnv {
    type Json = serde_json::Value;
    fn now(&self) -> f64 {
        self.now.get()
    }
    fn random(&self, buf: &mut [u8]) -> Result<()> {
        for b in buf {
            *b = self.next_byte();
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

/// Records each request (`requests`: a POST's body, or `GET <url>`; `sent`: the whole value)
/// and answers POSTs with a canned status and body text; GETs are answered from `documents`
/// (404 for a URL not in it). An `Err` answer (no answer at all) fails GETs too; `too_large`
/// makes every body over the limit. Every answer says `content_type` (`application/json`).
pub struct FakeTransport {
    pub requests: RefCell<Vec<String>>,
    pub sent: RefCell<Vec<Request>>,
    pub answer: RefCell<core::result::Result<(u16, String), Failure>>,
    pub documents: RefCell<BTreeMap<String, (u16, String)>>,
    pub content_type: RefCell<String>,
    pub too_large: Cell<bool>,
}

impl FakeTransport {
    /// Answers every request with `status` and `body`.
    pub fn answering(status: u16, body: &str) -> Self {
        Self {
            requests: RefCell::default(),
            sent: RefCell::default(),
            answer: RefCell::new(Ok((status, body.into()))),
            documents: RefCell::default(),
            content_type: RefCell::new("application/json".into()),
            too_large: Cell::new(false),
        }
    }

    /// The answer to `request`, recording it: what a driver hands back.
    pub fn answer_to(&self, request: &Request) -> core::result::Result<Response<serde_json::Value>, Failure> {
        self.sent.borrow_mut().push(request.clone());
        let (status, text) = match request.method {
            Method::Post => {
                self.requests.borrow_mut().push(request.body.clone().unwrap_or_default());
                self.answer.borrow().clone()?
            }
            Method::Get => {
                self.requests.borrow_mut().push(crate::text::concat(&["GET ", &request.url]));
                self.answer.borrow().clone()?;
                self.documents.borrow().get(&request.url).cloned().unwrap_or((404, "not found".into()))
            }
        };
        let body = match testing::object(&text) {
            _ if self.too_large.get() => Body::TooLarge,
            Some(object) => Body::Object(object),
            None => Body::NotAnObject,
        };
        Ok(Response { status, headers: alloc::vec![("content-type".into(), self.content_type.borrow().clone())], body })
    }
}

impl Transport for FakeTransport {
    type Json = serde_json::Value;
    async fn send(&self, request: &Request) -> core::result::Result<Response<serde_json::Value>, Failure> {
        self.answer_to(request)
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
