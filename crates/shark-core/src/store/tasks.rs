//! Tasks: create (singly or in one batch), list with filters, get, and pick
//! the next task to work on. Dependencies are stored as task ids (stable if a
//! key is ever renumbered) and shown as keys.

use std::collections::{HashMap, HashSet};

use turso::{Connection, Row, Value};

use super::task_rows::{SELECT, map};
use super::{Store, epics, features, journal, new_id, row};
use crate::error::{DbContext, Error, Result};
use crate::keys::{FeatureKey, TaskKey};
use crate::model::{
    Actor, Task, TaskPriority, TaskStatus, validate_opt_name, validate_opt_text, validate_title,
};
use crate::stored::Listing;
use crate::time;

/// What a user gives to create a task.
#[derive(Debug, Clone, Default)]
pub struct NewTask {
    /// The parent feature's full key (`E01-F01`).
    pub feature: String,
    pub title: String,
    pub description: Option<String>,
    pub priority: Option<TaskPriority>,
    pub agent_type: Option<String>,
    /// Keys of existing tasks this one waits for.
    pub depends_on: Vec<String>,
}

impl NewTask {
    /// A task of feature `feature` with a title and nothing else set.
    pub fn new(feature: impl Into<String>, title: impl Into<String>) -> Self {
        NewTask {
            feature: feature.into(),
            title: title.into(),
            ..Default::default()
        }
    }
}

/// Which tasks to list. Archived tasks are left out unless asked for.
#[derive(Debug, Clone, Default)]
pub struct TaskFilter {
    pub epic: Option<String>,
    pub feature: Option<String>,
    pub statuses: Vec<TaskStatus>,
    /// Matches the agent type or the assigned agent (case-insensitive).
    pub agent: Option<String>,
    pub include_archived: bool,
    /// Also leave out completed tasks (Go Shark's default list) unless
    /// statuses are given.
    pub exclude_completed: bool,
    /// Only priorities from `priority_min` (1 = highest) to `priority_max`.
    pub priority_min: Option<TaskPriority>,
    pub priority_max: Option<TaskPriority>,
}

/// A task key from three number columns (epic, feature, task) starting at `i`.
fn key_of(r: &Row, i: usize) -> Result<TaskKey> {
    Ok(TaskKey {
        epic: epics::number_of(r, i)?,
        feature: epics::number_of(r, i + 1)?,
        number: epics::number_of(r, i + 2)?,
    })
}

/// Past this many dependencies to name, reading every key is cheaper than
/// asking for each.
const KEYS_BY_ID_MAX: usize = 200;

/// The keys of the tasks with these ids (a few: one task's dependencies).
async fn keys_by_id(conn: &Connection, ids: Vec<String>) -> Result<HashMap<String, String>> {
    let marks: Vec<String> = (1..=ids.len()).map(|i| format!("?{i}")).collect();
    let pairs = row::query_all(
        conn,
        &format!(
            "SELECT t.id, e.number, f.number, t.number
             FROM tasks t JOIN features f ON f.id = t.feature_id JOIN epics e ON e.id = f.epic_id
             WHERE t.id IN ({})",
            marks.join(", ")
        ),
        ids.into_iter().map(Value::from).collect(),
        // A row whose key cannot be read has no key to map (it is left as
        // it is; see `renumber`).
        |r| Ok(key_of(r, 1).ok().map(|k| (row::text(r, 0), k.to_string()))),
    )
    .await?;
    Ok(pairs
        .into_iter()
        .flatten()
        .filter_map(|(id, key)| Some((id.ok()?, key)))
        .collect())
}

/// Every task's id and key.
pub(crate) async fn key_map(conn: &Connection) -> Result<HashMap<String, String>> {
    let pairs = row::query_all(
        conn,
        "SELECT t.id, e.number, f.number, t.number
         FROM tasks t JOIN features f ON f.id = t.feature_id JOIN epics e ON e.id = f.epic_id",
        vec![],
        // A row whose key cannot be read has no key to map (it is left as
        // it is; see `renumber`).
        |r| Ok(key_of(r, 1).ok().map(|k| (row::text(r, 0), k.to_string()))),
    )
    .await?;
    Ok(pairs
        .into_iter()
        .flatten()
        .filter_map(|(id, key)| Some((id.ok()?, key)))
        .collect())
}

