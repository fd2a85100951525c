//! `shark task ...`: Go Shark's commands, forms and flags (short ones
//! included), plus Shark's own (`archive`, `--batch`, `--assign`).

use clap::{Args, Subcommand};

/// Where a task lives: positional `E01 F01`, `E01-F01`, or flags.
#[derive(Debug, Args, Default)]
pub struct Place {
    #[arg(short, long)]
    pub epic: Option<String>,
    #[arg(short, long)]
    pub feature: Option<String>,
}

/// Options shared by the status-changing commands.
#[derive(Debug, Args)]
pub struct TransitionArgs {
    /// The task key (`T-E01-F01-001`, `e01-f01-001`, or Go Shark's slugged form).
    pub key: String,
    /// Why (required for block; kept in history).
    #[arg(short, long)]
    pub reason: Option<String>,
    /// Notes kept with the change: an implementation note on complete, a
    /// rejection note on reopen, a comment otherwise.
    #[arg(short, long)]
    pub notes: Option<String>,
    /// Why the work was rejected (kept as a rejection note and in history).
    #[arg(long)]
    pub rejection_reason: Option<String>,
    /// A document (path or URL) explaining the reason.
    #[arg(long, value_name = "PATH")]
    pub reason_doc: Option<String>,
    /// The agent making the change (also becomes the assigned agent on start).
    #[arg(long)]
    pub agent: Option<String>,
    /// Apply the change even if the workflow does not allow it (recorded in history).
    #[arg(long)]
    pub force: bool,
}

