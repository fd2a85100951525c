//! Features inside epics: create (next free `E01-Fnn`), list with progress
//! and status derived from their tasks, find by key.

use turso::{Connection, Row};

use super::rollup::Rollup;
use super::{Store, epics, new_id, row};
use crate::error::{DbContext, Error, Result};
use crate::keys::FeatureKey;
use crate::model::{Feature, PlanStatus, validate_opt_text, validate_title};
use crate::plan_status::{self, StatusSource};
use crate::stored::Listing;
use crate::time;

/// What a user gives to create a feature.
#[derive(Debug, Clone, Default)]
pub struct NewFeature {
    /// The parent epic's key (`E01`).
    pub epic: String,
    pub title: String,
    pub description: Option<String>,
    /// Defaults to after the epic's last feature.
    pub execution_order: Option<i64>,
    /// A status set by hand; `None` (or draft) follows the tasks.
    pub status: Option<PlanStatus>,
}

impl NewFeature {
    /// A feature of epic `epic` with a title and nothing else set.
    pub fn new(epic: impl Into<String>, title: impl Into<String>) -> Self {
        NewFeature {
            epic: epic.into(),
            title: title.into(),
            ..Default::default()
        }
    }
}

const SELECT: &str = "SELECT f.id, f.epic_id, e.number, f.number, f.title, f.description, f.status,
    f.execution_order, f.created_at, f.updated_at
    FROM features f LEFT JOIN epics e ON e.id = f.epic_id";

const NAMES: &[&str] = &[
    "id",
    "epic_id",
    "epic number",
    "number",
    "title",
    "description",
    "status",
    "execution_order",
    "created_at",
    "updated_at",
];

fn map(r: &Row) -> row::Parsed<Feature> {
    let mut f = row::Fields::new(r, NAMES);
    let id = f.text(0);
    let epic_id = f.text(1);
    let orphan = matches!(r.get_value(2), Ok(turso::Value::Null));
    if orphan && f.ok(1) {
        f.bad(1, crate::stored::quoted(&epic_id), "no such epic");
    }
    let key = FeatureKey {
        epic: if orphan { 0 } else { f.number(2) },
        feature: f.number(3),
    };
    let key_ok = !orphan && f.ok(2) && f.ok(3);
    let title = f.text(4);
    let feature = Feature {
        id: id.clone(),
        epic_id,
        epic_key: key.epic_key().to_string(),
        key: key.to_string(),
        title: title.clone(),
        description: f.opt_text(5),
        status: f.stored(6, PlanStatus::from_stored, PlanStatus::Draft),
        status_source: StatusSource::Calculated,
        execution_order: f.opt_int(7),
        progress_pct: 0.0,
        task_count: 0,
        created_at: f.ts(8),
        updated_at: f.ts(9),
    };
    let (id_ok, title_ok) = (f.ok(0), f.ok(4));
    f.finish(
        "features",
        id_ok.then_some(id),
        key_ok.then(|| feature.key.clone()),
        title_ok.then_some(title),
        feature,
    )
}

/// The feature with this key, if any (inside the epic that holds the key).
pub(crate) async fn by_key(conn: &Connection, key: FeatureKey) -> Result<Option<Feature>> {
    let Some(epic_id) = epics::id_of(conn, key.epic_key()).await? else {
        return Ok(None);
    };
    epics::found(
        row::query_all(
            conn,
            &format!("{SELECT} WHERE f.epic_id = ?1 AND f.number = ?2 {ORDER} LIMIT 1"),
            vec![epic_id.into(), key.feature.into()],
            |r| Ok(map(r)),
        )
        .await?,
    )
}

/// Oldest first, so a number two machines both took resolves the same way everywhere.
const ORDER: &str = "ORDER BY f.created_at, f.id";

/// The id of the feature with this key, if any, reading nothing else (see
/// [`epics::id_of`]).
pub(crate) async fn id_of(conn: &Connection, key: FeatureKey) -> Result<Option<String>> {
    let Some(epic_id) = epics::id_of(conn, key.epic_key()).await? else {
        return Ok(None);
    };
    let ids = row::query_all(
        conn,
        "SELECT id FROM features WHERE epic_id = ?1 AND number = ?2 AND typeof(id) = 'text'
         ORDER BY created_at, id LIMIT 1",
        vec![epic_id.into(), key.feature.into()],
        |r| Ok(row::text(r, 0).ok()),
    )
    .await?;
    Ok(ids.into_iter().flatten().next())
}

