//! The synced `usage_days` table: this machine folds its measured sync
//! figures in (only ever its own rows), and every machine reads all rows to
//! show each machine's share. Measuring is the usage meter's (`usage::meter`).

use turso::Connection;

use super::{Store, new_id, row};
use crate::error::{DbContext, Result};
use crate::stored::Listing;
use crate::time;
use crate::usage::counters::{Counters, Unsent, should_fold};

/// One machine's figures for one day, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageDay {
    pub device_id: String,
    /// The machine's name from the devices table (its id when unknown).
    pub device_name: String,
    /// `YYYY-MM-DD`, UTC.
    pub day: String,
    pub counters: Counters,
}

impl Store {
    /// Every machine's figures from `from_day` (inclusive) on; a row that
    /// cannot be read counts for nothing (see [`Store::usage_listing`]).
    pub async fn usage_days(&self, from_day: &str) -> Result<Vec<UsageDay>> {
        Ok(self.usage_listing(from_day).await?.items)
    }

    /// [`Store::usage_days`] with the rows that cannot be read.
    pub async fn usage_listing(&self, from_day: &str) -> Result<Listing<UsageDay>> {
        row::query_listing(
            &*self.reader().await?,
            "SELECT u.device_id, COALESCE(d.name, u.device_id), u.day, u.rows_written,
                    u.bytes_sent, u.bytes_received, u.pushes, u.pulls, u.id
             FROM usage_days u LEFT JOIN devices d ON d.id = u.device_id
             WHERE u.day >= ?1 ORDER BY u.day, u.device_id",
            vec![from_day.to_string().into()],
            map,
        )
        .await
    }

    /// Before a push: writes this machine's unsent figures into its rows of
    /// the synced table when [`should_fold`] says so, then empties the file.
    pub(crate) async fn fold_usage(&self, other_pending: i64) -> Result<()> {
        let unsent = Unsent::load(&self.paths);
        if unsent.is_empty() {
            return Ok(());
        }
        let now = time::now();
        let device = self.device.id.clone();
        let today = crate::usage::counters::day_of(&now);
        let has_row_today = row::query_opt(
            &*self.reader().await?,
            "SELECT id FROM usage_days WHERE device_id = ?1 AND day = ?2 LIMIT 1",
            vec![device.clone().into(), today.into()],
            |_| Ok(()),
        )
        .await?
        .is_some();
        if !should_fold(&unsent, other_pending, has_row_today, now) {
            return Ok(());
        }
        let now = time::to_text(&now);
        // What is folded is taken from the file first (with anything the
        // meter recorded since the look above); a fold that fails or is
        // cancelled (the engine stopped, the pass timed out) puts it back.
        let taken = Taken {
            paths: &self.paths,
            figures: Some(Unsent::take(&self.paths)?),
        };
        let figures = taken.figures.as_ref().map(|u| &u.days);
        self.write_bookkeeping(async |c: &Connection| {
            for (day, add) in figures.into_iter().flatten() {
                fold_day(c, &device, day, add, &now).await?;
            }
            Ok(())
        })
        .await?;
        taken.folded();
        Ok(())
    }
}

/// Figures taken from the unsent file for a fold: put back when dropped
/// unless the fold committed them.
struct Taken<'a> {
    paths: &'a crate::paths::SharkPaths,
    figures: Option<Unsent>,
}

impl Taken<'_> {
    fn folded(mut self) {
        self.figures = None;
    }
}

impl Drop for Taken<'_> {
    fn drop(&mut self) {
        if let Some(figures) = self.figures.take()
            && let Err(e) = Unsent::put_back(self.paths, &figures)
        {
            tracing::warn!("cannot keep the sync figures a failed fold took: {e}");
        }
    }
}

const NAMES: &[&str] = &[
    "device_id",
    "device name",
    "day",
    "rows_written",
    "bytes_sent",
    "bytes_received",
    "pushes",
    "pulls",
    "id",
];

fn map(r: &turso::Row) -> row::Parsed<UsageDay> {
    let mut f = row::Fields::new(r, NAMES);
    let mut n = |i| {
        let v = f.int(i);
        u64::try_from(v).unwrap_or_else(|_| {
            f.bad(i, v.to_string(), "a figure cannot be negative");
            0
        })
    };
    let counters = Counters {
        rows_written: n(3),
        bytes_sent: n(4),
        bytes_received: n(5),
        pushes: n(6),
        pulls: n(7),
    };
    let day = UsageDay {
        device_id: f.text(0),
        device_name: f.text(1),
        day: f.text(2),
        counters,
    };
    let id = f.text(8);
    let id_ok = f.ok(8);
    f.finish("usage_days", id_ok.then_some(id), None, None, day)
}

async fn fold_day(
    c: &Connection,
    device: &str,
    day: &str,
    add: &Counters,
    now: &str,
) -> Result<()> {
    let existing = row::query_opt(
        c,
        // Only a row whose figures are numbers is added to (one holding
        // something else is left as it is, and a new row is added).
        "SELECT id FROM usage_days WHERE device_id = ?1 AND day = ?2
           AND typeof(rows_written) = 'integer' AND typeof(bytes_sent) = 'integer'
           AND typeof(bytes_received) = 'integer' AND typeof(pushes) = 'integer'
           AND typeof(pulls) = 'integer'
           AND min(rows_written, bytes_sent, bytes_received, pushes, pulls) >= 0
         ORDER BY id LIMIT 1",
        vec![device.to_string().into(), day.to_string().into()],
        // A row whose id cannot be read is left alone (a new one is added).
        |r| Ok(row::text(r, 0).ok()),
    )
    .await?
    .flatten();
    let v = |x: u64| turso::Value::Integer(i64::try_from(x).unwrap_or(i64::MAX));
    let figures = [
        v(add.rows_written),
        v(add.bytes_sent),
        v(add.bytes_received),
        v(add.pushes),
        v(add.pulls),
    ];
    let (sql, first): (&str, Vec<turso::Value>) = match existing {
        Some(id) => (
            "UPDATE usage_days SET rows_written = rows_written + ?2,
                bytes_sent = bytes_sent + ?3, bytes_received = bytes_received + ?4,
                pushes = pushes + ?5, pulls = pulls + ?6, updated_at = ?7 WHERE id = ?1",
            vec![id.into()],
        ),
        None => (
            "INSERT INTO usage_days (id, rows_written, bytes_sent, bytes_received, pushes,
                pulls, updated_at, device_id, day)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            vec![new_id().into()],
        ),
    };
    let mut params = first;
    params.extend(figures);
    params.push(now.to_string().into());
    if sql.starts_with("INSERT") {
        params.push(device.to_string().into());
        params.push(day.to_string().into());
    }
    c.execute(sql, params).await.db("recording sync figures")?;
    Ok(())
}
