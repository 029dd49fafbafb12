//! Sign in with Authorization Code + PKCE, show the token set, refresh, sign out: the plain
//! HTML example (www/static/app.js) in Rust, over `pkce_wasm::Client` and plain web-sys.
//!
//! The page (index.html) has the same elements as every example: `#status[data-state]`,
//! `#login`, `#refresh`, `#logout`, `#error[data-code]` and `#tokens`. Server data goes in as
//! text only (`textContent`), never as HTML.

use std::cell::RefCell;
use std::future::Future;

use js_sys::{Object, Reflect, JSON};
use pkce_wasm::{AuthorizeParams, Client, ClientConfig, LogoutParams, OAuthError, TokenSet};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::{HtmlButtonElement, HtmlElement, Response};

mod readme;

/// The settings file next to the page, as every example reads it.
struct Settings {
    client_id: String,
    redirect_uri: String,
    issuer: String,
    scope: Option<String>,
    revocation_endpoint: Option<String>,
    /// Sent as the logout's `state` (Glewlwyd 2.7.5 sends the browser back only with one).
    logout_state: Option<String>,
}

/// What a step failed with: the library's error, or anything else (shown as `unexpected`).
enum Failure {
    OAuth(OAuthError),
    Other(String),
}

impl From<OAuthError> for Failure {
    fn from(error: OAuthError) -> Self {
        Self::OAuth(error)
    }
}

impl From<JsValue> for Failure {
    fn from(error: JsValue) -> Self {
        Self::Other(error.as_string().or_else(|| js_string(&error)).unwrap_or_else(|| "an unknown error".into()))
    }
}

#[derive(Default)]
struct App {
    settings: Option<Settings>,
    client: Option<Client>,
    /// What is shown: a copy of the client's token holder after each step.
    tokens: Option<TokenSet>,
    error: Option<Failure>,
    busy: bool,
}

thread_local! {
    static APP: RefCell<App> = RefCell::new(App { busy: true, ..App::default() });
}

#[wasm_bindgen(start)]
pub fn main() {
    on_click("login", || {
        // offline_access (a refresh token) is only granted with prompt=consent (OIDC Core §11).
        // login() fails before leaving (e.g. storage_unavailable): run() shows it.
        run(async {
            let params = AuthorizeParams { extra: vec![("prompt".into(), "consent".into())], ..Default::default() };
            client()?.login(&params, None)?;
            Ok(())
        })
    });
    on_click("refresh", || {
        run(async {
            // Through the holder: its refresh token in, the new set (rotated token included) back into it.
            let client = client()?;
            let held = client.tokens()?.and_then(|t| t.refresh_token).unwrap_or_default();
            client.refresh(&held).await?;
            Ok(())
        })
    });
    on_click("logout", || {
        run(async {
            // Revokes the refresh token, forgets the tokens, ends the session at the server, comes back.
            let client = client()?;
            let (back, state) = APP.with(|app| match app.borrow().settings.as_ref() {
                Some(s) => (Some(s.redirect_uri.clone()), s.logout_state.clone()),
                None => (None, None),
            });
            client.logout(LogoutParams { post_logout_redirect_uri: back, state, ..Default::default() }).await?;
            Ok(())
        })
    });
    run(start());
}

/// Reads the settings, discovers the issuer's endpoints, and handles the callback if this is one.
async fn start() -> Result<(), Failure> {
    // Where to sign in: a settings file deployed next to this page, so the same files work anywhere.
    let settings = read_settings().await?;
    let mut config = ClientConfig::for_discovery(&settings.client_id, &settings.redirect_uri);
    config.scope = settings.scope.clone();
    // An endpoint the server's metadata leaves out can be configured (e.g. django-oauth-toolkit's
    // OpenID metadata has no revocation_endpoint); a configured one wins over the metadata's.
    config.revocation_endpoint = settings.revocation_endpoint.clone();
    // Endpoints (and whether the server sends RFC 9207 `iss`) come from the issuer's metadata.
    // Tokens stay in this tab's memory (the default): a reload signs out.
    let client = Client::discover(&settings.issuer, config).await?;
    APP.with(|app| {
        let mut app = app.borrow_mut();
        app.settings = Some(settings);
        app.client = Some(client.clone());
    });
    if client.is_callback(None)? {
        client.handle_callback(None).await?; // the holder now has the tokens
    }
    Ok(())
}

async fn read_settings() -> Result<Settings, Failure> {
    let window = web_sys::window().ok_or_else(|| Failure::Other("no window".into()))?;
    let response: Response = JsFuture::from(window.fetch_with_str("./config.json")).await?.dyn_into()?;
    if !response.ok() {
        return Err(Failure::Other(format!("config.json: HTTP {}", response.status())));
    }
    let json = JsFuture::from(response.json()?).await?;
    let text = |key: &str| Reflect::get(&json, &key.into()).ok().and_then(|v| v.as_string());
    let required = |key: &str| text(key).ok_or_else(|| Failure::Other(format!("config.json: {key} is missing")));
    Ok(Settings {
        client_id: required("clientId")?,
        redirect_uri: required("redirectUri")?,
        issuer: required("issuer")?,
        scope: text("scope"),
        revocation_endpoint: text("revocationEndpoint"),
        logout_state: text("logoutState"),
    })
}

