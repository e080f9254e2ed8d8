//! The emulator's integration tests, in one binary: each test binary would link axum, reqwest and
//! graph-rs-sdk again, and link time is what a build spends most on.
#![allow(clippy::unwrap_used)] // tests: a panic is the right failure

mod admin;
mod admin_browser;
mod bad_input;
mod binary;
mod bounds;
mod browser;
mod common;
mod conformance_graph;
mod control;
mod fidelity;
mod graph_api;
mod link_health;
mod login;
mod over_time;
mod routes;
mod tenants;
mod traffic;
mod webdriver;
