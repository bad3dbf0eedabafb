//! Confab's domain vocabulary: ids, error codes, timestamps, modes, credentials,
//! validation and the domain types every other crate speaks.
//!
//! This crate does no I/O: no database, no network, no files, no clock reads other than
//! through [`time::Timestamp::now`], which callers may replace with a test clock upstream.

pub mod agent;
pub mod api_key;
pub mod booking;
pub mod budget;
pub mod contact;
pub mod conversation;
pub mod credential;
pub mod error;
pub mod event;
pub mod handoff;
pub mod hours;
pub mod ics;
pub mod id;
pub mod job;
pub mod knowledge;
pub mod member;
pub mod mode;
pub mod money;
pub mod object;
pub mod page;
pub mod sniff;
pub mod task;
pub mod ticket;
pub mod time;
pub mod validate;
pub mod webhook;
pub mod widget;

pub use error::{ErrorCode, FieldErrors};
pub use mode::Mode;
pub use time::Timestamp;
