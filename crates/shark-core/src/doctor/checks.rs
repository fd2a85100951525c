//! The individual checks of `shark doctor`, each turning what it finds into
//! one [`Check`] with a fix a person can type.

use std::path::{Path, PathBuf};

use super::ping::{Ping, ping};
use super::{Check, Status};
use crate::cloud::state::SyncState;
use crate::cloud::transport::{self, Transport};
use crate::cloud::url::{DbTarget, redact, resolve_url};
use crate::cloud::{ConnectionInfo, Problem, check_token, load_token};
use crate::config::Config;
use crate::paths::SharkPaths;
use crate::secret::SecretToken;
use crate::store::Store;
use crate::time;

/// A remote database the server check may contact.
pub(super) struct RemoteUrl {
    pub url: String,
    pub transport: Transport,
}

pub(super) fn config(paths: &SharkPaths, loaded: &Result<Config, String>) -> Check {
    let path = paths.config_file();
    match loaded {
        Ok(_) if path.exists() => Check::new(
            "config",
            "Settings",
            Status::Pass,
            format!("{}", path.display()),
        ),
        Ok(_) => Check::new(
            "config",
            "Settings",
            Status::Pass,
            format!("defaults ({} not created yet)", path.display()),
        ),
        Err(e) => Check::new("config", "Settings", Status::Fail, e.clone()).fix(format!(
            "correct {} (or move it away to start from defaults)",
            path.display()
        )),
    }
}

/// Where the database URL came from, and whether its transport is allowed.
pub(super) fn url(config: &Config, list: &mut Vec<Check>) -> Option<RemoteUrl> {
    let resolved = match resolve_url(config.cloud.url.as_deref()) {
        Ok(r) => r,
        Err(e) => {
            list.push(
                Check::new("url", "Database URL", Status::Fail, e.to_string())
                    .fix("shark cloud init --url libsql://NAME-ORG.turso.io (or unset the variable named above)"),
            );
            return None;
        }
    };
    for note in &resolved.ignored {
        list.push(Check::new(
            "url_ignored",
            "Ignored variable",
            Status::Info,
            note.clone(),
        ));
    }
    let source = resolved.source;
    let url = match resolved.target {
        DbTarget::Local(None) => {
            list.push(Check::new(
                "url",
                "Database URL",
                Status::Pass,
                format!("local only ({source})"),
            ));
            return None;
        }
        DbTarget::Local(Some(p)) => {
            list.push(Check::new(
                "url",
                "Database URL",
                Status::Pass,
                format!("local file {} ({source})", p.display()),
            ));
            return None;
        }
        DbTarget::Remote(url) => url,
    };
    let shown = redact(&url);
    match transport::check(&url, config.cloud.allow_insecure_http == Some(true)) {
        Ok(Transport::InsecureHttp) => {
            list.push(
                Check::new(
                    "url",
                    "Database URL",
                    Status::Warn,
                    transport::insecure_warning(&url),
                )
                .fix(format!(
                    "shark cloud init --url {}",
                    shown.replacen("http://", "https://", 1)
                )),
            );
            Some(RemoteUrl {
                url,
                transport: Transport::InsecureHttp,
            })
        }
        Ok(t) => {
            let how = if t == Transport::Tls {
                "TLS"
            } else {
                "a sync server on this machine"
            };
            list.push(Check::new(
                "url",
                "Database URL",
                Status::Pass,
                format!("{shown} ({source}; {how})"),
            ));
            Some(RemoteUrl { url, transport: t })
        }
        Err(e) => {
            list.push(
                Check::new("url", "Database URL", Status::Fail, e.to_string()).fix(format!(
                    "shark cloud init --url {}",
                    shown.replacen("http://", "https://", 1)
                )),
            );
            None
        }
    }
}

