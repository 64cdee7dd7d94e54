//! Question-log throughput: rows per second through `QuestionLog` with group commit (up to 1,024
//! rows per transaction) against one transaction per row, on real SQLite files.

use std::time::{Duration, Instant};

use stackbot::log::{Event, Interaction, LogConfig, Origin, QuestionLog, Record, ShownHit};

pub const ROWS: usize = 20_000;
const RUNS: usize = 3;

fn row(n: usize) -> Record {
    Record::new(Event::Ask(Interaction {
        question: format!("how do I keep redis in sync with postgres, take {n}"),
        origin: Origin {
            guild_id: Some(1_100_000_000_000_000_000),
            channel_id: Some(1_100_000_000_000_000_001),
            user_id: Some(1_000_000_000_000_000_000 + n as u64 % 500),
        },
        answered: true,
        top_guide: Some("redis-cache-aside".into()),
        top_score: Some(25.3),
        top_coverage: Some(0.9),
        hits: vec![
            ShownHit {
                guide: "redis-cache-aside".into(),
                section: "Keeping Redis in sync on writes".into(),
                score: 25.3,
            },
            ShownHit {
                guide: "cache-invalidation".into(),
                section: "Delete the key after the commit".into(),
                score: 12.1,
            },
        ],
        latency_ms: 0.6,
    }))
}

/// Rows per second for `rows` rows logged at once, each waited on, with at most `max_batch`
/// rows per transaction.
fn rate(rt: &tokio::runtime::Runtime, max_batch: usize, rows: usize) -> f64 {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = LogConfig::new(dir.path().join("bench.db"));
    config.max_batch = max_batch;
    rt.block_on(async {
        let log = QuestionLog::start(config);
        // Create and migrate the file before timing.
        assert!(
            log.record(row(0))
                .committed_within(Duration::from_secs(30))
                .await
        );
        let started = Instant::now();
        let receipts: Vec<_> = (1..=rows).map(|n| log.record(row(n))).collect();
        for receipt in receipts {
            assert!(receipt.committed_within(Duration::from_mins(10)).await);
        }
        let elapsed = started.elapsed();
        log.shutdown(Duration::from_secs(30)).await;
        #[allow(clippy::cast_precision_loss)] // row counts are far below 2^52
        let rows = rows as f64;
        rows / elapsed.as_secs_f64()
    })
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

/// (group commit, one transaction per row), rows per second, medians of three runs.
pub fn measure() -> (f64, f64) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_time()
        .build()
        .expect("runtime");
    let group: Vec<f64> = (0..RUNS).map(|_| rate(&rt, 1024, ROWS)).collect();
    // One transaction per row is slow: fewer rows give the same rate.
    let single: Vec<f64> = (0..RUNS).map(|_| rate(&rt, 1, ROWS / 10)).collect();
    (median(group), median(single))
}
