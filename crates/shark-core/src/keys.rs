//! Human keys (`E01`, `E01-F01`, `T-E01-F01-001`): parsing in every accepted
//! spelling (any case, `T-` optional, short `F01` inside a known epic) and one
//! canonical printed form, which is what the database stores.

use std::fmt;

use crate::error::{Error, Result};

/// Largest number accepted in any key part.
pub const MAX_PART: u32 = 9_999;

/// Whether `n` can be a key part (1 to [`MAX_PART`]): every path that
/// stores a key number checks this, so no stored key is one reads reject.
pub fn in_range(n: u32) -> bool {
    (1..=MAX_PART).contains(&n)
}

/// The number for a new key beside `taken`: the one after the highest,
/// else (the highest is [`MAX_PART`]) the lowest free one.
pub fn next_free(taken: &std::collections::BTreeSet<u32>) -> Result<u32> {
    let after = taken.range(..=MAX_PART).next_back().map_or(1, |m| m + 1);
    if in_range(after) && !taken.contains(&after) {
        return Ok(after);
    }
    (1..=MAX_PART).find(|n| !taken.contains(n)).ok_or_else(|| {
        Error::invalid(format!(
            "no key number is free: all {MAX_PART} are used at this level; archive or move some first"
        ))
    })
}

/// An epic key, `E01`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EpicKey(pub u32);

/// A feature key, `E01-F01`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FeatureKey {
    pub epic: u32,
    pub feature: u32,
}

/// A task key, `T-E01-F01-001`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TaskKey {
    pub epic: u32,
    pub feature: u32,
    pub number: u32,
}

/// A feature named in full (`E01-F01`) or by its number alone (`F01`), which
/// needs an epic to resolve.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeatureRef {
    Full(FeatureKey),
    Short(u32),
}

impl fmt::Display for EpicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "E{:02}", self.0)
    }
}

impl fmt::Display for FeatureKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "E{:02}-F{:02}", self.epic, self.feature)
    }
}

impl fmt::Display for TaskKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "T-E{:02}-F{:02}-{:03}",
            self.epic, self.feature, self.number
        )
    }
}

/// Parses `<letter><digits>` (letter case-insensitive) into the number.
fn part(s: &str, letter: Option<char>) -> Option<u32> {
    let digits = match letter {
        Some(l) => {
            let mut chars = s.chars();
            let first = chars.next()?;
            if !first.eq_ignore_ascii_case(&l) {
                return None;
            }
            chars.as_str()
        }
        None => s,
    };
    if digits.is_empty() || digits.len() > 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: u32 = digits.parse().ok()?;
    (1..=MAX_PART).contains(&n).then_some(n)
}

/// Whether what follows a key is empty or a Go Shark slug (`some-title`):
/// ASCII letters and digits in non-empty dash-separated words, the first of
/// which holds a letter and `first_ok` accepts (so `E01-F01` is never read as epic `E01` with a
/// slug `F01`, nor a task key as a slugged feature key).
fn slug_ok<'a>(mut rest: impl Iterator<Item = &'a str>, first_ok: impl Fn(&str) -> bool) -> bool {
    let Some(first) = rest.next() else {
        return true;
    };
    let word = |w: &str| !w.is_empty() && w.bytes().all(|b| b.is_ascii_alphanumeric());
    let has_letter = first.bytes().any(|b| b.is_ascii_alphabetic());
    word(first) && has_letter && first_ok(first) && rest.all(word)
}

fn bad(kind: &str, s: &str, forms: &str) -> Error {
    Error::invalid(format!(
        "'{}' is not a valid {kind} key; use {forms}",
        s.trim()
    ))
}

impl EpicKey {
    /// Accepts `E01` and Go Shark's slugged form `E01-some-title` (the slug
    /// is ignored), in any case.
    pub fn parse(s: &str) -> Result<Self> {
        let mut parts = s.trim().split('-');
        let parsed = (|| {
            let n = part(parts.next()?, Some('E'))?;
            slug_ok(parts, |first| part(first, Some('F')).is_none()).then_some(EpicKey(n))
        })();
        parsed.ok_or_else(|| bad("epic", s, "the form E01"))
    }
}

