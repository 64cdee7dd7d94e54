//! The real serenity client, wired as `stackbot serve` wires it, against the fake Discord: the
//! real guides, a real SQLite question log in a temporary folder.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use stackbot::bot::{Bot, BotConfig};
use stackbot::discord::{self, DiscordConfig};
use stackbot::knowledge::BaseUrl;
use stackbot::log::{self, LogConfig, QuestionFilter, QuestionLog};
use stackbot::ops::{self, Monitor, Telemetry};

use crate::fake_discord::{self as fake, FakeDiscord, GUILD_ID, within};
use crate::helpers::{copy_knowledge, get, lock, real_engine};

const MEMBER: u64 = 6000;
const NO_PERMISSIONS: &str = "0";
const MANAGE_GUILD: &str = "32";

struct Harness {
    fake: FakeDiscord,
    bot_handle: Arc<Bot>,
    /// Base URL of the monitoring server (`/metrics`, `/healthz`).
    monitor: String,
    knowledge: PathBuf,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    bot: tokio::task::JoinHandle<Result<(), discord::DiscordError>>,
    log: QuestionLog,
    database: PathBuf,
    dir: tempfile::TempDir,
}

impl Harness {
    async fn start(questions_per_minute: usize) -> Self {
        Self::start_with(questions_per_minute, LogConfig::new).await
    }

    /// A harness whose log is set up by `log_config` from the database path, with a copy of the
    /// real guides and the monitoring server on a free loopback port.
    async fn start_with(
        questions_per_minute: usize,
        log_config: impl FnOnce(PathBuf) -> LogConfig,
    ) -> Self {
        let fake = FakeDiscord::start().await;
        let dir = tempfile::tempdir().unwrap();
        let database = dir.path().join("log.db");
        let knowledge = copy_knowledge(dir.path());
        let log_config = log_config(database.clone());
        let telemetry = Arc::new(Telemetry::new());
        let monitor = Arc::new(Monitor::new(
            Arc::clone(&telemetry),
            log_config.path.clone(),
        ));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let monitor_url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(ops::serve_monitor(
            listener,
            Arc::clone(&monitor),
            std::future::pending(),
        ));
        let log = QuestionLog::start(log_config);
        let bot = Arc::new(Bot::with_telemetry(
            Arc::new(real_engine()),
            log.clone(),
            BotConfig {
                base_url: BaseUrl::default(),
                commit_wait: Duration::from_millis(1500),
                database: database.clone(),
                knowledge: knowledge.clone(),
                questions_per_minute,
            },
            telemetry,
        ));
        monitor.attach(Arc::clone(&bot));
        let bot_handle = Arc::clone(&bot);
        let (stop, stopped) = tokio::sync::oneshot::channel();
        let config = DiscordConfig {
            token: "test-token".into(),
            guild_id: Some(GUILD_ID),
            api_url: Some(fake.url()),
        };
        let bot = tokio::spawn(discord::run(config, bot, async {
            let _ = stopped.await;
        }));
        fake.wait_sessions(1).await;
        fake.wait_registrations(1).await;
        Self {
            fake,
            bot_handle,
            monitor: monitor_url,
            knowledge,
            stop: Some(stop),
            bot,
            log,
            database,
            dir,
        }
    }

    async fn ask(&mut self, question: &str) -> Value {
        let id = self.fake.interact(fake::slash(
            MEMBER,
            NO_PERMISSIONS,
            "ask",
            json!([{"name": "question", "type": 3, "value": question}]),
        ));
        let callback = self.fake.next_callback().await;
        assert_eq!(
            callback.interaction, id,
            "the response answers this interaction"
        );
        callback.body
    }

    /// Uses a maintainers' command with `permissions`; checks that it is deferred, ephemerally,
    /// and that the edit pings nobody; returns the edit.
    async fn admin(&mut self, permissions: &str, name: &str, options: Value) -> Value {
        self.fake
            .interact(fake::slash(MEMBER, permissions, name, options));
        let body = self.fake.next_callback().await.body;
        assert_eq!(body["type"], 5, "deferred first: {body}");
        assert_eq!(body["data"]["flags"], 64, "ephemeral: {body}");
        let edit = self.fake.next_edit().await;
        assert_pings_nobody(&edit["allowed_mentions"]);
        edit
    }

