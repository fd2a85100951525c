//! `shark cloud ...`, and the quiet sync after every other command: writes are
//! local and printed at once; then, when changes are pending or a pull is due,
//! the same process syncs (bounded by a timeout) before it exits.

use std::time::Duration;

use serde::Serialize;
use shark_core::cloud::pipeline::{self, Attempts, SyncReport, Trigger};
use shark_core::cloud::url::{DbTarget, UrlSource, parse};
use shark_core::cloud::{
    self, Attempt, ConnectionInfo, MachineState, Mode, Opened, SyncState, should_sync,
};
use shark_core::cloud::{Recorder, redact};
use shark_core::store::SyncStats;
use shark_core::time;
use shark_core::usage::meter::UsageMeter;

use crate::args::CloudCmd;
use crate::handoff::OwnerInfo;
use crate::render::Out;
use crate::{Ctx, usage};
use shark_core::usage::{ApiMode, UsageReport};

/// Timeout of one sync attempt.
/// The safety net on one sync pass of a command (the relay's deadlines end
/// a request that stops moving long before).
const ATTEMPT: Duration = shark_core::cloud::engine::PASS_SAFETY;

pub async fn run(ctx: &Ctx, cmd: CloudCmd, out: &Out) -> anyhow::Result<()> {
    match cmd {
        CloudCmd::Init {
            url,
            allow_insecure_http,
        } => init(ctx, &url, allow_insecure_http, out).await,
        CloudCmd::Login => crate::cloud_token::login(ctx, out),
        CloudCmd::Logout => crate::cloud_token::logout(ctx, out),
        CloudCmd::Status => status(ctx, out).await,
        CloudCmd::Sync => sync(ctx, out).await,
        CloudCmd::Disconnect => disconnect(ctx, out).await,
        CloudCmd::Rebuild { yes } => rebuild(ctx, yes, out).await,
        CloudCmd::Usage(args) => {
            let mut ctx = ctx.clone();
            let (mode, notes) = crate::cloud_usage::apply_args(&mut ctx, &args)?;
            let opened = ctx.open(Attempt::Now, out).await?;
            crate::cloud_usage::show(&ctx, &opened.store, mode, &notes, out).await
        }
    }
}

/// `cloud status` and `cloud usage` for the desktop app, which holds the
/// database and refreshes Turso's figures itself (so only cached ones here).
pub async fn run_hosted(
    ctx: &Ctx,
    store: &shark_core::store::Store,
    info: &ConnectionInfo,
    owner: &OwnerInfo,
    cmd: CloudCmd,
    out: &Out,
) -> anyhow::Result<()> {
    match cmd {
        CloudCmd::Status => show_status(ctx, store, info, Some(owner), ApiMode::Cached, out).await,
        CloudCmd::Usage(args) if args.api_token => anyhow::bail!(
            "the Shark desktop app is running: add the Platform API token in its Settings, under Usage (or quit the app to use --api-token here)"
        ),
        CloudCmd::Usage(args) => {
            let mut ctx = ctx.clone();
            let (mode, notes) = crate::cloud_usage::apply_args(&mut ctx, &args)?;
            crate::cloud_usage::show(&ctx, store, mode, &notes, out).await
        }
        _ => anyhow::bail!(
            "the Shark desktop app is running and manages the cloud connection: use its Settings (or quit the app to run shark cloud here)"
        ),
    }
}

fn interval(ctx: &Ctx) -> Duration {
    ctx.config
        .cloud
        .sync_interval_secs
        .map_or(cloud::state::DEFAULT_INTERVAL, Duration::from_secs)
}