/// Oldest first, so a number two machines both took resolves the same way everywhere.
const ORDER: &str = "ORDER BY t.created_at, t.id";

/// Loads tasks matching `where_sql` and turns dependency ids into keys;
/// rows that cannot be read whole come back as damaged rows.
pub(crate) async fn load(
    conn: &Connection,
    where_sql: &str,
    params: Vec<Value>,
) -> Result<Listing<Task>> {
    let read = row::query_listing(conn, &format!("{SELECT} {where_sql}"), params, map).await?;
    let loaded = read.items;
    let mut keys: HashMap<String, String> = loaded
        .iter()
        .map(|l| (l.task.id.clone(), l.task.key.clone()))
        .collect();
    let missing: HashSet<&String> = loaded
        .iter()
        .flat_map(|l| &l.dep_ids)
        .filter(|id| !keys.contains_key(*id))
        .collect();
    if missing.len() > KEYS_BY_ID_MAX {
        keys.extend(key_map(conn).await?);
    } else if !missing.is_empty() {
        keys.extend(keys_by_id(conn, missing.into_iter().cloned().collect()).await?);
    }
    let items = loaded
        .into_iter()
        .map(|mut l| {
            // A dependency whose task is gone shows as its id rather than vanishing.
            l.task.depends_on = l
                .dep_ids
                .iter()
                .map(|id| keys.get(id).cloned().unwrap_or_else(|| id.clone()))
                .collect();
            l.task
        })
        .collect();
    Ok(Listing {
        items,
        damaged: read.damaged,
    })
}

/// Sorts tasks by key numerically (`T-E01-F01-009` before `-010`); tasks
/// sharing a key (until one is renumbered) oldest first, as lookups resolve them.
pub(crate) fn sort(tasks: &mut [Task]) {
    tasks.sort_by_cached_key(|t| (TaskKey::parse(&t.key).ok(), t.created_at, t.id.clone()));
}

/// The task with this key, if any.
pub(crate) async fn by_key(conn: &Connection, key: TaskKey) -> Result<Option<Task>> {
    let Some(feature_id) = features::id_of(conn, key.feature_key()).await? else {
        return Ok(None);
    };
    let mut found = load(
        conn,
        &format!("WHERE t.feature_id = ?1 AND t.number = ?2 {ORDER} LIMIT 1"),
        vec![feature_id.into(), key.number.into()],
    )
    .await?;
    match (found.items.pop(), found.damaged.pop()) {
        (Some(t), _) => Ok(Some(t)),
        (None, Some(d)) => Err(Error::Unreadable(Box::new(d))),
        (None, None) => Ok(None),
    }
}

/// Like [`by_key`] but a missing task is an error naming the key.
pub(crate) async fn require(conn: &Connection, key: &str) -> Result<Task> {
    let k = TaskKey::parse(key)?;
    by_key(conn, k).await?.ok_or_else(|| Error::NotFound {
        kind: "task",
        key: k.to_string(),
        hint: "; list tasks to see the keys that exist".into(),
    })
}

/// Resolves dependency keys to ids; every key must name an existing task.
pub(crate) async fn resolve_deps(
    conn: &Connection,
    keys: &[String],
) -> Result<Vec<(String, String)>> {
    let mut out: Vec<(String, String)> = Vec::new();
    for k in keys {
        let key = TaskKey::parse(k)?;
        let id = by_key(conn, key).await?.map(|t| t.id).ok_or_else(|| {
            Error::invalid(format!(
                "dependency {key} does not exist; create it first or fix the key"
            ))
        })?;
        if !out.iter().any(|(i, _)| *i == id) {
            out.push((id, key.to_string()));
        }
    }
    Ok(out)
}

pub(crate) fn ids_json(deps: &[(String, String)]) -> String {
    serde_json::Value::from(deps.iter().map(|(id, _)| id.as_str()).collect::<Vec<_>>()).to_string()
}

impl TaskFilter {
    /// Every task, archived ones included.
    pub fn everything() -> Self {
        TaskFilter {
            include_archived: true,
            ..Default::default()
        }
    }
}

