//! Reading engine rows into Rust values, with errors that name the column
//! instead of panicking on unexpected data.

use std::str::FromStr;

use turso::{Connection, Row, Value};

use crate::error::{DbContext, Error, Result};
use crate::time::{self, Timestamp};

fn value(row: &Row, i: usize) -> Result<Value> {
    row.get_value(i).db("reading a row")
}

pub(crate) fn text(row: &Row, i: usize) -> Result<String> {
    opt_text(row, i)?.ok_or_else(|| Error::Corrupt(format!("column {i} is empty")))
}

pub(crate) fn opt_text(row: &Row, i: usize) -> Result<Option<String>> {
    match value(row, i)? {
        Value::Null => Ok(None),
        Value::Text(s) => Ok(Some(s)),
        Value::Integer(n) => Ok(Some(n.to_string())),
        Value::Real(f) => Ok(Some(f.to_string())),
        Value::Blob(_) => Err(Error::Corrupt(format!("column {i} holds binary data"))),
    }
}

pub(crate) fn opt_int(row: &Row, i: usize) -> Result<Option<i64>> {
    match value(row, i)? {
        Value::Null => Ok(None),
        Value::Integer(n) => Ok(Some(n)),
        Value::Text(s) => s
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| Error::Corrupt(format!("column {i} holds '{s}', not a number"))),
        other => Err(Error::Corrupt(format!(
            "column {i} holds {other:?}, not a number"
        ))),
    }
}

pub(crate) fn int(row: &Row, i: usize) -> Result<i64> {
    opt_int(row, i)?.ok_or_else(|| Error::Corrupt(format!("column {i} is empty")))
}

pub(crate) fn opt_ts(row: &Row, i: usize) -> Result<Option<Timestamp>> {
    opt_text(row, i)?
        .map(|s| {
            time::from_text(&s)
                .ok_or_else(|| Error::Corrupt(format!("column {i} holds '{s}', not a time")))
        })
        .transpose()
}

pub(crate) fn ts(row: &Row, i: usize) -> Result<Timestamp> {
    opt_ts(row, i)?.ok_or_else(|| Error::Corrupt(format!("column {i} is empty")))
}

/// A column parsed with `FromStr` (statuses, levels, note types...).
pub(crate) fn parsed<T: FromStr<Err = Error>>(row: &Row, i: usize) -> Result<T> {
    let s = text(row, i)?;
    s.parse()
        .map_err(|e: Error| Error::Corrupt(format!("column {i}: {e}")))
}

/// Runs a query and maps every row.
pub(crate) async fn query_all<T>(
    conn: &Connection,
    sql: &str,
    params: Vec<Value>,
    map: impl Fn(&Row) -> Result<T>,
) -> Result<Vec<T>> {
    let mut rows = conn.query(sql, params).await.db("reading")?;
    let mut out = Vec::new();
    while let Some(r) = rows.next().await.db("reading")? {
        out.push(map(&r)?);
    }
    Ok(out)
}

/// Runs a query and maps the first row, if any.
pub(crate) async fn query_opt<T>(
    conn: &Connection,
    sql: &str,
    params: Vec<Value>,
    map: impl Fn(&Row) -> Result<T>,
) -> Result<Option<T>> {
    let mut rows = conn.query(sql, params).await.db("reading")?;
    match rows.next().await.db("reading")? {
        Some(r) => map(&r).map(Some),
        None => Ok(None),
    }
}
