//! From a member's question to a tantivy query, built term by term.
//!
//! The question is analysed (stemming, stop words), each remaining word becomes a *concept*, and
//! each concept gets *variants*: the word itself, its typo correction when the word is unknown to
//! the guides, and the phrases of every synonym group it takes part in. Neighbouring words are
//! also looked for side by side (see [`ADJACENT_BOOST`]). No query syntax is
//! interpreted, so no input is an error: `C++`, `a^b`, `NOT`, a thousand `(` are just words or
//! nothing.

use std::collections::{HashMap, HashSet};

use tantivy::query::{
    BooleanQuery, BoostQuery, DisjunctionMaxQuery, FuzzyTermQuery, Occur, PhraseQuery, Query,
    TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, InvertedIndexReader, Searcher, Term};

use super::analyzer;
use super::{BOOSTS, Fields, SearchError, SearchIndex};

/// A question keeps at most this many distinct words; the rest of a pasted wall of text is
/// ignored, which bounds the work of one search.
pub const MAX_CONCEPTS: usize = 32;

/// Weight of a synonym's variant relative to the word the member typed.
const SYNONYM_BOOST: f32 = 0.6;

/// Weight of a typo correction relative to a word typed correctly.
const CORRECTION_BOOST: f32 = 0.8;

/// A word no guide uses (and no correction or synonym reaches) weighs as much as a word found in
/// this share of the sections.
///
/// Such a word counts against coverage, but no more than a fairly specific word: a stray unknown
/// word ("kicked", "laptop") should not sink a question that is otherwise well covered, while a
/// question made of unknown words ("sourdough bread") still covers nothing. Relative to the corpus
/// size so the rule means the same on a small and a large knowledge base.
pub const UNKNOWN_AS_SHARE: f32 = 0.05;

/// Weight factor of a word that is not topical: not a tag or a database name, not a one-word
/// synonym phrase, and not matched by a synonym phrase of the question. Ordinary English
/// ("write", "reason", "letter") says little about the topic. (Titles and headings do not make a
/// word topical: tried, and on the held-out set it answered 15 of 50 off-topic questions, not 8.)
pub const PROSE_DISCOUNT: f32 = 0.3;

/// A word found in at most this share of the sections, or in one guide only, or a database name,
/// is *specific*: finding it in a section says the section is about what the question asks.
/// Words found everywhere ("write", "job", "data") are not, however many of them a section
/// contains. (The one-guide case matters on a small knowledge base, where a guide's own topic
/// word can fill a large share of all sections.)
pub const SPECIFIC_SHARE: f32 = 0.15;

/// Weight of two neighbouring words of the question found near each other in a section, relative
/// to one word: "similarity search" in a section is better evidence than "similarity" in one
/// sentence and "search" in another. The proximity half of Metzler and Croft's sequential
/// dependence model (SIGIR 2005), here an ordered window.
const ADJACENT_BOOST: f32 = 1.0;

/// How many other words may stand between two neighbouring words of the question in the section
/// (stop words count: "search *over the* table" is still near).
const ADJACENT_SLOP: u32 = 2;

/// Share of a concept's weight covered by its typo correction.
const CORRECTION_CREDIT: f32 = 0.5;

/// Words shorter than this (in characters) are never corrected: too many short words are one
/// edit away from each other.
const MIN_CORRECTABLE: usize = 5;

/// Words of at least this many characters may be two edits away from their correction.
const TWO_EDITS_FROM: usize = 9;

/// One meaningful word of the question and the terms that stand for it.
#[derive(Debug, Clone)]
struct Concept {
    variants: Vec<Variant>,

    /// Inverse document frequency of the concept's most common variant: how much finding it
    /// says about a section. Words the guides never use get the highest weight.
    weight: f32,
}

/// A way of finding a concept in a section: all of `terms` present.
#[derive(Debug, Clone, PartialEq)]
struct Variant {
    terms: Vec<String>,
    /// Whether finding it is specific evidence (see [`SPECIFIC_SHARE`]); set when the plan is
    /// weighed.
    specific: bool,
    /// Weight in the query, relative to the word as typed.
    boost: f32,
    /// Share of the concept's weight that finding this variant covers: a guessed correction
    /// ("weather" → "whether") is weaker evidence than the word itself or a synonym.
    credit: f32,
    /// Whether a synonym entry put it there: a phrase of the question matched the entry.
    synonym: bool,
}

