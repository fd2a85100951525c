//! Shell completion: `shark completion SHELL` prints the script a shell
//! loads, and the shell then asks the binary itself (clap_complete's dynamic
//! engine, through [`VAR`]) for subcommands, flags and live values: epic,
//! feature and task keys from this machine's database, and statuses. Values
//! never touch the network or start a daemon: they come from the owner
//! (app or daemon) when one runs, else from a local-only database that
//! exists already, opened here, else there are none (a connected machine whose daemon is stopped
//! completes commands and flags only).

use std::ffi::OsStr;
use std::io::Write;
use std::time::Duration;

use clap::{Arg, Command, CommandFactory, Parser};
use clap_complete::engine::{ArgValueCompleter, CompletionCandidate};
use clap_complete::env::{CompleteEnv, Shells};
use serde_json::Value;
use shark_core::model::{PlanStatus, TaskStatus};

use shark_core::cloud::Attempt;
use shark_core::cloud::url::{DbTarget, database_identity, resolve_url};
use shark_core::paths::SharkPaths;

use crate::args::Cli;
use crate::handoff::{self, Forwarded};
use crate::render::{Caller, Out};

/// The variable the registration scripts set when they ask for completions.
pub const VAR: &str = "SHARK_COMPLETE";

/// How long values may take before the shell gets commands and flags only.
const VALUES_WITHIN: Duration = Duration::from_millis(1500);

/// Answers the shell and exits when it is the shell asking ([`VAR`] set);
/// returns at once otherwise. Called before anything else runs.
pub fn answer_if_asked() {
    CompleteEnv::with_factory(command)
        .var(VAR)
        .bin("shark")
        .completer("shark")
        .complete();
}

/// Writes `shell`'s registration script (the caller checked the name).
pub fn registration(shell: &str, w: &mut dyn Write) -> anyhow::Result<()> {
    let shells = Shells::builtins();
    let Some(s) = shells.completer(shell) else {
        return crate::usage(format!(
            "unknown shell '{shell}': use one of {}",
            crate::args::SHELLS.join(", ")
        ));
    };
    s.write_registration(VAR, "shark", "shark", "shark", w)?;
    Ok(())
}

/// The command line with live value completers on the arguments that take
/// keys and statuses.
pub fn command() -> Command {
    let mut cmd = Cli::command();
    for sub in ["task", "epic", "feature"] {
        cmd = cmd.mut_subcommand(sub, |group| {
            let names: Vec<String> = group
                .get_subcommands()
                .map(|c| c.get_name().to_string())
                .collect();
            names.into_iter().fold(group, |group, name| {
                group.mut_subcommand(&name, |c| with_values(sub, &name, c))
            })
        });
    }
    cmd
}

/// What an argument's values are.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Tasks,
    Epics,
    Features,
    /// Epics and features (`task create E01 F01`, `task list E01-F01`).
    Places,
    TaskStatuses,
    PlanStatuses,
}

/// Which kind of value each argument of `shark GROUP NAME` takes.
fn kind_of(group: &str, name: &str, arg: &str) -> Option<Kind> {
    Some(match (group, name, arg) {
        ("task", "note", "args") => Kind::Tasks,
        ("task", _, "args") => Kind::Places,
        ("task", _, "key" | "depends_on") => Kind::Tasks,
        ("task", _, "status") => Kind::TaskStatuses,
        ("feature", _, "key") => Kind::Features,
        ("feature", "create", "args") => Kind::Epics,
        ("epic", _, "key") => Kind::Epics,
        (_, _, "epic" | "epic_arg") => Kind::Epics,
        (_, _, "feature") => Kind::Features,
        (_, _, "status") => Kind::PlanStatuses,
        _ => return None,
    })
}

fn with_values(group: &str, name: &str, c: Command) -> Command {
    let ids: Vec<String> = c.get_arguments().map(|a| a.get_id().to_string()).collect();
    ids.into_iter()
        .fold(c, |c, id| match kind_of(group, name, &id) {
            Some(kind) => c.mut_arg(&id, |a: Arg| {
                a.add(ArgValueCompleter::new(move |current: &OsStr| {
                    candidates(kind, current)
                }))
            }),
            None => c,
        })
}

/// The values of `kind` that start with what was typed (case-insensitive:
/// Shark accepts `e01-f01-001`).
fn candidates(kind: Kind, current: &OsStr) -> Vec<CompletionCandidate> {
    let Some(typed) = current.to_str() else {
        return Vec::new();
    };
    // After a comma (`--depends-on T-1,T-`), complete the last item.
    let (done, typed) = match typed.rfind(',') {
        Some(i) => typed.split_at(i + 1),
        None => ("", typed),
    };
    let typed = typed.to_ascii_uppercase();
    values(kind)
        .into_iter()
        .filter(|(v, _)| v.to_ascii_uppercase().starts_with(&typed))
        .map(|(v, help)| {
            let c = CompletionCandidate::new(format!("{done}{v}"));
            match help {
                Some(h) => c.help(Some(h.into())),
                None => c,
            }
        })
        .collect()
}

