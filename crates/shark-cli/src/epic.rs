//! `shark epic ...`: create, list (Go Shark's `{results, count}` with
//! progress), show, update, complete and delete epics.

use serde::Serialize;
use shark_core::model::{Epic, Feature, Level};
use shark_core::store::{NewEpic, Store};

use crate::args::EpicCmd;
use crate::args::plan::Finish;
use crate::locate::one_of;
use crate::plan::{self, Results};
use crate::render::{Out, clip, or_dash};
use crate::{feature, usage};

#[derive(Serialize)]
struct EpicDetail<'a> {
    #[serde(flatten)]
    epic: &'a Epic,
    features: &'a [Feature],
}

fn level(v: Option<String>) -> anyhow::Result<Option<Level>> {
    Ok(v.map(|p| p.parse::<Level>()).transpose()?)
}

pub async fn run(store: &Store, cmd: EpicCmd, out: &Out) -> anyhow::Result<()> {
    match cmd {
        EpicCmd::Create {
            title_arg,
            title,
            description,
            priority,
            business_value,
            status,
        } => {
            let Some(title) = one_of("title", title_arg, title)? else {
                return usage("give the epic a title: shark epic create \"Title\"");
            };
            let status = status.as_deref().map(plan::parse_status).transpose()?;
            let new = NewEpic {
                title,
                description,
                priority: level(priority)?,
                business_value: level(business_value)?,
                status,
            };
            let epic = store.create_epic(new).await?;
            if out.json {
                out.json(&epic)
            } else {
                out.lines(&[format!("Created epic {}: {}", epic.key, epic.title)])
            }
        }
        EpicCmd::List(filter) => {
            let keep = plan::keeps(&filter)?;
            let listing = store.list_epics().await?;
            crate::damaged::report(out, &listing.damaged);
            let epics: Vec<Epic> = listing
                .items
                .into_iter()
                .filter(|e| keep(e.status))
                .collect();
            if out.json {
                return out.json(&Results {
                    results: &epics,
                    count: epics.len(),
                });
            }
            table(out, &epics)
        }
        EpicCmd::Get { key } => {
            let epic = store.get_epic(&key).await?;
            let listing = store.list_features(Some(&epic.key)).await?;
            crate::damaged::report(out, &listing.damaged);
            let features = listing.items;
            if out.json {
                return out.json(&EpicDetail {
                    epic: &epic,
                    features: &features,
                });
            }
            show(out, &epic)?;
            out.lines(&["", "Features:"])?;
            feature::table(out, &features)
        }
        EpicCmd::Update {
            key,
            fields,
            priority,
            business_value,
        } => {
            let mut patch = plan::patch(fields)?;
            patch.priority = level(priority)?;
            patch.business_value = level(business_value)?;
            if patch.is_empty() {
                return usage(format!(
                    "nothing to update: give --title, --description, --priority, --business-value or --status, e.g. shark epic update {key} --status completed"
                ));
            }
            let epic = store.update_epic(&key, patch).await?;
            if out.json {
                out.json(&epic)
            } else {
                out.lines(&[format!("Updated epic {}", epic.key)])?;
                show(out, &epic)
            }
        }
        EpicCmd::Complete(Finish { key, force }) => {
            let epic = store.complete_epic(&key, force).await?;
            if out.json {
                out.json(&epic)
            } else {
                out.lines(&[format!("Epic {} is completed", epic.key)])
            }
        }
        EpicCmd::Delete(Finish { key, force }) => {
            let actor = out.actor(None);
            let (key, n) = store.archive_epic(&key, force, &actor).await?;
            plan::deleted(out, "epic", &key, n)
        }
    }
}

fn show(out: &Out, epic: &Epic) -> anyhow::Result<()> {
    out.lines(&[
        format!("{}  {}", epic.key, epic.title),
        format!(
            "Status:    {} ({})",
            epic.status,
            plan::source_text(epic.status_source)
        ),
        format!(
            "Progress:  {}% of {} tasks in {} features",
            epic.progress_pct, epic.task_count, epic.feature_count
        ),
        format!("Priority:  {}", epic.priority),
        format!(
            "Value:     {}",
            or_dash(epic.business_value.map(Level::as_str))
        ),
        format!("Created:   {}", crate::render::when(&epic.created_at)),
    ])?;
    if let Some(d) = &epic.description {
        out.lines(&["", d.as_str()])?;
    }
    Ok(())
}

/// Epics as a table.
pub fn table(out: &Out, epics: &[Epic]) -> anyhow::Result<()> {
    let rows: Vec<Vec<String>> = epics
        .iter()
        .map(|e| {
            vec![
                e.key.clone(),
                crate::damaged::status_text(e.status, e.status.is_known()),
                format!("{}%", e.progress_pct),
                e.task_count.to_string(),
                e.priority.to_string(),
                clip(&e.title),
            ]
        })
        .collect();
    out.table(
        &["KEY", "STATUS", "PROGRESS", "TASKS", "PRIORITY", "TITLE"],
        &rows,
        "No epics match. Create one: shark epic create \"Title\"",
    )
}