/// What one document holds of the question.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Presence {
    /// Share of the question's weight found, in `0.0..=1.0`.
    pub coverage: f32,
    /// Whether a specific word of the question (see [`SPECIFIC_SHARE`]) was found.
    pub specific: bool,
}

/// The analysed question, ready to be run and to measure coverage.
#[derive(Debug, Default)]
pub struct QueryPlan {
    concepts: Vec<Concept>,
    /// Neighbouring words of the question, in order, at most [`MAX_CONCEPTS`] pairs: each is
    /// looked for as a phrase (see [`ADJACENT_BOOST`]).
    neighbours: Vec<[String; 2]>,
}

impl QueryPlan {
    /// Analyses `question`, corrects unknown words and expands synonyms.
    pub(super) fn new(
        index: &SearchIndex,
        searcher: &Searcher,
        question: &str,
    ) -> Result<Self, SearchError> {
        let mut analyzer = index.analyzer.clone();
        let mut tokens = analyzer::tokens(&mut analyzer, question);
        let mut distinct = HashSet::new();
        let keep = tokens
            .iter()
            .position(|t| {
                distinct.insert(t.term.clone());
                distinct.len() > MAX_CONCEPTS
            })
            .unwrap_or(tokens.len());
        tokens.truncate(keep);

        // Leave out the function words of other languages that no guide uses ("wie", "con",
        // "pour"): they say nothing about the topic, and as unknown words they would weigh as
        // much as a rare word against coverage.
        let mut kept = Vec::with_capacity(tokens.len());
        for token in tokens {
            let known =
                searcher.doc_freq(&Term::from_field_text(index.fields.all, &token.term))? > 0;
            if known
                || index.synonym_terms.contains(&token.term)
                || !analyzer::is_foreign_stop_word(&question[token.span.clone()])
            {
                kept.push(token);
            }
        }
        let tokens = kept;

        // Correct words the guides never use into words they do.
        let mut words: Vec<(String, f32, f32)> = Vec::with_capacity(tokens.len());
        for token in &tokens {
            let known =
                searcher.doc_freq(&Term::from_field_text(index.fields.all, &token.term))? > 0;
            let corrected = if known || index.synonym_terms.contains(&token.term) {
                None
            } else {
                correct(index, searcher, &question[token.span.clone()])?
            };
            words.push(match corrected {
                Some(term) => (term, CORRECTION_BOOST, CORRECTION_CREDIT),
                None => (token.term.clone(), 1.0, 1.0),
            });
        }

        let merged = expand_and_merge(index, &words);
        let neighbours = neighbours(&words);

        #[allow(clippy::cast_precision_loss)]
        let n = searcher.num_docs() as f32;
        let mut concepts = Vec::with_capacity(merged.len());
        let (guide_searcher, guide_field) = index.guide_terms();
        for mut variants in merged {
            // One pass over the terms: each variant's document frequency (the concept's `df` is
            // the largest), whether it is specific, and whether the concept is topical rather
            // than running prose: a phrase of the question matched a synonym entry, or a term is
            // a tag, a database name or a one-word synonym phrase.
            let mut df = 0_u64;
            let mut topical = variants.iter().any(|v| v.synonym);
            for variant in &mut variants {
                let mut sections_with_all = u64::MAX;
                let mut guides_with_all = u64::MAX;
                let mut names_a_database = false;
                for term in &variant.terms {
                    sections_with_all = sections_with_all
                        .min(searcher.doc_freq(&Term::from_field_text(index.fields.all, term))?);
                    guides_with_all = guides_with_all
                        .min(guide_searcher.doc_freq(&Term::from_field_text(guide_field, term))?);
                    let in_databases = searcher
                        .doc_freq(&Term::from_field_text(index.fields.databases, term))?
                        > 0;
                    names_a_database |= in_databases;
                    topical = topical
                        || in_databases
                        || index.synonym_words.contains(term)
                        || searcher.doc_freq(&Term::from_field_text(index.fields.tags, term))? > 0;
                }
                #[allow(clippy::cast_precision_loss)]
                let rare = sections_with_all > 0
                    && (sections_with_all as f32 <= SPECIFIC_SHARE * n || guides_with_all == 1);
                variant.specific = rare || names_a_database;
                df = df.max(sections_with_all);
            }
            #[allow(clippy::cast_precision_loss)]
            let idf = |df: f32| (1.0 + (n - df + 0.5) / (df + 0.5)).ln();
            let weight = if df == 0 {
                idf((n * UNKNOWN_AS_SHARE).max(1.0))
            } else {
                #[allow(clippy::cast_precision_loss)]
                let df = df as f32;
                if topical {
                    idf(df)
                } else {
                    idf(df) * PROSE_DISCOUNT
                }
            };
            concepts.push(Concept { variants, weight });
        }
        Ok(Self {
            concepts,
            neighbours,
        })
    }

