//! The token holder's record: its storage key, bound to one client, and the rule that a write
//! lands only where the record is still what the writer started from.
use alloc::string::String;

use crate::base64url;
use crate::config::ClientConfig;
use crate::error::Result;
use crate::json;
use crate::platform::Store;
use sha2::{Digest, Sha256};

/// `{storagePrefix}:tokens:{id}`, where `id` names this client (client id, issuer, token
/// endpoint): another client never reads, refreshes or clears these tokens, whatever its prefix.
pub fn key(config: &ClientConfig) -> String {
    let mut identity = String::new();
    for part in [Some(&config.client_id), config.issuer.as_ref(), Some(&config.token_endpoint)] {
        match part {
            Some(text) => json::push_string(&mut identity, text),
            None => identity.push_str("null"),
        }
    }
    let digest = Sha256::digest(identity.as_bytes());
    crate::text::concat(&[&config.storage_prefix, ":tokens:", &base64url::encode(&digest[..16])])
}

/// The Web Lock serialising this holder's refreshes across tabs; valid whatever the prefix
/// (Web Locks refuse names that start with `-`).
pub fn lock_name(config: &ClientConfig) -> String {
    crate::text::concat(&["pkce-wasm lock ", &key(config)])
}

/// Writes `new` under `key` (`None`: removes it) only while the store holds `expected` there;
/// true when it wrote.
pub fn replace_if(store: &impl Store, key: &str, expected: Option<&str>, new: Option<&str>) -> Result<bool> {
    if store.get(key)?.as_deref() != expected {
        return Ok(false);
    }
    match new {
        Some(text) => store.set(key, text)?,
        None => store.remove(key)?,
    }
    Ok(true)
}

/// Writes `new` under `key` unconditionally when `expected` is `None`, else as `replace_if`.
pub fn replace(store: &impl Store, key: &str, expected: Option<Option<&str>>, new: Option<&str>) -> Result<bool> {
    match expected {
        Some(expected) => replace_if(store, key, expected, new),
        None => replace_if(store, key, store.get(key)?.as_deref(), new),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config;
    use crate::fakes::FakeStore;

    #[test]
    fn keys_are_bound_to_the_client() {
        let a = config::sample();
        let mut other_issuer = a.clone();
        other_issuer.issuer = Some("https://other.example".into());
        let mut other_endpoint = a.clone();
        other_endpoint.token_endpoint = "https://other.example/token".into();
        let mut other_client = a.clone();
        other_client.client_id = "other".into();
        let mut no_issuer = a.clone();
        no_issuer.issuer = None;
        let keys = [&a, &other_issuer, &other_endpoint, &other_client, &no_issuer].map(key);
        for (i, k) in keys.iter().enumerate() {
            assert!(k.starts_with("pkce-wasm:tokens:") && k.len() == "pkce-wasm:tokens:".len() + 22, "{k}");
            assert!(keys[i + 1..].iter().all(|other| other != k), "{k} is shared");
        }
        assert_eq!(key(&a), key(&a.clone()), "stable for one client");
    }

    #[test]
    fn lock_names_are_valid_for_any_prefix() {
        let mut config = config::sample();
        config.storage_prefix = "-p".into();
        assert!(!lock_name(&config).starts_with('-'));
        assert!(lock_name(&config).ends_with(&key(&config)));
    }

    #[test]
    fn replace_if_writes_only_over_what_it_started_from() {
        let store = FakeStore::default();
        assert!(replace_if(&store, "k", None, Some("a")).unwrap(), "empty, as expected");
        assert!(!replace_if(&store, "k", None, Some("b")).unwrap(), "a newer record is kept");
        assert!(!replace_if(&store, "k", Some("x"), None).unwrap());
        assert_eq!(store.get("k").unwrap().as_deref(), Some("a"));
        assert!(replace_if(&store, "k", Some("a"), Some("b")).unwrap());
        store.remove("k").unwrap(); // clear() while a refresh that started from "b" runs
        assert!(!replace_if(&store, "k", Some("b"), Some("c")).unwrap(), "a cleared holder stays empty");
        assert_eq!(store.get("k").unwrap(), None);
    }
}
