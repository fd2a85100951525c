//! `shark cloud usage` (settings and the full report) and the usage lines
//! `shark cloud status` prints: one line per quota, and a warning line per
//! quota past the threshold naming the percentage and the projected date.

use shark_core::cloud::token::{PLATFORM_TOKEN, TokenSource, remove_slot, store_slot};
use shark_core::secret::SecretToken;
use shark_core::store::Store;
use shark_core::usage::report::{Level, Source, amount};
use shark_core::usage::settings::{UsageChange, apply};
use shark_core::usage::{self, ApiMode, UsageReport};

use crate::Ctx;
use crate::args::UsageArgs;
use crate::render::Out;

/// Saves the settings the flags change (checked first; nothing is saved on
/// a bad value) and returns the API mode the report should use.
pub fn apply_args(ctx: &mut Ctx, args: &UsageArgs) -> anyhow::Result<(ApiMode, Vec<String>)> {
    let mut notes = Vec::new();
    let change = UsageChange {
        organization: if args.no_api {
            Some(String::new())
        } else {
            args.org.clone()
        },
        database: if args.no_api {
            Some(String::new())
        } else {
            args.database.clone()
        },
        plan: args.plan.clone(),
        rows_read_limit: args.rows_read_limit,
        rows_written_limit: args.rows_written_limit,
        storage_bytes_limit: args.storage_limit,
        bytes_synced_limit: args.synced_limit,
        warn_percent: args.warn_percent,
        api_url: None,
    };
    let token = if args.api_token {
        Some(read_api_token()?)
    } else {
        None
    };
    let mut changed = false;
    if !change.is_empty() {
        ctx.config.usage = apply(&ctx.config.usage, &change)?;
        ctx.config.save(&ctx.paths)?;
        notes.push("Saved the usage settings.".to_string());
        changed = true;
    }
    if let Some(t) = token {
        let (stored, why) = store_slot(&ctx.paths, PLATFORM_TOKEN, &t)?;
        notes.push(match (&stored, why) {
            (TokenSource::Keyring, _) => "Saved the Platform API token in the system keyring.".into(),
            (other, Some(why)) => format!(
                "No usable system keyring here ({why}); saved the Platform API token in {} (readable only by you).",
                other.describe(PLATFORM_TOKEN)
            ),
            (other, None) => format!("Saved the Platform API token in {}.", other.describe(PLATFORM_TOKEN)),
        });
        changed = true;
    }
    if args.forget_api_token {
        let removed = remove_slot(&ctx.paths, PLATFORM_TOKEN)?;
        if let Some(why) = &removed.keyring_unchecked {
            notes.push(format!(
                "note: the system keyring could not be checked ({why})"
            ));
        }
        notes.push(if removed.from.is_empty() {
            "No saved Platform API token.".into()
        } else {
            "Removed the saved Platform API token.".into()
        });
    }
    let mode = if args.refresh || changed {
        ApiMode::Force
    } else {
        ApiMode::RefreshIfDue
    };
    Ok((mode, notes))
}

fn read_api_token() -> anyhow::Result<SecretToken> {
    crate::secret_input::read_secret(
        "Turso Platform API token (input hidden): ",
        "no token given: paste it at the prompt, or pipe it: turso auth api-tokens mint shark | shark cloud usage --api-token",
    )
}

/// Prints the full report.
pub async fn show(
    ctx: &Ctx,
    store: &Store,
    mode: ApiMode,
    notes: &[String],
    out: &Out,
) -> anyhow::Result<()> {
    let report = usage::gather(store, &ctx.config.usage, mode).await?;
    if out.json {
        return out.json(&report);
    }
    let mut lines: Vec<String> = notes.to_vec();
    lines.extend(report_lines(&report, true));
    out.lines(&lines)
}

fn age(secs: Option<i64>) -> String {
    match secs {
        None => String::new(),
        Some(s) if s < 90 => ", just now".into(),
        Some(s) if s < 5400 => format!(", {} min ago", s / 60),
        Some(s) if s < 2 * 86400 => format!(", {} h ago", s / 3600),
        Some(s) => format!(", {} days ago", s / 86400),
    }
}

/// The usage lines: a heading, one line per quota, warnings; `full` adds
/// machines, the last days and the API state.
pub fn report_lines(r: &UsageReport, full: bool) -> Vec<String> {
    let mut lines = vec![format!(
        "Usage {} ({} plan, warn at {}%):",
        r.month, r.plan.name, r.warn_percent
    )];
    for q in &r.quotas {
        let used = match q.used {
            Some(u) => format!(
                "{} of {} ({:.1}%)",
                amount(q.quota, u),
                amount(q.quota, q.limit),
                q.percent.unwrap_or(0.0)
            ),
            None => format!("unknown of {}", amount(q.quota, q.limit)),
        };
        let source = match q.source {
            Source::Local => format!("measured by Shark{}", age(q.age_secs)),
            Source::LocalEstimate => "estimate: this machine's replica size".into(),
            Source::Turso => format!("from Turso{}", age(q.age_secs)),
            Source::Unknown => {
                "only Turso knows: add the organization and a Platform API token".into()
            }
        };
        let projected = match (q.projected, q.used) {
            (Some(p), Some(_)) if full => {
                format!("; month-end at this pace: {}", amount(q.quota, p))
            }
            _ => String::new(),
        };
        lines.push(format!("  {:<13} {used} - {source}{projected}", q.label));
    }
    if !r.this_machine_syncs {
        lines.push(
            "  (this machine is local only: its work uses no Turso quota; connect with shark cloud init)"
                .into(),
        );
    }
    for w in &r.warnings {
        let word = if w.level == Level::Over {
            "over limit"
        } else {
            "warning"
        };
        lines.push(format!("{word}: {}", w.message));
    }
    if let Some(n) = &r.plan.note {
        lines.push(format!("note: {n}"));
    }
    if let Some(e) = &r.api.error {
        lines.push(format!("note: Turso's figures: {e}"));
    }
    if !full {
        return lines;
    }
    lines.push("Machines this month:".into());
    if r.machines.is_empty() {
        lines.push("  none has synced yet".into());
    }
    for m in &r.machines {
        lines.push(format!(
            "  {}{}: {} written, {} synced, {} pushes, {} pulls",
            m.name,
            if m.this_machine {
                " (this machine)"
            } else {
                ""
            },
            amount(
                shark_core::usage::Quota::RowsWritten,
                m.counters.rows_written
            ),
            amount(shark_core::usage::Quota::BytesSynced, m.bytes_synced),
            m.counters.pushes,
            m.counters.pulls
        ));
    }
    let active: Vec<_> = r
        .days
        .iter()
        .filter(|d| d.rows_written + d.bytes_synced > 0)
        .collect();
    if !active.is_empty() {
        lines.push("Last 30 days (all machines):".into());
        for d in active {
            lines.push(format!(
                "  {}  {} written, {} synced",
                d.day,
                amount(shark_core::usage::Quota::RowsWritten, d.rows_written),
                amount(shark_core::usage::Quota::BytesSynced, d.bytes_synced)
            ));
        }
    }
    lines.push(match (&r.api.organization, r.api.fetched_at) {
        (None, _) => {
            "Turso's figures: not set up (shark cloud usage --org NAME --api-token)".into()
        }
        (Some(o), Some(t)) => format!(
            "Turso's figures: organization {o}, fetched {}",
            crate::render::when(&t)
        ),
        (Some(o), None) => format!("Turso's figures: organization {o}, none fetched yet"),
    });
    lines.push(format!("Dashboard: {}", r.dashboard_url));
    lines
}
