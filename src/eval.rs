//! The labelled evaluation sets in `tests/eval/`: questions with the sections and guides that
//! answer them, off-topic questions that no guide answers, and the figures an engine reaches on
//! them.
//!
//! Read by the retrieval test, the benchmarks and the calibration tool, so they all measure the
//! same questions the same way ([`evaluate`]).

use std::collections::HashSet;
use std::path::Path;

use serde::Deserialize;

use crate::answer::{self, Engine, HitLimit, Question};
use crate::knowledge::Knowledge;

/// A question with the slugs of the guides that answer it, best first.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Labelled {
    /// The question, as a member would type it.
    pub q: String,
    /// Acceptable guide slugs; empty for an off-topic question.
    #[serde(default)]
    pub expect: Vec<String>,
    /// The sections that answer, best first: `slug#anchor`, or `slug` for a guide's intro.
    #[serde(default)]
    pub sections: Vec<String>,
    /// How it is phrased: keyword, sentence, misspelt, abbreviation, no-database, beginner.
    #[serde(default)]
    pub style: String,
}

/// Both files of the evaluation set.
#[derive(Debug, Clone, Default)]
pub struct EvalSet {
    /// `questions.toml`: questions that some guide answers.
    pub labelled: Vec<Labelled>,
    /// `off_topic.toml`: questions about other subjects.
    pub off_topic: Vec<Labelled>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    question: Vec<Labelled>,
    #[serde(default)]
    off_topic: Vec<Labelled>,
}

/// Why the evaluation set could not be read.
#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    /// A file is missing or unreadable.
    #[error("cannot read {path}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A file is not valid TOML of the expected shape.
    #[error("invalid {path}")]
    Parse {
        /// The file.
        path: String,
        /// Why.
        #[source]
        source: toml::de::Error,
    },
}

impl EvalSet {
    /// Reads `questions.toml` and `off_topic.toml` from `dir` (normally `tests/eval`).
    pub fn load(dir: &Path) -> Result<Self, EvalError> {
        let read = |name: &str| -> Result<File, EvalError> {
            let path = dir.join(name);
            let shown = path.display().to_string();
            let text = std::fs::read_to_string(&path).map_err(|source| EvalError::Read {
                path: shown.clone(),
                source,
            })?;
            toml::from_str(&text).map_err(|source| EvalError::Parse {
                path: shown,
                source,
            })
        };
        Ok(Self {
            labelled: read("questions.toml")?.question,
            off_topic: read("off_topic.toml")?.off_topic,
        })
    }
}

/// What an engine reaches on one evaluation set.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Labelled questions.
    pub questions: usize,
    /// Off-topic questions.
    pub off_topic: usize,
    /// Share of labelled questions answered at all.
    pub answered: f64,
    /// Share whose first hit is a labelled section.
    pub section_top1: f64,
    /// Share with a labelled section among the first three hits.
    pub section_top3: f64,
    /// Share with an expected guide first (answered rule included).
    pub guide_top1: f64,
    /// Share with an expected guide among the first three hits (answered rule included).
    pub guide_top3: f64,
    /// Mean reciprocal rank of the first expected guide among the hits.
    pub guide_mrr: f64,
    /// The same as `guide_top3` for the ranking alone, the answered rule left out.
    pub ranking_guide_top3: f64,
    /// The same as `section_top1` for the ranking alone.
    pub ranking_section_top1: f64,
    /// The same as `section_top3` for the ranking alone.
    pub ranking_section_top3: f64,
    /// Off-topic questions that got an answer, with the guide shown first.
    pub off_topic_answered: Vec<(String, String)>,
    /// Hits that were navigation sections (lists of links), over every question.
    pub navigation_shown: usize,
    /// Labelled questions whose first hit is not a labelled section: question, labels, hits.
    pub misses: Vec<Miss>,
}

/// A labelled question the engine did not answer with a labelled section first.
#[derive(Debug, Clone)]
pub struct Miss {
    /// The question.
    pub q: String,
    /// Its labelled sections.
    pub expected: Vec<String>,
    /// The section ids shown, best first (empty when not answered).
    pub shown: Vec<String>,
}

impl std::fmt::Display for Report {
    /// One line of figures.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} on-topic, {} off-topic: answered {:.3}, section top-1 {:.3}, top-3 {:.3}, guide \
             top-1 {:.3}, top-3 {:.3}, MRR {:.3}; ranking alone: section top-1 {:.3}, top-3 \
             {:.3}, guide top-3 {:.3}; off-topic answered {} ({:.3}); navigation shown {}",
            self.questions,
            self.off_topic,
            self.answered,
            self.section_top1,
            self.section_top3,
            self.guide_top1,
            self.guide_top3,
            self.guide_mrr,
            self.ranking_section_top1,
            self.ranking_section_top3,
            self.ranking_guide_top3,
            self.off_topic_answered.len(),
            self.off_topic_share(),
            self.navigation_shown,
        )
    }
}

