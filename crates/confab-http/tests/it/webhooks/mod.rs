//! Webhooks end to end: a real server, a real dispatcher and a real receiver on
//! 127.0.0.1, with a compressed retry schedule so retries take milliseconds.

mod delivery;
mod endpoints;
mod retries;
pub mod verifier;
