//! Semantic similarity of a question to every section, from [`crate::embed`] vectors.
//!
//! Each section is embedded three ways when an engine is built: whole (heading and text), by its
//! heading alone, and in passages of a few paragraphs. A question is compared with all of them by
//! brute force: a few hundred sections of 256 numbers take well under a millisecond, so no
//! approximate index is needed. Navigation sections are embedded like any other; leaving them
//! out of answers is [`crate::answer`]'s rule.

use crate::embed::{Embedder, Vector, cosine};
use crate::knowledge::{Knowledge, Section};

/// Passages are runs of consecutive prose blocks of at least this many characters (the last of
/// a section may be shorter): long enough to carry one point, short enough that a section's one
/// paragraph on the question is not averaged away by the rest.
const PASSAGE_CHARS: usize = 400;

/// How similar one section is to a question, each in `-1.0..=1.0`.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Similarity {
    /// The whole section: heading, guide title and text.
    pub body: f32,
    /// The heading alone (the guide title for a guide's intro).
    pub heading: f32,
    /// The best passage of the section.
    pub passage: f32,
}

impl Similarity {
    /// The one figure semantic ranking sorts by: the better of the whole section and its best
    /// passage, so a long section with one paragraph on the question is not averaged away.
    pub fn best(&self) -> f32 {
        self.body.max(self.passage)
    }
}

/// The vectors of every section of one [`Knowledge`], in the order of its guides and sections.
pub struct SectionVectors {
    embedder: &'static Embedder,
    body: Vec<Vector>,
    heading: Vec<Vector>,
    /// Every passage vector, section after section.
    passages: Vec<Vector>,
    /// Flat section index → its passages in `passages`.
    section_passages: Vec<std::ops::Range<usize>>,
}

impl std::fmt::Debug for SectionVectors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SectionVectors")
            .field("sections", &self.body.len())
            .field("passages", &self.passages.len())
            .finish_non_exhaustive()
    }
}

impl SectionVectors {
    /// Embeds every section of `knowledge`.
    pub fn build(embedder: &'static Embedder, knowledge: &Knowledge) -> Self {
        let mut body = Vec::new();
        let mut heading = Vec::new();
        let mut passages = Vec::new();
        let mut section_passages = Vec::new();
        for guide in &knowledge.guides {
            for section in &guide.sections {
                let flat = body.len();
                let head = if section.anchor.is_some() {
                    section.heading.as_str()
                } else {
                    guide.title.as_str()
                };
                heading.push(embedder.embed(head));
                body.push(embedder.embed(&format!("{}. {head}. {}", guide.title, section.text)));
                let first = passages.len();
                for passage in passages_of(section) {
                    passages.push(embedder.embed(&passage));
                }
                section_passages.push(first..passages.len());
                debug_assert_eq!(section_passages.len(), flat + 1);
            }
        }
        Self {
            embedder,
            body,
            heading,
            passages,
            section_passages,
        }
    }

    /// `text`'s vector, to compare with the sections'.
    pub fn embed(&self, text: &str) -> Vector {
        self.embedder.embed(text)
    }

    /// Number of sections.
    pub fn len(&self) -> usize {
        self.body.len()
    }

    /// Whether there is no section.
    pub fn is_empty(&self) -> bool {
        self.body.is_empty()
    }

    /// The similarity of `question` (a vector from [`SectionVectors::embedder`]) to every
    /// section, by flat section index.
    pub fn similarities(&self, question: &[f32]) -> Vec<Similarity> {
        (0..self.body.len())
            .map(|flat| {
                let body = cosine(question, &self.body[flat]);
                Similarity {
                    body,
                    heading: cosine(question, &self.heading[flat]),
                    passage: self.best_passage(question, flat).unwrap_or(body),
                }
            })
            .collect()
    }

    /// The similarity of `vector` to one section (flat index): the better of the whole
    /// section and its best passage.
    pub fn similarity_to(&self, vector: &[f32], flat: usize) -> f32 {
        let body = self.body.get(flat).map_or(0.0, |b| cosine(vector, b));
        self.best_passage(vector, flat)
            .map_or(body, |p| p.max(body))
    }

    fn best_passage(&self, vector: &[f32], flat: usize) -> Option<f32> {
        let range = self.section_passages.get(flat)?.clone();
        self.passages[range]
            .iter()
            .map(|p| cosine(vector, p))
            .reduce(f32::max)
    }
}

/// The passages of a section: consecutive prose blocks joined until [`PASSAGE_CHARS`], with the
/// heading in front of each so a passage keeps its context.
fn passages_of(section: &Section) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for block in section.blocks.iter().filter(|b| !b.is_code()) {
        let text = &section.text[block.range.clone()];
        if current.is_empty() {
            current.push_str(&section.heading);
            current.push_str(". ");
        } else {
            current.push(' ');
        }
        current.push_str(text);
        if current.chars().count() >= PASSAGE_CHARS {
            out.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}