/// Syncs with retries, records the outcome, and tells about renumbered keys.
async fn sync_recorded(
    ctx: &Ctx,
    opened: &Opened,
    trigger: Trigger,
    retries: u32,
    out: &Out,
) -> anyhow::Result<SyncReport> {
    let meter = UsageMeter::new(&ctx.paths);
    let mut recorder = Recorder::new(&ctx.paths);
    let attempts = Attempts {
        timeout: ATTEMPT,
        retries,
    };
    let result = pipeline::run(&opened.store, trigger, attempts, &[&meter]).await;
    recorder.record(&result, time::now());
    recorder.flush(time::now());
    let report = result.map_err(|e| anyhow::anyhow!("{e}"))?;
    for r in &report.renumbered {
        out.note(&format!(
            "{} is now {} (another machine took the key first)",
            r.old_key, r.new_key
        ));
    }
    Ok(report)
}

/// After a command: sync if changes wait or a pull is due; never fails the command.
pub async fn auto_sync(ctx: &Ctx, opened: &Opened, out: &Out) {
    if opened.info.mode != Mode::Replica {
        return;
    }
    let Ok(Some(stats)) = opened.store.sync_stats().await else {
        return;
    };
    let state = SyncState::load(&ctx.paths);
    let last_pull = stats.last_pull_unix_time.and_then(time::from_unix);
    let due = should_sync(
        time::now(),
        stats.pending_changes,
        last_pull,
        state.last_failure.as_ref().map(|f| f.at),
        interval(ctx),
    );
    if !due {
        return;
    }
    if let Err(e) = sync_recorded(ctx, opened, Trigger::Due, 0, out).await {
        let pending = opened.store.pending_changes().await;
        tracing::warn!("automatic sync failed: {e:#}");
        if pending > 0 {
            out.note(&format!(
                "not synced yet ({pending} changes wait on this machine): {e:#}"
            ));
        }
    }
}

async fn init(ctx: &Ctx, url: &str, allow_insecure_http: bool, out: &Out) -> anyhow::Result<()> {
    if !matches!(parse(url)?, DbTarget::Remote(_)) {
        return usage(
            "that is a local database path; Shark already works locally. Give a Turso URL (libsql://NAME-ORG.turso.io)",
        );
    }
    let mut ctx2 = ctx.clone();
    ctx2.config.cloud.url = Some(url.trim().to_string());
    // Opening checks the transport rule before any connection; nothing is saved before it.
    ctx2.config.cloud.allow_insecure_http = allow_insecure_http.then_some(true);
    out.show_progress(Some(format!(
        "Connecting to {} (a new machine downloads the database first)",
        redact(url.trim())
    )));
    let opened = ctx2.open(Attempt::Now, out).await?;
    ctx2.config.save(&ctx2.paths)?;
    if opened.info.mode == Mode::Replica {
        out.progress_step("Syncing: carrying this machine's tasks over");
        sync_recorded(&ctx2, &opened, Trigger::Requested, 3, out).await?;
    }
    out.end_progress();
    show_status(
        &ctx2,
        &opened.store,
        &opened.info,
        None,
        ApiMode::RefreshIfDue,
        out,
    )
    .await
}

#[derive(Serialize)]
struct Status<'a> {
    #[serde(flatten)]
    info: &'a ConnectionInfo,
    state: String,
    pending_changes: i64,
    last_sync: Option<time::Timestamp>,
    last_error: Option<&'a cloud::state::Failure>,
    device_id: &'a str,
    device_name: &'a str,
    sync_interval_secs: u64,
    /// Usage against the plan (absent on a local-only machine without Turso settings).
    usage: Option<UsageReport>,
    /// The process holding the database that answered (absent: this command).
    owner: Option<&'a OwnerInfo>,
    /// A machine running a newer Shark (this one should be updated).
    newer_shark: Option<shark_core::store::NewerShark>,
}

fn state_of(info: &ConnectionInfo, stats: Option<&SyncStats>, state: &SyncState) -> String {
    let pending = stats.map_or(0, |s| s.pending_changes);
    let problem = state.last_failure.as_ref().map(|f| f.problem);
    MachineState::of_record(info.mode, problem, pending).label(pending)
}

