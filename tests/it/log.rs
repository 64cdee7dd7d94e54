//! The question log on real SQLite files in temporary folders: migrations, concurrent writers,
//! an unavailable database, the spool, a crash, and the review commands.

use std::io::{BufRead as _, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use sqlx::{Connection as _, SqliteConnection};
use stackbot::Engine;
use stackbot::knowledge::{self, BaseUrl};
use stackbot::log::{
    self, Event, Interaction, LogConfig, LogStatus, Origin, QuestionFilter, QuestionLog, Record,
};
use stackbot::{HitLimit, Question};

use crate::helpers::{fixture_engine, lock};

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_time()
        .build()
        .expect("runtime")
}

/// An ask row as the bot would log it, answered by `engine`.
fn ask(engine: &Engine, text: &str, user: Option<u64>) -> Record {
    let question = Question::parse(text).expect("question");
    let answer = engine.ask(&question, HitLimit::DEFAULT).expect("ask");
    let origin = Origin {
        guild_id: Some(1),
        channel_id: Some(2),
        user_id: user,
    };
    Record::new(Event::Ask(Interaction::from_answer(
        &answer,
        origin,
        Duration::from_millis(3),
    )))
}

fn all_since_epoch() -> QuestionFilter {
    QuestionFilter {
        since_ms: 0,
        until_ms: i64::MAX,
        limit: 1_000_000,
        ..QuestionFilter::default()
    }
}

async fn count_rows(path: &Path) -> usize {
    let mut review = log::open_for_review(path).await.expect("open");
    review
        .questions(&all_since_epoch())
        .await
        .expect("rows")
        .len()
}

/// A log started on `config` with one row committed (so the file and its schema exist).
async fn started_with_one_row(config: LogConfig, engine: &Engine) -> QuestionLog {
    let log = QuestionLog::start(config);
    assert!(
        log.record(ask(engine, "outbox", None))
            .committed_within(Duration::from_secs(10))
            .await
    );
    log
}

fn quick(path: &Path) -> LogConfig {
    let mut config = LogConfig::new(path);
    config.busy_timeout = Duration::from_millis(50);
    config
}

#[test]
fn a_new_file_is_created_migrated_and_written() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log.db");
    let engine = fixture_engine();
    rt().block_on(async {
        let log = QuestionLog::start(LogConfig::new(&path));
        let receipt = log.record(ask(
            &engine,
            "how long should a redis session ttl be",
            Some(7),
        ));
        assert!(receipt.committed_within(Duration::from_secs(10)).await);
        let report = log.shutdown(Duration::from_secs(5)).await;
        assert_eq!((report.committed, report.spooled), (1, 0));

        let mut review = log::open_for_review(&path).await.unwrap();
        let rows = review.questions(&all_since_epoch()).await.unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].command, "ask");
        assert!(rows[0].answered);
        assert_eq!(rows[0].top_guide.as_deref(), Some("redis-sessions"));
        assert_eq!(rows[0].guild_id.as_deref(), Some("1"));

        // The asker is stored as a salted hash, never as the raw id.
        let mut conn = SqliteConnection::connect(&format!("sqlite:{}", path.display()))
            .await
            .unwrap();
        let (hash, raw): (String, Option<String>) =
            sqlx::query_as("SELECT asker_hash, asker_id FROM interactions")
                .fetch_one(&mut conn)
                .await
                .unwrap();
        assert_eq!(hash.len(), 64);
        assert_ne!(hash, "7");
        assert_eq!(raw, None);
        let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(&mut conn)
            .await
            .unwrap();
        assert_eq!(mode, "wal");
    });
}

