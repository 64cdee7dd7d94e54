//! Semantic similarity of a question to every section, from [`crate::embed`] vectors.
//!
//! Each section is embedded three ways when an engine is built: whole (heading and text), by its
//! heading alone, and in passages of a few paragraphs. A question is compared with all of them by
//! brute force: a few hundred sections of 256 numbers take well under a millisecond, so no
//! approximate index is needed. Navigation sections are embedded like any other; leaving them
//! out of answers is [`crate::answer`]'s rule.

use crate::embed::{Embedder, Vector};
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
    body: Packed,
    heading: Packed,
    /// Every passage vector, section after section.
    passages: Packed,
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
        let dims = embedder.dims();
        let mut body = Packed::new(dims);
        let mut heading = Packed::new(dims);
        let mut passages = Packed::new(dims);
        let mut section_passages = Vec::new();
        for guide in &knowledge.guides {
            for section in &guide.sections {
                let flat = body.len();
                let head = if section.anchor.is_some() {
                    section.heading.as_str()
                } else {
                    guide.title.as_str()
                };
                heading.push(&embedder.embed(head));
                body.push(&embedder.embed(&format!("{}. {head}. {}", guide.title, section.text)));
                let first = passages.len();
                for passage in passages_of(section) {
                    passages.push(&embedder.embed(&passage));
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
        self.body.len() == 0
    }

    /// The similarity of `question` (a vector from [`SectionVectors::embed`]) to every section,
    /// by flat section index.
    pub fn similarities(&self, question: &[f32]) -> Vec<Similarity> {
        (0..self.body.len())
            .map(|flat| self.similarity(question, flat))
            .collect()
    }

    /// The similarity of `question` to one section (flat index); zeros for an unknown index.
    pub fn similarity(&self, question: &[f32], flat: usize) -> Similarity {
        let (Some(body), Some(heading)) = (
            self.body.cosine(question, flat),
            self.heading.cosine(question, flat),
        ) else {
            return Similarity::default();
        };
        Similarity {
            body,
            heading,
            passage: self.best_passage(question, flat).unwrap_or(body),
        }
    }

    /// The similarity of `vector` to one section (flat index): the better of the whole
    /// section and its best passage.
    pub fn similarity_to(&self, vector: &[f32], flat: usize) -> f32 {
        let body = self.body.cosine(vector, flat).unwrap_or(0.0);
        self.best_passage(vector, flat)
            .map_or(body, |p| p.max(body))
    }

    fn best_passage(&self, vector: &[f32], flat: usize) -> Option<f32> {
        let range = self.section_passages.get(flat)?.clone();
        range
            .filter_map(|p| self.passages.cosine(vector, p))
            .reduce(f32::max)
    }
}

/// Unit vectors stored as int8 with one scale each: a quarter of the memory of `f32` (the 100×
/// corpus holds about 100,000 vectors), with a cosine within about 0.001 of the exact one.
struct Packed {
    dims: usize,
    values: Vec<i8>,
    scales: Vec<f32>,
}

impl Packed {
    fn new(dims: usize) -> Self {
        Self {
            dims,
            values: Vec::new(),
            scales: Vec::new(),
        }
    }

    fn len(&self) -> usize {
        self.scales.len()
    }

    /// Appends `v` (of `dims` numbers), each scaled so the largest is ±127.
    fn push(&mut self, v: &[f32]) {
        let largest = v.iter().fold(0.0_f32, |m, x| m.max(x.abs()));
        let scale = if largest > 0.0 { largest / 127.0 } else { 0.0 };
        for i in 0..self.dims {
            let x = v.get(i).copied().unwrap_or(0.0);
            #[allow(clippy::cast_possible_truncation)]
            let q = if scale > 0.0 {
                (x / scale).round().clamp(-127.0, 127.0) as i8
            } else {
                0
            };
            self.values.push(q);
        }
        self.scales.push(scale);
    }

    /// The dot product of `question` with vector `i` (its cosine, both being unit vectors).
    fn cosine(&self, question: &[f32], i: usize) -> Option<f32> {
        let scale = *self.scales.get(i)?;
        let row = &self.values[i * self.dims..(i + 1) * self.dims];
        let dot: f32 = question
            .iter()
            .zip(row)
            .map(|(q, &v)| q * f32::from(v))
            .sum();
        Some(dot * scale)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_vectors_keep_the_cosine_within_a_hundredth() {
        let embedder = Embedder::shared().expect("model");
        let texts = [
            "Sessions in Redis expire with a TTL",
            "pgvector stores embeddings in PostgreSQL",
            "how do I bake sourdough bread",
        ];
        let mut packed = Packed::new(embedder.dims());
        let exact: Vec<Vector> = texts.iter().map(|t| embedder.embed(t)).collect();
        for v in &exact {
            packed.push(v);
        }
        packed.push(&vec![0.0; embedder.dims()]);
        let question = embedder.embed("when does a redis session expire");
        for (i, v) in exact.iter().enumerate() {
            let want = crate::embed::cosine(&question, v);
            let got = packed.cosine(&question, i).expect("stored");
            assert!((want - got).abs() < 0.01, "{i}: {want} vs {got}");
        }
        assert_eq!(packed.cosine(&question, 3), Some(0.0), "the zero vector");
        assert_eq!(packed.cosine(&question, 4), None);
    }
}
