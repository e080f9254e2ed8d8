//! The tenants one emulator serves (`--tenants N`): the tenants it was given, plus copies of the
//! first one's starting state under their own tenant ids.
//!
//! Extra tenants are built on first use (a token request, a Graph call, a control call naming them),
//! so `--tenants 10000` costs a list of ids until a client touches a tenant; a built tenant costs
//! what one mock tenant costs (see `docs/emulator.md` for measured figures). Ids are derived from the
//! first tenant's id and the index, so the same run hands out the same ids every time.

use std::collections::HashMap;
use std::sync::{Mutex, RwLock};

use chrono::Duration;
use consent::{Error, TenantId};
use consent_mock::MockTenant;
use sha2::{Digest, Sha256};

use crate::sync::{lock, read, write};
use uuid::Uuid;

/// The most tenants one emulator serves (ids alone cost ~100 bytes each).
pub(crate) const MAX_TENANTS: usize = 1_000_000;

/// A tenant given to the emulator, with a copy of how it started (what reset restores).
struct Given {
    tenant: MockTenant,
    start: MockTenant,
}

/// The served tenants, in order: the given ones, then copies of the first given one.
pub(crate) struct Tenants {
    ids: Vec<TenantId>,
    by_uuid: HashMap<Uuid, usize>,
    /// The tenants given to the emulator (clones of them are held by the caller).
    given: Vec<Given>,
    /// What extra tenants are built from: the first given tenant's start, or the state last loaded
    /// into every tenant.
    source: RwLock<MockTenant>,
    /// Tenants `given.len()..` once built (slot `i - given.len()` for tenant `i`).
    extra: RwLock<Vec<Option<MockTenant>>>,
    /// Time moved on every tenant since start (or reset): applied to an extra tenant when it is built.
    advanced: Mutex<Duration>,
}

impl std::fmt::Debug for Tenants {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tenants")
            .field("count", &self.ids.len())
            .field("first", &self.ids.first())
            .finish_non_exhaustive()
    }
}

impl Tenants {
    /// The ids [`new`](Self::new) would serve, with their index; `new`'s errors without building.
    pub(crate) fn check(given: &[MockTenant], count: usize) -> consent::Result<(Vec<TenantId>, HashMap<Uuid, usize>)> {
        if count > MAX_TENANTS {
            return Err(Error::invalid(
                "tenants",
                format!("{count} is more than the {MAX_TENANTS} one emulator serves"),
            ));
        }
        if given.is_empty() {
            return Err(Error::invalid("tenants", "give the emulator at least one tenant"));
        }
        let mut ids: Vec<TenantId> = given.iter().map(MockTenant::tenant_id).collect();
        let seed = ids[0].as_uuid().unwrap_or_default();
        let mut next = ids.len();
        while ids.len() < count {
            ids.push(TenantId::from_uuid(derived_id(seed, next)));
            next += 1;
        }
        let mut by_uuid = HashMap::new();
        for (i, id) in ids.iter().enumerate() {
            let key = id.as_uuid().unwrap_or_else(|| derived_id(Uuid::nil(), i));
            if by_uuid.insert(key, i).is_some() || ids[..i].contains(id) {
                return Err(Error::invalid(
                    "tenants",
                    format!("tenant {id} is given twice; every tenant needs its own id"),
                ));
            }
        }
        Ok((ids, by_uuid))
    }

    /// `count` tenants (at least as many as given): the `given` ones, then copies of the first.
    ///
    /// # Errors
    /// `InvalidInput` when nothing is given or two given tenants share an id.
    pub(crate) fn new(given: Vec<MockTenant>, count: usize) -> consent::Result<Self> {
        let (ids, by_uuid) = Self::check(&given, count)?;
        let first = &given[0];
        let source = RwLock::new(first.fork());
        let extra = RwLock::new(vec![None; ids.len() - given.len()]);
        let given = given
            .into_iter()
            .map(|tenant| Given {
                start: tenant.fork(),
                tenant,
            })
            .collect();
        Ok(Self {
            ids,
            by_uuid,
            given,
            source,
            extra,
            advanced: Mutex::new(Duration::zero()),
        })
    }

