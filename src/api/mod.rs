//! The wasm side of the JS API (feature `js`, the npm build): the synchronous halves that the
//! package's JS driver (`js/pkce_wasm.js`) calls around every wait. `Core` is one client's
//! config and token holder; `Redemption` and `Discovery` are the two multi-step operations. The
//! driver only performs what these return (a request to send, a mark to claim, a record to
//! swap) and hands back what came in; every check, error and decision is made here, in the core.
use alloc::string::String;
use core::cell::RefCell;

use crate::browser::navigation;
use crate::browser::{set, BrowserEnv, HeldRecord, WebStore};
use crate::callback;
use crate::config::{ClientConfig, TokenStorage};
use crate::error::{ErrorCode, OAuthError};
use crate::holder;
use crate::pkce;
use crate::platform::Env;
use crate::steps;
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
    Ready(Holder),
    /// Nothing: `free()` was called.
    Freed,
}

/// The config and the holder's record.
struct Holder {
    config: ClientConfig,
    held: HeldRecord,
}

impl Holder {
    /// The holder of a client with `config`; `invalid_config` unless it validates.
    fn new(config: ClientConfig) -> Result<Self, OAuthError> {
        config.validate()?;
        let held = HeldRecord::new(&config);
        Ok(Self { config, held })
    }
}

/// The operations of `Core::call`, one per step the JS driver takes (js/pkce_wasm.js). Each
/// runs the `Core` method of the same name with the arguments shown, in `call`'s `a`, `b`, `c`.
#[wasm_bindgen]
#[derive(Clone, Copy, Debug)]
pub enum Op {
    /// `authorizeUrl(options)`.
    AuthorizeUrl,
    /// `login(options)`.
    Login,
    /// `isCallback(url)`.
    IsCallback,
    /// `redeem(url)`: a `Redemption`.
    Redeem,
    /// `tokens()`.
    Tokens,
    /// `held()`: the record as this tab reads it synchronously.
    Held,
    /// `fresh(record)`.
    Fresh,
    /// `refreshTokenOf(record)`.
    RefreshTokenOf,
    /// `lostRace(record)`.
    LostRace,
    /// `refreshRequest(token)`.
    RefreshRequest,
    /// `refreshed(start, token, answer)`.
    Refreshed,
    /// `shared()`.
    Shared,
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
    /// `free()`: releases the client's config and tokens; every later step is
    /// `invalid_argument`. The `Core` object itself stays valid until it is collected, so a call
    /// after `free()` never reaches wasm with a null pointer.
    Free,
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
            Ok(config) => Stage::Ready(Holder::new(config)?),
            Err(lookup) => Stage::Discovering(alloc::boxed::Box::new(lookup)),
        };
        Ok(Self { stage: RefCell::new(stage) })
    }

    /// Runs the synchronous step `op` with its arguments `a`, `b`, `c` (named at each `Op`): one
    /// coarse export instead of one per step, so the binding code is written once.
    pub fn call(&self, op: Op, a: JsValue, b: JsValue, c: JsValue) -> JsResult<JsValue> {
        Ok(match op {
            Op::AuthorizeUrl => self.authorize_url(a)?.into(),
            Op::Login => self.login(a).map(|()| JsValue::UNDEFINED)?,
            Op::IsCallback => self.is_callback(a)?.into(),
            Op::Redeem => self.redeem(a)?.into(),
            Op::Tokens => self.tokens()?,
            Op::Held => self.held()?.into(),
            Op::Fresh => self.fresh(a.as_string())?.into(),
            Op::RefreshTokenOf => self.refresh_token_of(a.as_string())?.into(),
            Op::LostRace => self.lost_race(a.as_string())?.into(),
            Op::RefreshRequest => self.refresh_request(a)?,
            Op::Refreshed => self.refreshed(a.as_string(), &b.as_string().unwrap_or_default(), c)?,
            Op::Shared => self.shared()?,
            Op::Adopt => self.adopt(a)?.into(),
            Op::Swapped => self.swapped(a.as_bool(), b.as_string())?.into(),
            Op::Replace => self.replace(a, b.as_string())?.into(),
            Op::Clear => self.clear().map(|()| JsValue::UNDEFINED)?,
            Op::RevokeRequest => self.revoke_request(a, b)?,
            Op::Revoked => self.revoked(a).map(|()| JsValue::UNDEFINED)?,
            Op::LogoutUrl => self.logout_url(a)?.into(),
            Op::SignOut => self.sign_out(a, b.as_string())?,
            Op::LockFailed => holder::lock_failed().into(),
            Op::Assign => navigation::assign(&a.as_string().unwrap_or_default()).map(|()| JsValue::UNDEFINED)?,
            Op::DiscoveryRequest => match &*self.stage.try_borrow().map_err(|_| freed())? {
                Stage::Discovering(lookup) => lookup.request(),
                _ => JsValue::UNDEFINED,
            },
            Op::DiscoveryRead => {
                let mut stage = self.stage.try_borrow_mut().map_err(|_| freed())?;
                if let Stage::Discovering(lookup) = &mut *stage {
                    if let Some(config) = lookup.read(a)? {
                        *stage = Stage::Ready(Holder::new(config)?);
                    }
                }
                JsValue::UNDEFINED
            }
            Op::Free => {
                if let Ok(mut stage) = self.stage.try_borrow_mut() {
                    *stage = Stage::Freed;
                }
                JsValue::UNDEFINED
            }
        })
    }
}

