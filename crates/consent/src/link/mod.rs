//! Link flows (user authorize URL, callback classification, admin-consent link). Filled in by the link-flows work.
