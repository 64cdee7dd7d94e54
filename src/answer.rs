//! The answer service: a question in, the sections that answer it out.
//!
//! [`Engine::ask`] is the one entry point every front end calls (CLI, Discord, tests). It owns
//! the *answered* rule and the grouping of hits by guide; searching is delegated to
//! [`crate::search`] and excerpts to [`crate::excerpt`]. The result is plain data; rendering it
//! to text, JSON or an embed happens elsewhere.

use std::fmt;

use serde::Serialize;

use crate::excerpt::{MAX_EXCERPT_CHARS, excerpt};
use crate::knowledge::{BaseUrl, Guide, Knowledge, Section};
use crate::search::{Candidate, SearchError, SearchIndex};

/// The answered rule, part 1: the best-ranked section covers at least this share of the
/// question's weighted meaningful terms, by itself or through its guide (the ranking's
/// [`crate::search::Candidate::coverage`]).
///
/// Calibrated on `tests/eval/` with `cargo run --release --example calibrate` and checked on the
/// held-out set; see ARCHITECTURE.md, "When is a question answered?".
pub const COVERAGE: f32 = 0.4;

/// Longest question accepted, in characters.
pub const MAX_QUESTION_CHARS: usize = 6000;

/// A question as typed by a member: non-blank and at most [`MAX_QUESTION_CHARS`] characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question(String);

/// Why a question was refused, written for the member who typed it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QuestionError {
    /// Nothing but whitespace.
    #[error("the question is empty: type a few words about what you want to know")]
    Empty,
    /// Longer than [`MAX_QUESTION_CHARS`].
    #[error("the question is too long ({0} characters; the limit is {MAX_QUESTION_CHARS})")]
    TooLong(usize),
}

impl Question {
    /// Trims `text` and checks it is neither blank nor too long. Control characters become spaces.
    pub fn parse(text: &str) -> Result<Self, QuestionError> {
        let cleaned: String = text
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let trimmed = cleaned.trim();
        if trimmed.is_empty() {
            return Err(QuestionError::Empty);
        }
        let length = trimmed.chars().count();
        if length > MAX_QUESTION_CHARS {
            return Err(QuestionError::TooLong(length));
        }
        Ok(Self(trimmed.to_owned()))
    }

    /// The question text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Question {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// How many hits to return: 1 to [`HitLimit::MAX`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HitLimit(usize);

impl HitLimit {
    /// Most hits one answer may hold.
    pub const MAX: usize = 10;
    /// What Discord shows.
    pub const DEFAULT: Self = Self(3);

    /// `n` if it is between 1 and [`HitLimit::MAX`].
    pub fn new(n: usize) -> Option<Self> {
        (1..=Self::MAX).contains(&n).then_some(Self(n))
    }

    /// The number.
    pub fn get(self) -> usize {
        self.0
    }
}

/// The reply to a question, in the shape of SPEC's `stackbot ask --json`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Answer {
    /// The question as asked (trimmed).
    pub question: String,
    /// Whether some section passes the answered rule.
    pub answered: bool,
    /// Up to the limit, best first; empty when not answered.
    pub hits: Vec<Hit>,
    /// The best section found even when it does not answer: what the question log records as
    /// the closest guide. Not part of the JSON reply.
    #[serde(skip)]
    pub closest: Option<Closest>,
}

/// One section shown as an answer.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Hit {
    /// Guide slug.
    pub guide: String,
    /// Guide title.
    pub title: String,
    /// Section heading.
    pub section: String,
    /// Link to the section.
    pub url: String,
    /// Ranking score (BM25 with boosts, times coverage squared), rounded to 3 decimals.
    pub score: f64,
    /// At most [`MAX_EXCERPT_CHARS`] characters of Discord-safe markdown.
    pub excerpt: String,
    /// Share of the question's weighted terms the section covers.
    #[serde(skip)]
    pub coverage: f32,
}

/// The best candidate of a search, answered or not.
#[derive(Debug, Clone, PartialEq)]
pub struct Closest {
    /// Guide slug.
    pub guide: String,
    /// Ranking score.
    pub score: f64,
    /// Coverage of the question.
    pub coverage: f32,
}

/// An internal failure while answering (the member sees an apology, not this).
#[derive(Debug, thiserror::Error)]
pub enum AskError {
    /// The index failed.
    #[error(transparent)]
    Search(#[from] SearchError),
}

/// The knowledge, its index and where guides are published: everything `ask` needs.
pub struct Engine {
    knowledge: Knowledge,
    index: SearchIndex,
    base_url: BaseUrl,
}

impl Engine {
    /// Indexes `knowledge`; hits link under `base_url`.
    pub fn new(knowledge: Knowledge, base_url: BaseUrl) -> Result<Self, SearchError> {
        let index = SearchIndex::build(&knowledge)?;
        Ok(Self::with_index(knowledge, index, base_url))
    }

    /// An engine over `knowledge` and its already built `index`.
    pub fn with_index(knowledge: Knowledge, index: SearchIndex, base_url: BaseUrl) -> Self {
        Self {
            knowledge,
            index,
            base_url,
        }
    }

    /// The knowledge this engine answers from.
    pub fn knowledge(&self) -> &Knowledge {
        &self.knowledge
    }

    /// The search index.
    pub fn index(&self) -> &SearchIndex {
        &self.index
    }

