//! The token holder's record where this tab keeps it synchronously: in memory (also the page's
//! part of a `worker` holder), in
//! `sessionStorage`, or `localStorage`'s copy of a `local` holder (whose authoritative copy is
//! IndexedDB's, reached by each driver asynchronously). Shared by both drivers' holders: the
//! Rust `Client` and the npm package's `Core`.
use alloc::string::String;
use core::cell::RefCell;

use super::WebStore;
use crate::config::{ClientConfig, TokenStorage};
use crate::error::Result;
use crate::holder;
use crate::platform::Store;

/// One client's record, under its bound key (`holder::key`).
pub struct HeldRecord {
    pub(crate) storage: TokenStorage,
    key: String,
    memory: RefCell<Option<String>>,
}

impl HeldRecord {
    /// The record of the client configured by `config`.
    pub fn new(config: &ClientConfig) -> Self {
        Self { storage: config.token_storage, key: holder::key(config), memory: RefCell::new(None) }
    }

    /// The storage key (also the IndexedDB key in `local` mode).
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The record as this tab reads it now (`localStorage`'s copy in `local` mode).
    pub fn read(&self) -> Result<Option<String>> {
        match self.storage {
            TokenStorage::Memory | TokenStorage::Worker => Ok(self.memory.borrow().clone()),
            TokenStorage::Session => WebStore::session()?.get(&self.key),
            TokenStorage::Local => WebStore::local()?.get(&self.key),
        }
    }

    /// In `memory`, `worker` and `session` mode: writes `text` (`None`: empties it), unconditionally when
    /// `expected` is `None`, else only over the record `expected` holds; true when it wrote.
    pub fn replace(&self, expected: Option<Option<&str>>, text: Option<&str>) -> Result<bool> {
        if !matches!(self.storage, TokenStorage::Memory | TokenStorage::Worker) {
            return holder::replace(&WebStore::session()?, &self.key, expected, text);
        }
        let mut held = self.memory.borrow_mut();
        if expected.is_some_and(|expected| held.as_deref() != expected) {
            return Ok(false);
        }
        *held = text.map(String::from);
        Ok(true)
    }

    /// In `local` mode: makes `localStorage`'s copy `text` (`None`: removes it).
    pub fn mirror(&self, text: Option<&str>) -> Result<()> {
        let store = WebStore::local()?;
        match text {
            Some(text) => store.set(&self.key, text),
            None => store.remove(&self.key),
        }
    }
}

/// The holder as `session::token` reads and writes it: at once in memory and Web Storage; in
/// `local` mode the runner reads and swaps IndexedDB's record and this tab's copy follows.
impl crate::session::token::Held for HeldRecord {
    fn read(&self) -> Result<Option<String>> {
        HeldRecord::read(self)
    }

    fn replace(&self, expected: Option<&str>, record: Option<&str>) -> Result<bool> {
        HeldRecord::replace(self, Some(expected), record)
    }

    fn shared(&self) -> bool {
        self.storage == TokenStorage::Local
    }

    fn mirror(&self, record: Option<&str>) -> Result<()> {
        HeldRecord::mirror(self, record)
    }
}
