//! Epics: create, list, find by key. Numbers are allocated here (next free one)
//! inside the write transaction, so one machine never hands out a key twice.
//! Should two machines offline both create `E03`, the oldest row keeps the key
//! when looked up (`ORDER BY created_at, id`), until its creator renumbers the other.

use turso::{Connection, Row};

use super::rollup::Rollup;
use super::{Store, new_id, row};
use crate::error::{DbContext, Error, Result};
use crate::keys::EpicKey;
use crate::model::{Epic, Level, PlanStatus, validate_opt_text, validate_title};
use crate::plan_status::{self, StatusSource};
use crate::stored::Listing;
use crate::time;

/// What a user gives to create an epic.
#[derive(Debug, Clone, Default)]
pub struct NewEpic {
    pub title: String,
    pub description: Option<String>,
    pub priority: Option<Level>,
    pub business_value: Option<Level>,
    /// A status set by hand; `None` (or draft) follows the work.
    pub status: Option<PlanStatus>,
}

impl NewEpic {
    /// An epic with a title and nothing else set.
    pub fn titled(title: impl Into<String>) -> Self {
        NewEpic {
            title: title.into(),
            ..Default::default()
        }
    }
}

const COLS: &str =
    "id, number, title, description, status, priority, business_value, created_at, updated_at";

/// Deterministic winner when two rows share a number: the oldest.
pub(crate) const OLDEST_FIRST: &str = "ORDER BY created_at, id";

/// A stored key number (1..=9999), stored as an integer (as lookups compare
/// it; text that looks like a number is damage, see `Fields::number`).
pub(crate) fn number_of(r: &Row, i: usize) -> Result<u32> {
    let n = match r.get_value(i) {
        Ok(turso::Value::Integer(n)) => n,
        _ => return Err(Error::Corrupt(format!("column {i} is not a key number"))),
    };
    u32::try_from(n)
        .ok()
        .filter(|n| crate::keys::in_range(*n))
        .ok_or_else(|| Error::Corrupt(format!("key number {n} is out of range")))
}

const NAMES: &[&str] = &[
    "id",
    "number",
    "title",
    "description",
    "status",
    "priority",
    "business_value",
    "created_at",
    "updated_at",
];

pub(crate) fn map(r: &Row) -> row::Parsed<Epic> {
    let mut f = row::Fields::new(r, NAMES);
    let id = f.text(0);
    let number = f.number(1);
    let title = f.text(2);
    let epic = Epic {
        id: id.clone(),
        key: EpicKey(number).to_string(),
        title: title.clone(),
        description: f.opt_text(3),
        status: f.stored(4, PlanStatus::from_stored, PlanStatus::Draft),
        status_source: StatusSource::Calculated,
        priority: f.stored(5, Level::from_stored, Level::Medium),
        business_value: f.opt_stored(6, Level::from_stored),
        progress_pct: 0.0,
        feature_count: 0,
        task_count: 0,
        created_at: f.ts(7),
        updated_at: f.ts(8),
    };
    let (id_ok, key_ok, title_ok) = (f.ok(0), f.ok(1), f.ok(2));
    f.finish(
        "epics",
        id_ok.then_some(id),
        key_ok.then(|| epic.key.clone()),
        title_ok.then_some(title),
        epic,
    )
}

/// The first row of a lookup: a damaged one is an error that says what it holds.
pub(crate) fn found<T>(rows: Vec<row::Parsed<T>>) -> Result<Option<T>> {
    match rows.into_iter().next() {
        None => Ok(None),
        Some(Ok(v)) => Ok(Some(v)),
        Some(Err(d)) => Err(Error::Unreadable(Box::new(d))),
    }
}

/// The epic with this key, if any (the oldest, should a sync ever leave two).
pub(crate) async fn by_key(conn: &Connection, key: EpicKey) -> Result<Option<Epic>> {
    found(
        row::query_all(
            conn,
            &format!("SELECT {COLS} FROM epics WHERE number = ?1 {OLDEST_FIRST} LIMIT 1"),
            vec![key.0.into()],
            |r| Ok(map(r)),
        )
        .await?,
    )
}