    /// Answers `question` with at most `limit` hits.
    pub fn ask(&self, question: &Question, limit: HitLimit) -> Result<Answer, AskError> {
        let result = self.index.search(question.as_str())?;
        let closest = result.candidates.first().map(|c| Closest {
            guide: self.knowledge.guides[c.section.guide].slug.clone(),
            score: round(c.score),
            coverage: c.coverage,
        });
        let hits = select(&result.candidates, limit.get())
            .into_iter()
            .map(|c| {
                let guide = &self.knowledge.guides[c.section.guide];
                let section = &guide.sections[c.section.section];
                self.hit(guide, section, c, &result.terms)
            })
            .collect::<Vec<_>>();
        Ok(Answer {
            question: question.as_str().to_owned(),
            answered: !hits.is_empty(),
            hits,
            closest,
        })
    }

    fn hit(
        &self,
        guide: &Guide,
        section: &Section,
        candidate: &Candidate,
        terms: &std::collections::HashSet<String>,
    ) -> Hit {
        let highlights = self.index.highlights(&section.text, terms);
        Hit {
            guide: guide.slug.clone(),
            title: guide.title.clone(),
            section: section.heading.clone(),
            url: guide.url(&self.base_url, section),
            score: round(candidate.score),
            excerpt: excerpt(&section.text, &highlights, MAX_EXCERPT_CHARS),
            coverage: candidate.coverage,
        }
    }
}

/// Whether a search whose best-ranked candidate is `top` answers the question.
///
/// Part 2: the section holds at least one *specific* word of the question (a word found
/// in at most 15% of the sections or in one guide only, or a database name; see
/// [`crate::search::Candidate::specific`]). A section that covers a question only through words
/// found everywhere ("how to write a cover letter for a job application": `write`, `job`) does
/// not answer it.
pub fn answers(top: &Candidate) -> bool {
    top.specific && top.coverage >= COVERAGE
}

/// Chooses the hits to show from candidates sorted best first: none unless the best one
/// [`answers`].
///
/// Then every candidate holding a specific word of the question may be shown; one that holds
/// only common words is not, however it ranks. Hits are grouped by guide so one guide cannot
/// bury another: first the best section of each guide, in score order; then, if there is room
/// left, further sections of those guides, in score order.
pub fn select(candidates: &[Candidate], limit: usize) -> Vec<&Candidate> {
    if !candidates.first().is_some_and(answers) {
        return Vec::new();
    }
    let mut shown: Vec<&Candidate> = Vec::with_capacity(limit);
    let mut rest = Vec::new();
    for c in candidates.iter().filter(|c| c.specific) {
        if shown.iter().any(|s| s.section.guide == c.section.guide) {
            rest.push(c);
        } else if shown.len() < limit {
            shown.push(c);
        }
    }
    let room = limit.saturating_sub(shown.len());
    shown.extend(rest.into_iter().take(room));
    shown
}

fn round(score: f32) -> f64 {
    (f64::from(score) * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::SectionRef;

    fn candidate(guide: usize, section: usize, score: f32, coverage: f32) -> Candidate {
        Candidate {
            section: SectionRef { guide, section },
            score,
            coverage,
            bm25: score,
            section_coverage: coverage,
            guide_coverage: coverage,
            specific: true,
        }
    }

    #[test]
    fn a_section_that_holds_only_common_words_does_not_answer() {
        let mut common = candidate(0, 0, 10.0, 0.9);
        assert!(answers(&common));
        common.specific = false;
        assert!(!answers(&common));
        assert!(select(&[common], 3).is_empty());
    }

    #[test]
    fn blank_and_oversized_questions_are_refused() {
        assert_eq!(Question::parse(" \t\n"), Err(QuestionError::Empty));
        assert_eq!(Question::parse("\u{7}\u{0}"), Err(QuestionError::Empty));
        let long = "a".repeat(MAX_QUESTION_CHARS + 1);
        assert_eq!(
            Question::parse(&long),
            Err(QuestionError::TooLong(MAX_QUESTION_CHARS + 1))
        );
        assert_eq!(
            Question::parse(" redis\u{0}ttl ").map(|q| q.0),
            Ok("redis ttl".to_owned())
        );
    }

    #[test]
    fn one_guide_does_not_bury_the_second_relevant_one() {
        let candidates = [
            candidate(0, 1, 9.0, 0.9),
            candidate(0, 2, 8.0, 0.9),
            candidate(0, 3, 7.0, 0.8),
            candidate(1, 0, 6.0, 0.7),
        ];
        let shown: Vec<_> = select(&candidates, 3)
            .iter()
            .map(|c| (c.section.guide, c.section.section))
            .collect();
        assert_eq!(shown, [(0, 1), (1, 0), (0, 2)]);
    }

    #[test]
    fn a_question_whose_best_section_covers_too_little_is_not_answered() {
        let candidates = [candidate(0, 0, 9.0, 0.39), candidate(1, 0, 8.0, 0.9)];
        assert!(select(&candidates, 3).is_empty());
    }

    #[test]
    fn once_answered_a_section_with_only_common_words_is_not_shown() {
        let mut common = candidate(1, 0, 8.0, 0.9);
        common.specific = false;
        let candidates = [
            candidate(0, 0, 10.0, 0.5),
            common,
            candidate(2, 0, 3.0, 0.2),
        ];
        let shown: Vec<_> = select(&candidates, 3)
            .iter()
            .map(|c| c.section.guide)
            .collect();
        assert_eq!(shown, [0, 2]);
    }

    #[test]
    fn hit_limits_are_bounded() {
        assert!(HitLimit::new(0).is_none());
        assert!(HitLimit::new(11).is_none());
        assert_eq!(HitLimit::new(10).map(HitLimit::get), Some(10));
    }
}
