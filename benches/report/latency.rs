//! In-process latencies: index build, `Engine::ask`, and one `/ask` interaction from Discord's
//! JSON to the response JSON with the question-log commit included (a real SQLite file,
//! `synchronous=FULL`), the path the gateway handler takes.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use stackbot::bot::{Bot, BotConfig};
use stackbot::knowledge::{BaseUrl, Knowledge};
use stackbot::log::{LogConfig, QuestionLog};
use stackbot::{Engine, HitLimit, Question};

use crate::stats::{Times, median_of};

/// An `/ask` interaction as Discord sends it.
pub fn interaction(n: usize, question: &str) -> Value {
    let user = json!({"id": (6000 + n % 1000).to_string(), "username": "member",
                      "discriminator": "0", "avatar": null, "global_name": null});
    json!({
        "id": (100_000 + n).to_string(), "application_id": "2000", "type": 2, "version": 1,
        "token": format!("token-{n}"), "channel_id": "4000", "guild_id": "5000", "locale": "en-US",
        "entitlements": [], "attachment_size_limit": 8_388_608, "app_permissions": "0",
        "user": user.clone(),
        "member": {"user": user, "roles": [], "deaf": false, "mute": false, "flags": 0,
                   "permissions": "0", "joined_at": "2024-01-01T00:00:00.000000+00:00"},
        "data": {"id": "7000", "name": "ask", "type": 1,
                 "options": [{"name": "question", "type": 3, "value": question}]}
    })
}

pub struct Latency {
    pub sections: usize,
    pub guides: usize,
    pub build: Duration,
    pub ask: Times,
    pub interaction: Times,
}

/// Builds the index `build_runs` times (median), then asks every question `rounds` times, alone
/// and as a whole interaction.
pub fn measure(
    knowledge: &Knowledge,
    questions: &[String],
    build_runs: usize,
    rounds: usize,
) -> (Arc<Engine>, Latency) {
    let build = median_of(build_runs, || {
        let started = Instant::now();
        std::hint::black_box(Engine::new(knowledge.clone(), BaseUrl::default()).expect("index"));
        started.elapsed()
    });
    let engine = Arc::new(Engine::new(knowledge.clone(), BaseUrl::default()).expect("index"));
    let mut ask = Times::default();
    for _ in 0..rounds {
        for q in questions {
            let Ok(question) = Question::parse(q) else {
                continue;
            };
            let started = Instant::now();
            std::hint::black_box(engine.ask(&question, HitLimit::DEFAULT).expect("ask"));
            ask.push(started.elapsed());
        }
    }
    let interaction = interactions(&engine, questions, rounds);
    let latency = Latency {
        sections: engine.index().len(),
        guides: knowledge.guides.len(),
        build,
        ask,
        interaction,
    };
    (engine, latency)
}

fn interactions(engine: &Arc<Engine>, questions: &[String], rounds: usize) -> Times {
    let dir = tempfile::tempdir().expect("temp dir");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let database = dir.path().join("bench.db");
        let log = QuestionLog::start(LogConfig::new(&database));
        let bot = Bot::new(
            Arc::clone(engine),
            log.clone(),
            BotConfig {
                base_url: BaseUrl::default(),
                commit_wait: Duration::from_secs(2),
                database,
                knowledge: "knowledge".into(),
                // No cooldown in a benchmark.
                questions_per_minute: usize::MAX,
            },
        );
        let fitting: Vec<&String> = questions
            .iter()
            .filter(|q| (3..=300).contains(&q.chars().count()))
            .collect();
        let mut times = Times::default();
        for round in 0..rounds {
            for (i, q) in fitting.iter().enumerate() {
                let payload = interaction(round * fitting.len() + i, q);
                let started = Instant::now();
                let response = stackbot::discord::respond_to_json(&bot, payload).await;
                times.push(started.elapsed());
                assert!(response.is_some_and(|r| r["type"] == 4));
            }
        }
        log.shutdown(Duration::from_secs(10)).await;
        times
    })
}
