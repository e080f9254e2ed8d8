//! The tenants one emulator serves (`--tenants N`): the tenant it was given, plus copies of that
//! tenant's starting state under their own tenant ids.
//!
//! Extra tenants are built on first use (a token request, a Graph call, a control call naming them),
//! so `--tenants 10000` costs a list of ids until a client touches a tenant; a built tenant costs
//! what one mock tenant costs (see `docs/emulator.md` for measured figures). Ids are derived from the
//! first tenant's id and the index, so the same run hands out the same ids every time.

use std::collections::HashMap;
use std::sync::{Mutex, RwLock};

use chrono::Duration;
use consent::TenantId;
use consent_mock::MockTenant;
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// The served tenants, in order; index 0 is the tenant given to the emulator.
pub(crate) struct Tenants {
    ids: Vec<TenantId>,
    by_uuid: HashMap<Uuid, usize>,
    /// The tenant given to the emulator (clones of it are held by the caller).
    first: MockTenant,
    /// A copy of `first` as it was at start: what reset restores.
    preset: MockTenant,
    /// What extra tenants are built from: the preset, or the state last loaded into every tenant.
    source: RwLock<MockTenant>,
    /// Tenants 1.. once built (slot `i - 1` for tenant `i`).
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
    /// `count` tenants (at least one): `first`, then copies of it.
    pub(crate) fn new(first: MockTenant, count: usize) -> Self {
        let first_id = first.tenant_id();
        let seed = first_id.as_uuid().unwrap_or_default();
        let mut ids = vec![first_id];
        ids.extend((1..count.max(1)).map(|i| TenantId::from_uuid(derived_id(seed, i))));
        let by_uuid = ids.iter().enumerate().filter_map(|(i, t)| t.as_uuid().map(|u| (u, i))).collect();
        let preset = first.fork();
        Self {
            source: RwLock::new(preset.fork()),
            preset,
            first,
            extra: RwLock::new(vec![None; ids.len() - 1]),
            by_uuid,
            ids,
            advanced: Mutex::new(Duration::zero()),
        }
    }

    /// Every tenant id, in order.
    pub(crate) fn ids(&self) -> &[TenantId] {
        &self.ids
    }

    /// How many tenants are served.
    pub(crate) fn len(&self) -> usize {
        self.ids.len()
    }

    /// The first tenant (the one given to the emulator).
    pub(crate) fn first(&self) -> &MockTenant {
        &self.first
    }

    /// The index of the tenant a path segment or query value names (its GUID, any case).
    pub(crate) fn index_of(&self, raw: &str) -> Option<usize> {
        let raw = raw.trim();
        if let Ok(u) = Uuid::parse_str(raw) {
            return self.by_uuid.get(&u).copied();
        }
        // A tenant given by domain: compare the text.
        self.ids.iter().position(|t| t.to_string().eq_ignore_ascii_case(raw))
    }

    /// Tenant `index`, built on first use; `None` past the end.
    pub(crate) fn get(&self, index: usize) -> Option<MockTenant> {
        if index == 0 {
            return Some(self.first.clone());
        }
        let slot = index.checked_sub(1)?;
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
        let advanced = *advanced;
        if advanced > Duration::zero() {
            built.advance(advanced);
        }
        *entry = Some(built.clone());
        Some(built)
    }

    /// Tenant `index` if it has been built (never builds one).
    pub(crate) fn peek(&self, index: usize) -> Option<MockTenant> {
        match index {
            0 => Some(self.first.clone()),
            i => read(&self.extra).get(i - 1).cloned().flatten(),
        }
    }

    /// How many tenants have been built so far (the first one included).
    pub(crate) fn built(&self) -> usize {
        1 + read(&self.extra).iter().filter(|t| t.is_some()).count()
    }

    /// Moves every tenant's clock by `by` (tenants not built yet start that much later).
    pub(crate) fn advance_all(&self, by: Duration) {
        let mut advanced = lock(&self.advanced);
        *advanced += by;
        self.first.advance(by);
        for t in read(&self.extra).iter().flatten() {
            t.advance(by);
        }
    }

    /// Every tenant back to its starting state (the first in place, the others rebuilt on next use).
    pub(crate) fn reset(&self) {
        let mut advanced = lock(&self.advanced);
        *advanced = Duration::zero();
        *write(&self.source) = self.preset.fork();
        self.first.restore_from(&self.preset);
        for slot in write(&self.extra).iter_mut() {
            *slot = None;
        }
    }

    /// Tenant `index` back to its starting state; false past the end.
    pub(crate) fn reset_one(&self, index: usize) -> bool {
        match index {
            0 => {
                self.first.restore_from(&self.preset);
                true
            }
            i => match write(&self.extra).get_mut(i - 1) {
                Some(t) => {
                    // Rebuilt on next use from the preset, not from a state loaded into all tenants.
                    *t = Some(self.preset.fork_as(self.ids[i].clone()));
                    true
                }
                None => false,
            },
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
        *write(&self.source) = state.fork();
        self.first.restore_from(&state.fork_as(self.ids[0].clone()));
        for (i, t) in read(&self.extra).iter().enumerate() {
            if let Some(t) = t {
                t.restore_from(&state.fork_as(self.ids[i + 1].clone()));
            }
        }
    }
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

fn read<T>(l: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    l.read().unwrap_or_else(|p| p.into_inner())
}

fn write<T>(l: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    l.write().unwrap_or_else(|p| p.into_inner())
}

fn lock<T>(l: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    l.lock().unwrap_or_else(|p| p.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use consent::Clock as _;
    use consent_mock::Preset;

    #[test]
    fn ids_are_distinct_stable_and_found_in_any_case() {
        let a = Tenants::new(MockTenant::preset(Preset::WorkflowWithReviewerGroup), 5);
        let b = Tenants::new(MockTenant::preset(Preset::WorkflowWithReviewerGroup), 5);
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
        let first = MockTenant::preset(Preset::WorkflowWithReviewerGroup);
        let start = first.clock().now();
        let t = Tenants::new(first.clone(), 3);
        let one = t.get(1).unwrap();
        t.advance_all(Duration::days(2));
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
}
