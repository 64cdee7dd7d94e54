//! The data behind the fusion and the answered rule.
//!
//! `cargo run --release --example calibrate -- [--lexical] [--fusion K,LEX,SEM,HEAD]
//! [--features FILE.csv] [--misses] [QUESTION]`
//!
//! Without a question: the figures of every development set (`tests/eval`, `tests/eval/holdout`,
//! `tests/eval/discord`; never the sealed set, which is only run by `cargo bench --bench
//! report`), and with `--features` one CSV row per question with what the answered rule reads of
//! its best-ranked section, to study a rule before changing [`stackbot::answer::answers`]. With
//! a question: its fused ranking, candidate by candidate.

use std::fmt::Write as _;

use stackbot::answer::{Fusion, Ranked, Retrieval};
use stackbot::eval::{EvalSet, evaluate};
use stackbot::knowledge::{self, BaseUrl};
use stackbot::{Engine, HitLimit, Question};

const SETS: [&str; 3] = ["tests/eval", "tests/eval/holdout", "tests/eval/discord"];

fn main() -> anyhow::Result<()> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut take = |flag: &str| -> Option<String> {
        let i = args.iter().position(|a| a == flag)?;
        args.remove(i);
        (i < args.len()).then(|| args.remove(i))
    };
    let features = take("--features");
    let fusion = take("--fusion").map(|f| parse_fusion(&f)).transpose()?;
    let flag = |args: &mut Vec<String>, name: &str| {
        let found = args.iter().position(|a| a == name);
        found.map(|i| args.remove(i)).is_some()
    };
    let lexical = flag(&mut args, "--lexical");
    let misses = flag(&mut args, "--misses");
    let retrieval = if lexical {
        Retrieval::Lexical
    } else {
        Retrieval::Hybrid
    };
    let loaded = knowledge::load("knowledge".as_ref())?;
    let mut engine = Engine::build(loaded.knowledge, BaseUrl::default(), retrieval)?;
    let fusion = fusion.unwrap_or_else(|| engine.fusion());
    engine.set_fusion(fusion);

    if !args.is_empty() {
        let q = args.join(" ");
        let ranking = engine.rank(&q, &fusion)?;
        let answer = engine.ask(&Question::parse(&q)?, HitLimit::DEFAULT)?;
        println!(
            "{q}\n  cleaned: {}\n  answered: {}",
            stackbot::clean::for_retrieval(&q),
            answer.answered
        );
        for r in ranking.ranked.iter().take(8) {
            println!("  {}", describe(&engine, r));
        }
        return Ok(());
    }

    let mut csv = String::from(
        "set,kind,correct_top,answered,specific,coverage,sentence_sim,best_sim,heading_sim,fused,lexical_rank,semantic_rank,top,q\n",
    );
    for dir in SETS {
        let set = EvalSet::load(dir.as_ref())?;
        let report = evaluate(&engine, &set);
        println!("{dir}: {report}");
        for (q, id) in &report.off_topic_answered {
            println!("    off-topic answered: {q:?} → {id}");
        }
        if misses {
            for m in &report.misses {
                println!(
                    "    miss: {:?}\n      want {:?}\n      got  {:?}",
                    m.q, m.expected, m.shown
                );
            }
        }
        if features.is_some() {
            write_features(&engine, &fusion, dir, &set, &mut csv)?;
        }
    }
    if let Some(path) = features {
        std::fs::write(&path, csv)?;
        println!("features written to {path}");
    }
    Ok(())
}

fn describe(engine: &Engine, r: &Ranked) -> String {
    let guide = &engine.knowledge().guides[r.section.guide];
    format!(
        "{:<70} fused {:.4} lex#{:<3} sem#{:<3} bm25 {:>6.2} cov {:.2}{} sim {:.2} sent {:.2} head {:.2}",
        stackbot::answer::section_id(guide, &guide.sections[r.section.section]),
        r.fused,
        r.lexical_rank.map_or("-".into(), |x| x.to_string()),
        r.semantic_rank.map_or("-".into(), |x| x.to_string()),
        r.lexical.bm25,
        r.lexical.coverage,
        if r.lexical.specific { " specific" } else { "" },
        r.similarity.best(),
        r.sentence_similarity,
        r.similarity.heading,
    )
}

fn parse_fusion(s: &str) -> anyhow::Result<Fusion> {
    let v: Vec<f32> = s.split(',').map(str::parse).collect::<Result<_, _>>()?;
    let [k, lexical, semantic, heading] = v[..] else {
        anyhow::bail!("--fusion takes K,LEX,SEM,HEAD");
    };
    Ok(Fusion {
        k,
        lexical,
        semantic,
        heading,
    })
}

/// One CSV row per question of `set`: what the answered rule reads of its best-ranked section.
fn write_features(
    engine: &Engine,
    fusion: &Fusion,
    dir: &str,
    set: &EvalSet,
    csv: &mut String,
) -> anyhow::Result<()> {
    let cases = set
        .labelled
        .iter()
        .map(|c| ("on", c))
        .chain(set.off_topic.iter().map(|c| ("off", c)));
    for (kind, case) in cases {
        let ranking = engine.rank(&case.q, fusion)?;
        let answered = engine
            .ask(&Question::parse(&case.q)?, HitLimit::DEFAULT)?
            .answered;
        let Some(top) = ranking.ranked.first() else {
            let _ = writeln!(csv, "{dir},{kind},0,0,0,0,0,0,0,0,,,,{:?}", case.q);
            continue;
        };
        let guide = &engine.knowledge().guides[top.section.guide];
        let id = stackbot::answer::section_id(guide, &guide.sections[top.section.section]);
        let _ = writeln!(
            csv,
            "{dir},{kind},{},{},{},{:.4},{:.4},{:.4},{:.4},{:.5},{},{},{id},{:?}",
            u8::from(case.sections.contains(&id)),
            u8::from(answered),
            u8::from(top.lexical.specific),
            top.lexical.coverage,
            top.sentence_similarity,
            top.similarity.best(),
            top.similarity.heading,
            top.fused,
            top.lexical_rank.map_or(String::new(), |r| r.to_string()),
            top.semantic_rank.map_or(String::new(), |r| r.to_string()),
            case.q.replace(['\n', '"'], " "),
        );
    }
    Ok(())
}
