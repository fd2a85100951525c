//! Every command the app registers is allowed for its window, and nothing
//! else is: the handler list in `src-tauri/src/lib.rs`, the command list
//! the build script declares (`src-tauri/build.rs`) and the capability
//! (`capabilities/main.json`) name the same commands. A command missing
//! from either is refused in the real window (while the mocked UI tests
//! pass), as `set_plan_status` was.

// Test helpers may unwrap: a failure is the test failing.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;

fn read(path: &str) -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/").to_string() + path).unwrap()
}

#[test]
fn registered_declared_and_allowed_commands_are_the_same() {
    let lib = read("src-tauri/src/lib.rs");
    let start = lib.find("generate_handler![").unwrap();
    let end = start + lib[start..].find("])").unwrap();
    let registered: BTreeSet<String> = lib[start..end]
        .split(',')
        .filter_map(|item| item.trim().rsplit("::").next())
        .map(|n| {
            n.trim()
                .trim_start_matches("generate_handler![")
                .trim()
                .to_string()
        })
        .filter(|n| !n.is_empty())
        .collect();
    let build = read("src-tauri/build.rs");
    let start = build.find("COMMANDS: &[&str] = &[").unwrap();
    let end = start + build[start..].find("];").unwrap();
    let declared: BTreeSet<String> = build[start..end]
        .split('"')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect();
    let caps: serde_json::Value = serde_json::from_str(&read("capabilities/main.json")).unwrap();
    let allowed: BTreeSet<String> = caps["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p.as_str()?.strip_prefix("allow-"))
        .map(|p| p.replace('-', "_"))
        .collect();
    assert!(registered.len() > 20, "{registered:?}");
    assert_eq!(registered, declared, "lib.rs handlers vs build.rs COMMANDS");
    assert_eq!(
        registered, allowed,
        "lib.rs handlers vs capabilities/main.json"
    );
}
