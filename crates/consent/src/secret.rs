//! Secrets (client secrets, tokens, authorization codes, PKCE verifiers) that cannot be printed.
//!
//! Every secret type in the workspace is declared with [`secret_type!`](crate::secret_type): `Debug`
//! prints `[redacted]`, there is **no** `Display` (so `format!("{secret}")` is a compile error
//! instead of silently sending `[redacted]` somewhere), and the value is read with one accessor,
//! `.secret()`, at the one place it goes on the wire.
//!
//! ```
//! use consent::Secret;
//!
//! let s = Secret::new("hunter2");
//! assert_eq!(format!("{s:?}"), "[redacted]");
//! assert_eq!(s.secret(), "hunter2");
//! ```
//!
//! Formatting a secret with `{}` does not compile:
//!
//! ```compile_fail,E0277
//! let s = consent::Secret::new("hunter2");
//! let shown = format!("{}", s);
//! ```
//!
//! Nor does it for the link flow's secrets:
//!
//! ```compile_fail,E0277
//! fn show(v: &consent::link::PkceVerifier) -> String {
//!     format!("{v}")
//! }
//! ```

/// Declares a secret newtype over `String`: `Debug` prints `[redacted]`, no `Display`, and
/// `.secret()` reads the value. Attributes (docs, derives such as serde) pass through.
///
/// ```
/// consent::secret_type! {
///     /// A webhook signing key.
///     pub struct SigningKey;
/// }
/// let k = SigningKey("k3y".to_owned()); // the field is private to the declaring module
/// assert_eq!(format!("{k:?}"), "[redacted]");
/// assert_eq!(k.secret(), "k3y");
/// ```
#[macro_export]
macro_rules! secret_type {
    ($(#[$meta:meta])* $vis:vis struct $name:ident;) => {
        $(#[$meta])*
        #[derive(Clone, PartialEq, Eq)]
        $vis struct $name(String);

        impl $name {
            /// The secret value, for the one place that sends it. Never log it.
            pub fn secret(&self) -> &str {
                &self.0
            }

            /// True when the value is the empty string.
            pub fn is_empty(&self) -> bool {
                self.0.is_empty()
            }
        }

        impl ::core::fmt::Debug for $name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str("[redacted]")
            }
        }

        impl ::core::convert::From<$name> for String {
            fn from(s: $name) -> String {
                s.0
            }
        }
    };
}

secret_type! {
    /// A secret string with no further rules: a client secret, an access or refresh token.
    pub struct Secret;
}

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }
}

impl From<String> for Secret {
    fn from(s: String) -> Self {
        Self(s)
    }
}

impl From<&str> for Secret {
    fn from(s: &str) -> Self {
        Self(s.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted_and_the_value_is_reachable_only_through_secret() {
        let s = Secret::new("hunter2-very-secret");
        assert_eq!(format!("{s:?}"), "[redacted]");
        assert_eq!(format!("{:?}", Some(&s)), "Some([redacted])");
        assert_eq!(s.secret(), "hunter2-very-secret");
        assert!(Secret::new("").is_empty());
        assert_eq!(String::from(s), "hunter2-very-secret");
    }
}