#[test]
fn review_commands_work_on_an_empty_file_and_refuse_a_missing_one() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.db");
    std::fs::write(&empty, b"").unwrap();
    let engine = fixture_engine();
    rt().block_on(async {
        let mut review = log::open_for_review(&empty)
            .await
            .expect("an empty file is migrated");
        assert!(
            review
                .questions(&all_since_epoch())
                .await
                .unwrap()
                .is_empty()
        );
        let stats = review.stats(0, i64::MAX).await.unwrap();
        assert_eq!((stats.asks, stats.median_latency_ms), (0, None));
        assert!(review.gaps(&engine, 0, i64::MAX).await.unwrap().is_empty());
        assert_eq!(
            review.replay(&engine, 0, i64::MAX).await.unwrap().replayed,
            0
        );

        let missing = log::open_for_review(&dir.path().join("nope.db")).await;
        let message = missing.err().expect("missing file").to_string();
        assert!(message.contains("no question log at"), "{message}");
    });
}

#[test]
fn many_tasks_logging_at_once_lose_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log.db");
    rt().block_on(async {
        let log = QuestionLog::start(LogConfig::new(&path));
        let mut tasks = Vec::new();
        for t in 0..20 {
            let log = log.clone();
            tasks.push(tokio::spawn(async move {
                let mut receipts = Vec::new();
                for n in 0..250 {
                    let row = Interaction {
                        question: format!("task {t} question {n}"),
                        origin: Origin::default(),
                        answered: true,
                        top_guide: None,
                        top_score: None,
                        top_coverage: None,
                        hits: Vec::new(),
                        latency_ms: 1.0,
                    };
                    receipts.push(log.record(Record::new(Event::Ask(row))));
                }
                for receipt in receipts {
                    assert!(receipt.committed_within(Duration::from_secs(30)).await);
                }
            }));
        }
        for task in tasks {
            task.await.unwrap();
        }
        let report = log.shutdown(Duration::from_secs(5)).await;
        assert_eq!(report.committed, 5000);
        assert_eq!(count_rows(&path).await, 5000);
    });
}

#[test]
fn a_locked_database_keeps_the_rows_and_writes_them_when_it_is_back() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log.db");
    let engine = fixture_engine();
    rt().block_on(async {
        let log = started_with_one_row(quick(&path), &engine).await;

        let mut holder = lock(&path).await;
        let receipts: Vec<_> = (0..10)
            .map(|n| log.record(ask(&engine, &format!("session ttl {n}"), None)))
            .collect();
        wait_for_status(&log, |s| !s.writable && s.pending == 10).await;

        sqlx::query("COMMIT").execute(&mut holder).await.unwrap();
        drop(holder);
        for receipt in receipts {
            assert!(receipt.committed_within(Duration::from_secs(15)).await);
        }
        assert!(log.status().unwrap().writable);
        log.shutdown(Duration::from_secs(5)).await;
        assert_eq!(count_rows(&path).await, 11);
    });
}

#[test]
fn rows_unwritten_at_shutdown_go_to_the_spool_and_are_written_once_at_the_next_start() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log.db");
    let config = quick(&path);
    let engine = fixture_engine();
    rt().block_on(async {
        let log = started_with_one_row(config.clone(), &engine).await;
        let mut holder = lock(&path).await;
        for n in 0..5 {
            let _ = log.record(ask(&engine, &format!("cache ttl {n}"), None));
        }
        let report = log.shutdown(Duration::from_millis(300)).await;
        assert_eq!((report.spooled, report.lost), (5, 0));
        let spool = report.spool.expect("a spool file");
        assert_eq!(log::spool::files(&path), std::slice::from_ref(&spool));
        let spooled = std::fs::read_to_string(&spool).unwrap();
        sqlx::query("ROLLBACK").execute(&mut holder).await.unwrap();
        drop(holder);

        // The next start replays it; the file goes once its rows are in.
        let log = QuestionLog::start(config.clone());
        let report = log.shutdown(Duration::from_secs(10)).await;
        assert_eq!((report.committed, report.spooled), (5, 0));
        assert!(log::spool::files(&path).is_empty());
        assert_eq!(count_rows(&path).await, 6);

        // Replaying the same rows again, from the file name older versions used, inserts nothing
        // twice.
        std::fs::write(config.spool_path(), spooled).unwrap();
        let log = QuestionLog::start(config);
        log.shutdown(Duration::from_secs(10)).await;
        assert_eq!(count_rows(&path).await, 6);
        assert!(log::spool::files(&path).is_empty());
    });
}

