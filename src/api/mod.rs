//! The wasm side of the JS API (feature `js`, the npm build): the synchronous halves that the
//! package's JS driver (`js/pkce_wasm.js`) calls around every wait. `Core` is one client's
//! config and token holder; `Redemption` and `Discovery` are the two multi-step operations. The
//! driver only performs what these return (a request to send, a mark to claim, a record to
//! swap) and hands back what came in; every check, error and decision is made here, in the core.
use alloc::string::String;
use core::cell::RefCell;

use crate::browser::navigation;
use crate::browser::{set, BrowserEnv, HeldRecord, JsJson, WebStore};
use crate::callback;
use crate::config::{ClientConfig, TokenStorage};
use crate::dpop;
use crate::error::{ErrorCode, OAuthError};
use crate::holder;
use crate::http::Response;
use crate::json::{JsonField, JsonObject};
use crate::pkce;
use crate::platform::Env;
use crate::session;
use crate::steps;
use crate::userinfo;
use js_sys::Object;
use wasm_bindgen::prelude::*;

mod discovery;
mod read;
mod redemption;
mod wire;

use read::{argument, optional_argument, read_config, read_logout, read_options};
pub use redemption::Redemption;

#[wasm_bindgen(module = "/js/oauth_error.js")]
extern "C" {
    #[wasm_bindgen(js_name = OAuthError)]
    type JsOAuthError;
    #[wasm_bindgen(constructor, js_class = "OAuthError")]
    fn new(
        code: &str,
        message: &str,
        error: Option<String>,
        description: Option<String>,
        uri: Option<String>,
        status: Option<u16>,
        field: Option<&str>,
    ) -> JsOAuthError;
}

impl From<OAuthError> for JsValue {
    fn from(e: OAuthError) -> Self {
        let e = *e.into_info();
        JsOAuthError::new(e.code.as_str(), e.message, e.error, e.error_description, e.error_uri, e.status, e.field)
            .into()
    }
}

type JsResult<T> = Result<T, JsValue>;

/// One client's validated config and token holder (the JS `PkceClient`'s wasm half).
#[wasm_bindgen]
pub struct Core {
    stage: RefCell<Stage>,
}

/// What a `Core` expects next.
enum Stage {
    /// Its issuer's metadata (`PkceClient.discover`): the answers to `Op::DiscoveryRequest`.
    Discovering(alloc::boxed::Box<discovery::Lookup>),
    /// Calls: a validated client.
    Ready(alloc::boxed::Box<Holder>),
    /// Nothing: `free()` was called.
    Freed,
}

/// The config, the holder's record and the DPoP state.
struct Holder {
    config: ClientConfig,
    held: HeldRecord,
    dpop: RefCell<dpop::Session>,
    epoch: session::Epoch,
}

impl Holder {
    /// The holder of a client with `config`; `invalid_config` unless it validates.
    fn new(config: ClientConfig) -> Result<Self, OAuthError> {
        config.validate()?;
        let held = HeldRecord::new(&config);
        Ok(Self { config, held, dpop: RefCell::default(), epoch: session::Epoch::default() })
    }
}

