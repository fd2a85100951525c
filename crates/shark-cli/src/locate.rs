//! Turns the positional forms users type (`E01 F01`, `E01-F01`, `F01` with
//! `--epic`) into full keys, and refuses ambiguous or conflicting ones.

use shark_core::keys::{EpicKey, FeatureKey, FeatureRef};

use crate::usage;

/// A parsed place: an epic, and maybe a feature inside it.
#[derive(Debug, Default, PartialEq)]
pub struct Located {
    pub epic: Option<EpicKey>,
    pub feature: Option<FeatureKey>,
}

fn merge<T: PartialEq + std::fmt::Display>(
    what: &str,
    a: Option<T>,
    b: Option<T>,
) -> anyhow::Result<Option<T>> {
    match (a, b) {
        (Some(x), Some(y)) if x != y => usage(format!("two different {what}s given: {x} and {y}")),
        (Some(x), _) | (None, Some(x)) => Ok(Some(x)),
        (None, None) => Ok(None),
    }
}

/// Reads up to two location tokens plus `--epic` / `--feature` flags. Every
/// problem here is in how the command was written, so it is a usage error.
pub fn locate(
    tokens: &[String],
    epic_flag: Option<&str>,
    feature_flag: Option<&str>,
) -> anyhow::Result<Located> {
    let as_usage = |e: shark_core::Error| crate::Usage(e.to_string());
    let mut epic = epic_flag
        .map(EpicKey::parse)
        .transpose()
        .map_err(as_usage)?;
    let mut feature_ref = feature_flag
        .map(FeatureRef::parse)
        .transpose()
        .map_err(as_usage)?;
    for t in tokens {
        if let Ok(e) = EpicKey::parse(t) {
            epic = merge("epic", epic, Some(e))?;
        } else if let Ok(f) = FeatureRef::parse(t) {
            if feature_ref.is_some() {
                return usage(format!("two features given: '{t}' and another"));
            }
            feature_ref = Some(f);
        } else {
            return usage(format!(
                "'{t}' is neither an epic key (E01) nor a feature key (E01-F01 or F01)"
            ));
        }
    }
    let feature = match feature_ref {
        Some(r) => Some(r.resolve(epic).map_err(as_usage)?),
        None => None,
    };
    let epic = merge("epic", epic, feature.map(|f| f.epic_key()))?;
    Ok(Located { epic, feature })
}

/// The single value of a field that may come positionally or as a flag.
pub fn one_of(
    what: &str,
    positional: Option<String>,
    flag: Option<String>,
) -> anyhow::Result<Option<String>> {
    match (positional, flag) {
        (Some(a), Some(b)) if a != b => usage(format!(
            "the {what} is given twice ('{a}' and '{b}'); give it once"
        )),
        (Some(a), _) | (None, Some(a)) => Ok(Some(a)),
        (None, None) => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn every_form_finds_the_same_feature() {
        let want = Some(FeatureKey {
            epic: 1,
            feature: 2,
        });
        assert_eq!(
            locate(&s(&["E01", "F02"]), None, None).unwrap().feature,
            want
        );
        assert_eq!(locate(&s(&["e01-f02"]), None, None).unwrap().feature, want);
        assert_eq!(locate(&[], Some("E01"), Some("F02")).unwrap().feature, want);
        assert_eq!(locate(&[], None, Some("E01-F02")).unwrap().feature, want);
        assert_eq!(
            locate(&s(&["F02"]), Some("E01"), None).unwrap().feature,
            want
        );
    }

    #[test]
    fn conflicts_and_garbage_are_refused() {
        assert!(locate(&s(&["E01", "E02-F01"]), None, None).is_err());
        assert!(locate(&s(&["E01"]), Some("E02"), None).is_err());
        assert!(locate(&s(&["F01"]), None, None).is_err());
        assert!(locate(&s(&["banana"]), None, None).is_err());
    }
}
