//! The command line's shape (clap): the same commands, flags and argument
//! forms as the Go Shark CLI where Shark has the feature, so its users'
//! scripts and agents' prompts run unchanged; Shark's own commands beside.

pub mod plan;
mod task;

use clap::{Parser, Subcommand};

pub use plan::{EpicCmd, FeatureCmd};
pub use task::{CompletionArgs, Place, TaskCmd, TransitionArgs};

#[derive(Debug, Parser)]
#[command(
    name = "shark",
    version,
    about = "Local-first task manager for developers and AI agents",
    long_about = "Shark keeps work as epics (E01), features (E01-F01) and tasks (T-E01-F01-001) \
in a local database. Every command accepts --json for scripts and agents.\n\n\
Data lives in the platform data folder, or under $SHARK_HOME when set.",
    after_help = "Examples:\n  shark epic create \"Auth\"\n  shark feature create E01 \"Login\"\n  \
shark task create E01 F01 \"Password form\" --priority 2\n  shark task next --json\n  \
shark task start T-E01-F01-001 --agent claude"
)]
pub struct Cli {
    /// Print machine-readable JSON instead of tables.
    #[arg(long, global = true)]
    pub json: bool,

    /// Log what shark does to stderr (-v info, -vv debug). SHARK_LOG takes a filter too.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// No colour. Output is coloured only on a terminal, never with --json,
    /// NO_COLOR or TERM=dumb; CLICOLOR_FORCE=1 colours it anyway.
    #[arg(long, global = true)]
    pub no_color: bool,

    /// Use the Shark database file at PATH for this command (local only, run
    /// in this process; created if missing), instead of this machine's.
    #[arg(long, global = true, value_name = "PATH")]
    pub db: Option<std::path::PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Epics: the top level of the plan.
    #[command(subcommand)]
    Epic(EpicCmd),
    /// Features inside epics.
    #[command(subcommand)]
    Feature(FeatureCmd),
    /// Tasks: create, list, pick the next one, move them through the workflow.
    #[command(subcommand)]
    Task(TaskCmd),
    /// Set Shark up on this machine: the data folder, settings and database (idempotent).
    Init {
        /// Ask nothing (Shark's init never asks; accepted for Go Shark scripts).
        #[arg(long)]
        non_interactive: bool,
        /// Accepted for Go Shark scripts; init never overwrites anything.
        #[arg(long)]
        force: bool,
    },
    /// A dashboard: every epic with its progress, and the tasks waiting on people.
    Status,
    /// Sync with Turso: every machine a full replica, offline writes.
    #[command(subcommand)]
    Cloud(CloudCmd),
    /// Check settings, token, files, the database, the server and sync history; each problem with its fix (exit 5 if any check fails).
    Doctor {
        /// Also fix what is safe in rows Shark cannot read (key numbers out of range, tasks whose feature is gone, times that do not parse), each fix recorded in history; the rest is listed with what a person could do.
        #[arg(long)]
        repair: bool,
    },
    /// The background process that owns a connected machine's database and syncs it (commands start it when needed).
    #[command(subcommand)]
    Daemon(DaemonCmd),
    /// Bring in a Shark database (Go Shark's shark-tasks.db, or a `shark export --format sqlite` file).
    Import {
        /// The SQLite file to read (it is never modified).
        path: std::path::PathBuf,
    },
    /// Take everything out: a plain SQLite file or one JSON document.
    Export {
        /// sqlite (any sqlite3 opens it; shark import reads it back) or json.
        #[arg(long, value_parser = ["sqlite", "json"])]
        format: String,
        /// The file to write.
        path: std::path::PathBuf,
        /// Replace the file if it exists.
        #[arg(long)]
        force: bool,
    },
    /// Print a shell's completion script (commands, flags, and this machine's keys and statuses).
    #[command(after_help = "Load it in the running shell, or for every new one:\n  \
bash:  eval \"$(shark completion bash)\"     (or add that line to ~/.bashrc)\n  \
zsh:   eval \"$(shark completion zsh)\"      (in ~/.zshrc, after compinit)\n  \
fish:  shark completion fish | source      (in ~/.config/fish/config.fish)\n\n\
The Debian package installs them for bash, zsh and fish already.")]
    Completion {
        #[arg(value_parser = SHELLS)]
        shell: String,
    },
    /// Write the man pages (shark.1, and shark-task-create.1 for each subcommand) into DIR.
    #[command(hide = true)]
    ManPages { dir: std::path::PathBuf },
}