/// The operations of `Core::call`, one per step the JS driver takes (js/pkce_wasm.js). Each
/// runs the `Core` method of the same name with the arguments shown, in `call`'s `a`, `b`, `c`.
#[wasm_bindgen]
#[derive(Clone, Copy, Debug)]
pub enum Op {
    /// `authorizeUrl(options)`.
    AuthorizeUrl,
    /// `login(options, popup)`: the authorize URL to go to, or `[request, state]` to push first;
    /// with `popup` (`loginPopup`'s options: `popupRedirectUri`, `timeout`) always
    /// `[url or request, state, timeout in ms]`.
    Login,
    /// `pushed(state, answer)`: the front-channel URL of a pushed login.
    Pushed,
    /// `isCallback(url)`.
    IsCallback,
    /// `redeem(url)`: a `Redemption`.
    Redeem,
    /// `tokens()`.
    Tokens,
    /// `held()`: the record as this tab reads it synchronously.
    Held,
    /// `fresh(record, refused)`.
    Fresh,
    /// `refreshTokenOf(record)`.
    RefreshTokenOf,
    /// `lostRace(record)`.
    LostRace,
    /// `refreshRequest(token)`.
    RefreshRequest,
    /// `refreshed(start, token, answer)`.
    Refreshed,
    /// `shared()`: in `local` mode the key of the record every tab shares (IndexedDB); else undefined.
    Shared,
    /// `lock()`: the Web Lock a refresh runs under (`holder::refresh_lock`); undefined for none.
    Lock,
    /// `adopt(outcome)`.
    Adopt,
    /// `swapped(outcome, record)`.
    Swapped,
    /// `replace(expected, record)`.
    Replace,
    /// `clear()`.
    Clear,
    /// `revokeRequest(token, hint)`.
    RevokeRequest,
    /// `revoked(answer)`.
    Revoked,
    /// `logoutUrl(options)`.
    LogoutUrl,
    /// `signOut(options, record)`.
    SignOut,
    /// `lockFailed()`: the error for a Web Lock that cannot be taken.
    LockFailed,
    /// `assign(url)`: `location.assign`.
    Assign,
    /// `discoveryRequest()`: the metadata request to send next; undefined once the client is ready.
    DiscoveryRequest,
    /// `discoveryRead(answer)`: takes its answer; throws when discovery failed.
    DiscoveryRead,
    /// `keyName()`: where the DPoP key pair is kept (IndexedDB); undefined without `dpop`.
    KeyName,
    /// `setKey(x, y, key)`: the DPoP public key's JWK coordinates (none: forget it), and `key`:
    /// whether IndexedDB keeps it and what WebCrypto says of its private key, as the text
    /// `"{kept} {extractable} {algorithm.name} {algorithm.namedCurve} {usages}"` (none in the
    /// worker: the page checked it); a key this client would not make, and anything else, is
    /// `dpop_error`. True when the held tokens are bound to another key (drop them).
    SetKey,
    /// `proofInput(method, url, accessToken)`: what to sign for a request's DPoP proof; undefined
    /// when the request needs none.
    ProofInput,
    /// `proof(input, signature)`: the `DPoP` header.
    Proof,
    /// `observe(url, answer, retried)`: true when the request is to be sent again with a nonce.
    Observe,
    /// `destination(url, input)`: the token's scheme for a `fetch()` to `url` (undefined: the
    /// browser refused to make a request of `input`); `untrusted_destination`.
    Destination,
    /// `resourced(url, answer, tried)`: "nonce" or "refresh" when a resource request is to be
    /// sent again for that reason (none of `tried` yet), else undefined.
    Resourced,
    /// `identity()`: the holder's key, which names this client (client id, issuer, token
    /// endpoint) for what the driver shares between the page's instances of it.
    Identity,
    /// `free()`: releases the client's config and tokens; every later step is
    /// `invalid_argument`. The `Core` object itself stays valid until it is collected, so a call
    /// after `free()` never reaches wasm with a null pointer.
    Free,
    /// `popupFailed(why)`: the error ending a `loginPopup()`: "blocked", "closed", else timed out.
    PopupFailed,
    /// `abandon(state)`: removes the pending login of a popup that ended without a callback.
    Abandon,
    /// `userinfoRequest(accessToken)`: the UserInfo request.
    UserinfoRequest,
    /// `userinfo(answer)`: its claims, once `sub` is the held ID token's.
    Userinfo,
    /// `worker(available)`: true when this client's token requests run in its worker
    /// (`tokenStorage` "worker"); `browser_required` then unless a module `Worker` is `available`.
    Worker,
    /// `settings()`: the config of the worker's own `Core` (js/worker.js), as JSON text: what its
    /// requests and checks need of this client's (`ClientConfig::worker_settings`), its holder in
    /// the worker's memory.
    Settings,
    /// `redeemed(answer, nonce)`, in the worker: checks a code exchange's answer (the ID token
    /// against `nonce`), holds its tokens, and returns the record without its refresh token.
    Redeemed,
    /// `public(record)`, in the worker: `record` without its refresh token (what the page may hold).
    Public,
}

#[wasm_bindgen]
impl Core {
    /// Validates `config`; throws `OAuthError` `invalid_config`. Touches no storage.
    #[wasm_bindgen(constructor)]
    pub fn new(config: JsValue) -> JsResult<Core> {
        Ok(Self::wrap(read_config(&config, true)?)?)
    }

