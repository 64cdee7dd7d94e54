//! `knowledge/stacks.toml`: the recommendation rules, as data maintainers edit.
//!
//! `system_of_record` names the store that holds the truth; then four kinds of entry:
//!
//! - `[roles]`: what each store is for when it appears in a stack (`redis = "In-memory store…"`).
//! - `[[serve]]`: which store serves one use case at some scales (and optionally one hosting),
//!   with the feature that does the job, why, the guides, and, for a store filled from another
//!   one, `fed_by` plus the `sync` pattern that keeps the two in agreement.
//! - `[[pattern]]`: a sync pattern (cache-aside, outbox, CDC…) and its guide.
//! - `[[note]]`: advice shown when its conditions hold (scales, hostings, use cases, stores).
//!
//! Parsing checks what this file alone can tell: names of use cases, scales and hostings, that
//! every use case has exactly one rule at every scale, that a rule with `fed_by` names a pattern
//! that exists. Catalog ids and guides are checked with the rest of the cross-file references.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use super::{Catalog, Knowledge, Problem, line_of, parse_toml, with_line};
use crate::needs::{Hosting, Scale, UseCase};

/// All recommendation rules.
#[derive(Debug, Clone, Default)]
pub struct Rules {
    /// The store that holds the truth (`postgresql`): listed first in every stack it is part of.
    pub system_of_record: Option<String>,
    /// Role of each store in a stack, by catalog id, with its line.
    pub roles: BTreeMap<String, (String, usize)>,
    /// Serve rules in file order.
    pub serves: Vec<Serve>,
    /// Sync patterns in file order.
    pub patterns: Vec<Pattern>,
    /// Notes in file order.
    pub notes: Vec<Note>,
}

/// One `[[serve]]` rule: a use case served by one store at some scales.
#[derive(Debug, Clone)]
pub struct Serve {
    /// The use case it serves.
    pub use_case: UseCase,
    /// The scales it applies to.
    pub scales: Vec<Scale>,
    /// `None` for the rule that applies to every hosting without a rule of its own.
    pub hosting: Option<Hosting>,
    /// The catalog id of the store.
    pub database: String,
    /// The feature of that store that does the job (`tsvector column with a GIN index`).
    pub feature: Option<String>,
    /// Catalog ids of the extensions of that store the feature needs (`pgvector`), with lines.
    pub extensions: Vec<(String, usize)>,
    /// Why this store, at this scale.
    pub why: String,
    /// Guides that explain it, with their lines.
    pub guides: Vec<(String, usize)>,
    /// The store this one is filled from and how they stay in sync.
    pub sync: Option<SyncRule>,
    /// Line of `use_case`.
    pub line: usize,
}

/// How a store filled from another one stays in agreement with it.
#[derive(Debug, Clone)]
pub struct SyncRule {
    /// Catalog id of the source store (the system of record, usually `postgresql`).
    pub from: String,
    /// Id of a `[[pattern]]`.
    pub pattern: String,
    /// Line of `fed_by`.
    pub line: usize,
}

/// One `[[pattern]]`: a way of keeping two stores in agreement.
#[derive(Debug, Clone)]
pub struct Pattern {
    /// What `sync` refers to.
    pub id: String,
    /// The pattern in a sentence or two, as shown to members.
    pub text: String,
    /// The guide that explains it, with its line.
    pub guide: (String, usize),
    /// Line of `id`.
    pub line: usize,
}

/// One `[[note]]`: advice shown when every condition given holds.
#[derive(Debug, Clone)]
pub struct Note {
    /// Shown at any of these scales (all when empty).
    pub scales: Vec<Scale>,
    /// Shown for any of these hostings (all, including none given, when empty).
    pub hostings: Vec<Hosting>,
    /// Shown when all of these use cases are asked for.
    pub use_cases: Vec<UseCase>,
    /// Shown when all of these stores are in the stack, with the line of the list.
    pub databases: Vec<String>,
    /// The advice.
    pub text: String,
    /// Line of `text`.
    pub line: usize,
}