/// The id of the epic with this key, if any (the oldest), reading nothing
/// else: a lookup below an epic works even when another of its columns
/// cannot be read.
pub(crate) async fn id_of(conn: &Connection, key: EpicKey) -> Result<Option<String>> {
    let ids = row::query_all(
        conn,
        &format!(
            "SELECT id FROM epics WHERE number = ?1 AND typeof(id) = 'text' {OLDEST_FIRST} LIMIT 1"
        ),
        vec![key.0.into()],
        |r| Ok(row::text(r, 0).ok()),
    )
    .await?;
    Ok(ids.into_iter().flatten().next())
}

/// Like [`id_of`] but a missing epic is an error naming the key.
pub(crate) async fn require_id(conn: &Connection, key: &str) -> Result<(String, EpicKey)> {
    let k = EpicKey::parse(key)?;
    let id = id_of(conn, k).await?.ok_or_else(|| not_found(k))?;
    Ok((id, k))
}

fn not_found(k: EpicKey) -> Error {
    Error::NotFound {
        kind: "epic",
        key: k.to_string(),
        hint: "; list epics to see the keys that exist".into(),
    }
}

/// Like [`by_key`] but a missing epic is an error naming the key.
pub(crate) async fn require(conn: &Connection, key: &str) -> Result<Epic> {
    let k = EpicKey::parse(key)?;
    by_key(conn, k).await?.ok_or_else(|| not_found(k))
}

impl Store {
    /// Creates an epic with the next free key (`E01`, `E02`, ...), following
    /// its work unless a status is given.
    #[tracing::instrument(skip_all)]
    pub async fn create_epic(&self, new: NewEpic) -> Result<Epic> {
        let title = validate_title(&new.title)?;
        let description = validate_opt_text("description", new.description.as_deref())?;
        let device = self.device().id.clone();
        self.write(async |c: &Connection| {
            // A number nobody can read (another version's, a hand edit)
            // takes no key and stops no create.
            let taken = row::query_all(c, "SELECT number FROM epics", vec![], |r| {
                Ok(number_of(r, 0).ok())
            })
            .await?
            .into_iter()
            .flatten()
            .collect();
            let number = crate::keys::next_free(&taken)?;
            let now = time::now();
            let stored = new.status.unwrap_or(PlanStatus::Draft);
            let epic = Epic {
                id: new_id(),
                key: EpicKey(number).to_string(),
                title: title.clone(),
                description: description.clone(),
                status: stored,
                status_source: plan_status::shown(stored, PlanStatus::Draft).1,
                priority: new.priority.unwrap_or(Level::Medium),
                business_value: new.business_value,
                progress_pct: 0.0,
                feature_count: 0,
                task_count: 0,
                created_at: now,
                updated_at: now,
            };
            c.execute(
                &format!("INSERT INTO epics ({COLS}, origin_device) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, ?9)"),
                (
                    epic.id.as_str(),
                    number,
                    epic.title.as_str(),
                    epic.description.as_deref(),
                    epic.status.as_str(),
                    epic.priority.as_str(),
                    epic.business_value.map(Level::as_str),
                    time::to_text(&now),
                    device.as_str(),
                ),
            )
            .await
            .db("creating an epic")?;
            Ok(epic)
        })
        .await
    }

    /// Every epic, in key order, with progress and status from its work.
    /// Damaged rows come back beside the epics (see [`Listing`]).
    pub async fn list_epics(&self) -> Result<Listing<Epic>> {
        let guard = self.reader().await?;
        let mut epics = row::query_listing(
            &guard,
            &format!("SELECT {COLS} FROM epics {OLDEST_FIRST}"),
            vec![],
            map,
        )
        .await?;
        // Stable: should two epics share a number, the oldest stays first.
        epics.items.sort_by_key(|e| EpicKey::parse(&e.key).ok());
        Rollup::read(&guard).await?.fill_epics(&mut epics.items);
        Ok(epics)
    }

    /// One epic by key (`E01`, `e1`), with progress and status from its work.
    pub async fn get_epic(&self, key: &str) -> Result<Epic> {
        let guard = self.reader().await?;
        let mut e = require(&guard, key).await?;
        Rollup::read(&guard)
            .await?
            .fill_epics(std::slice::from_mut(&mut e));
        Ok(e)
    }
}
