//! What `shark epic` and `shark feature` share: the status words (`auto`
//! to follow the tasks again), the list filters, Go Shark's list shape
//! (`{results, count}`), and the outcome of complete and delete.

use serde::Serialize;
use shark_core::model::{PlanStatus, StatusSource};
use shark_core::store::PlanPatch;

use crate::args::plan::{PlanFields, PlanFilter};
use crate::render::Out;

/// Go Shark's list shape.
#[derive(Serialize)]
pub struct Results<'a, T> {
    pub results: &'a [T],
    pub count: usize,
}

/// A status given by hand; `auto` (or `draft`) means "follow the tasks".
pub fn parse_status(s: &str) -> anyhow::Result<PlanStatus> {
    if s.trim().eq_ignore_ascii_case("auto") {
        return Ok(PlanStatus::Draft);
    }
    s.parse::<PlanStatus>().map_err(|_| {
        crate::Usage(format!(
            "unknown status '{}'; use one of: auto (follow the tasks), {}",
            s.trim(),
            PlanStatus::accepted()
        ))
        .into()
    })
}

/// The statuses a list keeps: those asked for, else all but archived
/// (unless `--show-all`).
pub fn keeps(filter: &PlanFilter) -> anyhow::Result<impl Fn(PlanStatus) -> bool> {
    let wanted = filter
        .status
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .map(parse_status)
        .collect::<anyhow::Result<Vec<_>>>()?;
    let show_all = filter.show_all;
    Ok(move |s: PlanStatus| {
        if wanted.is_empty() {
            show_all || s != PlanStatus::Archived
        } else {
            wanted.contains(&s)
        }
    })
}

/// A patch from the shared update fields (the caller adds its own).
pub fn patch(fields: PlanFields) -> anyhow::Result<PlanPatch> {
    Ok(PlanPatch {
        title: fields.title,
        description: fields.description,
        status: fields.status.as_deref().map(parse_status).transpose()?,
        ..PlanPatch::default()
    })
}

/// How a status's origin reads (`shark epic get`, `shark feature get`).
pub fn source_text(s: StatusSource) -> &'static str {
    match s {
        StatusSource::Calculated => "from its tasks",
        StatusSource::Manual => "set by hand",
    }
}

/// Says what `delete` archived.
pub fn deleted(out: &Out, what: &str, key: &str, tasks: usize) -> anyhow::Result<()> {
    if out.json {
        return out.json(&serde_json::json!({
            "status": "deleted",
            "entity_type": what,
            "key": key,
            "archived_tasks": tasks,
        }));
    }
    out.lines(&[format!(
        "Deleted {what} {key}: it and {tasks} task(s) archived (nothing erased; shark {what} update {key} --status auto and shark task reopen bring them back)"
    )])
}