impl Rules {
    /// The rule for `use_case` at `scale`: the one for `hosting` if there is one, else the one
    /// for every hosting.
    pub fn serve(
        &self,
        use_case: UseCase,
        scale: Scale,
        hosting: Option<Hosting>,
    ) -> Option<&Serve> {
        let applies = |r: &&Serve| r.use_case == use_case && r.scales.contains(&scale);
        hosting
            .and_then(|h| {
                self.serves
                    .iter()
                    .filter(applies)
                    .find(|r| r.hosting == Some(h))
            })
            .or_else(|| {
                self.serves
                    .iter()
                    .filter(applies)
                    .find(|r| r.hosting.is_none())
            })
    }

    /// The pattern with this id.
    pub fn pattern(&self, id: &str) -> Option<&Pattern> {
        self.patterns.iter().find(|p| p.id == id)
    }

    /// The role text of a store, if the file gives one.
    pub fn role(&self, database: &str) -> Option<&str> {
        self.roles.get(database).map(|(text, _)| text.as_str())
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    system_of_record: Option<Spanned<String>>,
    #[serde(default)]
    roles: BTreeMap<Spanned<String>, String>,
    #[serde(default)]
    serve: Vec<RawServe>,
    #[serde(default)]
    pattern: Vec<RawPattern>,
    #[serde(default)]
    note: Vec<RawNote>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawServe {
    use_case: Spanned<String>,
    scales: Vec<Spanned<String>>,
    hosting: Option<Spanned<String>>,
    database: String,
    feature: Option<String>,
    #[serde(default)]
    extensions: Vec<Spanned<String>>,
    why: String,
    #[serde(default)]
    guides: Vec<Spanned<String>>,
    fed_by: Option<Spanned<String>>,
    sync: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPattern {
    id: Spanned<String>,
    text: String,
    guide: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNote {
    #[serde(default)]
    scales: Vec<Spanned<String>>,
    #[serde(default)]
    hostings: Vec<Spanned<String>>,
    #[serde(default)]
    use_cases: Vec<Spanned<String>>,
    #[serde(default)]
    databases: Vec<String>,
    text: Spanned<String>,
}

/// Parses the rules text read from `path`, reporting every problem this file alone shows.
pub fn parse_stacks(path: &Path, text: &str, problems: &mut Vec<Problem>) -> Rules {
    let Some(file) = parse_toml::<File>(path, text, "rules", problems) else {
        return Rules::default();
    };
    let mut report =
        |line: usize, message: String| problems.push(Problem::new(path, line, message));
    let mut rules = Rules::default();
    match file.system_of_record {
        Some(id) => rules.system_of_record = Some(id.into_inner()),
        None => report(
            1,
            "missing `system_of_record`, the store listed first".to_owned(),
        ),
    }
    for (db, role) in file.roles {
        let line = line_of(text, db.span().start);
        rules.roles.insert(db.into_inner(), (role, line));
    }
    for raw in file.pattern {
        let line = line_of(text, raw.id.span().start);
        let id = raw.id.into_inner();
        if rules.pattern(&id).is_some() {
            report(line, format!("duplicate pattern id `{id}`"));
            continue;
        }
        rules.patterns.push(Pattern {
            id,
            text: raw.text,
            guide: with_line(text, raw.guide),
            line,
        });
    }
    for raw in file.serve {
        if let Some(serve) = parse_serve(text, raw, &rules, &mut report) {
            rules.serves.push(serve);
        }
    }
    for raw in file.note {
        let line = line_of(text, raw.text.span().start);
        rules.notes.push(Note {
            scales: parse_names(text, &raw.scales, &mut report),
            hostings: parse_names(text, &raw.hostings, &mut report),
            use_cases: parse_names(text, &raw.use_cases, &mut report),
            databases: raw.databases,
            text: raw.text.into_inner(),
            line,
        });
    }
    check_coverage(&rules, &mut report);
    rules
}

fn parse_serve(
    text: &str,
    raw: RawServe,
    rules: &Rules,
    report: &mut dyn FnMut(usize, String),
) -> Option<Serve> {
    let line = line_of(text, raw.use_case.span().start);
    let use_case = parse_name(text, &raw.use_case, report);
    let scales = parse_names(text, &raw.scales, report);
    if raw.scales.is_empty() {
        report(line, "a rule needs at least one scale".to_owned());
    }
    let hosting = match &raw.hosting {
        Some(h) => Some(parse_name(text, h, report)?),
        None => None,
    };
    let sync = match (raw.fed_by, raw.sync) {
        (None, None) => None,
        (Some(from), Some(pattern)) => {
            let from_line = line_of(text, from.span().start);
            let pattern_line = line_of(text, pattern.span().start);
            let pattern = pattern.into_inner();
            if rules.pattern(&pattern).is_none() {
                report(pattern_line, format!("no [[pattern]] has id `{pattern}`"));
            }
            let from = from.into_inner();
            if from == raw.database {
                report(from_line, format!("`{from}` cannot be fed by itself"));
            }
            Some(SyncRule {
                from,
                pattern,
                line: from_line,
            })
        }
        (Some(from), None) => {
            report(
                line_of(text, from.span().start),
                "`fed_by` needs a `sync` pattern saying how the stores stay in agreement"
                    .to_owned(),
            );
            None
        }
        (None, Some(pattern)) => {
            report(
                line_of(text, pattern.span().start),
                "`sync` needs `fed_by`, the store the data comes from".to_owned(),
            );
            None
        }
    };
    if raw.scales.len() != scales.len() {
        return None;
    }
    Some(Serve {
        use_case: use_case?,
        scales,
        hosting,
        database: raw.database,
        feature: raw.feature,
        extensions: raw
            .extensions
            .into_iter()
            .map(|e| with_line(text, e))
            .collect(),
        why: raw.why,
        guides: raw.guides.into_iter().map(|g| with_line(text, g)).collect(),
        sync,
        line,
    })
}

fn parse_names<T: std::str::FromStr<Err = crate::needs::UnknownName>>(
    text: &str,
    values: &[Spanned<String>],
    report: &mut dyn FnMut(usize, String),
) -> Vec<T> {
    values
        .iter()
        .filter_map(|v| parse_name(text, v, report))
        .collect()
}

/// One vocabulary word (use case, scale, hosting); an unknown one is reported at its line.
fn parse_name<T: std::str::FromStr<Err = crate::needs::UnknownName>>(
    text: &str,
    value: &Spanned<String>,
    report: &mut dyn FnMut(usize, String),
) -> Option<T> {
    value
        .get_ref()
        .parse()
        .map_err(|e: crate::needs::UnknownName| {
            report(line_of(text, value.span().start), e.to_string());
        })
        .ok()
}

/// Every use case needs exactly one rule for every hosting at every scale, and no two rules may
/// claim the same (use case, scale, hosting).
fn check_coverage(rules: &Rules, report: &mut dyn FnMut(usize, String)) {
    let mut seen: BTreeMap<(UseCase, Scale, Option<Hosting>), usize> = BTreeMap::new();
    for serve in &rules.serves {
        for &scale in &serve.scales {
            if let Some(first) = seen.insert((serve.use_case, scale, serve.hosting), serve.line) {
                let hosting = serve
                    .hosting
                    .map_or(String::new(), |h| format!(" with hosting `{h}`"));
                report(
                    serve.line,
                    format!(
                        "`{}` at scale `{scale}`{hosting} already has a rule (line {first})",
                        serve.use_case
                    ),
                );
            }
        }
    }
    for &use_case in UseCase::ALL {
        let missing: Vec<&str> = Scale::ALL
            .iter()
            .filter(|&&s| !seen.contains_key(&(use_case, s, None)))
            .map(|s| s.as_str())
            .collect();
        if !missing.is_empty() {
            report(
                1,
                format!(
                    "`{use_case}` needs a rule without `hosting` at scale {}",
                    missing.join(", ")
                ),
            );
        }
    }
}

/// Cross-file checks of the rules: catalog ids, guides, roles, and one store per kind. A guide in
/// `unloaded` is said to be left out rather than missing.
pub(super) fn check_references(
    knowledge: &Knowledge,
    path: &Path,
    unloaded: &[PathBuf],
    problems: &mut Vec<Problem>,
) {
    let rules = &knowledge.rules;
    let catalog = &knowledge.catalog;
    let mut report =
        |line: usize, message: String| problems.push(Problem::new(path, line, message));
    let guide_exists = |slug: &str| knowledge.guides.iter().any(|g| g.slug == slug);
    let missing_guide = |slug: &str| {
        if super::left_out(unloaded, slug) {
            format!("guide `{slug}` {}", super::LEFT_OUT)
        } else {
            format!("guide `{slug}` does not exist")
        }
    };
    for (id, (_, line)) in &rules.roles {
        if catalog.get(id).is_none() {
            report(
                *line,
                format!("role for `{id}`, which is not in catalog.toml"),
            );
        }
    }
    for serve in &rules.serves {
        let mut stores = vec![(serve.database.as_str(), serve.line)];
        if let Some(sync) = &serve.sync {
            stores.push((sync.from.as_str(), sync.line));
        }
        for (id, line) in stores {
            if catalog.get(id).is_none() {
                report(line, format!("database `{id}` is not in catalog.toml"));
            } else if rules.role(id).is_none() {
                report(line, format!("`{id}` has no entry in [roles]"));
            }
        }
        for (id, line) in &serve.extensions {
            if catalog.get(id).is_none() {
                report(*line, format!("extension `{id}` is not in catalog.toml"));
            } else if id == &serve.database {
                report(
                    *line,
                    format!("`{id}` is the store itself, not an extension of it"),
                );
            }
        }
        if serve.guides.is_empty() {
            report(serve.line, "a rule needs at least one guide".to_owned());
        }
        for (slug, line) in &serve.guides {
            if !guide_exists(slug) {
                report(*line, missing_guide(slug));
            }
        }
    }
    for pattern in &rules.patterns {
        let (slug, line) = &pattern.guide;
        if !guide_exists(slug) {
            report(*line, missing_guide(slug));
        }
        if !rules
            .serves
            .iter()
            .any(|s| s.sync.as_ref().is_some_and(|y| y.pattern == pattern.id))
        {
            report(
                pattern.line,
                format!("no rule uses pattern `{}`", pattern.id),
            );
        }
    }
    for note in &rules.notes {
        for id in &note.databases {
            if catalog.get(id).is_none() {
                report(note.line, format!("database `{id}` is not in catalog.toml"));
            }
        }
    }
    check_one_store_per_kind(rules, catalog, &mut report);
}

/// The smaller stack wins: at one scale and hosting, two use cases must not pick two different
/// stores of the same kind (two search engines) when one would serve both. Each clashing pair of
/// rules is reported once, with every scale and hosting where it clashes.
fn check_one_store_per_kind(
    rules: &Rules,
    catalog: &Catalog,
    report: &mut dyn FnMut(usize, String),
) {
    let mut clashes: Vec<(&Serve, &Serve, &str, Vec<String>)> = Vec::new();
    let hostings = std::iter::once(None).chain(Hosting::ALL.iter().copied().map(Some));
    for hosting in hostings {
        for &scale in Scale::ALL {
            let mut by_kind: Vec<(&str, &Serve)> = Vec::new();
            for &use_case in UseCase::ALL {
                let Some(serve) = rules.serve(use_case, scale, hosting) else {
                    continue;
                };
                let Some(kind) = catalog.get(&serve.database).map(|d| d.kind.as_str()) else {
                    continue;
                };
                let Some(&(_, other)) = by_kind.iter().find(|(k, _)| *k == kind) else {
                    by_kind.push((kind, serve));
                    continue;
                };
                // A clash between two rules for every hosting is reported once, without a hosting.
                let seen_without_hosting =
                    hosting.is_some() && serve.hosting.is_none() && other.hosting.is_none();
                if other.database == serve.database || seen_without_hosting {
                    continue;
                }
                let at = match hosting {
                    Some(h) => format!("{scale}/{h}"),
                    None => scale.to_string(),
                };
                match clashes
                    .iter_mut()
                    .find(|(a, b, _, _)| std::ptr::eq(*a, serve) && std::ptr::eq(*b, other))
                {
                    Some((_, _, _, places)) => places.push(at),
                    None => clashes.push((serve, other, kind, vec![at])),
                }
            }
        }
    }
    for (serve, other, kind, places) in clashes {
        report(
            serve.line,
            format!(
                "`{}` ({}) and `{}` ({}) are both a {kind} at {}: pick one so the stack stays small",
                serve.use_case,
                serve.database,
                other.use_case,
                other.database,
                places.join(", "),
            ),
        );
    }
}
