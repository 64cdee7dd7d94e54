//! The bot's behaviour, independent of Discord's client library: interaction data in, reply
//! data out.
//!
//! `discord/` (the only serenity user) parses an interaction into an [`Incoming`], calls
//! [`Bot::handle`], and sends the [`Reply`] back; an HTTP interactions endpoint could do the same.
//! Every reply is cut to Discord's limits ([`reply`]), echoes user text escaped, and never pings
//! anyone (the adapter sends empty allowed mentions).

pub mod commands;
mod cooldown;
pub mod reply;

use std::fmt::Write as _;
use std::sync::Arc;
use std::time::{Duration, Instant};

use arc_swap::ArcSwap;

use crate::answer::{Answer, Engine, HitLimit, Question};
use crate::excerpt::escape;
use crate::knowledge::{BaseUrl, Guide, Problem};
use crate::log::{self, Event, Interaction, Origin, QuestionFilter, QuestionLog, Record};
use crate::needs::{Hosting, Scale, UseCase};
use crate::ops::{Asked, ReloadOutcome, Telemetry};
use crate::recommend::{self, Recommendation, Request};

pub use cooldown::Cooldown;
pub use reply::{Button, Choice, Embed, Field, Message, Reply};

/// How the bot behaves.
#[derive(Debug, Clone)]
pub struct BotConfig {
    /// Where guides are published.
    pub base_url: BaseUrl,
    /// Longest wait for the question log before replying anyway.
    pub commit_wait: Duration,
    /// The question log file, for the maintainers' commands.
    pub database: std::path::PathBuf,
    /// The knowledge folder, read again by [`Bot::reload`].
    pub knowledge: std::path::PathBuf,
    /// Questions per member per minute.
    pub questions_per_minute: usize,
}

/// One interaction, as the bot needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incoming {
    /// The server, outside DMs.
    pub guild_id: Option<u64>,
    /// The channel.
    pub channel_id: Option<u64>,
    /// Who used the command.
    pub user_id: u64,
    /// The member's permissions in this channel (guilds only).
    pub permissions: Option<u64>,
    /// What they asked for.
    pub action: Action,
}

/// What an interaction asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// `/ask`.
    Ask {
        /// The question.
        question: String,
        /// Answer only to the asker.
        private: bool,
    },
    /// `/recommend`: the names of the options set to true, and the choices.
    Recommend {
        /// Use-case options set to true.
        use_cases: Vec<String>,
        /// `scale`, if given.
        scale: Option<String>,
        /// `hosting`, if given.
        hosting: Option<String>,
    },
    /// `/guide name:…`.
    Guide {
        /// A slug (picked from autocomplete) or whatever was typed.
        name: String,
    },
    /// Autocomplete of `/guide name`.
    GuideAutocomplete {
        /// What has been typed so far.
        partial: String,
    },
    /// "Find a guide" on a message.
    FindGuide {
        /// The message's text.
        text: String,
        /// Link to the message, to address the reply to it.
        message_url: Option<String>,
    },
    /// `/gaps`.
    Gaps {
        /// Days back.
        days: Option<i64>,
    },
    /// `/reload`: read the knowledge folder again.
    Reload,
    /// `/questions`.
    Questions {
        /// Only unanswered ones.
        unanswered: bool,
        /// Days back.
        days: Option<i64>,
    },
    /// A 👍 or 👎 button.
    Feedback {
        /// The button's custom id.
        custom_id: String,
    },
    /// A command this bot does not know (an old registration).
    Unknown {
        /// Its name.
        name: String,
    },
}

impl Action {
    /// Whether answering may take longer than Discord's 3 seconds: the adapter defers first,
    /// ephemerally (the slow actions are the maintainers' commands, whose replies are ephemeral).
    pub fn may_be_slow(&self) -> bool {
        matches!(
            self,
            Self::Gaps { .. } | Self::Questions { .. } | Self::Reload
        )
    }
}

/// Whom an answer is addressed to.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Audience {
    /// The member who asked.
    Asker,
    /// Another member's message ("Find a guide"), linked when its URL is known.
    Message(Option<String>),
}

const THUMBS_UP: char = '👍';
const THUMBS_DOWN: char = '👎';
const FEEDBACK_PREFIX: &str = "fb";