/// Like [`id_of`], with the errors of [`require`].
pub(crate) async fn require_id(conn: &Connection, key: &str) -> Result<(String, FeatureKey)> {
    let k = FeatureKey::parse(key)?;
    match id_of(conn, k).await? {
        Some(id) => Ok((id, k)),
        None => Err(missing(conn, k).await),
    }
}

/// The error for a feature that is not there: its epic's, if that is
/// missing too.
async fn missing(conn: &Connection, k: FeatureKey) -> Error {
    if let Err(e) = epics::require_id(conn, &k.epic_key().to_string()).await {
        return e;
    }
    Error::NotFound {
        kind: "feature",
        key: k.to_string(),
        hint: format!(
            "; list the features of {} to see the keys that exist",
            k.epic_key()
        ),
    }
}

/// Like [`by_key`], with an error that says whether the epic exists at all.
pub(crate) async fn require(conn: &Connection, key: &str) -> Result<Feature> {
    let k = FeatureKey::parse(key)?;
    match by_key(conn, k).await? {
        Some(f) => Ok(f),
        None => Err(missing(conn, k).await),
    }
}

fn sort(features: &mut [Feature]) {
    // Stable: should two features share a number, the oldest stays first.
    features.sort_by_key(|f| FeatureKey::parse(&f.key).ok());
}

impl Store {
    /// Creates a feature in an existing epic with the next free key.
    #[tracing::instrument(skip_all)]
    pub async fn create_feature(&self, new: NewFeature) -> Result<Feature> {
        let title = validate_title(&new.title)?;
        let description = validate_opt_text("description", new.description.as_deref())?;
        let device = self.device().id.clone();
        self.write(async |c: &Connection| {
            let (epic_id, epic_key) = epics::require_id(c, &new.epic).await?;
            let siblings = row::query_all(
                c,
                "SELECT number, execution_order FROM features WHERE epic_id = ?1",
                vec![epic_id.clone().into()],
                // A number or order nobody can read stops no create.
                |r| Ok((epics::number_of(r, 0).ok(), row::opt_int(r, 1).ok().flatten())),
            )
            .await?;
            let taken = siblings.iter().filter_map(|(n, _)| *n).collect();
            let next = crate::keys::next_free(&taken)?;
            let order = new.execution_order.unwrap_or_else(|| {
                siblings.iter().filter_map(|(_, o)| *o).max().unwrap_or(0) + 1
            });
            let key = FeatureKey {
                epic: epic_key.0,
                feature: next,
            };
            let now = time::now();
            let stored = new.status.unwrap_or(PlanStatus::Draft);
            let feature = Feature {
                id: new_id(),
                epic_id: epic_id.clone(),
                epic_key: epic_key.to_string(),
                key: key.to_string(),
                title: title.clone(),
                description: description.clone(),
                status: stored,
                status_source: plan_status::shown(stored, PlanStatus::Draft).1,
                execution_order: Some(order),
                progress_pct: 0.0,
                task_count: 0,
                created_at: now,
                updated_at: now,
            };
            c.execute(
                "INSERT INTO features (id, epic_id, number, title, description, status, execution_order,
                    created_at, updated_at, origin_device)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, ?9)",
                (
                    feature.id.as_str(),
                    feature.epic_id.as_str(),
                    next,
                    feature.title.as_str(),
                    feature.description.as_deref(),
                    feature.status.as_str(),
                    order,
                    time::to_text(&now),
                    device.as_str(),
                ),
            )
            .await
            .db("creating a feature")?;
            Ok(feature)
        })
        .await
    }

    /// Features of one epic, or of all epics, in key order, with progress.
    /// Damaged rows come back beside the features (see [`Listing`]).
    pub async fn list_features(&self, epic: Option<&str>) -> Result<Listing<Feature>> {
        let guard = self.reader().await?;
        let c = &*guard;
        let mut features = match epic {
            Some(k) => {
                let (epic_id, _) = epics::require_id(c, k).await?;
                row::query_listing(
                    c,
                    &format!("{SELECT} WHERE f.epic_id = ?1 {ORDER}"),
                    vec![epic_id.into()],
                    map,
                )
                .await?
            }
            None => row::query_listing(c, &format!("{SELECT} {ORDER}"), vec![], map).await?,
        };
        Rollup::read(c).await?.fill_features(&mut features.items);
        sort(&mut features.items);
        Ok(features)
    }

    /// One feature by its full key (`E01-F01`), with progress.
    pub async fn get_feature(&self, key: &str) -> Result<Feature> {
        let guard = self.reader().await?;
        let mut f = require(&guard, key).await?;
        Rollup::read(&guard)
            .await?
            .fill_features(std::slice::from_mut(&mut f));
        Ok(f)
    }
}
