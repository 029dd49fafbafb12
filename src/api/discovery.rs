//! Discovery for the JS driver: a `Core` in its `Discovering` stage holds a `Lookup`, which asks
//! the issuer's two well-known locations in turn (`request`, `read`) unless the metadata is
//! cached, and ends in the app's config completed from the metadata.
use super::{wire, JsResult};
use crate::browser::{BrowserEnv, WebStore};
use crate::config::ClientConfig;
use crate::discovery::{self, Metadata};
use crate::error::OAuthError;
use crate::steps;
use wasm_bindgen::prelude::*;

/// The app's config (without endpoints and issuer) and the discovery under way.
pub(crate) struct Lookup {
    config: ClientConfig,
    discovery: discovery::Discovery,
}

impl Lookup {
    /// The completed config when `issuer`'s metadata is cached, else the lookup to run.
    pub(crate) fn start(issuer: &str, config: ClientConfig) -> Result<Result<ClientConfig, Lookup>, OAuthError> {
        let cache = WebStore::session().ok();
        match steps::cached_metadata(issuer, &config.storage_prefix, cache.as_ref(), &BrowserEnv) {
            Some(metadata) => Ok(Ok(completed(config, &metadata))),
            None => Ok(Err(Lookup { discovery: discovery::Discovery::new(issuer)?, config })),
        }
    }

    /// The GET to send next.
    pub(crate) fn request(&self) -> JsValue {
        wire::request(&self.discovery.request(self.config.timeout))
    }

    /// Takes the answer to `request()`: the completed config once the metadata is found (and
    /// cached), `None` to ask the next location; throws when discovery failed.
    pub(crate) fn read(&mut self, answer: JsValue) -> JsResult<Option<ClientConfig>> {
        let Some(metadata) = self.discovery.read(wire::answer(&answer))? else { return Ok(None) };
        steps::cache_metadata(&metadata, &self.config.storage_prefix, WebStore::session().ok().as_ref());
        Ok(Some(completed(self.config.clone(), &metadata)))
    }
}

fn completed(mut config: ClientConfig, metadata: &Metadata) -> ClientConfig {
    metadata.apply(&mut config);
    config
}
