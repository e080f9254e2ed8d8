//! The core's over-time and fleet workflows against mock tenants, in one test binary: `watch`
//! (approval mid-watch, throttling, deadline, expiry, cancellation) and `observe_many` /
//! `approve_many` (throttled and failing tenants, deadline, crash-and-resume through the journal).
#![allow(clippy::unwrap_used)] // tests: a panic is the right failure

mod fleet;
mod watch;
