//! `token()`: the access token `getAccessToken()` and `fetch()` use, refreshed when it is due,
//! as a sans-IO operation. Each call to `Token::next` takes the answer to the last effect and
//! returns the next one, until `Effect::Done`; it never waits and never touches the browser.
//! The rules it holds, once for every runner: the held token while fresh; otherwise under the
//! client's lock (`holder::refresh_lock`), from the record re-read there (another instance or tab
//! may have refreshed it); one retry with a DPoP nonce; the result written only over the record
//! it started from; the lost race's answer; a rotated refresh token nobody will hold revoked.
use alloc::string::String;
use alloc::vec::Vec;

use crate::config::ClientConfig;
use crate::dpop;
use crate::error::{ErrorCode, OAuthError, Result};
use crate::holder::{self, RefreshBasis};
use crate::http::Request;
use crate::json::JsonObject;
use crate::platform::Env;
use crate::steps::{self, Answer};

/// The token holder as the operation reads and writes it where it can do so at once (memory,
/// Web Storage); `shared()` holders keep their authoritative record elsewhere (IndexedDB), which
/// the runner reads and swaps for it (`Effect::Read`, `Effect::Swap`).
pub trait Held {
    /// The record as this tab reads it now.
    fn read(&self) -> Result<Option<String>>;
    /// Writes `record` (`None`: empties it) over `expected`; true when it wrote.
    fn replace(&self, expected: Option<&str>, record: Option<&str>) -> Result<bool>;
    /// True when the authoritative record is the runner's to read and swap.
    fn shared(&self) -> bool;
    /// Makes this tab's copy of a shared record `record`.
    fn mirror(&self, record: Option<&str>) -> Result<()>;
}

/// What the operation needs next.
#[derive(Debug)]
pub enum Effect {
    /// Take this Web Lock, held until the operation ends; answer `Input::Locked`.
    Lock(String),
    /// Read the shared record; answer `Input::Read`.
    Read,
    /// Sign this DPoP proof input with the client's key; answer `Input::Signed`.
    Sign(String),
    /// Send this request; answer `Input::Answer`.
    Send(Request),
    /// Send this request and answer `Input::Sent` without waiting for it (a best-effort revocation).
    Post(Request),
    /// Compare-and-set the shared record: `record` (`None`: empty) over `expected`; answer `Input::Swapped`.
    Swap(Option<String>, Option<String>),
    /// The holder changed: tell the listeners (and, `true`, the other tabs); answer `Input::Sent`.
    Changed(bool),
    /// The access token.
    Done(String),
}

/// The answer to the last effect.
#[derive(Debug)]
pub enum Input<J> {
    /// The first call.
    Start,
    /// The lock was taken (`false`: it could not be).
    Locked(bool),
    /// The shared record (`None`: the read failed).
    Read(Option<Option<String>>),
    /// The signature of the input (JWS's `r || s`).
    Signed(Vec<u8>),
    /// What came back for the request.
    Answer(Answer<J>),
    /// The outcome of the swap (`None`: it failed).
    Swapped(Option<bool>),
    /// Done as asked.
    Sent,
}

/// What an operation awaits: the kind of `Input` its next step takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Awaits {
    /// `Input::Start`.
    Start,
    /// `Input::Locked`.
    Lock,
    /// `Input::Read`.
    Read,
    /// `Input::Signed`.
    Signature,
    /// `Input::Answer`.
    Answer,
    /// `Input::Swapped`.
    Swap,
    /// `Input::Sent`.
    Nothing,
}

/// One `token()` call, named for what it waits for next.
#[derive(Debug)]
pub struct Token {
    refused: Option<String>,
    stage: Stage,
}

#[derive(Debug, Default)]
enum Stage {
    #[default]
    Start,
    Locking,
    Reading,
    Signing(Refresh, String),
    Answering(Refresh),
    Swapping(Refresh, Result<crate::token::TokenSet>, Option<String>),
    Resyncing(Refresh, Result<crate::token::TokenSet>),
    Telling(Result<String>),
    Ended,
}

