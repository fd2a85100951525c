//! Reading engine rows into Rust values, with errors that name the column
//! instead of panicking on unexpected data.

use turso::{Connection, Row, Value};

use crate::error::{DbContext, Error, Result};
use crate::stored::{self, Damage, DamagedRow, Listing};
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

/// How long a read keeps retrying while a sync applies changes ("busy").
const BUSY_RETRY_FOR: std::time::Duration = std::time::Duration::from_secs(30);

pub(crate) fn is_busy(e: &turso::Error) -> bool {
    matches!(e, turso::Error::Busy(_) | turso::Error::BusySnapshot(_))
}

/// The pauses of a read tried again while a pull holds the database: 2 ms,
/// doubling up to 50 ms, for at most `limit` from the first try.
pub(crate) struct BusyBackoff {
    start: std::time::Instant,
    pause: std::time::Duration,
    limit: std::time::Duration,
}

impl BusyBackoff {
    pub(crate) fn new(limit: std::time::Duration) -> Self {
        BusyBackoff {
            start: std::time::Instant::now(),
            pause: std::time::Duration::from_millis(2),
            limit,
        }
    }

    /// Waits before the next try; false (at once) when the time is up.
    pub(crate) async fn wait(&mut self) -> bool {
        if self.start.elapsed() >= self.limit {
            return false;
        }
        tokio::time::sleep(self.pause).await;
        self.pause = (self.pause * 2).min(std::time::Duration::from_millis(50));
        true
    }
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
    let mut backoff = BusyBackoff::new(BUSY_RETRY_FOR);
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
            Err(Fail::Busy(e)) => {
                if in_write || !backoff.wait().await {
                    return Err(e).db("reading");
                }
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

/// Runs a query and maps every row with a tolerant mapper: rows that cannot
/// be read whole come back as damaged rows, never as an error.
pub(crate) async fn query_listing<T>(
    conn: &Connection,
    sql: &str,
    params: Vec<Value>,
    map: impl Fn(&Row) -> Parsed<T>,
) -> Result<Listing<T>> {
    let rows = query_rows(conn, sql, params, None, &|r: &Row| Ok(map(r))).await?;
    Ok(Listing::of(rows))
}

/// A row read whole, or what could be read of it.
pub(crate) type Parsed<T> = std::result::Result<T, DamagedRow>;

/// Reads one row's columns, noting each one that cannot be read (and giving
/// a placeholder for it) instead of failing, so a mapper reads every column
/// and [`Fields::finish`] says at once everything that is wrong with the row.
pub(crate) struct Fields<'r> {
    row: &'r Row,
    names: &'static [&'static str],
    problems: Vec<(usize, Damage)>,
}