    /// Stops the bot; returns the temporary folder so the log file outlives the harness.
    async fn stop(mut self) -> tempfile::TempDir {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        within(Duration::from_secs(15), self.bot)
            .await
            .expect("join")
            .expect("bot ran cleanly");
        self.log.shutdown(Duration::from_secs(5)).await;
        assert!(
            self.fake.unexpected().is_empty(),
            "{:?}",
            self.fake.unexpected()
        );
        self.dir
    }
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// Allowed mentions that let nothing ping: no parsed kinds, no listed users or roles.
fn assert_pings_nobody(allowed: &Value) {
    for key in ["parse", "users", "roles"] {
        assert!(
            allowed[key].as_array().is_some_and(Vec::is_empty),
            "allowed_mentions.{key} must be an empty list: {allowed}"
        );
    }
    assert_ne!(allowed["replied_user"], true);
}

/// A valid, ephemeral, text-only reply that says `needle`.
fn assert_ephemeral_notice(body: &Value, needle: &str) {
    assert_valid_message(body);
    assert_eq!(body["data"]["flags"], 64, "ephemeral: {body}");
    let content = body["data"]["content"].as_str().unwrap_or_default();
    assert!(
        content.contains(needle),
        "{content:?} should say {needle:?}"
    );
}

/// Checks the limits Discord enforces on an interaction response.
fn assert_valid_message(body: &Value) {
    assert_eq!(body["type"], 4, "a message response: {body}");
    let data = &body["data"];
    assert_pings_nobody(&data["allowed_mentions"]);
    let chars = |v: &Value| v.as_str().map_or(0, |s| s.chars().count());
    assert!(chars(&data["content"]) <= 2000);
    let embeds = data["embeds"].as_array().cloned().unwrap_or_default();
    assert!(embeds.len() <= 10);
    let mut total = 0;
    for embed in &embeds {
        assert!(chars(&embed["title"]) <= 256);
        assert!(chars(&embed["description"]) <= 4096);
        assert!(chars(&embed["footer"]["text"]) <= 2048);
        let fields = embed["fields"].as_array().cloned().unwrap_or_default();
        assert!(fields.len() <= 25);
        for f in &fields {
            assert!((1..=256).contains(&chars(&f["name"])), "{f}");
            assert!((1..=1024).contains(&chars(&f["value"])), "{f}");
            total += chars(&f["name"]) + chars(&f["value"]);
        }
        total +=
            chars(&embed["title"]) + chars(&embed["description"]) + chars(&embed["footer"]["text"]);
    }
    assert!(total <= 6000, "{total} characters of embeds");
    for row in data["components"].as_array().cloned().unwrap_or_default() {
        for button in row["components"].as_array().cloned().unwrap_or_default() {
            assert!(chars(&button["custom_id"]) <= 100);
        }
    }
}

#[test]
fn registration_matches_the_command_definitions() {
    rt().block_on(async {
        let harness = Harness::start(5).await;
        let registrations = harness.fake.registrations();
        let (path, body) = &registrations[0];
        assert_eq!(
            path,
            &format!(
                "/api/v10/applications/{}/guilds/{GUILD_ID}/commands",
                fake::APP_ID
            )
        );
        let commands = body.as_array().expect("a list");
        let names: Vec<&str> = commands
            .iter()
            .map(|c| c["name"].as_str().unwrap())
            .collect();
        assert_eq!(
            names,
            [
                "ask",
                "recommend",
                "guide",
                "Find a guide",
                "gaps",
                "questions",
                "reload"
            ]
        );
        let ask = &commands[0];
        assert_eq!(ask["options"][0]["name"], "question");
        assert_eq!(ask["options"][0]["type"], 3);
        assert_eq!(ask["options"][0]["required"], true);
        assert_eq!(ask["options"][0]["min_length"], 3);
        assert_eq!(ask["options"][0]["max_length"], 300);
        let recommend = &commands[1];
        assert_eq!(recommend["options"].as_array().unwrap().len(), 18);
        assert_eq!(recommend["options"][16]["name"], "scale");
        assert_eq!(
            recommend["options"][16]["choices"]
                .as_array()
                .unwrap()
                .len(),
            3
        );
        assert_eq!(commands[2]["options"][0]["autocomplete"], true);
        assert_eq!(commands[3]["type"], 3, "a message context-menu command");
        for admin in &commands[4..] {
            assert_eq!(admin["default_member_permissions"], "32", "{admin}");
        }
        harness.stop().await;
    });
}

#[test]
fn ask_answers_with_a_linked_section_and_feedback_buttons_and_logs_it() {
    rt().block_on(async {
        let mut harness = Harness::start(5).await;
        let body = harness.ask("how do I keep Redis in sync with Postgres?").await;
        assert_valid_message(&body);
        let embed = &body["data"]["embeds"][0];
        let first = &embed["fields"][0];
        assert!(
            first["value"]
                .as_str()
                .unwrap()
                .contains("https://polyglotstack.dev/guides/redis-cache-aside#keeping-redis-in-sync-on-writes-update-postgres-then-delete-the-key"),
            "{first}"
        );
        assert!(embed["footer"]["text"].as_str().unwrap().starts_with("Reviewed 2026-"));
        let buttons = &body["data"]["components"][0]["components"];
        let up = buttons[0]["custom_id"].as_str().unwrap().to_owned();
        assert!(up.starts_with("fb:up:"));

        // The 👍 click lands in the log, against the question it was given for.
        harness.fake.interact(fake::click(MEMBER, &up));
        let thanks = harness.fake.next_callback().await.body;
        assert_valid_message(&thanks);
        assert_eq!(thanks["data"]["flags"], 64, "ephemeral");
        let database = harness.database.clone();
        let _dir = harness.stop().await;

        let mut review = log::open_for_review(&database).await.unwrap();
        let stats = review.stats(0, i64::MAX).await.unwrap();
        assert_eq!(stats.asks, 1);
        assert_eq!(stats.votes.len(), 1);
        assert_eq!(stats.votes[0].guide, "redis-cache-aside");
        assert_eq!((stats.votes[0].up, stats.votes[0].down), (1, 0));
        let rows = review.questions(&everything()).await.unwrap();
        assert_eq!(rows[0].guild_id.as_deref(), Some("5000"));
    });
}

fn everything() -> QuestionFilter {
    QuestionFilter {
        since_ms: 0,
        until_ms: i64::MAX,
        limit: 1000,
        ..QuestionFilter::default()
    }
}

#[test]
fn an_unanswered_question_says_so_and_is_logged_for_the_maintainers() {
    rt().block_on(async {
        let mut harness = Harness::start(5).await;
        let body = harness.ask("how do I bake sourdough bread").await;
        assert_valid_message(&body);
        let description = body["data"]["embeds"][0]["description"].as_str().unwrap();
        assert!(
            description.starts_with("No guide covers this yet."),
            "{description}"
        );
        assert!(description.contains("logged for the maintainers"));
        assert!(description.contains("/recommend"));
        assert!(
            body["data"]["components"]
                .as_array()
                .is_none_or(Vec::is_empty)
        );
        let database = harness.database.clone();
        let _dir = harness.stop().await;
        let mut review = log::open_for_review(&database).await.unwrap();
        let rows = review.questions(&everything()).await.unwrap();
        assert_eq!(rows.len(), 1);
        assert!(!rows[0].answered);
    });
}

#[test]
fn recommend_answers_with_the_stack_or_explains_itself() {
    rt().block_on(async {
        let mut harness = Harness::start(5).await;
        harness.fake.interact(fake::slash(
            MEMBER,
            NO_PERMISSIONS,
            "recommend",
            json!([
                {"name": "sessions", "type": 5, "value": true},
                {"name": "caching", "type": 5, "value": true},
                {"name": "graph", "type": 5, "value": false},
                {"name": "scale", "type": 3, "value": "large"}
            ]),
        ));
        let body = harness.fake.next_callback().await.body;
        assert_valid_message(&body);
        let embed = &body["data"]["embeds"][0];
        assert_eq!(embed["title"], "Stack for sessions, caching");
        let names: Vec<&str> = embed["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["name"].as_str().unwrap())
            .collect();
        assert!(names[0].starts_with("1. PostgreSQL"), "{names:?}");
        assert!(names[1].starts_with("2. Redis"), "{names:?}");
        assert!(names.contains(&"Keeping the stores in sync"));

        harness
            .fake
            .interact(fake::slash(MEMBER, NO_PERMISSIONS, "recommend", json!([])));
        let body = harness.fake.next_callback().await.body;
        assert_ephemeral_notice(&body, "Set at least one use case");
        harness.stop().await;
    });
}

#[test]
fn guide_autocomplete_tolerates_typos_and_guide_shows_the_sections() {
    rt().block_on(async {
        let mut harness = Harness::start(5).await;
        harness
            .fake
            .interact(fake::autocomplete(MEMBER, "redis sesions"));
        let body = harness.fake.next_callback().await.body;
        assert_eq!(body["type"], 8, "an autocomplete result: {body}");
        let choices = body["data"]["choices"].as_array().unwrap();
        assert!((1..=25).contains(&choices.len()));
        assert_eq!(choices[0]["value"], "redis-sessions", "{choices:?}");
        assert!(
            choices
                .iter()
                .all(|c| c["name"].as_str().unwrap().chars().count() <= 100)
        );

        harness.fake.interact(fake::slash(
            MEMBER,
            NO_PERMISSIONS,
            "guide",
            json!([{"name": "name", "type": 3, "value": "redis-sessions"}]),
        ));
        let body = harness.fake.next_callback().await.body;
        assert_valid_message(&body);
        let embed = &body["data"]["embeds"][0];
        assert_eq!(
            embed["url"],
            "https://polyglotstack.dev/guides/redis-sessions"
        );
        assert!(
            embed["description"]
                .as_str()
                .unwrap()
                .contains("#sliding-expiry-extending-the-ttl-on-each-request")
        );
        harness.stop().await;
    });
}

#[test]
fn find_a_guide_answers_someone_elses_message() {
    rt().block_on(async {
        let mut harness = Harness::start(5).await;
        harness.fake.interact(fake::find_a_guide(
            MEMBER,
            "anyone know how to stop my outbox table from growing forever?",
        ));
        let body = harness.fake.next_callback().await.body;
        assert_valid_message(&body);
        let content = body["data"]["content"].as_str().unwrap();
        assert_eq!(
            content,
            "Guides that may answer [that message](https://discord.com/channels/5000/4000/8000):"
        );
        let fields = body["data"]["embeds"][0]["fields"].as_array().unwrap();
        assert!(
            fields[0]["value"]
                .as_str()
                .unwrap()
                .contains("transactional-outbox")
        );
        harness.stop().await;
    });
}

#[test]
fn admin_commands_are_refused_without_manage_server_and_deferred_with_it() {
    rt().block_on(async {
        let mut harness = Harness::start(5).await;
        harness.ask("how do I bake sourdough bread").await;
        let edit = harness.admin(NO_PERMISSIONS, "gaps", json!([])).await;
        assert!(
            edit["content"].as_str().unwrap().contains("Manage Server"),
            "{edit}"
        );

        let edit = harness.admin(MANAGE_GUILD, "gaps", json!([])).await;
        let fields = edit["embeds"][0]["fields"].as_array().unwrap();
        assert!(
            fields[0]["name"].as_str().unwrap().contains("sourdough"),
            "{edit}"
        );

        let edit = harness
            .admin(
                MANAGE_GUILD,
                "questions",
                json!([{"name": "unanswered", "type": 5, "value": true}]),
            )
            .await;
        assert!(
            edit["embeds"][0]["description"]
                .as_str()
                .unwrap()
                .contains("sourdough")
        );
        harness.stop().await;
    });
}

#[test]
fn a_flood_gets_a_polite_cooldown_notice() {
    rt().block_on(async {
        let mut harness = Harness::start(2).await;
        for _ in 0..2 {
            let body = harness.ask("redis session ttl").await;
            assert!(body["data"]["embeds"][0]["fields"].is_array());
        }
        let body = harness.ask("redis session ttl").await;
        assert_ephemeral_notice(&body, "Please wait");
        harness.stop().await;
    });
}

#[test]
fn hostile_text_yields_a_valid_payload_that_pings_nobody() {
    rt().block_on(async {
        let mut harness = Harness::start(5).await;
        let mut question =
            String::from("@everyone @here <@123> [free nitro](https://evil.example) ```redis``` ");
        while question.chars().count() < 5000 {
            question.push_str("Ω𝔘🦀مرحبا\u{202E} sessions ");
        }
        let body = harness.ask(&question).await;
        assert_valid_message(&body);
        let text = body.to_string();
        assert!(!text.contains("@everyone"), "@everyone must be neutralised");
        assert!(
            !text.contains("[free nitro](https://evil.example)"),
            "masked links are escaped"
        );
        harness.stop().await;
    });
}

#[test]
fn after_the_gateway_drops_the_bot_resumes_and_still_answers() {
    rt().block_on(async {
        let mut harness = Harness::start(5).await;
        harness.fake.drop_connection();
        harness.fake.wait_sessions(2).await;
        let (identifies, resumes) = harness.fake.sessions();
        assert_eq!((identifies, resumes), (1, 1));
        let health = health_becomes(&harness.monitor, 200).await;
        assert_eq!(health["gateway"], "connected", "{health}");
        let body = harness.ask("cache invalidation stampede").await;
        assert_valid_message(&body);
        harness.stop().await;
    });
}

/// `stackbot serve` against the fake, with `args` after `serve`; stdout discarded, stderr and
/// further settings up to the caller.
fn serve_child(
    fake: &FakeDiscord,
    knowledge: &Path,
    database: &Path,
    args: &[&str],
) -> tokio::process::Command {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_stackbot"));
    command
        .arg("serve")
        .args(args)
        .env("STACKBOT_KNOWLEDGE", knowledge)
        .env("STACKBOT_DATABASE", database)
        .env("DISCORD_TOKEN", "test-token")
        .env("DISCORD_API_URL", fake.url())
        .env("DISCORD_GUILD_ID", GUILD_ID.to_string())
        .env_remove("HTTP_PROXY")
        .env_remove("HTTPS_PROXY")
        .stdout(std::process::Stdio::null())
        .kill_on_drop(true);
    command
}

/// The first line of a child's stderr that `wanted` accepts, within 20 seconds; `what` names it
/// for the failure message.
async fn line_with(
    lines: &mut tokio::io::Lines<tokio::io::BufReader<tokio::process::ChildStderr>>,
    what: &str,
    wanted: impl Fn(&str) -> bool,
) -> String {
    within(Duration::from_secs(20), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            if wanted(&line) {
                return line;
            }
        }
        panic!("stackbot serve exited before {what}");
    })
    .await
}