/// The shells `shark completion` writes a script for.
pub const SHELLS: [&str; 5] = ["bash", "zsh", "fish", "powershell", "elvish"];

#[derive(Debug, Subcommand)]
pub enum DaemonCmd {
    /// Run the daemon here, in the foreground (what start and the systemd unit run).
    Run {
        /// Exit after this many seconds without a command, once nothing waits to be pushed (0: never; default 900 or [daemon] idle_secs).
        #[arg(long, value_name = "SECS", value_parser = clap::value_parser!(u64).range(0..=2_592_000))]
        idle_secs: Option<u64>,
    },
    /// Start it in the background now (commands on a connected machine do this by themselves).
    Start,
    /// Who owns this machine's database: the desktop app, a daemon, or nobody.
    Status,
    /// Stop the daemon: it finishes the commands in flight, pushes what waits (briefly) and exits.
    Stop,
    /// Write a systemd user unit that keeps the daemon running (servers, VMs).
    Install,
    /// Remove the systemd user unit.
    Uninstall,
}

#[derive(Debug, Subcommand)]
pub enum CloudCmd {
    /// Connect this machine to a Turso database (your local tasks are carried over once).
    Init {
        /// libsql://NAME-ORG.turso.io (or https://..., or http://127.0.0.1:PORT for a local sync server).
        #[arg(long)]
        url: String,
        /// Allow http:// to another machine (the token travels in clear text).
        #[arg(long)]
        allow_insecure_http: bool,
    },
    /// Save the database token (read without echo, or from standard input).
    Login,
    /// Remove the saved token.
    Logout,
    /// Mode, URL, sync state, pending changes, last sync, device, token.
    Status,
    /// Push and pull now.
    Sync,
    /// Go back to local only, keeping every task in the local database.
    Disconnect,
    /// Re-create this machine's replica from Turso (when it is damaged): says how many changes were not pushed and exports everything readable to a file first.
    Rebuild {
        /// Go ahead (without it, only says what would happen).
        #[arg(long)]
        yes: bool,
    },
    /// Usage against the plan's limits, per machine and per day; flags change the settings.
    Usage(UsageArgs),
}

/// `shark cloud usage` settings (any given are saved before the report).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct UsageArgs {
    /// Turso organization name, for Turso's own figures (Platform API).
    #[arg(long, value_name = "NAME")]
    pub org: Option<String>,
    /// Turso database name (optional; its figures are shown beside the organization's).
    #[arg(long, value_name = "NAME")]
    pub database: Option<String>,
    /// Stop using the Platform API (forgets the organization and database names).
    #[arg(long, conflicts_with_all = ["org", "database"])]
    pub no_api: bool,
    /// Read a Platform API token (not the database token) without echo, or from standard input.
    #[arg(long)]
    pub api_token: bool,
    /// Remove the saved Platform API token.
    #[arg(long, conflicts_with = "api_token")]
    pub forget_api_token: bool,
    /// free, developer, custom (your limits), or auto (the plan Turso reports).
    #[arg(long)]
    pub plan: Option<String>,
    /// Custom limits (rows or bytes per month; 0 removes the override).
    #[arg(long, value_name = "ROWS")]
    pub rows_read_limit: Option<u64>,
    #[arg(long, value_name = "ROWS")]
    pub rows_written_limit: Option<u64>,
    #[arg(long, value_name = "BYTES")]
    pub storage_limit: Option<u64>,
    #[arg(long, value_name = "BYTES")]
    pub synced_limit: Option<u64>,
    /// Warn at this percentage of a quota (1-100, default 80).
    #[arg(long, value_name = "PERCENT")]
    pub warn_percent: Option<u8>,
    /// Fetch Turso's figures now instead of using ones up to 5 minutes old.
    #[arg(long)]
    pub refresh: bool,
}