/// The bot: the answer engine, the question log, the cooldown and the metrics.
pub struct Bot {
    /// The engine in service; a reload swaps in a new one while answers in progress finish on
    /// the one they started with.
    engine: ArcSwap<Engine>,
    log: QuestionLog,
    config: BotConfig,
    cooldown: Cooldown,
    telemetry: Arc<Telemetry>,
    /// One reload at a time.
    reloading: tokio::sync::Mutex<()>,
}

/// What a reload put in service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reloaded {
    /// Guides now in service.
    pub guides: usize,
    /// Sections now in service.
    pub sections: usize,
    /// Guides before.
    pub guides_before: usize,
    /// Sections before.
    pub sections_before: usize,
    /// How long the check and the new index took.
    pub took: Duration,
}

/// Why a reload kept the guides in service.
#[derive(Debug, thiserror::Error)]
pub enum ReloadError {
    /// `stackbot check` found problems in the folder.
    #[error("`stackbot check` found {} problem(s)", .0.len())]
    Rejected(Vec<Problem>),
    /// The folder could not be read or indexed.
    #[error("the knowledge folder could not be loaded: {0}")]
    Failed(String),
}

impl std::fmt::Debug for Bot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bot")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl Bot {
    /// A bot over `engine` that logs to `log`, with metrics of its own.
    pub fn new(engine: Arc<Engine>, log: QuestionLog, config: BotConfig) -> Self {
        Self::with_telemetry(engine, log, config, Arc::new(Telemetry::new()))
    }

    /// A bot that reports to `telemetry` (created before the index, for the health check).
    pub fn with_telemetry(
        engine: Arc<Engine>,
        log: QuestionLog,
        config: BotConfig,
        telemetry: Arc<Telemetry>,
    ) -> Self {
        let cooldown = Cooldown::new(config.questions_per_minute, Duration::from_mins(1));
        telemetry.index_loaded(engine.knowledge().guides.len(), engine.index().len());
        Self {
            engine: ArcSwap::new(engine),
            log,
            config,
            cooldown,
            telemetry,
            reloading: tokio::sync::Mutex::new(()),
        }
    }

    /// The engine in service.
    pub fn engine(&self) -> Arc<Engine> {
        self.engine.load_full()
    }

    /// The metrics this bot reports to.
    pub fn telemetry(&self) -> &Arc<Telemetry> {
        &self.telemetry
    }

    /// Reads the knowledge folder again, checks it as `stackbot check` does, and when it is clean
    /// puts the new index in service. A folder with problems keeps the guides in service, and
    /// every problem goes to the operator's log.
    pub async fn reload(&self) -> Result<Reloaded, ReloadError> {
        let _one_at_a_time = self.reloading.lock().await;
        let before = self.engine();
        let dir = self.config.knowledge.clone();
        let base_url = self.config.base_url.clone();
        let retrieval = before.retrieval();
        let started = Instant::now();
        let built = tokio::task::spawn_blocking(move || {
            let inspection = crate::check::inspect(&dir)
                .map_err(|e| ReloadError::Failed(format!("{}: {e}", dir.display())))?;
            if !inspection.report.problems.is_empty() {
                return Err(ReloadError::Rejected(inspection.report.problems));
            }
            Engine::with_index(inspection.knowledge, inspection.index, base_url, retrieval)
                .map_err(|e| ReloadError::Failed(format!("building the engine: {e}")))
        })
        .await
        .unwrap_or_else(|e| Err(ReloadError::Failed(format!("the reload task failed: {e}"))));
        let engine = match built {
            Ok(engine) => engine,
            Err(e) => {
                let outcome = match &e {
                    ReloadError::Rejected(problems) => {
                        for problem in problems {
                            tracing::error!(%problem, "knowledge reload rejected");
                        }
                        ReloadOutcome::Rejected
                    }
                    ReloadError::Failed(cause) => {
                        tracing::error!(error = %cause, "knowledge reload failed");
                        ReloadOutcome::Failed
                    }
                };
                tracing::warn!(reason = %e, "the guides in service are unchanged");
                self.telemetry.reload(outcome);
                return Err(e);
            }
        };
        let reloaded = Reloaded {
            guides: engine.knowledge().guides.len(),
            sections: engine.index().len(),
            guides_before: before.knowledge().guides.len(),
            sections_before: before.index().len(),
            took: started.elapsed(),
        };
        self.engine.store(Arc::new(engine));
        self.telemetry.reload(ReloadOutcome::Loaded);
        self.telemetry
            .index_loaded(reloaded.guides, reloaded.sections);
        tracing::info!(
            guides = reloaded.guides,
            sections = reloaded.sections,
            took_ms = reloaded.took.as_millis(),
            "knowledge reloaded"
        );
        Ok(reloaded)
    }

    /// The question log this bot writes to.
    pub fn log(&self) -> &QuestionLog {
        &self.log
    }

    /// Answers one interaction. Never fails: an internal error becomes a short apology to the
    /// member and the full cause in the logs.
    pub async fn handle(&self, incoming: Incoming) -> Reply {
        let engine = self.engine();
        let engine = engine.as_ref();
        let origin = Origin {
            guild_id: incoming.guild_id,
            channel_id: incoming.channel_id,
            user_id: Some(incoming.user_id),
        };
        match incoming.action {
            Action::Ask { question, private } => {
                if let Some(wait) = self.cooling(incoming.user_id) {
                    return wait;
                }
                self.ask(engine, &question, private, Audience::Asker, origin)
                    .await
            }
            Action::FindGuide { text, message_url } => {
                if let Some(wait) = self.cooling(incoming.user_id) {
                    return wait;
                }
                let text: String = text.chars().take(1000).collect();
                self.ask(engine, &text, false, Audience::Message(message_url), origin)
                    .await
            }
            Action::Recommend {
                use_cases,
                scale,
                hosting,
            } => {
                if let Some(wait) = self.cooling(incoming.user_id) {
                    return wait;
                }
                self.recommend(
                    engine,
                    &use_cases,
                    scale.as_deref(),
                    hosting.as_deref(),
                    origin,
                )
                .await
            }
            Action::Guide { name } => self.guide(engine, &name),
            Action::GuideAutocomplete { partial } => {
                Reply::Choices(guide_choices(engine, &partial))
            }
            Action::Gaps { days } => {
                if !is_maintainer(incoming.permissions) {
                    return not_allowed();
                }
                self.gaps(engine, days.unwrap_or(30)).await
            }
            Action::Questions { unanswered, days } => {
                if !is_maintainer(incoming.permissions) {
                    return not_allowed();
                }
                self.questions(unanswered, days.unwrap_or(7)).await
            }
            Action::Reload => {
                if !is_maintainer(incoming.permissions) {
                    return not_allowed();
                }
                self.reload_reply().await
            }
            Action::Feedback { custom_id } => self.feedback(&custom_id, origin).await,
            Action::Unknown { name } => {
                tracing::warn!(command = %name, "interaction for an unknown command");
                notice("This command is not available any more.")
            }
        }
    }

    fn cooling(&self, user: u64) -> Option<Reply> {
        self.cooldown.check(user, Instant::now()).err().map(|wait| {
            self.telemetry.cooldown();
            notice(&format!(
                "You are asking quickly. Please wait {} seconds before the next question.",
                wait.as_secs().max(1)
            ))
        })
    }

    async fn ask(
        &self,
        engine: &Engine,
        text: &str,
        private: bool,
        addressed_to: Audience,
        origin: Origin,
    ) -> Reply {
        let Ok(question) = Question::parse(text) else {
            return notice("Please write a question: some words about what you want to know.");
        };
        let started = Instant::now();
        let answer = match engine.ask(&question, HitLimit::DEFAULT) {
            Ok(answer) => answer,
            Err(e) => return apology(&e),
        };
        let record = Record::new(Event::Ask(Interaction::from_answer(
            &answer,
            origin,
            started.elapsed(),
        )));
        let uid = record.uid.clone();
        if !self
            .log
            .record(record)
            .committed_within(self.config.commit_wait)
            .await
        {
            tracing::warn!(
                "replying before the question log confirmed the question; it is kept and written later"
            );
        }
        let asked = match addressed_to {
            Audience::Asker => Asked::Ask,
            Audience::Message(_) => Asked::FindGuide,
        };
        self.telemetry
            .question(asked, answer.answered, started.elapsed());
        let mut message = self.answer_message(engine, &answer, &uid);
        message.ephemeral = private;
        if let Audience::Message(url) = addressed_to {
            let target = url.map_or_else(
                || "that message".to_owned(),
                |u| format!("[that message]({u})"),
            );
            message.content = Some(format!("Guides that may answer {target}:"));
        }
        Reply::Message(message.fit())
    }

    fn answer_message(&self, engine: &Engine, answer: &Answer, uid: &str) -> Message {
        let echoed = escape(
            &answer
                .question
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" "),
            false,
        );
        if !answer.answered {
            let description = format!(
                "No guide covers this yet. Your question was logged for the maintainers, who use \
                 these to decide which guide to write next.\n\nTry `/recommend` for a database \
                 stack, or browse the guides: {}",
                self.config.base_url.as_str()
            );
            return Message {
                embeds: vec![Embed {
                    title: Some(format!("“{echoed}”")),
                    description: Some(description),
                    ..Embed::default()
                }],
                ..Message::default()
            };
        }
        let fields = answer
            .hits
            .iter()
            .map(|hit| Field {
                // The section heading as the field's name, the guide title linked to the section.
                name: escape(&hit.section, false),
                value: format!(
                    "[{}]({})\n{}",
                    escape(&hit.title, false),
                    hit.url,
                    hit.excerpt
                ),
            })
            .collect();
        let footer = answer
            .hits
            .first()
            .and_then(|hit| {
                engine
                    .knowledge()
                    .guides
                    .iter()
                    .find(|g| g.slug == hit.guide)
            })
            .map(guide_footer);
        Message {
            embeds: vec![Embed {
                title: Some(format!("“{echoed}”")),
                fields,
                footer,
                ..Embed::default()
            }],
            buttons: feedback_buttons(uid),
            ..Message::default()
        }
    }

    async fn recommend(
        &self,
        engine: &Engine,
        names: &[String],
        scale: Option<&str>,
        hosting: Option<&str>,
        origin: Origin,
    ) -> Reply {
        let use_cases: Vec<UseCase> = names.iter().filter_map(|n| n.parse().ok()).collect();
        let scale: Scale = scale.and_then(|s| s.parse().ok()).unwrap_or_default();
        let hosting: Option<Hosting> = hosting.and_then(|h| h.parse().ok());
        let Ok(request) = Request::new(use_cases, scale, hosting) else {
            return notice(&format!(
                "Set at least one use case to true, for example `/recommend sessions:True \
                 full_text_search:True`, and optionally a `scale` and `hosting`. Use cases: {}.",
                UseCase::valid_names()
            ));
        };
        let started = Instant::now();
        let rec = match recommend::recommend(engine.knowledge(), &request) {
            Ok(rec) => rec,
            Err(e) => return apology(&e),
        };
        let record = Record::new(Event::Recommend(Interaction::from_recommendation(
            &rec,
            origin,
            started.elapsed(),
        )));
        let _ = self
            .log
            .record(record)
            .committed_within(self.config.commit_wait)
            .await;
        self.telemetry
            .question(Asked::Recommend, true, started.elapsed());
        Reply::Message(self.recommendation_message(&rec).fit())
    }

    fn recommendation_message(&self, rec: &Recommendation) -> Message {
        let link = |slug: &str| format!("[{slug}]({}{slug})", self.config.base_url.as_str());
        let mut fields: Vec<Field> = rec
            .stack
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let mut value = String::new();
                for reason in &c.reasons {
                    let feature = reason
                        .feature
                        .as_deref()
                        .map_or(String::new(), |f| format!(" ({f})"));
                    let _ = writeln!(value, "**{}**{feature}: {}", reason.use_case, reason.why);
                }
                let guides: Vec<String> = c.guides.iter().map(|g| link(g)).collect();
                let _ = write!(value, "Guides: {}", guides.join(", "));
                Field {
                    name: format!("{}. {} — {}", i + 1, c.title(), c.role),
                    value,
                }
            })
            .collect();
        if !rec.sync.is_empty() {
            let value = rec
                .sync
                .iter()
                .map(|s| {
                    format!(
                        "**{} → {}**: {} ({})",
                        rec.name_of(&s.from),
                        rec.name_of(&s.to),
                        s.pattern,
                        link(&s.guide)
                    )
                })
                .collect::<Vec<_>>()
                .join("\n");
            fields.push(Field {
                name: "Keeping the stores in sync".to_owned(),
                value,
            });
        }
        if !rec.notes.is_empty() {
            fields.push(Field {
                name: "Notes".to_owned(),
                value: rec
                    .notes
                    .iter()
                    .map(|n| format!("• {n}"))
                    .collect::<Vec<_>>()
                    .join("\n"),
            });
        }
        let use_cases: Vec<&str> = rec.use_cases.iter().map(|u| u.as_str()).collect();
        Message {
            embeds: vec![Embed {
                title: Some(format!("Stack for {}", use_cases.join(", "))),
                description: Some(format!(
                    "Scale: {} · hosting: {}",
                    rec.scale,
                    rec.hosting.map_or("not given", |h| h.as_str())
                )),
                fields,
                ..Embed::default()
            }],
            ..Message::default()
        }
    }

    fn guide(&self, engine: &Engine, name: &str) -> Reply {
        let Some(guide) = find_guide(engine, name) else {
            return notice(&format!(
                "No guide matches “{}”. Start typing and pick one of the suggestions, or browse {}",
                escape(name, false),
                self.config.base_url.as_str()
            ));
        };
        let sections: Vec<String> = guide
            .sections
            .iter()
            .filter(|s| s.anchor.is_some())
            .map(|s| {
                format!(
                    "• [{}]({})",
                    escape(&s.heading, false),
                    guide.url(&self.config.base_url, s)
                )
            })
            .collect();
        let url = format!("{}{}", self.config.base_url.as_str(), guide.slug);
        Reply::Message(
            Message {
                embeds: vec![Embed {
                    title: Some(guide.title.clone()),
                    url: Some(url),
                    description: Some(format!(
                        "{}\n\n{}",
                        escape(&guide.summary, false),
                        sections.join("\n")
                    )),
                    footer: Some(guide_footer(guide)),
                    ..Embed::default()
                }],
                ..Message::default()
            }
            .fit(),
        )
    }

    async fn gaps(&self, engine: &Engine, days: i64) -> Reply {
        let now = log::now_ms();
        let since = now - days.clamp(1, 365) * 86_400_000;
        let topics = match log::open_for_review(&self.config.database).await {
            Ok(mut review) => review.gaps(engine, since, now + 1).await,
            Err(e) => Err(e),
        };
        let topics = match topics {
            Ok(topics) => topics,
            Err(e) => return apology(&e),
        };
        let fields = topics
            .iter()
            .take(10)
            .map(|t| Field {
                name: format!("{} question(s): {}", t.count, t.terms.join(" ")),
                value: format!(
                    "{} unanswered, {} weak, {} 👎 · closest guide: {}\n{}",
                    t.unanswered,
                    t.weak,
                    t.thumbs_down,
                    t.closest_guide.as_deref().unwrap_or("none"),
                    t.examples
                        .iter()
                        .map(|e| format!("> {}", escape(e, false)))
                        .collect::<Vec<_>>()
                        .join("\n")
                ),
            })
            .collect::<Vec<_>>();
        let description = if fields.is_empty() {
            format!("No unanswered, weak or voted-down questions in the last {days} days.")
        } else {
            format!("The biggest topics of the last {days} days: the guides to write next.")
        };
        admin_message("Gaps", description, fields)
    }

    async fn questions(&self, unanswered: bool, days: i64) -> Reply {
        let now = log::now_ms();
        let filter = QuestionFilter {
            since_ms: now - days.clamp(1, 365) * 86_400_000,
            until_ms: now + 1,
            command: None,
            unanswered,
            guild: None,
            limit: 20,
        };
        let rows = match log::open_for_review(&self.config.database).await {
            Ok(mut review) => review.questions(&filter).await,
            Err(e) => Err(e),
        };
        let rows = match rows {
            Ok(rows) => rows,
            Err(e) => return apology(&e),
        };
        let lines: Vec<String> = rows
            .iter()
            .map(|r| {
                format!(
                    "`{}` {} {}: {}",
                    &r.at[..16.min(r.at.len())],
                    if r.answered { "✅" } else { "❌" },
                    r.command,
                    escape(&reply::truncate(&r.question, 120), false)
                )
            })
            .collect();
        let description = if lines.is_empty() {
            format!("No questions in the last {days} days.")
        } else {
            lines.join("\n")
        };
        admin_message("Latest questions", description, Vec::new())
    }

    async fn reload_reply(&self) -> Reply {
        const SHOWN: usize = 15;
        let (title, description) = match self.reload().await {
            Ok(r) => (
                "Guides reloaded",
                format!(
                    "{} guides and {} sections are in service (before: {} guides, {} sections). \
                     Checking and indexing took {} ms.",
                    r.guides,
                    r.sections,
                    r.guides_before,
                    r.sections_before,
                    r.took.as_millis()
                ),
            ),
            Err(ReloadError::Rejected(problems)) => {
                let mut text = format!(
                    "`stackbot check` found {} problem(s), so the guides in service stay as they \
                     were. Fix these and run `/reload` again:\n",
                    problems.len()
                );
                for problem in problems.iter().take(SHOWN) {
                    let _ = writeln!(text, "• {}", escape(&problem.to_string(), false));
                }
                if problems.len() > SHOWN {
                    let _ = write!(
                        text,
                        "…and {} more: run `stackbot check` to list them all.",
                        problems.len() - SHOWN
                    );
                }
                ("Guides not reloaded", text)
            }
            Err(e @ ReloadError::Failed(_)) => (
                "Guides not reloaded",
                format!(
                    "{}. The guides in service stay as they were.",
                    escape(&e.to_string(), false)
                ),
            ),
        };
        admin_message(title, description, Vec::new())
    }

    async fn feedback(&self, custom_id: &str, origin: Origin) -> Reply {
        let Some((vote, uid)) = parse_feedback(custom_id) else {
            return notice("This button is not valid any more.");
        };
        let record = Record::new(Event::Feedback {
            interaction: uid.to_owned(),
            origin,
            vote,
        });
        let _ = self
            .log
            .record(record)
            .committed_within(self.config.commit_wait)
            .await;
        self.telemetry.vote(vote > 0);
        let emoji = if vote > 0 { THUMBS_UP } else { THUMBS_DOWN };
        notice(&format!(
            "Thanks, your {emoji} is recorded. Click the other button to change it."
        ))
    }
}