async fn show_status(
    ctx: &Ctx,
    store: &shark_core::store::Store,
    info: &ConnectionInfo,
    owner: Option<&OwnerInfo>,
    api: ApiMode,
    out: &Out,
) -> anyhow::Result<()> {
    let stats = store.sync_stats_for_display().await?;
    let state = SyncState::load(&ctx.paths);
    let usage = if info.mode != Mode::Local || ctx.config.usage.organization.is_some() {
        Some(shark_core::usage::gather(store, &ctx.config.usage, api).await?)
    } else {
        None
    };
    let status = Status {
        info,
        state: state_of(info, stats.as_ref(), &state),
        pending_changes: stats.as_ref().map_or(0, |s| s.pending_changes),
        last_sync: state.last_success,
        last_error: state.last_failure.as_ref(),
        device_id: &ctx.device.id,
        device_name: &ctx.device.name,
        sync_interval_secs: interval(ctx).as_secs(),
        usage,
        owner,
        newer_shark: store.newer_shark().await?,
    };
    if out.json {
        return out.json(&status);
    }
    let or = |v: Option<String>| v.unwrap_or_else(|| "-".into());
    let mut lines = vec![
        format!(
            "Mode:          {}",
            serde_json::to_value(info.mode)?.as_str().unwrap_or("?")
        ),
        format!(
            "URL:           {} ({})",
            or(info.url.clone()),
            info.url_source
        ),
        format!("State:         {}", status.state),
        format!("Pending:       {}", status.pending_changes),
        format!(
            "Last sync:     {}",
            or(status.last_sync.as_ref().map(crate::render::when))
        ),
        format!("Device:        {} ({})", ctx.device.name, ctx.device.id),
        format!(
            "Owner:         {}",
            owner.map_or_else(
                || "this command (no Shark app or daemon runs)".to_string(),
                OwnerInfo::describe
            )
        ),
        format!(
            "Token:         {}",
            or(info.token_source.as_ref().map(|s| s.to_string()))
        ),
    ];
    if let Some(exp) = &info.token_expires_at {
        lines.push(format!("Token expires: {}", crate::render::when(exp)));
    }
    if let Some(w) = info.insecure_warning() {
        lines.push(format!("warning: {w}"));
    }
    if let Some(n) = &status.newer_shark {
        lines.push(format!("warning: {}", n.message()));
    }
    if let Some(f) = &status.last_error {
        lines.push(format!(
            "Last error:    {} at {}: {}",
            crate::remedy::advice(f.problem),
            crate::render::when(&f.at),
            f.message
        ));
    }
    if let Some(u) = &status.usage {
        lines.extend(crate::cloud_usage::report_lines(u, false));
    }
    out.lines(&lines)
}

async fn status(ctx: &Ctx, out: &Out) -> anyhow::Result<()> {
    let opened = ctx.open(Attempt::Now, out).await?;
    show_status(
        ctx,
        &opened.store,
        &opened.info,
        None,
        ApiMode::RefreshIfDue,
        out,
    )
    .await
}

async fn sync(ctx: &Ctx, out: &Out) -> anyhow::Result<()> {
    let opened = ctx.open(Attempt::Now, out).await?;
    if opened.info.mode != Mode::Replica {
        let why = if opened.info.mode == Mode::Local {
            "this machine is local only; connect it with shark cloud init --url URL"
        } else {
            "Turso is not reachable, so this machine is not connected yet; your work is saved locally"
        };
        anyhow::bail!("{why}");
    }
    let report = sync_recorded(ctx, &opened, Trigger::Requested, 3, out).await?;
    print_sync(&opened.info, &report, out)
}

/// `shark cloud sync` run by the owner's engine: its outcome as the
/// command's (a failure exits 1 with the engine's reason).
pub fn report_sync(
    info: &ConnectionInfo,
    result: Result<SyncReport, pipeline::RunError>,
    out: &Out,
) -> anyhow::Result<()> {
    let report = result
        .map_err(|e| anyhow::anyhow!("{}: {}", crate::remedy::advice(e.problem), e.message))?;
    print_sync(info, &report, out)
}

