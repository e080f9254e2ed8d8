//! consentctl integration tests, one binary (one link step) with a module per area.

mod common;
mod docs;
mod emulator;
mod exit_codes;
mod graph_backend;
mod json_schema;
mod link;
mod procedures;
mod state_file;
