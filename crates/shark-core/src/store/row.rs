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

/// How long a read keeps retrying while a sync applies changes ("busy").
const BUSY_RETRY_FOR: std::time::Duration = std::time::Duration::from_secs(30);

fn is_busy(e: &turso::Error) -> bool {
    matches!(e, turso::Error::Busy(_) | turso::Error::BusySnapshot(_))
}

/// Runs `sql` and maps every row; while a pull holds the database ("busy"),
/// the whole query is retried, so reads wait briefly instead of failing
/// (inside a write transaction the busy error is returned at once, for the
/// write to be retried whole).
async fn query_rows<T>(
    conn: &Connection,
    sql: &str,
    params: Vec<Value>,
    limit: Option<usize>,
    map: &impl Fn(&Row) -> Result<T>,
) -> Result<Vec<T>> {
    enum Fail {
        Busy(turso::Error),
        Engine(turso::Error),
        Map(Error),
    }
    let engine = |e: turso::Error| {
        if is_busy(&e) {
            Fail::Busy(e)
        } else {
            Fail::Engine(e)
        }
    };
    let start = std::time::Instant::now();
    let mut pause = std::time::Duration::from_millis(2);
    loop {
        // Rows are mapped as they arrive; a busy attempt's partial results are dropped.
        let attempt: std::result::Result<Vec<T>, Fail> = async {
            let mut rows = conn.query(sql, params.clone()).await.map_err(engine)?;
            let mut out = Vec::new();
            while let Some(r) = rows.next().await.map_err(engine)? {
                out.push(map(&r).map_err(Fail::Map)?);
                if limit.is_some_and(|l| out.len() >= l) {
                    break;
                }
            }
            Ok(out)
        }
        .await;
        // Inside a write transaction a busy read cannot succeed by waiting
        // (the transaction may have met a pull's apply): it fails the
        // attempt, and the write path runs the whole transaction again.
        let in_write = !conn.is_autocommit().unwrap_or(true);
        match attempt {
            Ok(out) => return Ok(out),
            Err(Fail::Busy(e)) if in_write || start.elapsed() >= BUSY_RETRY_FOR => {
                return Err(e).db("reading");
            }
            Err(Fail::Busy(_)) => {
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(std::time::Duration::from_millis(50));
            }
            Err(Fail::Engine(e)) => return Err(e).db("reading"),
            Err(Fail::Map(e)) => return Err(e),
        }
    }
}

/// `UPDATE table SET updated_at = now, column = value, ... WHERE id = id`
/// for the columns in `sets` only (so sync merges edits of other columns);
/// with none, nothing is written.
pub(crate) async fn update(
    c: &Connection,
    table: &str,
    id: &str,
    now: &str,
    sets: &[(&str, Value)],
    context: &'static str,
) -> Result<()> {
    if sets.is_empty() {
        return Ok(());
    }
    let mut params: Vec<Value> = vec![id.into(), now.into()];
    let mut sql = format!("UPDATE {table} SET updated_at = ?2");
    for (col, v) in sets {
        params.push(v.clone());
        sql.push_str(&format!(", {col} = ?{}", params.len()));
    }
    sql.push_str(" WHERE id = ?1");
    c.execute(sql, params).await.db(context)?;
    Ok(())
}

/// Runs a query and maps every row.
pub(crate) async fn query_all<T>(
    conn: &Connection,
    sql: &str,
    params: Vec<Value>,
    map: impl Fn(&Row) -> Result<T>,
) -> Result<Vec<T>> {
    query_rows(conn, sql, params, None, &map).await
}

/// Runs a query and maps the first row, if any.
pub(crate) async fn query_opt<T>(
    conn: &Connection,
    sql: &str,
    params: Vec<Value>,
    map: impl Fn(&Row) -> Result<T>,
) -> Result<Option<T>> {
    Ok(query_rows(conn, sql, params, Some(1), &map).await?.pop())
}
