//! `shark epic ...` and `shark feature ...`: Go Shark's forms and flags.

use clap::{Args, Subcommand};

/// Fields an epic or feature update can change.
#[derive(Debug, Args, Default)]
pub struct PlanFields {
    #[arg(long)]
    pub title: Option<String>,
    /// An empty value clears it.
    #[arg(short, long)]
    pub description: Option<String>,
    /// draft, active, completed or archived; `auto` (or draft) to follow the tasks again.
    #[arg(long)]
    pub status: Option<String>,
}

/// `complete` and `delete`: the key, and whether to go ahead with work open.
#[derive(Debug, Args)]
pub struct Finish {
    pub key: String,
    /// Go ahead although some tasks are not completed or archived (complete
    /// leaves them as they are; delete archives them).
    #[arg(long)]
    pub force: bool,
}

/// Filters of the list commands.
#[derive(Debug, Args, Default)]
pub struct PlanFilter {
    /// Only these statuses (comma separated: draft, active, completed, archived).
    #[arg(short, long, value_delimiter = ',')]
    pub status: Vec<String>,
    /// Include deleted (archived) ones.
    #[arg(long, alias = "all")]
    pub show_all: bool,
}

#[derive(Debug, Subcommand)]
pub enum EpicCmd {
    /// Create an epic: `shark epic create "Title"` or `--title "Title"`.
    Create {
        /// The title (or use --title).
        title_arg: Option<String>,
        #[arg(long)]
        title: Option<String>,
        #[arg(short, long)]
        description: Option<String>,
        /// high, medium (default) or low.
        #[arg(short, long)]
        priority: Option<String>,
        /// high, medium or low.
        #[arg(long)]
        business_value: Option<String>,
        /// Set by hand (active, completed...); by default it follows the tasks.
        #[arg(long)]
        status: Option<String>,
    },
    /// List epics with their progress (deleted ones with --show-all).
    List(PlanFilter),
    /// Show one epic, its progress and its features.
    Get { key: String },
    /// Change an epic's title, description, priority, value or status.
    Update {
        key: String,
        #[command(flatten)]
        fields: PlanFields,
        /// high, medium or low.
        #[arg(short, long)]
        priority: Option<String>,
        /// high, medium or low.
        #[arg(long)]
        business_value: Option<String>,
    },
    /// Mark an epic completed (refused while tasks are open, unless --force).
    Complete(Finish),
    /// Delete an epic: it and its tasks are archived, never erased (--force if tasks are open).
    Delete(Finish),
}

#[derive(Debug, Subcommand)]
pub enum FeatureCmd {
    /// Create a feature: `shark feature create E01 "Title"` or `--epic E01 --title T`.
    Create {
        /// EPIC and TITLE, or just one of them with the other as a flag.
        #[arg(num_args = 0..=2)]
        args: Vec<String>,
        #[arg(short, long)]
        epic: Option<String>,
        #[arg(long)]
        title: Option<String>,
        #[arg(short, long)]
        description: Option<String>,
        /// Position among the epic's features (default: last).
        #[arg(long, visible_alias = "order")]
        execution_order: Option<i64>,
        /// Set by hand (active, completed...); by default it follows the tasks.
        #[arg(long)]
        status: Option<String>,
    },
    /// List features with their progress, of one epic (`E01` or --epic) or all.
    List {
        epic_arg: Option<String>,
        #[arg(short, long)]
        epic: Option<String>,
        #[command(flatten)]
        filter: PlanFilter,
    },
    /// Show one feature (`E01-F01`, `E01 F01`) and its tasks.
    Get {
        key: String,
        /// The feature number when KEY is just the epic (`shark feature get E01 F01`).
        feature: Option<String>,
    },
    /// Change a feature's title, description, execution order or status.
    Update {
        key: String,
        #[command(flatten)]
        fields: PlanFields,
        #[arg(long, visible_alias = "order")]
        execution_order: Option<i64>,
    },
    /// Mark a feature completed (refused while tasks are open, unless --force).
    Complete(Finish),
    /// Delete a feature: it and its tasks are archived, never erased (--force if tasks are open).
    Delete(Finish),
}
