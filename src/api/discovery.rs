//! Discovery for the JS driver: the cached metadata, or the two well-known locations asked in
//! turn (`request`, `read`), then the client built from what was found.
use super::read::{argument, read_config};
use super::{wire, Core, JsResult};
use crate::browser::{BrowserEnv, WebStore};
use crate::config::ClientConfig;
use crate::discovery::{self, Metadata};
use crate::error::{ErrorCode, OAuthError};
use crate::steps;
use wasm_bindgen::prelude::*;

/// One discovery of an issuer's metadata (RFC 8414, then OpenID Connect Discovery).
#[wasm_bindgen]
pub struct Discovery {
    config: ClientConfig,
    lookup: Lookup,
}

/// What the discovery expects next.
enum Lookup {
    /// The answer to `request()`.
    Asking(discovery::Discovery),
    /// Nothing: the metadata is known.
    Found(Metadata),
}

#[wasm_bindgen]
impl Discovery {
    /// Reads the config (without endpoints and issuer) and the issuer; takes cached metadata when valid.
    #[wasm_bindgen(constructor)]
    pub fn new(issuer: JsValue, config: JsValue) -> JsResult<Discovery> {
        let issuer = argument(&issuer, "issuer")?;
        let config = read_config(&config, false)?;
        let cache = WebStore::session().ok();
        let lookup = match steps::cached_metadata(&issuer, &config.storage_prefix, cache.as_ref(), &BrowserEnv) {
            Some(metadata) => Lookup::Found(metadata),
            None => Lookup::Asking(discovery::Discovery::new(&issuer)?),
        };
        Ok(Self { config, lookup })
    }

    /// The GET to send next; undefined once the metadata is known.
    pub fn request(&self) -> JsValue {
        match &self.lookup {
            Lookup::Asking(discovery) => wire::request(&discovery.request(self.config.timeout)),
            Lookup::Found(_) => JsValue::UNDEFINED,
        }
    }

    /// Takes the answer to `request()`; throws when discovery failed.
    pub fn read(&mut self, answer: JsValue) -> JsResult<()> {
        let Lookup::Asking(discovery) = &mut self.lookup else { return Ok(()) };
        if let Some(metadata) = discovery.read(wire::answer(&answer))? {
            steps::cache_metadata(&metadata, &self.config.storage_prefix, WebStore::session().ok().as_ref());
            self.lookup = Lookup::Found(metadata);
        }
        Ok(())
    }

    /// The client for the discovered metadata and the app's config.
    pub fn client(self) -> JsResult<Core> {
        let Lookup::Found(metadata) = self.lookup else {
            return Err(OAuthError::new(ErrorCode::DiscoveryError, "no metadata document was found").into());
        };
        let mut config = self.config;
        metadata.apply(&mut config);
        Ok(Core::wrap(config)?)
    }
}