    /// Whether the question had no meaningful word at all.
    pub fn is_empty(&self) -> bool {
        self.concepts.is_empty()
    }

    /// Every term any variant looks for.
    pub(super) fn all_terms(&self) -> HashSet<String> {
        self.concepts
            .iter()
            .flat_map(|c| &c.variants)
            .flat_map(|v| v.terms.iter().cloned())
            .collect()
    }

    /// The query: for each concept and each field, the best of its variants (a dis-max), boosted
    /// by the field; then each pair of neighbouring words as a phrase in the title, heading and
    /// body; all of them optional and summed.
    pub(super) fn to_query(&self, fields: &Fields) -> BooleanQuery {
        let weighted_fields = [
            (fields.title, BOOSTS.title),
            (fields.heading, BOOSTS.heading),
            (fields.body, BOOSTS.body),
            (fields.tags, BOOSTS.tags),
            (fields.databases, BOOSTS.databases),
        ];
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for concept in &self.concepts {
            for (field, field_boost) in weighted_fields {
                let disjuncts: Vec<Box<dyn Query>> = concept
                    .variants
                    .iter()
                    .map(|v| -> Box<dyn Query> {
                        Box::new(BoostQuery::new(variant_query(field, &v.terms), v.boost))
                    })
                    .collect();
                let best = Box::new(DisjunctionMaxQuery::new(disjuncts));
                clauses.push((Occur::Should, Box::new(BoostQuery::new(best, field_boost))));
            }
        }
        for pair in &self.neighbours {
            for (field, field_boost) in positioned(fields) {
                let boost = field_boost * ADJACENT_BOOST;
                clauses.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(near(field, pair), boost)),
                ));
            }
        }
        BooleanQuery::new(clauses)
    }

    /// For each pair of neighbouring words that are both common (not specific), a query for the
    /// sections that hold them near each other in a title, heading or body. A pair with a
    /// specific word is left out: every section holding it already holds a specific word.
    pub(super) fn common_neighbour_queries(&self, fields: &Fields) -> Vec<BooleanQuery> {
        let specific: HashSet<&str> = self
            .concepts
            .iter()
            .filter_map(|c| c.variants.first())
            .filter(|v| v.specific)
            .flat_map(|v| v.terms.iter().map(String::as_str))
            .collect();
        self.neighbours
            .iter()
            .filter(|pair| pair.iter().all(|t| !specific.contains(t.as_str())))
            .map(|pair| {
                BooleanQuery::new(
                    positioned(fields)
                        .into_iter()
                        .map(|(field, _)| (Occur::Should, near(field, pair)))
                        .collect(),
                )
            })
            .collect()
    }

    /// The coverage of each document of `docs` (sorted by doc id, from one segment): the share of
    /// concept weight for which some variant has all its terms in the document's `all` field.
    pub(super) fn presence(
        &self,
        inverted: &InvertedIndexReader,
        all: Field,
        docs: &[(DocId, usize)],
    ) -> Result<Vec<Presence>, SearchError> {
        let mut present: HashMap<&str, Vec<bool>> = HashMap::new();
        for term in self
            .concepts
            .iter()
            .flat_map(|c| &c.variants)
            .flat_map(|v| &v.terms)
        {
            if present.contains_key(term.as_str()) {
                continue;
            }
            let mut found = vec![false; docs.len()];
            let postings = inverted
                .read_postings(&Term::from_field_text(all, term), IndexRecordOption::Basic)?;
            if let Some(mut postings) = postings {
                use tantivy::DocSet as _;
                for (slot, &(doc, _)) in found.iter_mut().zip(docs) {
                    // `seek` must never go backwards: a previous seek may already have passed
                    // `doc`, which then does not contain the term.
                    *slot = match postings.doc().cmp(&doc) {
                        std::cmp::Ordering::Less => postings.seek(doc) == doc,
                        std::cmp::Ordering::Equal => true,
                        std::cmp::Ordering::Greater => false,
                    };
                }
            }
            present.insert(term, found);
        }
        let total: f32 = self.concepts.iter().map(|c| c.weight).sum();
        let mut presence = vec![Presence::default(); docs.len()];
        for concept in &self.concepts {
            for (i, slot) in presence.iter_mut().enumerate() {
                let found = concept
                    .variants
                    .iter()
                    .filter(|v| v.terms.iter().all(|t| present[t.as_str()][i]));
                let mut credit = 0.0_f32;
                for variant in found {
                    credit = credit.max(variant.credit);
                    slot.specific |= variant.specific;
                }
                slot.coverage += concept.weight * credit / total;
            }
        }
        Ok(presence)
    }
}

