//! The window's half of the IPC contract, generated: the TypeScript
//! declarations of every type a command takes or returns and every event
//! carries, made from the Rust types by ts-rs into one file,
//! `ui/src/bindings.ts`, with the value lists the window offers (note types,
//! statuses). `npm run bindings` writes it; `tests/bindings.rs` fails when
//! the checked-in file differs, so a Rust change that breaks the window
//! breaks the build (tsc checks the UI against the file).

use std::any::TypeId;
use std::collections::{BTreeMap, HashSet};

use shark_core::model::{NoteType, PlanStatus, TaskStatus};
use ts_rs::{Config, TS, TypeVisitor};

/// Where the file lives, relative to the repository root.
pub const PATH: &str = "ui/src/bindings.ts";

/// Collects a type and everything it refers to, one declaration each.
struct Collect<'a> {
    cfg: &'a Config,
    seen: HashSet<TypeId>,
    decls: BTreeMap<String, String>,
}

impl TypeVisitor for Collect<'_> {
    fn visit<T: TS + 'static + ?Sized>(&mut self) {
        if T::output_path().is_none() || !self.seen.insert(TypeId::of::<T>()) {
            return;
        }
        let mut decl = T::docs().unwrap_or_default();
        decl.push_str("export ");
        decl.push_str(&T::decl(self.cfg));
        self.decls.insert(T::ident(self.cfg), decl);
        T::visit_dependencies(self);
    }
}

/// A value list: `export const NAME: Type[] = ["a", "b"];`.
fn values<T: std::fmt::Display>(name: &str, ty: &str, all: &[T]) -> String {
    let items: Vec<String> = all.iter().map(|v| format!("\"{v}\"")).collect();
    format!("export const {name}: {ty}[] = [{}];", items.join(", "))
}

/// The whole file.
pub fn typescript() -> String {
    // JavaScript numbers: every count and size the app sends is far below 2^53.
    let cfg = Config::new().with_large_int("number");
    let mut c = Collect {
        cfg: &cfg,
        seen: HashSet::new(),
        decls: BTreeMap::new(),
    };
    // Commands' results and arguments, and events' payloads.
    c.visit::<crate::status::AppStatus>();
    c.visit::<shark_core::stored::Listing<shark_core::model::Epic>>();
    c.visit::<shark_core::stored::Listing<shark_core::model::Feature>>();
    c.visit::<shark_core::stored::Listing<shark_core::model::Task>>();
    c.visit::<crate::commands::TaskDetail>();
    c.visit::<shark_core::store::changes::DataChange>();
    c.visit::<crate::commands::EpicInput>();
    c.visit::<crate::commands::FeatureInput>();
    c.visit::<crate::commands::TaskInput>();
    c.visit::<crate::commands::PatchInput>();
    c.visit::<crate::commands::SyncOutcome>();
    c.visit::<crate::commands::Connected>();
    c.visit::<shark_core::cloud::ProbeOutcome>();
    c.visit::<crate::app_commands::AppInfo>();
    c.visit::<crate::app_commands::UpdateCheck>();
    c.visit::<shark_core::import::ImportSummary>();
    c.visit::<shark_core::export::ExportSummary>();
    c.visit::<shark_core::doctor::Report>();
    c.visit::<crate::usage::UsageView>();
    c.visit::<crate::usage::UsageForm>();
    c.visit::<crate::error::IpcError>();
    let mut out = String::from(
        "// Generated from the Rust types by `npm run bindings` (src-tauri/src/bindings.rs).\n// Do not edit: change the Rust type and run it again.\n",
    );
    for decl in c.decls.values() {
        out.push('\n');
        out.push_str(decl);
        out.push('\n');
    }
    out.push('\n');
    out.push_str(&values("NOTE_TYPES", "NoteType", NoteType::ALL));
    out.push('\n');
    out.push_str(&values("TASK_STATUSES", "TaskStatus", TaskStatus::ALL));
    out.push('\n');
    out.push_str(&values("PLAN_STATUSES", "PlanStatus", PlanStatus::ALL));
    out.push('\n');
    out
}
