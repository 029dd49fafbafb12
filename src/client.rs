//! `Client`: the Rust API for wasm apps (Leptos, Yew, Dioxus), the same operations as the JS
//! `PkceClient`, plus the token holder that keeps the current `TokenSet`.

use crate::authorize::AuthorizeParams;
use crate::browser::JsJson;
use crate::browser::{navigation, run, shared, BrowserEnv, FetchTransport, HeldRecord, SharedMarks, WebStore};
use crate::callback;
use crate::config::{ClientConfig, TokenStorage};
use crate::error::{ErrorCode, OAuthError, Result};
use crate::flow::{self, LoginResult};
use crate::holder;
use crate::logout::{self, LogoutParams};
use crate::platform::Transport;
use crate::steps;
use crate::token::TokenSet;
use alloc::rc::Rc;
use alloc::string::String;
use core::cell::RefCell;
use js_sys::Promise;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// A refresh in flight: its promise and where it leaves its result, shared by every caller.
type InFlight = (Promise, Rc<RefCell<Option<Result<String>>>>);

/// A `subscribe()` listener.
type Listener = Rc<dyn Fn(Option<&TokenSet>)>;

struct Inner {
    config: ClientConfig,
    /// The holder's record, under its key bound to this client.
    held: HeldRecord,
    refreshing: RefCell<Option<InFlight>>,
    /// `subscribe()`'s listeners, by id.
    listeners: RefCell<alloc::vec::Vec<(u32, Listener)>>,
    next_listener: core::cell::Cell<u32>,
}

impl Inner {
    /// Tells the listeners what the holder holds now, from a copy of the list: a listener that
    /// subscribes (again) during its call hears the next change, not this one.
    fn notify(&self) {
        let tokens = holder::parse(self.held.read().ok().flatten().as_deref(), &BrowserEnv);
        let listeners: alloc::vec::Vec<Listener> = self.listeners.borrow().iter().map(|(_, l)| l.clone()).collect();
        for listener in listeners {
            listener(tokens.as_ref());
        }
    }
}

impl run::Owner for Inner {
    fn config(&self) -> &ClientConfig {
        &self.config
    }

    fn held(&self) -> &HeldRecord {
        &self.held
    }

    fn changed(&self) {
        self.notify(); // this tab's listeners (the Rust Client tells no other tab yet)
    }
}

/// A listener added by `Client::subscribe`; dropping it removes the listener.
#[must_use = "dropping the Subscription removes its listener"]
pub struct Subscription {
    inner: alloc::rc::Weak<Inner>,
    id: u32,
}

impl Drop for Subscription {
    fn drop(&mut self) {
        if let Some(inner) = self.inner.upgrade() {
            inner.listeners.borrow_mut().retain(|(id, _)| *id != self.id);
        }
    }
}

/// A configured public client. Cheap to clone; clones share the token holder.
#[derive(Clone)]
pub struct Client {
    inner: Rc<Inner>,
}

impl Client {
    /// Validates `config` (`invalid_config`); touches no storage. DPoP and pushed requests are
    /// the JS API's in this version: `dpop` and `tokenStorage` `worker` are `invalid_config`, and a client that must push
    /// gets `par_required` from `login`.
    pub fn new(config: ClientConfig) -> Result<Self> {
        config.validate()?;
        if config.dpop {
            return Err(crate::config::invalid("dpop", "is not supported by the Rust Client yet (the JS API has it)"));
        }
        if config.token_storage == TokenStorage::Worker {
            return Err(crate::config::invalid("tokenStorage", "worker is the JS API's"));
        }
        let held = HeldRecord::new(&config);
        let (refreshing, listeners, next_listener) = Default::default();
        Ok(Self { inner: Rc::new(Inner { config, held, refreshing, listeners, next_listener }) })
    }