#[test]
fn writers_spooling_at_the_same_time_each_keep_their_rows() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log.db");
    let engine = fixture_engine();
    rt().block_on(async {
        let log = started_with_one_row(quick(&path), &engine).await;
        log.shutdown(Duration::from_secs(5)).await;
        let mut holder = lock(&path).await;
        // Twenty writers (as twenty `ask --log` processes or the bot and a few CLIs would be),
        // each with two rows, all stopping while the database is locked.
        let mut stops = Vec::new();
        for w in 0..20 {
            let log = QuestionLog::start(quick(&path));
            let _ = log.record(ask(&engine, &format!("redis ttl {w}"), None));
            let _ = log.record(ask(&engine, &format!("outbox relay {w}"), None));
            stops.push(tokio::spawn(async move {
                log.shutdown(Duration::from_millis(200)).await
            }));
        }
        for stop in stops {
            let report = stop.await.unwrap();
            assert_eq!((report.spooled, report.lost), (2, 0), "{report:?}");
        }
        assert_eq!(log::spool::files(&path).len(), 20);
        sqlx::query("ROLLBACK").execute(&mut holder).await.unwrap();
        drop(holder);

        let log = QuestionLog::start(quick(&path));
        let report = log.shutdown(Duration::from_secs(10)).await;
        assert_eq!(report.committed, 40);
        assert!(log::spool::files(&path).is_empty());
        assert_eq!(count_rows(&path).await, 41);
    });
}

#[test]
fn a_damaged_spool_line_is_set_aside_and_the_rest_is_replayed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log.db");
    let engine = fixture_engine();
    let good: Vec<String> = (0..3)
        .map(|n| serde_json::to_string(&ask(&engine, &format!("cache ttl {n}"), None)).unwrap())
        .collect();
    let mut bytes = Vec::new();
    bytes.extend_from_slice(good[0].as_bytes());
    bytes.extend_from_slice(b"\n{\"uid\": \"broken\xff\xfe\"}\n");
    bytes.extend_from_slice(good[1].as_bytes());
    bytes.extend_from_slice(b"\nnot json at all\n");
    bytes.extend_from_slice(good[2].as_bytes());
    bytes.push(b'\n');
    std::fs::write(dir.path().join("log.db.spool"), &bytes).unwrap();
    rt().block_on(async {
        let log = QuestionLog::start(quick(&path));
        let report = log.shutdown(Duration::from_secs(10)).await;
        assert_eq!(report.committed, 3);
        assert_eq!(count_rows(&path).await, 3);
    });
    assert!(log::spool::files(&path).is_empty());
    let rejected = std::fs::read(log::spool::rejected_path(&path)).unwrap();
    assert_eq!(
        rejected,
        b"{\"uid\": \"broken\xff\xfe\"}\nnot json at all\n".to_vec()
    );
}

#[test]
fn a_row_that_cannot_be_spooled_is_reported_lost_not_kept() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("no").join("such").join("log.db");
    let engine = fixture_engine();
    rt().block_on(async {
        let log = QuestionLog::start(quick(&path));
        let _ = log.record(ask(&engine, "redis ttl", None));
        let report = log.shutdown(Duration::from_millis(300)).await;
        assert_eq!((report.spooled, report.lost), (0, 1), "{report:?}");
        assert_eq!(report.spool, None);
    });
}

