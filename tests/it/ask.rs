//! `ask` over the fixture corpus: what members see.

use std::path::Path;

use stackbot::excerpt::MAX_EXCERPT_CHARS;
use stackbot::knowledge::{self, BaseUrl, SynonymGroup};
use stackbot::{Engine, HitLimit, Question};

use crate::helpers::{copy_knowledge_from, fixture_engine, fixture_knowledge, real_engine};

fn ask(question: &str) -> stackbot::Answer {
    ask_with(&fixture_engine(), question)
}

fn ask_with(engine: &Engine, question: &str) -> stackbot::Answer {
    engine
        .ask(
            &Question::parse(question).expect("valid question"),
            HitLimit::DEFAULT,
        )
        .expect("ask")
}

#[test]
fn ask_returns_the_sync_guide_for_a_misspelt_question() {
    let answer = ask("how do I keep elasticsearh in sync with postgress?");
    assert!(answer.answered, "{answer:#?}");
    assert_eq!(answer.hits[0].guide, "sync-search");
    assert!(
        answer.hits[0]
            .url
            .starts_with("https://polyglotstack.dev/guides/sync-search#")
    );
}

#[test]
fn abbreviations_reach_the_product_they_stand_for() {
    let answer = ask("pg to es dual writes");
    assert_eq!(
        answer.hits.first().map(|h| h.guide.as_str()),
        Some("sync-search")
    );
    assert_eq!(
        answer.hits[0].url,
        "https://polyglotstack.dev/guides/sync-search#why-dual-writes-lose-updates"
    );
}

#[test]
fn synonyms_of_a_word_find_the_section_that_uses_the_other_word() {
    let answer = ask("session expiration");
    assert_eq!(answer.hits[0].section, "Choosing a TTL");
    assert!(
        answer.hits[0].excerpt.contains("**TTL**"),
        "{}",
        answer.hits[0].excerpt
    );
}

#[test]
fn an_off_topic_question_is_not_answered() {
    for question in [
        "how do I bake sourdough bread",
        "best graphics card for gaming",
        "the of and",
    ] {
        let answer = ask(question);
        assert!(!answer.answered, "{question}: {answer:#?}");
        assert!(answer.hits.is_empty());
    }
}

#[test]
fn one_guide_never_fills_every_slot_while_another_answers() {
    let answer = ask("redis expire key");
    let guides: Vec<_> = answer.hits.iter().map(|h| h.guide.as_str()).collect();
    assert_eq!(guides[..2], ["redis-sessions", "redis-cache"], "{guides:?}");
}

#[test]
fn excerpts_stay_within_the_limit_and_bold_the_matches() {
    let answer = ask("outbox relay retrying");
    let hit = &answer.hits[0];
    assert_eq!(hit.guide, "sync-search");
    assert!(hit.excerpt.chars().count() <= MAX_EXCERPT_CHARS);
    assert!(hit.excerpt.contains("**outbox**"), "{}", hit.excerpt);
}

#[test]
fn a_title_only_match_shows_the_opening_of_the_section() {
    let answer = ask("caching postgres reads");
    let hit = answer
        .hits
        .iter()
        .find(|h| h.guide == "redis-cache")
        .expect("redis-cache hit");
    assert!(!hit.excerpt.is_empty());
}

#[test]
fn the_json_answer_has_exactly_the_fields_of_the_spec() {
    let answer = ask("session ttl");
    let json = serde_json::to_value(&answer).expect("json");
    let mut keys: Vec<_> = json.as_object().expect("object").keys().cloned().collect();
    keys.sort();
    assert_eq!(keys, ["answered", "hits", "question"]);
    let mut hit_keys: Vec<_> = json["hits"][0]
        .as_object()
        .expect("hit")
        .keys()
        .cloned()
        .collect();
    hit_keys.sort();
    assert_eq!(
        hit_keys,
        ["excerpt", "guide", "score", "section", "title", "url"]
    );
}

#[test]
fn a_word_inside_a_longer_synonym_phrase_does_not_make_a_question_on_topic() {
    // "age" appears once, in running text ("stale rows age out"): ordinary English that says
    // little about the topic. Naming it inside a longer phrase of the synonym file must not
    // change that, or "aged cheese" finds the caching guide.
    let mut knowledge = fixture_knowledge();
    let plain = Engine::new(knowledge.clone(), BaseUrl::default()).expect("index");
    knowledge.synonyms.groups.push(SynonymGroup {
        terms: vec!["age limit".into()],
        means: vec!["ttl".into()],
        line: 1,
    });
    let with_phrase = Engine::new(knowledge, BaseUrl::default()).expect("index");
    for engine in [&plain, &with_phrase] {
        let answer = ask_with(engine, "aged cheese");
        assert!(!answer.answered, "{answer:#?}");
    }
    // The phrase itself still works: a question that uses it also searches for what it means.
    let answer = ask_with(&with_phrase, "age limit for cached rows");
    assert!(
        answer.hits.iter().any(|h| h.excerpt.contains("**TTL**")),
        "{answer:#?}"
    );
}

