//! A small builder for queries whose filters are optional: it numbers `$N`
//! placeholders itself, which both engines accept (sqlx's `QueryBuilder` for `Any`
//! would emit `?`, which PostgreSQL rejects).

use sqlx::any::{AnyArguments, AnyRow};
use sqlx::query::Query;
use sqlx::{Any, Arguments, Row};

use crate::error::{Classify, Result, StoreError};
use crate::{Backend, Locked, TenantTx};
use confab_core::Timestamp;
use confab_core::id::TypedId;
use confab_core::page::{Cursor, Page, PageRequest};

pub(crate) enum Arg {
    Text(String),
    Int(i64),
    OptText(Option<String>),
    OptInt(Option<i64>),
}

pub(crate) struct Sql {
    text: String,
    args: Vec<Arg>,
}

impl Sql {
    pub fn new(start: &str) -> Self {
        Sql {
            text: start.to_owned(),
            args: Vec::new(),
        }
    }

    pub fn push(&mut self, fragment: &str) -> &mut Self {
        self.text.push_str(fragment);
        self
    }

    /// Appends a placeholder for `arg`.
    pub fn bind(&mut self, arg: Arg) -> &mut Self {
        self.args.push(arg);
        let n = self.args.len();
        self.text.push_str(&format!("${n}"));
        self
    }

    pub fn build(self) -> Query<'static, Any, AnyArguments> {
        let mut args = AnyArguments::default();
        for arg in self.args {
            let bound = match arg {
                Arg::Text(s) => args.add(s),
                Arg::Int(i) => args.add(i),
                Arg::OptText(s) => args.add(s),
                Arg::OptInt(i) => args.add(i),
            };
            bound.expect("text and integers always encode");
        }
        sqlx::query_with(sqlx::AssertSqlSafe(self.text), args)
    }
}

impl Sql {
    /// Appends the keyset page of a newest-first list on `(created_at, id)`: rows
    /// before the cursor (every row on the first page), in order, one extra to tell
    /// whether more exist. `alias` is the table's prefix in the query (`""` or `"v."`).
    pub fn newest_first(&mut self, alias: &str, page: &PageRequest) -> &mut Self {
        let (ts, id) = match &page.after {
            Some(c) => (c.created_at, c.id.clone()),
            None => (i64::MAX, String::new()),
        };
        self.push(&format!(" AND ({alias}created_at < "))
            .bind(Arg::Int(ts))
            .push(&format!(" OR ({alias}created_at = "))
            .bind(Arg::Int(ts))
            .push(&format!(" AND {alias}id < "))
            .bind(Arg::Text(id))
            .push(&format!(
                ")) ORDER BY {alias}created_at DESC, {alias}id DESC LIMIT "
            ))
            .bind(Arg::Int(page.limit + 1))
    }

    /// The same for an oldest-first list (messages).
    pub fn oldest_first(&mut self, alias: &str, page: &PageRequest) -> &mut Self {
        let (ts, id) = match &page.after {
            Some(c) => (c.created_at, c.id.clone()),
            None => (i64::MIN, String::new()),
        };
        self.push(&format!(" AND ({alias}created_at > "))
            .bind(Arg::Int(ts))
            .push(&format!(" OR ({alias}created_at = "))
            .bind(Arg::Int(ts))
            .push(&format!(" AND {alias}id > "))
            .bind(Arg::Text(id))
            .push(&format!(
                ")) ORDER BY {alias}created_at ASC, {alias}id ASC LIMIT "
            ))
            .bind(Arg::Int(page.limit + 1))
    }
}

/// Runs a list query that ends with [`Sql::newest_first`] or [`Sql::oldest_first`] and
/// cuts the page, its cursor on the rows' `(created_at, id)`.
pub(crate) async fn fetch_page<T>(
    sql: Sql,
    tx: &mut TenantTx,
    page: &PageRequest,
    decode: fn(&AnyRow) -> Result<T>,
    key: fn(&T) -> (i64, String),
) -> Result<Page<T>> {
    let rows = sql.build().fetch_all(tx.conn()).await.classified()?;
    let items = rows.iter().map(decode).collect::<Result<Vec<_>>>()?;
    Ok(Page::from_rows(items, page.limit, |item| {
        let (created_at, id) = key(item);
        Cursor { created_at, id }
    }))
}

/// One row of the transaction's workspace and mode by id: `select` is the query up to
/// its FROM clause (with the table's `alias`), the scope and id predicates are added here.
pub(crate) async fn fetch_by_id<T>(
    tx: &mut TenantTx,
    select: &str,
    alias: &str,
    id: &impl TypedId,
    decode: fn(&AnyRow) -> Result<T>,
) -> Result<Option<T>> {
    fetch_one(tx, select, alias, id.as_str(), decode, "").await
}

/// [`fetch_by_id`] under a row lock held until the transaction ends (`FOR UPDATE` of
/// the aliased table on PostgreSQL; SQLite's single writer already excludes others).
pub(crate) async fn lock_by_id<T>(
    tx: &mut TenantTx,
    select: &str,
    alias: &str,
    id: &impl TypedId,
    decode: fn(&AnyRow) -> Result<T>,
) -> Result<Option<Locked<T>>> {
    let lock = for_update(tx.backend(), alias);
    let row = fetch_one(tx, select, alias, id.as_str(), decode, &lock).await?;
    Ok(row.map(Locked::new))
}

