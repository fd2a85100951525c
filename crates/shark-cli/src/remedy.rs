//! How the CLI words what a user can do about a sync problem: the core
//! gives the problem and its remedy as data (with the command), the app
//! words the same remedies its own way.

use shark_core::cloud::{Problem, Remedy};

/// The remedy as a terminal user reads it.
pub fn phrase(r: Remedy) -> String {
    let cmd = r.command();
    match r {
        Remedy::NewToken => format!("run {cmd} with a new token"),
        Remedy::CheckDatabase => format!("run {cmd} for details"),
        Remedy::CheckUrl => format!(
            "check the database URL (shark cloud status shows it) and, if you trust the address the redirect points to, set it with {cmd}"
        ),
        Remedy::ShowRejected => format!("see {cmd} for the item"),
    }
}

/// A problem in the CLI's words: what happened, then what to do.
pub fn advice(p: Problem) -> String {
    match p.remedy() {
        Some(r) => format!("{}; {}", p.explain(), phrase(r)),
        None => p.explain().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_remedy_names_its_command() {
        for r in [
            Remedy::NewToken,
            Remedy::CheckDatabase,
            Remedy::CheckUrl,
            Remedy::ShowRejected,
        ] {
            assert!(phrase(r).contains(r.command()), "{r:?}");
        }
        assert!(advice(Problem::Auth).contains("shark cloud login"));
        assert_eq!(advice(Problem::Offline), Problem::Offline.explain());
    }
}