/// The fields indexed with positions, and their boosts.
fn positioned(fields: &Fields) -> [(Field, f32); 3] {
    [
        (fields.title, BOOSTS.title),
        (fields.heading, BOOSTS.heading),
        (fields.body, BOOSTS.body),
    ]
}

/// `pair` in `field`, in order, at most [`ADJACENT_SLOP`] words apart.
fn near(field: Field, pair: &[String; 2]) -> Box<dyn Query> {
    let mut phrase = PhraseQuery::new(
        pair.iter()
            .map(|t| Term::from_field_text(field, t))
            .collect(),
    );
    phrase.set_slop(ADJACENT_SLOP);
    Box::new(phrase)
}

/// The distinct pairs of neighbouring words (as typed or corrected), in order, at most
/// [`MAX_CONCEPTS`] of them; a word next to itself is no pair.
fn neighbours(words: &[(String, f32, f32)]) -> Vec<[String; 2]> {
    let mut seen = HashSet::new();
    words
        .windows(2)
        .filter(|pair| pair[0].0 != pair[1].0)
        .map(|pair| [pair[0].0.clone(), pair[1].0.clone()])
        .filter(|pair| seen.insert(pair.clone()))
        .take(MAX_CONCEPTS)
        .collect()
}

/// Each word's variants: itself (or its correction), plus the expansions of every synonym phrase
/// it takes part in; then one entry per distinct word, repeated words merging their variants.
fn expand_and_merge(index: &SearchIndex, words: &[(String, f32, f32)]) -> Vec<Vec<Variant>> {
    let mut variants: Vec<Vec<Variant>> = words
        .iter()
        .map(|(term, boost, credit)| {
            vec![Variant {
                terms: vec![term.clone()],
                specific: false,
                boost: *boost,
                credit: *credit,
                synonym: false,
            }]
        })
        .collect();
    let sequence: Vec<&str> = words.iter().map(|(t, _, _)| t.as_str()).collect();
    for expansion in &index.synonyms {
        for phrase in &expansion.sources {
            for start in occurrences(&sequence, phrase) {
                for word_variants in &mut variants[start..start + phrase.len()] {
                    let credit = word_variants[0].credit;
                    for other in expansion.targets.iter().filter(|p| *p != phrase) {
                        let variant = Variant {
                            terms: other.clone(),
                            specific: false,
                            boost: SYNONYM_BOOST,
                            credit,
                            synonym: true,
                        };
                        if !word_variants.contains(&variant) {
                            word_variants.push(variant);
                        }
                    }
                }
            }
        }
    }

    let mut by_word: HashMap<&str, usize> = HashMap::new();
    let mut merged: Vec<Vec<Variant>> = Vec::new();
    for (word, word_variants) in sequence.iter().zip(variants) {
        if let Some(&i) = by_word.get(word) {
            for v in word_variants {
                if !merged[i].contains(&v) {
                    merged[i].push(v);
                }
            }
        } else {
            by_word.insert(word, merged.len());
            merged.push(word_variants);
        }
    }
    merged
}

