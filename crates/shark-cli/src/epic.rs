//! `shark epic ...`: create, list and show epics.

use serde::Serialize;
use shark_core::model::{Epic, Feature, Level};
use shark_core::store::{NewEpic, Store};

use crate::args::EpicCmd;
use crate::locate::one_of;
use crate::render::{Out, clip, or_dash};
use crate::{feature, usage};

#[derive(Serialize)]
struct EpicDetail<'a> {
    #[serde(flatten)]
    epic: &'a Epic,
    features: &'a [Feature],
}

pub async fn run(store: &Store, cmd: EpicCmd, out: &Out) -> anyhow::Result<()> {
    match cmd {
        EpicCmd::Create {
            title_arg,
            title,
            description,
            priority,
            business_value,
        } => {
            let Some(title) = one_of("title", title_arg, title)? else {
                return usage("give the epic a title: shark epic create \"Title\"");
            };
            let new = NewEpic {
                title,
                description,
                priority: priority.map(|p| p.parse::<Level>()).transpose()?,
                business_value: business_value.map(|p| p.parse::<Level>()).transpose()?,
            };
            let epic = store.create_epic(new).await?;
            if out.json {
                out.json(&epic)
            } else {
                out.lines(&[format!("Created epic {}: {}", epic.key, epic.title)])
            }
        }
        EpicCmd::List => {
            let epics = store.list_epics().await?;
            if out.json {
                return out.json(&epics);
            }
            let rows: Vec<Vec<String>> = epics
                .iter()
                .map(|e| {
                    vec![
                        e.key.clone(),
                        e.status.to_string(),
                        e.priority.to_string(),
                        or_dash(e.business_value.map(Level::as_str)),
                        clip(&e.title),
                    ]
                })
                .collect();
            out.table(
                &["KEY", "STATUS", "PRIORITY", "VALUE", "TITLE"],
                &rows,
                "No epics yet. Create one: shark epic create \"Title\"",
            )
        }
        EpicCmd::Get { key } => {
            let epic = store.get_epic(&key).await?;
            let features = store.list_features(Some(&epic.key)).await?;
            if out.json {
                return out.json(&EpicDetail {
                    epic: &epic,
                    features: &features,
                });
            }
            out.lines(&[
                format!("{}  {}", epic.key, epic.title),
                format!("Status:    {}", epic.status),
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
            out.lines(&["", "Features:"])?;
            feature::table(out, &features)
        }
    }
}