/// Values and their help (a key's title).
fn values(kind: Kind) -> Vec<(String, Option<String>)> {
    let named = |s: &'static str| (s.to_string(), None);
    match kind {
        Kind::TaskStatuses => TaskStatus::ALL.iter().map(|s| named(s.as_str())).collect(),
        Kind::PlanStatuses => PlanStatus::ALL.iter().map(|s| named(s.as_str())).collect(),
        Kind::Tasks => keys(&[List::Tasks]),
        Kind::Epics => keys(&[List::Epics]),
        Kind::Features => keys(&[List::Features]),
        Kind::Places => keys(&[List::Epics, List::Features]),
    }
}

/// A list whose keys are completed.
#[derive(Debug, Clone, Copy)]
enum List {
    Epics,
    Features,
    Tasks,
}

impl List {
    fn args(self) -> [&'static str; 4] {
        let noun = match self {
            List::Epics => "epic",
            List::Features => "feature",
            List::Tasks => "task",
        };
        [noun, "list", "--show-all", "--json"]
    }
}

/// The keys (and titles) of `lists`, read only for what is being completed;
/// none when they cannot be read within [`VALUES_WITHIN`].
fn keys(lists: &[List]) -> Vec<(String, Option<String>)> {
    let Ok(rt) = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    else {
        return Vec::new();
    };
    rt.block_on(async {
        tokio::time::timeout(VALUES_WITHIN, read(lists))
            .await
            .ok()
            .and_then(Result::ok)
            .unwrap_or_default()
    })
}

/// Reads the keys from the owner, else from a local-only database (never
/// a connected one: opening it could reach the network).
async fn read(lists: &[List]) -> anyhow::Result<Vec<(String, Option<String>)>> {
    let paths = SharkPaths::from_env()?;
    // A machine Shark never ran on: nothing to complete, and nothing written.
    if !paths.device_file().exists() {
        return Ok(Vec::new());
    }
    let mut ctx = crate::Ctx::at(paths)?;
    // Another command holding the file: no values rather than a wait.
    ctx.lock_timeout = Duration::from_millis(200);
    let url = ctx.config.cloud.url.as_deref();
    let database = database_identity(&ctx.paths, url).ok();
    // Opened here only when local-only and already there: a Tab never
    // creates a database (a relative SHARK_DB_URL in a new folder, a home
    // where only the device id was made).
    let local = match resolve_url(url)?.target {
        DbTarget::Remote(_) => false,
        DbTarget::Local(file) => {
            let file = file.unwrap_or_else(|| ctx.paths.database_file());
            std::fs::metadata(&file).is_ok_and(|m| m.is_file() && m.len() > 0)
        }
    };
    let caller = Caller::from_env();
    let mut opened = None;
    let mut keys = Vec::new();
    for list in lists {
        let args = list.args();
        let argv: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        let cli = Cli::try_parse_from(std::iter::once("shark").chain(args))?;
        let reply = handoff::forward(&ctx.paths, &cli, argv, &caller, database.clone()).await?;
        let json = match reply {
            Forwarded::Done(reply) if reply.code == 0 => reply.stdout,
            Forwarded::NoOwner if local => {
                // A buffered Out: the open's notes stay off the shell's line.
                let (out, buf) = Out::buffered(true, caller.clone());
                let store = match &opened {
                    Some(o) => o,
                    None => opened.insert(ctx.open(Attempt::Auto, &out).await?),
                };
                crate::run_on(&store.store, cli.command, &out).await?;
                let bytes = buf.lock().map(|b| b.clone()).unwrap_or_default();
                String::from_utf8(bytes).unwrap_or_default()
            }
            _ => String::new(),
        };
        keys.extend(keys_of(&json));
    }
    Ok(keys)
}

/// Keys and titles from a list's JSON (`[...]` or Go Shark's `{"results": [...]}`).
fn keys_of(json: &str) -> Vec<(String, Option<String>)> {
    let Ok(v) = serde_json::from_str::<Value>(json) else {
        return Vec::new();
    };
    let items = match &v {
        Value::Array(a) => a.as_slice(),
        Value::Object(o) => o
            .get("results")
            .and_then(Value::as_array)
            .map_or(&[][..], Vec::as_slice),
        _ => &[],
    };
    items
        .iter()
        .filter_map(|i| {
            let key = i.get("key")?.as_str()?.to_string();
            let title = i
                .get("title")
                .and_then(Value::as_str)
                .map(|t| crate::printable::printable(&crate::render::clip(t)).into_owned());
            Some((key, title))
        })
        .collect()
}