impl FeatureKey {
    pub fn parse(s: &str) -> Result<Self> {
        let mut parts = s.trim().split('-');
        let parsed = (|| {
            let key = FeatureKey {
                epic: part(parts.next()?, Some('E'))?,
                feature: part(parts.next()?, Some('F'))?,
            };
            slug_ok(parts, |_| true).then_some(key)
        })();
        parsed.ok_or_else(|| bad("feature", s, "the form E01-F01 (or F01 with an epic)"))
    }

    pub fn epic_key(&self) -> EpicKey {
        EpicKey(self.epic)
    }
}

impl FeatureRef {
    pub fn parse(s: &str) -> Result<Self> {
        let t = s.trim();
        if let Some(n) = part(t, Some('F')) {
            return Ok(FeatureRef::Short(n));
        }
        FeatureKey::parse(t).map(FeatureRef::Full)
    }

    /// The full key, using `epic` for a short reference. A full reference
    /// that names a different epic than the one given is refused.
    pub fn resolve(self, epic: Option<EpicKey>) -> Result<FeatureKey> {
        match (self, epic) {
            (FeatureRef::Full(k), Some(e)) if k.epic != e.0 => Err(Error::invalid(format!(
                "feature {k} is not in epic {e}; give just one of them, or matching ones"
            ))),
            (FeatureRef::Full(k), _) => Ok(k),
            (FeatureRef::Short(n), Some(e)) => Ok(FeatureKey {
                epic: e.0,
                feature: n,
            }),
            (FeatureRef::Short(n), None) => Err(Error::invalid(format!(
                "feature F{n:02} needs its epic: write E01-F{n:02}, or give the epic first"
            ))),
        }
    }
}

impl TaskKey {
    /// Accepts `T-E01-F01-001`, `E01-F01-001`, `t-e1-f1-1`, in any case, and
    /// Go Shark's slugged form `T-E01-F01-001-some-title` (the slug is ignored).
    pub fn parse(s: &str) -> Result<Self> {
        let t = s.trim();
        let body = match t.get(..2) {
            Some(p) if p.eq_ignore_ascii_case("T-") => &t[2..],
            _ => t,
        };
        let mut parts = body.split('-');
        let parsed = (|| {
            let key = TaskKey {
                epic: part(parts.next()?, Some('E'))?,
                feature: part(parts.next()?, Some('F'))?,
                number: part(parts.next()?, None)?,
            };
            slug_ok(parts, |_| true).then_some(key)
        })();
        parsed.ok_or_else(|| bad("task", s, "the form T-E01-F01-001 (or e01-f01-001)"))
    }

