//! No import cycles between modules: in each crate (the core, the CLI, the
//! app shell), a module never reaches, through `crate::` and `super::`
//! paths, a module that reaches it back (a module and its own ancestors or
//! descendants excepted: a parent declares and re-exports its children).
//! Comments and `#[cfg(test)] mod tests` blocks are not counted.

#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

type Module = Vec<String>;

/// Every module file under `src`, by its path (`store::tasks`).
fn modules(src: &Path) -> BTreeMap<Module, PathBuf> {
    let mut out = BTreeMap::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                let rel = p.strip_prefix(src).unwrap().with_extension("");
                let mut m: Module = rel
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                if matches!(m.last().map(String::as_str), Some("mod" | "lib" | "main")) {
                    m.pop();
                }
                out.insert(m, p);
            }
        }
    }
    out
}

/// The text that counts: no comments, no unit-test module.
fn code(text: &str) -> String {
    let text = match text.find("#[cfg(test)]\nmod tests {") {
        Some(i) => &text[..i],
        None => text,
    };
    text.lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The paths a file names after `crate::` or `super::`, groups expanded.
fn paths(text: &str, me: &Module) -> Vec<Module> {
    let mut out = Vec::new();
    for (root, base) in [
        ("crate::", Vec::new()),
        ("super::", me[..me.len().saturating_sub(1)].to_vec()),
    ] {
        let mut rest = text;
        while let Some(i) = rest.find(root) {
            let before = rest[..i].chars().last();
            rest = &rest[i + root.len()..];
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            if let Some(group) = rest.strip_prefix('{') {
                let inner = &group[..group.find('}').unwrap_or(0)];
                for item in inner.split(',') {
                    let first = item.trim().split("::").next().unwrap_or("").trim();
                    if !first.is_empty() && first != "self" {
                        let mut p = base.clone();
                        p.push(first.to_string());
                        out.push(p);
                    }
                }
                continue;
            }
            let mut p = base.clone();
            let word: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            p.extend(
                word.split("::")
                    .filter(|s| !s.is_empty())
                    .map(str::to_string),
            );
            out.push(p);
        }
    }
    out
}

fn related(a: &Module, b: &Module) -> bool {
    a.starts_with(b) || b.starts_with(a)
}

/// Module pairs that reach each other.
fn cycles(src: &Path) -> BTreeSet<(String, String)> {
    let mods = modules(src);
    let resolve = |p: &Module| {
        (1..=p.len())
            .rev()
            .map(|i| p[..i].to_vec())
            .find(|m| mods.contains_key(m))
    };
    let mut edges: BTreeMap<Module, BTreeSet<Module>> = BTreeMap::new();
    for (m, file) in &mods {
        let text = code(&std::fs::read_to_string(file).unwrap());
        let to = edges.entry(m.clone()).or_default();
        for p in paths(&text, m) {
            if let Some(t) = resolve(&p).filter(|t| t != m) {
                to.insert(t);
            }
        }
    }
    let reaches = |from: &Module, to: &Module| {
        let mut seen = BTreeSet::from([from.clone()]);
        let mut stack = vec![from.clone()];
        while let Some(x) = stack.pop() {
            if x == *to {
                return true;
            }
            for y in edges.get(&x).into_iter().flatten() {
                if !related(y, &x) && seen.insert(y.clone()) {
                    stack.push(y.clone());
                }
            }
        }
        false
    };
    let mut found = BTreeSet::new();
    for (a, tos) in &edges {
        for b in tos {
            if !related(a, b) && reaches(b, a) {
                let (x, y) = (a.join("::"), b.join("::"));
                found.insert(if x < y { (x, y) } else { (y, x) });
            }
        }
    }
    found
}

#[test]
fn no_module_reaches_back_a_module_that_reaches_it() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    for src in [
        "crates/shark-core/src",
        "crates/shark-cli/src",
        "src-tauri/src",
    ] {
        let found = cycles(&root.join(src));
        assert!(found.is_empty(), "{src}: import cycles between {found:?}");
    }
}

#[test]
fn the_check_finds_a_cycle_when_there_is_one() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path();
    std::fs::write(src.join("lib.rs"), "mod a;\nmod b;\nmod c;\n").unwrap();
    std::fs::write(
        src.join("a.rs"),
        "use crate::b::thing; // crate::c is only named here\n",
    )
    .unwrap();
    std::fs::write(src.join("b.rs"), "use super::{a, c};\n").unwrap();
    std::fs::write(
        src.join("c.rs"),
        "pub fn f() {}\n#[cfg(test)]\nmod tests {\n use crate::a;\n}\n",
    )
    .unwrap();
    let found = cycles(src);
    assert_eq!(found, BTreeSet::from([("a".to_string(), "b".to_string())]));
}
