//! The mock tenant's state file: JSON from [`MockTenant::to_json`], written atomically under a lock.
//!
//! Why each piece:
//! - **Lock** on a sidecar `<file>.lock` (fs4 `flock`), held from load to save: concurrent
//!   `consentctl` processes serialise their load-modify-save, so none loses another's write. The
//!   lock is on a sidecar because the state file itself is replaced by rename, and a lock on a
//!   replaced inode protects nothing.
//! - **Atomic write**: a temporary file in the same directory, fsynced, then renamed over the
//!   state file. A crash leaves either the old or the new file, never half of one.
//! - **Refuse, never repair**: a corrupt or newer-format file is reported and left byte-for-byte
//!   untouched; the user decides whether to move it aside.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use consent_mock::{MockTenant, Preset};
use fs4::fs_std::FileExt;

use crate::exit::{CliError, CliResult, StoreError};

/// Where the state file lives.
#[derive(Debug, Clone)]
pub struct MockStore {
    path: PathBuf,
}

impl MockStore {
    /// A store at `path`.
    pub fn new(path: PathBuf) -> Self {
        Self { path }
    }

    /// `<data dir>/entra-consent/mock-tenant.json` (e.g. `~/.local/share/…` on Linux).
    pub fn default_path() -> CliResult<PathBuf> {
        dirs::data_dir()
            .map(|d| d.join("entra-consent").join("mock-tenant.json"))
            .ok_or_else(|| CliError::Usage("cannot find the user's data directory; pass --mock-state PATH".to_owned()))
    }

    /// The state file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Takes the exclusive lock, creating the directory if `create_dir` (only `mock init` does).
    pub fn lock(&self, create_dir: bool) -> CliResult<StoreLock> {
        let dir = self.dir();
        if create_dir {
            fs::create_dir_all(&dir).map_err(|e| self.err("its directory cannot be created", "check the path and permissions", e))?;
        } else if !dir.is_dir() {
            return Err(not_initialized(&self.path));
        }
        let lock_path = sidecar(&self.path);
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(&lock_path)
            .map_err(|e| self.err("its lock file cannot be opened", "check the directory's permissions", e))?;
        FileExt::lock_exclusive(&file).map_err(|e| self.err("cannot be locked", "check the directory's permissions", e))?;
        tracing::debug!(path = %self.path.display(), "mock state locked");
        // Every writer holds this lock while its temporary file exists, so any we find now was left
        // by a writer that was killed before its rename.
        remove_stale_temp_files(&dir, &self.path);
        Ok(StoreLock {
            path: self.path.clone(),
            _file: file,
        })
    }

    fn dir(&self) -> PathBuf {
        match self.path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        }
    }

    fn err(&self, problem: &str, hint: &str, source: io::Error) -> CliError {
        store_error(&self.path, problem, hint, Some(source))
    }
}

/// The exclusive lock on the state file; released when dropped (the lock file is closed).
#[derive(Debug)]
pub struct StoreLock {
    path: PathBuf,
    _file: File,
}

impl StoreLock {
    /// True when the state file exists.
    pub fn exists(&self) -> bool {
        self.path.exists()
    }

    /// Reads the tenant. A missing file says how to create one; a corrupt or newer-format file is
    /// an error and stays untouched.
    pub fn load(&self) -> CliResult<MockTenant> {
        let text = match fs::read_to_string(&self.path) {
            Ok(t) => t,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Err(not_initialized(&self.path)),
            Err(e) if e.kind() == io::ErrorKind::InvalidData => {
                return Err(store_error(
                    &self.path,
                    "is not UTF-8 text, so not a mock tenant",
                    UNTOUCHED,
                    Some(e),
                ))
            }
            Err(e) => return Err(store_error(&self.path, "cannot be read", "check its permissions", Some(e))),
        };
        MockTenant::from_json(&text).map_err(|e| store_error(&self.path, &format!("is not usable: {e}"), UNTOUCHED, None))
    }

    /// Writes the tenant atomically: temporary file in the same directory, fsync, rename.
    pub fn save(&self, tenant: &MockTenant) -> CliResult<()> {
        let dir = self.path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        let io_err = |e: io::Error| store_error(&self.path, "cannot be written", "check free space and permissions", Some(e));
        let prefix = temp_prefix(&self.path);
        let mut tmp = tempfile::Builder::new()
            .prefix(&prefix)
            .suffix(TEMP_SUFFIX)
            .tempfile_in(dir)
            .map_err(io_err)?;
        tmp.write_all(tenant.to_json().as_bytes()).map_err(io_err)?;
        tmp.as_file().sync_all().map_err(io_err)?;
        tmp.persist(&self.path).map_err(|e| io_err(e.error))?;
        sync_dir(dir);
        tracing::debug!(path = %self.path.display(), "mock state saved");
        Ok(())
    }
}

const UNTOUCHED: &str = "the file was left untouched; move it aside, or replace it with `consentctl mock init --preset NAME --force`";

/// Makes the rename durable on Unix. Best effort: the rename itself is already atomic.
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

const TEMP_SUFFIX: &str = ".tmp";

/// `.<state file name>.` — temporary files are named per state file, so cleaning up after one state
/// file never touches another's in-flight write in the same directory.
fn temp_prefix(path: &Path) -> String {
    format!(".{}.", path.file_name().map(|n| n.to_string_lossy()).unwrap_or_default())
}