#[test]
fn every_row_reported_committed_survives_a_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log.db");
    let mut child = Command::new(env!("CARGO_BIN_EXE_stackbot"))
        .arg("--database")
        .arg(&path)
        .args(["log-load", "--count", "1000000"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start stackbot log-load");
    let stdout = child.stdout.take().unwrap();
    let mut reported = Vec::new();
    let started = Instant::now();
    for line in BufReader::new(stdout).lines() {
        let line = line.unwrap();
        if let Some(uid) = line.strip_prefix("committed ") {
            reported.push(uid.to_owned());
        }
        if reported.len() >= 20_000 || started.elapsed() > Duration::from_mins(1) {
            break;
        }
    }
    child.kill().expect("SIGKILL"); // `kill` sends SIGKILL on Unix
    child.wait().unwrap();
    assert!(
        reported.len() >= 1000,
        "only {} rows reported",
        reported.len()
    );

    rt().block_on(async {
        let mut conn = SqliteConnection::connect(&format!("sqlite:{}", path.display()))
            .await
            .unwrap();
        let uids: Vec<String> = sqlx::query_scalar("SELECT uid FROM interactions")
            .fetch_all(&mut conn)
            .await
            .unwrap();
        let present: std::collections::HashSet<String> = uids.into_iter().collect();
        let lost: Vec<&String> = reported.iter().filter(|u| !present.contains(*u)).collect();
        assert!(lost.is_empty(), "{} reported rows missing", lost.len());
    });
}

#[test]
fn votes_are_one_per_person_and_can_change() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log.db");
    let engine = fixture_engine();
    rt().block_on(async {
        let log = QuestionLog::start(LogConfig::new(&path));
        let question = ask(&engine, "how long should a redis session ttl be", Some(1));
        let uid = question.uid.clone();
        let _ = log.record(question);
        let vote = |user: u64, vote: i8| {
            Record::new(Event::Feedback {
                interaction: uid.clone(),
                origin: Origin {
                    user_id: Some(user),
                    ..Origin::default()
                },
                vote,
            })
        };
        let _ = log.record(vote(5, 1));
        let _ = log.record(vote(5, -1));
        let last = log.record(vote(6, 1));
        assert!(last.committed_within(Duration::from_secs(10)).await);
        log.shutdown(Duration::from_secs(5)).await;

        let mut review = log::open_for_review(&path).await.unwrap();
        let stats = review.stats(0, i64::MAX).await.unwrap();
        assert_eq!(stats.votes.len(), 1);
        assert_eq!(
            (stats.votes[0].up, stats.votes[0].down),
            (1, 1),
            "{stats:?}"
        );
        assert_eq!(stats.votes[0].guide, "redis-sessions");
    });
}

#[test]
fn forget_removes_only_that_persons_rows_and_purge_only_old_ones() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log.db");
    let engine = fixture_engine();
    rt().block_on(async {
        let log = QuestionLog::start(LogConfig::new(&path));
        let mut old = ask(&engine, "outbox", Some(2));
        old.at_ms -= 200 * 86_400_000;
        let mine = ask(&engine, "redis session ttl", Some(1));
        let vote_on = mine.uid.clone();
        for record in [
            mine,
            ask(&engine, "cache aside", Some(1)),
            ask(&engine, "cache aside", Some(2)),
            old,
        ] {
            let _ = log.record(record);
        }
        // Their own vote, and another member's vote on their question: both go with them.
        for voter in [1, 3] {
            let _ = log.record(Record::new(Event::Feedback {
                interaction: vote_on.clone(),
                origin: Origin {
                    user_id: Some(voter),
                    ..Origin::default()
                },
                vote: 1,
            }));
        }
        let last = log.record(Record::new(Event::Feedback {
            interaction: vote_on,
            origin: Origin {
                user_id: Some(2),
                ..Origin::default()
            },
            vote: -1,
        }));
        assert!(last.committed_within(Duration::from_secs(10)).await);
        log.shutdown(Duration::from_secs(5)).await;

        let mut review = log::open_for_review(&path).await.unwrap();
        assert_eq!(review.forget(1).await.unwrap(), (2, 3));
        assert_eq!(review.forget(1).await.unwrap(), (0, 0));
        let now = log::now_ms();
        assert_eq!(review.purge(now - 180 * 86_400_000).await.unwrap(), (1, 0));
        let left = review.questions(&all_since_epoch()).await.unwrap();
        assert_eq!(left.len(), 1);
        assert_eq!(left[0].question, "cache aside");
    });
}

