//! Section search over an in-RAM tantivy index.
//!
//! The only module that names tantivy types. It owns the schema (one document per section), the
//! query built from analysed tokens (never `QueryParser`), synonym expansion, typo correction,
//! ranking, and each candidate's *coverage* of the question. It returns plain data
//! ([`Candidate`]); deciding what counts as an answer is [`crate::answer`]'s job.

pub(crate) mod analyzer;
mod query;

use std::collections::HashSet;
use std::ops::Range;

use tantivy::collector::TopDocs;
use tantivy::query::{EnableScoring, Query as _};
use tantivy::schema::{FAST, Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions};
use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, RemoveLongFilter, SimpleTokenizer, TextAnalyzer,
};
use tantivy::{
    DocAddress, DocId, DocSet as _, Index, IndexReader, ReloadPolicy, Searcher, TERMINATED,
    TantivyDocument, Term,
};

use crate::knowledge::Knowledge;
use query::Presence;
pub use query::QueryPlan;

/// Field boosts: a word in a heading says more about a section than a word in its body.
///
/// Tuned on the labelled questions in `tests/eval/` (see ARCHITECTURE.md, "How a question is
/// answered", step 5).
const BOOSTS: Boosts = Boosts {
    title: 1.5,
    heading: 2.0,
    body: 1.0,
    tags: 1.5,
    databases: 1.0,
};

/// For ranking, a guide's coverage counts this much of a section's: words spread over several
/// sections answer less directly than words in one.
const GUIDE_COVERAGE_FACTOR: f32 = 0.7;

/// How many sections are scored before re-ranking by coverage and grouping by guide.
const CANDIDATES: usize = 40;

/// Arena of the one indexing thread: tantivy's minimum (15 MB) is plenty for the real guides; a
/// larger corpus gets up to 64 MB so it is written in fewer segments.
fn writer_arena(text_bytes: usize) -> usize {
    text_bytes.saturating_mul(4).clamp(15_000_000, 64_000_000)
}

struct Boosts {
    title: f32,
    heading: f32,
    body: f32,
    tags: f32,
    databases: f32,
}

/// An internal failure of the index (never caused by what a member typed).
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// tantivy reported an error.
    #[error("search index failure")]
    Index(#[from] tantivy::TantivyError),
    /// The thread building the guide index panicked.
    #[error("the thread building the guide index panicked")]
    Panicked,
}

impl From<std::io::Error> for SearchError {
    fn from(e: std::io::Error) -> Self {
        Self::Index(e.into())
    }
}

/// Where a section lives in [`Knowledge`]: `knowledge.guides[guide].sections[section]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SectionRef {
    /// Index into `Knowledge::guides`.
    pub guide: usize,
    /// Index into that guide's `sections`.
    pub section: usize,
}

/// A scored section, before the answer rule and grouping.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Candidate {
    /// The section.
    pub section: SectionRef,
    /// Ranking score: `bm25` times the square of `coverage`.
    pub score: f32,
    /// The larger of `section_coverage` and 0.7 × `guide_coverage`: what ranking and the answered
    /// rule use.
    pub coverage: f32,
    /// The BM25 score with field boosts.
    pub bm25: f32,
    /// Share of the question's weighted meaningful terms that the section contains (in its guide
    /// title, heading, body, tags or databases), in `0.0..=1.0`. See [`QueryPlan`] for weights.
    pub section_coverage: f32,
    /// The same share for the whole guide the section belongs to.
    pub guide_coverage: f32,
    /// Whether the section contains a specific word of the question: one found in at most
    /// 15% of the sections or in one guide only, or a database name
    /// ([`query::SPECIFIC_SHARE`]).
    pub specific: bool,
}

/// What a search found, and the terms to highlight in excerpts.
#[derive(Debug, Default)]
pub struct SearchResult {
    /// Candidates, best first.
    pub candidates: Vec<Candidate>,
    /// Every indexed term the query looked for (originals, corrections, synonyms).
    pub terms: HashSet<String>,
}

#[derive(Clone, Copy)]
struct Fields {
    sid: Field,
    title: Field,
    heading: Field,
    body: Field,
    tags: Field,
    databases: Field,
    /// Everything above in one field: document frequencies and coverage are read here.
    all: Field,
    /// Unstemmed, lower-cased words: the vocabulary typo correction searches.
    vocab: Field,
}

