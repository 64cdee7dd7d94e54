//! The question log: every ask, recommend and feedback vote, kept in SQLite.
//!
//! The only module that talks to SQL. A front end calls [`QuestionLog::record`], which never
//! blocks and never fails: the record goes to one writer task behind a bounded queue (an overflow
//! list takes what does not fit), and comes back as a [`Receipt`] the caller may wait on, with a
//! bound, before replying. The writer commits many rows per `BEGIN IMMEDIATE` transaction (group
//! commit). When the database is unavailable (locked, read-only, full, gone), it keeps the rows in
//! memory and retries with a growing pause; [`QuestionLog::shutdown`] writes what it can and puts
//! the rest in a spool file of its own next to the database (`<database>.<unique>.spool`, JSON
//! lines; see [`spool`]), which the next start replays. Row ids are chosen when a question arrives, so a replayed row is never written
//! twice.
//!
//! Askers are stored as `sha256(salt ‖ user id)`, the salt random per database and kept in it;
//! raw ids only when the operator opts in ([`LogConfig::store_raw_ids`]). The spool file holds raw
//! ids until it is replayed (hashing needs the salt, which lives in the database that was
//! unavailable), so it is created readable by its owner only.

mod review;
pub mod spool;
mod store;
mod writer;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use tokio::sync::{mpsc, oneshot};

pub use review::{
    DayCount, Format, GapTopic, GuideVotes, QuestionFilter, QuestionRow, Replay, ReplayChange,
    Review, Stats, parse_time,
};
pub use store::StoreError;

/// How the log is set up.
#[derive(Debug, Clone)]
pub struct LogConfig {
    /// The SQLite file; created with its tables when missing.
    pub path: PathBuf,
    /// Keep raw Discord user ids beside their hashes (off by default).
    pub store_raw_ids: bool,
    /// How long SQLite waits for a lock held by another process before a write fails.
    pub busy_timeout: Duration,
    /// Most rows committed in one transaction.
    pub max_batch: usize,
    /// Capacity of the queue in front of the writer.
    pub queue: usize,
}

impl LogConfig {
    /// The defaults for a database at `path`.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self {
            path: path.into(),
            store_raw_ids: false,
            busy_timeout: Duration::from_secs(5),
            max_batch: 1024,
            queue: 4096,
        }
    }

    /// The spool file name of older versions (`<database>.spool`); still replayed at start.
    /// New spool files are `<database>.<unique>.spool`: see [`spool`].
    pub fn spool_path(&self) -> PathBuf {
        let mut name = self.path.as_os_str().to_owned();
        name.push(".spool");
        PathBuf::from(name)
    }
}

/// Who asked or voted, and where.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Origin {
    /// Discord guild (server) id.
    pub guild_id: Option<u64>,
    /// Discord channel id.
    pub channel_id: Option<u64>,
    /// Discord user id; hashed before it is stored.
    pub user_id: Option<u64>,
}

/// A hit as shown to the member, stored with the row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShownHit {
    /// Guide slug.
    pub guide: String,
    /// Section heading.
    pub section: String,
    /// Score as shown.
    pub score: f32,
}

/// One row of the log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// Random id, chosen when the question arrives.
    pub uid: String,
    /// Unix time in milliseconds (UTC).
    pub at_ms: i64,
    /// What happened.
    pub event: Event,
}

/// What a row records.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Event {
    /// A question and its answer.
    Ask(Interaction),
    /// A recommendation request; `question` holds the use cases and options.
    Recommend(Interaction),
    /// A 👍 (+1) or 👎 (-1) on an interaction; a later vote by the same person replaces it.
    Feedback {
        /// The interaction voted on.
        interaction: String,
        /// Who voted.
        origin: Origin,
        /// +1 or -1.
        vote: i8,
    },
}

/// An ask or a recommend.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Interaction {
    /// The question, or the flags of a recommend.
    pub question: String,
    /// Who asked, and where.
    pub origin: Origin,
    /// Whether a guide answered (a recommend always is).
    pub answered: bool,
    /// The top guide, answered or not: for gaps, the closest one.
    pub top_guide: Option<String>,
    /// Its score.
    pub top_score: Option<f32>,
    /// Share of the question the top hit covers.
    pub top_coverage: Option<f32>,
    /// The hits shown.
    pub hits: Vec<ShownHit>,
    /// Time to answer, in milliseconds.
    pub latency_ms: f64,
}