/// The guide `name` designates: slug, then title, then the best autocomplete choice.
fn find_guide<'e>(engine: &'e Engine, name: &str) -> Option<&'e Guide> {
    let guides = &engine.knowledge().guides;
    let wanted = name.trim().to_lowercase();
    guides
        .iter()
        .find(|g| g.slug == wanted)
        .or_else(|| guides.iter().find(|g| g.title.to_lowercase() == wanted))
        .or_else(|| {
            guide_choices(engine, name)
                .first()
                .and_then(|c| guides.iter().find(|g| g.slug == c.value))
        })
}

/// Up to 25 guides matching `partial`: by slug, title and tags, tolerant of typos.
pub fn guide_choices(engine: &Engine, partial: &str) -> Vec<Choice> {
    let wanted = partial.trim().to_lowercase();
    let words: Vec<&str> = wanted.split_whitespace().collect();
    let mut scored: Vec<(f64, &Guide)> = engine
        .knowledge()
        .guides
        .iter()
        .filter_map(|g| {
            if words.is_empty() {
                return Some((0.0, g));
            }
            let haystack: Vec<String> = g
                .title
                .to_lowercase()
                .split(|c: char| !c.is_alphanumeric())
                .chain(g.slug.split('-'))
                .map(str::to_owned)
                .chain(g.tags.iter().map(|t| t.to_lowercase()))
                .filter(|w| !w.is_empty())
                .collect();
            let mut total = 0.0;
            for word in &words {
                let best = haystack
                    .iter()
                    .map(|h| {
                        if h.starts_with(word) {
                            1.0
                        } else {
                            strsim::jaro_winkler(word, h)
                        }
                    })
                    .fold(0.0, f64::max);
                if best < 0.8 {
                    return None;
                }
                total += best;
            }
            Some((total, g))
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.title.cmp(&b.1.title)));
    scored
        .into_iter()
        .take(reply::limits::CHOICES)
        .map(|(_, g)| Choice {
            name: reply::truncate(&g.title, reply::limits::CHOICE),
            value: g.slug.clone(),
        })
        .collect()
}

