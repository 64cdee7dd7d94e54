//! The answer service: a question in, the sections that answer it out.
//!
//! [`Engine::ask`] is the one entry point every front end calls (CLI, Discord, tests). It owns
//! the *answered* rule and the grouping of hits by guide; searching is delegated to
//! [`crate::search`] and excerpts to [`crate::excerpt`]. The result is plain data; rendering it
//! to text, JSON or an embed happens elsewhere.

use std::fmt;

use serde::Serialize;

use crate::clean;
use crate::embed::{EmbedError, Embedder};
use crate::excerpt::{self, MAX_EXCERPT_CHARS};
use crate::knowledge::{BaseUrl, Guide, Knowledge, Section};
use crate::search::{Candidate, SearchError, SearchIndex, SectionRef};
use crate::semantic::{SectionVectors, Similarity};

/// The answered rule, lexical side: the best-ranked section covers at least this share of the
/// question's weighted meaningful terms, by itself or through its guide (the ranking's
/// [`crate::search::Candidate::coverage`]). The whole rule in the lexical-only mode.
pub const COVERAGE: f32 = 0.4;

/// The answered rule in the hybrid mode: the best-ranked section's coverage plus its semantic
/// similarity to the question (the best of the question's sentences against the best of the
/// section's passages) reaches this sum.
///
/// Neither figure alone separates questions from developer chatter as well as their sum: on the
/// Discord-style development set the sum's ROC AUC is 0.89, against 0.87 for coverage and 0.85
/// for similarity alone. Chosen with `cargo run --release --example calibrate -- --features
/// FILE` as the lowest sum that answers at most 3% of that set's off-topic messages (2 of 74;
/// see ARCHITECTURE.md, "When is a question answered?").
pub const EVIDENCE: f32 = 1.12;

/// How the rankings are fused: reciprocal rank fusion (Cormack, Clarke and Büttcher, SIGIR
/// 2009), `Σ weight / (k + rank)` over the lexical ranking, the semantic ranking and the ranking
/// of headings by similarity.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fusion {
    /// RRF's `k`: how flat the reward for rank is. 60 is the paper's value.
    pub k: f32,
    /// Weight of the BM25 ranking (with coverage).
    pub lexical: f32,
    /// Weight of the ranking by semantic similarity of the section or its best passage.
    pub semantic: f32,
    /// Weight of the ranking by semantic similarity of the heading: the section whose heading
    /// says what the question asks ("How many partitions should a topic have?") comes first.
    pub heading: f32,
}

impl Fusion {
    /// The fusion in service, in both modes, chosen on the development sets: BM25's ranking
    /// alone. Every weight given to the static vectors' rankings lowered the share of questions
    /// whose first section is a labelled one (see ARCHITECTURE.md, step 9); the vectors serve
    /// the answered rule.
    pub const DEFAULT: Self = Self {
        k: 60.0,
        lexical: 1.0,
        semantic: 0.0,
        heading: 0.0,
    };
}

/// How sections are retrieved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Retrieval {
    /// BM25 and the static sentence vectors, fused (the default).
    #[default]
    Hybrid,
    /// BM25 alone: no vectors, for comparison and the smallest hosts.
    Lexical,
}