/// The refresh in flight: the record it started from, its token and request, whether it was retried.
#[derive(Debug)]
struct Refresh {
    start: Option<String>,
    token: String,
    request: Request,
    retried: bool,
}

/// What `next` works with: the client's config, DPoP state, holder and environment.
pub struct Context<'a, H: Held, E: Env> {
    /// The validated config.
    pub config: &'a ClientConfig,
    /// The DPoP key, nonces and clocks.
    pub dpop: &'a mut dpop::Session,
    /// The token holder.
    pub held: &'a H,
    /// Clock, randomness, JSON.
    pub env: &'a E,
}

impl Token {
    /// A `token()` call; an access token a resource server `refused` is refreshed even if fresh.
    pub fn new(refused: Option<String>) -> Self {
        Self { refused, stage: Stage::Start }
    }

    /// What the next step takes.
    pub fn awaits(&self) -> Awaits {
        match self.stage {
            Stage::Start => Awaits::Start,
            Stage::Locking => Awaits::Lock,
            Stage::Reading | Stage::Resyncing(..) => Awaits::Read,
            Stage::Signing(..) => Awaits::Signature,
            Stage::Answering(..) => Awaits::Answer,
            Stage::Swapping(..) => Awaits::Swap,
            Stage::Telling(_) | Stage::Ended => Awaits::Nothing,
        }
    }

    /// Takes the answer to the last effect and returns the next one; an error ends the operation.
    pub fn next<H: Held, E: Env, J: JsonObject>(
        &mut self,
        cx: &mut Context<'_, H, E>,
        input: Input<J>,
    ) -> Result<Effect> {
        let stage = core::mem::replace(&mut self.stage, Stage::Ended);
        match (stage, input) {
            (Stage::Start, Input::Start) => {
                if let Some(token) = self.fresh(cx, cx.held.read()?.as_deref())? {
                    return Ok(Effect::Done(token));
                }
                match holder::refresh_lock(cx.config) {
                    Some(name) => self.wait(Stage::Locking, Effect::Lock(name)),
                    None => self.reread(cx),
                }
            }
            (Stage::Locking, Input::Locked(true)) => self.reread(cx),
            (Stage::Locking, Input::Locked(false)) => Err(holder::lock_failed()),
            (Stage::Reading, Input::Read(outcome)) => {
                let record = outcome.ok_or_else(shared_unavailable)?;
                cx.held.mirror(record.as_deref())?;
                self.refresh_from(cx, record)
            }
            (Stage::Signing(mut refresh, input), Input::Signed(signature)) => {
                let proof = dpop::proof(&input, &signature)?;
                refresh.request.headers.retain(|(name, _)| *name != "dpop"); // the first try's
                refresh.request.headers.push(("dpop", proof));
                let request = refresh.request.clone();
                self.wait(Stage::Answering(refresh), Effect::Send(request))
            }
            (Stage::Answering(refresh), Input::Answer(answer)) => self.answered(cx, refresh, answer),
            (Stage::Swapping(refresh, result, record), Input::Swapped(outcome)) => {
                if !outcome.ok_or_else(shared_unavailable)? {
                    return self.wait(Stage::Resyncing(refresh, result), Effect::Read);
                }
                cx.held.mirror(record.as_deref())?;
                self.tell(cx, refresh, result, true)
            }
            (Stage::Resyncing(refresh, result), Input::Read(outcome)) => {
                cx.held.mirror(outcome.ok_or_else(shared_unavailable)?.as_deref())?;
                self.tell(cx, refresh, result, false)
            }
            (Stage::Telling(result), Input::Sent) => result.map(Effect::Done),
            _ => Err(OAuthError::new(ErrorCode::InvalidArgument, "token(): an answer it did not ask for")),
        }
    }