/// The database token: where it is, whether it is readable only by the user,
/// its format and its expiry. Returns it when usable.
pub(super) fn token(
    paths: &SharkPaths,
    remote: Option<&RemoteUrl>,
    list: &mut Vec<Check>,
) -> Option<SecretToken> {
    let check = |status, detail: String| Check::new("token", "Token", status, detail);
    let found = match load_token(paths) {
        Ok(found) => found,
        Err(e) => {
            let file = crate::cloud::token::token_file(paths);
            list.push(
                check(Status::Fail, e.to_string()).fix(format!("chmod 600 {}", file.display())),
            );
            return None;
        }
    };
    let Some((token, source)) = found else {
        list.push(match remote {
            None => check(Status::Info, "none (not needed: local only)".into()),
            Some(r) if r.transport == Transport::LoopbackHttp => check(
                Status::Info,
                "none (a sync server on this machine needs none)".into(),
            ),
            Some(_) => check(
                Status::Fail,
                "no token: Turso will refuse every sync".into(),
            )
            .fix("turso db tokens create DB | shark cloud login"),
        });
        return None;
    };
    let from = source.to_string();
    match check_token(&token, time::now()) {
        Err(e) => {
            list.push(
                check(Status::Fail, format!("{e} (from {from})"))
                    .fix("turso db tokens create DB | shark cloud login"),
            );
            None
        }
        Ok(info) => {
            let expiry = info.expires_at.map_or("never expires".to_string(), |t| {
                format!("expires {}", time::to_text(&t))
            });
            list.push(match info.warning {
                Some(w) => check(Status::Warn, format!("{w} (from {from})"))
                    .fix("turso db tokens create DB | shark cloud login"),
                None => check(
                    Status::Pass,
                    format!("from {from}; a well-formed JWT; {expiry}"),
                ),
            });
            Some(token)
        }
    }
}

pub(super) fn keyring(paths: &SharkPaths) -> Check {
    match crate::cloud::keyring::get(paths, "shark-doctor-probe") {
        Ok(_) => Check::new(
            "keyring",
            "Keyring",
            Status::Pass,
            "available: tokens are kept in it".into(),
        ),
        Err(why) => Check::new(
            "keyring",
            "Keyring",
            Status::Info,
            format!("not available here ({why}); tokens are kept in files readable only by you"),
        ),
    }
}

