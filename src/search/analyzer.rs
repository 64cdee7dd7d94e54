//! The one text analyzer used for indexing, queries, synonyms and highlighting.
//!
//! Simple tokenizer → drop tokens over 40 bytes → lower case → ASCII folding → stop words →
//! English (Porter) stemming. Using the same pipeline everywhere is what lets a synonym phrase,
//! a question word and a guide word meet as the same term.

use std::ops::Range;

use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer,
    StopWordFilter, TextAnalyzer,
};

/// Name under which the analyzer is registered in the index.
pub const NAME: &str = "stackbot_en";

/// Words that carry no topic in a question or a guide.
///
/// Lucene's English list plus the pronouns, auxiliaries and filler of questions ("how do I", "what
/// is the best way to"), and the stray letters that apostrophes leave (`i'm` → `i`, `m`). Words that
/// can carry a topic in this domain stay out of it: `down` (Redis is down), `up`, `out`, `like`
/// (SQL's `LIKE`).
#[rustfmt::skip]
const STOP_WORDS: &[&str] = &[
    // Lucene's English stop words.
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it",
    "no", "not", "of", "on", "or", "such", "that", "the", "their", "then", "there", "these",
    "they", "this", "to", "was", "will", "with",
    // Pronouns and determiners.
    "i", "me", "my", "mine", "we", "us", "our", "you", "your", "yours", "he", "him", "his", "she",
    "her", "its", "them", "those", "some", "any", "all", "each", "every", "other", "another",
    "same", "both", "either", "neither", "own",
    // Question words and auxiliaries.
    "what", "which", "who", "whom", "whose", "when", "where", "why", "how", "do", "does", "did",
    "doing", "done", "have", "has", "had", "having", "am", "been", "being", "were", "can", "could",
    "should", "would", "shall", "may", "might", "must", "so", "than", "too", "very", "just",
    "about", "from", "again", "also", "only", "more", "most", "much", "many", "few", "here",
    "there's", "whats", "hows",
    // Conversational filler.
    "way", "ways", "thing", "things", "get", "gets", "got", "getting", "go", "goes", "going",
    "want", "wants", "wanted", "need", "needs", "needed", "use", "uses", "using", "used", "make",
    "makes", "making", "know", "tell", "please", "hi", "hello", "hey", "thanks", "thank", "anyone",
    "someone", "something", "anything", "really", "actually", "best", "good", "better", "etc",
    "eg", "ie", "ok", "okay", "guys", "folks", "someone's", "idea", "ideas", "help", "question",
    "questions", "stuff", "one", "ones", "even", "still", "whole", "someday", "everyone",
    "everybody", "say", "says", "said", "told", "think", "thought", "guess", "maybe", "probably",
    "already", "always", "never", "ever", "else", "lot", "lots", "kind", "sort", "bit", "little",
    "somehow", "basically", "literally", "currently", "right", "wrong", "happen", "happens",
    "happened", "gonna", "wanna", "gotta", "trying", "try", "tried", "look", "looks",
    "looking", "put", "take", "takes", "possible", "correct", "properly", "proper", "decent",
    "fine", "cool", "nice", "great", "awesome", "instead", "stuck", "confused", "sure",
    "wondering", "wonder", "somebody", "anybody", "people", "guy",
    // Fragments left by apostrophes (`doesn't` → `doesn`, `t`).
    "s", "t", "m", "d", "ll", "re", "ve", "don", "doesn", "didn", "isn", "aren", "wasn", "weren",
    "won", "wouldn", "shouldn", "couldn", "can't", "cant", "haven", "hasn", "hadn", "dont",
    "doesnt", "didnt", "isnt", "wont", "im", "ive", "id",
];

/// Whether `word` is a function word of German, French, Spanish, Portuguese, Italian or Dutch
/// (Snowball's lists, as tantivy ships them): the languages members most often mix into an
/// English help channel.
pub fn is_foreign_stop_word(word: &str) -> bool {
    static FILTERS: std::sync::LazyLock<Vec<TextAnalyzer>> = std::sync::LazyLock::new(|| {
        [
            Language::German,
            Language::French,
            Language::Spanish,
            Language::Portuguese,
            Language::Italian,
            Language::Dutch,
        ]
        .into_iter()
        .filter_map(StopWordFilter::new)
        .map(|filter| {
            TextAnalyzer::builder(SimpleTokenizer::default())
                .filter(LowerCaser)
                .filter(filter)
                .build()
        })
        .collect()
    });
    FILTERS.iter().any(|analyzer| {
        let mut analyzer = analyzer.clone();
        let mut stream = analyzer.token_stream(word);
        !stream.advance()
    })
}

/// Builds the analyzer. Cheap enough to call once per index; clone it per use.
pub fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(StopWordFilter::remove(
            STOP_WORDS.iter().map(|w| (*w).to_owned()),
        ))
        .filter(Stemmer::new(Language::English))
        .build()
}

/// One analysed token: the indexed term and where it came from in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// The term as indexed (lower-cased, folded, stemmed).
    pub term: String,
    /// Byte range of the original word in the analysed text.
    pub span: Range<usize>,
}

/// Runs `text` through `analyzer`.
pub fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<Token> {
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    while let Some(token) = stream.next() {
        out.push(Token {
            term: token.text.clone(),
            span: token.offset_from..token.offset_to,
        });
    }
    out
}

/// The analysed terms of `text`, in order.
pub fn terms(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    tokens(analyzer, text).into_iter().map(|t| t.term).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_stop_word_is_listed_once() {
        let mut seen = std::collections::HashSet::new();
        let twice: Vec<&str> = STOP_WORDS
            .iter()
            .copied()
            .filter(|w| !seen.insert(*w))
            .collect();
        assert!(twice.is_empty(), "listed more than once: {twice:?}");
    }

    #[test]
    fn questions_lose_their_filler_and_keep_stemmed_topics() {
        let mut a = analyzer();
        assert_eq!(
            terms(&mut a, "How do I keep Redis in sync with Postgres?"),
            ["keep", "redi", "sync", "postgr"]
        );
        assert_eq!(
            terms(&mut a, "What's the best way to do it?"),
            Vec::<String>::new()
        );
        assert_eq!(
            terms(&mut a, "Élasticsearch INDEXES"),
            ["elasticsearch", "index"]
        );
    }

    #[test]
    fn token_spans_point_at_the_original_words() {
        let mut a = analyzer();
        let text = "Les caches: Redis’s TTL";
        let spans: Vec<_> = tokens(&mut a, text)
            .into_iter()
            .map(|t| &text[t.span])
            .collect();
        assert_eq!(spans, ["Les", "caches", "Redis", "TTL"]);
    }
}
