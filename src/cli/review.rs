//! The question-log subcommands: `--log` on ask and recommend, and the maintainers' review
//! commands (`questions`, `stats`, `gaps`, `replay`, `purge`, `forget`).

use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;
use clap::Args;

use super::{Config, load_engine, print};
use crate::log::{
    self, Event, Format, Interaction, LogConfig, Origin, QuestionFilter, QuestionLog, Record,
    Review,
};
use crate::render::review as show;

/// How long `--log` waits for the row to be committed before giving up on this run (the row is
/// then in the spool file, written at the next start).
const COMMIT_WAIT: Duration = Duration::from_secs(5);

/// How long the writer keeps trying at exit before it spools what is left.
const SHUTDOWN_WAIT: Duration = Duration::from_secs(2);

fn parse_time(s: &str) -> Result<i64, String> {
    log::parse_time(s, log::now_ms())
}

/// The period a review command covers.
#[derive(Debug, Clone, Args)]
pub struct Period {
    /// From when: a duration back from now (7d, 12h, 30m), a date (2026-11-01) or an RFC 3339
    /// time.
    #[arg(long, value_parser = parse_time)]
    pub since: Option<i64>,
    /// Until when (exclusive), in the same forms; now by default.
    #[arg(long, value_parser = parse_time)]
    pub until: Option<i64>,
}

impl Period {
    /// The window as Unix milliseconds, `since` inclusive, `until` exclusive; an error when it
    /// is empty (`--since 7d --until 30d`), rather than a silent empty answer.
    fn bounds(&self, default_since: &str) -> anyhow::Result<(i64, i64)> {
        let now = log::now_ms();
        let since = self
            .since
            .unwrap_or_else(|| log::parse_time(default_since, now).unwrap_or(0));
        // Rows stamped in the same millisecond as the command still count.
        let until = self.until.unwrap_or(now + 1);
        if since >= until {
            anyhow::bail!(
                "the time window is empty: --since is not before --until (the later of the two \
                 is the more recent; `--since 30d --until 7d` is the week from 30 to 7 days ago)"
            );
        }
        Ok((since, until))
    }
}

/// `stackbot questions`.
#[derive(Debug, Clone, Args)]
pub struct QuestionsArgs {
    /// Time window (default: the last 7 days).
    #[command(flatten)]
    pub period: Period,
    /// Only `ask` or only `recommend`.
    #[arg(long, value_parser = ["ask", "recommend"])]
    pub command: Option<String>,
    /// Only questions no guide answered.
    #[arg(long)]
    pub unanswered: bool,
    /// Only questions from this Discord server.
    #[arg(long)]
    pub guild: Option<u64>,
    /// Most rows to print, newest first.
    #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub limit: u32,
    /// table, csv or json.
    #[arg(long, default_value = "table")]
    pub format: Format,
}

/// `stackbot stats`.
#[derive(Debug, Clone, Args)]
pub struct StatsArgs {
    /// Time window (default: the last 30 days).
    #[command(flatten)]
    pub period: Period,
    /// table, csv (one sheet: a `kind` column of total, day and guide rows) or json.
    #[arg(long, default_value = "table")]
    pub format: Format,
}

/// `stackbot gaps`.
#[derive(Debug, Clone, Args)]
pub struct GapsArgs {
    /// Time window (default: the last 30 days).
    #[command(flatten)]
    pub period: Period,
    /// table, csv or json.
    #[arg(long, default_value = "table")]
    pub format: Format,
}

/// `stackbot replay`.
#[derive(Debug, Clone, Args)]
pub struct ReplayArgs {
    /// Time window (default: the last 30 days).
    #[command(flatten)]
    pub period: Period,
    /// table, csv (one row per changed question) or json.
    #[arg(long, default_value = "table")]
    pub format: Format,
}

/// `stackbot purge`.
#[derive(Debug, Clone, Args)]
pub struct PurgeArgs {
    /// Delete rows older than this (180d, 26weeks) or than this date.
    #[arg(long, value_parser = parse_time)]
    pub older_than: i64,
    /// Only say how many questions and votes would be deleted.
    #[arg(long)]
    pub dry_run: bool,
    /// Confirm a cut-off within the last day, which deletes (almost) the whole log.
    #[arg(long)]
    pub yes: bool,
}

