//! Permission values (`Calendars.ReadWrite`) and ordered, deduplicated sets of them.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::ids::truncate;

/// The longest `scope` string Graph stores on an `oauth2PermissionGrant`.
pub const MAX_SCOPE_STRING_LEN: usize = 3850;

/// The longest single permission value accepted (Graph's own values are far shorter).
pub const MAX_SCOPE_LEN: usize = 256;

/// One permission value as it appears on the wire, such as `Calendars.ReadWrite`, `offline_access`,
/// or a full resource-qualified value such as `https://graph.microsoft.com/.default`.
///
/// Values are case-sensitive on the wire but compared case-insensitively, as Entra does.
///
/// The value is shared (`Arc<str>`): scopes are copied into every set, union, coverage and
/// reason the workflow builds, and a copy is then a reference count, not an allocation.
#[derive(Clone, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Scope(Arc<str>);

impl Scope {
    /// Validates one permission value: non-empty, at most 256 characters, and only the characters a
    /// permission value or resource URI may contain (no spaces, quotes, or control characters).
    pub fn parse(s: &str) -> Result<Self> {
        Self::check(s)?;
        Ok(Self(Arc::from(s)))
    }

    /// [`parse`](Self::parse) of a value that is already shared: a valid one keeps `s` (a
    /// reference count) instead of copying it, as for the pending scopes of every consent request
    /// a snapshot reads.
    pub(crate) fn parse_shared(s: &Arc<str>) -> Result<Self> {
        Self::check(s)?;
        Ok(Self(Arc::clone(s)))
    }

    /// The shared value, for a Graph-shaped object that carries it as `Arc<str>` (a reference
    /// count, not a copy).
    pub fn to_shared(&self) -> Arc<str> {
        Arc::clone(&self.0)
    }

    fn check(s: &str) -> Result<()> {
        if s.is_empty() {
            return Err(Error::invalid("scope", "is empty"));
        }
        if s.len() > MAX_SCOPE_LEN {
            return Err(Error::invalid(
                "scope",
                format!("is {} characters; the limit is {MAX_SCOPE_LEN}", s.len()),
            ));
        }
        if let Some(c) = s.chars().find(|c| !is_scope_char(*c)) {
            return Err(Error::invalid(
                "scope",
                format!(
                    "{:?} contains {c:?}; separate scopes with single spaces and do not quote them",
                    truncate(s)
                ),
            ));
        }
        Ok(())
    }

    /// The value as sent on the wire.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// True for the OpenID Connect scopes that every resource accepts (`openid`, `profile`, `email`,
    /// `offline_access`).
    pub fn is_oidc(&self) -> bool {
        ["openid", "profile", "email", "offline_access"]
            .iter()
            .any(|o| self.0.eq_ignore_ascii_case(o))
    }
}

fn is_scope_char(c: char) -> bool {
    // A `match`, not a search of a string of allowed characters: every scope parsed runs this
    // once per character.
    c.is_ascii_alphanumeric()
        || matches!(
            c,
            '.' | '_' | '-' | ':' | '/' | '~' | '%' | '+' | '=' | '!' | '$' | '&' | '(' | ')' | '*' | ',' | ';' | '@'
        )
}

impl PartialEq for Scope {
    fn eq(&self, other: &Self) -> bool {
        self.0.eq_ignore_ascii_case(&other.0)
    }
}
impl std::hash::Hash for Scope {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        // Case-insensitive like `eq`, byte by byte rather than through a lowercased copy.
        for b in self.0.bytes() {
            state.write_u8(b.to_ascii_lowercase());
        }
        state.write_u8(0xff);
    }
}
impl FromStr for Scope {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Self::parse(s)
    }
}
impl TryFrom<String> for Scope {
    type Error = Error;
    fn try_from(s: String) -> Result<Self> {
        Self::parse(&s)
    }
}
impl From<Scope> for String {
    fn from(s: Scope) -> String {
        String::from(&*s.0)
    }
}
impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl fmt::Debug for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Scope({})", self.0)
    }
}