#[test]
fn gaps_group_paraphrased_questions_into_topics() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log.db");
    let engine = fixture_engine();
    let questions = [
        // Kubernetes operators for Postgres.
        "how do I run postgres on kubernetes with an operator",
        "best kubernetes operator for postgres",
        "postgres operator kubernetes backups",
        "is cloudnativepg a good kubernetes operator",
        // MySQL replication lag.
        "mysql replication lag keeps growing",
        "why is my mysql replica lagging",
        "mysql replica lag monitoring",
        // GraphQL.
        "graphql federation with several databases",
        "graphql resolvers hitting too many databases",
    ];
    rt().block_on(async {
        let log = QuestionLog::start(LogConfig::new(&path));
        for q in questions {
            let record = ask(&engine, q, None);
            let Event::Ask(row) = &record.event else {
                unreachable!()
            };
            assert!(!row.answered, "the fixture guides should not answer {q:?}");
            let _ = log.record(record);
        }
        log.shutdown(Duration::from_secs(10)).await;

        let mut review = log::open_for_review(&path).await.unwrap();
        let topics = review.gaps(&engine, 0, i64::MAX).await.unwrap();
        // Each topic: its size and a word it must be labelled with, as members wrote it (the
        // analysed stem of "kubernetes" is "kubernet"; "databases" is "databas").
        let expected = [(4, "kubernetes"), (3, "mysql"), (2, "databases")];
        assert_eq!(topics.len(), expected.len(), "{topics:#?}");
        for (topic, (count, word)) in topics.iter().zip(expected) {
            assert_eq!(topic.count, count, "{topics:#?}");
            assert!(topic.terms.iter().any(|t| t == word), "{topics:#?}");
        }
        assert_eq!(topics[0].unanswered, 4);
        assert!(topics[0].examples.len() <= 3);
        for topic in &topics {
            assert!(
                !topic
                    .terms
                    .iter()
                    .any(|t| t == "kubernet" || t == "databas"),
                "{topics:#?}"
            );
        }
    });
}

#[test]
fn replay_shows_questions_a_new_guide_now_answers() {
    let dir = tempfile::tempdir().unwrap();
    let knowledge_dir = dir.path().join("knowledge");
    copy_dir(Path::new("tests/fixtures/knowledge"), &knowledge_dir);
    let path = dir.path().join("log.db");
    let load = |dir: &Path| {
        let loaded = knowledge::load(dir).expect("knowledge");
        Engine::new(loaded.knowledge, BaseUrl::default()).expect("index")
    };
    let before = load(&knowledge_dir);
    rt().block_on(async {
        let log = QuestionLog::start(LogConfig::new(&path));
        let _ = log.record(ask(
            &before,
            "how do kafka consumer groups share partitions",
            None,
        ));
        let _ = log.record(ask(&before, "how long should a redis session ttl be", None));
        log.shutdown(Duration::from_secs(10)).await;
    });
    std::fs::write(
        knowledge_dir.join("guides/kafka-basics.md"),
        "+++\ntitle = \"Kafka consumer groups\"\nsummary = \"How consumer groups share partitions.\"\ntags = [\"kafka\"]\n+++\n\n## Consumer groups and partitions\n\nEach partition of a Kafka topic is read by one consumer of a consumer group at a time, so a group shares the partitions among its consumers.\n",
    )
    .unwrap();
    let after = load(&knowledge_dir);
    rt().block_on(async {
        let mut review = log::open_for_review(&path).await.unwrap();
        let replay = review.replay(&after, 0, i64::MAX).await.unwrap();
        assert_eq!(replay.replayed, 2);
        assert_eq!(replay.now_answered.len(), 1, "{replay:#?}");
        assert_eq!(
            replay.now_answered[0].after.as_deref(),
            Some("kafka-basics")
        );
        assert_eq!(replay.unchanged, 1);
        assert!(replay.lost.is_empty() && replay.changed.is_empty());
    });
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn a_deleted_database_file_is_created_again_and_no_commit_goes_into_the_void() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log.db");
    let engine = fixture_engine();
    rt().block_on(async {
        let log = QuestionLog::start(LogConfig::new(&path));
        let first = log.record(ask(&engine, "outbox", None));
        assert!(first.committed_within(Duration::from_secs(10)).await);
        for suffix in ["", "-wal", "-shm"] {
            let mut name = path.as_os_str().to_owned();
            name.push(suffix);
            let _ = std::fs::remove_file(std::path::PathBuf::from(name));
        }
        let second = log.record(ask(&engine, "session ttl", None));
        assert!(second.committed_within(Duration::from_secs(10)).await);
        // Read while the writer still has its connection open.
        let mut review = log::open_for_review(&path).await.unwrap();
        let rows = review.questions(&all_since_epoch()).await.unwrap();
        assert_eq!(
            rows.len(),
            1,
            "the new file holds the row written after the deletion"
        );
        assert_eq!(rows[0].question, "session ttl");
        log.shutdown(Duration::from_secs(5)).await;
    });
}

