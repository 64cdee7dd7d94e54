//! Stackbot against SQLite FTS5 on the same sections and the same labelled questions.
//!
//! FTS5 indexes every section (title, heading, body, tags) with `porter unicode61` stemming and
//! ranks with `bm25`, first with its default weights (every column 1.0), then with the engine's
//! field boosts. Each question goes to FTS5 as its words quoted and joined by `OR`, so no syntax
//! reaches it. Sections are grouped into guides the way the engine groups its hits. FTS5 has no
//! answered rule: any match counts as an answer.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use sqlx::{Connection as _, Row as _, SqliteConnection};
use stackbot::answer::section_id;
use stackbot::eval::Labelled;
use stackbot::knowledge::Knowledge;
use stackbot::{Engine, HitLimit, Question};

use crate::stats::Times;

/// Guides ranked per question (the engine's largest hit limit).
const DEPTH: usize = 10;

/// bm25 weights in column order (slug, title, heading, body, tags).
pub enum Weights {
    /// FTS5's default: every column 1.0.
    Default,
    /// The engine's field boosts: title 1.5, heading 2.0, body 1.0, tags 1.5.
    Engine,
}

impl Weights {
    fn sql(&self) -> &'static str {
        match self {
            Self::Default => "bm25(sections)",
            Self::Engine => "bm25(sections, 0.0, 1.5, 2.0, 1.0, 1.5)",
        }
    }
}

/// An FTS5 index of every section.
pub struct Fts5 {
    conn: SqliteConnection,
}

impl Fts5 {
    pub async fn build(knowledge: &Knowledge) -> Self {
        let mut conn = SqliteConnection::connect("sqlite::memory:")
            .await
            .expect("memory db");
        sqlx::query(
            "CREATE VIRTUAL TABLE sections USING fts5(
                 slug UNINDEXED, title, heading, body, tags, id UNINDEXED,
                 tokenize = 'porter unicode61')",
        )
        .execute(&mut conn)
        .await
        .expect("fts5 table");
        let mut tx = conn.begin().await.expect("begin");
        for guide in &knowledge.guides {
            for section in &guide.sections {
                sqlx::query("INSERT INTO sections VALUES (?, ?, ?, ?, ?, ?)")
                    .bind(&guide.slug)
                    .bind(&guide.title)
                    .bind(&section.heading)
                    .bind(&section.text)
                    .bind(guide.tags.join(" "))
                    .bind(section_id(guide, section))
                    .execute(&mut *tx)
                    .await
                    .expect("insert");
            }
        }
        tx.commit().await.expect("commit");
        Self { conn }
    }

    /// The sections FTS5 shows for `question`, grouped into guides as the engine groups its hits
    /// (the first section of each of the first ten guides): (guide, section id).
    pub async fn rank(&mut self, question: &str, weights: &Weights) -> Vec<(String, String)> {
        let words: Vec<String> = question
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .take(32)
            .map(|w| format!("\"{}\"", w.to_lowercase()))
            .collect();
        if words.is_empty() {
            return Vec::new();
        }
        let sql = format!(
            "SELECT slug, id FROM sections WHERE sections MATCH ? ORDER BY {} LIMIT 100",
            weights.sql()
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(words.join(" OR "))
            .fetch_all(&mut self.conn)
            .await
            .expect("fts5 query");
        let mut shown: Vec<(String, String)> = Vec::new();
        for row in rows {
            let slug: String = row.get("slug");
            if !shown.iter().any(|(g, _)| *g == slug) {
                shown.push((slug, row.get("id")));
            }
            if shown.len() == DEPTH {
                break;
            }
        }
        shown
    }
}

/// The sections the engine answers `question` with (none when it says no guide covers it):
/// (guide, section id).
pub fn engine_rank(engine: &Engine, question: &str) -> Vec<(String, String)> {
    let Ok(question) = Question::parse(question) else {
        return Vec::new();
    };
    let limit = HitLimit::new(DEPTH).unwrap_or(HitLimit::DEFAULT);
    let answer = engine.ask(&question, limit).expect("ask");
    answer.hits.into_iter().map(|h| (h.guide, h.id)).collect()
}

/// The sections of the engine's ranking, grouped as its hits are, with the answered rule left
/// out: what the ranking alone would show.
pub fn ranking_only(engine: &Engine, question: &str) -> Vec<(String, String)> {
    let Ok(ranking) = engine.rank(question, &engine.fusion()) else {
        return Vec::new();
    };
    stackbot::answer::group(&ranking.ranked, DEPTH)
        .into_iter()
        .map(|r| {
            let guide = &engine.knowledge().guides[r.section.guide];
            (
                guide.slug.clone(),
                section_id(guide, &guide.sections[r.section.section]),
            )
        })
        .collect()
}