impl Record {
    /// A new row for `event`, stamped now with a fresh random id.
    pub fn new(event: Event) -> Self {
        Self {
            uid: new_uid(),
            at_ms: now_ms(),
            event,
        }
    }
}

/// A fresh random id: 128 bits, hex.
pub fn new_uid() -> String {
    let mut bytes = [0_u8; 16];
    // The OS generator does not fail on supported platforms; a clock-and-counter fallback keeps a
    // row from being lost if it ever does.
    if getrandom::fill(&mut bytes).is_err() {
        let fallback = u128::from(now_ms().unsigned_abs()) << 64 | u128::from(fastrand::u64(..));
        bytes = fallback.to_le_bytes();
    }
    hex(&bytes)
}

/// Lower-case hex of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// Milliseconds since the Unix epoch, now.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// Resolves when a record is committed; dropped unresolved if it never is in this run (it is
/// then in the spool file).
#[derive(Debug)]
pub struct Receipt(oneshot::Receiver<()>);

impl Receipt {
    /// Waits at most `bound` for the commit; `true` if the row is in the database.
    pub async fn committed_within(self, bound: Duration) -> bool {
        matches!(tokio::time::timeout(bound, self.0).await, Ok(Ok(())))
    }
}

/// What the writer did before it stopped.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ShutdownReport {
    /// Rows committed during the whole run.
    pub committed: u64,
    /// Rows left in spool files for the next start.
    pub spooled: usize,
    /// The spool file written at this shutdown, if one was.
    pub spool: Option<PathBuf>,
    /// Rows neither committed nor spooled (no spool file could be written): lost.
    pub lost: usize,
}

/// Live figures, for metrics and health.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogStatus {
    /// Rows waiting to be written (queue, overflow and backlog).
    pub pending: usize,
    /// Whether the last write attempt succeeded.
    pub writable: bool,
    /// Rows committed so far.
    pub committed: u64,
}

/// Records that did not fit in the queue, waiting for the writer, with their receipts.
pub(crate) type Overflow = Arc<Mutex<Vec<(Record, oneshot::Sender<()>)>>>;

pub(crate) enum Message {
    Record(Record, oneshot::Sender<()>),
    Shutdown(Duration, oneshot::Sender<ShutdownReport>),
}

/// The writer's state that [`QuestionLog::status`] reads without waiting for it (it may be inside
/// a write that waits on a lock).
#[derive(Debug)]
pub(crate) struct Live {
    /// Rows the writer holds (taken from the queue, not yet committed).
    pub backlog: AtomicUsize,
    /// Whether the last attempt to write (or open) succeeded; the writer's only record of it.
    pub writable: AtomicBool,
    /// Rows committed so far; the writer's only count of them.
    pub committed: AtomicU64,
    /// Set once the writer has stopped.
    pub stopped: AtomicBool,
}

/// Handle to the log; cheap to clone.
#[derive(Clone)]
pub struct QuestionLog {
    sender: mpsc::Sender<Message>,
    overflow: Overflow,
    live: Arc<Live>,
}

impl std::fmt::Debug for QuestionLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QuestionLog").finish_non_exhaustive()
    }
}

impl QuestionLog {
    /// Starts the writer task on the current tokio runtime. Never fails: a database that cannot
    /// be opened now is retried, and rows wait in memory meanwhile. A spool file left by an
    /// earlier run is read first and written before new rows.
    pub fn start(config: LogConfig) -> Self {
        let (sender, receiver) = mpsc::channel(config.queue.max(1));
        let overflow = Arc::new(Mutex::new(Vec::new()));
        let live = Arc::new(Live {
            backlog: AtomicUsize::new(0),
            writable: AtomicBool::new(true),
            committed: AtomicU64::new(0),
            stopped: AtomicBool::new(false),
        });
        let task = writer::Writer::new(config, receiver, Arc::clone(&overflow), Arc::clone(&live));
        tokio::spawn(task.run());
        Self {
            sender,
            overflow,
            live,
        }
    }

