//! The same guide sections searched with SQLite FTS5 (porter stemming, bm25 ranking with the same
//! field weights) and with Stackbot's engine, on the same evaluation questions, in the same run:
//! recall@1, recall@3, off-topic questions "answered" (FTS5 has no answered rule: any match
//! counts) and per-question latency. Prints a Markdown table for docs/BENCHMARKS.md.
//! `cargo bench --bench fts5`.

use std::time::{Duration, Instant};

use sqlx::{Connection as _, Row as _, SqliteConnection};
use stackbot::eval::{EvalSet, Labelled};
use stackbot::knowledge::{self, BaseUrl, Knowledge};
use stackbot::{Engine, HitLimit, Question};

/// FTS5 column weights, in column order (title, heading, body, tags): the engine's field boosts.
const WEIGHTS: &str = "1.5, 2.0, 1.0, 1.5";

async fn fts5_index(knowledge: &Knowledge) -> SqliteConnection {
    let mut conn = SqliteConnection::connect("sqlite::memory:")
        .await
        .expect("memory db");
    sqlx::query(
        "CREATE VIRTUAL TABLE sections USING fts5(
             slug UNINDEXED, title, heading, body, tags, tokenize = 'porter unicode61')",
    )
    .execute(&mut conn)
    .await
    .expect("fts5 table");
    let mut tx = conn.begin().await.expect("begin");
    for guide in &knowledge.guides {
        for section in &guide.sections {
            sqlx::query("INSERT INTO sections VALUES (?, ?, ?, ?, ?)")
                .bind(&guide.slug)
                .bind(&guide.title)
                .bind(&section.heading)
                .bind(&section.text)
                .bind(guide.tags.join(" "))
                .execute(&mut *tx)
                .await
                .expect("insert");
        }
    }
    tx.commit().await.expect("commit");
    conn
}

/// The question as an FTS5 query: every word quoted (no syntax reaches FTS5), joined by `OR`.
fn fts5_query(question: &str) -> Option<String> {
    let words: Vec<String> = question
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(32)
        .map(|w| format!("\"{}\"", w.to_lowercase()))
        .collect();
    (!words.is_empty()).then(|| words.join(" OR "))
}

/// The first three distinct guides FTS5 ranks for `question`.
async fn fts5_top3(conn: &mut SqliteConnection, question: &str) -> Vec<String> {
    let Some(query) = fts5_query(question) else {
        return Vec::new();
    };
    let sql = format!(
        "SELECT slug FROM sections WHERE sections MATCH ? ORDER BY bm25(sections, 0.0, {WEIGHTS}) LIMIT 30"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(query)
        .fetch_all(conn)
        .await
        .expect("fts5 query");
    let mut guides: Vec<String> = Vec::new();
    for row in rows {
        let slug: String = row.get("slug");
        if !guides.contains(&slug) {
            guides.push(slug);
        }
        if guides.len() == 3 {
            break;
        }
    }
    guides
}

fn engine_top3(engine: &Engine, question: &str) -> Vec<String> {
    let Ok(question) = Question::parse(question) else {
        return Vec::new();
    };
    let answer = engine.ask(&question, HitLimit::DEFAULT).expect("ask");
    answer.hits.into_iter().map(|h| h.guide).collect()
}

#[derive(Default)]
struct Tally {
    at1: usize,
    at3: usize,
    off_topic_answered: usize,
    times: Vec<Duration>,
}

impl Tally {
    fn count(&mut self, case: &Labelled, got: &[String], took: Duration) {
        self.times.push(took);
        if case.expect.is_empty() {
            self.off_topic_answered += usize::from(!got.is_empty());
            return;
        }
        self.at1 += usize::from(got.first().is_some_and(|g| case.expect.contains(g)));
        self.at3 += usize::from(got.iter().any(|g| case.expect.contains(g)));
    }

    fn percentile(&mut self, per_mille: usize) -> Duration {
        self.times.sort_unstable();
        self.times[(self.times.len() - 1) * per_mille / 1000]
    }
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let knowledge = knowledge::load("knowledge".as_ref())
        .expect("knowledge")
        .knowledge;
    let set = EvalSet::load("tests/eval".as_ref()).expect("evaluation set");
    let labelled = set.labelled.len();
    let off_topic = set.off_topic.len();
    let cases: Vec<Labelled> = set.labelled.into_iter().chain(set.off_topic).collect();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("runtime");
    let started = Instant::now();
    let engine = Engine::new(knowledge.clone(), BaseUrl::default()).expect("index");
    let engine_build = started.elapsed();
    let (fts, fts_build) = rt.block_on(async {
        let started = Instant::now();
        let mut conn = fts5_index(&knowledge).await;
        let build = started.elapsed();
        let mut fts = Tally::default();
        for _ in 0..3 {
            fts = Tally::default();
            for case in &cases {
                let started = Instant::now();
                let got = fts5_top3(&mut conn, &case.q).await;
                fts.count(case, &got, started.elapsed());
            }
        }
        (fts, build)
    });
    let mut fts = fts;
    let mut ours = Tally::default();
    for _ in 0..3 {
        ours = Tally::default();
        for case in &cases {
            let started = Instant::now();
            let got = engine_top3(&engine, &case.q);
            ours.count(case, &got, started.elapsed());
        }
    }
    #[allow(clippy::cast_precision_loss)]
    let share = |n: usize| n as f64 / labelled as f64;
    println!("| | Stackbot (tantivy) | SQLite FTS5 (bm25) |");
    println!("|---|---|---|");
    println!("| index build (real guides) | {engine_build:.1?} | {fts_build:.1?} |");
    println!(
        "| recall@1 ({labelled} questions) | {:.3} | {:.3} |",
        share(ours.at1),
        share(fts.at1)
    );
    println!(
        "| recall@3 | {:.3} | {:.3} |",
        share(ours.at3),
        share(fts.at3)
    );
    println!(
        "| off-topic questions answered (of {off_topic}) | {} | {} |",
        ours.off_topic_answered, fts.off_topic_answered
    );
    println!(
        "| per question p50 / p99 | {:.2?} / {:.2?} | {:.2?} / {:.2?} |",
        ours.percentile(500),
        ours.percentile(990),
        fts.percentile(500),
        fts.percentile(990)
    );
}