/// The locking clause for a query on `alias` (`""` or `"v."`).
pub(crate) fn for_update(backend: Backend, alias: &str) -> String {
    match (backend, alias.trim_end_matches('.')) {
        (Backend::Sqlite, _) => String::new(),
        (Backend::Postgres, "") => " FOR UPDATE".into(),
        (Backend::Postgres, table) => format!(" FOR UPDATE OF {table}"),
    }
}

async fn fetch_one<T>(
    tx: &mut TenantTx,
    select: &str,
    alias: &str,
    id: &str,
    decode: fn(&AnyRow) -> Result<T>,
    suffix: &str,
) -> Result<Option<T>> {
    let (ws, live) = tx.scope();
    let sql = format!(
        "{select} WHERE {alias}workspace_id = $1 AND {alias}livemode = $2 AND {alias}id = $3{suffix}"
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(ws)
        .bind(live)
        .bind(id.to_owned())
        .fetch_optional(tx.conn())
        .await
        .classified()?;
    row.as_ref().map(decode).transpose()
}

/// Parses a nullable JSON text column; text that is not the expected JSON is corrupt.
pub(crate) fn json<T: serde::de::DeserializeOwned>(raw: Option<String>) -> Result<Option<T>> {
    raw.map(|r| serde_json::from_str(&r).map_err(|e| StoreError::Corrupt(e.to_string())))
        .transpose()
}

/// A nullable epoch-millisecond column as a timestamp.
pub(crate) fn ts(row: &AnyRow, col: &str) -> Result<Option<Timestamp>> {
    Ok(row
        .try_get::<Option<i64>, _>(col)
        .classified()?
        .map(Timestamp::from_millis))
}

/// Escapes `%`, `_` and `\` so user text matches literally inside `LIKE … ESCAPE '\'`.
pub(crate) fn like_pattern(needle: &str) -> String {
    let mut out = String::from("%");
    for c in needle.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// An optional float as text, for `CAST($n AS DOUBLE PRECISION)`. sqlx 0.9's `Any`
/// driver binds a `None` f64 as PostgreSQL `float4` but `Some` as `float8`, so a
/// statement first prepared with `None` rejects a later value on the same pooled
/// connection ("incorrect binary data format"); text has one type either way, and the
/// shortest round-trip formatting loses nothing.
pub(crate) fn double_as_text(value: Option<f64>) -> Option<String> {
    value.filter(|v| v.is_finite()).map(|v| v.to_string())
}

/// One written column: its name and how a row gives its value.
pub(crate) type Column<T> = (&'static str, fn(&T) -> Arg);

/// A tenant table's written columns. The INSERT and the UPDATE are built from these
/// lists, so a new column is one entry here (and one line where the row is decoded).
pub(crate) struct Columns<T: 'static> {
    pub table: &'static str,
    /// Written once, by the insert (`id`, `created_at`, …).
    pub fixed: &'static [Column<T>],
    /// Written by the insert and by every update.
    pub mutable: &'static [Column<T>],
}

impl<T> Columns<T> {
    /// Inserts `row` into the transaction's workspace and mode.
    pub async fn insert(&self, tx: &mut TenantTx, row: &T) -> Result<()> {
        self.insert_with(tx, row, Vec::new()).await
    }

    /// [`Columns::insert`] plus columns the row type does not hold (a secret that is
    /// stored but never part of the object).
    pub async fn insert_with(
        &self,
        tx: &mut TenantTx,
        row: &T,
        extra: Vec<(&'static str, Arg)>,
    ) -> Result<()> {
        let (ws, live) = tx.scope();
        let written = self.fixed.iter().chain(self.mutable);
        let names: Vec<&str> = written
            .clone()
            .map(|(name, _)| *name)
            .chain(extra.iter().map(|(name, _)| *name))
            .collect();
        let mut sql = Sql::new(&format!(
            "INSERT INTO {} (workspace_id, livemode, {}) VALUES (",
            self.table,
            names.join(", ")
        ));
        sql.bind(Arg::Text(ws)).push(", ").bind(Arg::Int(live));
        for (_, value) in written {
            sql.push(", ").bind(value(row));
        }
        for (_, value) in extra {
            sql.push(", ").bind(value);
        }
        sql.push(")");
        sql.build().execute(tx.conn()).await.classified()?;
        Ok(())
    }

    /// Writes every mutable column of the row `id` of the transaction's workspace and
    /// mode from `row`, which the caller holds locked.
    pub async fn update(&self, tx: &mut TenantTx, id: &str, row: &Locked<T>) -> Result<u64> {
        let (ws, live) = tx.scope();
        let mut sql = Sql::new(&format!("UPDATE {} SET ", self.table));
        for (i, (name, value)) in self.mutable.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.push(&format!("{name} = ")).bind(value(row));
        }
        sql.push(" WHERE workspace_id = ")
            .bind(Arg::Text(ws))
            .push(" AND livemode = ")
            .bind(Arg::Int(live))
            .push(" AND id = ")
            .bind(Arg::Text(id.to_owned()));
        let done = sql.build().execute(tx.conn()).await.classified()?;
        Ok(done.rows_affected())
    }
}
