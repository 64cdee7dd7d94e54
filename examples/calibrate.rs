//! Calibration of the answered rule: for a grid of (guide-coverage factor, threshold, coverage
//! exponent) prints recall@1, recall@3, MRR and how many off-topic questions would be answered.
//! `cargo run --release --example calibrate`.

use serde::Deserialize;
use stackbot::knowledge;
use stackbot::search::{Candidate, SearchIndex};

#[derive(Deserialize)]
struct Labelled {
    #[serde(default)]
    question: Vec<Case>,
    #[serde(default)]
    off_topic: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    q: String,
    #[serde(default)]
    expect: Vec<String>,
}

fn main() -> anyhow::Result<()> {
    let k = knowledge::load("knowledge".as_ref())?.knowledge;
    let index = SearchIndex::build(&k)?;
    let mut runs: Vec<(bool, Vec<String>, Vec<Candidate>, String)> = Vec::new();
    for file in ["tests/eval/questions.toml", "tests/eval/off_topic.toml"] {
        let l: Labelled = toml::from_str(&std::fs::read_to_string(file)?)?;
        for c in l.question.into_iter().chain(l.off_topic) {
            let r = index.search(&c.q)?;
            let wins: Vec<f32> = r.candidates.iter().map(|c| {
                let g = &k.guides[c.section.guide];
                let sct = &g.sections[c.section.section];
                let tags = g.tags.join(" ");
                let dbs: Vec<&str> = g.database_ids().collect();
                let dbs = dbs.join(" ");
                index.window_coverage(&r, &[&g.title, &sct.heading, &tags, &dbs], &sct.text)
            }).collect();
            let mut cands = r.candidates.clone();
            let best = r.candidates.iter().map(|c| c.bm25).fold(0.0_f32, f32::max).max(1e-6);
            for (c, _w) in cands.iter_mut().zip(wins) { c.raw_coverage = c.bm25 / best; }
            runs.push((c.expect.is_empty(), c.expect, cands, c.q));
        }
    }
    let verbose = std::env::args().nth(1);
    if let Some(q) = std::env::args().nth(2) {
        for (_, _, cands, qq) in &runs {
            if *qq != q { continue; }
            for c in cands.iter().filter(|c| c.section_coverage >= 0.35) {
                println!("{:<32} s{:<2} bm25 {:.2} sec {:.2} guide {:.2} win {:.2}", k.guides[c.section.guide].slug, c.section.section, c.bm25, c.section_coverage, c.guide_coverage, c.raw_coverage);
            }
        }
        return Ok(());
    }
    let mut results = Vec::new();
    for ts in [0.5_f32] {
        for tg in [0.6_f32] {
            for tmin in [0.4_f32] { for traw in [0.6_f32] {
                let pass = |c: &Candidate| c.raw_coverage >= traw && (c.section_coverage >= ts || (c.guide_coverage >= tg && c.section_coverage >= tmin));
                let (mut n, mut a1, mut a3, mut rr, mut off) = (0.0, 0.0, 0.0, 0.0, 0);
                for (is_off, expect, cands, q) in &runs {
                    let mut ranked: Vec<(f32, usize)> = cands
                        .iter()
                        .filter(|c| pass(c))
                        .map(|c| (c.bm25 * c.section_coverage.max(c.guide_coverage * 0.7).powi(2), c.section.guide))
                        .collect();
                    ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
                    let mut guides: Vec<usize> = Vec::new();
                    for x in &ranked {
                        if !guides.contains(&x.1) {
                            guides.push(x.1);
                        }
                    }
                    guides.truncate(3);
                    if *is_off {
                        if !guides.is_empty() {
                            off += 1;
                            if verbose.is_some() { println!("   OFF answered: {q}  [{}]", terms_report(&index, q)); }
                        }
                        continue;
                    }
                    n += 1.0;
                    if let Some(p) = guides.iter().position(|g| expect.contains(&k.guides[*g].slug)) {
                        a3 += 1.0;
                        rr += 1.0 / (p as f64 + 1.0);
                        if p == 0 { a1 += 1.0; }
                    } else if verbose.is_some() {
                        println!("   miss: {q}  [{}]", terms_report(&index, q));
                    }
                }
                results.push((off, a3 / n, a1 / n, rr / n, ts, tg, tmin, traw));
            } }
        }
    }
    results.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.total_cmp(&a.1)));
    for (off, r3, r1, mrr, ts, tg, tmin, traw) in results.iter().take(12) {
        println!("off {off} r@3 {r3:.3} r@1 {r1:.3} mrr {mrr:.3}  raw>={traw} and (section>={ts} or (guide>={tg} and section>={tmin}))");
    }
    Ok(())
}

/// Prints each question's analysed terms with their document frequency.
#[allow(dead_code)]
pub fn terms_report(index: &SearchIndex, q: &str) -> String {
    index
        .terms(q)
        .iter()
        .map(|t| format!("{t}:{}", index.doc_freq(t).unwrap_or(0)))
        .collect::<Vec<_>>()
        .join(" ")
}