/// A term, or all terms of a multi-word phrase, in `field`.
fn variant_query(field: Field, terms: &[String]) -> Box<dyn Query> {
    let term_query = |t: &String| -> Box<dyn Query> {
        Box::new(TermQuery::new(
            Term::from_field_text(field, t),
            IndexRecordOption::WithFreqs,
        ))
    };
    match terms {
        [single] => term_query(single),
        _ => Box::new(BooleanQuery::intersection(
            terms.iter().map(term_query).collect(),
        )),
    }
}

/// Start positions where `phrase` occurs in `sequence`.
fn occurrences<'a>(sequence: &'a [&str], phrase: &'a [String]) -> impl Iterator<Item = usize> + 'a {
    sequence
        .windows(phrase.len().max(1))
        .enumerate()
        .filter(move |(_, window)| {
            !phrase.is_empty() && window.iter().zip(phrase).all(|(a, b)| a == b)
        })
        .map(|(i, _)| i)
}

/// The analysed form of the guide word closest to `word`, if `word` is long enough to correct and
/// one or two edits (transpositions count as one) away from a word the guides use.
///
/// Among candidates at the smallest distance the most frequent wins, then the first in order.
fn correct(
    index: &SearchIndex,
    searcher: &Searcher,
    word: &str,
) -> Result<Option<String>, SearchError> {
    let mut raw = index.raw_analyzer.clone();
    let Some(surface) = analyzer::terms(&mut raw, word).into_iter().next() else {
        return Ok(None);
    };
    let length = surface.chars().count();
    if length < MIN_CORRECTABLE {
        return Ok(None);
    }
    let max_distance = if length >= TWO_EDITS_FROM { 2 } else { 1 };
    for distance in 1..=max_distance {
        let mut found: HashMap<String, u64> = HashMap::new();
        for segment in searcher.segment_readers() {
            let automaton = FuzzyTermQuery::new(
                Term::from_field_text(index.fields.vocab, &surface),
                distance,
                true,
            )
            .automaton()?;
            let inverted = segment.inverted_index(index.fields.vocab)?;
            let mut stream = inverted.terms().search(automaton).into_stream()?;
            while stream.advance() {
                if let Ok(candidate) = std::str::from_utf8(stream.key()) {
                    *found.entry(candidate.to_owned()).or_default() +=
                        u64::from(stream.value().doc_freq);
                }
            }
        }
        let best = found
            .into_iter()
            .max_by(|(a, da), (b, db)| da.cmp(db).then_with(|| b.cmp(a)));
        if let Some((candidate, _)) = best {
            let mut analyzer = index.analyzer.clone();
            return Ok(analyzer::terms(&mut analyzer, &candidate)
                .into_iter()
                .next());
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(terms: &[&str]) -> Vec<(String, f32, f32)> {
        terms.iter().map(|t| ((*t).to_owned(), 1.0, 1.0)).collect()
    }

    #[test]
    fn neighbours_are_distinct_ordered_pairs_of_different_words() {
        let pairs = neighbours(&words(&[
            "outbox", "tabl", "outbox", "tabl", "tabl", "grow",
        ]));
        let pairs: Vec<[&str; 2]> = pairs
            .iter()
            .map(|[a, b]| [a.as_str(), b.as_str()])
            .collect();
        assert_eq!(
            pairs,
            [["outbox", "tabl"], ["tabl", "outbox"], ["tabl", "grow"]]
        );
    }

    #[test]
    fn a_wall_of_text_yields_a_bounded_number_of_pairs() {
        let many: Vec<String> = (0..1000).map(|n| format!("w{n}")).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        assert_eq!(neighbours(&words(&many)).len(), MAX_CONCEPTS);
        assert!(neighbours(&words(&["alone"])).is_empty());
    }
}