    /// Fetches `issuer`'s metadata (cached in sessionStorage), fills the endpoints, issuer and
    /// `require_iss` of `config`, and validates it.
    pub async fn discover(issuer: &str, mut config: ClientConfig) -> Result<Self> {
        let cache = WebStore::session().ok();
        let metadata = flow::discover(
            issuer,
            &config.storage_prefix,
            config.timeout,
            cache.as_ref(),
            &BrowserEnv,
            &FetchTransport,
        )
        .await?;
        metadata.apply(&mut config);
        Self::new(config)
    }

    /// The validated configuration.
    pub fn config(&self) -> &ClientConfig {
        &self.inner.config
    }

    /// Calls `listener` with the held tokens (`None`: signed out) whenever this client changes
    /// them: a login, a refresh, `clear()`, `logout()`. Until the `Subscription` is dropped.
    pub fn subscribe(&self, listener: impl Fn(Option<&TokenSet>) + 'static) -> Subscription {
        let id = self.inner.next_listener.get();
        self.inner.next_listener.set(id.wrapping_add(1));
        self.inner.listeners.borrow_mut().push((id, Rc::new(listener)));
        Subscription { inner: Rc::downgrade(&self.inner), id }
    }

    /// Stores a new transaction and returns the authorize URL; `app_state` is JSON text returned at the callback.
    pub fn authorize_url(&self, params: &AuthorizeParams, app_state: Option<String>) -> Result<String> {
        flow::authorize_url(self.config(), params, app_state, None, &WebStore::session()?, &BrowserEnv)
    }

    /// `authorize_url` then `location.assign`.
    pub fn login(&self, params: &AuthorizeParams, app_state: Option<String>) -> Result<()> {
        navigation::assign(&self.authorize_url(params, app_state)?)
    }

    /// True when `href` (default: the current URL) is a response on this client's redirect URI.
    pub fn is_callback(&self, href: Option<&str>) -> Result<bool> {
        let href = match href {
            Some(href) => href.into(),
            None => navigation::current_href()?,
        };
        Ok(callback::is_callback(self.config(), &href))
    }

    /// Validates the callback at `href` (default: the current URL), redeems the code, and removes
    /// the response parameters from the address bar before any network request. The tokens
    /// also go to the holder.
    pub async fn handle_callback(&self, href: Option<&str>) -> Result<LoginResult> {
        let href = navigation::callback_href(href.map(String::from))?;
        let store = WebStore::session()?;
        let result =
            flow::finish_login(self.config(), &href, &store, &SharedMarks, &BrowserEnv, &FetchTransport).await?;
        self.replace(None, Some(&result.tokens)).await?;
        Ok(result)
    }

    /// Exchanges a refresh token; the returned set keeps `refresh_token` unless the server
    /// rotated it. It goes to the holder only if the holder still holds what it held when the
    /// refresh started (not after `clear()`, `logout()` or a newer login); `invalid_grant` for
    /// the held refresh token clears the holder on the same condition.
    pub async fn refresh(&self, refresh_token: &str) -> Result<TokenSet> {
        let start = self.snapshot().await?;
        Ok(self.refresh_from(start, refresh_token).await?.0)
    }

    /// The holder's current tokens, fresh or not. In `Local` mode this is `localStorage`'s
    /// copy, which shows another tab's change a moment after it is made.
    pub fn tokens(&self) -> Result<Option<TokenSet>> {
        Ok(holder::parse(self.read()?.as_deref(), &BrowserEnv))
    }

    /// Empties the holder. In `Local` mode the copy every tab reads (IndexedDB) is emptied right after.
    pub fn clear(&self) -> Result<()> {
        if self.config().token_storage != TokenStorage::Local {
            self.inner.held.replace(None, None)?;
            self.inner.notify();
            return Ok(());
        }
        self.inner.held.mirror(None)?;
        let key = String::from(self.inner.held.key());
        let _ = crate::browser::promise(async move {
            let _ = shared::swap(&key, None, None).await; // a failure leaves nothing to undo
            Ok(JsValue::UNDEFINED)
        });
        self.inner.notify();
        Ok(())
    }