/// Retrieval quality and latency over one question set.
#[derive(Default)]
pub struct Quality {
    pub labelled: usize,
    pub answered: usize,
    pub section1: usize,
    pub section3: usize,
    pub navigation: usize,
    pub at1: usize,
    pub at3: usize,
    pub reciprocal: f64,
    pub off_topic: usize,
    pub off_topic_answered: usize,
    pub times: Times,
}

impl Quality {
    /// Counts one question; `shown` is (guide, section id) best first, `navigation` the ids of
    /// link-list sections.
    pub fn count(
        &mut self,
        case: &Labelled,
        shown: &[(String, String)],
        navigation: &HashSet<String>,
        took: Duration,
    ) {
        self.times.push(took);
        self.navigation += shown
            .iter()
            .take(3)
            .filter(|(_, id)| navigation.contains(id))
            .count();
        if case.expect.is_empty() {
            self.off_topic += 1;
            self.off_topic_answered += usize::from(!shown.is_empty());
            return;
        }
        self.labelled += 1;
        self.answered += usize::from(!shown.is_empty());
        let labelled = |(_, id): &(String, String)| case.sections.contains(id);
        self.section1 += usize::from(shown.first().is_some_and(labelled));
        self.section3 += usize::from(shown.iter().take(3).any(labelled));
        let mut got: Vec<&String> = Vec::new();
        for (g, _) in shown {
            if !got.contains(&g) {
                got.push(g);
            }
        }
        let rank = got.iter().position(|g| case.expect.contains(g));
        self.at1 += usize::from(rank == Some(0));
        self.at3 += usize::from(rank.is_some_and(|r| r < 3));
        #[allow(clippy::cast_precision_loss)]
        let reciprocal = rank.map_or(0.0, |r| 1.0 / (r + 1) as f64);
        self.reciprocal += reciprocal;
    }

    #[allow(clippy::cast_precision_loss)]
    pub fn share(&self, n: usize) -> f64 {
        n as f64 / self.labelled.max(1) as f64
    }

    #[allow(clippy::cast_precision_loss)]
    pub fn recall1(&self) -> f64 {
        self.at1 as f64 / self.labelled as f64
    }

    #[allow(clippy::cast_precision_loss)]
    pub fn recall3(&self) -> f64 {
        self.at3 as f64 / self.labelled as f64
    }

    #[allow(clippy::cast_precision_loss)]
    pub fn mrr(&self) -> f64 {
        self.reciprocal / self.labelled as f64
    }
}

/// The rankers over `cases`, each question timed; three passes, the last one kept (the first
/// two warm the caches).
pub struct Comparison {
    pub ours: Quality,
    pub lexical: Quality,
    pub ranking: Quality,
    pub fts_default: Quality,
    pub fts_engine: Quality,
}

/// `engine` (hybrid) and `lexical` (the same guides, lexical-only) against FTS5.
pub async fn compare(
    engine: &Engine,
    lexical: &Engine,
    fts: &mut Fts5,
    cases: &[Labelled],
) -> Comparison {
    let navigation = stackbot::eval::navigation_ids(engine.knowledge());
    let mut result = None;
    for _ in 0..3 {
        let mut ours = Quality::default();
        let mut lexical_only = Quality::default();
        let mut ranking = Quality::default();
        let mut fts_default = Quality::default();
        let mut fts_engine = Quality::default();
        for case in cases {
            let started = Instant::now();
            let got = engine_rank(engine, &case.q);
            ours.count(case, &got, &navigation, started.elapsed());
            let started = Instant::now();
            let got = engine_rank(lexical, &case.q);
            lexical_only.count(case, &got, &navigation, started.elapsed());
            let started = Instant::now();
            let got = ranking_only(engine, &case.q);
            ranking.count(case, &got, &navigation, started.elapsed());
            let started = Instant::now();
            let got = fts.rank(&case.q, &Weights::Default).await;
            fts_default.count(case, &got, &navigation, started.elapsed());
            let started = Instant::now();
            let got = fts.rank(&case.q, &Weights::Engine).await;
            fts_engine.count(case, &got, &navigation, started.elapsed());
        }
        result = Some(Comparison {
            ours,
            lexical: lexical_only,
            ranking,
            fts_default,
            fts_engine,
        });
    }
    result.expect("three passes")
}