/// The section index for one [`Knowledge`].
pub struct SearchIndex {
    reader: IndexReader,
    fields: Fields,
    analyzer: TextAnalyzer,
    raw_analyzer: TextAnalyzer,
    /// Synonym entries, each phrase analysed into terms.
    synonyms: Vec<Expansion>,
    /// Every term of every synonym phrase: such words are never "corrected" as typos.
    synonym_terms: HashSet<String>,
    /// The synonym phrases of one term: words the synonym file names on their own, so they
    /// belong to the topic (`ttl`, `cache`). A word that only appears inside a longer phrase
    /// (`like` in "like query") does not.
    synonym_words: HashSet<String>,
    /// `sid` → section.
    sections: Vec<SectionRef>,
    /// `sid` → where its document lives, to score a section semantic retrieval brought in.
    addresses: Vec<DocAddress>,
    /// One document per guide (all its text in `all`), for guide-level coverage.
    guides: GuideIndex,
}

/// A second index with one document per guide: a question's words may be spread over several
/// sections of the guide that answers it.
struct GuideIndex {
    reader: IndexReader,
    all: Field,
    /// Guide index → where its document lives.
    addresses: Vec<DocAddress>,
}

/// A synonym entry with its phrases analysed: a question containing one of `sources` also
/// searches for each of `targets`.
struct Expansion {
    sources: Vec<Vec<String>>,
    targets: Vec<Vec<String>>,
}

const RAW_ANALYZER: &str = "stackbot_raw";

fn raw_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

impl SearchIndex {
    /// Indexes every section of `knowledge` in RAM.
    pub fn build(knowledge: &Knowledge) -> Result<Self, SearchError> {
        let (schema, fields) = schema();
        let index = Index::create_in_ram(schema);
        index
            .tokenizers()
            .register(analyzer::NAME, analyzer::analyzer());
        index.tokenizers().register(RAW_ANALYZER, raw_analyzer());

        let text_bytes = knowledge
            .guides
            .iter()
            .flat_map(|g| &g.sections)
            .map(|s| s.text.len())
            .sum();
        let mut writer =
            index.writer_with_num_threads::<TantivyDocument>(1, writer_arena(text_bytes))?;
        let mut sections = Vec::new();
        for (g, guide) in knowledge.guides.iter().enumerate() {
            let tags = guide.tags.join(" ");
            let databases: Vec<&str> = guide
                .database_ids()
                .flat_map(|id| {
                    let name = knowledge.catalog.get(id).map(|d| d.name.as_str());
                    std::iter::once(id).chain(name)
                })
                .collect();
            let databases = databases.join(" ");
            for (s, section) in guide.sections.iter().enumerate() {
                let mut doc = TantivyDocument::default();
                doc.add_u64(fields.sid, sections.len() as u64);
                doc.add_text(fields.title, &guide.title);
                // The intro's heading is the guide title, already in `title`: indexing it twice
                // would rank every intro above the section that answers.
                if section.anchor.is_some() {
                    doc.add_text(fields.heading, &section.heading);
                }
                doc.add_text(fields.body, &section.text);
                doc.add_text(fields.tags, &tags);
                doc.add_text(fields.databases, &databases);
                for text in [
                    &guide.title,
                    &section.heading,
                    &section.text,
                    &tags,
                    &databases,
                ] {
                    doc.add_text(fields.all, text);
                    doc.add_text(fields.vocab, text);
                }
                writer.add_document(doc)?;
                sections.push(SectionRef {
                    guide: g,
                    section: s,
                });
            }
        }
        // The guide index is independent: build it on the other core while this one commits.
        let (committed, guides) = std::thread::scope(|scope| {
            let guides = scope.spawn(|| GuideIndex::build(knowledge));
            let committed = writer.commit();
            (committed, guides.join())
        });
        committed?;
        let guides = guides.map_err(|_| SearchError::Panicked)??;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;

        let (synonyms, synonym_terms, synonym_words) = analyse_synonyms(knowledge);
        let addresses = doc_addresses(&reader.searcher(), "sid", sections.len())?;
        Ok(Self {
            reader,
            fields,
            analyzer: analyzer::analyzer(),
            raw_analyzer: raw_analyzer(),
            synonyms,
            synonym_terms,
            synonym_words,
            sections,
            addresses,
            guides,
        })
    }

