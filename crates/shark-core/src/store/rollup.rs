//! Fills what epics and features show from their tasks: counts, progress and
//! the status as shown (see [`crate::plan_status`]), from one grouped query.

use std::collections::HashMap;

use turso::Connection;

use super::row;
use crate::error::Result;
use crate::model::{Epic, Feature, PlanStatus, TaskStatus};
use crate::plan_status::{self, TaskCounts};

/// Task counts per feature, and each feature's epic and stored status.
pub(crate) struct Rollup {
    features: HashMap<String, (String, PlanStatus, TaskCounts)>,
}

impl Rollup {
    pub(crate) async fn read(conn: &Connection) -> Result<Self> {
        let rows = row::query_all(
            conn,
            "SELECT f.id, f.epic_id, f.status, t.status, COUNT(t.id)
             FROM features f LEFT JOIN tasks t ON t.feature_id = f.id
             GROUP BY f.id, f.epic_id, f.status, t.status",
            vec![],
            // A feature or task status that cannot be read counts for
            // nothing (lists show such rows as damaged).
            |r| {
                let fid = row::text(r, 0).ok();
                let eid = row::text(r, 1).ok();
                let stored = row::text(r, 2)
                    .ok()
                    .and_then(|s| PlanStatus::from_stored(&s));
                let status = row::opt_text(r, 3)
                    .ok()
                    .flatten()
                    .and_then(|s| TaskStatus::from_stored(&s));
                let n = row::int(r, 4).unwrap_or(0);
                Ok(fid
                    .zip(eid)
                    .zip(stored)
                    .map(|((f, e), s)| (f, e, s, status, n)))
            },
        )
        .await?;
        let mut features: HashMap<String, (String, PlanStatus, TaskCounts)> = HashMap::new();
        for (fid, eid, stored, status, n) in rows.into_iter().flatten() {
            let entry = features
                .entry(fid)
                .or_insert_with(|| (eid, stored, TaskCounts::default()));
            if let Some(status) = status {
                entry.2.add(status, n.max(0) as u64);
            }
        }
        Ok(Rollup { features })
    }

    fn feature_counts(&self, id: &str) -> TaskCounts {
        self.features.get(id).map(|f| f.2).unwrap_or_default()
    }

    /// Sets each feature's counts, progress and shown status.
    pub(crate) fn fill_features(&self, features: &mut [Feature]) {
        for f in features {
            let c = self.feature_counts(&f.id);
            f.task_count = c.total() - c.archived;
            f.progress_pct = c.progress_pct();
            (f.status, f.status_source) = plan_status::shown(f.status, plan_status::of_tasks(&c));
        }
    }

    /// Sets each epic's counts, progress and shown status.
    pub(crate) fn fill_epics(&self, epics: &mut [Epic]) {
        // Each epic's task counts and its features' statuses as shown, in one pass.
        let mut per: HashMap<&str, (TaskCounts, Vec<PlanStatus>)> = HashMap::new();
        for (eid, stored, c) in self.features.values() {
            let entry = per.entry(eid.as_str()).or_default();
            entry.0.merge(c);
            entry
                .1
                .push(plan_status::shown(*stored, plan_status::of_tasks(c)).0);
        }
        for e in epics {
            let (total, statuses) = per.remove(e.id.as_str()).unwrap_or_default();
            e.feature_count = statuses.len() as u64;
            e.task_count = total.total() - total.archived;
            e.progress_pct = total.progress_pct();
            (e.status, e.status_source) =
                plan_status::shown(e.status, plan_status::of_features(&statuses));
        }
    }
}