    /// A `Core` that first needs `issuer`'s metadata (none when cached): reads the config
    /// without endpoints and the issuer now; `Op::DiscoveryRequest`/`Op::DiscoveryRead` follow.
    pub fn discovering(issuer: JsValue, config: JsValue) -> JsResult<Core> {
        let stage = match discovery::Lookup::start(&read::argument(&issuer, "issuer")?, read_config(&config, false)?)? {
            Ok(config) => Stage::Ready(alloc::boxed::Box::new(Holder::new(config)?)),
            Err(lookup) => Stage::Discovering(alloc::boxed::Box::new(lookup)),
        };
        Ok(Self { stage: RefCell::new(stage) })
    }

    /// Runs the synchronous step `op` with its arguments `a`, `b`, `c` (named at each `Op`): one
    /// coarse export instead of one per step, so the binding code is written once. The steps of
    /// a page's start, sign-in and callback are here, the others in `call_later`.
    pub fn call(&self, op: Op, a: JsValue, b: JsValue, c: JsValue) -> JsResult<JsValue> {
        Ok(match op {
            Op::AuthorizeUrl => self.authorize_url(a)?,
            Op::Login => self.login(a, b.as_bool() == Some(true))?,
            Op::IsCallback => self.is_callback(a)?.into(),
            Op::Redeem => self.redeem(a)?.into(),
            Op::Tokens => self.tokens()?,
            Op::Held => self.held()?.into(),
            Op::Fresh => self.fresh(a.as_string(), b.as_string())?.into(),
            Op::Shared => self.shared()?.into(),
            Op::Swapped => self.swapped(a.as_bool(), b.as_string())?.into(),
            Op::Replace => self.replace(a, b.as_string())?.into(),
            Op::Assign => navigation::assign(&text(&a)).map(|()| JsValue::UNDEFINED)?,
            Op::DiscoveryRequest => match &*self.stage.try_borrow().map_err(|_| freed())? {
                Stage::Discovering(lookup) => lookup.request(),
                _ => JsValue::UNDEFINED,
            },
            Op::DiscoveryRead => {
                let mut stage = self.stage.try_borrow_mut().map_err(|_| freed())?;
                if let Stage::Discovering(lookup) = &mut *stage {
                    if let Some(config) = lookup.read(a)? {
                        *stage = Stage::Ready(alloc::boxed::Box::new(Holder::new(config)?));
                    }
                }
                JsValue::UNDEFINED
            }
            Op::KeyName => self.key_name()?.into(),
            Op::Identity => JsValue::from(self.inner()?.held.key()),
            Op::Worker => self.worker(a.is_truthy())?.into(),
            _ => return self.call_later(op, a, b, c),
        })
    }
}

impl Core {
    /// `call`'s other steps (pushing, refreshing, revoking, logging out, DPoP proofs, popups,
    /// UserInfo, the worker's): a function of its own, so the first calls of a sign-in or
    /// callback page compile (browsers compile wasm functions lazily, on first use) only `call`.
    #[inline(never)]
    fn call_later(&self, op: Op, a: JsValue, b: JsValue, c: JsValue) -> JsResult<JsValue> {
        Ok(match op {
            Op::Pushed => self.pushed(&text(&a), &b)?.into(),
            Op::RefreshTokenOf => self.refresh_token_of(a.as_string())?.into(),
            Op::LostRace => self.lost_race(a.as_string())?.into(),
            Op::RefreshRequest => self.refresh_request(a)?,
            Op::Refreshed => self.refreshed(a.as_string(), &text(&b), c)?,
            Op::Lock => holder::refresh_lock(&self.inner()?.config).into(),
            Op::Adopt => self.adopt(a)?.into(),
            Op::Clear => self.clear().map(|()| JsValue::UNDEFINED)?,
            Op::RevokeRequest => self.revoke_request(a, b)?,
            Op::Revoked => self.revoked(a).map(|()| JsValue::UNDEFINED)?,
            Op::LogoutUrl => self.logout_url(a)?.into(),
            Op::SignOut => self.sign_out(a, b.as_string())?,
            Op::LockFailed => holder::lock_failed().into(),
            Op::SetKey => self.set_key(a, b, &c)?.into(),
            Op::ProofInput => self.proof_input(a, b, c)?.into(),
            Op::Proof => self.proof(a, b)?.into(),
            Op::Observe => self.observe(a, b, c.as_bool() == Some(true))?.into(),
            Op::Destination => self.destination(a, &b)?.into(),
            Op::Resourced => self.resourced(a, b, c)?,
            Op::PopupFailed => popup_failed(a.as_string().as_deref()).into(),
            Op::Abandon => {
                steps::abandon(&self.inner()?.config, &text(&a), &WebStore::session()?)?;
                JsValue::UNDEFINED
            }
            Op::UserinfoRequest => {
                wire::request(&userinfo::request(&self.inner()?.config, &argument(&a, "accessToken")?)?)
            }
            Op::Userinfo => self.userinfo(&a)?,
            Op::Settings => self.inner()?.config.worker_settings().into(),
            Op::Redeemed => self.redeemed(a, b.as_string())?.into(),
            Op::Public => public(a.as_string()).into(),
            Op::Free => {
                if let Ok(mut stage) = self.stage.try_borrow_mut() {
                    *stage = Stage::Freed;
                }
                JsValue::UNDEFINED
            }
            _ => JsValue::UNDEFINED, // `call` ran it
        })
    }

