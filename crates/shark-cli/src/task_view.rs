//! How tasks look to people: the table of `task list`, one task in full
//! (`task get`, and after every status change), its completion reports and
//! dependencies. Shared by the task, feature and editing commands.

use shark_core::model::{CompletionRecord, Note, Task};
use shark_core::store::TaskLinks;

use crate::render::{Out, clip, or_dash, when};

/// Tasks as a table.
pub fn table(out: &Out, tasks: &[Task]) -> anyhow::Result<()> {
    let rows: Vec<Vec<String>> = tasks
        .iter()
        .map(|t| {
            vec![
                t.key.clone(),
                crate::damaged::status_text(t.status, t.status.is_known()),
                t.priority.get().to_string(),
                or_dash(t.agent_type.as_deref()),
                or_dash(t.assigned_agent.as_deref()),
                clip(&t.title),
            ]
        })
        .collect();
    out.table(
        &["KEY", "STATUS", "PRI", "AGENT TYPE", "ASSIGNED", "TITLE"],
        &rows,
        "No tasks match. Create one: shark task create E01 F01 \"Title\"",
    )
}

/// One task in full, for people.
pub fn show(out: &Out, t: &Task, notes: &[Note]) -> anyhow::Result<()> {
    let mut lines = vec![
        format!("{}  {}", t.key, t.title),
        format!(
            "Status:      {}",
            crate::damaged::status_text(t.status, t.status.is_known())
        ),
        format!("Priority:    {}", t.priority.get()),
        format!("Feature:     {}", t.feature_key),
        format!("Agent type:  {}", or_dash(t.agent_type.as_deref())),
        format!("Assigned:    {}", or_dash(t.assigned_agent.as_deref())),
        format!(
            "Depends on:  {}",
            if t.depends_on.is_empty() {
                "-".into()
            } else {
                t.depends_on.join(", ")
            }
        ),
        format!("Created:     {}", when(&t.created_at)),
    ];
    for (label, v) in [
        ("Started:", &t.started_at),
        ("Completed:", &t.completed_at),
        ("Blocked:", &t.blocked_at),
    ] {
        if let Some(v) = v {
            lines.push(format!("{label:<12} {}", when(v)));
        }
    }
    if let Some(r) = &t.blocked_reason {
        lines.push(format!("Blocked by:  {r}"));
    }
    lines.push(format!("Updated:     {}", when(&t.updated_at)));
    if let Some(d) = &t.description {
        lines.push(String::new());
        lines.push(d.clone());
    }
    if !notes.is_empty() {
        lines.push(String::new());
        lines.push("Notes:".into());
        for n in notes {
            lines.push(format!(
                "  [{}] {} ({}, {}): {}",
                n.note_type,
                when(&n.created_at),
                n.created_by,
                n.device_name,
                n.content
            ));
        }
    }
    out.lines_styled(&lines, crate::paint::field)
}

/// A task's completion reports and links, for people (after [`show`]).
pub fn show_extra(
    out: &Out,
    reports: &[CompletionRecord],
    links: &TaskLinks,
) -> anyhow::Result<()> {
    let mut lines = Vec::new();
    if !links.dependency_status.is_empty() {
        lines.push(String::new());
        lines.push("Dependencies:".to_string());
        for (k, s) in &links.dependency_status {
            lines.push(format!("  {k}  {s}"));
        }
    }
    if !links.blocks.is_empty() {
        lines.push(String::new());
        lines.push(format!("Blocks:      {}", links.blocks.join(", ")));
    }
    for r in reports {
        let c = &r.report;
        lines.push(String::new());
        lines.push(format!(
            "Completed by {} ({}):",
            r.created_by,
            when(&r.created_at)
        ));
        if let Some(s) = &c.summary {
            lines.push(format!("  Summary:   {s}"));
        }
        if !c.files_created.is_empty() {
            lines.push(format!("  Created:   {}", c.files_created.join(", ")));
        }
        if !c.files_modified.is_empty() {
            lines.push(format!("  Modified:  {}", c.files_modified.join(", ")));
        }
        if let Some(t) = &c.tests {
            lines.push(format!("  Tests:     {t}"));
        }
        if let Some(m) = c.time_spent_minutes {
            lines.push(format!("  Time:      {m} min"));
        }
        if c.verified {
            lines.push("  Verified:  yes".to_string());
        }
        if let Some(a) = &c.agent_id {
            lines.push(format!("  Agent id:  {a}"));
        }
    }
    if lines.is_empty() {
        return Ok(());
    }
    out.lines(&lines)
}
