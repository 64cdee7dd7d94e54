//! Property: any text up to 6,000 characters is a question the engine answers without error,
//! with excerpts inside the limit.

use proptest::prelude::*;
use stackbot::excerpt::MAX_EXCERPT_CHARS;
use stackbot::{HitLimit, Question};

use crate::helpers::fixture_engine;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_text_gets_an_answer_within_limits(text in prop_oneof![
        ".{0,6000}",
        "[()^:*\"~+\\-!{}\\[\\] a-zA-Z]{0,2000}",
        "(redis|postgres|ttl|sync|cache|AND|OR|NOT|C\\+\\+|\\(|\\)|🔥|مرحبا| ){0,400}",
    ]) {
        let engine = fixture_engine();
        match Question::parse(&text) {
            Err(_) => prop_assert!(text.trim().is_empty() || text.chars().all(|c| c.is_control() || c.is_whitespace())),
            Ok(question) => {
                let answer = engine.ask(&question, HitLimit::DEFAULT).expect("ask never fails on input");
                prop_assert!(answer.hits.len() <= 3);
                prop_assert_eq!(answer.answered, !answer.hits.is_empty());
                for hit in &answer.hits {
                    prop_assert!(hit.excerpt.chars().count() <= MAX_EXCERPT_CHARS);
                }
            }
        }
    }
}
