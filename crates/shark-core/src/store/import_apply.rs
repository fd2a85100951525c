//! Writing an import (see crate::import) in one transaction: rows are found
//! again by id (the same source row always maps to the same id), so a
//! re-import updates only the fields that changed and duplicates nothing. A
//! key already used here by another row gets the next free number, and the
//! summary says so. Existing keys are never changed by an import.

use std::collections::{BTreeSet, HashMap};

use turso::{Connection, Value};

use super::Store;
use super::import_rows::{count, load, number_for, number_of, opt, opt_t, t, upsert};
use crate::error::Result;
use crate::import::map::{self, given_id, or_epoch, stable_id};
use crate::import::source::Source;
use crate::import::{ImportSummary, Remarks};
use crate::model::TaskPriority;
use crate::time;

impl Store {
    /// Writes what was read from a file (see [`crate::import`]), all or nothing.
    #[tracing::instrument(skip_all)]
    pub async fn import_source(&self, src: &Source) -> Result<ImportSummary> {
        let device = self.device.id.clone();
        self.write(async |c: &Connection| apply(c, src, &device).await)
            .await
    }
}

async fn apply(c: &Connection, src: &Source, device: &str) -> Result<ImportSummary> {
    let mut s = ImportSummary::default();
    let mut remarks = Remarks::default();
    let now = time::now();
    for tbl in &src.other_tables {
        remarks.add(format!(
            "table '{tbl}' is not part of Shark's model and was not imported"
        ));
    }
    if src.damaged_rows > 0 {
        remarks.add(format!(
            "{} row(s) the exporting machine could not read were not imported (the file keeps them as stored, in its damaged_rows table)",
            src.damaged_rows
        ));
    }
    // Devices named by notes and history (an export of ours): added when new.
    let have = load(c, "devices").await?;
    let known: Vec<&String> = src.devices.iter().map(|(id, _)| id).collect();
    for (id, name) in &src.devices {
        if !have.contains_key(id) {
            let fields = [
                ("name", Value::Text(name.clone())),
                ("created_at", t(now)),
                ("updated_at", t(now)),
            ];
            upsert(c, "devices", id, &[], &fields, None).await?;
        }
    }
    let device_of = |d: &Option<String>| match d {
        Some(id) if known.contains(&id) || have.contains_key(id) => id.clone(),
        _ => device.to_string(),
    };

    // Epics: by id; a number used here by another epic gives the next free one.
    let have = load(c, "epics").await?;
    let mut taken: BTreeSet<u32> = have
        .values()
        .filter_map(|r| number_of(r, "number"))
        .collect();
    let mut epic_ids: HashMap<i64, (String, u32)> = HashMap::new();
    let mut epics: Vec<_> = src.epics.iter().collect();
    // Valid key numbers first: an invalid one (E00) must not take the
    // number a valid one asks for; it gets the next free one after them.
    let invalid = |n: Option<u32>| n.is_some_and(|n| !crate::keys::in_range(n));
    epics.sort_by_key(|e| {
        let n = map::epic_number(&e.key);
        (invalid(n), n, e.int_id)
    });
    for e in epics {
        let Some(wanted) = map::epic_number(&e.key) else {
            s.epics.skipped += 1;
            remarks.add(format!(
                "epic '{}' skipped: its key is not of the form E01",
                e.key
            ));
            continue;
        };
        let created = map::time(e.created_at.as_ref());
        let id = given_id(e.uuid.as_deref())
            .unwrap_or_else(|| stable_id(&format!("epics/{}/{}", e.int_id, e.key), created));
        let (status, mapped) = map::plan_status(e.status.as_deref());
        if mapped {
            remarks.add(format!(
                "epic status '{}' imported as {status}",
                e.status.as_deref().unwrap_or("")
            ));
        }
        let (number, moved) = number_for(have.get(&id), &mut taken, wanted)?;
        if let Some(why) = moved {
            remarks.add(format!("E{wanted:02} {why}: imported as E{number:02}"));
        }
        let fields = [
            ("title", Value::Text(e.title.clone())),
            ("description", opt(&e.description)),
            ("status", Value::Text(status.to_string())),
            (
                "priority",
                Value::Text(
                    map::level(e.priority.as_deref()).map_or("medium".into(), |l| l.to_string()),
                ),
            ),
            (
                "business_value",
                map::level(e.business_value.as_deref())
                    .map_or(Value::Null, |l| Value::Text(l.to_string())),
            ),
            ("created_at", t(or_epoch(created))),
            (
                "updated_at",
                t(map::time(e.updated_at.as_ref()).or(created).unwrap_or(now)),
            ),
        ];
        let insert_only = [
            ("number", Value::Integer(i64::from(number))),
            ("origin_device", Value::Text(device.into())),
        ];
        count(
            &mut s.epics,
            upsert(c, "epics", &id, &insert_only, &fields, have.get(&id)).await?,
        );
        epic_ids.insert(e.int_id, (id, number));
    }

    // Features, inside their epics.
    let have = load(c, "features").await?;
    let mut taken: HashMap<String, BTreeSet<u32>> = HashMap::new();
    for r in have.values() {
        if let (Some(Value::Text(epic)), Some(n)) = (r.get("epic_id"), number_of(r, "number")) {
            taken.entry(epic.clone()).or_default().insert(n);
        }
    }
    let mut feature_ids: HashMap<i64, (String, u32, u32)> = HashMap::new();
    let mut features: Vec<_> = src.features.iter().collect();
    features.sort_by_key(|f| {
        let n = map::feature_numbers(&f.key);
        (invalid(n.map(|n| n.1)), n, f.int_id)
    });
    for f in features {
        let (Some((epic_id, epic_no)), Some((_, wanted))) = (
            epic_ids.get(&f.epic_int_id).cloned(),
            map::feature_numbers(&f.key),
        ) else {
            s.features.skipped += 1;
            remarks.add(format!(
                "feature '{}' skipped: its epic is missing or its key is not of the form E01-F01",
                f.key
            ));
            continue;
        };
        let created = map::time(f.created_at.as_ref());
        let id = given_id(f.uuid.as_deref())
            .unwrap_or_else(|| stable_id(&format!("features/{}/{}", f.int_id, f.key), created));
        let (status, mapped) = map::plan_status(f.status.as_deref());
        if mapped {
            remarks.add(format!(
                "feature status '{}' imported as {status}",
                f.status.as_deref().unwrap_or("")
            ));
        }
        let (number, moved) = number_for(
            have.get(&id),
            taken.entry(epic_id.clone()).or_default(),
            wanted,
        )?;
        if let Some(why) = moved {
            remarks.add(format!(
                "E{epic_no:02}-F{wanted:02} {why}: imported as E{epic_no:02}-F{number:02}"
            ));
        }
        let fields = [
            ("title", Value::Text(f.title.clone())),
            ("description", opt(&f.description)),
            ("status", Value::Text(status.to_string())),
            (
                "execution_order",
                f.execution_order.map_or(Value::Null, Value::Integer),
            ),
            ("created_at", t(or_epoch(created))),
            (
                "updated_at",
                t(map::time(f.updated_at.as_ref()).or(created).unwrap_or(now)),
            ),
        ];
        let insert_only = [
            ("epic_id", Value::Text(epic_id.clone())),
            ("number", Value::Integer(i64::from(number))),
            ("origin_device", Value::Text(device.into())),
        ];
        count(
            &mut s.features,
            upsert(c, "features", &id, &insert_only, &fields, have.get(&id)).await?,
        );
        feature_ids.insert(f.int_id, (id, epic_no, number));
    }

    // Tasks: ids first (dependencies may point forward), then the rows.
    let have = load(c, "tasks").await?;
    let mut taken: HashMap<String, BTreeSet<u32>> = HashMap::new();
    for r in have.values() {
        if let (Some(Value::Text(feature)), Some(n)) = (r.get("feature_id"), number_of(r, "number"))
        {
            taken.entry(feature.clone()).or_default().insert(n);
        }
    }
    let mut task_ids: HashMap<i64, String> = HashMap::new();
    let mut by_key: HashMap<(u32, u32, u32), String> = HashMap::new();
    let mut placed = Vec::new();
    let mut tasks: Vec<_> = src.tasks.iter().collect();
    tasks.sort_by_key(|t| {
        let n = map::task_numbers(&t.key);
        (invalid(n.map(|n| n.2)), n, t.int_id)
    });
    for task in tasks {
        let (Some((feature_id, epic_no, feature_no)), Some(key)) = (
            feature_ids.get(&task.feature_int_id).cloned(),
            map::task_numbers(&task.key),
        ) else {
            s.tasks.skipped += 1;
            remarks.add(format!("task '{}' skipped: its feature is missing or its key is not of the form T-E01-F01-001", task.key));
            continue;
        };
        let created = map::time(task.created_at.as_ref());
        let id = given_id(task.uuid.as_deref())
            .unwrap_or_else(|| stable_id(&format!("tasks/{}/{}", task.int_id, task.key), created));
        let (number, moved) = number_for(
            have.get(&id),
            taken.entry(feature_id.clone()).or_default(),
            key.2,
        )?;
        if let Some(why) = moved {
            remarks.add(format!(
                "{} {why}: imported as T-E{epic_no:02}-F{feature_no:02}-{number:03}",
                task.key
            ));
        }
        task_ids.insert(task.int_id, id.clone());
        by_key.insert(key, id.clone());
        placed.push((task, id, feature_id, number, created));
    }
    let mut deps_from_relations: HashMap<i64, Vec<String>> = HashMap::new();
    for r in &src.relations {
        if r.kind == "depends_on" {
            match task_ids.get(&r.to_task) {
                Some(to) => deps_from_relations
                    .entry(r.from_task)
                    .or_default()
                    .push(to.clone()),
                None => remarks.add("a dependency on a task not in the file was dropped"),
            }
        } else {
            remarks.add(format!(
                "task relationship '{}' is not a dependency and was not imported",
                r.kind
            ));
        }
    }
    for (task, id, feature_id, number, created) in placed {
        let (status, mapped) = map::task_status(task.status.as_deref());
        if mapped {
            remarks.add(format!(
                "task status '{}' imported as {status}",
                task.status.as_deref().unwrap_or("")
            ));
        }
        let priority = task
            .priority
            .unwrap_or(i64::from(TaskPriority::DEFAULT.get()));
        let clamped = priority.clamp(1, 10);
        if clamped != priority {
            remarks.add(format!(
                "priority {priority} is outside 1-10: imported as {clamped}"
            ));
        }
        let mut deps: Vec<String> = Vec::new();
        for k in map::dependency_keys(task.depends_on.as_deref()) {
            match map::task_numbers(&k).and_then(|n| by_key.get(&n)) {
                Some(d) => deps.push(d.clone()),
                None => remarks.add(format!(
                    "dependency '{k}' is not a task in the file: dropped"
                )),
            }
        }
        deps.extend(deps_from_relations.remove(&task.int_id).unwrap_or_default());
        deps.sort();
        deps.dedup();
        deps.retain(|d| *d != id);
        let fields = [
            ("title", Value::Text(task.title.clone())),
            ("description", opt(&task.description)),
            ("status", Value::Text(status.to_string())),
            ("priority", Value::Integer(clamped)),
            ("agent_type", opt(&task.agent_type)),
            ("assigned_agent", opt(&task.assigned_agent)),
            (
                "depends_on",
                Value::Text(serde_json::to_string(&deps).unwrap_or_else(|_| "[]".into())),
            ),
            ("blocked_reason", opt(&task.blocked_reason)),
            ("created_at", t(or_epoch(created))),
            ("started_at", opt_t(map::time(task.started_at.as_ref()))),
            ("completed_at", opt_t(map::time(task.completed_at.as_ref()))),
            ("blocked_at", opt_t(map::time(task.blocked_at.as_ref()))),
            (
                "updated_at",
                t(map::time(task.updated_at.as_ref())
                    .or(created)
                    .unwrap_or(now)),
            ),
        ];
        let insert_only = [
            ("feature_id", Value::Text(feature_id)),
            ("number", Value::Integer(i64::from(number))),
            ("origin_device", Value::Text(device.into())),
        ];
        count(
            &mut s.tasks,
            upsert(c, "tasks", &id, &insert_only, &fields, have.get(&id)).await?,
        );
    }

    // Notes and history: insert-only, found again by id.
    let have = load(c, "task_notes").await?;
    for n in &src.notes {
        let Some(task_id) = task_ids.get(&n.task_int_id) else {
            s.notes.skipped += 1;
            remarks.add("a note on a task not in the file was skipped");
            continue;
        };
        let created = map::time(n.created_at.as_ref());
        let id = given_id(n.uuid.as_deref())
            .unwrap_or_else(|| stable_id(&format!("task_notes/{}/{task_id}", n.int_id), created));
        let (note_type, mapped) = map::note_type(n.note_type.as_deref());
        if mapped {
            remarks.add(format!(
                "note type '{}' imported as comment",
                n.note_type.as_deref().unwrap_or("")
            ));
        }
        let fields = [
            ("task_id", Value::Text(task_id.clone())),
            ("note_type", Value::Text(note_type.to_string())),
            ("content", Value::Text(n.content.clone())),
            (
                "actor_kind",
                Value::Text(n.actor_kind.clone().unwrap_or_else(|| "user".into())),
            ),
            (
                "actor",
                Value::Text(n.created_by.clone().unwrap_or_else(|| "go-shark".into())),
            ),
            ("device_id", Value::Text(device_of(&n.device_id))),
            ("created_at", t(or_epoch(created))),
        ];
        count(
            &mut s.notes,
            upsert(c, "task_notes", &id, &[], &fields, have.get(&id)).await?,
        );
    }
    let have = load(c, "task_history").await?;
    for h in &src.history {
        let Some(task_id) = task_ids.get(&h.task_int_id) else {
            s.history.skipped += 1;
            remarks.add("a history row of a task not in the file was skipped");
            continue;
        };
        let created = map::time(h.created_at.as_ref());
        let id = given_id(h.uuid.as_deref())
            .unwrap_or_else(|| stable_id(&format!("task_history/{}/{task_id}", h.int_id), created));
        let kind = h.actor_kind.clone().unwrap_or_else(|| {
            if h.actor.is_some() {
                "agent".into()
            } else {
                "user".into()
            }
        });
        let fields = [
            ("task_id", Value::Text(task_id.clone())),
            ("field", Value::Text(h.field.clone())),
            ("old_value", opt(&h.old_value)),
            ("new_value", opt(&h.new_value)),
            ("reason", opt(&h.reason)),
            ("forced", Value::Integer(i64::from(h.forced))),
            ("actor_kind", Value::Text(kind)),
            (
                "actor",
                Value::Text(h.actor.clone().unwrap_or_else(|| "go-shark".into())),
            ),
            ("device_id", Value::Text(device_of(&h.device_id))),
            ("created_at", t(or_epoch(created))),
        ];
        count(
            &mut s.history,
            upsert(c, "task_history", &id, &[], &fields, have.get(&id)).await?,
        );
    }
    let have = load(c, "task_completions").await?;
    for r in &src.completions {
        let Some(task_id) = task_ids.get(&r.task_int_id) else {
            s.completions.skipped += 1;
            remarks.add("a completion report of a task not in the file was skipped");
            continue;
        };
        let created = map::time(r.created_at.as_ref());
        let id = given_id(r.uuid.as_deref()).unwrap_or_else(|| {
            stable_id(&format!("task_completions/{}/{task_id}", r.int_id), created)
        });
        let list = |v: &Option<String>| {
            let files: Vec<String> = v
                .as_deref()
                .and_then(|v| serde_json::from_str(v).ok())
                .unwrap_or_default();
            Value::Text(serde_json::to_string(&files).unwrap_or_else(|_| "[]".into()))
        };
        let fields = [
            ("task_id", Value::Text(task_id.clone())),
            ("files_created", list(&r.files_created)),
            ("files_modified", list(&r.files_modified)),
            ("tests", opt(&r.tests)),
            ("summary", opt(&r.summary)),
            ("verified", Value::Integer(i64::from(r.verified))),
            (
                "time_spent_minutes",
                r.time_spent_minutes.map_or(Value::Null, Value::Integer),
            ),
            ("agent_id", opt(&r.agent_id)),
            (
                "actor_kind",
                Value::Text(r.actor_kind.clone().unwrap_or_else(|| "user".into())),
            ),
            (
                "actor",
                Value::Text(r.created_by.clone().unwrap_or_else(|| "go-shark".into())),
            ),
            ("device_id", Value::Text(device_of(&r.device_id))),
            ("created_at", t(or_epoch(created))),
        ];
        count(
            &mut s.completions,
            upsert(c, "task_completions", &id, &[], &fields, have.get(&id)).await?,
        );
    }
    s.remarks = remarks.into_vec();
    Ok(s)
}
