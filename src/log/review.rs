//! What maintainers read from the log: questions, stats, gaps, replay; and retention.
//!
//! Every function returns plain data; `render` turns it into tables, CSV or JSON.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use serde::Serialize;
use sqlx::Row as _;

use sqlx::SqliteConnection;

use super::store::{self, Store, StoreError, hash_id};
use crate::answer::{Engine, HitLimit, Question};

/// An answered question whose top hit covers less than this share of it counts as weakly
/// answered in `gaps` (the answered rule itself needs 0.40).
const WEAK_COVERAGE: f64 = 0.5;

/// Two gap questions belong to one topic when the idf-weighted overlap of their meaningful terms
/// (weighted Jaccard) is at least this.
const SAME_TOPIC: f64 = 0.3;

/// Most gap questions grouped at once (the most recent); grouping compares every pair.
const MAX_GAP_QUESTIONS: i64 = 5000;

/// Output format of the review commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// Aligned columns for a terminal.
    #[default]
    Table,
    /// RFC 4180 CSV with a header row.
    Csv,
    /// One JSON document.
    Json,
}

impl FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "table" => Ok(Self::Table),
            "csv" => Ok(Self::Csv),
            "json" => Ok(Self::Json),
            other => Err(format!("unknown format `{other}`; valid: table, csv, json")),
        }
    }
}

/// Parses a point in time: a duration back from `now_ms` (`7d`, `12h`, `30m`, `2weeks`), a date
/// (`2026-11-01`, midnight UTC) or an RFC 3339 time (`2026-11-01T12:00:00Z`).
pub fn parse_time(text: &str, now_ms: i64) -> Result<i64, String> {
    let text = text.trim();
    let looks_like_duration = text.starts_with(|c: char| c.is_ascii_digit())
        && text.ends_with(|c: char| c.is_ascii_alphabetic())
        && !text.contains(['-', ':']);
    if looks_like_duration {
        return match humantime::parse_duration(text) {
            // Further back than the epoch is everything: the log has nothing older.
            Ok(ago) => Ok(now_ms
                .saturating_sub(i64::try_from(ago.as_millis()).unwrap_or(i64::MAX))
                .max(0)),
            Err(e) => Err(format!("`{text}` is not a duration (7d, 12h, 30m): {e}")),
        };
    }
    let (base, offset_minutes) = split_offset(text);
    let full = if base.len() == 10 {
        format!("{base}T00:00:00Z")
    } else {
        format!("{}Z", base.trim_end_matches(['Z', 'z']))
    };
    // humantime stops at 1970; anything before is "everything", once the rest of it is valid.
    let before_epoch = full
        .get(..4)
        .and_then(|y| y.parse::<u32>().ok())
        .is_some_and(|year| year < 1970);
    if before_epoch && humantime::parse_rfc3339_weak(&format!("1970{}", &full[4..])).is_ok() {
        return Ok(0);
    }
    let Ok(time) = humantime::parse_rfc3339_weak(&full) else {
        return Err(format!(
            "`{text}` is neither a duration (7d, 12h, 30m) nor a date (2026-11-01) or an RFC 3339 \
             time (2026-11-01T12:00:00Z, 2026-11-01T13:00:00+01:00)"
        ));
    };
    // Before 1970 is everything: the log has nothing older.
    let utc = time
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
    Ok(utc.saturating_sub(offset_minutes * 60_000).max(0))
}

/// Splits an RFC 3339 offset (`+01:00`, `-05:30`) off a time; minutes east of UTC.
fn split_offset(text: &str) -> (&str, i64) {
    let bytes = text.as_bytes();
    if text.len() > 16 && text.is_char_boundary(text.len() - 6) {
        let (base, offset) = text.split_at(text.len() - 6);
        let sign = match bytes[text.len() - 6] {
            b'+' => 1,
            b'-' => -1,
            _ => return (text, 0),
        };
        let (hours, minutes) = (offset[1..3].parse::<i64>(), offset[4..].parse::<i64>());
        if let (Ok(h), Ok(m), b':') = (hours, minutes, bytes[text.len() - 3]) {
            return (base, sign * (h * 60 + m));
        }
    }
    (text, 0)
}

