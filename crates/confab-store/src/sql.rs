//! A small builder for queries whose filters are optional: it numbers `$N`
//! placeholders itself, which both engines accept (sqlx's `QueryBuilder` for `Any`
//! would emit `?`, which PostgreSQL rejects).

use sqlx::any::AnyArguments;
use sqlx::query::Query;
use sqlx::{Any, Arguments};

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

    /// Adds arguments for `$1…$n` already written into the text.
    pub fn args_numbered(&mut self, args: impl IntoIterator<Item = Arg>) -> &mut Self {
        self.args.extend(args);
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