    /// Creates verifier, challenge and state, stores the pending login, returns the
    /// front-channel authorize URL; `par_required` when the client must push.
    pub fn authorize_url(&self, options: JsValue) -> JsResult<JsValue> {
        self.start_login(options, false, false) // never pushed: a string
    }

    /// A login (`popup`: `loginPopup`'s, which may name its own redirect page): the authorize
    /// URL to go to, or `[request, state]` when it is pushed first.
    pub fn login(&self, options: JsValue, popup: bool) -> JsResult<JsValue> {
        self.start_login(options, true, popup)
    }

    /// `steps::start_login` (one call for both, `push` only for `login`).
    fn start_login(&self, options: JsValue, push: bool, popup: bool) -> JsResult<JsValue> {
        let inner = self.inner()?;
        let (params, app_state) = read_options(&options, popup)?;
        let wait = if popup { read::popup_timeout(&options)? } else { 0.0 };
        let jkt = inner.dpop.borrow().thumbprint();
        let store = WebStore::session()?;
        let (next, state) =
            match steps::start_login(&inner.config, &params, app_state, push, jkt.as_deref(), &store, &BrowserEnv)? {
                steps::Start::Navigate(url, _) if !popup => return Ok(url.into()),
                steps::Start::Navigate(url, state) => (url.into(), state),
                steps::Start::Push(request, state) => (wire::request(&request), state),
            };
        let out = js_sys::Array::of2(&next, &state.into());
        if popup {
            out.push(&wait.into());
        }
        Ok(out.into())
    }

    /// A pushed login's answer: the URL to go to; on failure its pending login is removed.
    pub fn pushed(&self, state: &str, answer: &JsValue) -> JsResult<String> {
        Ok(steps::pushed(&self.inner()?.config, state, wire::answer(answer), &WebStore::session()?)?)
    }

    /// True when `url` (default `location.href`) is a response on the redirect URI.
    pub fn is_callback(&self, url: JsValue) -> JsResult<bool> {
        let inner = self.inner()?;
        let href = match optional_argument(&url, "url")? {
            Some(href) => href,
            None => navigation::current_href()?,
        };
        Ok(callback::is_callback(&inner.config, &href))
    }

    /// The callback's first half: the address bar cleaned, every check passed and the pending
    /// login consumed; the token request waits behind `Redemption::claimed`.
    #[inline(never)] // its own function: only a callback compiles it
    pub fn redeem(&self, url: JsValue) -> JsResult<Redemption> {
        let url = optional_argument(&url, "url")?;
        let inner = self.inner()?;
        let href = navigation::callback_href(url)?;
        let redemption = steps::begin_redemption(&inner.config, &href, &WebStore::session()?, &BrowserEnv)?;
        Ok(Redemption::new(inner.config.clone(), redemption, inner.epoch.clone()))
    }

    /// The held `TokenSet`, or `undefined`.
    pub fn tokens(&self) -> JsResult<JsValue> {
        let tokens = holder::parse(self.held()?.as_deref(), &BrowserEnv);
        Ok(tokens.map_or(JsValue::UNDEFINED, |t| wire::token_set(&t)))
    }