    pub fn feature_key(&self) -> FeatureKey {
        FeatureKey {
            epic: self.epic,
            feature: self.feature,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_numbers_stay_in_range() {
        let set = |v: &[u32]| {
            v.iter()
                .copied()
                .collect::<std::collections::BTreeSet<u32>>()
        };
        assert_eq!(next_free(&set(&[])).unwrap(), 1);
        assert_eq!(next_free(&set(&[1, 2, 5])).unwrap(), 6);
        // Past the top: the lowest free number, never 10000.
        assert_eq!(next_free(&set(&[1, MAX_PART])).unwrap(), 2);
        // Numbers out of range already stored (0, 12345) are ignored.
        assert_eq!(next_free(&set(&[0, 3, 12_345])).unwrap(), 4);
        let full: std::collections::BTreeSet<u32> = (1..=MAX_PART).collect();
        assert!(
            next_free(&full)
                .unwrap_err()
                .to_string()
                .contains("no key number is free")
        );
        assert!(!in_range(0) && in_range(1) && in_range(MAX_PART) && !in_range(MAX_PART + 1));
    }

    #[test]
    fn canonical_forms() {
        assert_eq!(EpicKey(7).to_string(), "E07");
        assert_eq!(EpicKey(123).to_string(), "E123");
        assert_eq!(
            FeatureKey {
                epic: 7,
                feature: 1
            }
            .to_string(),
            "E07-F01"
        );
        let t = TaskKey {
            epic: 7,
            feature: 1,
            number: 1,
        };
        assert_eq!(t.to_string(), "T-E07-F01-001");
    }

    #[test]
    fn task_keys_accept_short_and_lowercase_forms() {
        let want = TaskKey {
            epic: 7,
            feature: 1,
            number: 1,
        };
        for s in ["T-E07-F01-001", "e07-f01-001", "t-e7-f1-1", " E07-F01-001 "] {
            assert_eq!(TaskKey::parse(s).ok(), Some(want), "{s}");
        }
    }

    #[test]
    fn malformed_keys_are_refused_with_the_expected_form() {
        for s in [
            "",
            "T-",
            "E07",
            "E07-F01",
            "E07-F01-001-2",
            "X07-F01-001",
            "E0-F01-001",
            "E07-F01-abc",
            "E07-F01-00001",
        ] {
            let err = TaskKey::parse(s).unwrap_err().to_string();
            assert!(err.contains("T-E01-F01-001"), "{s}: {err}");
        }
        assert!(EpicKey::parse("E").is_err());
        assert!(EpicKey::parse("F01").is_err());
        assert!(FeatureKey::parse("E01F01").is_err());
    }

    #[test]
    fn go_shark_slugs_are_ignored() {
        let task = TaskKey {
            epic: 1,
            feature: 1,
            number: 2,
        };
        for s in [
            "E01-F01-002-some-slug",
            "T-E01-F01-002-2fa-login",
            "t-e1-f1-2-x",
        ] {
            assert_eq!(TaskKey::parse(s).ok(), Some(task), "{s}");
        }
        let feature = FeatureKey {
            epic: 4,
            feature: 6,
        };
        assert_eq!(
            FeatureKey::parse("E04-F06-task-creation").ok(),
            Some(feature)
        );
        assert_eq!(
            EpicKey::parse("E04-task-mgmt-cli-core").ok(),
            Some(EpicKey(4))
        );
        // A slug never hides the next level's key, nor a malformed word.
        assert!(EpicKey::parse("E01-F01").is_err());
        assert!(FeatureKey::parse("E01-F01-001").is_err());
        for bad in [
            "E01-F01-002-",
            "E01-F01-002--x",
            "E01-F01-002-a_b",
            "E01-F01-002-12",
        ] {
            assert!(TaskKey::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn epic_and_feature_keys() {
        assert_eq!(EpicKey::parse("e1").ok(), Some(EpicKey(1)));
        assert_eq!(
            FeatureKey::parse("e01-F02").ok(),
            Some(FeatureKey {
                epic: 1,
                feature: 2
            })
        );
    }

    #[test]
    fn short_feature_refs_resolve_inside_an_epic() {
        let r = FeatureRef::parse("f3").unwrap();
        assert_eq!(r, FeatureRef::Short(3));
        assert_eq!(
            r.resolve(Some(EpicKey(2))).ok(),
            Some(FeatureKey {
                epic: 2,
                feature: 3
            })
        );
        assert!(
            r.resolve(None)
                .unwrap_err()
                .to_string()
                .contains("needs its epic")
        );
        let full = FeatureRef::parse("E01-F03").unwrap();
        assert!(full.resolve(Some(EpicKey(2))).is_err());
        assert_eq!(
            full.resolve(Some(EpicKey(1))).ok(),
            Some(FeatureKey {
                epic: 1,
                feature: 3
            })
        );
    }

    #[test]
    fn keys_order_numerically() {
        let a = TaskKey::parse("E01-F01-009").unwrap();
        let b = TaskKey::parse("E01-F01-010").unwrap();
        assert!(a < b);
    }
}