/// Reads the rest of a child's stderr in the background, so it never blocks on a full pipe;
/// the lines come back when the child has exited.
fn keep_reading(
    mut lines: tokio::io::Lines<tokio::io::BufReader<tokio::process::ChildStderr>>,
) -> tokio::task::JoinHandle<Vec<String>> {
    tokio::spawn(async move {
        let mut seen = Vec::new();
        while let Ok(Some(line)) = lines.next_line().await {
            seen.push(line);
        }
        seen
    })
}

/// Sends SIG`name` to `child`.
fn signal(child: &tokio::process::Child, name: &str) {
    let pid = child.id().expect("running").to_string();
    let sent = std::process::Command::new("kill")
        .args([format!("-{name}").as_str(), &pid])
        .status()
        .expect("kill");
    assert!(sent.success(), "kill -{name} {pid}");
}

#[test]
fn sigterm_answers_the_interaction_in_flight_logs_it_and_exits_zero() {
    rt().block_on(async {
        let mut fake = FakeDiscord::start().await;
        let dir = tempfile::tempdir().unwrap();
        let database = dir.path().join("log.db");
        // A log file with its schema, locked by another connection: the bot's ask then waits on
        // its log commit, so it is still in flight when SIGTERM arrives.
        let seed = QuestionLog::start(LogConfig::new(&database));
        let first = seed.record(log::Record::new(log::Event::Ask(log::Interaction {
            question: "seed".into(),
            origin: log::Origin::default(),
            answered: false,
            top_guide: None,
            top_score: None,
            top_coverage: None,
            hits: Vec::new(),
            latency_ms: 0.0,
        })));
        assert!(first.committed_within(Duration::from_secs(10)).await);
        seed.shutdown(Duration::from_secs(5)).await;
        let mut holder = lock(&database).await;

        let mut child = serve_child(&fake, Path::new("knowledge"), &database, &[])
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("start stackbot serve");
        fake.wait_sessions(1).await;
        fake.wait_registrations(1).await;
        fake.interact(fake::slash(
            MEMBER,
            NO_PERMISSIONS,
            "ask",
            json!([{"name": "question", "type": 3, "value": "how do I size a redis session ttl"}]),
        ));
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(
            fake.callback_within(Duration::ZERO).await.is_none(),
            "still in flight"
        );
        signal(&child, "TERM");
        tokio::time::sleep(Duration::from_millis(300)).await;
        sqlx::query("COMMIT").execute(&mut holder).await.unwrap();
        drop(holder);

        let body = fake.next_callback().await.body;
        assert_valid_message(&body);
        assert!(
            body["data"]["embeds"][0]["fields"].is_array(),
            "a real answer: {body}"
        );
        let status = within(Duration::from_secs(30), child.wait()).await.unwrap();
        assert_eq!(status.code(), Some(0));
        let mut review = log::open_for_review(&database).await.unwrap();
        let rows = review.questions(&everything()).await.unwrap();
        let questions: Vec<&str> = rows.iter().map(|r| r.question.as_str()).collect();
        assert!(
            questions.contains(&"how do I size a redis session ttl"),
            "the question answered during shutdown is in the log: {questions:?}"
        );
    });
}

