//! A row read under a row lock, the only thing an `update` of a mutable table accepts.
//!
//! PostgreSQL runs at READ COMMITTED with many connections, so writing back a row read
//! by a plain `SELECT` overwrites whatever another transaction committed in between
//! (a lost update). The store's `get_for_update` functions read with `FOR UPDATE`, which
//! holds concurrent writers of that row until this transaction ends, and hand the row
//! back as `Locked<T>`; a row this transaction inserted is locked by the insert. On
//! SQLite the single writer connection serialises write transactions already.

use std::ops::{Deref, DerefMut};

#[derive(Debug)]
pub struct Locked<T>(T);

impl<T> Locked<T> {
    /// Only the store locks rows (or inserts them) and may say so.
    pub(crate) fn new(row: T) -> Self {
        Locked(row)
    }

    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> Deref for Locked<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> DerefMut for Locked<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.0
    }
}