    fn wait(&mut self, stage: Stage, effect: Effect) -> Result<Effect> {
        self.stage = stage;
        Ok(effect)
    }

    /// The access token of `record` while fresh and not refused.
    fn fresh<H: Held, E: Env>(&self, cx: &Context<'_, H, E>, record: Option<&str>) -> Result<Option<String>> {
        holder::fresh_access_token(cx.config, record, self.refused.as_deref(), cx.env)
    }

    /// Under the lock: the authoritative record, read again.
    fn reread<H: Held, E: Env>(&mut self, cx: &mut Context<'_, H, E>) -> Result<Effect> {
        if cx.held.shared() {
            return self.wait(Stage::Reading, Effect::Read);
        }
        let record = cx.held.read()?;
        self.refresh_from(cx, record)
    }

    /// Refreshes the record `start` unless it is fresh by now.
    fn refresh_from<H: Held, E: Env>(&mut self, cx: &mut Context<'_, H, E>, start: Option<String>) -> Result<Effect> {
        if let Some(token) = self.fresh(cx, start.as_deref())? {
            return Ok(Effect::Done(token));
        }
        let token = holder::refresh_token(start.as_deref(), cx.env)?;
        let request = steps::refresh_request(cx.config, &token)?;
        self.send(cx, Refresh { start, token, request, retried: false })
    }

    /// Sends the refresh, signed first when the client uses DPoP.
    fn send<H: Held, E: Env>(&mut self, cx: &mut Context<'_, H, E>, refresh: Refresh) -> Result<Effect> {
        if !cx.config.dpop {
            let request = refresh.request.clone();
            return self.wait(Stage::Answering(refresh), Effect::Send(request));
        }
        let mut jti = [0u8; 16];
        cx.env.random(&mut jti)?;
        let input = cx.dpop.proof_input("POST", &refresh.request.url, None, jti, cx.env.now())?;
        self.wait(Stage::Signing(refresh, input.clone()), Effect::Sign(input))
    }

    /// The token endpoint's answer: once more with its nonce, or the result written over `start`.
    fn answered<H: Held, E: Env, J: JsonObject>(
        &mut self,
        cx: &mut Context<'_, H, E>,
        mut refresh: Refresh,
        answer: Answer<J>,
    ) -> Result<Effect> {
        if let Ok(response) = &answer {
            let url = refresh.request.url.clone();
            if cx.config.dpop && cx.dpop.observe(&url, response, cx.env.now(), refresh.retried) {
                refresh.retried = true;
                return self.send(cx, refresh);
            }
        }
        let basis = RefreshBasis::new(refresh.start.as_deref(), &refresh.token, cx.env);
        let mut result = steps::refresh_response(cx.config, &refresh.token, basis.login(), answer, cx.env);
        if let Ok(tokens) = &mut result {
            tokens.jkt = cx.dpop.key_thumbprint(); // what they are bound to
        }
        let Some(record) = basis.write(&result) else { return self.tell(cx, refresh, result, false) };
        if cx.held.shared() {
            let swap = Effect::Swap(refresh.start.clone(), record.clone());
            return self.wait(Stage::Swapping(refresh, result, record), swap);
        }
        let wrote = cx.held.replace(refresh.start.as_deref(), record.as_deref())?;
        self.tell(cx, refresh, result, wrote)
    }

    /// The end: listeners told of a write, or a rotated refresh token nobody holds revoked; then
    /// the new access token, or what the holder holds now when the race was lost.
    fn tell<H: Held, E: Env>(
        &mut self,
        cx: &mut Context<'_, H, E>,
        refresh: Refresh,
        result: Result<crate::token::TokenSet>,
        wrote: bool,
    ) -> Result<Effect> {
        if wrote {
            let token = result.map(|tokens| tokens.access_token); // an emptied holder: the error
            return self.wait(Stage::Telling(token), Effect::Changed(cx.held.shared()));
        }
        let tokens = result?;
        let now = holder::after_lost_race(cx.config, cx.held.read()?.as_deref(), cx.env);
        let rotated = tokens.refresh_token.as_deref().is_some_and(|t| t != refresh.token);
        match crate::session::orphaned(cx.config, &tokens)? {
            Some(revocation) if rotated => self.wait(Stage::Telling(now), Effect::Post(revocation)),
            _ => now.map(Effect::Done),
        }
    }
}

