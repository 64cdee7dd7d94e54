//! The data behind the answered rule: for every labelled question that does not come first, and
//! every off-topic question that is answered, the top candidates with their BM25 and coverages.
//! `cargo run --release --example calibrate [question]`.

use stackbot::answer::{answers, select};
use stackbot::eval::EvalSet;
use stackbot::knowledge::{self, Knowledge};
use stackbot::search::{Candidate, SearchIndex};

fn show(k: &Knowledge, index: &SearchIndex, q: &str, candidates: &[Candidate]) {
    let terms: Vec<String> = index
        .terms(q)
        .into_iter()
        .map(|t| {
            let df = index.doc_freq(&t).unwrap_or(0);
            format!("{t}:{df}")
        })
        .collect();
    let answered = candidates.first().is_some_and(answers);
    println!(
        "{q}\n  {}; terms {}",
        if answered { "answered" } else { "not answered" },
        terms.join(" ")
    );
    for c in candidates.iter().take(
        std::env::var("TOP")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(5),
    ) {
        println!(
            "  {:<30} s{:<2} bm25 {:>6.2} coverage {:.2} (section {:.2} guide {:.2}) {}",
            k.guides[c.section.guide].slug,
            c.section.section,
            c.bm25,
            c.coverage,
            c.section_coverage,
            c.guide_coverage,
            if c.specific { "specific" } else { "" }
        );
    }
}

fn main() -> anyhow::Result<()> {
    let dir = std::env::var("KNOWLEDGE").unwrap_or_else(|_| "knowledge".into());
    let k = knowledge::load(dir.as_ref())?.knowledge;
    let index = SearchIndex::build(&k)?;
    if let Some(q) = std::env::args().nth(1) {
        show(&k, &index, &q, &index.search(&q)?.candidates);
        return Ok(());
    }
    let set = EvalSet::load("tests/eval".as_ref())?;
    {
        for case in set.labelled.iter().chain(&set.off_topic) {
            let result = index.search(&case.q)?;
            let shown = select(&result.candidates, 3);
            let first = shown
                .first()
                .map(|c| k.guides[c.section.guide].slug.clone());
            let off_topic = case.expect.is_empty();
            let wrong = if off_topic {
                first.is_some()
            } else {
                first.is_none_or(|g| !case.expect.contains(&g))
            };
            if wrong {
                println!(
                    "{} expects {:?}",
                    if off_topic { "OFF-TOPIC" } else { "MISS" },
                    case.expect
                );
                show(&k, &index, &case.q, &result.candidates);
            }
        }
    }
    Ok(())
}
