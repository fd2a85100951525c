//! Reading an import source's rows safely: text is read as bytes (so
//! invalid UTF-8 is an error naming the row, never a panic in the driver),
//! generated columns are never read (they can compute far more than the
//! file holds), memory is bounded by what is read, and values Shark cannot
//! store (NUL characters, unknown actor kinds, times outside years 1-9999)
//! are refused with the table, row and column named.

use std::collections::HashMap;
use std::path::Path;
use std::str::FromStr;

use libsql::Value;

use crate::error::{Error, Result};

/// One source row: column name (lowercase) to value.
pub(super) type RowMap = HashMap<String, Value>;

/// A column as text (numbers as their digits).
pub(super) fn text(r: &RowMap, col: &str) -> Option<String> {
    match r.get(col)? {
        Value::Text(s) => Some(s.clone()),
        Value::Integer(i) => Some(i.to_string()),
        Value::Real(f) => Some(f.to_string()),
        _ => None,
    }
}

/// An actor kind as Shark stores it: a known one in its stored spelling
/// (`User` is `user`), a newer Shark's kept as it is ([`check_row`] refused
/// any other).
pub(super) fn actor_kind(r: &RowMap) -> Option<String> {
    let k = text(r, "actor_kind")?;
    let k = k.trim();
    Some(
        crate::model::ActorKind::from_str(k)
            .map_or_else(|_| k.to_string(), |a| a.as_str().to_string()),
    )
}

/// A driver error as the person importing should read it.
pub(super) fn why(path: &Path, e: &libsql::Error) -> Error {
    let m = e.to_string();
    let lower = m.to_ascii_lowercase();
    let p = path.display();
    if lower.contains("not a database") || lower.contains("file is encrypted") {
        Error::invalid(format!(
            "{p} is not an SQLite database; give a Shark database file (shark-tasks.db)"
        ))
    } else if lower.contains("locked") || lower.contains("busy") {
        Error::invalid(format!(
            "{p} is locked by another program (is Go Shark running?); close it and import again"
        ))
    } else if lower.contains("unable to open") {
        Error::invalid(format!("cannot open {p}: {m}"))
    } else {
        Error::invalid(format!("cannot read {p}: {m}"))
    }
}

/// Most bytes of values an import reads, whatever the file's size says
/// (generated columns are never read; this bounds everything else).
const MAX_READ_BYTES: u64 = 256 * 1024 * 1024;

fn bad_value(table: &str, row: &RowMap, col: &str, what: &str) -> Error {
    let id = match row.get("id") {
        Some(Value::Integer(n)) => format!("id {n}"),
        Some(Value::Text(s)) => format!("id {}", crate::stored::quoted(s)),
        _ => "a row without an id".into(),
    };
    Error::invalid(format!(
        "table {table}, {id}, column {col}: {what}. Nothing was imported; correct the value in the source file (sqlite3) and import again"
    ))
}

/// The table's stored columns (generated ones left out: reading them could
/// compute values far larger than the file).
async fn stored_columns(
    conn: &libsql::Connection,
    path: &Path,
    table: &str,
) -> Result<Vec<String>> {
    let mut info = conn
        .query(&format!("PRAGMA table_xinfo(\"{table}\")"), ())
        .await
        .map_err(|e| why(path, &e))?;
    let mut cols = Vec::new();
    while let Some(r) = info.next().await.map_err(|e| why(path, &e))? {
        let hidden = matches!(r.get_value(6), Ok(Value::Integer(h)) if h != 0);
        if let (Ok(Value::Text(name)), false) = (r.get_value(1), hidden) {
            cols.push(name);
        }
    }
    Ok(cols)
}