/// Filters of `stackbot questions`.
#[derive(Debug, Clone, Default)]
pub struct QuestionFilter {
    /// From this time (Unix ms), inclusive.
    pub since_ms: i64,
    /// Until this time (Unix ms), exclusive.
    pub until_ms: i64,
    /// `ask` or `recommend`.
    pub command: Option<String>,
    /// Only unanswered asks.
    pub unanswered: bool,
    /// Only this guild.
    pub guild: Option<u64>,
    /// Most rows, newest first.
    pub limit: u32,
}

/// One logged ask or recommend.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuestionRow {
    /// UTC time, RFC 3339 with milliseconds.
    pub at: String,
    /// `ask` or `recommend`.
    pub command: String,
    /// The question, or the flags.
    pub question: String,
    /// Whether a guide answered.
    pub answered: bool,
    /// The top (or closest) guide.
    pub top_guide: Option<String>,
    /// Its score.
    pub top_score: Option<f64>,
    /// Guild id.
    pub guild_id: Option<String>,
    /// Channel id.
    pub channel_id: Option<String>,
    /// Time to answer.
    pub latency_ms: f64,
}

/// `stackbot stats`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Stats {
    /// Per UTC day: `(day, asks, answered asks, recommends)`.
    pub days: Vec<DayCount>,
    /// Asks in the period.
    pub asks: u64,
    /// Asks a guide answered.
    pub answered: u64,
    /// Recommends in the period.
    pub recommends: u64,
    /// Guides shown first in answered asks, most often first.
    pub top_guides: Vec<(String, u64)>,
    /// Votes per guide (the top guide of the answer voted on).
    pub votes: Vec<GuideVotes>,
    /// Median time to answer an ask, in milliseconds.
    pub median_latency_ms: Option<f64>,
}

/// Questions on one UTC day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DayCount {
    /// `YYYY-MM-DD`.
    pub day: String,
    /// Asks.
    pub asks: u64,
    /// Asks a guide answered.
    pub answered: u64,
    /// Recommends.
    pub recommends: u64,
}

/// 👍 and 👎 on answers whose top hit was one guide.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GuideVotes {
    /// Guide slug.
    pub guide: String,
    /// Thumbs up.
    pub up: u64,
    /// Thumbs down.
    pub down: u64,
}

/// One topic of `stackbot gaps`: questions no guide answers well, grouped by their words.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GapTopic {
    /// The words the questions share most, most frequent first, as members wrote them.
    pub terms: Vec<String>,
    /// Questions in the topic.
    pub count: usize,
    /// How many were unanswered, weakly answered, voted down.
    pub unanswered: usize,
    /// See `unanswered`.
    pub weak: usize,
    /// See `unanswered`.
    pub thumbs_down: usize,
    /// Up to three distinct wordings, most frequent first.
    pub examples: Vec<String>,
    /// The guide the current knowledge ranks first for the commonest wording.
    pub closest_guide: Option<String>,
}

/// `stackbot replay`: logged asks run again against the current guides.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Replay {
    /// Distinct questions replayed.
    pub replayed: usize,
    /// Unanswered then, answered now.
    pub now_answered: Vec<ReplayChange>,
    /// Answered then and now, by another top guide.
    pub changed: Vec<ReplayChange>,
    /// Answered then, unanswered now.
    pub lost: Vec<ReplayChange>,
    /// Same outcome and top guide.
    pub unchanged: usize,
}

/// A question whose answer changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReplayChange {
    /// The question.
    pub question: String,
    /// Top guide when it was asked.
    pub before: Option<String>,
    /// Top guide now.
    pub after: Option<String>,
}

/// The rows `purge` deletes, for a cut-off bound as `?1`: old questions, and old votes plus every
/// vote on an old question. Macros, so `DELETE` and `--dry-run`'s count are literals built from
/// one text.
macro_rules! purged_questions {
    () => {
        "interactions WHERE at_ms < ?1"
    };
}
macro_rules! purged_votes {
    () => {
        "feedback WHERE at_ms < ?1
           OR interaction_uid IN (SELECT uid FROM interactions WHERE at_ms < ?1)"
    };
}

/// A connection for the review commands: read-only for `questions`, `stats`, `gaps` and
/// `replay`; read-write (migrated, with the salt) for `purge` and `forget`.
pub struct Review {
    conn: SqliteConnection,
    /// The askers' salt; `None` on a read-only connection, which cannot forget anyone.
    salt: Option<Vec<u8>>,
}

impl Review {
    /// Opens the log for the commands that change it.
    pub(super) async fn open(path: &Path) -> Result<Self, StoreError> {
        let store = Store::open(path, false, Duration::from_secs(5)).await?;
        Ok(Self {
            conn: store.conn,
            salt: Some(store.salt),
        })
    }

