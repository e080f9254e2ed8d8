//! consent-graph integration tests, one binary (one link step) with a module per area.
#![allow(clippy::unwrap_used)] // fixtures are constants; a panic is the right failure in tests

mod app_roles;
mod batch;
mod common;
mod errors;
mod fleet;
mod grants;
mod link_check;
mod paging;
mod policy;
mod requests;
mod retry;
mod revoke;
mod round_trips;
mod service_principals;
mod tokens;
