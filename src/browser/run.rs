//! The Rust runner of the session machine (`crate::session`): it performs, with web-sys, the
//! effects an operation asks for and hands back the answers, as the JS runner does in the page.
//! It decides nothing. The Rust `Client` drives its `token()` through it.
use alloc::rc::Rc;
use alloc::string::String;
use core::cell::RefCell;

use super::{locks, shared, BrowserEnv, FetchTransport, HeldRecord, JsJson};
use crate::config::ClientConfig;
use crate::dpop;
use crate::error::{ErrorCode, OAuthError, Result};
use crate::holder;
use crate::platform::Transport;
use crate::session::token::{Context, Effect, Input, Token};
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

/// Where a run stopped: done, or at a lock, which the rest of the run is to hold.
enum Stop {
    Done(String),
    Lock(String),
}

/// What a run needs of the client it runs for.
pub(crate) trait Owner: 'static {
    /// The validated config.
    fn config(&self) -> &ClientConfig;
    /// The token holder.
    fn held(&self) -> &HeldRecord;
    /// The holder changed: tell the listeners.
    fn changed(&self);
}

/// `token()` for the client `owner` (an `Rc`: the run may outlive the call that started it,
/// under its lock): the access token, refreshed when due.
pub(crate) async fn token<O: Owner>(owner: Rc<O>, refused: Option<String>) -> Result<String> {
    let mut op = Token::new(refused);
    let name = match drive(&*owner, &mut op, Input::Start).await? {
        Stop::Done(token) => return Ok(token),
        Stop::Lock(name) => name,
    };
    // The rest of the run holds the lock (Web Locks hand it to a job, released when it ends).
    let slot = Rc::new(RefCell::new(None));
    let out = slot.clone();
    let job = async move {
        let result = match drive(&*owner, &mut op, Input::Locked(true)).await {
            Ok(Stop::Done(token)) => Ok(token),
            Ok(Stop::Lock(_)) => Err(OAuthError::new(ErrorCode::LockFailed, "token() asked for a second lock")),
            Err(error) => Err(error),
        };
        *out.borrow_mut() = Some(result);
        Ok(JsValue::UNDEFINED)
    };
    let _ = JsFuture::from(locks::with_lock(&name, job)).await; // the job never rejects: its result is in `slot`
    let result = slot.borrow_mut().take();
    result.unwrap_or_else(|| Err(holder::lock_failed())) // empty only when the lock was never taken
}

/// Performs `op`'s effects from `input` on, until it is done or asks for a lock.
async fn drive<O: Owner>(owner: &O, op: &mut Token, mut input: Input<JsJson>) -> Result<Stop> {
    let (config, held) = (owner.config(), owner.held());
    let mut dpop = dpop::Session::default(); // the Rust Client signs no proofs yet
    loop {
        let effect = {
            let mut cx = Context { config, dpop: &mut dpop, held, env: &BrowserEnv };
            op.next(&mut cx, input)?
        };
        input = match effect {
            Effect::Done(token) => return Ok(Stop::Done(token)),
            Effect::Lock(name) => return Ok(Stop::Lock(name)),
            Effect::Read => Input::Read(shared::get(held.key()).await.ok()),
            Effect::Swap(expected, record) => {
                Input::Swapped(shared::swap(held.key(), Some(expected.as_deref()), record.as_deref()).await.ok())
            }
            Effect::Send(request) => Input::Answer(FetchTransport.send(&request).await),
            Effect::Post(request) => {
                let _ = FetchTransport.send(&request).await; // best effort: its answer changes nothing
                Input::Sent
            }
            Effect::Sign(_) => return Err(OAuthError::new(ErrorCode::DpopError, "the Rust Client has no DPoP key")),
            Effect::Changed(_) => {
                owner.changed(); // this tab's listeners; the Rust Client tells no other tab yet
                Input::Sent
            }
        };
    }
}
