//! Work that runs off the request path.

pub mod erasure_purge;
pub mod replies;
