//! `stackbot check`: every problem of a knowledge folder, located to a line.
//!
//! Combines what the loader finds (front matter, sections, links, catalog) with the checks that
//! need the analyzer: synonyms whose every phrase is absent from the guides point nowhere.
//!
//! [`inspect`] is the one rule of the whole program: `check`, start-up (`serve`, `ask`,
//! `recommend`) and `/reload` all read a folder through it, so they see the same problems, and
//! none of them serves a folder that has any.

use std::path::Path;

use crate::knowledge::{self, Knowledge, LoadError, Problem};
use crate::search::{SearchError, SearchIndex};

/// The outcome of a check.
#[derive(Debug)]
pub struct Report {
    /// Every problem; empty when the folder is clean.
    pub problems: Vec<Problem>,
    /// Guides loaded.
    pub guides: usize,
    /// Sections indexed.
    pub sections: usize,
    /// Catalog entries.
    pub databases: usize,
    /// Synonym groups.
    pub synonym_groups: usize,
}

impl Report {
    /// The one-line summary printed when there is no problem.
    pub fn summary(&self) -> String {
        format!(
            "ok: {} guides, {} sections, {} databases, {} synonym groups",
            self.guides, self.sections, self.databases, self.synonym_groups
        )
    }
}

/// Why a check could not run at all.
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    /// The folder could not be read.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// The index could not be built.
    #[error(transparent)]
    Search(#[from] SearchError),
}

/// A checked folder: the report, and the knowledge with its index, ready to serve when the
/// report has no problem (a reload swaps them in without indexing twice).
pub struct Inspection {
    /// What the check found.
    pub report: Report,
    /// The knowledge as loaded (guides with problems left out).
    pub knowledge: Knowledge,
    /// Its index.
    pub index: SearchIndex,
}

/// Checks the knowledge folder `dir`.
pub fn check(dir: &Path) -> Result<Report, CheckError> {
    inspect(dir).map(|inspection| inspection.report)
}

/// Checks the knowledge folder `dir` and keeps what it loaded.
pub fn inspect(dir: &Path) -> Result<Inspection, CheckError> {
    let loaded = knowledge::load(dir)?;
    let unloaded = loaded.unloaded;
    let mut problems = loaded.problems;
    let knowledge = loaded.knowledge;
    let index = SearchIndex::build(&knowledge)?;
    let synonyms_path = dir.join("synonyms.toml");
    for group in &knowledge.synonyms.groups {
        let mut used = false;
        let mut phrases: Vec<&String> = Vec::new();
        for phrase in group.terms.iter().chain(&group.means) {
            if !phrases.contains(&phrase) {
                phrases.push(phrase);
            }
        }
        for phrase in phrases {
            let terms = index.terms(phrase);
            if terms.is_empty() {
                problems.push(Problem::new(
                    &synonyms_path,
                    group.line,
                    format!("{phrase:?} has only stop words, so it can never match"),
                ));
                continue;
            }
            let words = phrase
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .count();
            if let [term] = terms.as_slice()
                && words > 1
            {
                problems.push(Problem::new(
                    &synonyms_path,
                    group.line,
                    format!(
                        "{phrase:?} is only {term:?} once stop words are dropped, so it would \
                         match every question with that word"
                    ),
                ));
                continue;
            }
            let mut everywhere = true;
            for term in &terms {
                everywhere &= index.doc_freq(term)? > 0;
            }
            used |= everywhere && group.means.contains(phrase);
        }
        if !used {
            problems.push(Problem::new(
                &synonyms_path,
                group.line,
                format!(
                    "no guide uses any of {:?}: the synonyms point nowhere",
                    group.means
                ),
            ));
        }
    }
    // The causes (guides that could not be loaded) first, then by file and line.
    knowledge::order_problems(&mut problems, &unloaded);
    let report = Report {
        problems,
        guides: knowledge.guides.len(),
        sections: index.len(),
        databases: knowledge.catalog.databases.len(),
        synonym_groups: knowledge.synonyms.groups.len(),
    };
    Ok(Inspection {
        report,
        knowledge,
        index,
    })
}