impl<'r> Fields<'r> {
    /// `names` are the columns in the query's order (for messages).
    pub(crate) fn new(row: &'r Row, names: &'static [&'static str]) -> Self {
        Fields {
            row,
            names,
            problems: Vec::new(),
        }
    }

    fn name(&self, i: usize) -> String {
        self.names
            .get(i)
            .map_or_else(|| format!("column {i}"), |n| (*n).to_string())
    }

    /// Notes that column `i` holds `value` and why it cannot be read.
    pub(crate) fn bad(&mut self, i: usize, value: String, problem: impl Into<String>) {
        let column = self.name(i);
        self.problems.push((
            i,
            Damage {
                column,
                value,
                problem: problem.into(),
            },
        ));
    }

    /// Whether column `i` was read without a problem.
    pub(crate) fn ok(&self, i: usize) -> bool {
        !self.problems.iter().any(|(c, _)| *c == i)
    }

    fn value(&mut self, i: usize) -> Value {
        match self.row.get_value(i) {
            Ok(v) => v,
            Err(e) => {
                self.bad(i, "?".into(), format!("cannot be read: {e}"));
                Value::Null
            }
        }
    }

    /// Text (numbers are taken as their digits); `None` for NULL.
    pub(crate) fn opt_text(&mut self, i: usize) -> Option<String> {
        match self.value(i) {
            Value::Null => None,
            Value::Text(s) => Some(s),
            Value::Integer(n) => Some(n.to_string()),
            Value::Real(f) => Some(f.to_string()),
            v @ Value::Blob(_) => {
                self.bad(i, stored::shown(&v), "binary data, not text");
                None
            }
        }
    }

    /// Notes that column `i`, which must hold `what`, is empty (unless a
    /// problem with it is noted already).
    fn needed(&mut self, i: usize, present: bool, what: &str) {
        if !present && self.ok(i) {
            self.bad(i, "NULL".into(), format!("empty; {what} is needed"));
        }
    }

    /// Text that must be there.
    pub(crate) fn text(&mut self, i: usize) -> String {
        let v = self.opt_text(i);
        self.needed(i, v.is_some(), "a value");
        v.unwrap_or_default()
    }

    pub(crate) fn opt_int(&mut self, i: usize) -> Option<i64> {
        match self.value(i) {
            Value::Null => None,
            Value::Integer(n) => Some(n),
            Value::Text(s) if s.trim().parse::<i64>().is_ok() => s.trim().parse().ok(),
            v => {
                self.bad(i, stored::shown(&v), "not a whole number");
                None
            }
        }
    }

    pub(crate) fn int(&mut self, i: usize) -> i64 {
        let v = self.opt_int(i);
        self.needed(i, v.is_some(), "a number");
        v.unwrap_or_default()
    }

    /// A key number, 1 to [`crate::keys::MAX_PART`] (a key outside cannot be
    /// typed), stored as an integer (SQL lookups compare integers).
    pub(crate) fn number(&mut self, i: usize) -> u32 {
        if let Ok(v @ Value::Text(_)) = self.row.get_value(i) {
            self.bad(
                i,
                stored::shown(&v),
                "a key number must be stored as a whole number",
            );
            return 0;
        }
        let n = self.int(i);
        match u32::try_from(n).ok().filter(|n| crate::keys::in_range(*n)) {
            Some(n) => n,
            None => {
                if self.ok(i) {
                    self.bad(
                        i,
                        n.to_string(),
                        format!("a key number must be 1 to {}", crate::keys::MAX_PART),
                    );
                }
                0
            }
        }
    }

    pub(crate) fn opt_ts(&mut self, i: usize) -> Option<Timestamp> {
        let s = self.opt_text(i)?;
        let t = time::from_text(&s);
        if t.is_none() {
            self.bad(i, stored::quoted(&s), "not a time (RFC 3339, years 1-9999)");
        }
        t
    }

    pub(crate) fn ts(&mut self, i: usize) -> Timestamp {
        let v = self.opt_ts(i);
        self.needed(i, v.is_some(), "a time");
        v.unwrap_or(Timestamp::UNIX_EPOCH)
    }

    /// An enum column read with its `from_stored` (newer values kept);
    /// `fallback` stands in for a value that cannot be one.
    pub(crate) fn stored<T>(&mut self, i: usize, parse: fn(&str) -> Option<T>, fallback: T) -> T {
        let s = self.text(i);
        if !self.ok(i) {
            return fallback;
        }
        match parse(&s) {
            Some(v) => v,
            None => {
                self.bad(
                    i,
                    stored::quoted(&s),
                    "not a value Shark knows or could keep",
                );
                fallback
            }
        }
    }

    /// [`Fields::stored`] for a column that may be NULL.
    pub(crate) fn opt_stored<T>(&mut self, i: usize, parse: fn(&str) -> Option<T>) -> Option<T> {
        let s = self.opt_text(i)?;
        let v = parse(&s);
        if v.is_none() {
            self.bad(
                i,
                stored::quoted(&s),
                "not a value Shark knows or could keep",
            );
        }
        v
    }

    /// A JSON list of strings (`depends_on`, file lists).
    pub(crate) fn string_list(&mut self, i: usize) -> Vec<String> {
        let s = self.text(i);
        if !self.ok(i) {
            return Vec::new();
        }
        match serde_json::from_str::<Vec<String>>(&s) {
            Ok(v) => v,
            Err(e) => {
                self.bad(
                    i,
                    stored::quoted(&s),
                    format!("not a JSON list of strings: {e}"),
                );
                Vec::new()
            }
        }
    }

    /// The value when every column was read, else the damaged row (named by
    /// what could be read of `id`, `key` and `title`).
    pub(crate) fn finish<T>(
        self,
        table: &str,
        id: Option<String>,
        key: Option<String>,
        title: Option<String>,
        value: T,
    ) -> Parsed<T> {
        if self.problems.is_empty() {
            return Ok(value);
        }
        Err(DamagedRow {
            table: table.to_string(),
            id: id.filter(|s| !s.is_empty()),
            key,
            title: title.filter(|s| !s.is_empty()),
            problems: self.problems.into_iter().map(|(_, d)| d).collect(),
        })
    }
}