impl Store {
    /// Creates one task; see [`Store::create_tasks`].
    pub async fn create_task(&self, new: NewTask, actor: &Actor) -> Result<Task> {
        let mut created = self.create_tasks(vec![new], actor).await?;
        created
            .pop()
            .ok_or_else(|| Error::Corrupt("no task was created".into()))
    }

    /// Creates tasks in one transaction: all are created or, on the first bad
    /// one, none. Each gets the next free key in its feature.
    #[tracing::instrument(skip_all, fields(count = news.len()))]
    pub async fn create_tasks(&self, news: Vec<NewTask>, actor: &Actor) -> Result<Vec<Task>> {
        let device = self.device().id.clone();
        let batch = news.len() > 1;
        self.write(async |c: &Connection| {
            let mut state = BatchState::default();
            let mut created = Vec::with_capacity(news.len());
            for (i, new) in news.iter().cloned().enumerate() {
                // Only the user's own mistakes name the task: an engine
                // failure (a busy database is retried whole) passes as is.
                let at = |e: Error| {
                    if batch && e.is_user_error() {
                        Error::invalid(format!("task {} of the batch: {e}", i + 1))
                    } else {
                        e
                    }
                };
                let task = create_one(c, new, &mut state, actor, &device)
                    .await
                    .map_err(at)?;
                created.push(task);
            }
            Ok(created)
        })
        .await
    }

    /// Tasks matching the filter, in key order, and the rows among them that
    /// cannot be read whole.
    pub async fn list_tasks(&self, filter: &TaskFilter) -> Result<Listing<Task>> {
        let guard = self.reader().await?;
        let c = &*guard;
        let mut clauses: Vec<String> = Vec::new();
        let mut params: Vec<Value> = Vec::new();
        if let Some(f) = &filter.feature {
            let (feature_id, _) = features::require_id(c, f).await?;
            params.push(feature_id.into());
            clauses.push(format!("t.feature_id = ?{}", params.len()));
        } else if let Some(e) = &filter.epic {
            let (epic_id, _) = epics::require_id(c, e).await?;
            params.push(epic_id.into());
            clauses.push(format!("f.epic_id = ?{}", params.len()));
        }
        if !filter.statuses.is_empty() {
            let marks: Vec<String> = filter
                .statuses
                .iter()
                .map(|s| {
                    params.push(s.as_str().into());
                    format!("?{}", params.len())
                })
                .collect();
            clauses.push(format!("t.status IN ({})", marks.join(", ")));
        } else {
            let mut hidden = Vec::new();
            if !filter.include_archived {
                hidden.push(TaskStatus::Archived);
            }
            if filter.exclude_completed {
                hidden.push(TaskStatus::Completed);
            }
            for s in hidden {
                params.push(s.as_str().into());
                clauses.push(format!("t.status <> ?{}", params.len()));
            }
        }
        for (bound, op) in [(filter.priority_min, ">="), (filter.priority_max, "<=")] {
            if let Some(p) = bound {
                params.push(p.get().into());
                clauses.push(format!("t.priority {op} ?{}", params.len()));
            }
        }
        if let Some(a) = &filter.agent {
            params.push(a.trim().to_lowercase().into());
            let n = params.len();
            clauses.push(format!(
                "(lower(t.agent_type) = ?{n} OR lower(t.assigned_agent) = ?{n})"
            ));
        }
        // No ORDER BY: sorting in Rust once (by key, then oldest first) is
        // cheaper than an unindexed SQL sort followed by the key sort.
        let where_sql = if clauses.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", clauses.join(" AND "))
        };
        let mut tasks = load(c, &where_sql, params).await?;
        sort(&mut tasks.items);
        Ok(tasks)
    }

    /// One task by key (`T-E01-F01-001`, `e01-f01-001`).
    pub async fn get_task(&self, key: &str) -> Result<Task> {
        require(&*self.reader().await?, key).await
    }

    /// The task to work on next: a `todo` task whose dependencies are all
    /// completed (or archived), highest priority first, then the oldest (as
    /// Go Shark picks among tasks without an execution order), then key order.
    pub async fn next_task(&self, agent: Option<&str>, epic: Option<&str>) -> Result<Option<Task>> {
        let filter = TaskFilter {
            epic: epic.map(str::to_string),
            agent: agent.map(str::to_string),
            statuses: vec![TaskStatus::Todo],
            ..TaskFilter::default()
        };
        let candidates = self.list_tasks(&filter).await?.items;
        if candidates.is_empty() {
            return Ok(None);
        }
        let guard = self.reader().await?;
        let c = &*guard;
        let done: HashSet<String> = row::query_all(
            c,
            "SELECT e.number, f.number, t.number
             FROM tasks t JOIN features f ON f.id = t.feature_id JOIN epics e ON e.id = f.epic_id
             WHERE t.status IN ('completed', 'archived')",
            vec![],
            // A row whose key cannot be read is nobody's dependency.
            |r| Ok(key_of(r, 0).ok().map(|k| k.to_string())),
        )
        .await?
        .into_iter()
        .flatten()
        .collect();
        Ok(candidates
            .into_iter()
            .filter(|t| t.depends_on.iter().all(|d| done.contains(d)))
            .min_by_key(|t| (t.priority, t.created_at, TaskKey::parse(&t.key).ok())))
    }
}