    /// An access token valid for at least `refresh_leeway` more seconds, refreshing when needed:
    /// the session machine's `token()` (`session::token`), run with web-sys I/O
    /// (`browser::run`). Concurrent calls share one run; in `Session` and `Local` mode the
    /// refresh runs under a Web Lock and re-reads the holder first, so neither another instance
    /// nor another tab sends the same refresh token twice.
    pub async fn access_token(&self) -> Result<String> {
        self.token(None).await
    }

    /// Sends a request to a resource server with the access token (`url`, and `init` as
    /// `fetch()` takes them): only to `resource_origins`, never to a URL with user info
    /// (`untrusted_destination`, before any request); following no redirect
    /// (`untrusted_destination`, field `redirect`: the token and the body stay here); once more
    /// with a refreshed token when the server refuses this one (`401` `invalid_token`). The
    /// rules are `resource`'s, as the JS API's `fetch()` has them. No DPoP proof yet.
    pub async fn fetch(&self, url: &str, init: Option<&web_sys::RequestInit>) -> Result<web_sys::Response> {
        let scheme = crate::resource::destination(self.config(), url)?;
        let manual = web_sys::RequestInit::new();
        manual.set_redirect(web_sys::RequestRedirect::Manual);
        let given = match init {
            Some(init) => web_sys::Request::new_with_str_and_init(url, init),
            None => web_sys::Request::new_with_str(url),
        };
        let request =
            given.and_then(|request| web_sys::Request::new_with_request_and_init(&request, &manual)).map_err(|_| {
                OAuthError::new(ErrorCode::InvalidArgument, "not a request fetch() can make").with_field("init")
            })?;
        let mut refused = None;
        loop {
            let token = self.token(refused.clone()).await?;
            let response = send_resource(&request, scheme, &token).await?;
            let header = response.headers().get("www-authenticate").ok().flatten();
            let answer: crate::http::Response<JsJson> = crate::http::Response {
                status: response.status(),
                headers: header.into_iter().map(|value| (String::from("www-authenticate"), value)).collect(),
                body: crate::http::Body::NotAnObject,
            };
            if crate::resource::refused(self.config(), &answer)? && refused.is_none() {
                refused = Some(token); // refresh it, once, and send again
                continue;
            }
            return Ok(response);
        }
    }

    /// The access token `token()` gives, never `refused` (a resource server's `invalid_token`).
    async fn token(&self, refused: Option<String>) -> Result<String> {
        let existing = self.inner.refreshing.borrow().clone();
        let (promise, slot) = match existing {
            Some(in_flight) => in_flight,
            None => {
                let in_flight = self.start_refresh(refused);
                *self.inner.refreshing.borrow_mut() = Some(in_flight.clone());
                in_flight
            }
        };
        let _ = JsFuture::from(promise.clone()).await; // the job never rejects: its result is in `slot`
        let mut refreshing = self.inner.refreshing.borrow_mut();
        if refreshing.as_ref().is_some_and(|(current, _)| JsValue::from(current) == JsValue::from(&promise)) {
            *refreshing = None;
        }
        drop(refreshing);
        let result = slot.borrow().clone();
        result.unwrap_or_else(|| Err(holder::lock_failed()))
    }

    /// Revokes `token` (RFC 7009); `hint` is `access_token` or `refresh_token`.
    pub async fn revoke(&self, token: &str, hint: Option<&str>) -> Result<()> {
        flow::revoke(self.config(), token, hint, &FetchTransport).await
    }

    /// The RP-initiated logout URL; `invalid_config` without an end-session endpoint.
    pub fn logout_url(&self, params: &LogoutParams) -> Result<String> {
        logout::logout_url(self.config(), params)
    }