    /// Every tenant id, in order.
    pub(crate) fn ids(&self) -> &[TenantId] {
        &self.ids
    }

    /// How many tenants are served.
    pub(crate) fn len(&self) -> usize {
        self.ids.len()
    }

    /// The first tenant.
    pub(crate) fn first(&self) -> &MockTenant {
        &self.given[0].tenant
    }

    /// The index of the tenant a path segment or query value names (its GUID in any case, or the
    /// domain it was given by).
    pub(crate) fn index_of(&self, raw: &str) -> Option<usize> {
        let raw = raw.trim();
        if let Ok(u) = Uuid::parse_str(raw) {
            return self.by_uuid.get(&u).copied();
        }
        self.ids.iter().position(|t| t.to_string().eq_ignore_ascii_case(raw))
    }

    /// Tenant `index`, built on first use; `None` past the end.
    pub(crate) fn get(&self, index: usize) -> Option<MockTenant> {
        if let Some(g) = self.given.get(index) {
            return Some(g.tenant.clone());
        }
        let slot = index.checked_sub(self.given.len())?;
        if let Some(Some(t)) = read(&self.extra).get(slot) {
            return Some(t.clone());
        }
        // Lock order everywhere: `advanced`, then `extra`, then `source` (never `advanced` after `extra`).
        let advanced = lock(&self.advanced);
        let mut extra = write(&self.extra);
        let entry = extra.get_mut(slot)?;
        if let Some(t) = entry {
            return Some(t.clone());
        }
        let built = read(&self.source).fork_as(self.ids[index].clone());
        if *advanced > Duration::zero() {
            built.advance(*advanced);
        }
        *entry = Some(built.clone());
        Some(built)
    }

    /// How many tenants exist so far (the given ones included).
    pub(crate) fn built(&self) -> usize {
        self.given.len() + read(&self.extra).iter().filter(|t| t.is_some()).count()
    }

    /// Moves every tenant's clock by `by` (tenants not built yet start that much later); false,
    /// moving nothing, when some tenant's clock would pass the year 9999.
    pub(crate) fn advance_all(&self, by: Duration) -> bool {
        let mut advanced = lock(&self.advanced);
        let built: Vec<MockTenant> = read(&self.extra).iter().flatten().cloned().collect();
        // Tenants not built yet will start from `source` moved by everything advanced so far.
        let all_fit = self.given.iter().map(|g| &g.tenant).chain(&built).all(|t| fits(t, by)) && fits(&read(&self.source), *advanced + by);
        if !all_fit {
            return false;
        }
        *advanced += by;
        for g in &self.given {
            g.tenant.advance(by);
        }
        for t in read(&self.extra).iter().flatten() {
            t.advance(by);
        }
        true
    }

    /// Every tenant back to its starting state (given ones in place, the others rebuilt on next use).
    pub(crate) fn reset(&self) {
        let mut advanced = lock(&self.advanced);
        *advanced = Duration::zero();
        for g in &self.given {
            g.tenant.restore_from(&g.start);
        }
        for slot in write(&self.extra).iter_mut() {
            *slot = None;
        }
        *write(&self.source) = self.given[0].start.fork();
    }

    /// Tenant `index` back to its starting state; false past the end.
    pub(crate) fn reset_one(&self, index: usize) -> bool {
        if let Some(g) = self.given.get(index) {
            g.tenant.restore_from(&g.start);
            return true;
        }
        let mut extra = write(&self.extra);
        match extra.get_mut(index - self.given.len()) {
            Some(slot) => {
                // From the preset, not from a state loaded into all tenants.
                *slot = Some(self.given[0].start.fork_as(self.ids[index].clone()));
                true
            }
            None => false,
        }
    }

    /// Loads `state` into tenant `index` (keeping the tenant's id); false past the end.
    pub(crate) fn load_one(&self, index: usize, state: &MockTenant) -> bool {
        match self.get(index) {
            Some(t) => {
                t.restore_from(&state.fork_as(self.ids[index].clone()));
                true
            }
            None => false,
        }
    }

