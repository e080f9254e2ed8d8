//! The typed consent workflow.
