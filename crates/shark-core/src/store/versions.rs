//! Which Shark each machine runs, in the synced `device_versions` table
//! (`PRAGMA user_version` is per file and never synced): each machine
//! records its app and schema version, and every machine can tell that a
//! newer Shark uses the database and say which machine to update.
//!
//! The compatibility rule a newer version keeps, so older ones go on working:
//! it only adds (tables, columns with defaults or NULL, enum values); it never
//! drops, renames or changes the meaning of a column or value. An older build
//! then reads what it knows, keeps what it does not (a newer status is shown
//! by name and never rewritten) and refuses only what it cannot do safely
//! (leaving a status it does not know).

use serde::Serialize;
use turso::Connection;

use super::{Store, row};
use crate::error::{DbContext, Result};
use crate::time;

/// This build's app version.
pub const APP_VERSION: &str = env!("CARGO_PKG_VERSION");

/// How stale this machine's `last_seen` may get before it is written again
/// (one write a day at most, not one per open).
const SEEN_EVERY: chrono::TimeDelta = chrono::TimeDelta::hours(24);

/// A machine that runs a Shark with a newer schema than this build's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct NewerShark {
    pub device_id: String,
    pub device_name: String,
    pub app_version: String,
    pub schema_version: i64,
    /// This build's schema version.
    pub supported: i64,
}

impl NewerShark {
    /// "This database is used by Shark 0.2.0 on laptop; update this machine".
    pub fn message(&self) -> String {
        format!(
            "this database is used by Shark {} on {} (schema {}, this Shark knows {}); update Shark on this machine. It keeps working meanwhile: values it does not know are shown and kept, never rewritten",
            self.app_version, self.device_name, self.schema_version, self.supported
        )
    }
}

impl Store {
    /// Records this machine's versions when they changed or a day has passed.
    pub(crate) async fn record_version(&self) -> Result<()> {
        let id = self.device.id.clone();
        let schema = super::latest_version();
        let stored = row::query_opt(
            &*self.reader().await?,
            "SELECT app_version, schema_version, last_seen FROM device_versions WHERE id = ?1",
            vec![id.clone().into()],
            |r| {
                Ok((
                    row::text(r, 0).ok(),
                    row::int(r, 1).ok(),
                    row::text(r, 2).ok().and_then(|s| time::from_text(&s)),
                ))
            },
        )
        .await?;
        let now = time::now();
        if let Some((Some(app), Some(v), Some(seen))) = &stored
            && app == APP_VERSION
            && *v == schema
            && now.signed_duration_since(*seen) < SEEN_EVERY
        {
            return Ok(());
        }
        let now = time::to_text(&now);
        let exists = stored.is_some();
        self.write_bookkeeping(async |c: &Connection| {
            let sql = if exists {
                "UPDATE device_versions SET app_version = ?2, schema_version = ?3, last_seen = ?4 WHERE id = ?1"
            } else {
                "INSERT INTO device_versions (id, app_version, schema_version, last_seen) VALUES (?1, ?2, ?3, ?4)"
            };
            c.execute(sql, (id.clone(), APP_VERSION, schema, now.clone()))
                .await
                .db("recording this machine's Shark version")?;
            Ok(())
        })
        .await
    }

    /// The machine with the newest schema above this build's, if any. A row
    /// that cannot be read counts for nothing.
    pub async fn newer_shark(&self) -> Result<Option<NewerShark>> {
        let supported = super::latest_version();
        let rows = row::query_all(
            &*self.reader().await?,
            "SELECT v.id, COALESCE(d.name, v.id), v.app_version, v.schema_version
             FROM device_versions v LEFT JOIN devices d ON d.id = v.id
             WHERE v.schema_version > ?1",
            vec![supported.into()],
            |r| {
                Ok((|| {
                    Some(NewerShark {
                        device_id: row::text(r, 0).ok()?,
                        device_name: row::text(r, 1).ok()?,
                        app_version: row::text(r, 2).ok()?,
                        schema_version: row::int(r, 3).ok()?,
                        supported,
                    })
                })())
            },
        )
        .await?;
        Ok(rows.into_iter().flatten().max_by_key(|n| n.schema_version))
    }
}