fn client() -> Result<Client, Failure> {
    APP.with(|app| app.borrow().client.clone()).ok_or_else(|| Failure::Other("not started".into()))
}

/// Runs one step with the buttons disabled, then shows its outcome and the holder's tokens.
fn run(step: impl Future<Output = Result<(), Failure>> + 'static) {
    APP.with(|app| {
        let mut app = app.borrow_mut();
        app.busy = true;
        app.error = None;
    });
    render();
    spawn_local(async move {
        let outcome = step.await;
        APP.with(|app| {
            let mut app = app.borrow_mut();
            app.tokens = app.client.as_ref().and_then(|c| c.tokens().ok().flatten());
            app.error = outcome.err();
            app.busy = false;
        });
        render();
    });
}

fn render() {
    APP.with(|app| {
        let app = app.borrow();
        let state = if app.busy {
            "loading"
        } else if app.tokens.is_some() {
            "signed-in"
        } else {
            "signed-out"
        };
        let status = element("status");
        let _ = status.dataset().set("state", state);
        status.set_text_content(Some(match state {
            "loading" => "Working…",
            "signed-in" => "Signed in",
            _ => "Signed out",
        }));
        let signed_in = app.tokens.is_some();
        let can_refresh = app.tokens.as_ref().is_some_and(|t| t.refresh_token.is_some());
        button("login").set_disabled(app.busy || app.client.is_none() || signed_in);
        button("refresh").set_disabled(app.busy || !can_refresh);
        button("logout").set_disabled(app.busy || !signed_in);

        let tokens = element("tokens");
        tokens.set_hidden(!signed_in);
        tokens.set_text_content(app.tokens.as_ref().and_then(|t| js_string(&token_set_json(t))).as_deref());

        let error = element("error");
        error.set_hidden(app.error.is_none());
        let code = match &app.error {
            Some(Failure::OAuth(e)) => e.code.as_str(),
            Some(Failure::Other(_)) => "unexpected",
            None => "",
        };
        let _ = error.dataset().set("code", code);
        error.set_text_content(app.error.as_ref().map(describe).as_deref());
    });
}

/// `code: error: description` (the fixed message when the server gave no description).
fn describe(failure: &Failure) -> String {
    match failure {
        Failure::Other(text) => text.clone(),
        Failure::OAuth(e) => {
            let detail = e.error_description.as_deref().unwrap_or(e.message);
            [Some(e.code.as_str()), e.error.as_deref(), Some(detail)]
                .into_iter()
                .flatten()
                .filter(|part| !part.is_empty())
                .collect::<Vec<_>>()
                .join(": ")
        }
    }
}

/// The set as the JS API hands it out (src/api.rs): camelCase keys in the same order, absent
/// fields left out, `claims` as an object; pretty-printed like `JSON.stringify(tokens, null, 2)`.
fn token_set_json(tokens: &TokenSet) -> JsValue {
    let out = Object::new();
    let set = |key: &str, value: JsValue| {
        let _ = Reflect::set(&out, &key.into(), &value);
    };
    set("accessToken", tokens.access_token.as_str().into());
    set("tokenType", tokens.token_type.as_str().into());
    if let Some(at) = tokens.expires_at {
        set("expiresAt", (at as f64).into());
    }
    for (key, value) in
        [("refreshToken", &tokens.refresh_token), ("idToken", &tokens.id_token), ("scope", &tokens.scope)]
    {
        if let Some(value) = value {
            set(key, value.as_str().into());
        }
    }
    if let Some(claims) = tokens.claims.as_deref().and_then(|text| JSON::parse(text).ok()) {
        set("claims", claims);
    }
    out.into()
}

/// `JSON.stringify(value, null, 2)`, or `String(value)` for what JSON cannot show (an Error).
fn js_string(value: &JsValue) -> Option<String> {
    if value.is_instance_of::<js_sys::Error>() {
        return Some(String::from(js_sys::Error::from(value.clone()).to_string()));
    }
    JSON::stringify_with_replacer_and_space(value, &JsValue::NULL, &2.into()).ok().and_then(|s| s.as_string())
}

fn element(id: &str) -> HtmlElement {
    let document = web_sys::window().and_then(|w| w.document()).expect("a document");
    document.get_element_by_id(id).and_then(|e| e.dyn_into().ok()).expect("the example's elements")
}

fn button(id: &str) -> HtmlButtonElement {
    element(id).unchecked_into()
}

fn on_click(id: &str, handler: fn()) {
    let closure = Closure::<dyn Fn()>::new(handler);
    element(id).set_onclick(Some(closure.as_ref().unchecked_ref()));
    closure.forget(); // the buttons live as long as the page
}