    /// Coverage of the question by each guide in `guides` (indexes into `Knowledge::guides`).
    fn guide_coverage(
        &self,
        plan: &QueryPlan,
        guides: &[usize],
    ) -> Result<Vec<Presence>, SearchError> {
        // Every guide index comes from `self.sections`, built from the same knowledge.
        let addresses: Vec<DocAddress> = guides.iter().map(|&g| self.guides.addresses[g]).collect();
        coverage_at(
            &self.guides.reader.searcher(),
            self.guides.all,
            plan,
            &addresses,
        )
    }

    /// The sections holding a pair of neighbouring words of the question near each other, for
    /// every pair that is itself specific: found in at most [`query::SPECIFIC_SHARE`] of the
    /// sections or in one guide only. "outbox" and "table" are each found all over the guides;
    /// "outbox table" is not.
    fn specific_pairs(
        &self,
        searcher: &Searcher,
        plan: &QueryPlan,
        section_at: impl Fn(&DocAddress) -> Option<SectionRef>,
    ) -> Result<HashSet<DocAddress>, SearchError> {
        #[allow(
            clippy::cast_precision_loss,
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss
        )]
        let most = (query::SPECIFIC_SHARE * searcher.num_docs() as f32) as usize;
        let mut found = HashSet::new();
        for pair in plan.common_neighbour_queries(&self.fields) {
            // Visit the sections holding the pair until it is clearly not specific: more than
            // `most` of them, from more than one guide.
            let weight = pair.weight(EnableScoring::disabled_from_searcher(searcher))?;
            let mut holding = Vec::new();
            let mut guides = HashSet::new();
            'segments: for (ord, segment) in searcher.segment_readers().iter().enumerate() {
                let mut scorer = weight.scorer(segment, 1.0)?;
                let mut doc = scorer.doc();
                while doc != TERMINATED {
                    if segment.is_deleted(doc) {
                        doc = scorer.advance();
                        continue;
                    }
                    let address = DocAddress::new(segment_index(ord), doc);
                    guides.extend(section_at(&address).map(|s| s.guide));
                    holding.push(address);
                    if holding.len() > most && guides.len() > 1 {
                        break 'segments;
                    }
                    doc = scorer.advance();
                }
            }
            if holding.len() <= most || guides.len() == 1 {
                found.extend(holding);
            }
        }
        Ok(found)
    }

    /// The searcher and field to count in how many guides a term occurs.
    pub(super) fn guide_terms(&self) -> (Searcher, Field) {
        (self.guides.reader.searcher(), self.guides.all)
    }

    /// Number of indexed sections.
    pub fn len(&self) -> usize {
        self.sections.len()
    }

    /// Whether no section is indexed.
    pub fn is_empty(&self) -> bool {
        self.sections.is_empty()
    }

    /// Searches for `question`; any text is accepted, and text with no meaningful word finds
    /// nothing. The sections in `also` (flat indexes, in the order of the knowledge's guides and
    /// sections) are measured too when BM25 does not rank them among its best: another retriever
    /// found them, and the answered rule needs their coverage. They come last, with a BM25 of 0
    /// unless BM25 found them.
    pub fn search(&self, question: &str, also: &[usize]) -> Result<SearchResult, SearchError> {
        let searcher = self.reader.searcher();
        let plan = QueryPlan::new(self, &searcher, question)?;
        if plan.is_empty() {
            return Ok(SearchResult::default());
        }
        let query = plan.to_query(&self.fields);
        let mut top = searcher.search(&query, &TopDocs::with_limit(CANDIDATES).order_by_score())?;
        for &sid in also {
            if let Some(&address) = self.addresses.get(sid)
                && !top.iter().any(|(_, a)| *a == address)
            {
                top.push((0.0, address));
            }
        }

        let addresses: Vec<DocAddress> = top.iter().map(|(_, address)| *address).collect();
        let coverage = coverage_at(&searcher, self.fields.all, &plan, &addresses)?;
        let sid_columns = searcher
            .segment_readers()
            .iter()
            .map(|segment| segment.fast_fields().u64("sid"))
            .collect::<Result<Vec<_>, _>>()?;
        let section_at = |address: &DocAddress| {
            let sid = sid_columns[address.segment_ord as usize].first(address.doc_id)?;
            self.sections.get(usize::try_from(sid).ok()?).copied()
        };
        let sections: Vec<Option<SectionRef>> = addresses.iter().map(section_at).collect();
        // Pairs can only make a candidate specific that is not already: skip the lookups when
        // every candidate holds a specific word.
        let specific_pairs = if coverage.iter().all(|c| c.specific) {
            HashSet::new()
        } else {
            self.specific_pairs(&searcher, &plan, section_at)?
        };
        let mut guides: Vec<usize> = sections.iter().flatten().map(|s| s.guide).collect();
        guides.sort_unstable();
        guides.dedup();
        let guide_coverage = self.guide_coverage(&plan, &guides)?;
        let mut candidates: Vec<Candidate> = top
            .iter()
            .enumerate()
            .filter_map(|(i, (bm25, _))| {
                let section = sections[i]?;
                let g = guides.binary_search(&section.guide).ok()?;
                let section_coverage = coverage[i].coverage;
                let covered =
                    section_coverage.max(GUIDE_COVERAGE_FACTOR * guide_coverage[g].coverage);
                Some(Candidate {
                    section,
                    score: bm25 * covered * covered,
                    coverage: covered,
                    bm25: *bm25,
                    section_coverage,
                    guide_coverage: guide_coverage[g].coverage,
                    specific: coverage[i].specific || specific_pairs.contains(&addresses[i]),
                })
            })
            .collect();
        candidates.sort_by(|a, b| b.score.total_cmp(&a.score));
        Ok(SearchResult {
            candidates,
            terms: plan.all_terms(),
        })
    }

    /// Byte ranges of the words of `text` whose analysed term is one of `terms`.
    pub fn highlights(&self, text: &str, terms: &HashSet<String>) -> Vec<Range<usize>> {
        let mut analyzer = self.analyzer.clone();
        analyzer::tokens(&mut analyzer, text)
            .into_iter()
            .filter(|t| terms.contains(&t.term))
            .map(|t| t.span)
            .collect()
    }

    /// The analysed terms of `text` (for grouping questions by topic and for checks).
    pub fn terms(&self, text: &str) -> Vec<String> {
        analyzer::terms(&mut self.analyzer.clone(), text)
    }

    /// How many sections contain `term` (an analysed term) anywhere.
    pub fn doc_freq(&self, term: &str) -> Result<u64, SearchError> {
        let searcher = self.reader.searcher();
        Ok(searcher.doc_freq(&Term::from_field_text(self.fields.all, term))?)
    }
}

