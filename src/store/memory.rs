//! An in-memory backend: for native hosts, tests, and the edge.

use crate::map::SortedMap;

use super::{Backend, StoreError};

/// A [`Backend`] that never fails.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemoryStore(pub SortedMap<String, String>);

impl MemoryStore {
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }
}

impl Backend for MemoryStore {
    fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self.0.get(key).cloned())
    }
    fn set(&mut self, key: &str, value: &str) -> Result<(), StoreError> {
        self.0.insert(key.to_owned(), value.to_owned());
        Ok(())
    }
    fn remove(&mut self, key: &str) -> Result<(), StoreError> {
        self.0.remove(key);
        Ok(())
    }
    fn keys(&self) -> Result<Vec<String>, StoreError> {
        Ok(self.0.keys().cloned().collect())
    }
}
