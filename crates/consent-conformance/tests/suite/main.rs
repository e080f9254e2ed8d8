//! The conformance suite's own tests, in one binary: the mock passes every scenario, the port is
//! object-safe, and a backend without request capabilities gets those scenarios skipped.

mod mock;
mod object_safety;
mod skips;
