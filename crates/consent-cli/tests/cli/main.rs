//! consentctl integration tests, one binary (one link step) with a module per area.
#![allow(clippy::unwrap_used)] // tests: a panic is the right failure

mod common;
mod diagnose;
mod emulator;
mod exit_codes;
mod graph_backend;
mod json_schema;
mod link;
mod polish;
mod procedures;
mod revoke;
mod state_file;
mod watch_fleet;
