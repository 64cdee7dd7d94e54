//! The knowledge folder: guides, the database catalog (`catalog.toml`), the synonyms
//! (`synonyms.toml`) and the recommendation rules (`stacks.toml`).
//!
//! This module is the only one that reads the file system for knowledge, and it reads only
//! regular files of bounded size (`read.rs`). It turns `knowledge/` into plain typed data
//! ([`Knowledge`]) plus every [`Problem`] it found, and checks what can be checked without a
//! search index (links, catalog ids, duplicates). It knows nothing of tantivy, Discord or SQL.

mod anchor;
mod catalog;
mod examples;
mod guide;
mod markdown;
mod read;
mod stacks;
mod synonyms;
pub mod synthetic;

use std::fmt;
use std::path::{Path, PathBuf};

pub use anchor::{anchor, is_slug};
pub use catalog::{Catalog, Database};
pub use examples::{Example, ExampleLang, Need};
pub use markdown::{Block, BlockKind, NAVIGATION_LINK_SHARE, collapse_spaces};
pub use stacks::{Note, Pattern, Rules, Serve, SyncRule};
pub use synonyms::{SynonymGroup, Synonyms};

use markdown::Link;

/// Everything the bot knows, loaded and parsed.
#[derive(Debug, Clone, Default)]
pub struct Knowledge {
    /// Guides sorted by slug.
    pub guides: Vec<Guide>,
    /// The databases guides and rules may name.
    pub catalog: Catalog,
    /// Query-time aliases.
    pub synonyms: Synonyms,
    /// The recommendation rules.
    pub rules: Rules,
}

/// One guide: front matter plus its sections.
#[derive(Debug, Clone)]
pub struct Guide {
    /// File name without `.md`; the last segment of its URL.
    pub slug: String,
    /// Where it was read from, for messages.
    pub path: PathBuf,
    /// Title from the front matter.
    pub title: String,
    /// One or two sentences from the front matter.
    pub summary: String,
    /// Free-form tags, indexed with a boost.
    pub tags: Vec<String>,
    /// Catalog ids, with the line they were declared on (for `check`).
    pub databases: Vec<(String, usize)>,
    /// When a maintainer last checked it.
    pub reviewed: Option<Date>,
    /// Versions the commands were checked against (`"PostgreSQL 17"`), with the line they were
    /// declared on (for `check`).
    pub tested_with: Vec<(String, usize)>,
    /// Sections in document order; the intro (text before the first `##`) has no anchor.
    pub sections: Vec<Section>,
    /// Its runnable code blocks, in order (`stackbot check --run-examples` runs them).
    pub examples: Vec<Example>,
}

/// A unit of retrieval: one `##` section of a guide, or its intro.
#[derive(Debug, Clone)]
pub struct Section {
    /// The heading as plain text; the guide title for the intro.
    pub heading: String,
    /// The heading's anchor; `None` for the intro, which links to the guide itself.
    pub anchor: Option<String>,
    /// Plain text of the section (markdown reduced, blocks separated by newlines).
    pub text: String,
    /// The paragraphs, items, rows and code blocks of `text`, in order.
    pub blocks: Vec<Block>,
    /// Whether the section is a list of links ("Related guides"): it may inform ranking, but it
    /// is never shown as an answer (see [`NAVIGATION_LINK_SHARE`]).
    pub navigation: bool,
    /// 1-based line of the heading in the guide file.
    pub line: usize,
}

impl Section {
    /// A section of plain prose with no links: one block per line of `text`. For corpora made in
    /// code (benchmarks, tests) rather than read from Markdown.
    pub fn plain(heading: String, anchor: Option<String>, text: String, line: usize) -> Self {
        let mut blocks = Vec::new();
        let mut start = 0;
        for piece in text.split_inclusive('\n') {
            let end = start + piece.trim_end().len();
            if end > start {
                blocks.push(Block {
                    range: start..end,
                    kind: BlockKind::Prose,
                    links: Vec::new(),
                });
            }
            start += piece.len();
        }
        Self {
            heading,
            anchor,
            text,
            blocks,
            navigation: false,
            line,
        }
    }
}

impl Guide {
    /// The URL of `section` of this guide under `base`.
    pub fn url(&self, base: &BaseUrl, section: &Section) -> String {
        match &section.anchor {
            Some(anchor) => format!("{}{}#{anchor}", base.as_str(), self.slug),
            None => format!("{}{}", base.as_str(), self.slug),
        }
    }

    /// The catalog ids this guide is about.
    pub fn database_ids(&self) -> impl Iterator<Item = &str> {
        self.databases.iter().map(|(id, _)| id.as_str())
    }
}