/// What an agent reports on `task complete` (Go Shark's completion metadata).
#[derive(Debug, Args, Default)]
pub struct CompletionArgs {
    /// Files created (comma separated, or the flag repeated).
    #[arg(long, value_delimiter = ',', value_name = "FILES")]
    pub files_created: Vec<String>,
    /// Files modified (comma separated, or the flag repeated).
    #[arg(long, value_delimiter = ',', value_name = "FILES")]
    pub files_modified: Vec<String>,
    /// The tests' status, in words ("42 passing").
    #[arg(long)]
    pub tests: Option<String>,
    /// What was done.
    #[arg(long)]
    pub summary: Option<String>,
    /// The work was verified.
    #[arg(long)]
    pub verified: bool,
    /// Minutes spent.
    #[arg(long, value_name = "MINUTES")]
    pub time_spent: Option<i64>,
    /// The agent's execution id, for tracing the run.
    #[arg(long)]
    pub agent_id: Option<String>,
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
        #[arg(short, long)]
        description: Option<String>,
        /// 1 (highest) to 10 (lowest); default 5.
        #[arg(short, long, allow_hyphen_values = true)]
        priority: Option<String>,
        /// The kind of agent for the task (backend, frontend, testing...).
        #[arg(short, long)]
        agent: Option<String>,
        /// Keys of tasks this one waits for, comma separated.
        #[arg(long, value_delimiter = ',')]
        depends_on: Vec<String>,
        /// Create many tasks in one transaction from a JSON file ('-' for stdin):
        /// an array of {"feature","title","description","priority","agent","depends_on"}.
        #[arg(long, conflicts_with_all = ["args", "title", "description", "priority", "agent", "depends_on"])]
        batch: Option<String>,
    },
    /// List tasks (completed and archived ones hidden unless --show-all or --status).
    List {
        /// EPIC and/or FEATURE (`E01`, `E01 F01`, `E01-F01`).
        #[arg(num_args = 0..=2)]
        args: Vec<String>,
        #[command(flatten)]
        place: Place,
        /// Only these statuses (comma separated).
        #[arg(short, long, value_delimiter = ',')]
        status: Vec<String>,
        /// Only tasks of this agent type or assigned agent.
        #[arg(short, long)]
        agent: Option<String>,
        /// Include completed and archived tasks.
        #[arg(long, alias = "all")]
        show_all: bool,
        /// Only blocked tasks (same as --status blocked).
        #[arg(short, long, conflicts_with = "status")]
        blocked: bool,
        /// Only priorities from this one (1 = highest)...
        #[arg(long, value_name = "1-10")]
        priority_min: Option<i64>,
        /// ...to this one (10 = lowest).
        #[arg(long, value_name = "1-10")]
        priority_max: Option<i64>,
    },
    /// Show one task: notes, completion reports, dependencies' statuses, dependents.
    Get { key: String },
    /// The highest-priority todo task whose dependencies are done (oldest first on ties).
    Next {
        #[arg(short, long)]
        agent: Option<String>,
        #[arg(short, long)]
        epic: Option<String>,
    },
    /// todo -> in_progress.
    Start(TransitionArgs),
    /// in_progress -> ready_for_review, with notes and a completion report.
    Complete {
        #[command(flatten)]
        t: TransitionArgs,
        #[command(flatten)]
        report: CompletionArgs,
    },
    /// ready_for_review -> completed.
    Approve(TransitionArgs),
    /// Mark blocked (needs --reason).
    Block(TransitionArgs),
    /// blocked -> todo.
    Unblock(TransitionArgs),
    /// Back to in_progress from review, completed or archived (say why with --notes or --rejection-reason).
    Reopen(TransitionArgs),
    /// Archive (reopen brings it back).
    Archive(TransitionArgs),
    /// Delete: archives the task (synced safely; reopen brings it back).
    Delete(TransitionArgs),
    /// Move a task to a status: `shark task set-status KEY in_progress`.
    SetStatus {
        #[command(flatten)]
        t: TransitionArgs,
        /// todo, in_progress, blocked, ready_for_review, completed or archived.
        status: String,
    },
    /// Edit fields (and the status with --status). An empty value clears an optional field.
    Update {
        key: String,
        #[arg(long)]
        title: Option<String>,
        #[arg(short, long)]
        description: Option<String>,
        #[arg(short, long, allow_hyphen_values = true)]
        priority: Option<String>,
        /// The agent type.
        #[arg(short, long)]
        agent: Option<String>,
        /// The assigned agent.
        #[arg(long)]
        assign: Option<String>,
        /// Replace the dependencies (comma separated; "" removes all).
        #[arg(long)]
        depends_on: Option<String>,
        /// Move it to this status (as set-status does).
        #[arg(long)]
        status: Option<String>,
        /// Why the status changes (kept in history).
        #[arg(long)]
        reason: Option<String>,
        /// A document explaining the reason.
        #[arg(long, value_name = "PATH")]
        reason_doc: Option<String>,
        /// Allow a status change the workflow does not (recorded in history).
        #[arg(long)]
        force: bool,
    },
    /// Add a typed note: `shark task note KEY "text" --type decision`
    /// (or Go Shark's `shark task note add KEY --type decision "text"`).
    Note {
        /// KEY TEXT, or add KEY TEXT (words after the key are joined).
        #[arg(num_args = 1.., required = true)]
        args: Vec<String>,
        /// comment (default), decision, blocker, solution, reference,
        /// implementation, testing, future, question, rejection.
        #[arg(short, long = "type", default_value = "comment")]
        note_type: String,
        /// Who writes it (default: SHARK_AGENT or your login name).
        #[arg(long, short = 'c', visible_alias = "created-by")]
        agent: Option<String>,
    },
    /// List a task's notes (of some types with -t a,b).
    Notes {
        key: String,
        #[arg(short = 't', long = "type", value_delimiter = ',')]
        note_type: Vec<String>,
    },
    /// Every status change and field edit of a task, with who, where and when.
    History {
        key: String,
        /// table (default), json (Go Shark's shape) or csv.
        #[arg(long, value_parser = ["table", "json", "csv"])]
        format: Option<String>,
    },
    /// The tasks this one depends on, with their statuses.
    Deps { key: String },
    /// The dependencies still keeping this task waiting.
    BlockedBy { key: String },
    /// The tasks waiting for this one.
    Blocks { key: String },
}
