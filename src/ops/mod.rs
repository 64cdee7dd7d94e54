//! What an operator watches: Prometheus metrics, the readiness check, and the small HTTP server
//! that serves both (`stackbot serve --metrics-addr`).
//!
//! [`Telemetry`] owns its own Prometheus recorder (no process-wide global), so two bots in one
//! process (the tests) keep separate figures. Every series is registered when it is created, so
//! a scrape shows zeros rather than nothing before the first question.

mod health;
mod http;

use std::sync::atomic::{AtomicU8, Ordering};
use std::time::Duration;

use metrics::{Counter, Gauge, Histogram};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

pub use health::{Health, IndexHealth, LogHealth};
pub use http::{Monitor, serve_monitor};

use crate::log::LogStatus;

/// Upper bounds of the answer-latency histogram, in seconds: answers take about a millisecond,
/// a log commit under load a few, a locked log up to the bot's commit wait (1.5 s).
const LATENCY_BUCKETS: &[f64] = &[
    0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
];

const QUESTIONS: &str = "stackbot_questions_total";
const ANSWER_SECONDS: &str = "stackbot_answer_seconds";

/// What a member asked through, as the `command` label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Asked {
    /// `/ask` (and `stackbot ask`).
    Ask,
    /// The "Find a guide" message command.
    FindGuide,
    /// `/recommend`.
    Recommend,
}

impl Asked {
    const ALL: [Self; 3] = [Self::Ask, Self::FindGuide, Self::Recommend];

    fn label(self) -> &'static str {
        match self {
            Self::Ask => "ask",
            Self::FindGuide => "find_a_guide",
            Self::Recommend => "recommend",
        }
    }
}

/// The state of the connection to Discord's gateway.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GatewayState {
    /// Not started yet (the index is loading, or the client is being built).
    Starting,
    /// Opening the websocket, identifying or resuming.
    Connecting,
    /// READY or RESUMED received: interactions arrive.
    Connected,
    /// Lost; serenity reconnects on its own.
    Disconnected,
    /// Shutting down.
    Closing,
}

impl GatewayState {
    const ALL: [Self; 5] = [
        Self::Starting,
        Self::Connecting,
        Self::Connected,
        Self::Disconnected,
        Self::Closing,
    ];

    fn label(self) -> &'static str {
        match self {
            Self::Starting => "starting",
            Self::Connecting => "connecting",
            Self::Connected => "connected",
            Self::Disconnected => "disconnected",
            Self::Closing => "closing",
        }
    }

    fn from_u8(n: u8) -> Self {
        Self::ALL
            .get(usize::from(n))
            .copied()
            .unwrap_or(Self::Starting)
    }

    fn as_u8(self) -> u8 {
        // The index in ALL; five variants fit.
        #[allow(clippy::cast_possible_truncation)]
        let n = Self::ALL.iter().position(|s| *s == self).unwrap_or(0) as u8;
        n
    }
}

/// Outcome of a knowledge reload, as the `result` label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReloadOutcome {
    /// The new index is in service.
    Loaded,
    /// `stackbot check` found problems; the old index stays.
    Rejected,
    /// The folder could not be read or indexed; the old index stays.
    Failed,
}

/// The bot's metrics and the live state behind the readiness check.
pub struct Telemetry {
    handle: PrometheusHandle,
    questions: Vec<(Asked, [Counter; 2])>,
    latency: Vec<(Asked, Histogram)>,
    cooldowns: Counter,
    votes_up: Counter,
    votes_down: Counter,
    log_pending: Gauge,
    log_spool_bytes: Gauge,
    log_writable: Gauge,
    log_committed: Counter,
    gateway: AtomicU8,
    gateway_states: Vec<(GatewayState, Gauge)>,
    reloads: [Counter; 3],
    guides: Gauge,
    sections: Gauge,
    index_loaded_at: Gauge,
}

impl std::fmt::Debug for Telemetry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Telemetry")
            .field("gateway", &self.gateway())
            .finish_non_exhaustive()
    }
}

impl Default for Telemetry {
    fn default() -> Self {
        Self::new()
    }
}