impl Core {
    /// Creates verifier, challenge and state, stores the pending login, returns the authorize URL.
    pub fn authorize_url(&self, options: JsValue) -> JsResult<String> {
        let inner = self.inner()?;
        let (params, app_state) = read_options(&options)?;
        Ok(steps::start_login(&inner.config, &params, app_state, &WebStore::session()?, &BrowserEnv)?)
    }

    /// `authorizeUrl()` then `location.assign`.
    pub fn login(&self, options: JsValue) -> JsResult<()> {
        Ok(navigation::assign(&self.authorize_url(options)?)?)
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
    pub fn redeem(&self, url: JsValue) -> JsResult<Redemption> {
        let url = optional_argument(&url, "url")?;
        let inner = self.inner()?;
        let href = navigation::callback_href(url)?;
        let redemption = steps::begin_redemption(&inner.config, &href, &WebStore::session()?, &BrowserEnv)?;
        Ok(Redemption::new(inner.config.clone(), redemption))
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

    /// The access token of `record` while fresh; `undefined` when a refresh is due; `login_required`.
    pub fn fresh(&self, record: Option<String>) -> JsResult<Option<String>> {
        Ok(holder::fresh_access_token(&self.inner()?.config, record.as_deref(), &BrowserEnv)?)
    }

    /// The refresh token of `record`; `login_required` without one.
    pub fn refresh_token_of(&self, record: Option<String>) -> JsResult<String> {
        Ok(holder::refresh_token(record.as_deref(), &BrowserEnv)?)
    }

    /// After a refresh the holder did not take: the fresh access token it holds now, or `login_required`.
    pub fn lost_race(&self, record: Option<String>) -> JsResult<String> {
        Ok(holder::after_lost_race(&self.inner()?.config, record.as_deref(), &BrowserEnv)?)
    }

    /// A refresh's request; `invalid_argument` unless `token` is a non-empty string.
    pub fn refresh_request(&self, token: JsValue) -> JsResult<JsValue> {
        let token = argument(&token, "refreshToken")?;
        Ok(wire::request(&steps::refresh_request(&self.inner()?.config, &token)?))
    }

    /// A refresh's answer, for a refresh with `token` that started while the holder held
    /// `start`: `{ tokens | error, write, record }`, where `write` says whether the holder takes
    /// `record` (undefined: empties it) over `start`.
    pub fn refreshed(&self, start: Option<String>, token: &str, answer: JsValue) -> JsResult<JsValue> {
        let inner = self.inner()?;
        let basis = holder::RefreshBasis::new(start.as_deref(), token, &BrowserEnv);
        let result =
            steps::refresh_response(&inner.config, token, basis.claims.as_deref(), wire::answer(&answer), &BrowserEnv);
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

    /// In `local` mode, `[key, lockName]` of the record every tab shares (IndexedDB); else undefined.
    pub fn shared(&self) -> JsResult<JsValue> {
        let inner = self.inner()?;
        if inner.config.token_storage != TokenStorage::Local {
            return Ok(JsValue::UNDEFINED);
        }
        let pair = js_sys::Array::of2(&inner.held.key().into(), &holder::lock_name(inner.held.key()).into());
        Ok(pair.into())
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

impl Core {
    /// A `Core` for a config read from JS; `invalid_config` unless it validates.
    fn wrap(config: ClientConfig) -> Result<Self, OAuthError> {
        Ok(Self { stage: RefCell::new(Stage::Ready(Holder::new(config)?)) })
    }

    /// The config and holder, or `invalid_argument` after `free()`.
    fn inner(&self) -> Result<core::cell::Ref<'_, Holder>, OAuthError> {
        let guard = self.stage.try_borrow().map_err(|_| freed())?;
        core::cell::Ref::filter_map(guard, |stage| match stage {
            Stage::Ready(holder) => Some(holder),
            _ => None,
        })
        .map_err(|_| freed())
    }

    /// Sets `localStorage`'s copy of a `local` holder.
    fn mirror(&self, record: Option<&str>) -> Result<(), OAuthError> {
        self.inner()?.held.mirror(record)
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
    Ok(pkce::challenge_s256(&verifier.as_string().unwrap_or_default())?)
}

fn random_base64url() -> JsResult<String> {
    let mut bytes = [0u8; pkce::RANDOM_BYTES];
    BrowserEnv.random(&mut bytes)?;
    Ok(crate::base64url::encode(&bytes))
}
