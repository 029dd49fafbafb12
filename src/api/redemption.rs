//! A callback between its checks and its tokens: the origin-wide mark to claim, then the token
//! request, then its answer. Made by `Core::redeem` only after every check passed and the
//! pending login was consumed.
use alloc::string::String;

use super::{wire, JsResult};
use crate::browser::{set, BrowserEnv};
use crate::config::{ClientConfig, TokenStorage};
use crate::error::{ErrorCode, OAuthError};
use crate::holder;
use crate::steps::{self, PendingLogin};
use js_sys::{Array, Object};
use wasm_bindgen::prelude::*;

/// A checked callback waiting for its mark, then for its token response.
#[wasm_bindgen]
pub struct Redemption {
    config: ClientConfig,
    state: State,
}

/// What the redemption expects next.
enum State {
    /// The outcome of claiming the mark.
    Claim(steps::Redemption),
    /// The token response.
    Answer(PendingLogin),
    /// Nothing: the token request was handed out, or refused.
    Spent,
}

impl Redemption {
    pub(crate) fn new(config: ClientConfig, redemption: steps::Redemption) -> Self {
        Self { config, state: State::Claim(redemption) }
    }
}

#[wasm_bindgen]
impl Redemption {
    /// `[key, expiresAt, now]` of the mark to claim (IndexedDB `add`, in every tab of the origin at once).
    pub fn mark(&self) -> JsValue {
        match &self.state {
            State::Claim(r) => Array::of3(&r.mark.as_str().into(), &r.expires_at.into(), &r.now.into()).into(),
            _ => JsValue::UNDEFINED,
        }
    }

    /// Takes the claim's outcome (true: claimed, false: another tab holds the mark, undefined:
    /// IndexedDB failed) and hands out the token request, once; else throws.
    pub fn claimed(&mut self, outcome: Option<bool>) -> JsResult<JsValue> {
        let State::Claim(redemption) = core::mem::replace(&mut self.state, State::Spent) else {
            return Err(spent().into());
        };
        let claimed = outcome.ok_or_else(super::shared_unavailable)?;
        let (request, login) = redemption.claimed(claimed)?;
        let out = wire::request(&request);
        if self.config.token_storage == TokenStorage::Worker {
            // The worker sends it and checks the answer: it needs the nonce the ID token must carry.
            if let Some(nonce) = login.nonce() {
                set(out.unchecked_ref(), "nonce", &nonce.into());
            }
        }
        self.state = State::Answer(login);
        Ok(out)
    }

    /// Takes the token response: `{ tokens, appState?, record }`, `record` being the holder's new
    /// record, bound to `core`'s DPoP key. With `tokenStorage` "worker" it takes the worker's
    /// answer instead: the record the worker checked and holds, without its refresh token
    /// (`Op::Redeemed`).
    pub fn finish(self, answer: JsValue, core: &super::Core) -> JsResult<JsValue> {
        let State::Answer(login) = self.state else { return Err(spent().into()) };
        let result = if self.config.token_storage == TokenStorage::Worker {
            let tokens = holder::parse(answer.as_string().as_deref(), &BrowserEnv);
            login.finished(tokens.ok_or_else(|| OAuthError::new(ErrorCode::InvalidTokenResponse, "no tokens"))?)
        } else {
            let mut result = steps::end_redemption(&self.config, login, wire::answer(&answer), &BrowserEnv)?;
            result.tokens.jkt = core.key_thumbprint()?;
            result
        };
        let out = Object::new();
        set(&out, "tokens", &wire::token_set(&result.tokens));
        set(&out, "record", &result.tokens.to_json().into());
        if let Some(text) = result.app_state {
            set(&out, "appState", &app_state(text)?);
        }
        Ok(out.into())
    }
}

fn app_state(text: String) -> Result<JsValue, OAuthError> {
    crate::browser::env::json_parse(&text.into()).map_err(|_| {
        OAuthError::new(ErrorCode::TransactionInvalid, "stored appState is not JSON").with_field("appState")
    })
}

fn spent() -> OAuthError {
    OAuthError::new(ErrorCode::InvalidArgument, "this callback was already redeemed")
}