/// An ordered, deduplicated set of scopes whose space-separated wire form fits Graph's 3850-character
/// limit on a grant.
///
/// Order is first-seen order, so the wire form is stable; duplicates are dropped case-insensitively.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ScopeSet(Vec<Scope>);

impl ScopeSet {
    /// The empty set.
    pub fn new() -> Self {
        Self(Vec::new())
    }

    /// Parses the space-separated wire form (`"Calendars.ReadWrite User.Read"`). Runs of whitespace
    /// between values are tolerated, as Graph tolerates them in a stored grant.
    pub fn parse(s: &str) -> Result<Self> {
        let scopes = s.split_whitespace().map(Scope::parse).collect::<Result<Vec<_>>>()?;
        Self::from_scopes(scopes)
    }

    /// Builds a set from scopes, dropping duplicates.
    pub fn from_scopes(scopes: impl IntoIterator<Item = Scope>) -> Result<Self> {
        let scopes = scopes.into_iter();
        // Room for the scopes known to come (duplicates only leave some unused).
        let room = scopes.size_hint().0;
        Self::from_scopes_with_room(scopes, room)
    }

    /// [`from_scopes`](Self::from_scopes) with room for `room` scopes reserved first, for a caller
    /// that knows how many usually come when the iterator cannot tell (a filter).
    pub(crate) fn from_scopes_with_room(scopes: impl IntoIterator<Item = Scope>, room: usize) -> Result<Self> {
        let mut set = Self(Vec::with_capacity(room));
        for s in scopes {
            set.insert_unchecked(s);
        }
        set.check_len()?;
        Ok(set)
    }

    fn insert_unchecked(&mut self, s: Scope) {
        if !self.0.contains(&s) {
            self.0.push(s);
        }
    }

    fn check_len(&self) -> Result<()> {
        let len = self.wire_len();
        if len > MAX_SCOPE_STRING_LEN {
            return Err(Error::invalid(
                "scopes",
                format!("the space-separated list is {len} characters; Graph stores at most {MAX_SCOPE_STRING_LEN} on one grant"),
            ));
        }
        Ok(())
    }

    fn wire_len(&self) -> usize {
        self.0.iter().map(|s| s.0.len()).sum::<usize>() + self.0.len().saturating_sub(1)
    }

    /// Adds a scope; refuses it if the wire form would exceed 3850 characters.
    pub fn insert(&mut self, s: Scope) -> Result<()> {
        self.insert_unchecked(s);
        let r = self.check_len();
        if r.is_err() {
            self.0.pop();
        }
        r
    }

    /// The union of two sets, in `self`'s order followed by the new scopes of `other`.
    pub fn union(&self, other: &ScopeSet) -> Result<ScopeSet> {
        // `self` is already deduplicated (every constructor keeps that), so only `other`'s scopes
        // need the membership check.
        // Room for every scope of `other` up front: a clone has no spare capacity, so the first new
        // scope would otherwise copy the whole set again.
        let mut set = Self(Vec::with_capacity(self.0.len() + other.0.len()));
        set.0.extend(self.0.iter().cloned());
        for s in &other.0 {
            set.insert_unchecked(s.clone());
        }
        set.check_len()?;
        Ok(set)
    }

    /// The scopes of `self` that `other` lacks.
    pub fn difference(&self, other: &ScopeSet) -> ScopeSet {
        Self(self.0.iter().filter(|s| !other.contains(s)).cloned().collect())
    }

    /// True when every scope of `self` is in `other`.
    pub fn is_subset(&self, other: &ScopeSet) -> bool {
        self.0.iter().all(|s| other.contains(s))
    }

    /// Membership, case-insensitive.
    pub fn contains(&self, s: &Scope) -> bool {
        self.0.contains(s)
    }

    /// Number of scopes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The scopes in order.
    pub fn iter(&self) -> std::slice::Iter<'_, Scope> {
        self.0.iter()
    }

    /// The space-separated wire form.
    pub fn to_wire(&self) -> String {
        let mut wire = String::with_capacity(self.wire_len());
        for (i, s) in self.0.iter().enumerate() {
            if i > 0 {
                wire.push(' ');
            }
            wire.push_str(s.as_str());
        }
        wire
    }
}

