//! Retrieval quality on the real guides: recall@1, recall@3 and MRR over the labelled questions,
//! and how many off-topic questions get an answer. Two sets: `tests/eval/` (the one the answered
//! rule was calibrated on, held to the targets of the answer-engine issue and a floor) and
//! `tests/eval/holdout/` (written afterwards from the guides alone, held to a floor).

use std::collections::BTreeMap;

use stackbot::eval::{EvalSet, Labelled};
use stackbot::{Engine, HitLimit, Question};

use crate::helpers::real_engine;

/// The targets of the answer-engine issue.
const TARGET_RECALL_AT_1: f64 = 0.75;
const TARGET_RECALL_AT_3: f64 = 0.90;

/// Floors at what the engine reaches today (0.960 on the evaluation set, 0.924 on the held-out
/// one), a little below so that a new guide shifting one question does not fail the build, but a
/// real regression does.
const FLOOR_RECALL_AT_3: f64 = 0.95;
const HOLDOUT_FLOOR_RECALL_AT_3: f64 = 0.91;

/// On the held-out set, 8 of 50 off-topic questions are answered: near misses that borrow our
/// words ("a first physiotherapy session", "a python virtual environment on windows"); see
/// README, "Retrieval quality". More is a regression.
const HOLDOUT_MAX_OFF_TOPIC_ANSWERED: usize = 8;

/// The 1-based rank of the first hit from an expected guide, if any of the three shown is one.
fn rank(engine: &Engine, case: &Labelled) -> (Option<usize>, Vec<String>) {
    let question = Question::parse(&case.q).expect("labelled questions are valid");
    let answer = engine.ask(&question, HitLimit::DEFAULT).expect("ask");
    let guides: Vec<String> = answer.hits.into_iter().map(|h| h.guide).collect();
    let rank = guides
        .iter()
        .position(|g| case.expect.contains(g))
        .map(|i| i + 1);
    (rank, guides)
}

struct Figures {
    recall1: f64,
    recall3: f64,
    answered_off_topic: Vec<String>,
}

/// Runs one evaluation set and prints its figures, misses and answered off-topic questions.
fn measure(engine: &Engine, dir: &str) -> Figures {
    let EvalSet {
        labelled,
        off_topic,
    } = EvalSet::load(dir.as_ref()).expect("evaluation set");
    let (mut at1, mut at3, mut reciprocal) = (0.0, 0.0, 0.0);
    let mut by_style: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut misses = Vec::new();
    for case in &labelled {
        for slug in &case.expect {
            let known = engine.knowledge().guides.iter().any(|g| &g.slug == slug);
            assert!(known, "{:?} expects unknown guide {slug}", case.q);
        }
        let (rank, got) = rank(engine, case);
        let style = by_style.entry(case.style.as_str()).or_default();
        style.0 += 1;
        if let Some(r) = rank {
            at1 += f64::from(r == 1);
            at3 += 1.0;
            reciprocal += 1.0 / r as f64;
            style.1 += 1;
        }
        if rank != Some(1) {
            misses.push(format!(
                "  {:?} expects {:?}, got {got:?}",
                case.q, case.expect
            ));
        }
    }
    let n = labelled.len() as f64;
    let (recall1, recall3, mrr) = (at1 / n, at3 / n, reciprocal / n);
    let answered_off_topic: Vec<String> = off_topic
        .iter()
        .filter_map(|case| {
            let (_, got) = rank(engine, case);
            got.first().map(|g| format!("  {:?} → {g}", case.q))
        })
        .collect();

    println!(
        "{dir}: {} questions: recall@1 {recall1:.3}, recall@3 {recall3:.3}, MRR {mrr:.3}",
        labelled.len()
    );
    for (style, (total, found)) in &by_style {
        println!("  {style:<13} {found}/{total} in the top 3");
    }
    println!(
        "off-topic answered: {}/{}",
        answered_off_topic.len(),
        off_topic.len()
    );
    println!("{}", answered_off_topic.join("\n"));
    println!("not first:\n{}", misses.join("\n"));
    assert!(
        labelled.len() >= 29 && off_topic.len() >= 20,
        "{dir}: too few questions"
    );
    Figures {
        recall1,
        recall3,
        answered_off_topic,
    }
}

#[test]
fn retrieval_meets_the_recall_targets_and_ignores_off_topic_questions() {
    let engine = real_engine();
    let set = EvalSet::load("tests/eval".as_ref()).expect("evaluation set");
    assert!(
        set.labelled.len() >= 120,
        "need at least 120 labelled questions"
    );
    let figures = measure(&engine, "tests/eval");
    assert!(
        figures.recall1 >= TARGET_RECALL_AT_1,
        "recall@1 {:.3} < {TARGET_RECALL_AT_1}",
        figures.recall1
    );
    assert!(
        figures.recall3 >= TARGET_RECALL_AT_3.max(FLOOR_RECALL_AT_3),
        "recall@3 {:.3} < {FLOOR_RECALL_AT_3}",
        figures.recall3
    );
    assert!(
        figures.answered_off_topic.is_empty(),
        "off-topic questions answered:\n{}",
        figures.answered_off_topic.join("\n")
    );
}

#[test]
fn retrieval_holds_up_on_questions_it_was_not_tuned_on() {
    let figures = measure(&real_engine(), "tests/eval/holdout");
    assert!(
        figures.recall1 >= TARGET_RECALL_AT_1,
        "held-out recall@1 {:.3}",
        figures.recall1
    );
    assert!(
        figures.recall3 >= HOLDOUT_FLOOR_RECALL_AT_3,
        "held-out recall@3 {:.3} < {HOLDOUT_FLOOR_RECALL_AT_3}",
        figures.recall3
    );
    assert!(
        figures.answered_off_topic.len() <= HOLDOUT_MAX_OFF_TOPIC_ANSWERED,
        "held-out off-topic questions answered:\n{}",
        figures.answered_off_topic.join("\n")
    );
}
