//! Nothing to use: this crate only hosts `tests/`, checks that read files across the workspace.
