//! The command line's shape (clap), modelled on the Go Shark CLI's core
//! commands so its users and agents feel at home.

use clap::{Args, Parser, Subcommand};

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
    /// Sync with Turso: every machine a full replica, offline writes.
    #[command(subcommand)]
    Cloud(CloudCmd),
    /// Check settings, token, files, the database, the server and sync history; each problem with its fix (exit 1 if any check fails).
    Doctor,
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
}

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

#[derive(Debug, Subcommand)]
pub enum EpicCmd {
    /// Create an epic: `shark epic create "Title"` or `--title "Title"`.
    Create {
        /// The title (or use --title).
        title_arg: Option<String>,
        #[arg(long)]
        title: Option<String>,
        #[arg(long)]
        description: Option<String>,
        /// high, medium (default) or low.
        #[arg(long)]
        priority: Option<String>,
        /// high, medium or low.
        #[arg(long)]
        business_value: Option<String>,
    },
    /// List every epic.
    List,
    /// Show one epic and its features.
    Get { key: String },
}

#[derive(Debug, Subcommand)]
pub enum FeatureCmd {
    /// Create a feature: `shark feature create E01 "Title"` or `--epic E01 --title T`.
    Create {
        /// EPIC and TITLE, or just one of them with the other as a flag.
        #[arg(num_args = 0..=2)]
        args: Vec<String>,
        #[arg(long)]
        epic: Option<String>,
        #[arg(long)]
        title: Option<String>,
        #[arg(long)]
        description: Option<String>,
        /// Position among the epic's features (default: last).
        #[arg(long)]
        execution_order: Option<i64>,
    },
    /// List features, of one epic or all.
    List { epic: Option<String> },
    /// Show one feature (`E01-F01`, or `E01 F01`) and its tasks.
    Get {
        key: String,
        /// The feature number when KEY is just the epic (`shark feature get E01 F01`).
        feature: Option<String>,
    },
}

/// Where a task lives: positional `E01 F01`, `E01-F01`, or flags.
#[derive(Debug, Args, Default)]
pub struct Place {
    #[arg(long)]
    pub epic: Option<String>,
    #[arg(long)]
    pub feature: Option<String>,
}

/// Options shared by the status-changing commands.
#[derive(Debug, Args)]
pub struct TransitionArgs {
    /// The task key (`T-E01-F01-001` or `e01-f01-001`).
    pub key: String,
    /// Why (required for block and reopen).
    #[arg(long)]
    pub reason: Option<String>,
    /// The agent making the change (also becomes the assigned agent on start).
    #[arg(long)]
    pub agent: Option<String>,
    /// Apply the change even if the workflow does not allow it (recorded in history).
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Subcommand)]
pub enum TaskCmd {
    /// Create a task: `shark task create E01 F01 "Title"`, `E01-F01 "Title"`, or flags.
    Create {
        /// EPIC FEATURE TITLE, FEATURE TITLE, or TITLE with --epic/--feature.
        #[arg(num_args = 0..=3)]
        args: Vec<String>,
        #[command(flatten)]
        place: Place,
        #[arg(long)]
        title: Option<String>,
        #[arg(long)]
        description: Option<String>,
        /// 1 (highest) to 10 (lowest); default 5.
        #[arg(long, allow_hyphen_values = true)]
        priority: Option<String>,
        /// The kind of agent for the task (backend, frontend, testing...).
        #[arg(long)]
        agent: Option<String>,
        /// Keys of tasks this one waits for, comma separated.
        #[arg(long, value_delimiter = ',')]
        depends_on: Vec<String>,
        /// Create many tasks in one transaction from a JSON file ('-' for stdin):
        /// an array of {"feature","title","description","priority","agent","depends_on"}.
        #[arg(long, conflicts_with_all = ["args", "title", "description", "priority", "agent", "depends_on"])]
        batch: Option<String>,
    },
    /// List tasks: `shark task list [EPIC] [FEATURE]`.
    List {
        #[arg(num_args = 0..=2)]
        args: Vec<String>,
        #[command(flatten)]
        place: Place,
        /// Only these statuses (comma separated).
        #[arg(long, value_delimiter = ',')]
        status: Vec<String>,
        /// Only tasks of this agent type or assigned agent.
        #[arg(long)]
        agent: Option<String>,
        /// Include archived tasks.
        #[arg(long)]
        all: bool,
    },
    /// Show one task with its notes.
    Get { key: String },
    /// The highest-priority todo task whose dependencies are completed.
    Next {
        #[arg(long)]
        agent: Option<String>,
        #[arg(long)]
        epic: Option<String>,
    },
    /// todo -> in_progress.
    Start(TransitionArgs),
    /// in_progress -> ready_for_review.
    Complete(TransitionArgs),
    /// ready_for_review -> completed.
    Approve(TransitionArgs),
    /// Mark blocked (needs --reason).
    Block(TransitionArgs),
    /// blocked -> in_progress (or todo if never started).
    Unblock(TransitionArgs),
    /// Back to in_progress from review, completed or archived (needs --reason).
    Reopen(TransitionArgs),
    /// Archive (the way to delete; reopen brings it back).
    Archive(TransitionArgs),
    /// Edit fields. An empty value clears an optional field.
    Update {
        key: String,
        #[arg(long)]
        title: Option<String>,
        #[arg(long)]
        description: Option<String>,
        #[arg(long, allow_hyphen_values = true)]
        priority: Option<String>,
        /// The agent type.
        #[arg(long)]
        agent: Option<String>,
        /// The assigned agent.
        #[arg(long)]
        assign: Option<String>,
        /// Replace the dependencies (comma separated; "" removes all).
        #[arg(long)]
        depends_on: Option<String>,
    },
    /// Add a typed note: `shark task note KEY --type decision "text"`.
    Note {
        key: String,
        /// The note text.
        text: String,
        /// comment (default), decision, blocker, solution, reference,
        /// implementation, testing, future, question, rejection.
        #[arg(long = "type", default_value = "comment")]
        note_type: String,
        #[arg(long)]
        agent: Option<String>,
    },
    /// List a task's notes.
    Notes {
        key: String,
        #[arg(long = "type")]
        note_type: Option<String>,
    },
    /// Every status change and field edit of a task, with who, where and when.
    History { key: String },
}