/// The site's guides URL, always ending in `/`, so `base + slug` is a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrl(String);

impl BaseUrl {
    /// The default site: `https://polyglotstack.dev/guides/`.
    pub const DEFAULT: &'static str = "https://polyglotstack.dev/guides/";

    /// Accepts an `http://` or `https://` URL with no query or fragment, adding a trailing `/`.
    pub fn parse(s: &str) -> Result<Self, String> {
        let s = s.trim();
        let rest = s
            .strip_prefix("https://")
            .or_else(|| s.strip_prefix("http://"))
            .ok_or_else(|| format!("base URL {s:?} must start with https:// or http://"))?;
        if rest.is_empty() || rest.starts_with('/') || s.contains(['?', '#', ' ']) {
            return Err(format!(
                "base URL {s:?} must be a plain URL such as {}",
                Self::DEFAULT
            ));
        }
        let mut url = s.to_owned();
        if !url.ends_with('/') {
            url.push('/');
        }
        Ok(Self(url))
    }

    /// The URL as a string, ending in `/`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for BaseUrl {
    fn default() -> Self {
        Self(Self::DEFAULT.to_owned())
    }
}

/// A calendar date (`reviewed`), validated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    year: u16,
    month: u8,
    day: u8,
}

impl Date {
    /// The date, if it exists in the Gregorian calendar.
    pub fn new(year: u16, month: u8, day: u8) -> Option<Self> {
        let leap =
            year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400));
        let days = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        (1..=days)
            .contains(&day)
            .then_some(Self { year, month, day })
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// Something wrong in the knowledge folder, located to a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The file, as reached from the knowledge folder given.
    pub path: PathBuf,
    /// 1-based line; 0 when the problem is the whole folder (`guides/: no guides`).
    pub line: usize,
    /// What is wrong, for a maintainer.
    pub message: String,
}

impl Problem {
    /// A problem at `path:line`.
    pub fn new(path: &Path, line: usize, message: impl Into<String>) -> Self {
        Self {
            path: path.to_owned(),
            line,
            message: message.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.path.display(), self.message)
        } else {
            write!(f, "{}:{}: {}", self.path.display(), self.line, self.message)
        }
    }
}

/// The knowledge folder could not be read at all.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// `knowledge/guides` is missing or unreadable: there is nothing to answer from.
    #[error("cannot read the guides folder {path}")]
    GuidesFolder {
        /// The folder that was tried.
        path: PathBuf,
        /// Why it failed.
        #[source]
        source: std::io::Error,
    },
}

/// Knowledge plus every problem found while loading it.
#[derive(Debug, Default)]
pub struct Loaded {
    /// What could be loaded; guides without a title or summary are left out.
    pub knowledge: Knowledge,
    /// Every problem: first those of [`Loaded::unloaded`], then by file and line (see
    /// [`order_problems`]).
    pub problems: Vec<Problem>,
    /// Guide files left out for problems of their own (unreadable, no front matter, no title or
    /// summary, a bad or duplicate name), and the guides folder when it holds no guide: the
    /// causes of other problems (a link to a guide left out), so they are listed first.
    pub unloaded: Vec<PathBuf>,
}

/// Orders `problems` for a reader: the problems of the files in `causes` first (a guide that
/// could not be loaded explains every "no guide" elsewhere), then by file and line, keeping the
/// order of problems on one line.
pub fn order_problems(problems: &mut [Problem], causes: &[PathBuf]) {
    problems.sort_by(|a, b| {
        let effect = |p: &Problem| !causes.contains(&p.path);
        effect(a)
            .cmp(&effect(b))
            .then_with(|| a.path.cmp(&b.path))
            .then(a.line.cmp(&b.line))
    });
}

/// The end of a message about a reference to a guide that exists but was left out.
const LEFT_OUT: &str = "was left out for its own problems (listed first)";

/// Whether `slug` names a guide file in `unloaded`.
fn left_out(unloaded: &[PathBuf], slug: &str) -> bool {
    unloaded
        .iter()
        .any(|path| path.extension().is_some() && path.file_stem().is_some_and(|stem| stem == slug))
}