fn print_sync(info: &ConnectionInfo, report: &SyncReport, out: &Out) -> anyhow::Result<()> {
    if out.json {
        return out.json(report);
    }
    let mut lines = vec![format!(
        "Synced with {}: {}.",
        info.url.clone().unwrap_or_default(),
        sync_summary(report)
    )];
    lines.extend(report.renumbered.iter().map(|r| {
        format!(
            "{} is now {} (another machine took the key first)",
            r.old_key, r.new_key
        )
    }));
    out.lines(&lines)
}

/// What a pass did, in words: what it sent and what it received.
fn sync_summary(report: &SyncReport) -> String {
    let sent = match report.pushed_changes {
        0 => "nothing to send".to_string(),
        1 => "sent 1 change".to_string(),
        n => format!("sent {n} changes"),
    };
    let received = if !report.asked_for_news {
        "did not ask the server for news"
    } else if report.pulled {
        "received changes from the server"
    } else {
        "the server had nothing new"
    };
    format!("{sent}; {received}")
}

async fn disconnect(ctx: &Ctx, out: &Out) -> anyhow::Result<()> {
    // The saved setting wins over the environment, so an env source means no setting.
    if let UrlSource::Env(var) =
        shark_core::cloud::url::resolve_url(ctx.config.cloud.url.as_deref())?.source
    {
        anyhow::bail!(
            "the database URL comes from the environment variable {var}; unset it to stay local only"
        );
    }
    let opened = ctx.open(Attempt::Now, out).await?;
    let (saved, lock) = cloud::disconnect(&ctx.paths, opened.store).await?;
    let mut config = ctx.config.clone();
    config.cloud.url = None;
    config.save(&ctx.paths)?;
    drop(lock);
    let path = ctx.paths.database_file();
    if out.json {
        return out
            .json(&serde_json::json!({"mode": "local", "records_saved": saved, "database": path}));
    }
    out.lines(&[format!(
        "This machine is local only now; {saved} records are in {}. Reconnect any time with shark cloud init --url URL.",
        path.display()
    )])
}

async fn rebuild(ctx: &Ctx, yes: bool, out: &Out) -> anyhow::Result<()> {
    use shark_core::cloud::rebuild;
    let (survey, old) = rebuild::survey(&ctx.paths, ctx.device.clone(), &ctx.config).await?;
    let unpushed = match survey.unpushed {
        Some(0) => "every local change was pushed".to_string(),
        Some(n) => format!("{n} local change records were NOT pushed yet"),
        None => "the replica cannot be opened, so how many changes were not pushed is unknown"
            .to_string(),
    };
    let health = survey
        .problem
        .as_deref()
        .map_or("it passes the integrity check".to_string(), |p| {
            format!("problem: {p}")
        });
    if !yes {
        drop(old);
        if out.json {
            out.json(&serde_json::json!({"survey": survey, "rebuilt": false}))?;
        }
        return usage(format!(
            "this machine's replica of {}: {health}; {unpushed}. shark cloud rebuild --yes exports everything readable to a file, moves the old files aside and downloads a fresh copy from Turso",
            survey.url
        ));
    }
    let (done, opened) = rebuild::rebuild(
        &ctx.paths,
        ctx.device.clone(),
        &ctx.config,
        survey,
        old,
        ctx.lock_timeout,
    )
    .await?;
    let mut state = SyncState::load(&ctx.paths);
    state.succeeded(time::now());
    state.save(&ctx.paths)?;
    drop(opened);
    if out.json {
        return out.json(&done);
    }
    let mut lines = vec![format!(
        "Rebuilt the replica of {} from Turso: {} tasks. Before: {unpushed}; {health}.",
        done.survey.url, done.tasks
    )];
    match &done.export {
        Some(f) => lines.push(format!(
            "Everything the old replica held is exported to {}; bring back what Turso lacks with: shark import {}",
            f.display(),
            f.display()
        )),
        None => lines.push("The old replica could not be read, so nothing was exported.".into()),
    }
    lines.push(format!(
        "The old replica's files are kept in {} (for inspection only: never copy them back).",
        done.kept.display()
    ));
    out.lines(&lines)
}