    /// Loads `state` into every tenant, each keeping its id; tenants not built yet are built from it.
    pub(crate) fn load_all(&self, state: &MockTenant) {
        let mut advanced = lock(&self.advanced);
        *advanced = Duration::zero();
        for (g, id) in self.given.iter().zip(&self.ids) {
            g.tenant.restore_from(&state.fork_as(id.clone()));
        }
        let offset = self.given.len();
        for (i, t) in read(&self.extra).iter().enumerate() {
            if let Some(t) = t {
                t.restore_from(&state.fork_as(self.ids[i + offset].clone()));
            }
        }
        *write(&self.source) = state.fork();
    }
}

/// True when `t`'s clock can move by `by` and stay at or before the year 9999.
pub(crate) fn fits(t: &MockTenant, by: Duration) -> bool {
    use chrono::Datelike as _;
    use consent::Clock as _;
    t.clock().now().checked_add_signed(by).is_some_and(|d| d.year() <= 9999)
}

/// A random-looking GUID that depends only on the first tenant's id and the index.
fn derived_id(seed: Uuid, index: usize) -> Uuid {
    let mut h = Sha256::new();
    h.update(seed.as_bytes());
    h.update((index as u64).to_le_bytes());
    let digest = h.finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_random_bytes(bytes).into_uuid()
}

#[cfg(test)]
mod tests {
    use super::*;
    use consent::Clock as _;
    use consent_mock::Preset;

    #[test]
    fn ids_are_distinct_stable_and_found_in_any_case() {
        let a = Tenants::new(vec![MockTenant::preset(Preset::WorkflowOn)], 5).unwrap();
        let b = Tenants::new(vec![MockTenant::preset(Preset::WorkflowOn)], 5).unwrap();
        assert_eq!(a.ids(), b.ids(), "deterministic");
        let mut uniq: Vec<String> = a.ids().iter().map(ToString::to_string).collect();
        uniq.sort();
        uniq.dedup();
        assert_eq!(uniq.len(), 5);
        let third = a.ids()[2].to_string().to_ascii_uppercase();
        assert_eq!(a.index_of(&third), Some(2));
        assert_eq!(a.index_of("not-a-tenant"), None);
        assert_eq!(a.built(), 1, "extra tenants are built lazily");
        assert_eq!(a.get(4).unwrap().tenant_id(), a.ids()[4]);
        assert!(a.get(5).is_none());
        assert_eq!(a.built(), 2);
    }

    #[test]
    fn advancing_reaches_unbuilt_tenants_and_reset_rewinds_all() {
        let first = MockTenant::preset(Preset::WorkflowOn);
        let start = first.clock().now();
        let t = Tenants::new(vec![first.clone()], 3).unwrap();
        let one = t.get(1).unwrap();
        assert!(t.advance_all(Duration::days(2)));
        assert!(!t.advance_all(Duration::days(366 * 9000)), "past the year 9999");
        assert_eq!(one.clock().now(), start + Duration::days(2));
        assert_eq!(
            t.get(2).unwrap().clock().now(),
            start + Duration::days(2),
            "built after the advance"
        );
        assert_eq!(first.clock().now(), start + Duration::days(2));
        t.reset();
        assert_eq!(first.clock().now(), start, "the caller's clone is rewound in place");
        assert_eq!(t.get(2).unwrap().clock().now(), start);
        assert_eq!(t.built(), 2);
    }

    #[test]
    fn given_tenants_come_first_and_must_differ() {
        let a = MockTenant::preset(Preset::WorkflowOn);
        let other = consent::TenantId::parse("11111111-2222-4333-8444-555555555555").unwrap();
        let b = MockTenant::preset(Preset::UserConsentDisabled).fork_as(other.clone());
        let t = Tenants::new(vec![a.clone(), b], 4).unwrap();
        assert_eq!(t.ids()[1], other);
        assert_eq!(t.index_of(&other.to_string()), Some(1));
        assert_eq!(t.len(), 4);
        assert!(Tenants::new(vec![a.clone(), a.clone()], 2).is_err(), "same id twice");
        assert!(Tenants::new(Vec::new(), 2).is_err());
    }
}