/// Per-transaction memory of a batch: each feature's row and next task number.
#[derive(Default)]
struct BatchState {
    /// Per feature key, its id and key.
    features: HashMap<String, (String, FeatureKey)>,
    /// Per feature id, the task numbers taken (this batch's included).
    taken: HashMap<String, std::collections::BTreeSet<u32>>,
}

async fn create_one(
    c: &Connection,
    new: NewTask,
    state: &mut BatchState,
    actor: &Actor,
    device: &str,
) -> Result<Task> {
    let title = validate_title(&new.title)?;
    let description = validate_opt_text("description", new.description.as_deref())?;
    let agent_type = validate_opt_name("agent type", new.agent_type.as_deref())?;
    let feature_key = FeatureKey::parse(&new.feature)?.to_string();
    let (feature_id, fk) = match state.features.get(&feature_key) {
        Some(f) => f.clone(),
        None => {
            let f = features::require_id(c, &feature_key).await?;
            state.features.insert(feature_key, f.clone());
            f
        }
    };
    let deps = resolve_deps(c, &new.depends_on).await?;
    if !state.taken.contains_key(&feature_id) {
        let numbers = row::query_all(
            c,
            "SELECT number FROM tasks WHERE feature_id = ?1",
            vec![feature_id.clone().into()],
            // A number nobody can read stops no create.
            |r| Ok(epics::number_of(r, 0).ok()),
        )
        .await?;
        state
            .taken
            .insert(feature_id.clone(), numbers.into_iter().flatten().collect());
    }
    let taken = state.taken.entry(feature_id.clone()).or_default();
    let number = crate::keys::next_free(taken)?;
    taken.insert(number);
    let key = TaskKey {
        epic: fk.epic,
        feature: fk.feature,
        number,
    };
    let now = time::now();
    let task = Task {
        id: new_id(),
        feature_id: feature_id.clone(),
        epic_key: fk.epic_key().to_string(),
        feature_key: fk.to_string(),
        key: key.to_string(),
        title,
        description,
        status: TaskStatus::Todo,
        priority: new.priority.unwrap_or_default(),
        agent_type,
        assigned_agent: None,
        depends_on: deps.iter().map(|(_, k)| k.clone()).collect(),
        blocked_reason: None,
        created_at: now,
        started_at: None,
        completed_at: None,
        blocked_at: None,
        updated_at: now,
    };
    c.execute(
        "INSERT INTO tasks (id, feature_id, number, title, description, status, priority, agent_type,
            depends_on, created_at, updated_at, origin_device)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10, ?11)",
        Vec::<Value>::from([
            task.id.clone().into(),
            task.feature_id.clone().into(),
            number.into(),
            task.title.clone().into(),
            task.description.clone().into(),
            task.status.as_str().into(),
            i64::from(task.priority.get()).into(),
            task.agent_type.clone().into(),
            ids_json(&deps).into(),
            time::to_text(&now).into(),
            device.into(),
        ]),
    )
    .await
    .db("creating a task")?;
    journal::record(
        c,
        &journal::Change {
            task_id: &task.id,
            field: "status",
            old_value: None,
            new_value: Some(task.status.as_str().to_string()),
            reason: Some("created".into()),
            forced: false,
        },
        actor,
        device,
        &now,
    )
    .await?;
    Ok(task)
}