impl Telemetry {
    /// A fresh recorder with every series at zero. Inside a tokio runtime it also starts the
    /// upkeep that folds histogram samples every few seconds, so an unscraped bot does not keep
    /// them all.
    pub fn new() -> Self {
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Full(ANSWER_SECONDS.to_owned()), LATENCY_BUCKETS)
            .expect("the bucket list is not empty")
            .build_recorder();
        let handle = recorder.handle();
        let telemetry = metrics::with_local_recorder(&recorder, || {
            describe();
            let question = |asked: Asked, answered: &'static str| metrics::counter!(QUESTIONS, "command" => asked.label(), "answered" => answered);
            Self {
                handle: handle.clone(),
                questions: Asked::ALL
                    .iter()
                    .map(|&a| (a, [question(a, "false"), question(a, "true")]))
                    .collect(),
                latency: Asked::ALL
                    .iter()
                    .map(|&a| {
                        (
                            a,
                            metrics::histogram!(ANSWER_SECONDS, "command" => a.label()),
                        )
                    })
                    .collect(),
                cooldowns: metrics::counter!("stackbot_cooldowns_total"),
                votes_up: metrics::counter!("stackbot_feedback_votes_total", "vote" => "up"),
                votes_down: metrics::counter!("stackbot_feedback_votes_total", "vote" => "down"),
                log_pending: metrics::gauge!("stackbot_log_queue_depth"),
                log_spool_bytes: metrics::gauge!("stackbot_log_spool_bytes"),
                log_writable: metrics::gauge!("stackbot_log_writable"),
                log_committed: metrics::counter!("stackbot_log_committed_rows_total"),
                gateway: AtomicU8::new(GatewayState::Starting.as_u8()),
                gateway_states: GatewayState::ALL
                    .iter()
                    .map(|&s| {
                        (
                            s,
                            metrics::gauge!("stackbot_gateway_state", "state" => s.label()),
                        )
                    })
                    .collect(),
                reloads: ["loaded", "rejected", "failed"]
                    .map(|r| metrics::counter!("stackbot_knowledge_reloads_total", "result" => r)),
                guides: metrics::gauge!("stackbot_index_guides"),
                sections: metrics::gauge!("stackbot_index_sections"),
                index_loaded_at: metrics::gauge!("stackbot_index_loaded_timestamp_seconds"),
            }
        });
        telemetry.set_gateway(GatewayState::Starting);
        telemetry.start_upkeep();
        telemetry
    }

    fn start_upkeep(&self) {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let handle = self.handle.clone();
        runtime.spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(5));
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                handle.run_upkeep();
            }
        });
    }

    /// A question or recommendation answered (or not) after `took`, log commit included.
    pub fn question(&self, asked: Asked, answered: bool, took: Duration) {
        if let Some((_, counters)) = self.questions.iter().find(|(a, _)| *a == asked) {
            counters[usize::from(answered)].increment(1);
        }
        if let Some((_, histogram)) = self.latency.iter().find(|(a, _)| *a == asked) {
            histogram.record(took.as_secs_f64());
        }
    }

    /// A member was asked to slow down.
    pub fn cooldown(&self) {
        self.cooldowns.increment(1);
    }

    /// A 👍 (`up`) or 👎 vote.
    pub fn vote(&self, up: bool) {
        if up {
            self.votes_up.increment(1);
        } else {
            self.votes_down.increment(1);
        }
    }

    /// The question log's live figures and the spool file's size.
    #[allow(clippy::cast_precision_loss)]
    pub fn observe_log(&self, status: &LogStatus, spool_bytes: u64) {
        self.log_pending.set(status.pending as f64);
        self.log_spool_bytes.set(spool_bytes as f64);
        self.log_writable
            .set(if status.writable { 1.0 } else { 0.0 });
        self.log_committed.absolute(status.committed);
    }

    /// The gateway moved to `state`.
    pub fn set_gateway(&self, state: GatewayState) {
        let before = GatewayState::from_u8(self.gateway.swap(state.as_u8(), Ordering::SeqCst));
        if before != state {
            tracing::info!(from = before.label(), to = state.label(), "gateway state");
        }
        for (s, gauge) in &self.gateway_states {
            gauge.set(if *s == state { 1.0 } else { 0.0 });
        }
    }

    /// The gateway's current state.
    pub fn gateway(&self) -> GatewayState {
        GatewayState::from_u8(self.gateway.load(Ordering::SeqCst))
    }

    /// An index with `guides` guides and `sections` sections went into service.
    #[allow(clippy::cast_precision_loss)]
    pub fn index_loaded(&self, guides: usize, sections: usize) {
        self.guides.set(guides as f64);
        self.sections.set(sections as f64);
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        self.index_loaded_at.set(now.as_secs_f64());
    }

    /// A reload ended with `outcome`.
    pub fn reload(&self, outcome: ReloadOutcome) {
        let i = match outcome {
            ReloadOutcome::Loaded => 0,
            ReloadOutcome::Rejected => 1,
            ReloadOutcome::Failed => 2,
        };
        self.reloads[i].increment(1);
    }

    /// Every series in Prometheus' text format.
    pub fn render(&self) -> String {
        self.handle.render()
    }
}

fn describe() {
    use metrics::{describe_counter, describe_gauge, describe_histogram};
    describe_counter!(
        QUESTIONS,
        "Questions by command, and whether a guide answered them (recommend: always true)"
    );
    describe_histogram!(
        ANSWER_SECONDS,
        metrics::Unit::Seconds,
        "Time from an interaction's arrival to its reply, question-log commit included"
    );
    describe_counter!(
        "stackbot_cooldowns_total",
        "Questions refused because the member asked too quickly"
    );
    describe_counter!(
        "stackbot_feedback_votes_total",
        "Helpful (up) and not helpful (down) votes on answers"
    );
    describe_gauge!(
        "stackbot_log_queue_depth",
        "Question-log rows waiting to be written"
    );
    describe_gauge!(
        "stackbot_log_spool_bytes",
        "Size of the spool file of rows left unwritten by an earlier run (0 when absent)"
    );
    describe_gauge!(
        "stackbot_log_writable",
        "1 when the last question-log write succeeded"
    );
    describe_counter!(
        "stackbot_log_committed_rows_total",
        "Question-log rows committed since start"
    );
    describe_gauge!(
        "stackbot_gateway_state",
        "1 for the current state of the Discord gateway connection"
    );
    describe_counter!(
        "stackbot_knowledge_reloads_total",
        "Knowledge reloads: loaded, rejected by the check, or failed"
    );
    describe_gauge!("stackbot_index_guides", "Guides in the index in service");
    describe_gauge!(
        "stackbot_index_sections",
        "Sections in the index in service"
    );
    describe_gauge!(
        "stackbot_index_loaded_timestamp_seconds",
        "When the index in service was built (Unix time)"
    );
}