fn guide_footer(guide: &Guide) -> String {
    let reviewed = guide
        .reviewed
        .map_or_else(|| "not reviewed".to_owned(), |d| format!("Reviewed {d}"));
    if guide.tested_with.is_empty() {
        reviewed
    } else {
        let tested: Vec<&str> = guide.tested_with.iter().map(|(t, _)| t.as_str()).collect();
        format!("{reviewed} · tested with {}", tested.join(", "))
    }
}

fn feedback_buttons(uid: &str) -> Vec<Button> {
    vec![
        Button {
            custom_id: format!("{FEEDBACK_PREFIX}:up:{uid}"),
            emoji: THUMBS_UP,
            label: "Helpful".to_owned(),
        },
        Button {
            custom_id: format!("{FEEDBACK_PREFIX}:down:{uid}"),
            emoji: THUMBS_DOWN,
            label: "Not helpful".to_owned(),
        },
    ]
}

/// `fb:up:<uid>` → (+1, uid).
fn parse_feedback(custom_id: &str) -> Option<(i8, &str)> {
    let mut parts = custom_id.splitn(3, ':');
    if parts.next()? != FEEDBACK_PREFIX {
        return None;
    }
    let vote = match parts.next()? {
        "up" => 1,
        "down" => -1,
        _ => return None,
    };
    let uid = parts.next()?;
    (uid.len() == 32 && uid.chars().all(|c| c.is_ascii_hexdigit())).then_some((vote, uid))
}

