//! OAuth 2.0 Authorization Code + PKCE (S256) public client for browser apps.
//!
//! The pure core (everything but `browser`, `client` and `api`) knows nothing of the browser
//! and is tested natively: `steps` are the protocol steps, sans I/O, from inputs to the next
//! `http::Request` or the result; `flow` drives them over the `platform` traits; `browser`
//! implements those traits with `sessionStorage`, IndexedDB, `fetch` and `history`; `client`
//! (feature `client`, the default) is the Rust API. `api` (feature `js`, the npm build) is the
//! `wasm-bindgen` side of the JS API: synchronous exports around which the package's JS
//! driver (`js/pkce_wasm.js`) does every wait.
//!
//! `no_std` + `alloc`: it links into std apps as usual, and into the npm package's
//! `cdylib` (`wasm/`) without std's formatting and panic machinery.
#![cfg_attr(not(test), no_std)]

extern crate alloc;

#[cfg(target_arch = "wasm32")]
pub mod allocator;
pub mod authorize;
pub mod base64url;
pub mod callback;
pub mod config;
pub mod discovery;
pub mod dpop;
pub mod error;
#[cfg(any(test, feature = "testing"))]
pub mod fakes;
pub mod flow;
pub mod form;
pub mod holder;
pub mod http;
pub mod id_token;
pub mod json;
pub mod logout;
pub mod par;
pub mod pkce;
pub mod platform;
mod redacted;
pub mod resource;
pub mod session;
pub mod steps;
mod text;
pub mod token;
pub mod transaction;
pub mod url;
pub mod userinfo;

#[cfg(all(target_arch = "wasm32", feature = "js"))]
pub mod api;
#[cfg(target_arch = "wasm32")]
pub mod browser;
#[cfg(all(target_arch = "wasm32", feature = "client"))]
mod client;

pub use authorize::AuthorizeParams;
#[cfg(all(target_arch = "wasm32", feature = "client"))]
pub use client::{Client, Subscription};
pub use config::{ClientConfig, TokenStorage};
pub use error::{ErrorCode, OAuthError};
pub use logout::LogoutParams;
pub use steps::LoginResult;
pub use token::TokenSet;