/// The synonym entries with their phrases analysed, every term of every phrase, and the
/// phrases of one term (see [`SearchIndex::synonym_words`]).
fn analyse_synonyms(knowledge: &Knowledge) -> (Vec<Expansion>, HashSet<String>, HashSet<String>) {
    let mut analyzer = analyzer::analyzer();
    let mut analyse = |phrases: &[String]| -> Vec<Vec<String>> {
        phrases
            .iter()
            .map(|phrase| analyzer::terms(&mut analyzer, phrase))
            .filter(|terms| !terms.is_empty())
            .collect()
    };
    let synonyms: Vec<Expansion> = knowledge
        .synonyms
        .groups
        .iter()
        .map(|group| Expansion {
            sources: analyse(&group.terms),
            targets: analyse(&group.means),
        })
        .collect();
    let phrases = || {
        synonyms
            .iter()
            .flat_map(|e| e.sources.iter().chain(&e.targets))
    };
    let terms = phrases().flatten().cloned().collect();
    let words = phrases()
        .filter_map(|phrase| match phrase.as_slice() {
            [word] => Some(word.clone()),
            _ => None,
        })
        .collect();
    (synonyms, terms, words)
}

impl GuideIndex {
    fn build(knowledge: &Knowledge) -> Result<Self, SearchError> {
        let mut builder = Schema::builder();
        let gid = builder.add_u64_field("gid", FAST);
        let all = builder.add_text_field(
            "all",
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(analyzer::NAME)
                    .set_index_option(IndexRecordOption::Basic),
            ),
        );
        let index = Index::create_in_ram(builder.build());
        index
            .tokenizers()
            .register(analyzer::NAME, analyzer::analyzer());
        let mut writer = index.writer_with_num_threads::<TantivyDocument>(1, writer_arena(0))?;
        for (g, guide) in knowledge.guides.iter().enumerate() {
            let mut doc = TantivyDocument::default();
            doc.add_u64(gid, g as u64);
            doc.add_text(all, &guide.title);
            doc.add_text(all, &guide.summary);
            doc.add_text(all, guide.tags.join(" "));
            for id in guide.database_ids() {
                doc.add_text(all, id);
                if let Some(db) = knowledge.catalog.get(id) {
                    doc.add_text(all, &db.name);
                }
            }
            for section in &guide.sections {
                doc.add_text(all, &section.heading);
                doc.add_text(all, &section.text);
            }
            writer.add_document(doc)?;
        }
        writer.commit()?;
        let reader: IndexReader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let addresses = doc_addresses(&reader.searcher(), "gid", knowledge.guides.len())?;
        Ok(Self {
            reader,
            all,
            addresses,
        })
    }
}

