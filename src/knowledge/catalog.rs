//! `knowledge/catalog.toml`: the databases the bot knows, by canonical id.

use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use super::{Problem, line_of, parse_toml, with_line};

/// The catalog: every database id a guide, a rule or a reply may name.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    /// Entries in file order.
    pub databases: Vec<Database>,
}

/// One database of the catalog.
#[derive(Debug, Clone)]
pub struct Database {
    /// Canonical id (`postgresql`, `redis`, …): what front matter and rules refer to.
    pub id: String,
    /// Display name (`PostgreSQL`).
    pub name: String,
    /// What kind of store it is (`relational database`, `in-memory key-value store`, …).
    pub kind: String,
    /// The current releases the guides are written and tested against (`["17", "18"]`): the one
    /// place for them, so `check` can report a guide whose `tested_with` names another.
    pub versions: Vec<String>,
    /// For a PostgreSQL extension, the name `CREATE EXTENSION` takes (`vector` for pgvector).
    pub extension: Option<String>,
    /// Whether the extension works only when the server loads it at start-up
    /// (`shared_preload_libraries`), as TimescaleDB and `pg_stat_statements` do.
    pub preload: bool,
    /// The jobs it does best, in a sentence.
    pub best_at: String,
    /// What it should not be used for, in a sentence.
    pub not_for: String,
    /// Slugs of the guides about it, with their lines for `check`.
    pub guides: Vec<(String, usize)>,
    /// Line of the entry's `id`, for `check`.
    pub line: usize,
}

impl Catalog {
    /// The entry for `id`, if the catalog has one.
    pub fn get(&self, id: &str) -> Option<&Database> {
        self.databases.iter().find(|d| d.id == id)
    }

    /// The entry a `tested_with` item such as "Kafka 4.0" or "Apache Kafka 4.0" names (by its
    /// display name or its id, ignoring case), with the version it gives. Items about other
    /// software ("redis-py 8.1", "Docker Compose 2") name no entry.
    pub fn product_version<'a>(&self, item: &'a str) -> Option<(&Database, &'a str)> {
        let (product, version) = item.trim().rsplit_once(' ')?;
        let product = product.trim();
        let database = self
            .databases
            .iter()
            .find(|d| d.name.eq_ignore_ascii_case(product) || d.id.eq_ignore_ascii_case(product))?;
        Some((database, version))
    }
}

impl Database {
    /// Whether `version` ("8.19", "0.8.0") is one of the current releases: equal to one, or a
    /// patch release of one.
    pub fn is_current(&self, version: &str) -> bool {
        self.versions.iter().any(|current| {
            version == current
                || version
                    .strip_prefix(current.as_str())
                    .is_some_and(|rest| rest.starts_with('.'))
        })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    database: Vec<Entry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    id: Spanned<String>,
    name: String,
    kind: String,
    #[serde(default)]
    versions: Vec<String>,
    extension: Option<String>,
    #[serde(default)]
    preload: bool,
    best_at: String,
    not_for: String,
    #[serde(default)]
    guides: Vec<Spanned<String>>,
}

/// Parses the catalog text read from `path`, reporting syntax errors and duplicate ids.
pub fn parse_catalog(path: &Path, text: &str, problems: &mut Vec<Problem>) -> Catalog {
    let Some(file) = parse_toml::<File>(path, text, "catalog", problems) else {
        return Catalog::default();
    };
    let mut catalog = Catalog::default();
    for entry in file.database {
        let line = line_of(text, entry.id.span().start);
        let id = entry.id.into_inner();
        if catalog.get(&id).is_some() {
            problems.push(Problem::new(
                path,
                line,
                format!("duplicate database id `{id}`"),
            ));
            continue;
        }
        catalog.databases.push(Database {
            id,
            name: entry.name,
            kind: entry.kind,
            versions: entry.versions,
            extension: entry.extension,
            preload: entry.preload,
            best_at: entry.best_at,
            not_for: entry.not_for,
            guides: entry
                .guides
                .into_iter()
                .map(|g| with_line(text, g))
                .collect(),
            line,
        });
    }
    catalog
}
