//! One guide file: TOML front matter between `+++` lines, then a `CommonMark` body.
//!
//! Parsing reports every problem it can find in the file rather than stopping at the first, so
//! `stackbot check` can list them all. It does not read files or look at other guides.

use std::path::Path;

use toml::de::{DeTable, DeValue};

use super::anchor::anchor;
use super::examples;
use super::markdown::{Link, parse_body};
use super::{Date, Guide, Problem, Section};

/// Parses the text of the guide `slug` read from `path`.
///
/// Returns the guide when its front matter has at least a title and a summary (so one broken
/// field does not hide the rest of the knowledge from `ask`), plus every problem found, plus the
/// links of the body for the cross-guide checks.
pub fn parse_guide(
    slug: &str,
    path: &Path,
    text: &str,
) -> (Option<Guide>, Vec<Link>, Vec<Problem>) {
    let mut problems = Vec::new();
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let Some((front, body, body_line)) = split_front_matter(text) else {
        problems.push(Problem::new(
            path,
            1,
            "missing front matter: the file must start with a `+++` line and close it with another",
        ));
        return (None, Vec::new(), problems);
    };
    let meta = parse_front_matter(front, path, &mut problems);
    let parsed = parse_body(body, body_line);
    let examples = examples::find(body, body_line, path, &mut problems);

    for h1 in &parsed.stray_h1 {
        problems.push(Problem::new(
            path,
            h1.line,
            "level-one heading: the title belongs in the front matter; use `##` for sections",
        ));
    }
    let mut sections = Vec::with_capacity(parsed.sections.len());
    let mut seen_anchors: Vec<(String, usize)> = Vec::new();
    for raw in parsed.sections {
        let navigation = raw.is_navigation();
        let Some(heading) = raw.heading else {
            sections.push(Section {
                heading: meta.title.clone().unwrap_or_default(),
                anchor: None,
                navigation,
                text: raw.text,
                blocks: raw.blocks,
                line: raw.line,
            });
            continue;
        };
        let section_anchor = anchor(&heading);
        if section_anchor.is_empty() {
            problems.push(Problem::new(
                path,
                raw.line,
                format!("heading {heading:?} has no letters or digits, so no anchor"),
            ));
        } else if let Some((_, first)) = seen_anchors.iter().find(|(a, _)| *a == section_anchor) {
            problems.push(Problem::new(
                path,
                raw.line,
                format!("duplicate anchor #{section_anchor} (first used on line {first})"),
            ));
        } else {
            seen_anchors.push((section_anchor.clone(), raw.line));
        }
        if raw.text.is_empty() {
            problems.push(Problem::new(
                path,
                raw.line,
                format!("empty section {heading:?}"),
            ));
        }
        sections.push(Section {
            heading,
            anchor: Some(section_anchor),
            navigation,
            text: raw.text,
            blocks: raw.blocks,
            line: raw.line,
        });
    }
    if !sections.iter().any(|s| s.anchor.is_some()) {
        problems.push(Problem::new(path, body_line, "no `##` sections"));
    }

    let guide = match (meta.title, meta.summary) {
        (Some(title), Some(summary)) => Some(Guide {
            slug: slug.to_owned(),
            path: path.to_owned(),
            title,
            summary,
            tags: meta.tags,
            databases: meta.databases,
            reviewed: meta.reviewed,
            tested_with: meta.tested_with,
            sections,
            examples,
        }),
        _ => None,
    };
    (guide, parsed.links, problems)
}

/// Splits `+++\n<front>\n+++\n<body>`; returns the front matter, the body and the body's first line.
fn split_front_matter(text: &str) -> Option<(&str, &str, usize)> {
    let rest = text
        .strip_prefix("+++\n")
        .or_else(|| text.strip_prefix("+++\r\n"))?;
    let mut offset = 0;
    for (index, line) in rest.split_inclusive('\n').enumerate() {
        if line.trim_end() == "+++" {
            let front = &rest[..offset];
            let body = &rest[offset + line.len()..];
            // Line 1 is the opening `+++`, the front matter starts on line 2, the closing
            // `+++` is on line `index + 2`, so the body starts on `index + 3`.
            return Some((front, body, index + 3));
        }
        offset += line.len();
    }
    None
}