    /// Queues `record` for writing. Never blocks and never loses it: when the queue is full the
    /// record waits in an overflow list that the writer empties first.
    pub fn record(&self, record: Record) -> Receipt {
        let (done, receipt) = oneshot::channel();
        if let Err(e) = self.sender.try_send(Message::Record(record, done))
            && let Message::Record(record, done) = e.into_inner()
        {
            let mut overflow = self
                .overflow
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            overflow.push((record, done));
        }
        Receipt(receipt)
    }

    /// Live figures, without waiting for the writer; `None` once it has stopped.
    pub fn status(&self) -> Option<LogStatus> {
        if self.live.stopped.load(Ordering::SeqCst) {
            return None;
        }
        let queued = self.sender.max_capacity() - self.sender.capacity();
        let overflow = self
            .overflow
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .len();
        Some(LogStatus {
            pending: self.live.backlog.load(Ordering::SeqCst) + queued + overflow,
            writable: self.live.writable.load(Ordering::SeqCst),
            committed: self.live.committed.load(Ordering::SeqCst),
        })
    }

    /// Writes everything still pending, trying for at most `deadline`, spools what remains and
    /// stops the writer.
    pub async fn shutdown(&self, deadline: Duration) -> ShutdownReport {
        let (reply, answer) = oneshot::channel();
        if self
            .sender
            .send(Message::Shutdown(deadline, reply))
            .await
            .is_err()
        {
            return ShutdownReport::default();
        }
        answer.await.unwrap_or_default()
    }
}

/// Opens the log at `path` for the review commands that change it (`purge`, `forget`): the file
/// must exist (the bot creates it); its tables are brought up to date.
pub async fn open_for_review(path: &Path) -> Result<Review, StoreError> {
    Review::open(path).await
}

/// Opens the log at `path` for the review commands that only read (`questions`, `stats`,
/// `gaps`, `replay`): no migration and no write, so a read-only file and a busy writer are fine.
pub async fn open_read_only(path: &Path) -> Result<Review, StoreError> {
    Review::open_read_only(path).await
}

impl Interaction {
    /// The row of an ask: what was shown, and the closest guide when none answered.
    pub fn from_answer(answer: &crate::answer::Answer, origin: Origin, latency: Duration) -> Self {
        let top = answer.hits.first();
        #[allow(clippy::cast_possible_truncation)]
        Self {
            question: answer.question.clone(),
            origin,
            answered: answer.answered,
            top_guide: top
                .map(|h| h.guide.clone())
                .or_else(|| answer.closest.as_ref().map(|c| c.guide.clone())),
            top_score: top
                .map(|h| h.score as f32)
                .or_else(|| answer.closest.as_ref().map(|c| c.score as f32)),
            top_coverage: top
                .map(|h| h.coverage)
                .or_else(|| answer.closest.as_ref().map(|c| c.coverage)),
            hits: answer
                .hits
                .iter()
                .map(|h| ShownHit {
                    guide: h.guide.clone(),
                    section: h.section.clone(),
                    score: h.score as f32,
                })
                .collect(),
            latency_ms: latency.as_secs_f64() * 1000.0,
        }
    }

    /// The row of a recommend: the use cases and options as the question, the stores as hits.
    pub fn from_recommendation(
        rec: &crate::recommend::Recommendation,
        origin: Origin,
        latency: Duration,
    ) -> Self {
        let mut question: Vec<String> = rec.use_cases.iter().map(ToString::to_string).collect();
        question.push(format!("--scale {}", rec.scale));
        if let Some(hosting) = rec.hosting {
            question.push(format!("--hosting {hosting}"));
        }
        Self {
            question: question.join(" "),
            origin,
            answered: true,
            top_guide: None,
            top_score: None,
            top_coverage: None,
            hits: rec
                .stack
                .iter()
                .map(|c| ShownHit {
                    guide: c.guides.first().cloned().unwrap_or_default(),
                    section: c.database.clone(),
                    score: 0.0,
                })
                .collect(),
            latency_ms: latency.as_secs_f64() * 1000.0,
        }
    }
}