impl<'a> IntoIterator for &'a ScopeSet {
    type Item = &'a Scope;
    type IntoIter = std::slice::Iter<'a, Scope>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}
impl FromStr for ScopeSet {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Self::parse(s)
    }
}
impl TryFrom<String> for ScopeSet {
    type Error = Error;
    fn try_from(s: String) -> Result<Self> {
        Self::parse(&s)
    }
}
impl From<ScopeSet> for String {
    fn from(s: ScopeSet) -> String {
        s.to_wire()
    }
}
impl fmt::Display for ScopeSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The wire form, as `to_wire` builds it, written piece by piece instead of copied first.
        for (i, s) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            f.write_str(s.as_str())?;
        }
        Ok(())
    }
}
impl fmt::Debug for ScopeSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ScopeSet({:?})", self.to_wire())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_dedups_and_keeps_order() {
        let s = ScopeSet::parse("Calendars.ReadWrite  User.Read offline_access user.read").unwrap();
        assert_eq!(s.to_wire(), "Calendars.ReadWrite User.Read offline_access");
        assert_eq!(s.len(), 3);
    }

    #[test]
    fn refuses_quotes_and_control_characters() {
        for bad in ["\"User.Read\"", "User.Read'", "Cal\u{7}endars", "a,b\u{0}"] {
            let err = ScopeSet::parse(bad).unwrap_err();
            assert!(matches!(err, Error::InvalidInput { field: "scope", .. }), "{bad:?}: {err:?}");
        }
    }

    #[test]
    fn refuses_more_than_3850_characters() {
        let many: Vec<String> = (0..400).map(|i| format!("Scope.Number{i:04}")).collect();
        let err = ScopeSet::parse(&many.join(" ")).unwrap_err();
        assert!(err.to_string().contains("3850"), "{err}");
    }

    #[test]
    fn union_difference_subset() {
        let a = ScopeSet::parse("User.Read Calendars.Read").unwrap();
        let b = ScopeSet::parse("calendars.read Calendars.ReadWrite").unwrap();
        assert_eq!(a.union(&b).unwrap().to_wire(), "User.Read Calendars.Read Calendars.ReadWrite");
        assert_eq!(b.difference(&a).to_wire(), "Calendars.ReadWrite");
        assert!(ScopeSet::parse("user.read").unwrap().is_subset(&a));
    }

    #[test]
    fn hash_agrees_with_case_insensitive_eq() {
        use std::collections::HashSet;
        let set: HashSet<Scope> = ["User.Read", "user.read", "USER.READ", "User.ReadBasic"]
            .iter()
            .map(|s| Scope::parse(s).unwrap())
            .collect();
        assert_eq!(set.len(), 2);
        assert!(set.contains(&Scope::parse("uSER.rEAD").unwrap()));
        assert_eq!(String::from(Scope::parse("Calendars.Read").unwrap()), "Calendars.Read");
    }

    #[test]
    fn serde_round_trip_uses_wire_form() {
        let s = ScopeSet::parse("User.Read offline_access").unwrap();
        let json = serde_json::to_string(&s).unwrap();
        assert_eq!(json, "\"User.Read offline_access\"");
        assert_eq!(serde_json::from_str::<ScopeSet>(&json).unwrap(), s);
        assert!(serde_json::from_str::<ScopeSet>("\"bad\\\"quote\"").is_err());
    }

    proptest::proptest! {
        #[test]
        fn scope_parsers_never_panic(s in "\\PC{0,300}") {
            let _ = ScopeSet::parse(&s);
            let _ = Scope::parse(&s);
        }

        #[test]
        fn wire_form_round_trips(v in proptest::collection::vec("[A-Za-z][A-Za-z.]{0,20}", 0..20)) {
            let set = ScopeSet::parse(&v.join(" ")).unwrap();
            proptest::prop_assert_eq!(ScopeSet::parse(&set.to_wire()).unwrap(), set);
        }
    }
}