impl Report {
    /// Share of off-topic questions answered.
    pub fn off_topic_share(&self) -> f64 {
        ratio(self.off_topic_answered.len(), self.off_topic)
    }
}

#[allow(clippy::cast_precision_loss)]
fn ratio(n: usize, of: usize) -> f64 {
    if of == 0 { 0.0 } else { n as f64 / of as f64 }
}

/// The ids of every navigation section (a list of links), to count how often one is shown.
pub fn navigation_ids(knowledge: &Knowledge) -> HashSet<String> {
    knowledge
        .guides
        .iter()
        .flat_map(|g| {
            g.sections
                .iter()
                .filter(|s| s.navigation)
                .map(move |s| answer::section_id(g, s))
        })
        .collect()
}

/// Runs every question of `set` through `engine` (three hits, as Discord shows).
pub fn evaluate(engine: &Engine, set: &EvalSet) -> Report {
    let limit = HitLimit::DEFAULT;
    let navigation_ids = navigation_ids(engine.knowledge());
    let navigation = |id: &str| navigation_ids.contains(id);
    let mut report = Report {
        questions: set.labelled.len(),
        off_topic: set.off_topic.len(),
        ..Report::default()
    };
    let (mut answered, mut s1, mut s3, mut g1, mut g3, mut rr) = (0, 0, 0, 0, 0, 0.0);
    let (mut r3, mut rs1, mut rs3) = (0, 0, 0);
    for case in &set.labelled {
        let Ok(question) = Question::parse(&case.q) else {
            continue;
        };
        let Ok(answer) = engine.ask(&question, limit) else {
            continue;
        };
        let ids: Vec<String> = answer.hits.iter().map(|h| h.id.clone()).collect();
        let guides: Vec<&str> = answer.hits.iter().map(|h| h.guide.as_str()).collect();
        report.navigation_shown += ids.iter().filter(|id| navigation(id)).count();
        answered += usize::from(answer.answered);
        let labelled = |id: &String| case.sections.contains(id);
        s1 += usize::from(ids.first().is_some_and(labelled));
        s3 += usize::from(ids.iter().any(labelled));
        let first_guide = guides
            .iter()
            .position(|g| case.expect.iter().any(|e| e == g));
        g1 += usize::from(first_guide == Some(0));
        g3 += usize::from(first_guide.is_some());
        #[allow(clippy::cast_precision_loss)]
        if let Some(i) = first_guide {
            rr += 1.0 / (i + 1) as f64;
        }
        if let Ok(ranking) = engine.rank(&case.q, &engine.fusion()) {
            let top = answer::group(&ranking.ranked, limit.get());
            r3 += usize::from(top.iter().any(|r| {
                let slug = &engine.knowledge().guides[r.section.guide].slug;
                case.expect.contains(slug)
            }));
            let id = |r: &&answer::Ranked| {
                let g = &engine.knowledge().guides[r.section.guide];
                answer::section_id(g, &g.sections[r.section.section])
            };
            rs1 += usize::from(top.first().map(id).is_some_and(|i| labelled(&i)));
            rs3 += usize::from(top.iter().map(id).any(|i| labelled(&i)));
        }
        if !ids.first().is_some_and(labelled) {
            report.misses.push(Miss {
                q: case.q.clone(),
                expected: case.sections.clone(),
                shown: ids,
            });
        }
    }
    for case in &set.off_topic {
        let Ok(question) = Question::parse(&case.q) else {
            continue;
        };
        if let Ok(answer) = engine.ask(&question, limit)
            && let Some(first) = answer.hits.first()
        {
            report.navigation_shown += answer.hits.iter().filter(|h| navigation(&h.id)).count();
            report
                .off_topic_answered
                .push((case.q.clone(), first.id.clone()));
        }
    }
    let n = set.labelled.len();
    report.answered = ratio(answered, n);
    report.section_top1 = ratio(s1, n);
    report.section_top3 = ratio(s3, n);
    report.guide_top1 = ratio(g1, n);
    report.guide_top3 = ratio(g3, n);
    #[allow(clippy::cast_precision_loss)]
    let mrr = if n == 0 { 0.0 } else { rr / n as f64 };
    report.guide_mrr = mrr;
    report.ranking_guide_top3 = ratio(r3, n);
    report.ranking_section_top1 = ratio(rs1, n);
    report.ranking_section_top3 = ratio(rs3, n);
    report
}