    /// The holder's record as this tab reads it synchronously (`localStorage`'s copy in `local` mode).
    pub fn held(&self) -> JsResult<Option<String>> {
        Ok(self.inner()?.held.read()?)
    }

    /// The access token of `record` while fresh and not `refused`; `undefined` when a refresh is
    /// due; `login_required`.
    pub fn fresh(&self, record: Option<String>, refused: Option<String>) -> JsResult<Option<String>> {
        Ok(holder::fresh_access_token(&self.inner()?.config, record.as_deref(), refused.as_deref(), &BrowserEnv)?)
    }

    /// The refresh token of `record`; `login_required` without one.
    pub fn refresh_token_of(&self, record: Option<String>) -> JsResult<String> {
        Ok(holder::refresh_token(record.as_deref(), &BrowserEnv)?)
    }

    /// After a refresh the holder did not take: the fresh access token it holds now, or `login_required`.
    pub fn lost_race(&self, record: Option<String>) -> JsResult<String> {
        Ok(holder::after_lost_race(&self.inner()?.config, record.as_deref(), &BrowserEnv)?)
    }

    /// A refresh's request; `invalid_argument` unless `token` is a non-empty string, and in the
    /// page of a `worker` client, whose refresh token only its worker knows.
    pub fn refresh_request(&self, token: JsValue) -> JsResult<JsValue> {
        let token = argument(&token, "refreshToken")?;
        let inner = self.inner()?;
        if inner.config.token_storage == TokenStorage::Worker {
            return Err(OAuthError::new(ErrorCode::InvalidArgument, "the worker holds the refresh token")
                .with_field("refreshToken")
                .into());
        }
        Ok(wire::request(&steps::refresh_request(&inner.config, &token)?))
    }

    /// A refresh's answer, for a refresh with `token` that started while the holder held
    /// `start`: `{ tokens | error, write, record }`, where `write` says whether the holder takes
    /// `record` (undefined: empties it) over `start`.
    pub fn refreshed(&self, start: Option<String>, token: &str, answer: JsValue) -> JsResult<JsValue> {
        let inner = self.inner()?;
        let basis = holder::RefreshBasis::new(start.as_deref(), token, &BrowserEnv);
        let mut result =
            steps::refresh_response(&inner.config, token, basis.login(), wire::answer(&answer), &BrowserEnv);
        if let Ok(tokens) = &mut result {
            tokens.jkt = self.key_thumbprint()?;
        }
        let out = Object::new();
        if let Some(record) = basis.write(&result) {
            set(&out, "write", &JsValue::TRUE);
            if let Some(record) = record {
                set(&out, "record", &record.into());
            }
        }
        match result {
            Ok(tokens) => set(&out, "tokens", &wire::token_set(&tokens)),
            Err(error) => set(&out, "error", &error.into()),
        }
        Ok(out.into())
    }

    /// In `local` mode, the key of the record every tab shares (IndexedDB); else none.
    pub fn shared(&self) -> JsResult<Option<String>> {
        let inner = self.inner()?;
        Ok((inner.config.token_storage == TokenStorage::Local).then(|| inner.held.key().into()))
    }

    /// Takes the shared record as read from IndexedDB (a string, `null` for none, `undefined`
    /// when the read failed: `storage_unavailable`) and makes `localStorage`'s copy match it.
    pub fn adopt(&self, outcome: JsValue) -> JsResult<Option<String>> {
        if outcome.is_undefined() {
            return Err(shared_unavailable().into());
        }
        let record = outcome.as_string();
        self.mirror(record.as_deref())?;
        Ok(record)
    }

    /// Takes the outcome of a compare-and-set on the shared record (true: it wrote `record`,
    /// false: the record had moved on, undefined: `storage_unavailable`); mirrors a write.
    pub fn swapped(&self, outcome: Option<bool>, record: Option<String>) -> JsResult<bool> {
        let wrote = outcome.ok_or_else(shared_unavailable)?;
        if wrote {
            self.mirror(record.as_deref())?;
        }
        Ok(wrote)
    }

    /// In `memory` and `session` mode: writes `record` (undefined: empties the holder) when the
    /// holder holds `expected` (`null`: nothing; undefined: whatever it holds); true when it wrote.
    pub fn replace(&self, expected: JsValue, record: Option<String>) -> JsResult<bool> {
        let expected = (!expected.is_undefined()).then(|| expected.as_string());
        Ok(self.inner()?.held.replace(expected.as_ref().map(Option::as_deref), record.as_deref())?)
    }