/// The front matter fields, each present only when it was valid.
#[derive(Default)]
struct Meta {
    title: Option<String>,
    summary: Option<String>,
    tags: Vec<String>,
    databases: Vec<(String, usize)>,
    reviewed: Option<Date>,
    tested_with: Vec<(String, usize)>,
}

fn parse_front_matter(front: &str, path: &Path, problems: &mut Vec<Problem>) -> Meta {
    // Front matter starts on line 2 of the file.
    let line_at = |offset: usize| 2 + front[..offset.min(front.len())].matches('\n').count();
    let mut meta = Meta::default();
    let table = match DeTable::parse(front) {
        Ok(table) => table.into_inner(),
        Err(e) => {
            let line = e.span().map_or(2, |s| line_at(s.start));
            problems.push(Problem::new(
                path,
                line,
                format!("front matter is not valid TOML: {}", e.message()),
            ));
            return meta;
        }
    };
    for (key, value) in &table {
        let line = line_at(key.span().start);
        let field = FieldValue {
            value: value.get_ref(),
            line,
        };
        match key.get_ref().as_ref() {
            "title" => meta.title = field.text("title", path, problems),
            "summary" => meta.summary = field.text("summary", path, problems),
            "tags" => meta.tags = field.strings("tags", path, problems),
            "tested_with" => {
                meta.tested_with = field
                    .strings("tested_with", path, problems)
                    .into_iter()
                    .map(|item| (item, line))
                    .collect();
            }
            "databases" => {
                meta.databases = field
                    .strings("databases", path, problems)
                    .into_iter()
                    .map(|id| (id, line))
                    .collect();
            }
            "reviewed" => meta.reviewed = field.date(path, problems),
            other => problems.push(Problem::new(
                path,
                line,
                format!(
                    "unknown front matter field `{other}` (expected title, summary, tags, databases, reviewed, tested_with)"
                ),
            )),
        }
    }
    for (name, missing) in [
        ("title", meta.title.is_none()),
        ("summary", meta.summary.is_none()),
    ] {
        if missing && !table.keys().any(|k| k.get_ref() == name) {
            problems.push(Problem::new(
                path,
                2,
                format!("front matter has no `{name}`"),
            ));
        }
    }
    meta
}

/// A front matter value with the line of its key, for error messages.
struct FieldValue<'a, 'i> {
    value: &'a DeValue<'i>,
    line: usize,
}

impl FieldValue<'_, '_> {
    fn text(&self, name: &str, path: &Path, problems: &mut Vec<Problem>) -> Option<String> {
        match self.value.as_str().map(str::trim) {
            Some(s) if !s.is_empty() => Some(s.to_owned()),
            Some(_) => {
                problems.push(Problem::new(path, self.line, format!("`{name}` is empty")));
                None
            }
            None => {
                problems.push(Problem::new(
                    path,
                    self.line,
                    format!("`{name}` must be a string"),
                ));
                None
            }
        }
    }

    fn strings(&self, name: &str, path: &Path, problems: &mut Vec<Problem>) -> Vec<String> {
        let items = self.value.as_array().map(|a| {
            a.iter()
                .map(|v| v.get_ref().as_str().map(|s| s.trim().to_owned()))
                .collect::<Option<Vec<_>>>()
        });
        match items {
            Some(Some(list)) if list.iter().all(|s| !s.is_empty()) => list,
            _ => {
                problems.push(Problem::new(
                    path,
                    self.line,
                    format!("`{name}` must be a list of non-empty strings"),
                ));
                Vec::new()
            }
        }
    }

