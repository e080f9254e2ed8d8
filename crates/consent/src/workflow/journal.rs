//! The journal of a fleet approval: an append-only file of JSON lines, one per tenant event, each
//! flushed to disk (`fsync`) before the run goes on, so a run that crashed can resume with the
//! tenants it had not finished.
//!
//! A line looks like
//! `{"at":"2026-11-30T12:00:00Z","app_id":"…","tenant_id":"…","event":"done"}`. Lines for other apps
//! are kept and ignored; a torn last line (the crash happened mid-write) is ignored too.
//!
//! Writes are small and synchronous (`write` + `fdatasync` on the calling task): one line per tenant
//! event is cheap next to the Graph round trips it records, and a journal that returned before the
//! line was durable would not survive the crash it exists for.

use std::collections::HashSet;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::ids::{AppId, TenantId};

/// What happened to one tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum JournalEvent {
    /// Work on the tenant began.
    Started,
    /// The tenant is approved; a resumed run skips it.
    Done,
    /// The tenant failed; a resumed run tries it again.
    Failed {
        /// Why.
        error: String,
    },
}

/// One line of the journal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalEntry {
    /// When, on the tenant's clock.
    pub at: DateTime<Utc>,
    /// The app being approved.
    pub app_id: AppId,
    /// The tenant.
    pub tenant_id: TenantId,
    /// What happened.
    #[serde(flatten)]
    pub event: JournalEvent,
}

/// An open journal for one app.
#[derive(Debug)]
pub struct Journal {
    path: Option<PathBuf>,
    app_id: AppId,
    file: Mutex<Option<File>>,
    done: Mutex<HashSet<String>>,
}

impl Journal {
    /// Opens (or creates) the journal at `path` for `app_id` and reads which tenants are done.
    ///
    /// # Errors
    /// `InvalidInput` (field `journal`) when the file cannot be opened, read or created.
    pub fn open(path: impl AsRef<Path>, app_id: AppId) -> Result<Self> {
        let path = path.as_ref().to_path_buf();
        let io = |what: &str, e: std::io::Error| Error::invalid("journal", format!("cannot {what} {}: {e}", path.display()));
        let file = OpenOptions::new()
            .create(true)
            .read(true)
            .append(true)
            .open(&path)
            .map_err(|e| io("open", e))?;
        let mut done = HashSet::new();
        let mut text = String::new();
        std::io::Read::read_to_string(&mut &file, &mut text).map_err(|e| io("read", e))?;
        if !text.is_empty() && !text.ends_with('\n') {
            // End a torn last line, so the next entry starts on a line of its own.
            (&file)
                .write_all(b"\n")
                .and_then(|()| file.sync_data())
                .map_err(|e| io("repair", e))?;
        }
        for line in text.lines() {
            // A line that does not parse is the torn end of a crashed write (or not ours): skip it.
            let Ok(entry) = serde_json::from_str::<JournalEntry>(line) else {
                continue;
            };
            if entry.app_id == app_id {
                mark(&mut done, &entry.tenant_id, &entry.event);
            }
        }
        Ok(Self {
            path: Some(path),
            app_id,
            file: Mutex::new(Some(file)),
            done: Mutex::new(done),
        })
    }

    /// A journal that keeps nothing (every tenant runs; nothing is written).
    pub fn disabled(app_id: AppId) -> Self {
        Self {
            path: None,
            app_id,
            file: Mutex::new(None),
            done: Mutex::new(HashSet::new()),
        }
    }

    /// The file, unless disabled.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// True when a run recorded `tenant` as done for this app.
    pub fn is_done(&self, tenant: &TenantId) -> bool {
        self.done.lock().unwrap_or_else(|p| p.into_inner()).contains(&key(tenant))
    }

    /// How many tenants are done.
    pub fn done_count(&self) -> usize {
        self.done.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    /// Appends one event and flushes it to disk before returning.
    ///
    /// # Errors
    /// `InvalidInput` (field `journal`) when the write or the flush fails.
    pub fn record(&self, tenant: &TenantId, event: JournalEvent, at: DateTime<Utc>) -> Result<()> {
        let entry = JournalEntry {
            at,
            app_id: self.app_id,
            tenant_id: tenant.clone(),
            event,
        };
        let mut line = serde_json::to_vec(&entry).map_err(|e| Error::invalid("journal", format!("cannot encode an entry: {e}")))?;
        line.push(b'\n');
        let mut file = self.file.lock().unwrap_or_else(|p| p.into_inner());
        let Some(f) = file.as_mut() else {
            return Ok(()); // disabled: remembers nothing
        };
        // One write of one whole line, then fsync: a crash leaves at most a torn last line.
        f.write_all(&line).and_then(|()| f.sync_data()).map_err(|e| {
            let path = self.path.as_deref().unwrap_or(Path::new("")).display().to_string();
            Error::invalid("journal", format!("cannot write {path}: {e}"))
        })?;
        drop(file);
        mark(&mut self.done.lock().unwrap_or_else(|p| p.into_inner()), tenant, &entry.event);
        Ok(())
    }
}

/// Keeps the set of done tenants in step with one event, the same when reading the file and when
/// appending to it.
fn mark(done: &mut HashSet<String>, tenant: &TenantId, event: &JournalEvent) {
    match event {
        JournalEvent::Done => {
            done.insert(key(tenant));
        }
        // A later failure (e.g. the app was revoked and the run repeated) reopens it.
        JournalEvent::Failed { .. } => {
            done.remove(&key(tenant));
        }
        JournalEvent::Started => {}
    }
}

/// Tenant ids compare case-insensitively (domains and GUIDs alike).
fn key(tenant: &TenantId) -> String {
    tenant.to_string().to_ascii_lowercase()
}