/// `stackbot forget`.
#[derive(Debug, Clone, Args)]
pub struct ForgetArgs {
    /// The Discord user id (a number; in Discord: right click, Copy User ID).
    pub user_id: u64,
}

/// `stackbot log-load` (hidden): logs `count` synthetic questions as fast as it can and prints
/// `committed <uid>` for each row once the log reports it committed.
#[derive(Debug, Clone, Args)]
pub struct LogLoadArgs {
    /// How many rows.
    #[arg(long, default_value_t = 100_000)]
    pub count: usize,
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .context("starting the async runtime")
}

/// Writes one row (`--log`), waiting a bounded time for the commit. Says where the row went
/// when it could not be committed: into a spool file (a warning, exit 0), or nowhere (an error,
/// exit 1: the row asked for is lost).
pub fn log_one(config: &Config, event: Event) -> anyhow::Result<ExitCode> {
    let log_config = log_config(config);
    runtime()?.block_on(async {
        let log = QuestionLog::start(log_config);
        let committed = log
            .record(Record::new(event))
            .committed_within(COMMIT_WAIT)
            .await;
        let report = log.shutdown(SHUTDOWN_WAIT).await;
        let database = config.database.display();
        if report.lost > 0 {
            eprintln!(
                "error: the question log {database} is unavailable and no spool file could be \
                 written beside it: {} row(s) lost",
                report.lost
            );
            return Ok(ExitCode::FAILURE);
        }
        if let Some(spool) = &report.spool {
            eprintln!(
                "warning: the question log {database} is unavailable; {} row(s) kept in {} for \
                 the next start",
                report.spooled,
                spool.display()
            );
        } else if !committed {
            // Committed after the wait, during shutdown.
            tracing::debug!("the row was committed at shutdown");
        }
        Ok(ExitCode::SUCCESS)
    })
}

/// The log settings from the command line.
pub fn log_config(config: &Config) -> LogConfig {
    let mut log = LogConfig::new(&config.database);
    log.store_raw_ids = config.store_user_ids;
    log
}

/// The log opened to change it (`purge`, `forget`).
fn open(config: &Config) -> anyhow::Result<(tokio::runtime::Runtime, Review)> {
    let rt = runtime()?;
    let review = rt
        .block_on(log::open_for_review(&config.database))
        .with_context(|| format!("opening the question log {}", config.database.display()))?;
    Ok((rt, review))
}

/// The log opened to read it (`questions`, `stats`, `gaps`, `replay`).
fn open_to_read(config: &Config) -> anyhow::Result<(tokio::runtime::Runtime, Review)> {
    let rt = runtime()?;
    let review = rt
        .block_on(log::open_read_only(&config.database))
        .with_context(|| format!("opening the question log {}", config.database.display()))?;
    Ok((rt, review))
}

pub fn questions(config: &Config, args: &QuestionsArgs) -> anyhow::Result<ExitCode> {
    let (since_ms, until_ms) = args.period.bounds("7d")?;
    let filter = QuestionFilter {
        since_ms,
        until_ms,
        command: args.command.clone(),
        unanswered: args.unanswered,
        guild: args.guild,
        limit: args.limit,
    };
    let (rt, mut review) = open_to_read(config)?;
    let rows = rt.block_on(review.questions(&filter))?;
    print(&show::questions(&rows, args.format)?)?;
    Ok(ExitCode::SUCCESS)
}

pub fn stats(config: &Config, args: &StatsArgs) -> anyhow::Result<ExitCode> {
    let (since_ms, until_ms) = args.period.bounds("30d")?;
    let (rt, mut review) = open_to_read(config)?;
    let stats = rt.block_on(review.stats(since_ms, until_ms))?;
    print(&show::stats(&stats, args.format)?)?;
    Ok(ExitCode::SUCCESS)
}