/// How many sections the semantic rankings bring into the candidates beside BM25's best.
const SEMANTIC_CANDIDATES: usize = 20;

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
    /// Trims `text` and checks it is neither blank nor too long. Control characters become
    /// spaces, and invisible reordering characters are dropped ([`crate::clean::visible`]).
    pub fn parse(text: &str) -> Result<Self, QuestionError> {
        let cleaned = crate::clean::visible(text);
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
    /// The lexical ranking score (BM25 with boosts, times coverage squared), rounded to 3
    /// decimals: comparable between the hits of one answer. Hits are ordered by the fused
    /// ranking, which with the default fusion is this score's order; the fused score itself
    /// (`1 / (60 + rank)`) would say nothing a reader could use.
    pub score: f64,
    /// At most [`MAX_EXCERPT_CHARS`] characters of Discord-safe markdown.
    pub excerpt: String,
    /// The ranking's coverage of the question: the larger of the section's and 0.7 × its
    /// guide's share of the question's weight (see [`crate::search::Candidate::coverage`]),
    /// as ranking and the answered rule use it; the log keeps the first hit's.
    #[serde(skip)]
    pub coverage: f32,
    /// The section's id, `slug#anchor` (`slug` alone for a guide's intro), as evaluation labels
    /// name sections.
    #[serde(skip)]
    pub id: String,
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

/// Why an engine could not be built.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// The index failed.
    #[error(transparent)]
    Search(#[from] SearchError),
    /// The compiled-in embedding model could not be read.
    #[error(transparent)]
    Embed(#[from] EmbedError),
}

/// One section as the fused ranking sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Ranked {
    /// The section.
    pub section: SectionRef,
    /// The fused score (reciprocal rank fusion).
    pub fused: f32,
    /// What BM25 and coverage say of it (a BM25 of 0 when BM25 did not rank it).
    pub lexical: Candidate,
    /// 1-based rank in the lexical ranking, if it has one.
    pub lexical_rank: Option<usize>,
    /// Its similarity to the question; all zeros in the lexical-only mode.
    pub similarity: Similarity,
    /// 1-based rank by semantic similarity (section or passage), if among the first considered.
    pub semantic_rank: Option<usize>,
    /// The best similarity of the whole question, or of one of its sentences, to this section.
    /// The sentences are compared with the best-ranked section only, the one the answered rule
    /// reads; for the others this is the whole question's similarity.
    pub sentence_similarity: f32,
}

/// The fused ranking of one question.
#[derive(Debug, Default)]
pub struct Ranking {
    /// Sections best first; navigation sections are never in it.
    pub ranked: Vec<Ranked>,
    /// Every indexed term the lexical query looked for.
    pub terms: std::collections::HashSet<String>,
    /// The question's vector, when semantic retrieval is on.
    pub vector: Option<Vec<f32>>,
}

/// The knowledge, its index and where guides are published: everything `ask` needs.
pub struct Engine {
    knowledge: Knowledge,
    index: SearchIndex,
    base_url: BaseUrl,
    /// Section vectors; `None` in the lexical-only mode.
    vectors: Option<SectionVectors>,
    /// Flat section index → section, in the order of guides and sections.
    flat: Vec<SectionRef>,
    /// How the rankings are fused.
    fusion: Fusion,
}

impl Engine {
    /// Indexes `knowledge` for hybrid retrieval; hits link under `base_url`.
    pub fn new(knowledge: Knowledge, base_url: BaseUrl) -> Result<Self, EngineError> {
        Self::build(knowledge, base_url, Retrieval::Hybrid)
    }

    /// Indexes `knowledge` for `retrieval`.
    pub fn build(
        knowledge: Knowledge,
        base_url: BaseUrl,
        retrieval: Retrieval,
    ) -> Result<Self, EngineError> {
        // The vectors do not need the index: embed on the other core while tantivy indexes.
        let (index, vectors) = std::thread::scope(|scope| {
            let vectors = scope.spawn(|| vectors_for(&knowledge, retrieval));
            let index = SearchIndex::build(&knowledge);
            (index, vectors.join())
        });
        let vectors = vectors.map_err(|_| SearchError::Panicked)??;
        Ok(Self::from_parts(knowledge, index?, vectors, base_url))
    }

    /// An engine over `knowledge` and its already built `index`; embeds the sections for
    /// hybrid retrieval.
    pub fn with_index(
        knowledge: Knowledge,
        index: SearchIndex,
        base_url: BaseUrl,
        retrieval: Retrieval,
    ) -> Result<Self, EngineError> {
        let vectors = vectors_for(&knowledge, retrieval)?;
        Ok(Self::from_parts(knowledge, index, vectors, base_url))
    }

    fn from_parts(
        knowledge: Knowledge,
        index: SearchIndex,
        vectors: Option<SectionVectors>,
        base_url: BaseUrl,
    ) -> Self {
        let flat = knowledge
            .guides
            .iter()
            .enumerate()
            .flat_map(|(guide, g)| {
                (0..g.sections.len()).map(move |section| SectionRef { guide, section })
            })
            .collect();
        Self {
            knowledge,
            index,
            base_url,
            vectors,
            flat,
            fusion: Fusion::DEFAULT,
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

    /// How this engine retrieves.
    pub fn retrieval(&self) -> Retrieval {
        if self.vectors.is_some() {
            Retrieval::Hybrid
        } else {
            Retrieval::Lexical
        }
    }

    fn section(&self, r: SectionRef) -> &Section {
        &self.knowledge.guides[r.guide].sections[r.section]
    }

    /// Answers `question` with at most `limit` hits.
    pub fn ask(&self, question: &Question, limit: HitLimit) -> Result<Answer, AskError> {
        let ranking = self.rank(question.as_str(), &self.fusion())?;
        let closest = ranking.ranked.first().map(|r| Closest {
            guide: self.knowledge.guides[r.section.guide].slug.clone(),
            score: round(r.lexical.score),
            coverage: r.lexical.coverage,
        });
        let hits = select(&ranking.ranked, limit.get(), self.vectors.is_some())
            .into_iter()
            .map(|r| {
                let guide = &self.knowledge.guides[r.section.guide];
                let section = &guide.sections[r.section.section];
                self.hit(guide, section, r, &ranking)
            })
            .collect::<Vec<_>>();
        Ok(Answer {
            question: question.as_str().to_owned(),
            answered: !hits.is_empty(),
            hits,
            closest,
        })
    }

    /// The fusion this engine ranks with.
    pub fn fusion(&self) -> Fusion {
        self.fusion
    }

    /// Ranks with `fusion` from now on (for the calibration tool, which compares fusions).
    pub fn set_fusion(&mut self, fusion: Fusion) {
        self.fusion = fusion;
    }

    /// The fused ranking of `question` (raw text: Discord markup and filler are removed here).
    /// Public for the evaluation and calibration tools, which try other fusions.
    pub fn rank(&self, question: &str, fusion: &Fusion) -> Result<Ranking, AskError> {
        let text = clean::for_retrieval(question);
        let navigation = |r: SectionRef| self.section(r).navigation;

        // Semantic side: the question's vector, its sentences' on their own (a preamble or a
        // pasted log line then cannot drown the sentence that asks), and every section's
        // similarity when the semantic rankings count; otherwise only the candidates' is read.
        let semantic_rankings = fusion.semantic > 0.0 || fusion.heading > 0.0;
        let (similarities, sentences, vector) = self.embed_question(&text, semantic_rankings);
        let by = |key: fn(&Similarity) -> f32| -> Vec<usize> {
            let mut order: Vec<usize> = (0..similarities.len())
                .filter(|&i| !navigation(self.flat[i]))
                .collect();
            order.sort_by(|&a, &b| key(&similarities[b]).total_cmp(&key(&similarities[a])));
            order
        };
        let semantic_order = by(Similarity::best);
        let heading_order = by(|s| s.heading);
        // Sections only the semantic rankings found matter only when those rankings count.
        let also: Vec<usize> = if semantic_rankings {
            semantic_order
                .iter()
                .take(SEMANTIC_CANDIDATES)
                .chain(heading_order.iter().take(SEMANTIC_CANDIDATES / 2))
                .copied()
                .collect()
        } else {
            Vec::new()
        };

        let result = self.index.search(&text, &also)?;
        let flat_of = |r: SectionRef| {
            self.flat
                .binary_search_by(|f| (f.guide, f.section).cmp(&(r.guide, r.section)))
                .ok()
        };
        let rank_in = |order: &[usize], flat: usize| -> Option<usize> {
            order
                .iter()
                .take(SEMANTIC_CANDIDATES)
                .position(|&i| i == flat)
                .map(|p| p + 1)
        };
        let mut lexical_rank = 0;
        let mut ranked: Vec<Ranked> = result
            .candidates
            .iter()
            .filter(|c| !navigation(c.section))
            .filter_map(|c| {
                let flat = flat_of(c.section)?;
                let lexical = (c.bm25 > 0.0).then(|| {
                    lexical_rank += 1;
                    lexical_rank
                });
                let similarity = match (similarities.get(flat), &self.vectors, &vector) {
                    (Some(s), _, _) => *s,
                    (None, Some(vectors), Some(v)) => vectors.similarity(v, flat),
                    _ => Similarity::default(),
                };
                let semantic_rank = rank_in(&semantic_order, flat);
                let heading_rank = rank_in(&heading_order, flat);
                let rrf = |weight: f32, rank: Option<usize>| {
                    #[allow(clippy::cast_precision_loss)]
                    rank.map_or(0.0, |r| weight / (fusion.k + r as f32))
                };
                let fused = rrf(fusion.lexical, lexical)
                    + rrf(fusion.semantic, semantic_rank)
                    + rrf(fusion.heading, heading_rank);
                Some(Ranked {
                    section: c.section,
                    fused,
                    lexical: *c,
                    lexical_rank: lexical,
                    similarity,
                    semantic_rank,
                    sentence_similarity: similarity.best(),
                })
            })
            .filter(|r| r.fused > 0.0)
            .collect();
        ranked.sort_by(|a, b| {
            b.fused
                .total_cmp(&a.fused)
                .then(b.lexical.score.total_cmp(&a.lexical.score))
        });
        if let (Some(top), Some(vectors)) = (ranked.first_mut(), &self.vectors)
            && let Some(flat) = flat_of(top.section)
        {
            top.sentence_similarity = sentences
                .iter()
                .map(|s| vectors.similarity_to(s, flat))
                .fold(top.sentence_similarity, f32::max);
        }
        Ok(Ranking {
            ranked,
            terms: result.terms,
            vector,
        })
    }

    /// The question's vector, its sentences' vectors (when it has several), and every section's
    /// similarity when `all` is set; nothing in the lexical-only mode.
    fn embed_question(
        &self,
        text: &str,
        all: bool,
    ) -> (Vec<Similarity>, Vec<Vec<f32>>, Option<Vec<f32>>) {
        let Some(vectors) = &self.vectors else {
            return (Vec::new(), Vec::new(), None);
        };
        let vector = vectors.embed(text);
        let sentences = clean::sentences_of(text)
            .into_iter()
            .map(|s| vectors.embed(s))
            .collect();
        let similarities = if all {
            vectors.similarities(&vector)
        } else {
            Vec::new()
        };
        (similarities, sentences, Some(vector))
    }

    fn hit(&self, guide: &Guide, section: &Section, ranked: &Ranked, ranking: &Ranking) -> Hit {
        let highlight = |text: &str| self.index.highlights(text, &ranking.terms);
        let similarity = |text: &str| match (&self.vectors, &ranking.vector) {
            (Some(v), Some(q)) => crate::embed::cosine(q, &v.embed(text)),
            _ => 0.0,
        };
        Hit {
            guide: guide.slug.clone(),
            title: guide.title.clone(),
            section: section.heading.clone(),
            url: guide.url(&self.base_url, section),
            score: round(ranked.lexical.score),
            excerpt: excerpt::for_section(section, &highlight, &similarity, MAX_EXCERPT_CHARS),
            coverage: ranked.lexical.coverage,
            id: section_id(guide, section),
        }
    }
}

/// The section vectors `retrieval` needs: none in the lexical-only mode.
fn vectors_for(
    knowledge: &Knowledge,
    retrieval: Retrieval,
) -> Result<Option<SectionVectors>, EmbedError> {
    Ok(match retrieval {
        Retrieval::Hybrid => Some(SectionVectors::build(Embedder::shared()?, knowledge)),
        Retrieval::Lexical => None,
    })
}

/// Whether the best-ranked section `top` answers the question.
///
/// The section must hold at least one *specific* word of the question (a word found in at most
/// 15% of the sections or in one guide only, or a database name; see
/// [`crate::search::Candidate::specific`]). Then, in the hybrid mode, its coverage plus its
/// semantic similarity must reach [`EVIDENCE`]; in the lexical-only mode its coverage must
/// reach [`COVERAGE`]. See ARCHITECTURE.md, "When is a question answered?".
pub fn answers(top: &Ranked, semantic: bool) -> bool {
    if !top.lexical.specific {
        return false;
    }
    if semantic {
        top.lexical.coverage + top.sentence_similarity >= EVIDENCE
    } else {
        top.lexical.coverage >= COVERAGE
    }
}

/// Chooses the hits to show from the fused ranking (best first): none unless the best one
/// [`answers`].
///
/// Then every section holding a specific word of the question may be shown; one that holds only
/// common words is not, however it ranks. Hits are grouped by guide so one guide cannot bury
/// another: first the best section of each guide, in rank order; then, if there is room left,
/// further sections of those guides, in rank order.
pub fn select(ranked: &[Ranked], limit: usize, semantic: bool) -> Vec<&Ranked> {
    if !ranked.first().is_some_and(|top| answers(top, semantic)) {
        return Vec::new();
    }
    group(ranked, limit)
}

/// The sections [`select`] shows once a question is answered: those holding a specific word,
/// grouped by guide. The evaluation also reads it for the ranking alone, the answered rule
/// left out.
pub fn group(ranked: &[Ranked], limit: usize) -> Vec<&Ranked> {
    let mut shown: Vec<&Ranked> = Vec::with_capacity(limit);
    let mut rest = Vec::new();
    for r in ranked.iter().filter(|r| r.lexical.specific) {
        if shown.iter().any(|s| s.section.guide == r.section.guide) {
            rest.push(r);
        } else if shown.len() < limit {
            shown.push(r);
        }
    }
    let room = limit.saturating_sub(shown.len());
    shown.extend(rest.into_iter().take(room));
    shown
}

/// The id of `section` of `guide`: `slug#anchor`, or `slug` for the intro.
pub fn section_id(guide: &Guide, section: &Section) -> String {
    match &section.anchor {
        Some(anchor) => format!("{}#{anchor}", guide.slug),
        None => guide.slug.clone(),
    }
}

fn round(score: f32) -> f64 {
    (f64::from(score) * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ranked(guide: usize, section: usize, fused: f32, coverage: f32) -> Ranked {
        Ranked {
            section: SectionRef { guide, section },
            fused,
            lexical: Candidate {
                section: SectionRef { guide, section },
                score: fused,
                coverage,
                bm25: fused,
                section_coverage: coverage,
                guide_coverage: coverage,
                specific: true,
            },
            lexical_rank: Some(1),
            similarity: Similarity::default(),
            semantic_rank: Some(1),
            sentence_similarity: 0.9,
        }
    }

    #[test]
    fn a_section_that_holds_only_common_words_does_not_answer() {
        let mut common = ranked(0, 0, 10.0, 0.9);
        assert!(answers(&common, true));
        common.lexical.specific = false;
        assert!(!answers(&common, true));
        assert!(select(&[common], 3, true).is_empty());
    }

    #[test]
    fn coverage_and_similarity_together_decide_in_the_hybrid_mode() {
        let mut unlike = ranked(0, 0, 10.0, 0.5);
        unlike.sentence_similarity = EVIDENCE - 0.5 - 0.01;
        assert!(!answers(&unlike, true));
        assert!(
            answers(&unlike, false),
            "the lexical-only mode has no vectors"
        );
        unlike.sentence_similarity = EVIDENCE - 0.5 + 0.01;
        assert!(answers(&unlike, true));
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
            ranked(0, 1, 9.0, 0.9),
            ranked(0, 2, 8.0, 0.9),
            ranked(0, 3, 7.0, 0.8),
            ranked(1, 0, 6.0, 0.7),
        ];
        let shown: Vec<_> = select(&candidates, 3, true)
            .iter()
            .map(|c| (c.section.guide, c.section.section))
            .collect();
        assert_eq!(shown, [(0, 1), (1, 0), (0, 2)]);
    }

    #[test]
    fn a_question_whose_best_section_covers_too_little_is_not_answered() {
        let candidates = [ranked(0, 0, 9.0, 0.19), ranked(1, 0, 8.0, 0.9)];
        assert!(select(&candidates, 3, true).is_empty());
        let candidates = [ranked(0, 0, 9.0, 0.39), ranked(1, 0, 8.0, 0.9)];
        assert!(select(&candidates, 3, false).is_empty());
    }

    #[test]
    fn once_answered_a_section_with_only_common_words_is_not_shown() {
        let mut common = ranked(1, 0, 8.0, 0.9);
        common.lexical.specific = false;
        let candidates = [ranked(0, 0, 10.0, 0.5), common, ranked(2, 0, 3.0, 0.2)];
        let shown: Vec<_> = select(&candidates, 3, true)
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