/// Every file in the Shark folders must be 0600 and every folder 0700.
pub(super) fn files(paths: &SharkPaths) -> Check {
    let mut seen = 0usize;
    let mut open_files = Vec::new();
    let mut open_dirs = Vec::new();
    let mut dirs: Vec<PathBuf> = vec![
        paths.config_dir.clone(),
        paths.data_dir.clone(),
        paths.log_dir.clone(),
    ];
    dirs.dedup();
    for dir in dirs {
        walk(&dir, 0, &mut seen, &mut open_files, &mut open_dirs);
    }
    if open_files.is_empty() && open_dirs.is_empty() {
        return Check::new(
            "files",
            "File permissions",
            Status::Pass,
            format!("{seen} files and folders, all readable only by you"),
        );
    }
    let list = |v: &[PathBuf]| {
        v.iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut fixes = Vec::new();
    if !open_files.is_empty() {
        fixes.push(format!("chmod 600 {}", list(&open_files)));
    }
    if !open_dirs.is_empty() {
        fixes.push(format!("chmod 700 {}", list(&open_dirs)));
    }
    Check::new(
        "files",
        "File permissions",
        Status::Fail,
        format!(
            "other users can read {}",
            open_files
                .iter()
                .chain(&open_dirs)
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    )
    .fix(fixes.join(" && "))
}

fn walk(
    dir: &Path,
    depth: usize,
    seen: &mut usize,
    files: &mut Vec<PathBuf>,
    dirs: &mut Vec<PathBuf>,
) {
    if !dir.is_dir() || depth > 3 {
        return;
    }
    *seen += 1;
    if mode(dir).is_some_and(|m| m & 0o077 != 0) {
        dirs.push(dir.to_path_buf());
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let path = e.path();
        let Ok(kind) = e.file_type() else { continue };
        if kind.is_dir() {
            walk(&path, depth + 1, seen, files, dirs);
        } else if kind.is_file() || kind.is_socket_like() {
            *seen += 1;
            if mode(&path).is_some_and(|m| m & 0o077 != 0) {
                files.push(path);
            }
        }
    }
}

/// Sockets count as files here (the app's socket must be private too).
trait SocketLike {
    fn is_socket_like(&self) -> bool;
}

impl SocketLike for std::fs::FileType {
    fn is_socket_like(&self) -> bool {
        #[cfg(unix)]
        {
            use std::os::unix::fs::FileTypeExt;
            self.is_socket()
        }
        #[cfg(not(unix))]
        false
    }
}

fn mode(path: &Path) -> Option<u32> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path)
            .ok()
            .map(|m| m.permissions().mode() & 0o777)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

pub(super) async fn integrity(store: &Store, info: &ConnectionInfo) -> Check {
    let size = std::fs::metadata(store.path()).map_or(0, |m| m.len());
    let what = format!("{} ({} KB)", store.path().display(), size / 1024);
    match store.integrity_check().await {
        Ok(problems) if problems.is_empty() => Check::new(
            "integrity",
            "Database",
            Status::Pass,
            format!("{what}: integrity check ok"),
        ),
        Ok(problems) => Check::new(
            "integrity",
            "Database",
            Status::Fail,
            format!("{what} is damaged: {}", problems.join("; ")),
        )
        .fix(rebuild_fix(
            info.mode == crate::cloud::Mode::Replica,
            store.path(),
        )),
        Err(e) => Check::new(
            "integrity",
            "Database",
            Status::Fail,
            format!("{what}: the check failed: {e}"),
        )
        .fix(rebuild_fix(
            info.mode == crate::cloud::Mode::Replica,
            store.path(),
        )),
    }
}

fn rebuild_fix(replica: bool, path: &Path) -> String {
    if replica {
        "shark cloud rebuild (exports what can be read first, then downloads a fresh copy from Turso)".into()
    } else {
        format!(
            "move {} away, then shark import your latest export (shark export --format sqlite FILE makes one)",
            path.display()
        )
    }
}

pub(super) fn unopened(paths: &SharkPaths, remote: bool, why: &str) -> Check {
    let replica = paths.replica_file();
    let file = if remote && replica.exists() {
        replica
    } else {
        paths.database_file()
    };
    // Whatever stopped the open (a token, a lock), a damaged file is reported too.
    if let Err(damaged) = crate::store::check_file(&file) {
        return Check::new("integrity", "Database", Status::Fail, damaged.to_string())
            .fix(rebuild_fix(file == paths.replica_file(), &file));
    }
    let check = Check::new(
        "integrity",
        "Database",
        Status::Fail,
        format!("cannot be opened: {why}"),
    );
    if why.contains("in use by another shark process") {
        return check.fix("wait for the other shark command to finish, or quit it");
    }
    if why.contains("token") || why.contains("database URL") {
        return check.fix("apply the fix on the line about it above");
    }
    check.fix(rebuild_fix(file == paths.replica_file(), &file))
}

/// The machine's state, in the words `shark cloud status` and the app use.
pub(super) fn state(paths: &SharkPaths, info: &ConnectionInfo, pending: i64) -> Check {
    let failure = SyncState::load(paths).last_failure.map(|f| f.problem);
    let state = crate::cloud::MachineState::of_record(info.mode, failure, pending);
    Check::new("state", "State", Status::Info, state.label(pending))
}

/// `n`: the change records waiting (read once for this and [`state`]).
pub(super) fn pending(store: &Store, info: &ConnectionInfo, n: i64) -> Check {
    if info.mode == crate::cloud::Mode::LocalFallback {
        return Check::new(
            "pending",
            "Pending changes",
            Status::Warn,
            "not connected yet: Turso was unreachable when this machine first connected, so work stays in the local database".into(),
        )
        .fix("shark cloud sync once the server is reachable (your tasks are then carried over)");
    }
    if !store.is_replica() {
        return Check::new(
            "pending",
            "Pending changes",
            Status::Info,
            "none (local only)".into(),
        );
    }
    Check::new(
        "pending",
        "Pending changes",
        if n == 0 { Status::Pass } else { Status::Info },
        if n == 0 {
            "none: everything is pushed".into()
        } else {
            format!("{n} change records wait to be pushed")
        },
    )
}

pub(super) async fn server(remote: &RemoteUrl, token: Option<&SecretToken>) -> Check {
    let shown = redact(&remote.url);
    let check = |status, detail: String| Check::new("server", "Server", status, detail);
    // The URL check above refused clear text already (this RemoteUrl carries
    // the transport it passed with); the ping checks again before sending.
    let insecure_allowed = remote.transport == Transport::InsecureHttp;
    match ping(&remote.url, token, insecure_allowed).await {
        Ping::Reachable { median_ms, all_ms } => check(
            Status::Pass,
            format!("{shown} answers: median round trip {median_ms:.1} ms over {} requests", all_ms.len()),
        ),
        Ping::Unauthorized { status } => check(Status::Fail, format!("{shown} refused the token (HTTP {status})"))
            .fix("turso db tokens create DB | shark cloud login"),
        Ping::Redirect { status, location } => check(
            Status::Fail,
            format!("{shown} answered HTTP {status}, a redirect to {location}; Shark does not follow redirects, so the token goes nowhere else"),
        )
        .fix("check the database URL; if you trust the new address: shark cloud init --url NEW-URL"),
        Ping::Status { status } => check(Status::Fail, format!("{shown} answered HTTP {status}"))
            .fix("the server has a problem; try again later (work continues locally)"),
        Ping::Unreachable { detail } => check(Status::Fail, format!("cannot reach {shown}: {detail}"))
            .fix("check the network and that the server runs; your work is saved locally and syncs when it is reachable"),
        Ping::NotSent { reason } => check(Status::Fail, format!("nothing was sent to {shown}: {reason}"))
            .fix("use https:// (or libsql://): shark cloud init --url URL"),
    }
}

/// The last sync, the last error, and the success rate over 30 days.
pub(super) fn history(paths: &SharkPaths, remote: bool) -> Vec<Check> {
    let state = SyncState::load(paths);
    let rate = state.success_rate(time::now());
    if !remote && rate.attempts == 0 {
        return Vec::new();
    }
    let mut out = vec![match state.last_success {
        Some(t) => Check::new("last_sync", "Last sync", Status::Pass, time::to_text(&t)),
        None => Check::new("last_sync", "Last sync", Status::Warn, "never".into())
            .fix("shark cloud sync"),
    }];
    out.push(match &state.last_failure {
        None => Check::new("last_error", "Last error", Status::Pass, "none since the last success".into()),
        Some(f) => Check::new(
            "last_error",
            "Last error",
            if f.problem == Problem::Offline { Status::Warn } else { Status::Fail },
            format!("{}: {}", time::to_text(&f.at), f.message),
        )
        .fix(match f.problem {
            Problem::Other => {
                "shark cloud sync again; if it keeps failing, the lines above point at the cause (a damaged database: shark cloud rebuild)".to_string()
            }
            p => match p.remedy() {
                Some(r) => format!("{}; run {}", p.explain(), r.command()),
                None => p.explain().to_string(),
            },
        }),
    });
    let detail = match rate.percent {
        Some(p) => format!(
            "{p:.1}% ({} of {} attempts in the last {} days)",
            rate.successes, rate.attempts, rate.days
        ),
        None => format!("no attempts in the last {} days", rate.days),
    };
    out.push(match rate.percent {
        Some(p) if p < 99.5 => Check::new("success_rate", "Sync success", Status::Warn, detail)
            .fix("see the last error above; failures while offline are expected and retried"),
        Some(_) => Check::new("success_rate", "Sync success", Status::Pass, detail),
        None => Check::new("success_rate", "Sync success", Status::Info, detail),
    });
    out
}

/// Who holds the database: the desktop app, the background daemon, or
/// the command itself.
pub(super) fn owner(owner: Option<&str>) -> Check {
    let detail = match owner {
        Some(o) => format!("{o} holds the database; commands are handed to it"),
        None => "this command (no Shark app or daemon runs for this home)".to_string(),
    };
    Check::new("owner", "Owner", Status::Info, detail)
}

pub(super) fn pool(store: &Store, hosted: bool) -> Check {
    let s = store.pool_stats();
    Check::new(
        "pool",
        "Read pool",
        Status::Info,
        format!(
            "{} open of {} ({} idle, {} in use, {} waiting); {} reads, {} waited (longest {:.1} ms); idle ones close after {} s{}",
            s.open,
            s.size,
            s.idle,
            s.in_use,
            s.waiting,
            s.checkouts,
            s.waited,
            s.wait_max_ms,
            s.idle_timeout_secs,
            if hosted { " (the owner's)" } else { "" }
        ),
    )
}