    /// Opens the log for reading only.
    pub(super) async fn open_read_only(path: &Path) -> Result<Self, StoreError> {
        Ok(Self {
            conn: store::open_read_only(path).await?,
            salt: None,
        })
    }

    /// `stackbot questions`: newest first.
    pub async fn questions(
        &mut self,
        filter: &QuestionFilter,
    ) -> Result<Vec<QuestionRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT strftime('%Y-%m-%dT%H:%M:%fZ', at_ms / 1000.0, 'unixepoch') AS at, command,
                    question, answered, top_guide, top_score, guild_id, channel_id, latency_ms
             FROM interactions
             WHERE at_ms >= ? AND at_ms < ?
               AND (? IS NULL OR command = ?)
               AND (? = 0 OR (command = 'ask' AND answered = 0))
               AND (? IS NULL OR guild_id = ?)
             ORDER BY at_ms DESC, uid
             LIMIT ?",
        )
        .bind(filter.since_ms)
        .bind(filter.until_ms)
        .bind(&filter.command)
        .bind(&filter.command)
        .bind(i64::from(filter.unanswered))
        .bind(filter.guild.map(|g| g.to_string()))
        .bind(filter.guild.map(|g| g.to_string()))
        .bind(i64::from(filter.limit))
        .fetch_all(&mut self.conn)
        .await?;
        rows.into_iter()
            .map(|r| {
                Ok(QuestionRow {
                    at: r.try_get("at")?,
                    command: r.try_get("command")?,
                    question: r.try_get("question")?,
                    answered: r.try_get::<i64, _>("answered")? != 0,
                    top_guide: r.try_get("top_guide")?,
                    top_score: r.try_get("top_score")?,
                    guild_id: r.try_get("guild_id")?,
                    channel_id: r.try_get("channel_id")?,
                    latency_ms: r.try_get("latency_ms")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(StoreError::from)
    }

    /// `stackbot stats` over `[since_ms, until_ms)`.
    pub async fn stats(&mut self, since_ms: i64, until_ms: i64) -> Result<Stats, StoreError> {
        let conn = &mut self.conn;
        let days = sqlx::query(
            "SELECT strftime('%Y-%m-%d', at_ms / 1000, 'unixepoch') AS day,
                    SUM(command = 'ask') AS asks,
                    SUM(command = 'ask' AND answered = 1) AS answered,
                    SUM(command = 'recommend') AS recommends
             FROM interactions WHERE at_ms >= ? AND at_ms < ?
             GROUP BY day ORDER BY day",
        )
        .bind(since_ms)
        .bind(until_ms)
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(|r| {
            Ok(DayCount {
                day: r.try_get("day")?,
                asks: count(r.try_get("asks")?),
                answered: count(r.try_get("answered")?),
                recommends: count(r.try_get("recommends")?),
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
        let top_guides = sqlx::query(
            "SELECT top_guide, COUNT(*) AS n FROM interactions
             WHERE at_ms >= ? AND at_ms < ? AND command = 'ask' AND answered = 1
               AND top_guide IS NOT NULL
             GROUP BY top_guide ORDER BY n DESC, top_guide LIMIT 10",
        )
        .bind(since_ms)
        .bind(until_ms)
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(|r| Ok((r.try_get("top_guide")?, count(r.try_get("n")?))))
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
        let votes = sqlx::query(
            "SELECT i.top_guide AS guide, SUM(f.vote = 1) AS up, SUM(f.vote = -1) AS down
             FROM feedback f JOIN interactions i ON i.uid = f.interaction_uid
             WHERE f.at_ms >= ? AND f.at_ms < ? AND i.top_guide IS NOT NULL
             GROUP BY i.top_guide ORDER BY down DESC, up DESC, guide",
        )
        .bind(since_ms)
        .bind(until_ms)
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(|r| {
            Ok(GuideVotes {
                guide: r.try_get("guide")?,
                up: count(r.try_get("up")?),
                down: count(r.try_get("down")?),
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
        let mut latencies: Vec<f64> = sqlx::query_scalar(
            "SELECT latency_ms FROM interactions
             WHERE at_ms >= ? AND at_ms < ? AND command = 'ask'",
        )
        .bind(since_ms)
        .bind(until_ms)
        .fetch_all(&mut *conn)
        .await?;
        latencies.sort_by(f64::total_cmp);
        let median_latency_ms = (!latencies.is_empty()).then(|| latencies[latencies.len() / 2]);
        Ok(Stats {
            asks: days.iter().map(|d| d.asks).sum(),
            answered: days.iter().map(|d| d.answered).sum(),
            recommends: days.iter().map(|d| d.recommends).sum(),
            days,
            top_guides,
            votes,
            median_latency_ms,
        })
    }

    /// `stackbot gaps`: unanswered, weakly answered and voted-down asks, grouped into topics,
    /// biggest first.
    pub async fn gaps(
        &mut self,
        engine: &Engine,
        since_ms: i64,
        until_ms: i64,
    ) -> Result<Vec<GapTopic>, StoreError> {
        let rows = sqlx::query(
            "SELECT i.question, i.answered, i.top_coverage,
                    COALESCE((SELECT SUM(vote) FROM feedback f WHERE f.interaction_uid = i.uid), 0)
                      AS votes
             FROM interactions i
             WHERE i.command = 'ask' AND i.at_ms >= ? AND i.at_ms < ?
             ORDER BY i.at_ms DESC LIMIT ?",
        )
        .bind(since_ms)
        .bind(until_ms)
        .bind(MAX_GAP_QUESTIONS)
        .fetch_all(&mut self.conn)
        .await?;
        let mut gaps: Vec<GapQuestion> = Vec::new();
        for r in rows {
            let answered = r.try_get::<i64, _>("answered")? != 0;
            let coverage: Option<f64> = r.try_get("top_coverage")?;
            let votes: i64 = r.try_get("votes")?;
            let reason = if !answered {
                Reason::Unanswered
            } else if votes < 0 {
                Reason::ThumbsDown
            } else if coverage.is_some_and(|c| c < WEAK_COVERAGE) {
                Reason::Weak
            } else {
                continue;
            };
            let question: String = r.try_get("question")?;
            let mut terms = engine.index().terms(&question);
            terms.sort();
            terms.dedup();
            if !terms.is_empty() {
                gaps.push(GapQuestion {
                    question,
                    terms,
                    reason,
                });
            }
        }
        Ok(group_gaps(engine, &gaps))
    }

    /// `stackbot replay`: every distinct logged ask, run again.
    pub async fn replay(
        &mut self,
        engine: &Engine,
        since_ms: i64,
        until_ms: i64,
    ) -> Result<Replay, StoreError> {
        // The latest outcome of each distinct question, when that falls in the range: one sort
        // by question (a window), not a lookup of every row's question (which was quadratic).
        let rows = sqlx::query(
            "SELECT question, answered, top_guide FROM (
                 SELECT question, answered, top_guide, at_ms,
                        ROW_NUMBER() OVER (PARTITION BY question
                                           ORDER BY at_ms DESC, uid DESC) AS latest
                 FROM interactions WHERE command = 'ask')
             WHERE latest = 1 AND at_ms >= ? AND at_ms < ?
             ORDER BY question",
        )
        .bind(since_ms)
        .bind(until_ms)
        .fetch_all(&mut self.conn)
        .await?;
        let mut replay = Replay::default();
        for r in rows {
            let text: String = r.try_get("question")?;
            let was_answered = r.try_get::<i64, _>("answered")? != 0;
            let before: Option<String> = r.try_get("top_guide")?;
            let Ok(question) = Question::parse(&text) else {
                continue;
            };
            let Ok(answer) = engine.ask(&question, HitLimit::DEFAULT) else {
                continue;
            };
            replay.replayed += 1;
            let after = answer.hits.first().map(|h| h.guide.clone());
            let change = ReplayChange {
                question: text,
                before: before.clone(),
                after: after.clone(),
            };
            match (was_answered, answer.answered) {
                (false, true) => replay.now_answered.push(change),
                (true, false) => replay.lost.push(change),
                (true, true) if before != after => replay.changed.push(change),
                _ => replay.unchanged += 1,
            }
        }
        Ok(replay)
    }

    /// Deletes rows older than `before_ms`; returns (interactions, votes) deleted.
    pub async fn purge(&mut self, before_ms: i64) -> Result<(u64, u64), StoreError> {
        let mut tx = self.conn.begin_with("BEGIN IMMEDIATE").await?;
        let votes = sqlx::query(concat!("DELETE FROM ", purged_votes!()))
            .bind(before_ms)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        let rows = sqlx::query(concat!("DELETE FROM ", purged_questions!()))
            .bind(before_ms)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        tx.commit().await?;
        Ok((rows, votes))
    }

    /// What [`Review::purge`] would delete, without deleting: (interactions, votes).
    pub async fn purge_counts(&mut self, before_ms: i64) -> Result<(u64, u64), StoreError> {
        let questions: i64 =
            sqlx::query_scalar(concat!("SELECT count(*) FROM ", purged_questions!()))
                .bind(before_ms)
                .fetch_one(&mut self.conn)
                .await?;
        let votes: i64 = sqlx::query_scalar(concat!("SELECT count(*) FROM ", purged_votes!()))
            .bind(before_ms)
            .fetch_one(&mut self.conn)
            .await?;
        Ok((count(Some(questions)), count(Some(votes))))
    }

    /// Deletes every row and vote of one Discord user; returns (interactions, votes) deleted.
    pub async fn forget(&mut self, user_id: u64) -> Result<(u64, u64), StoreError> {
        let salt = self.salt.as_ref().ok_or(StoreError::ReadOnly)?;
        let hash = hash_id(salt, user_id);
        let mut tx = self.conn.begin_with("BEGIN IMMEDIATE").await?;
        // Their votes, and everyone's votes on their questions: nothing may point at a
        // forgotten question.
        let votes = sqlx::query(
            "DELETE FROM feedback WHERE voter_hash = ?
               OR interaction_uid IN (SELECT uid FROM interactions WHERE asker_hash = ?)",
        )
        .bind(&hash)
        .bind(&hash)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        let rows = sqlx::query("DELETE FROM interactions WHERE asker_hash = ?")
            .bind(&hash)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        tx.commit().await?;
        Ok((rows, votes))
    }
}

use sqlx::Connection as _;

fn count(n: Option<i64>) -> u64 {
    n.and_then(|n| u64::try_from(n).ok()).unwrap_or(0)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reason {
    Unanswered,
    Weak,
    ThumbsDown,
}

struct GapQuestion {
    question: String,
    terms: Vec<String>,
    reason: Reason,
}

/// Groups gap questions whose weighted term overlap is at least [`SAME_TOPIC`] (single link,
/// through a union-find), biggest topic first.
fn group_gaps(engine: &Engine, gaps: &[GapQuestion]) -> Vec<GapTopic> {
    let index = engine.index();
    #[allow(clippy::cast_precision_loss)]
    let n = index.len().max(1) as f64;
    let mut weights: HashMap<&str, f64> = HashMap::new();
    for term in gaps.iter().flat_map(|g| &g.terms) {
        weights.entry(term).or_insert_with(|| {
            #[allow(clippy::cast_precision_loss)]
            let df = index.doc_freq(term).unwrap_or(0) as f64;
            (1.0 + n / (df + 1.0)).ln()
        });
    }
    let weight = |t: &String| weights.get(t.as_str()).copied().unwrap_or(1.0);
    let similarity = |a: &[String], b: &[String]| {
        let (mut shared, mut union) = (0.0, 0.0);
        for t in a {
            union += weight(t);
            if b.binary_search(t).is_ok() {
                shared += weight(t);
            }
        }
        for t in b {
            if a.binary_search(t).is_err() {
                union += weight(t);
            }
        }
        if union > 0.0 { shared / union } else { 0.0 }
    };

    let mut parent: Vec<usize> = (0..gaps.len()).collect();
    for i in 0..gaps.len() {
        for j in (i + 1)..gaps.len() {
            if similarity(&gaps[i].terms, &gaps[j].terms) >= SAME_TOPIC {
                let (a, b) = (root(&mut parent, i), root(&mut parent, j));
                if a != b {
                    parent[b.max(a)] = a.min(b);
                }
            }
        }
    }
    let mut groups: BTreeMap<usize, Vec<&GapQuestion>> = BTreeMap::new();
    for (i, gap) in gaps.iter().enumerate() {
        let r = root(&mut parent, i);
        groups.entry(r).or_default().push(gap);
    }
    let mut topics: Vec<(usize, GapTopic)> = groups
        .into_iter()
        .map(|(first, members)| (first, topic(engine, &members)))
        .collect();
    topics.sort_by(|(fa, a), (fb, b)| b.count.cmp(&a.count).then(fa.cmp(fb)));
    topics.into_iter().map(|(_, t)| t).collect()
}

/// The representative of `i`'s set, halving the path on the way.
fn root(parent: &mut [usize], mut i: usize) -> usize {
    while parent[i] != i {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    i
}

/// For each analysed term of the members' questions, the word they wrote most often for it
/// (`restaurants` for `restaur`), so a topic is labelled in members' words, not in stems.
fn surface_words(engine: &Engine, members: &[&GapQuestion]) -> HashMap<String, String> {
    let mut forms: HashMap<String, BTreeMap<String, usize>> = HashMap::new();
    for m in members {
        let words = m
            .question
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty());
        for word in words {
            let word = word.to_lowercase();
            if let [term] = engine.index().terms(&word).as_slice() {
                *forms
                    .entry(term.clone())
                    .or_default()
                    .entry(word)
                    .or_default() += 1;
            }
        }
    }
    forms
        .into_iter()
        .filter_map(|(term, words)| {
            // Most frequent; among equals, the alphabetically first (BTreeMap order).
            let best =
                words
                    .into_iter()
                    .fold(None::<(String, usize)>, |best, (w, n)| match best {
                        Some((_, m)) if m >= n => best,
                        _ => Some((w, n)),
                    })?;
            Some((term, best.0))
        })
        .collect()
}

fn topic(engine: &Engine, members: &[&GapQuestion]) -> GapTopic {
    let mut term_counts: BTreeMap<&str, usize> = BTreeMap::new();
    for term in members.iter().flat_map(|m| &m.terms) {
        *term_counts.entry(term).or_default() += 1;
    }
    let mut terms: Vec<(&str, usize)> = term_counts.into_iter().collect();
    terms.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let mut wordings: Vec<(&str, usize)> = Vec::new();
    for m in members {
        let key = m.question.as_str();
        match wordings
            .iter_mut()
            .find(|(q, _)| q.eq_ignore_ascii_case(key))
        {
            Some((_, n)) => *n += 1,
            None => wordings.push((key, 1)),
        }
    }
    // Most frequent first; among equals, the most recent (members are newest first).
    wordings.sort_by_key(|w| std::cmp::Reverse(w.1));
    let closest_guide = wordings
        .first()
        .and_then(|(q, _)| Question::parse(q).ok())
        .and_then(|q| engine.ask(&q, HitLimit::DEFAULT).ok())
        .and_then(|a| {
            a.hits
                .first()
                .map(|h| h.guide.clone())
                .or(a.closest.map(|c| c.guide))
        });
    let of = |reason: Reason| members.iter().filter(|m| m.reason == reason).count();
    let said = surface_words(engine, members);
    GapTopic {
        terms: terms
            .iter()
            .take(4)
            .map(|(t, _)| said.get(*t).cloned().unwrap_or_else(|| (*t).to_owned()))
            .collect(),
        count: members.len(),
        unanswered: of(Reason::Unanswered),
        weak: of(Reason::Weak),
        thumbs_down: of(Reason::ThumbsDown),
        examples: wordings
            .iter()
            .take(3)
            .map(|(q, _)| (*q).to_owned())
            .collect(),
        closest_guide,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_durations_dates_or_rfc3339() {
        let now = 1_800_000_000_000;
        assert_eq!(parse_time("7d", now), Ok(now - 7 * 86_400_000));
        assert_eq!(parse_time("30m", now), Ok(now - 1_800_000));
        assert_eq!(parse_time("2026-11-01", now), Ok(1_793_491_200_000));
        assert_eq!(
            parse_time("2026-11-01T12:00:00Z", now),
            Ok(1_793_534_400_000)
        );
        let err = parse_time("last week", now).unwrap_err();
        assert!(err.contains("neither a duration"), "{err}");
        // Offsets, as RFC 3339 allows: midnight in Paris is 23:00 the day before in UTC.
        assert_eq!(
            parse_time("2026-11-01T00:00:00+01:00", now),
            Ok(1_793_491_200_000 - 3_600_000)
        );
        assert_eq!(
            parse_time("2026-11-01T00:00:00-05:30", now),
            Ok(1_793_491_200_000 + 19_800_000)
        );
        // Before the epoch, or further back than it, is "everything".
        assert_eq!(parse_time("1969-01-01", now), Ok(0));
        assert_eq!(parse_time("100000y", now), Ok(0));
        let err = parse_time("99999999999999999999d", now).unwrap_err();
        assert!(err.contains("is not a duration"), "{err}");
        assert!(
            "xml"
                .parse::<Format>()
                .unwrap_err()
                .contains("table, csv, json")
        );
    }
}
