//! `ask` over the fixture corpus: what members see.

use stackbot::excerpt::MAX_EXCERPT_CHARS;
use stackbot::knowledge::{BaseUrl, SynonymGroup};
use stackbot::{Engine, HitLimit, Question};

use crate::helpers::{fixture_engine, fixture_knowledge};

fn ask(question: &str) -> stackbot::Answer {
    fixture_engine()
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
    let question = Question::parse("aged cheese").expect("valid");
    let mut knowledge = fixture_knowledge();
    let plain = Engine::new(knowledge.clone(), BaseUrl::default()).expect("index");
    knowledge.synonyms.groups.push(SynonymGroup {
        terms: vec!["age limit".into()],
        means: vec!["ttl".into()],
        line: 1,
    });
    let with_phrase = Engine::new(knowledge, BaseUrl::default()).expect("index");
    for engine in [&plain, &with_phrase] {
        let answer = engine.ask(&question, HitLimit::DEFAULT).expect("ask");
        assert!(!answer.answered, "{answer:#?}");
    }
    // The phrase itself still works: a question that uses it also searches for what it means.
    let answer = with_phrase
        .ask(
            &Question::parse("age limit for cached rows").expect("valid"),
            HitLimit::DEFAULT,
        )
        .expect("ask");
    assert!(
        answer.hits.iter().any(|h| h.excerpt.contains("**TTL**")),
        "{answer:#?}"
    );
}