/// Loads `dir` (a knowledge folder): `guides/*.md`, `catalog.toml`, `synonyms.toml`,
/// `stacks.toml`.
///
/// Fails only when `dir/guides` cannot be listed; every other problem is collected in
/// [`Loaded::problems`] (an empty guides folder is one) and the rest of the knowledge is still
/// loaded. Files are read with [`read::read_text`]: regular files of at most 1 MiB.
pub fn load(dir: &Path) -> Result<Loaded, LoadError> {
    let guides_dir = dir.join("guides");
    let entries = std::fs::read_dir(&guides_dir).map_err(|source| LoadError::GuidesFolder {
        path: guides_dir.clone(),
        source,
    })?;
    let mut paths: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("md")))
        .collect();
    paths.sort();

    let mut loaded = Loaded::default();
    if paths.is_empty() {
        // `join("")` writes the folder as `…/guides/`.
        let folder = guides_dir.join("");
        loaded.problems.push(Problem::new(
            &folder,
            0,
            "no guides: the folder holds no `*.md` file",
        ));
        loaded.unloaded.push(folder);
    }
    let mut links: Vec<(usize, Vec<Link>)> = Vec::new();
    for path in paths {
        let slug = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        if !is_slug(&slug) {
            loaded.problems.push(Problem::new(
                &path,
                1,
                format!("file name {slug:?} is not a slug (lower-case letters, digits and `-`)"),
            ));
            loaded.unloaded.push(path);
            continue;
        }
        let text = match read::read_text(&path) {
            Ok(text) => text,
            Err(problem) => {
                loaded.problems.push(problem);
                loaded.unloaded.push(path);
                continue;
            }
        };
        if let Some(first) = loaded.knowledge.guides.iter().find(|g| g.slug == slug) {
            let message = format!("duplicate slug `{slug}` (also {})", first.path.display());
            loaded.problems.push(Problem::new(&path, 1, message));
            loaded.unloaded.push(path);
            continue;
        }
        let (guide, guide_links, problems) = guide::parse_guide(&slug, &path, &text);
        loaded.problems.extend(problems);
        if let Some(guide) = guide {
            links.push((loaded.knowledge.guides.len(), guide_links));
            loaded.knowledge.guides.push(guide);
        } else {
            loaded.unloaded.push(path);
        }
    }

    let catalog_path = dir.join("catalog.toml");
    if let Some(text) = read_optional(&catalog_path, &mut loaded.problems) {
        loaded.knowledge.catalog =
            catalog::parse_catalog(&catalog_path, &text, &mut loaded.problems);
    }
    let synonyms_path = dir.join("synonyms.toml");
    if let Some(text) = read_optional(&synonyms_path, &mut loaded.problems) {
        loaded.knowledge.synonyms =
            synonyms::parse_synonyms(&synonyms_path, &text, &mut loaded.problems);
    }

    let stacks_path = dir.join("stacks.toml");
    if let Some(text) = read_optional(&stacks_path, &mut loaded.problems) {
        loaded.knowledge.rules = stacks::parse_stacks(&stacks_path, &text, &mut loaded.problems);
    }

    check_references(
        &loaded.knowledge,
        &links,
        &catalog_path,
        &loaded.unloaded,
        &mut loaded.problems,
    );
    if !loaded.knowledge.catalog.databases.is_empty() {
        stacks::check_references(
            &loaded.knowledge,
            &stacks_path,
            &loaded.unloaded,
            &mut loaded.problems,
        );
    }
    order_problems(&mut loaded.problems, &loaded.unloaded);
    Ok(loaded)
}

/// Reads a file that must exist; a missing, unreadable or refused one becomes a problem.
fn read_optional(path: &Path, problems: &mut Vec<Problem>) -> Option<String> {
    read::read_text(path).map_err(|p| problems.push(p)).ok()
}