#[test]
fn raw_user_ids_are_kept_only_when_the_operator_opts_in() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log.db");
    let engine = fixture_engine();
    rt().block_on(async {
        let mut config = LogConfig::new(&path);
        config.store_raw_ids = true;
        let log = QuestionLog::start(config);
        assert!(
            log.record(ask(&engine, "outbox", Some(42)))
                .committed_within(Duration::from_secs(10))
                .await
        );
        log.shutdown(Duration::from_secs(5)).await;
        let mut conn = SqliteConnection::connect(&format!("sqlite:{}", path.display()))
            .await
            .unwrap();
        let raw: Option<String> = sqlx::query_scalar("SELECT asker_id FROM interactions")
            .fetch_one(&mut conn)
            .await
            .unwrap();
        assert_eq!(raw.as_deref(), Some("42"));
    });
}

#[test]
fn a_database_that_cannot_be_opened_is_reported_before_any_question_and_again_when_it_can() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("not-yet");
    let path = folder.join("log.db");
    rt().block_on(async {
        let log = QuestionLog::start(LogConfig::new(&path));
        wait_for_status(&log, |s| !s.writable).await;
        std::fs::create_dir_all(&folder).unwrap();
        wait_for_status(&log, |s| s.writable).await;
        assert!(path.exists(), "created once its folder exists");
        log.shutdown(Duration::from_secs(5)).await;
    });
}

/// Polls the log's status until `wanted` holds, failing after 20 seconds: the writer reports
/// what it saw at its own pace, faster or slower with the machine's load.
async fn wait_for_status(log: &QuestionLog, wanted: impl Fn(&LogStatus) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let status = log.status();
        if status.as_ref().is_some_and(&wanted) {
            return;
        }
        assert!(Instant::now() < deadline, "last status: {status:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[test]
fn a_replayed_spool_row_is_stored_as_logging_would_store_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log.db");
    let engine = fixture_engine();
    let mut record = ask(&engine, "cache ttl", None);
    if let Event::Ask(interaction) = &mut record.event {
        interaction.question = "cache\u{0}ttl \u{202E}evil".into();
    }
    let line = serde_json::to_string(&record).unwrap() + "\n";
    std::fs::write(dir.path().join("log.db.spool"), line).unwrap();
    rt().block_on(async {
        let log = QuestionLog::start(quick(&path));
        assert_eq!(log.shutdown(Duration::from_secs(10)).await.committed, 1);
        let mut review = log::open_read_only(&path).await.unwrap();
        let rows = review.questions(&all_since_epoch()).await.unwrap();
        assert_eq!(rows[0].question, "cache ttl evil");
    });
}