    /// Empties this tab's holder (in `local` mode `localStorage`'s copy; the driver empties the shared one).
    pub fn clear(&self) -> JsResult<()> {
        self.inner()?.epoch.end(); // a login or refresh in flight stores nothing now
        if self.inner()?.config.token_storage == TokenStorage::Local {
            return Ok(self.mirror(None)?);
        }
        self.replace(JsValue::UNDEFINED, None).map(drop)
    }

    /// A revocation's request (RFC 7009); `hint` is "access_token" or "refresh_token".
    pub fn revoke_request(&self, token: JsValue, hint: JsValue) -> JsResult<JsValue> {
        let (token, hint) = (argument(&token, "token")?, optional_argument(&hint, "hint")?);
        Ok(wire::request(&steps::revoke_request(&self.inner()?.config, &token, hint.as_deref())?))
    }

    /// A revocation's answer.
    pub fn revoked(&self, answer: JsValue) -> JsResult<()> {
        Ok(steps::revoke_response(wire::answer(&answer))?)
    }

    /// The RP-initiated logout URL.
    pub fn logout_url(&self, options: JsValue) -> JsResult<String> {
        let params = read_logout(&options)?;
        Ok(crate::logout::logout_url(&self.inner()?.config, &params)?)
    }

    /// A logout of the held `record`: `{ revocation?, endSession? }` for the driver to carry out
    /// once the holder is empty.
    pub fn sign_out(&self, options: JsValue, record: Option<String>) -> JsResult<JsValue> {
        let params = read_logout(&options)?;
        let held = holder::parse(record.as_deref(), &BrowserEnv);
        let plan = steps::sign_out(&self.inner()?.config, params, held)?;
        self.inner()?.epoch.end(); // a login or refresh in flight stores nothing now
        let out = Object::new();
        if let Some(request) = &plan.revocation {
            set(&out, "revocation", &wire::request(request));
        }
        if let Some(url) = plan.end_session {
            set(&out, "endSession", &url.into());
        }
        Ok(out.into())
    }
}

/// `tokenStorage` "worker": the page's `Core` routes the token requests to a worker, whose own
/// `Core` (a `memory` client with the same config) sends them and holds the refresh token.
impl Core {
    /// True in `worker` mode; `browser_required` there without a module `Worker` (never another storage).
    pub fn worker(&self, available: bool) -> JsResult<bool> {
        let worker = self.inner()?.config.token_storage == TokenStorage::Worker;
        if worker && !available {
            return Err(OAuthError::new(ErrorCode::BrowserRequired, "tokenStorage worker needs a module Worker").into());
        }
        Ok(worker)
    }

    /// A code exchange's answer, in the worker: the tokens checked as `Redemption::finish`
    /// checks them (the ID token against the login's `nonce`), held here, and the record the
    /// page may hold.
    pub fn redeemed(&self, answer: JsValue, nonce: Option<String>) -> JsResult<Option<String>> {
        let inner = self.inner()?;
        let login = steps::PendingLogin::expecting(nonce);
        let mut result = steps::end_redemption(&inner.config, login, wire::answer(&answer), &BrowserEnv)?;
        result.tokens.jkt = self.key_thumbprint()?;
        let record = result.tokens.to_json();
        inner.held.replace(None, Some(&record))?;
        Ok(public(Some(record)))
    }
}

/// The holder's `record` without its refresh token: all the page of a `worker` client holds.
fn public(record: Option<String>) -> Option<String> {
    let mut tokens = holder::parse(record.as_deref(), &BrowserEnv)?;
    tokens.refresh_token = None;
    Some(tokens.to_json())
}

/// DPoP (RFC 9449) and `fetch()`: the key, the proofs, and what answers ask for.
impl Core {
    /// Where the key pair is kept, with `dpop`.
    pub fn key_name(&self) -> JsResult<Option<String>> {
        let inner = self.inner()?;
        Ok(inner.config.dpop.then(|| holder::dpop_key(&inner.config)))
    }

