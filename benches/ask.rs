//! Benchmarks: index build and `ask` (search plus excerpts) on the real guides and on a synthetic
//! corpus 100× larger, with per-question latency percentiles. A naive baseline (a lower-cased
//! substring scan of every section for every question word) runs in the same process so the
//! figures can be quoted as ratios. `cargo bench --bench ask`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group};
use stackbot::eval::EvalSet;
use stackbot::knowledge::{self, BaseUrl, Knowledge, synthetic};
use stackbot::{Engine, HitLimit, Question};

fn real_knowledge() -> Knowledge {
    knowledge::load("knowledge".as_ref())
        .expect("knowledge")
        .knowledge
}

/// The labelled and off-topic questions, plus a few hostile ones: the mixed query set.
fn questions() -> Vec<Question> {
    let set = EvalSet::load("tests/eval".as_ref()).expect("evaluation set");
    let mut texts: Vec<String> = set
        .labelled
        .into_iter()
        .chain(set.off_topic)
        .map(|c| c.q)
        .collect();
    texts.push("(".repeat(1000));
    texts.push("redis postgres elasticsearch sync cache session ".repeat(100));
    texts
        .iter()
        .filter_map(|t| Question::parse(t).ok())
        .collect()
}

/// The baseline: for each question word, a substring scan of every section.
fn naive_scan(knowledge: &Knowledge, lowered: &[String], question: &str) -> usize {
    let words: Vec<String> = question.split_whitespace().map(str::to_lowercase).collect();
    lowered
        .iter()
        .enumerate()
        .max_by_key(|(_, text)| words.iter().filter(|w| text.contains(w.as_str())).count())
        .map_or(0, |(i, _)| i % knowledge.guides.len().max(1))
}

/// The 50th and 99th percentiles (nearest rank).
fn percentiles(mut samples: Vec<Duration>) -> (Duration, Duration) {
    samples.sort();
    let at = |percent: usize| samples[(samples.len() - 1) * percent / 100];
    (at(50), at(99))
}

fn report_latency(name: &str, engine: &Engine, knowledge: &Knowledge, questions: &[Question]) {
    let lowered: Vec<String> = knowledge
        .guides
        .iter()
        .flat_map(|g| g.sections.iter().map(|s| s.text.to_lowercase()))
        .collect();
    let (mut ask, mut naive) = (Vec::new(), Vec::new());
    for _ in 0..5 {
        for q in questions {
            let start = Instant::now();
            black_box(engine.ask(q, HitLimit::DEFAULT).expect("ask"));
            ask.push(start.elapsed());
            let start = Instant::now();
            black_box(naive_scan(knowledge, &lowered, q.as_str()));
            naive.push(start.elapsed());
        }
    }
    let (p50, p99) = percentiles(ask);
    let (n50, n99) = percentiles(naive);
    println!(
        "{name}: ask p50 {p50:?} p99 {p99:?} | naive scan p50 {n50:?} p99 {n99:?} | ask/naive p50 {:.2}×",
        p50.as_secs_f64() / n50.as_secs_f64()
    );
}

fn benches(c: &mut Criterion) {
    let real = real_knowledge();
    let large = synthetic::expand(&real, 100, 42);
    let questions = questions();

    let mut build = c.benchmark_group("build");
    build.sample_size(10);
    build.bench_function("real guides", |b| {
        b.iter(|| Engine::new(real.clone(), BaseUrl::default()).expect("index"));
    });
    build.bench_function("100x synthetic", |b| {
        b.iter(|| Engine::new(large.clone(), BaseUrl::default()).expect("index"));
    });
    build.finish();

    let real_engine = Engine::new(real.clone(), BaseUrl::default()).expect("index");
    let large_engine = Engine::new(large.clone(), BaseUrl::default()).expect("index");
    let mut ask = c.benchmark_group("ask (mixed question set, per question)");
    for (name, engine) in [
        ("real guides", &real_engine),
        ("100x synthetic", &large_engine),
    ] {
        let mut i = 0;
        ask.bench_function(name, |b| {
            b.iter(|| {
                i = (i + 1) % questions.len();
                engine.ask(&questions[i], HitLimit::DEFAULT).expect("ask")
            });
        });
    }
    ask.finish();

    report_latency("real guides", &real_engine, &real, &questions);
    report_latency("100x synthetic", &large_engine, &large, &questions);
}

criterion_group!(ask_benches, benches);

fn main() {
    ask_benches();
    Criterion::default().configure_from_args().final_summary();
}