/// The coverage of `plan` by each document at `addresses`, read from `field`: documents are
/// grouped by segment and visited in doc-id order, as postings require.
fn coverage_at(
    searcher: &Searcher,
    field: Field,
    plan: &QueryPlan,
    addresses: &[DocAddress],
) -> Result<Vec<Presence>, SearchError> {
    let mut by_segment: Vec<Vec<(DocId, usize)>> =
        vec![Vec::new(); searcher.segment_readers().len()];
    for (i, address) in addresses.iter().enumerate() {
        by_segment[address.segment_ord as usize].push((address.doc_id, i));
    }
    let mut coverage = vec![Presence::default(); addresses.len()];
    for (segment_ord, docs) in by_segment.iter_mut().enumerate() {
        if docs.is_empty() {
            continue;
        }
        docs.sort_unstable();
        let inverted = searcher
            .segment_reader(segment_index(segment_ord))
            .inverted_index(field)?;
        for (&(_, i), covered) in docs.iter().zip(plan.presence(&inverted, field, docs)?) {
            coverage[i] = covered;
        }
    }
    Ok(coverage)
}

/// The address of every document by its `id_field` value (a fast `u64` field numbering the
/// documents `0..count`).
fn doc_addresses(
    searcher: &Searcher,
    id_field: &str,
    count: usize,
) -> Result<Vec<DocAddress>, SearchError> {
    let mut addresses = vec![DocAddress::new(0, 0); count];
    for (segment_ord, segment) in searcher.segment_readers().iter().enumerate() {
        let column = segment.fast_fields().u64(id_field)?;
        for doc in 0..segment.max_doc() {
            if let Some(slot) = column
                .first(doc)
                .and_then(|id| usize::try_from(id).ok())
                .and_then(|id| addresses.get_mut(id))
            {
                *slot = DocAddress::new(segment_index(segment_ord), doc);
            }
        }
    }
    Ok(addresses)
}

/// A segment's position as tantivy numbers them (there are never 2³² segments).
fn segment_index(ord: usize) -> u32 {
    u32::try_from(ord).unwrap_or(u32::MAX)
}

fn schema() -> (Schema, Fields) {
    let text = |tokenizer: &str, record: IndexRecordOption| {
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(tokenizer)
                .set_index_option(record),
        )
    };
    let scored = text(analyzer::NAME, IndexRecordOption::WithFreqs);
    // Positions let neighbouring words of a question be found near each other.
    let positioned = text(analyzer::NAME, IndexRecordOption::WithFreqsAndPositions);
    let mut builder = Schema::builder();
    let fields = Fields {
        sid: builder.add_u64_field("sid", FAST),
        title: builder.add_text_field("title", positioned.clone()),
        heading: builder.add_text_field("heading", positioned.clone()),
        body: builder.add_text_field("body", positioned),
        tags: builder.add_text_field("tags", scored.clone()),
        databases: builder.add_text_field("databases", scored),
        all: builder.add_text_field("all", text(analyzer::NAME, IndexRecordOption::Basic)),
        vocab: builder.add_text_field("vocab", text(RAW_ANALYZER, IndexRecordOption::Basic)),
    };
    (builder.build(), fields)
}