fn is_maintainer(permissions: Option<u64>) -> bool {
    permissions.is_some_and(|p| p & (commands::MANAGE_GUILD | commands::ADMINISTRATOR) != 0)
}

fn not_allowed() -> Reply {
    notice("This command is for members with the Manage Server permission.")
}

/// A short ephemeral message.
fn notice(text: &str) -> Reply {
    Reply::Message(
        Message {
            content: Some(text.to_owned()),
            ephemeral: true,
            ..Message::default()
        }
        .fit(),
    )
}

/// The member sees a short apology; the operator gets the whole cause chain.
fn apology(error: &(dyn std::error::Error + 'static)) -> Reply {
    let mut chain = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        chain.push_str(": ");
        chain.push_str(&cause.to_string());
        source = cause.source();
    }
    tracing::error!(error = %chain, "answering an interaction failed");
    notice(
        "Sorry, something went wrong on our side. The maintainers have been told; please try again in a minute.",
    )
}

fn admin_message(title: &str, description: String, fields: Vec<Field>) -> Reply {
    Reply::Message(
        Message {
            embeds: vec![Embed {
                title: Some(title.to_owned()),
                description: Some(description),
                fields,
                ..Embed::default()
            }],
            ephemeral: true,
            ..Message::default()
        }
        .fit(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feedback_ids_round_trip_and_reject_junk() {
        let uid = "0123456789abcdef0123456789abcdef";
        let buttons = feedback_buttons(uid);
        assert_eq!(parse_feedback(&buttons[0].custom_id), Some((1, uid)));
        assert_eq!(parse_feedback(&buttons[1].custom_id), Some((-1, uid)));
        assert!(
            buttons
                .iter()
                .all(|b| b.custom_id.len() <= reply::limits::CUSTOM_ID)
        );
        assert_eq!(parse_feedback("fb:up:xyz"), None);
        assert_eq!(
            parse_feedback("fb:sideways:0123456789abcdef0123456789abcdef"),
            None
        );
        assert_eq!(parse_feedback("other"), None);
    }

    #[test]
    fn only_manage_server_or_administrator_may_use_admin_commands() {
        assert!(is_maintainer(Some(commands::MANAGE_GUILD)));
        assert!(is_maintainer(Some(commands::ADMINISTRATOR | 1)));
        assert!(!is_maintainer(Some(1 << 11)));
        assert!(!is_maintainer(None));
    }
}
