//! `shark feature ...`: create, list (Go Shark's `{results, count}`), show,
//! update, complete and delete features.

use serde::Serialize;
use shark_core::model::{Feature, Task};
use shark_core::store::{NewFeature, Store, TaskFilter};

use crate::args::FeatureCmd;
use crate::args::plan::Finish;
use crate::locate::{locate, one_of};
use crate::plan::{self, Results};
use crate::render::{Out, clip};
use crate::{task_view, usage};

#[derive(Serialize)]
struct FeatureDetail<'a> {
    #[serde(flatten)]
    feature: &'a Feature,
    tasks: &'a [Task],
}

pub async fn run(store: &Store, cmd: FeatureCmd, out: &Out) -> anyhow::Result<()> {
    match cmd {
        FeatureCmd::Create {
            args,
            epic,
            title,
            description,
            execution_order,
            status,
        } => {
            let status = status.as_deref().map(plan::parse_status).transpose()?;
            // `E01 "Title"`, `"Title" --epic E01`, or `E01 --title "Title"`.
            let (epic_arg, title_arg) = match args.as_slice() {
                [] => (None, None),
                [one] if title.is_none() && epic.is_some() => (None, Some(one.clone())),
                [one] => (Some(one.clone()), None),
                [e, t] => (Some(e.clone()), Some(t.clone())),
                _ => return usage("too many arguments: shark feature create E01 \"Title\""),
            };
            let Some(epic) = one_of("epic", epic_arg, epic)? else {
                return usage("say which epic: shark feature create E01 \"Title\"");
            };
            let Some(title) = one_of("title", title_arg, title)? else {
                return usage("give the feature a title: shark feature create E01 \"Title\"");
            };
            let new = NewFeature {
                epic,
                title,
                description,
                execution_order,
                status,
            };
            let f = store.create_feature(new).await?;
            if out.json {
                out.json(&f)
            } else {
                out.lines(&[format!("Created feature {}: {}", f.key, f.title)])
            }
        }
        FeatureCmd::List {
            epic_arg,
            epic,
            filter,
        } => {
            let epic = one_of("epic", epic_arg, epic)?;
            let keep = plan::keeps(&filter)?;
            let listing = store.list_features(epic.as_deref()).await?;
            crate::damaged::report(out, &listing.damaged);
            let features: Vec<Feature> = listing
                .items
                .into_iter()
                .filter(|f| keep(f.status))
                .collect();
            if out.json {
                return out.json(&Results {
                    results: &features,
                    count: features.len(),
                });
            }
            table(out, &features)
        }
        FeatureCmd::Update {
            key,
            fields,
            execution_order,
        } => {
            let mut patch = plan::patch(fields)?;
            patch.execution_order = execution_order;
            if patch.is_empty() {
                return usage(format!(
                    "nothing to update: give --title, --description, --execution-order or --status, e.g. shark feature update {key} --status completed"
                ));
            }
            let f = store.update_feature(&key, patch).await?;
            if out.json {
                out.json(&f)
            } else {
                out.lines(&[format!(
                    "Updated feature {}: {} ({})",
                    f.key, f.title, f.status
                )])
            }
        }
        FeatureCmd::Complete(Finish { key, force }) => {
            let f = store.complete_feature(&key, force).await?;
            if out.json {
                out.json(&f)
            } else {
                out.lines(&[format!("Feature {} is completed", f.key)])
            }
        }
        FeatureCmd::Delete(Finish { key, force }) => {
            let actor = out.actor(None);
            let (key, n) = store.archive_feature(&key, force, &actor).await?;
            plan::deleted(out, "feature", &key, n)
        }
        FeatureCmd::Get { key, feature } => {
            let tokens: Vec<String> = std::iter::once(key).chain(feature).collect();
            let Some(fk) = locate(&tokens, None, None)?.feature else {
                return usage("give a feature key: shark feature get E01-F01");
            };
            let f = store.get_feature(&fk.to_string()).await?;
            let filter = TaskFilter {
                feature: Some(f.key.clone()),
                ..TaskFilter::everything()
            };
            let listing = store.list_tasks(&filter).await?;
            crate::damaged::report(out, &listing.damaged);
            let tasks = listing.items;
            if out.json {
                return out.json(&FeatureDetail {
                    feature: &f,
                    tasks: &tasks,
                });
            }
            out.lines(&[
                format!("{}  {}", f.key, f.title),
                format!(
                    "Status:    {} ({})",
                    f.status,
                    plan::source_text(f.status_source)
                ),
                format!("Progress:  {}% of {} tasks", f.progress_pct, f.task_count),
            ])?;
            if let Some(d) = &f.description {
                out.lines(&["", d.as_str()])?;
            }
            out.lines(&["", "Tasks:"])?;
            task_view::table(out, &tasks)
        }
    }
}

/// Features as a table.
pub fn table(out: &Out, features: &[Feature]) -> anyhow::Result<()> {
    let rows: Vec<Vec<String>> = features
        .iter()
        .map(|f| {
            vec![
                f.key.clone(),
                crate::damaged::status_text(f.status, f.status.is_known()),
                format!("{}%", f.progress_pct),
                f.task_count.to_string(),
                clip(&f.title),
            ]
        })
        .collect();
    out.table(
        &["KEY", "STATUS", "PROGRESS", "TASKS", "TITLE"],
        &rows,
        "No features yet. Create one: shark feature create E01 \"Title\"",
    )
}