    /// Uses the public key with JWK coordinates `x`, `y` (`x` undefined: forgets the key, as
    /// `logout()` and `clear()` do), its private key described by `key` (`Op::SetKey`);
    /// `dpop_error` for a key this client would not have made (planted in IndexedDB) and for
    /// anything else (the driver's way to say WebCrypto could not make or keep a key). True when
    /// the held tokens are bound to another key.
    pub fn set_key(&self, x: JsValue, y: JsValue, key: &JsValue) -> JsResult<bool> {
        let inner = self.inner()?;
        inner.dpop.borrow_mut().set_key(None, false); // forgotten, unless `x` and `y` make a key
        let key = key.as_string();
        let kept = match key.as_deref().map(|key| crate::text::split_once(key, b' ')) {
            Some(Some((kept, private))) if dpop::is_own_private_key(private) => kept == "true",
            Some(_) => return Err(dpop::planted_key().into()),
            None if x.is_undefined() => return Ok(false),
            None => false,
        };
        let public = dpop::PublicKey::new(&text(&x), &text(&y))?;
        let elsewhere = holder::bound_elsewhere(self.held()?.as_deref(), &public.thumbprint(), &BrowserEnv);
        inner.dpop.borrow_mut().set_key(Some(public), kept);
        Ok(elsewhere)
    }

    /// The thumbprint of the DPoP key in use: what tokens it gets now are bound to.
    fn key_thumbprint(&self) -> Result<Option<String>, OAuthError> {
        Ok(self.inner()?.dpop.borrow().key_thumbprint())
    }

    /// The signing input of the proof for `method` `url`: with `dpop`, for the token and
    /// revocation endpoints, and for resource requests (`access_token` given, `ath` then).
    pub fn proof_input(&self, method: JsValue, url: JsValue, access_token: JsValue) -> JsResult<Option<String>> {
        let inner = self.inner()?;
        let (url, token) = (text(&url), access_token.as_string());
        let config = &inner.config;
        let endpoint = url == config.token_endpoint || config.revocation_endpoint.as_ref() == Some(&url);
        if !config.dpop || !(endpoint || token.is_some()) {
            return Ok(None);
        }
        let mut jti = [0u8; 16];
        BrowserEnv.random(&mut jti)?;
        let method = text(&method);
        let input = inner.dpop.borrow().proof_input(&method, &url, token.as_deref(), jti, BrowserEnv.now())?;
        Ok(Some(input))
    }

    /// The `DPoP` header: `input` and WebCrypto's signature of it.
    pub fn proof(&self, input: JsValue, signature: JsValue) -> JsResult<String> {
        let signature = signature.unchecked_into::<js_sys::Uint8Array>().to_vec(); // `sign()` gives a Uint8Array
        Ok(dpop::proof(&text(&input), &signature)?)
    }

    /// Takes the nonce and clock of an answer from `url`; true when it asks for the request
    /// again with the nonce it gave (and it was not `retried` yet).
    pub fn observe(&self, url: JsValue, answer: JsValue, retried: bool) -> JsResult<bool> {
        let Ok(response) = wire::answer(&answer) else { return Ok(false) };
        self.observed(&url, &response, retried)
    }

    /// `observe` of an answer already read (`resourced` reads it once for both uses).
    fn observed(&self, url: &JsValue, response: &Response<JsJson>, retried: bool) -> JsResult<bool> {
        let inner = self.inner()?;
        let url = text(url);
        Ok(inner.config.dpop && inner.dpop.borrow_mut().observe(&url, response, BrowserEnv.now(), retried))
    }