/// Label pairs of a series.
type Labels<'a> = &'a [(&'a str, &'a str)];

/// The value of the series `name` whose labels include every pair of `labels`, from Prometheus'
/// text format, as written there (`3`, `0.25`).
fn metric(text: &str, name: &str, labels: &[(&str, &str)]) -> Option<String> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .find_map(|line| {
            let (series, value) = line.rsplit_once(' ')?;
            let (series_name, series_labels) = match series.split_once('{') {
                Some((n, rest)) => (n, rest.trim_end_matches('}')),
                None => (series, ""),
            };
            let matches = series_name == name
                && labels.iter().all(|(k, v)| {
                    series_labels
                        .split(',')
                        .any(|p| p == format!("{k}=\"{v}\""))
                });
            matches.then(|| value.to_owned())
        })
}

/// Polls `/healthz` until it answers `status`; returns its JSON.
async fn health_becomes(monitor: &str, status: u16) -> Value {
    within(Duration::from_secs(20), async {
        loop {
            let (code, body) = get(&format!("{monitor}/healthz")).await;
            if code == status {
                return serde_json::from_str::<Value>(&body).expect("health JSON");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await
}

#[test]
fn metrics_and_health_follow_questions_votes_the_log_and_the_gateway() {
    rt().block_on(async {
        let mut harness = Harness::start_with(5, |database| LogConfig {
            busy_timeout: Duration::from_millis(100),
            ..LogConfig::new(database)
        })
        .await;
        let health = health_becomes(&harness.monitor, 200).await;
        assert_eq!(health["ready"], true, "{health}");
        assert_eq!(health["gateway"], "connected");
        let guides = real_engine().knowledge().guides.len();
        assert_eq!(health["index"]["guides"], guides);
        assert_eq!(health["log"]["writable"], true);

        let answered = harness
            .ask("how do I keep Redis in sync with Postgres?")
            .await;
        let up = answered["data"]["components"][0]["components"][0]["custom_id"]
            .as_str()
            .unwrap()
            .to_owned();
        harness.ask("how do I bake sourdough bread").await;
        harness.fake.interact(fake::click(MEMBER, &up));
        harness.fake.next_callback().await;

        let (code, text) = get(&format!("{}/metrics", harness.monitor)).await;
        assert_eq!(code, 200);
        let ask = ("command", "ask");
        let guides = guides.to_string();
        // Every series is there from the start: recommend and 👎 show 0, not nothing.
        let expected: [(&str, Labels<'_>, &str); 15] = [
            (
                "stackbot_questions_total",
                &[ask, ("answered", "true")],
                "1",
            ),
            (
                "stackbot_questions_total",
                &[ask, ("answered", "false")],
                "1",
            ),
            ("stackbot_questions_total", &[("command", "recommend")], "0"),
            ("stackbot_answer_seconds_count", &[ask], "2"),
            (
                "stackbot_answer_seconds_bucket",
                &[ask, ("le", "+Inf")],
                "2",
            ),
            ("stackbot_feedback_votes_total", &[("vote", "up")], "1"),
            ("stackbot_feedback_votes_total", &[("vote", "down")], "0"),
            ("stackbot_gateway_state", &[("state", "connected")], "1"),
            ("stackbot_gateway_state", &[("state", "connecting")], "0"),
            ("stackbot_log_committed_rows_total", &[], "3"),
            ("stackbot_log_queue_depth", &[], "0"),
            ("stackbot_log_writable", &[], "1"),
            ("stackbot_log_spool_bytes", &[], "0"),
            ("stackbot_index_guides", &[], &guides),
            ("stackbot_cooldowns_total", &[], "0"),
        ];
        for (name, labels, want) in expected {
            assert_eq!(
                metric(&text, name, labels).as_deref(),
                Some(want),
                "{name} {labels:?} in:\n{text}"
            );
        }

        not_ready_while_the_log_is_locked(&mut harness).await;

        let monitor = harness.monitor.clone();
        harness.stop().await;
        let health = health_becomes(&monitor, 503).await;
        assert_eq!(health["gateway"], "closing", "{health}");
    });
}

/// Another connection holds the log: the question is answered, kept in memory, and the bot is
/// not ready until the log takes it.
async fn not_ready_while_the_log_is_locked(harness: &mut Harness) {
    let mut holder = lock(&harness.database).await;
    let body = harness.ask("what is a dead letter queue").await;
    assert_valid_message(&body);
    let health = health_becomes(&harness.monitor, 503).await;
    assert_eq!(health["log"]["writable"], false, "{health}");
    assert!(health["log"]["pending"].as_u64().unwrap() >= 1, "{health}");
    assert!(
        health["problems"][0].as_str().unwrap().starts_with("log:"),
        "{health}"
    );
    let (_, text) = get(&format!("{}/metrics", harness.monitor)).await;
    assert_eq!(
        metric(&text, "stackbot_log_writable", &[]),
        Some("0".to_owned())
    );
    sqlx::query("COMMIT").execute(&mut holder).await.unwrap();
    drop(holder);
    let health = health_becomes(&harness.monitor, 200).await;
    assert_eq!(health["log"]["pending"], 0, "{health}");
}

/// Adds a sentence with a word no guide uses to the first section of the first guide in
/// `knowledge`; returns the guide's slug.
fn add_made_up_word(knowledge: &std::path::Path) -> String {
    let mut guides: Vec<PathBuf> = std::fs::read_dir(knowledge.join("guides"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    guides.sort();
    let path = &guides[0];
    let text = std::fs::read_to_string(path).unwrap();
    let at = text.find("\n## ").expect("a section") + 1;
    let heading_end = at + text[at..].find('\n').unwrap() + 1;
    let changed = format!(
        "{}\nQuokkaplex is a word only the reload test uses.\n{}",
        &text[..heading_end],
        &text[heading_end..]
    );
    std::fs::write(path, changed).unwrap();
    path.file_stem().unwrap().to_string_lossy().into_owned()
}

const MADE_UP: &str = "what is quokkaplex";

#[test]
fn reload_puts_changed_guides_in_service_and_refuses_a_broken_folder_with_its_problems() {
    rt().block_on(async {
        let mut harness = Harness::start(50).await;
        let slug = add_made_up_word(&harness.knowledge);
        let before = harness.ask(MADE_UP).await;
        assert!(
            before["data"]["embeds"][0]["fields"].is_null(),
            "not in the index yet: {before}"
        );

        let edit = harness.admin(NO_PERMISSIONS, "reload", json!([])).await;
        assert!(
            edit["content"].as_str().unwrap().contains("Manage Server"),
            "{edit}"
        );

        let edit = harness.admin(MANAGE_GUILD, "reload", json!([])).await;
        assert_eq!(edit["embeds"][0]["title"], "Guides reloaded", "{edit}");
        let after = harness.ask(MADE_UP).await;
        let first = after["data"]["embeds"][0]["fields"][0]["value"]
            .as_str()
            .unwrap_or_else(|| panic!("answered after the reload: {after}"));
        assert!(first.contains(&format!("/guides/{slug}#")), "{first}");

        // A broken guide: the check's problems go to the maintainer, the index stays.
        std::fs::write(
            harness.knowledge.join("guides/zz-broken.md"),
            "no front matter here\n",
        )
        .unwrap();
        let edit = harness.admin(MANAGE_GUILD, "reload", json!([])).await;
        assert_eq!(edit["embeds"][0]["title"], "Guides not reloaded", "{edit}");
        let description = edit["embeds"][0]["description"].as_str().unwrap();
        assert!(
            description.contains("zz-broken.md:1: missing front matter"),
            "{description}"
        );
        assert_valid_message(&json!({"type": 4, "data": edit}));
        let still = harness.ask(MADE_UP).await;
        assert!(
            still["data"]["embeds"][0]["fields"][0]["value"]
                .as_str()
                .is_some_and(|v| v.contains(&slug)),
            "the index in service is unchanged: {still}"
        );
        // A folder that cannot be read at all.
        let moved = harness.knowledge.with_extension("moved");
        std::fs::rename(&harness.knowledge, &moved).unwrap();
        let edit = harness.admin(MANAGE_GUILD, "reload", json!([])).await;
        assert_eq!(edit["embeds"][0]["title"], "Guides not reloaded", "{edit}");
        assert!(
            edit["embeds"][0]["description"]
                .as_str()
                .unwrap()
                .contains("could not be loaded"),
            "{edit}"
        );
        std::fs::rename(&moved, &harness.knowledge).unwrap();

        let text = harness.bot_handle.telemetry().render();
        for result in ["loaded", "rejected", "failed"] {
            let reloads = metric(
                &text,
                "stackbot_knowledge_reloads_total",
                &[("result", result)],
            );
            assert_eq!(reloads.as_deref(), Some("1"), "{result}");
        }
        harness.stop().await;
    });
}

/// Waits until `/metrics` counts one reload with `result`.
async fn reloads_become(monitor: &str, result: &str) {
    within(Duration::from_secs(20), async {
        loop {
            let (_, text) = get(&format!("{monitor}/metrics")).await;
            let reloads = metric(
                &text,
                "stackbot_knowledge_reloads_total",
                &[("result", result)],
            );
            if reloads.as_deref() == Some("1") {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await;
}

#[test]
fn serve_reloads_on_sighup_and_answers_health_checks_over_loopback() {
    use tokio::io::AsyncBufReadExt as _;
    rt().block_on(async {
        let mut fake = FakeDiscord::start().await;
        let dir = tempfile::tempdir().unwrap();
        let knowledge = copy_knowledge(dir.path());
        let database = dir.path().join("log.db");
        let mut child = serve_child(
            &fake,
            &knowledge,
            &database,
            &["--metrics-addr", "127.0.0.1:0"],
        )
        .env("RUST_LOG", "info")
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start stackbot serve");
        let mut lines = tokio::io::BufReader::new(child.stderr.take().unwrap()).lines();
        let line = line_with(&mut lines, "serving /metrics", |l| {
            l.contains("serving /metrics") && l.contains("bound=")
        })
        .await;
        let (_, addr) = line.split_once("bound=").unwrap();
        let bound = addr.split_whitespace().next().unwrap().to_owned();
        // Keep reading, so the child never blocks on a full pipe; keep the lines for the end.
        let rest = keep_reading(lines);
        let monitor = format!("http://{bound}");
        let health = health_becomes(&monitor, 200).await;
        assert_eq!(health["gateway"], "connected", "{health}");
        // The container health check: the binary asks the running bot.
        let probe = tokio::process::Command::new(env!("CARGO_BIN_EXE_stackbot"))
            .args(["health", "--metrics-addr", &bound])
            .env_remove("HTTP_PROXY")
            .output()
            .await
            .unwrap();
        assert!(probe.status.success(), "{probe:?}");
        assert!(String::from_utf8_lossy(&probe.stdout).contains("\"ready\": true"));

        let slug = add_made_up_word(&knowledge);
        signal(&child, "HUP");
        reloads_become(&monitor, "loaded").await;
        fake.interact(fake::slash(
            MEMBER,
            NO_PERMISSIONS,
            "ask",
            json!([{"name": "question", "type": 3, "value": MADE_UP}]),
        ));
        let body = fake.next_callback().await.body;
        assert!(
            body["data"]["embeds"][0]["fields"][0]["value"]
                .as_str()
                .is_some_and(|v| v.contains(&slug)),
            "answered from the reloaded guides: {body}"
        );

        // A broken guide: the problems go to the log, the guides in service stay.
        std::fs::write(
            knowledge.join("guides/zz-broken.md"),
            "no front matter here\n",
        )
        .unwrap();
        signal(&child, "HUP");
        reloads_become(&monitor, "rejected").await;
        let health = health_becomes(&monitor, 200).await;
        assert_eq!(
            health["index"]["guides"],
            real_engine().knowledge().guides.len()
        );

        signal(&child, "TERM");
        let status = within(Duration::from_secs(30), child.wait()).await.unwrap();
        assert_eq!(status.code(), Some(0));
        let log = rest.await.unwrap().join("\n");
        assert!(log.contains("knowledge reloaded"), "{log}");
        assert!(
            log.contains("knowledge reload rejected")
                && log.contains("zz-broken.md:1: missing front matter"),
            "the check's problem is in the log: {log}"
        );
        assert!(!log.contains("test-token"), "the token is never logged");
    });
}

#[test]
fn serve_says_at_start_when_its_log_folder_does_not_exist_and_still_answers() {
    use tokio::io::AsyncBufReadExt as _;
    rt().block_on(async {
        let mut fake = FakeDiscord::start().await;
        let dir = tempfile::tempdir().unwrap();
        let database = dir.path().join("no/such/dir/log.db");
        // A proxy URL with credentials: they must never reach the logs.
        let api_url = fake.url().replace("http://", "http://proxyuser:hunter2@");
        let mut child = serve_child(&fake, Path::new("knowledge"), &database, &[])
            .env("DISCORD_API_URL", &api_url)
            .env("RUST_LOG", "info")
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("start stackbot serve");
        let mut lines = tokio::io::BufReader::new(child.stderr.take().unwrap()).lines();
        line_with(&mut lines, "saying its log folder is missing", |l| {
            l.contains("ERROR") && l.contains("cannot be used")
        })
        .await;
        let rest = keep_reading(lines);
        // It still connects and answers.
        fake.wait_sessions(1).await;
        fake.wait_registrations(1).await;
        fake.interact(fake::slash(
            MEMBER,
            NO_PERMISSIONS,
            "ask",
            json!([{"name": "question", "type": 3, "value": "how do redis sessions expire"}]),
        ));
        let reply = fake.next_callback().await.body;
        assert_valid_message(&reply);
        signal(&child, "TERM");
        let status = within(Duration::from_secs(20), child.wait()).await.unwrap();
        assert!(status.success());
        let seen = rest.await.unwrap();
        assert!(
            seen.iter().any(|l| l.contains("lost=1")),
            "the lost row is reported: {seen:#?}"
        );
        assert!(
            seen.iter().any(|l| l.contains("http://***@127.0.0.1")),
            "the proxy is named, redacted: {seen:#?}"
        );
        assert!(!seen.iter().any(|l| l.contains("hunter2")), "{seen:#?}");
    });
}

/// Asks `n` questions, each from another member, and waits for every reply; each must be a
/// valid answer message.
async fn ask_many(fake: &mut FakeDiscord, first_member: u64, n: u64) {
    for i in 0..n {
        fake.interact(fake::slash(
            first_member + i,
            NO_PERMISSIONS,
            "ask",
            json!([{"name": "question", "type": 3, "value": format!("how do redis sessions expire {i}")}]),
        ));
    }
    for _ in 0..n {
        let body = fake.next_callback().await.body;
        assert_valid_message(&body);
    }
}

/// Rows in the log at `database`, read without writing; 0 while it has no schema yet.
async fn logged_rows(database: &Path) -> usize {
    match log::open_read_only(database).await {
        Ok(mut review) => review.questions(&everything()).await.unwrap().len(),
        Err(log::StoreError::Missing(_) | log::StoreError::NotALog(_)) => 0,
        Err(e) => panic!("reading {}: {e}", database.display()),
    }
}

/// Waits until the log at `database` holds `n` rows.
async fn rows_become(database: &Path, n: usize) {
    within(Duration::from_mins(1), async {
        loop {
            if logged_rows(database).await >= n {
                return;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    })
    .await;
}

#[test]
fn a_log_that_cannot_grow_keeps_the_bot_answering_and_its_rows_arrive_once_it_can() {
    rt().block_on(async {
        let mut fake = FakeDiscord::start().await;
        let dir = tempfile::tempdir().unwrap();
        let database = dir.path().join("log.db");
        // A real EFBIG: files may not grow past 24 KiB (soft limit, so it can be raised again
        // from outside), with SIGXFSZ ignored as a server would.
        let plain = serve_child(&fake, Path::new("knowledge"), &database, &[]);
        let std_plain = plain.as_std();
        let mut command = tokio::process::Command::new("bash");
        command
            .args(["-c", r#"trap "" XFSZ; ulimit -S -f 24; exec "$0" "$@""#])
            .arg(std_plain.get_program())
            .args(std_plain.get_args())
            .args(["--questions-per-minute", "1000"]);
        for (key, value) in std_plain.get_envs() {
            match value {
                Some(value) => command.env(key, value),
                None => command.env_remove(key),
            };
        }
        let mut child = command
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("start stackbot serve under a file-size limit");
        fake.wait_sessions(1).await;
        fake.wait_registrations(1).await;

        // Far more than 24 KiB of log: every question still gets its answer.
        ask_many(&mut fake, 10_000, 40).await;
        let stuck = logged_rows(&database).await;
        assert!(
            stuck < 400,
            "the limit should have stopped the log ({stuck} rows)"
        );

        // Room again: the rows kept in memory are written.
        let pid = child.id().unwrap().to_string();
        let raised = std::process::Command::new("prlimit")
            .args(["--pid", &pid, "--fsize=unlimited:unlimited"])
            .status()
            .expect("prlimit");
        assert!(raised.success());
        rows_become(&database, 40).await;

        signal(&child, "TERM");
        let status = within(Duration::from_secs(30), child.wait()).await.unwrap();
        assert!(status.success());
        assert_eq!(logged_rows(&database).await, 40);
    });
}

/// Unmounts its folder when dropped, also when a test fails.
struct Unmount(std::path::PathBuf);

impl Drop for Unmount {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn a_full_disk_keeps_the_bot_answering_and_its_rows_arrive_once_there_is_room() {
    let dir = tempfile::tempdir().unwrap();
    let mount_point = dir.path().join("small");
    std::fs::create_dir(&mount_point).unwrap();
    let mounted = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=64k", "tmpfs"])
        .arg(&mount_point)
        .output();
    match mounted {
        Ok(out) if out.status.success() => {}
        other => {
            // A real ENOSPC needs a small file system; without the right to mount one, the
            // file-size test above covers the same write errors.
            eprintln!("ENOSPC test not run: cannot mount a tmpfs here ({other:?})");
            return;
        }
    }
    let _unmount = Unmount(mount_point.clone());
    rt().block_on(async {
        let mut fake = FakeDiscord::start().await;
        let database = mount_point.join("log.db");
        let mut child = serve_child(
            &fake,
            Path::new("knowledge"),
            &database,
            &["--questions-per-minute", "1000"],
        )
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start stackbot serve");
        fake.wait_sessions(1).await;
        fake.wait_registrations(1).await;

        ask_many(&mut fake, 20_000, 40).await;
        let stuck = logged_rows(&database).await;
        assert!(
            stuck < 200,
            "the full disk should have stopped the log ({stuck} rows)"
        );

        let grown = std::process::Command::new("mount")
            .args(["-o", "remount,size=8m"])
            .arg(&mount_point)
            .status()
            .unwrap();
        assert!(grown.success());
        rows_become(&database, 40).await;

        signal(&child, "TERM");
        let status = within(Duration::from_secs(30), child.wait()).await.unwrap();
        assert!(status.success());
        assert_eq!(logged_rows(&database).await, 40);
    });
}