/// Every row of `table`, each value checked: text is read as bytes (so
/// invalid UTF-8 is an error naming the row, never a panic in the driver),
/// NUL characters, actor kinds and times outside years 1-9999 are refused.
pub(super) async fn rows(
    conn: &libsql::Connection,
    path: &Path,
    table: &str,
    read: &mut u64,
) -> Result<Vec<RowMap>> {
    let cols = stored_columns(conn, path, table).await?;
    if cols.is_empty() {
        return Ok(Vec::new());
    }
    let select: Vec<String> = cols
        .iter()
        .map(|c| {
            let c = c.replace('"', "\"\"");
            format!("typeof(\"{c}\"), CASE WHEN typeof(\"{c}\") IN ('text', 'blob') THEN hex(\"{c}\") ELSE \"{c}\" END")
        })
        .collect();
    // What reading the table will hold, summed by SQLite one value at a
    // time before any of it is read here.
    let sizes: Vec<String> = cols
        .iter()
        .map(|c| {
            let c = c.replace('"', "\"\"");
            format!("coalesce(length(CAST(\"{c}\" AS BLOB)), 8)")
        })
        .collect();
    let mut total = conn
        .query(
            &format!(
                "SELECT coalesce(sum({}), 0) FROM \"{table}\"",
                sizes.join(" + ")
            ),
            (),
        )
        .await
        .map_err(|e| why(path, &e))?;
    if let Some(r) = total.next().await.map_err(|e| why(path, &e))?
        && let Ok(Value::Integer(n)) = r.get_value(0)
    {
        *read = read.saturating_add(u64::try_from(n).unwrap_or(u64::MAX));
    }
    if *read > MAX_READ_BYTES {
        return Err(Error::invalid(format!(
            "{} holds more than {} MiB of values; Shark imports up to that much. Nothing was imported",
            path.display(),
            MAX_READ_BYTES / (1024 * 1024)
        )));
    }
    let mut rows = conn
        .query(
            &format!("SELECT {} FROM \"{table}\"", select.join(", ")),
            (),
        )
        .await
        .map_err(|e| why(path, &e))?;
    let mut out = Vec::new();
    while let Some(r) = rows.next().await.map_err(|e| why(path, &e))? {
        let mut m = RowMap::new();
        let mut texts: Vec<(
            String,
            std::result::Result<String, std::string::FromUtf8Error>,
        )> = Vec::new();
        for (i, name) in cols.iter().enumerate() {
            let name = name.to_ascii_lowercase();
            let kind = r.get_value((2 * i) as i32).map_err(|e| why(path, &e))?;
            let v = r.get_value((2 * i + 1) as i32).map_err(|e| why(path, &e))?;
            let v = match (kind, v) {
                (Value::Text(k), Value::Text(hex)) if k == "text" || k == "blob" => {
                    let bytes = unhex(&hex);
                    if k == "blob" {
                        Value::Blob(bytes)
                    } else {
                        texts.push((name.clone(), String::from_utf8(bytes)));
                        continue;
                    }
                }
                (_, v) => v,
            };
            m.insert(name, v);
        }
        for (name, text) in texts {
            match text {
                Ok(s) => {
                    m.insert(name, Value::Text(s));
                }
                Err(_) => {
                    m.insert(name.clone(), Value::Null);
                    return Err(bad_value(table, &m, &name, "the text is not valid UTF-8"));
                }
            }
        }
        check_row(table, &m)?;
        out.push(m);
    }
    Ok(out)
}

/// The checks every copied row passes (see [`rows`]).
fn check_row(table: &str, m: &RowMap) -> Result<()> {
    for (name, v) in m {
        if let Value::Text(s) = v
            && s.contains('\0')
        {
            return Err(bad_value(table, m, name, "the text holds a NUL character"));
        }
        if name == "actor_kind"
            && let Some(k) = text(m, name)
            && crate::model::ActorKind::from_str(k.trim()).is_err()
            && !crate::stored::plausible(k.trim())
        {
            return Err(bad_value(
                table,
                m,
                name,
                &format!(
                    "{} is not an actor kind ({}, or a newer Shark's)",
                    crate::stored::quoted(&k),
                    crate::model::ActorKind::accepted()
                ),
            ));
        }
        if name.ends_with("_at")
            && !matches!(v, Value::Null)
            && let Some(t) = super::map::time_unbounded(Some(v))
            && !super::map::year_in_range(&t)
        {
            return Err(bad_value(
                table,
                m,
                name,
                &format!("{t} is outside the years 1 to 9999"),
            ));
        }
    }
    Ok(())
}

fn unhex(hex: &str) -> Vec<u8> {
    hex.as_bytes()
        .chunks(2)
        .filter_map(|p| u8::from_str_radix(std::str::from_utf8(p).ok()?, 16).ok())
        .collect()
}
