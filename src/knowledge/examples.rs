//! Runnable examples: the code blocks of a guide that CI runs, in order, against real servers.
//!
//! A fenced block is runnable when its info string says so after the language:
//!
//! ````text
//! ```sql runnable
//! ```sql runnable needs=pgvector
//! ```redis runnable needs=redis-7.4
//! ````
//!
//! Every runnable SQL block of a guide runs in order in one fresh database (psql, stopping at the
//! first error); every runnable Redis block runs line by line with `redis-cli` on an empty
//! database. `needs=` names what a block needs beyond a plain PostgreSQL or Redis: a
//! PostgreSQL extension by its catalog id (`pgvector`, `postgis`), a server version
//! (`postgresql-18`, `redis-7.4`). The runner (`stackbot check --run-examples`) skips, and
//! counts, a block whose needs the servers it was given cannot meet.

use std::path::Path;

use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};

use super::Problem;

/// The word after the language that makes a block runnable.
pub const RUNNABLE: &str = "runnable";

/// A runnable code block of a guide.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Example {
    /// What runs it.
    pub lang: ExampleLang,
    /// What it needs beyond a plain server, as written (`pgvector`, `postgresql-18`).
    pub needs: Vec<Need>,
    /// The code, as in the guide.
    pub code: String,
    /// 1-based line of the opening fence.
    pub line: usize,
}

/// The languages the runner knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExampleLang {
    /// SQL for PostgreSQL, run with psql.
    Sql,
    /// One redis-cli command per line; `#` starts a comment line.
    Redis,
}

/// Something a runnable block needs beyond a plain server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Need {
    /// A PostgreSQL extension, by its catalog id (`pgvector`).
    Extension(String),
    /// At least this PostgreSQL major version.
    Postgres(u32),
    /// At least this Redis version (major, minor).
    Redis(u32, u32),
}

impl std::fmt::Display for Need {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Extension(id) => f.write_str(id),
            Self::Postgres(major) => write!(f, "postgresql-{major}"),
            Self::Redis(major, minor) => write!(f, "redis-{major}.{minor}"),
        }
    }
}

impl Need {
    fn parse(word: &str) -> Option<Self> {
        if let Some(major) = word.strip_prefix("postgresql-") {
            return major.parse().ok().map(Self::Postgres);
        }
        if let Some(version) = word.strip_prefix("redis-") {
            let (major, minor) = version.split_once('.')?;
            return Some(Self::Redis(major.parse().ok()?, minor.parse().ok()?));
        }
        let is_id = !word.is_empty()
            && word
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
        is_id.then(|| Self::Extension(word.to_owned()))
    }
}

/// The runnable blocks of a guide body that starts at line `first_line` of `path`, in order;
/// a block marked runnable that the runner could not run is a problem.
pub fn find(
    body: &str,
    first_line: usize,
    path: &Path,
    problems: &mut Vec<Problem>,
) -> Vec<Example> {
    let line_of = |offset: usize| first_line + body[..offset].matches('\n').count();
    let mut examples = Vec::new();
    let mut open: Option<Example> = None;
    for (event, range) in Parser::new(body).into_offset_iter() {
        match event {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => {
                let mut words = info.split_whitespace();
                let lang = words.next().unwrap_or_default();
                if words.next() != Some(RUNNABLE) {
                    continue;
                }
                let line = line_of(range.start);
                let lang = match lang {
                    "sql" => ExampleLang::Sql,
                    "redis" => ExampleLang::Redis,
                    other => {
                        problems.push(Problem::new(
                            path,
                            line,
                            format!("`{other} runnable`: only sql and redis blocks can run"),
                        ));
                        continue;
                    }
                };
                let mut needs = Vec::new();
                for word in words {
                    let parsed = word.strip_prefix("needs=").map(|list| {
                        list.split(',')
                            .map(|n| Need::parse(n).ok_or(n))
                            .collect::<Result<Vec<_>, _>>()
                    });
                    match parsed {
                        Some(Ok(list)) => needs.extend(list),
                        Some(Err(bad)) => problems.push(Problem::new(
                            path,
                            line,
                            format!(
                                "`needs={bad}`: write a catalog id (pgvector), postgresql-N or redis-X.Y"
                            ),
                        )),
                        None => problems.push(Problem::new(
                            path,
                            line,
                            format!("unknown word `{word}` after `runnable` (expected needs=…)"),
                        )),
                    }
                }
                open = Some(Example {
                    lang,
                    needs,
                    code: String::new(),
                    line,
                });
            }
            Event::Text(text) => {
                if let Some(example) = &mut open {
                    example.code.push_str(&text);
                }
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some(example) = open.take() {
                    if example.code.trim().is_empty() {
                        problems.push(Problem::new(path, example.line, "empty runnable block"));
                    } else {
                        examples.push(example);
                    }
                }
            }
            _ => {}
        }
    }
    examples
}

#[cfg(test)]
mod tests {
    use super::*;

    fn examples(body: &str) -> (Vec<Example>, Vec<String>) {
        let mut problems = Vec::new();
        let found = find(body, 10, Path::new("g.md"), &mut problems);
        (found, problems.iter().map(ToString::to_string).collect())
    }

    #[test]
    fn runnable_blocks_are_found_with_their_needs_and_lines() {
        let body = "Text.\n\n```sql runnable\nSELECT 1;\n```\n\n```sql\nSELECT 'not run';\n```\n\n\
                    ```redis runnable needs=redis-7.4\nSET k v\n```\n\n\
                    ```sql runnable needs=pgvector,postgresql-18\nSELECT 2;\n```\n";
        let (found, problems) = examples(body);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(found.len(), 3);
        assert_eq!(found[0].lang, ExampleLang::Sql);
        assert_eq!(found[0].code, "SELECT 1;\n");
        assert_eq!(found[0].line, 12);
        assert_eq!(found[1].lang, ExampleLang::Redis);
        assert_eq!(found[1].needs, [Need::Redis(7, 4)]);
        assert_eq!(
            found[2].needs,
            [Need::Extension("pgvector".into()), Need::Postgres(18)]
        );
    }

    #[test]
    fn a_block_the_runner_cannot_run_is_a_problem() {
        let body = "```python runnable\nprint(1)\n```\n\n```sql runnable fast\nSELECT 1;\n```\n\n\
                    ```sql runnable needs=Bad!\nSELECT 1;\n```\n\n```sql runnable\n```\n";
        let (_, problems) = examples(body);
        assert_eq!(
            problems,
            [
                "g.md:10: `python runnable`: only sql and redis blocks can run",
                "g.md:14: unknown word `fast` after `runnable` (expected needs=…)",
                "g.md:18: `needs=Bad!`: write a catalog id (pgvector), postgresql-N or redis-X.Y",
                "g.md:22: empty runnable block",
            ]
        );
    }
}
