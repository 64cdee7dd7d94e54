//! `knowledge/synonyms.toml`: words and phrases that mean the same thing to a member.
//!
//! Two kinds: a `[[group]]` of interchangeable phrases (each expands to the others) and an
//! `[[alias]]`, one-way (`pg` expands to `postgresql`, but a question about `PostgreSQL` does not
//! go looking for every `pg` in `pg_trgm`).
//!
//! Only the raw phrases live here; turning them into analysed terms is the search module's job.

use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use super::{Problem, line_of, parse_toml};

/// All synonym groups, in file order.
#[derive(Debug, Clone, Default)]
pub struct Synonyms {
    /// Each group is a set of interchangeable phrases.
    pub groups: Vec<SynonymGroup>,
}

/// Phrases a question may use for the same idea.
#[derive(Debug, Clone)]
pub struct SynonymGroup {
    /// The phrases that trigger the expansion, as written.
    pub terms: Vec<String>,
    /// The phrases searched for when one of `terms` is in a question; for a symmetric group, the
    /// same list as `terms`.
    pub means: Vec<String>,
    /// Line of the entry's `terms`, for `check`.
    pub line: usize,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    group: Vec<Group>,
    #[serde(default)]
    alias: Vec<Alias>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Group {
    terms: Spanned<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Alias {
    terms: Spanned<Vec<String>>,
    means: Vec<String>,
}

/// Parses the synonyms text read from `path`; a group needs two or more non-empty phrases.
pub fn parse_synonyms(path: &Path, text: &str, problems: &mut Vec<Problem>) -> Synonyms {
    let Some(file) = parse_toml::<File>(path, text, "synonyms", problems) else {
        return Synonyms::default();
    };
    let trimmed = |list: Vec<String>| -> Vec<String> {
        list.into_iter().map(|t| t.trim().to_owned()).collect()
    };
    let mut entries: Vec<(usize, Vec<String>, Option<Vec<String>>)> = Vec::new();
    for group in file.group {
        let line = line_of(text, group.terms.span().start);
        entries.push((line, trimmed(group.terms.into_inner()), None));
    }
    for alias in file.alias {
        let line = line_of(text, alias.terms.span().start);
        entries.push((
            line,
            trimmed(alias.terms.into_inner()),
            Some(trimmed(alias.means)),
        ));
    }
    entries.sort_by_key(|(line, _, _)| *line);

    let mut synonyms = Synonyms::default();
    for (line, terms, means) in entries {
        let bad = match &means {
            None if terms.len() < 2 => Some("a synonym group needs at least two terms"),
            Some(means) if terms.is_empty() || means.is_empty() => {
                Some("an alias needs at least one term and one meaning")
            }
            _ if terms
                .iter()
                .chain(means.iter().flatten())
                .any(String::is_empty) =>
            {
                Some("synonym terms must not be empty")
            }
            _ => None,
        };
        if let Some(message) = bad {
            problems.push(Problem::new(path, line, message));
            continue;
        }
        let means = means.unwrap_or_else(|| terms.clone());
        synonyms.groups.push(SynonymGroup { terms, means, line });
    }
    synonyms
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_are_symmetric_and_aliases_one_way() {
        let text = "[[group]]\nterms = [\"cache\", \"caching\"]\n\n[[alias]]\nterms = [\"pg\"]\nmeans = [\"postgresql\"]\n";
        let mut problems = Vec::new();
        let s = parse_synonyms(Path::new("s.toml"), text, &mut problems);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(s.groups[0].means, ["cache", "caching"]);
        assert_eq!(
            (
                s.groups[1].terms.as_slice(),
                s.groups[1].means.as_slice(),
                s.groups[1].line
            ),
            (&["pg".to_owned()][..], &["postgresql".to_owned()][..], 5)
        );
    }

    #[test]
    fn malformed_entries_are_reported_with_their_lines() {
        let text = "[[group]]\nterms = [\"solo\"]\n[[alias]]\nterms = [\"x\"]\nmeans = []\n";
        let mut problems = Vec::new();
        let s = parse_synonyms(Path::new("s.toml"), text, &mut problems);
        assert!(s.groups.is_empty());
        let lines: Vec<_> = problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, [2, 4]);
    }
}
