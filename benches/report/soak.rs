//! The question log under faults, at process level, and `replay`'s cost as the log grows.
//!
//! - Soak: ten `stackbot log-load` processes write 10,000 rows each into one SQLite file while
//!   this process holds the database locked for random stretches. When they have exited, a
//!   start replays whatever they spooled; every row must then be in the log, once.
//! - Replay: `stackbot replay` over logs of 5,000 and 20,000 rows (the same 200 questions asked
//!   again and again, so the SQL, not the engine, is what grows); time per row should not grow
//!   with the log (it did quadratically before).

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use sqlx::Connection as _;
use stackbot::Engine;
use stackbot::log::{self, Event, Interaction, LogConfig, Origin, QuestionLog, Record};

pub const SOAK_PROCESSES: usize = 10;
pub const SOAK_ROWS: usize = 10_000;

/// What the soak found.
pub struct Soak {
    pub expected: usize,
    pub present: usize,
    pub distinct: usize,
    pub locked_stretches: usize,
    pub locked_for: Duration,
    pub spool_files: usize,
    pub took: Duration,
}

pub async fn soak() -> Soak {
    let dir = tempfile::tempdir().expect("temp dir");
    let database = dir.path().join("soak.db");
    // The schema first, so the lock holder has a file to lock.
    let seed = QuestionLog::start(LogConfig::new(&database));
    seed.shutdown(Duration::from_secs(10)).await;

    let started = Instant::now();
    let mut children: Vec<_> = (0..SOAK_PROCESSES)
        .map(|_| {
            Command::new(env!("CARGO_BIN_EXE_stackbot"))
                .arg("--database")
                .arg(&database)
                .args(["log-load", "--count", &SOAK_ROWS.to_string()])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("start stackbot log-load")
        })
        .collect();
    let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite:{}", database.display()))
        .await
        .expect("open the soak log");
    let mut locked_stretches = 0;
    let mut locked_for = Duration::ZERO;
    let mut rng = fastrand::Rng::with_seed(7);
    while children
        .iter_mut()
        .any(|c| c.try_wait().expect("child").is_none())
    {
        tokio::time::sleep(Duration::from_millis(rng.u64(100..600))).await;
        let stretch = Duration::from_millis(rng.u64(200..1500));
        if sqlx::query("BEGIN EXCLUSIVE")
            .execute(&mut conn)
            .await
            .is_ok()
        {
            tokio::time::sleep(stretch).await;
            let _ = sqlx::query("ROLLBACK").execute(&mut conn).await;
            locked_stretches += 1;
            locked_for += stretch;
        }
    }
    drop(conn);
    let spool_files = log::spool::files(&database).len();
    // The next start replays what the writers spooled.
    let replay = QuestionLog::start(LogConfig::new(&database));
    replay.shutdown(Duration::from_mins(1)).await;
    let took = started.elapsed();

    let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite:{}", database.display()))
        .await
        .expect("open the soak log");
    let present: i64 = sqlx::query_scalar("SELECT count(*) FROM interactions")
        .fetch_one(&mut conn)
        .await
        .expect("count");
    let distinct: i64 = sqlx::query_scalar("SELECT count(DISTINCT uid) FROM interactions")
        .fetch_one(&mut conn)
        .await
        .expect("count");
    Soak {
        expected: SOAK_PROCESSES * SOAK_ROWS,
        present: usize::try_from(present).unwrap_or(0),
        distinct: usize::try_from(distinct).unwrap_or(0),
        locked_stretches,
        locked_for,
        spool_files,
        took,
    }
}

/// `replay`'s time per logged row, for a small and a four-times larger log.
pub struct ReplayScaling {
    pub rows: [usize; 2],
    pub took: [Duration; 2],
}

impl ReplayScaling {
    /// How much more each row costs in the larger log: about 1 when replay is linear, about 4
    /// when it is quadratic.
    pub fn growth(&self) -> f64 {
        let per_row = |i: usize| self.took[i].as_secs_f64() / self.rows[i] as f64;
        per_row(1) / per_row(0)
    }
}

pub async fn replay_scaling(engine: &Engine) -> ReplayScaling {
    let rows = [5_000, 20_000];
    let mut took = [Duration::ZERO; 2];
    for (i, &n) in rows.iter().enumerate() {
        let dir = tempfile::tempdir().expect("temp dir");
        let database = dir.path().join("replay.db");
        fill(&database, n).await;
        let mut review = log::open_read_only(&database).await.expect("open");
        let started = Instant::now();
        let replay = review.replay(engine, 0, i64::MAX).await.expect("replay");
        took[i] = started.elapsed();
        assert_eq!(replay.replayed, 200);
    }
    ReplayScaling { rows, took }
}

/// `n` asks of 200 distinct questions, spread over a month.
async fn fill(database: &Path, n: usize) {
    let log = QuestionLog::start(LogConfig::new(database));
    let now = log::now_ms();
    for i in 0..n {
        let mut record = Record::new(Event::Ask(Interaction {
            question: format!(
                "how do I keep redis in sync with postgres, case {}",
                i % 200
            ),
            origin: Origin::default(),
            answered: i % 3 != 0,
            top_guide: Some("redis-cache-aside".into()),
            top_score: Some(20.0),
            top_coverage: Some(0.9),
            hits: Vec::new(),
            latency_ms: 1.0,
        }));
        record.at_ms = now - i64::try_from(i).unwrap_or(0) * 100;
        let _ = log.record(record);
    }
    let report = log.shutdown(Duration::from_mins(2)).await;
    assert_eq!(report.committed, n as u64);
}