    fn date(&self, path: &Path, problems: &mut Vec<Problem>) -> Option<Date> {
        let parsed = self
            .value
            .as_datetime()
            .filter(|dt| dt.time.is_none() && dt.offset.is_none())
            .and_then(|dt| dt.date)
            .and_then(|d| Date::new(d.year, d.month, d.day));
        if parsed.is_none() {
            problems.push(Problem::new(
                path,
                self.line,
                "`reviewed` must be a date written as YYYY-MM-DD without quotes, e.g. reviewed = 2026-11-25",
            ));
        }
        parsed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> (Option<Guide>, Vec<String>) {
        let (guide, _, problems) = parse_guide("g", Path::new("g.md"), text);
        (guide, problems.iter().map(ToString::to_string).collect())
    }

    const GOOD: &str = "+++
title = \"Sessions in Redis\"
summary = \"Where sessions live.\"
tags = [\"sessions\"]
databases = [\"redis\"]
reviewed = 2026-11-25
tested_with = [\"Redis 7.4\"]
+++

Intro.

## Choosing a TTL

Thirty minutes.
";

    #[test]
    fn a_complete_guide_parses_without_problems() {
        let (guide, problems) = parse(GOOD);
        assert_eq!(problems, Vec::<String>::new());
        let guide = guide.expect("guide");
        assert_eq!(guide.title, "Sessions in Redis");
        assert_eq!(guide.reviewed, Date::new(2026, 11, 25));
        assert_eq!(guide.databases, [("redis".to_owned(), 5)]);
        assert_eq!(guide.sections.len(), 2);
        assert_eq!(guide.sections[0].heading, "Sessions in Redis");
        assert_eq!(guide.sections[1].anchor.as_deref(), Some("choosing-a-ttl"));
        assert_eq!(guide.sections[1].line, 12);
    }

    #[test]
    fn every_front_matter_problem_is_reported_with_its_line() {
        let text = "+++\ntags = \"x\"\nreviewed = 2026-02-03T10:00:00\nauthor = \"me\"\n+++\n\n## A\n\ntext\n";
        let (guide, mut problems) = parse(text);
        assert!(guide.is_none());
        problems.sort();
        assert_eq!(
            problems,
            [
                "g.md:2: `tags` must be a list of non-empty strings",
                "g.md:2: front matter has no `summary`",
                "g.md:2: front matter has no `title`",
                "g.md:3: `reviewed` must be a date written as YYYY-MM-DD without quotes, e.g. reviewed = 2026-11-25",
                "g.md:4: unknown front matter field `author` (expected title, summary, tags, databases, reviewed, tested_with)",
            ]
        );
    }

    #[test]
    fn a_quoted_date_is_rejected() {
        let text = GOOD.replace("reviewed = 2026-11-25", "reviewed = \"2026-11-25\"");
        let (_, problems) = parse(&text);
        assert_eq!(problems.len(), 1);
        assert!(problems[0].starts_with("g.md:6: `reviewed` must be a date"));
    }

    #[test]
    fn invalid_toml_is_reported_at_its_line() {
        let (guide, problems) = parse("+++\ntitle = \"a\"\nsummary = oops\n+++\n## A\nx\n");
        assert!(guide.is_none());
        assert_eq!(problems.len(), 1);
        assert!(
            problems[0].starts_with("g.md:3: front matter is not valid TOML"),
            "{problems:?}"
        );
    }

    #[test]
    fn missing_front_matter_duplicate_anchors_and_empty_sections_are_reported() {
        assert_eq!(
            parse("## A\ntext\n").1,
            [
                "g.md:1: missing front matter: the file must start with a `+++` line and close it with another"
            ]
        );
        let text = GOOD.replace(
            "Thirty minutes.\n",
            "Thirty minutes.\n\n## Choosing a TTL!\n\nMore.\n\n## Empty\n",
        );
        let (_, problems) = parse(&text);
        assert_eq!(
            problems,
            [
                "g.md:16: duplicate anchor #choosing-a-ttl (first used on line 12)",
                "g.md:20: empty section \"Empty\"",
            ]
        );
    }
}