fn shared_unavailable() -> OAuthError {
    OAuthError::new(ErrorCode::StorageUnavailable, "IndexedDB is disabled, missing or full")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{self, TokenStorage};
    use crate::fakes::FakeEnv;
    use crate::http::{Body, Response};
    use core::cell::RefCell;

    /// A holder in memory; `shared` makes the runner read and swap it.
    #[derive(Default)]
    struct Memory {
        record: RefCell<Option<String>>,
        shared: bool,
    }

    impl Held for Memory {
        fn read(&self) -> Result<Option<String>> {
            Ok(self.record.borrow().clone())
        }
        fn replace(&self, expected: Option<&str>, record: Option<&str>) -> Result<bool> {
            if self.record.borrow().as_deref() != expected {
                return Ok(false);
            }
            *self.record.borrow_mut() = record.map(String::from);
            Ok(true)
        }
        fn shared(&self) -> bool {
            self.shared
        }
        fn mirror(&self, record: Option<&str>) -> Result<()> {
            *self.record.borrow_mut() = record.map(String::from);
            Ok(())
        }
    }

    fn record(access: &str, refresh: &str, expires_at: u64) -> String {
        format!(
            r#"{{"accessToken":"{access}","tokenType":"Bearer","expiresAt":{expires_at},"refreshToken":"{refresh}"}}"#
        )
    }

    fn answer(status: u16, body: &str) -> Input<serde_json::Value> {
        let body = crate::json::testing::object(body).map_or(Body::NotAnObject, Body::Object);
        Input::Answer(Ok(Response { status, headers: vec![("content-type".into(), "application/json".into())], body }))
    }

    /// Drives `token()` as a runner would, answering each effect from `answers` in turn; returns
    /// the effects seen and the result.
    fn drive(
        config: &ClientConfig,
        held: &Memory,
        env: &FakeEnv,
        answers: Vec<Input<serde_json::Value>>,
    ) -> (Vec<String>, Result<String>) {
        let mut dpop = dpop::Session::default();
        let mut cx = Context { config, dpop: &mut dpop, held, env };
        let mut op = Token::new(None);
        let (mut seen, mut answers) = (Vec::new(), answers.into_iter());
        let mut input = Input::Start;
        loop {
            match op.next(&mut cx, input) {
                Ok(Effect::Done(token)) => return (seen, Ok(token)),
                Ok(effect) => seen.push(format!("{effect:?}").split(['(', ' ']).next().unwrap().to_string()),
                Err(error) => return (seen, Err(error)),
            }
            input = answers.next().unwrap_or(Input::Sent);
        }
    }

    #[test]
    fn a_fresh_token_needs_nothing_and_a_due_one_is_refreshed_under_the_lock_from_a_reread_record() {
        let (mut config, env) = (config::sample(), FakeEnv::default());
        let now = (env.now.get() / 1000.0) as u64;
        let held = Memory { record: RefCell::new(Some(record("at", "rt", now + 3600))), shared: false };
        assert_eq!(drive(&config, &held, &env, vec![]), (vec![], Ok("at".into())), "fresh: no effect at all");

        config.token_storage = TokenStorage::Session;
        *held.record.borrow_mut() = Some(record("old", "rt", now));
        let fresh = r#"{"access_token":"new","token_type":"Bearer","expires_in":3600,"refresh_token":"rt2"}"#;
        let (seen, token) = drive(&config, &held, &env, vec![Input::Locked(true), answer(200, fresh)]);
        assert_eq!((seen, token.unwrap()), (vec!["Lock".into(), "Send".into(), "Changed".into()], "new".into()));
        assert!(held.read().unwrap().unwrap().contains("\"rt2\""), "written over what it started from");
    }

    #[test]
    fn another_instance_refreshed_first_so_under_the_lock_nothing_is_sent() {
        let (mut config, env) = (config::sample(), FakeEnv::default());
        config.token_storage = TokenStorage::Local;
        let now = (env.now.get() / 1000.0) as u64;
        let held = Memory { record: RefCell::new(Some(record("old", "rt", now))), shared: true };
        let theirs = record("theirs", "rt+", now + 3600);
        let (seen, token) = drive(&config, &held, &env, vec![Input::Locked(true), Input::Read(Some(Some(theirs)))]);
        assert_eq!((seen, token.unwrap()), (vec!["Lock".into(), "Read".into()], "theirs".into()));
        *held.record.borrow_mut() = Some(record("old", "rt", now));
        let (_, failed) = drive(&config, &held, &env, vec![Input::Locked(false)]);
        assert_eq!(failed.unwrap_err().code, ErrorCode::LockFailed);
        let (_, failed) = drive(&config, &held, &env, vec![Input::Locked(true), Input::Read(None)]);
        assert_eq!(failed.unwrap_err().code, ErrorCode::StorageUnavailable);
    }

    #[test]
    fn a_lost_race_with_a_rotated_token_revokes_it_and_answers_from_the_holder() {
        let (mut config, env) = (config::sample(), FakeEnv::default());
        config.revocation_endpoint = Some("https://as.example/revoke".into());
        let now = (env.now.get() / 1000.0) as u64;
        let held = Memory { record: RefCell::new(Some(record("old", "rt", now))), shared: false };
        let mut dpop = dpop::Session::default();
        let mut cx = Context { config: &config, dpop: &mut dpop, held: &held, env: &env };
        let mut op = Token::new(None);
        let Effect::Send(_) = op.next::<_, _, serde_json::Value>(&mut cx, Input::Start).unwrap() else { panic!() };
        *held.record.borrow_mut() = None; // logout() while the refresh was at the server
        let rotated = r#"{"access_token":"new","token_type":"Bearer","refresh_token":"rt2"}"#;
        let Effect::Post(revocation) = op.next(&mut cx, answer(200, rotated)).unwrap() else { panic!() };
        assert_eq!(revocation.body.as_deref(), Some("token=rt2&token_type_hint=refresh_token&client_id=spa"));
        let error = op.next::<_, _, serde_json::Value>(&mut cx, Input::Sent).unwrap_err();
        assert_eq!(error.code, ErrorCode::LoginRequired, "nothing is held now");
        assert_eq!(held.read().unwrap(), None, "and nothing was stored");
    }

    #[test]
    fn invalid_grant_empties_the_holder_and_an_unasked_answer_is_refused() {
        let (config, env) = (config::sample(), FakeEnv::default());
        let now = (env.now.get() / 1000.0) as u64;
        let held = Memory { record: RefCell::new(Some(record("old", "rt", now))), shared: false };
        let (seen, result) = drive(&config, &held, &env, vec![answer(400, r#"{"error":"invalid_grant"}"#)]);
        assert_eq!(seen, vec!["Send".to_string(), "Changed".into()], "the listeners hear of the emptied holder");
        assert_eq!(result.unwrap_err().error.as_deref(), Some("invalid_grant"));
        assert_eq!(held.read().unwrap(), None);
        let mut dpop = dpop::Session::default();
        let mut cx = Context { config: &config, dpop: &mut dpop, held: &held, env: &env };
        let error = Token::new(None).next::<_, _, serde_json::Value>(&mut cx, Input::Sent).unwrap_err();
        assert_eq!(error.code, ErrorCode::InvalidArgument);
    }
}