#[test]
fn a_section_with_the_question_words_side_by_side_ranks_above_one_with_them_apart() {
    // Both sections hold "similarity", "search" and "table"; the one that scatters them is the
    // shorter, so on single words alone it would rank first.
    let dir = tempfile::tempdir().expect("temp dir");
    let folder = copy_knowledge_from(Path::new("tests/fixtures/knowledge"), dir.path());
    std::fs::write(
        folder.join("guides/vector-scans.md"),
        r#"+++
title = "Nearest rows in PostgreSQL"
summary = "Two ways to find the nearest rows."
tags = ["nearest"]
databases = ["postgresql"]
reviewed = 2026-11-25
tested_with = ["PostgreSQL 17"]
+++

## Scoring every row

A similarity score is computed for each row of the table, then the search sorts them.

## An approximate index

An approximate index answers a similarity search without reading the whole table, and keeps
answering in milliseconds when the table has grown to millions of rows.
"#,
    )
    .expect("write guide");
    let loaded = knowledge::load(&folder).expect("knowledge folder");
    assert!(loaded.problems.is_empty(), "{:#?}", loaded.problems);
    let engine = Engine::new(loaded.knowledge, BaseUrl::default()).expect("index");
    let answer = ask_with(&engine, "similarity search of a whole table");
    assert_eq!(
        answer.hits.first().map(|h| h.section.as_str()),
        Some("An approximate index"),
        "{answer:#?}"
    );
}

#[test]
fn two_common_words_that_are_rarely_side_by_side_answer_together() {
    // "outbox" and "table" are each in too many sections of the real guides to be specific, and
    // the section headed "The outbox table" holds no other word of the question. The pair is
    // found in few sections, so that section answers.
    let answer = ask_with(
        &real_engine(),
        "how do I stop my outbox table from growing forever?",
    );
    assert!(answer.answered, "{answer:#?}");
    assert_eq!(answer.hits[0].guide, "transactional-outbox", "{answer:#?}");
}

#[test]
fn discord_markup_around_a_question_does_not_sink_it_and_the_log_keeps_the_original() {
    let engine = real_engine();
    let raw = "@everyone <@123> [click me](https://evil.example) how do redis sessions expire";
    let answer = ask_with(&engine, raw);
    assert!(answer.answered, "{answer:#?}");
    assert_eq!(answer.hits[0].guide, "redis-sessions");
    assert_eq!(answer.question, raw, "the original text is what is logged");
}

#[test]
fn link_lists_are_never_shown() {
    let engine = real_engine();
    let answer = ask_with(&engine, "how do I keep elasticsearch in sync with postgres");
    assert!(answer.answered, "{answer:#?}");
    assert_eq!(answer.hits[0].guide, "sync-postgres-elasticsearch");
    for hit in &answer.hits {
        assert!(!hit.id.ends_with("#related-guides"), "{}", hit.id);
    }
    let navigation = stackbot::eval::navigation_ids(engine.knowledge());
    assert_eq!(
        navigation.len(),
        engine.knowledge().guides.len(),
        "every guide's Related guides section, and only those, is navigation: {navigation:?}"
    );
    assert!(navigation.iter().all(|id| id.ends_with("#related-guides")));
}

#[test]
fn developer_chatter_that_borrows_a_guide_word_is_not_answered() {
    let engine = real_engine();
    // "git rebase vs merge for a feature branch" (Neon's branches) and "a python virtualenv on
    // windows" (sliding windows) are still answered: known failures, see README.
    for chatter in [
        "react useEffect runs twice",
        "how do I bake sourdough bread",
    ] {
        let answer = ask_with(&engine, chatter);
        assert!(!answer.answered, "{chatter}: {:?}", answer.hits);
    }
}

#[test]
fn an_answer_whose_best_passage_is_code_shows_a_code_block_with_its_language() {
    let engine = real_engine();
    let answer = ask_with(
        &engine,
        "CREATE TABLE outbox id bigserial aggregate_id payload jsonb created_at",
    );
    let code = answer
        .hits
        .iter()
        .find(|h| h.excerpt.contains("```"))
        .unwrap_or_else(|| panic!("no code excerpt: {:#?}", answer.hits));
    assert!(code.excerpt.contains("```sql\n"), "{}", code.excerpt);
    assert!(code.excerpt.ends_with("```"), "{}", code.excerpt);
    assert!(
        !code.excerpt.contains("\\_"),
        "no escaping inside code: {}",
        code.excerpt
    );
    assert!(code.excerpt.chars().count() <= stackbot::excerpt::MAX_CODE_EXCERPT_CHARS);
}

#[test]
fn the_lexical_only_mode_answers_without_vectors() {
    let loaded = knowledge::load(Path::new("knowledge")).expect("knowledge");
    let engine = Engine::build(
        loaded.knowledge,
        BaseUrl::default(),
        stackbot::Retrieval::Lexical,
    )
    .expect("index");
    assert_eq!(engine.retrieval(), stackbot::Retrieval::Lexical);
    let answer = ask_with(&engine, "how long should a session last in redis");
    assert!(answer.answered);
    assert_eq!(answer.hits[0].guide, "redis-sessions");
    assert!(!ask_with(&engine, "how do I bake sourdough bread").answered);
}