pub fn gaps(config: &Config, args: &GapsArgs) -> anyhow::Result<ExitCode> {
    let (since_ms, until_ms) = args.period.bounds("30d")?;
    let (rt, mut review) = open_to_read(config)?;
    let engine = load_engine(config)?;
    let topics = rt.block_on(review.gaps(&engine, since_ms, until_ms))?;
    print(&show::gaps(&topics, args.format)?)?;
    Ok(ExitCode::SUCCESS)
}

pub fn replay(config: &Config, args: &ReplayArgs) -> anyhow::Result<ExitCode> {
    let (since_ms, until_ms) = args.period.bounds("30d")?;
    let (rt, mut review) = open_to_read(config)?;
    let engine = load_engine(config)?;
    let replay = rt.block_on(review.replay(&engine, since_ms, until_ms))?;
    print(&show::replay(&replay, args.format)?)?;
    Ok(ExitCode::SUCCESS)
}

pub fn purge(config: &Config, args: &PurgeArgs) -> anyhow::Result<ExitCode> {
    let (rt, mut review) = open(config)?;
    let day_ms = 86_400_000;
    let unconfirmed = args.older_than > log::now_ms() - day_ms && !args.yes;
    // Counted only where they are said instead of done.
    if args.dry_run || unconfirmed {
        let (rows, votes) = rt.block_on(review.purge_counts(args.older_than))?;
        if args.dry_run {
            print(&format!(
                "would delete {rows} question(s) and {votes} vote(s)\n"
            ))?;
            return Ok(ExitCode::SUCCESS);
        }
        eprintln!(
            "error: a cut-off within the last day deletes (almost) the whole log: {rows} \
             question(s) and {votes} vote(s). Add --yes to do it, or --dry-run to count first."
        );
        return Ok(ExitCode::from(super::USAGE));
    }
    let (rows, votes) = rt.block_on(review.purge(args.older_than))?;
    print(&format!("deleted {rows} question(s) and {votes} vote(s)\n"))?;
    Ok(ExitCode::SUCCESS)
}

pub fn forget(config: &Config, args: &ForgetArgs) -> anyhow::Result<ExitCode> {
    let (rt, mut review) = open(config)?;
    let (rows, votes) = rt.block_on(review.forget(args.user_id))?;
    print(&format!(
        "deleted {rows} question(s) and {votes} vote(s) of user {}\n",
        args.user_id
    ))?;
    Ok(ExitCode::SUCCESS)
}

pub fn log_load(config: &Config, args: &LogLoadArgs) -> anyhow::Result<ExitCode> {
    use std::io::Write as _;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_time()
        .build()
        .context("starting the async runtime")?;
    rt.block_on(async {
        let log = QuestionLog::start(log_config(config));
        let (sender, mut receiver) = tokio::sync::mpsc::unbounded_channel::<String>();
        let printer = tokio::spawn(async move {
            let out = std::io::stdout();
            while let Some(uid) = receiver.recv().await {
                let mut out = out.lock();
                if writeln!(out, "committed {uid}")
                    .and_then(|()| out.flush())
                    .is_err()
                {
                    break;
                }
            }
        });
        for n in 0..args.count {
            let row = Interaction {
                question: format!("load test question {n}"),
                origin: Origin::default(),
                answered: n % 3 != 0,
                top_guide: Some("redis-sessions".into()),
                top_score: Some(1.0),
                top_coverage: Some(0.9),
                hits: Vec::new(),
                latency_ms: 1.0,
            };
            let record = Record::new(Event::Ask(row));
            let uid = record.uid.clone();
            let receipt = log.record(record);
            let sender = sender.clone();
            tokio::spawn(async move {
                if receipt.committed_within(Duration::from_mins(1)).await {
                    let _ = sender.send(uid);
                }
            });
            if n % 256 == 0 {
                tokio::task::yield_now().await;
            }
        }
        drop(sender);
        log.shutdown(Duration::from_secs(30)).await;
        let _ = printer.await;
    });
    Ok(ExitCode::SUCCESS)
}