/// Cross-file checks: catalog ids in front matter, internal links, guides named by the catalog.
/// A reference to a guide in `unloaded` says so rather than that the guide does not exist.
fn check_references(
    knowledge: &Knowledge,
    links: &[(usize, Vec<Link>)],
    catalog_path: &Path,
    unloaded: &[PathBuf],
    problems: &mut Vec<Problem>,
) {
    let has_catalog = !knowledge.catalog.databases.is_empty();
    for guide in &knowledge.guides {
        for (id, line) in &guide.databases {
            if has_catalog && knowledge.catalog.get(id).is_none() {
                problems.push(Problem::new(
                    &guide.path,
                    *line,
                    format!("database `{id}` is not in catalog.toml"),
                ));
            }
        }
        for example in &guide.examples {
            for need in &example.needs {
                if let Need::Extension(id) = need
                    && has_catalog
                    && knowledge
                        .catalog
                        .get(id)
                        .is_none_or(|d| d.extension.is_none())
                {
                    problems.push(Problem::new(
                        &guide.path,
                        example.line,
                        format!(
                            "`needs={id}`: not a PostgreSQL extension in catalog.toml (one with `extension`)"
                        ),
                    ));
                }
            }
        }
        for (item, line) in &guide.tested_with {
            let Some((database, version)) = knowledge.catalog.product_version(item) else {
                continue;
            };
            if !database.versions.is_empty() && !database.is_current(version) {
                problems.push(Problem::new(
                    &guide.path,
                    *line,
                    format!(
                        "tested_with `{item}`: the current {} releases in catalog.toml are {}",
                        database.name,
                        database.versions.join(", ")
                    ),
                ));
            }
        }
    }
    for (index, guide_links) in links {
        let guide = &knowledge.guides[*index];
        for link in guide_links {
            if let Err(message) = resolve_link(knowledge, guide, &link.dest, unloaded) {
                problems.push(Problem::new(&guide.path, link.line, message));
            }
        }
    }
    for database in &knowledge.catalog.databases {
        for (slug, line) in &database.guides {
            if !knowledge.guides.iter().any(|g| &g.slug == slug) {
                let why = if left_out(unloaded, slug) {
                    LEFT_OUT
                } else {
                    "does not exist"
                };
                problems.push(Problem::new(
                    catalog_path,
                    *line,
                    format!("`{}` lists guide `{slug}`, which {why}", database.id),
                ));
            }
        }
    }
}

/// Checks an internal link (`slug`, `slug#anchor` or `#anchor`); external URLs pass untouched.
fn resolve_link(
    knowledge: &Knowledge,
    from: &Guide,
    dest: &str,
    unloaded: &[PathBuf],
) -> Result<(), String> {
    if dest.contains(':') {
        return Ok(()); // https:, mailto: and other schemes are external.
    }
    let (slug, anchor) = match dest.split_once('#') {
        Some((slug, anchor)) => (slug, Some(anchor)),
        None => (dest, None),
    };
    let target = if slug.is_empty() {
        from
    } else if !is_slug(slug) {
        return Err(format!(
            "link `{dest}`: internal links are written `slug`, `slug#anchor` or `#anchor`"
        ));
    } else {
        knowledge
            .guides
            .iter()
            .find(|g| g.slug == slug)
            .ok_or_else(|| {
                if left_out(unloaded, slug) {
                    format!("link `{dest}`: guide `{slug}` {LEFT_OUT}")
                } else {
                    format!("link `{dest}`: no guide `{slug}`")
                }
            })?
    };
    match anchor {
        Some(anchor)
            if !target
                .sections
                .iter()
                .any(|s| s.anchor.as_deref() == Some(anchor)) =>
        {
            Err(format!(
                "link `{dest}`: guide `{}` has no section #{anchor}",
                target.slug
            ))
        }
        _ => Ok(()),
    }
}

/// Parses a TOML file into `T`; a syntax or shape error becomes one problem at its line.
fn parse_toml<T: serde::de::DeserializeOwned>(
    path: &Path,
    text: &str,
    what: &str,
    problems: &mut Vec<Problem>,
) -> Option<T> {
    toml::from_str(text)
        .map_err(|e| {
            let line = e.span().map_or(1, |s| line_of(text, s.start));
            problems.push(Problem::new(
                path,
                line,
                format!("invalid {what}: {}", e.message()),
            ));
        })
        .ok()
}

/// A value from a TOML file with the line it was written on, for `check`'s messages.
fn with_line<T>(text: &str, value: toml::Spanned<T>) -> (T, usize) {
    let line = line_of(text, value.span().start);
    (value.into_inner(), line)
}

/// 1-based line of byte `offset` in `text`.
pub(crate) fn line_of(text: &str, offset: usize) -> usize {
    1 + text[..offset.min(text.len())].matches('\n').count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_must_exist() {
        assert!(Date::new(2024, 2, 29).is_some());
        assert!(Date::new(2026, 2, 29).is_none());
        assert!(Date::new(2026, 13, 1).is_none());
        assert!(Date::new(2026, 4, 31).is_none());
        assert_eq!(
            Date::new(2026, 1, 5).map(|d| d.to_string()).as_deref(),
            Some("2026-01-05")
        );
    }

    #[test]
    fn base_urls_gain_a_trailing_slash_and_reject_junk() {
        assert_eq!(
            BaseUrl::parse("https://x.dev/guides").map(|b| b.0),
            Ok("https://x.dev/guides/".to_owned())
        );
        assert!(BaseUrl::parse("ftp://x.dev/").is_err());
        assert!(BaseUrl::parse("https://").is_err());
        assert!(BaseUrl::parse("https://x.dev/?q=1").is_err());
    }
}