/// Removes this state file's temporary files. Call only while holding its lock. Best effort: a file
/// that cannot be removed is logged and left, it never stops the command.
fn remove_stale_temp_files(dir: &Path, path: &Path) {
    let prefix = temp_prefix(path);
    let Ok(entries) = fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let ours = name.starts_with(&prefix) && name.ends_with(TEMP_SUFFIX) && name.len() > prefix.len() + TEMP_SUFFIX.len();
        if !ours || !entry.file_type().is_ok_and(|t| t.is_file()) {
            continue;
        }
        match fs::remove_file(entry.path()) {
            Ok(()) => tracing::info!(file = %entry.path().display(), "removed a temporary file left by an interrupted write"),
            Err(e) => tracing::warn!(file = %entry.path().display(), error = %e, "cannot remove a stale temporary file"),
        }
    }
}

fn sidecar(path: &Path) -> PathBuf {
    let mut name = path.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".lock");
    path.with_file_name(name)
}

fn store_error(path: &Path, problem: &str, hint: &str, source: Option<io::Error>) -> CliError {
    CliError::Store(StoreError {
        path: path.to_path_buf(),
        problem: problem.to_owned(),
        hint: hint.to_owned(),
        source,
    })
}

fn not_initialized(path: &Path) -> CliError {
    let presets: Vec<&str> = Preset::all().iter().map(|p| p.name()).collect();
    store_error(
        path,
        "does not exist",
        &format!(
            "create a mock tenant first: `consentctl mock init --preset NAME` (presets: {})",
            presets.join(", ")
        ),
        None,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store(dir: &tempfile::TempDir) -> MockStore {
        MockStore::new(dir.path().join("tenant.json"))
    }

    #[test]
    fn save_then_load_round_trips_and_leaves_no_temp_files() {
        let dir = tempfile::tempdir().unwrap();
        let s = store(&dir);
        let lock = s.lock(true).unwrap();
        let tenant = MockTenant::preset(Preset::WorkflowOn);
        lock.save(&tenant).unwrap();
        assert_eq!(lock.load().unwrap().to_json(), tenant.to_json());
        let names: Vec<String> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(names.iter().all(|n| !n.ends_with(".tmp")), "{names:?}");
    }

    #[test]
    fn missing_file_tells_the_user_to_init() {
        let dir = tempfile::tempdir().unwrap();
        let err = store(&dir).lock(false).unwrap().load().unwrap_err();
        assert!(err.hint().unwrap().contains("consentctl mock init --preset"), "{err}");
        let nested = MockStore::new(dir.path().join("no/such/dir/t.json"));
        assert!(matches!(nested.lock(false), Err(CliError::Store(_))));
        assert!(!dir.path().join("no").exists(), "a read must not create directories");
    }

    #[test]
    fn corrupt_file_is_refused_and_left_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let s = store(&dir);
        for bytes in [&b"{ not json"[..], &[0xff, 0xfe, 0x00][..], &br#"{"formatVersion": 999}"#[..]] {
            fs::write(s.path(), bytes).unwrap();
            let err = s.lock(false).unwrap().load().unwrap_err();
            assert!(err.to_string().contains("tenant.json"), "{err}");
            assert!(err.hint().unwrap().contains("untouched"));
            assert_eq!(fs::read(s.path()).unwrap(), bytes);
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        /// Whatever bytes the state file holds, loading never panics and never rewrites it.
        #[test]
        fn loading_arbitrary_bytes_never_panics_or_writes(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..512)) {
            let dir = tempfile::tempdir().unwrap();
            let s = store(&dir);
            fs::write(s.path(), &bytes).unwrap();
            let loaded = s.lock(false).unwrap().load();
            proptest::prop_assert!(loaded.is_err());
            proptest::prop_assert_eq!(fs::read(s.path()).unwrap(), bytes);
        }

        /// A real tenant file with arbitrary bytes spliced in loads or fails cleanly.
        #[test]
        fn loading_a_damaged_tenant_never_panics(at in 0usize..4000, junk in "[\\x00-\\x7f]{0,8}") {
            let dir = tempfile::tempdir().unwrap();
            let s = store(&dir);
            let mut text = MockTenant::preset(Preset::WorkflowOn).to_json();
            let at = text.char_indices().map(|(i, _)| i).nth(at % text.chars().count()).unwrap_or(0);
            text.insert_str(at, &junk);
            fs::write(s.path(), &text).unwrap();
            let _ = s.lock(false).unwrap().load();
            proptest::prop_assert_eq!(fs::read_to_string(s.path()).unwrap(), text);
        }
    }

    #[test]
    fn stale_temp_files_of_a_killed_writer_are_removed_under_the_lock() {
        let dir = tempfile::tempdir().unwrap();
        let s = store(&dir);
        let ours = dir.path().join(".tenant.json.Ab12Cd.tmp");
        let other_state = dir.path().join(".other.json.Ab12Cd.tmp");
        let unrelated = dir.path().join(".tenant.json.notes");
        for f in [&ours, &other_state, &unrelated] {
            fs::write(f, "half a tenant").unwrap();
        }
        let lock = s.lock(true).unwrap();
        assert!(!ours.exists(), "a leftover temporary file of this state file is removed");
        assert!(other_state.exists(), "another state file's in-flight write is left alone");
        assert!(unrelated.exists());
        lock.save(&MockTenant::preset(Preset::WorkflowOn)).unwrap();
        drop(lock);
        let temps = fs::read_dir(dir.path())
            .unwrap()
            .filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().starts_with(".tenant.json."))
            .count();
        assert_eq!(temps, 1, "only the unrelated file is left with the state file's prefix");
    }

    #[test]
    fn lock_is_exclusive_between_handles() {
        let dir = tempfile::tempdir().unwrap();
        let s = store(&dir);
        let held = s.lock(true).unwrap();
        let other = File::open(sidecar(s.path())).unwrap();
        assert!(!FileExt::try_lock_exclusive(&other).unwrap());
        drop(held);
        assert!(FileExt::try_lock_exclusive(&other).unwrap());
    }
}