    /// Empties the holder (first, so a refresh still in flight cannot store its result),
    /// revokes the refresh token it held (best effort), then goes to the end-session endpoint
    /// when there is one (with the held ID token as hint unless given); without one it
    /// returns, signed out locally.
    pub async fn logout(&self, params: LogoutParams) -> Result<()> {
        let held = holder::parse(self.snapshot().await.ok().flatten().as_deref(), &BrowserEnv);
        let plan = steps::sign_out(self.config(), params, held)?;
        self.replace(None, None).await?;
        if let Some(request) = plan.revocation {
            let _ = FetchTransport.send(&request).await; // logging out must not fail on it
        }
        plan.end_session.map_or(Ok(()), |url| navigation::assign(&url))
    }

    fn start_refresh(&self, refused: Option<String>) -> InFlight {
        let slot = Rc::new(RefCell::new(None));
        let (inner, out) = (self.inner.clone(), slot.clone());
        let job = async move {
            *out.borrow_mut() = Some(run::token(inner, refused).await);
            Ok(JsValue::UNDEFINED)
        };
        (crate::browser::promise(job), slot)
    }

    /// Refreshes with `refresh_token` and stores the result only over `start`, the record the
    /// holder had when the refresh began; true when it was stored.
    async fn refresh_from(&self, start: Option<String>, refresh_token: &str) -> Result<(TokenSet, bool)> {
        let basis = holder::RefreshBasis::new(start.as_deref(), refresh_token, &BrowserEnv);
        let result = flow::refresh(self.config(), refresh_token, basis.login(), &BrowserEnv, &FetchTransport).await;
        let stored = match basis.write(&result) {
            Some(text) => self.replace_text(Some(start.as_deref()), text.as_deref()).await?,
            None => false,
        };
        result.map(|tokens| (tokens, stored))
    }

    /// The holder's record as this tab reads it synchronously (`localStorage`'s copy in `Local` mode).
    fn read(&self) -> Result<Option<String>> {
        self.inner.held.read()
    }

    /// The authoritative record: IndexedDB's in `Local` mode (and `localStorage` follows it).
    async fn snapshot(&self) -> Result<Option<String>> {
        if self.config().token_storage != TokenStorage::Local {
            return self.read();
        }
        let text = shared::get(self.inner.held.key()).await?;
        self.inner.held.mirror(text.as_deref())?;
        Ok(text)
    }

    /// Writes `tokens` (`None`: empties the holder), unconditionally when `expected` is `None`,
    /// else only over the record `expected` holds; true when it wrote.
    async fn replace(&self, expected: Option<Option<&str>>, tokens: Option<&TokenSet>) -> Result<bool> {
        self.replace_text(expected, tokens.map(TokenSet::to_json).as_deref()).await
    }

    /// `replace` with the record's text; the listeners hear of a write.
    async fn replace_text(&self, expected: Option<Option<&str>>, text: Option<&str>) -> Result<bool> {
        let wrote = if self.config().token_storage != TokenStorage::Local {
            self.inner.held.replace(expected, text)?
        } else if shared::swap(self.inner.held.key(), expected, text).await? {
            self.inner.held.mirror(text)?;
            true
        } else {
            self.snapshot().await?;
            false
        };
        if wrote {
            self.inner.notify();
        }
        Ok(wrote)
    }
}

/// Sends a copy of `request` with `scheme token` as its `Authorization`.
async fn send_resource(request: &web_sys::Request, scheme: &str, token: &str) -> Result<web_sys::Response> {
    let network = |_| OAuthError::new(ErrorCode::NetworkError, "the resource server could not be reached");
    let attempt = request.clone().map_err(network)?; // `Request.clone()`: the body can be sent again
    let authorization = crate::text::concat(&[scheme, " ", token]);
    attempt.headers().set("authorization", &authorization).map_err(network)?;
    let window = crate::browser::window()?;
    let answer = JsFuture::from(window.fetch_with_request(&attempt)).await.map_err(network)?;
    Ok(answer.unchecked_into())
}