    /// The scheme `fetch()` sends the access token with to `url`: only to `resourceOrigins`. A
    /// URL the browser refused is `invalid_argument`, unless it has user info (`untrusted_destination`,
    /// like any URL outside the list).
    pub fn destination(&self, url: JsValue, input: &JsValue) -> JsResult<&'static str> {
        let inner = self.inner()?;
        let Some(url) = url.as_string() else {
            let userinfo = input.as_string().and_then(|input| crate::url::parse(&input).map(|u| u.has_userinfo));
            return Err(if userinfo == Some(true) {
                crate::resource::untrusted()
            } else {
                OAuthError::new(ErrorCode::InvalidArgument, "fetch() needs a URL or Request").with_field("input")
            }
            .into());
        };
        Ok(crate::resource::destination(&inner.config, &url)?)
    }

    /// A UserInfo answer's claims, checked against the held ID token's `sub`.
    pub fn userinfo(&self, answer: &JsValue) -> JsResult<JsValue> {
        let response = wire::answer(answer).map_err(crate::http::failure)?;
        let tokens = holder::parse(self.held()?.as_deref(), &BrowserEnv);
        let claims = tokens.and_then(|t| t.claims).and_then(|text| BrowserEnv.parse_object(&text));
        let sub = claims.and_then(|claims| match claims.field("sub") {
            JsonField::Str(sub) => Some(sub),
            _ => None,
        });
        Ok(userinfo::read_response(&self.inner()?.config, &response, sub.as_deref())?.0.clone())
    }

    /// What a resource server's answer asks for: "nonce" (RFC 9449 §9), "refresh" (a `401`
    /// `invalid_token` challenge, RFC 6750 §3.1), each once (`tried`), else undefined; a
    /// redirect is `untrusted_destination` (never followed with the proof and the body).
    pub fn resourced(&self, url: JsValue, answer: JsValue, tried: JsValue) -> JsResult<JsValue> {
        let tried = js_sys::Array::from(&tried);
        let has = |reason: &str| tried.includes(&reason.into(), 0);
        let Ok(response) = wire::answer(&answer) else { return Ok(JsValue::UNDEFINED) };
        let refused = crate::resource::refused(&self.inner()?.config, &response)?; // a redirect: refused
        if self.observed(&url, &response, has("nonce"))? {
            return Ok("nonce".into());
        }
        Ok(if refused && !has("refresh") { "refresh".into() } else { JsValue::UNDEFINED })
    }
}

impl Core {
    /// A `Core` for a config read from JS; `invalid_config` unless it validates.
    fn wrap(config: ClientConfig) -> Result<Self, OAuthError> {
        Ok(Self { stage: RefCell::new(Stage::Ready(alloc::boxed::Box::new(Holder::new(config)?))) })
    }

    /// The config and holder, or `invalid_argument` after `free()`.
    fn inner(&self) -> Result<core::cell::Ref<'_, Holder>, OAuthError> {
        let guard = self.stage.try_borrow().map_err(|_| freed())?;
        core::cell::Ref::filter_map(guard, |stage| match stage {
            Stage::Ready(holder) => Some(&**holder),
            _ => None,
        })
        .map_err(|_| freed())
    }

    /// Sets `localStorage`'s copy of a `local` holder.
    fn mirror(&self, record: Option<&str>) -> Result<(), OAuthError> {
        self.inner()?.held.mirror(record)
    }
}

fn popup_failed(why: Option<&str>) -> OAuthError {
    match why {
        Some("blocked") => {
            OAuthError::new(ErrorCode::PopupBlocked, "the browser blocked the popup: call loginPopup() in a click")
        }
        Some("closed") => OAuthError::new(ErrorCode::PopupClosed, "the popup was closed before the sign-in finished"),
        _ => OAuthError::new(ErrorCode::Timeout, "the popup did not come back within its timeout"),
    }
}

fn freed() -> OAuthError {
    OAuthError::new(ErrorCode::InvalidArgument, "this PkceClient was freed")
}

fn shared_unavailable() -> OAuthError {
    OAuthError::new(ErrorCode::StorageUnavailable, "IndexedDB is disabled, missing or full")
}

/// 32 random bytes as base64url (43 characters): a code verifier, and in JS also
/// `generateState` (the same function under the name of its other use).
#[wasm_bindgen(js_name = generateCodeVerifier)]
pub fn generate_code_verifier() -> JsResult<String> {
    random_base64url()
}

/// The S256 code challenge of `verifier`; throws `invalid_verifier`.
#[wasm_bindgen(js_name = codeChallengeS256)]
pub fn code_challenge_s256(verifier: JsValue) -> JsResult<String> {
    Ok(pkce::challenge_s256(&text(&verifier))?)
}

fn random_base64url() -> JsResult<String> {
    let mut bytes = [0u8; pkce::RANDOM_BYTES];
    BrowserEnv.random(&mut bytes)?;
    Ok(crate::base64url::encode(&bytes))
}

/// `value` as a string, empty when it is not one (written once instead of at every step).
fn text(value: &JsValue) -> String {
    value.as_string().unwrap_or_default()
}
