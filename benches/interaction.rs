//! One `/ask` interaction end to end, from Discord's JSON to the response JSON, with the question
//! log commit included (a real SQLite file, `synchronous=FULL`): p50 and p99 over the evaluation
//! questions on the real guides, next to `Engine::ask` alone (search and excerpts) as the
//! in-process baseline. Target: p99 under 10 ms. `cargo bench --bench interaction`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use stackbot::bot::{Bot, BotConfig};
use stackbot::eval::EvalSet;
use stackbot::knowledge::{self, BaseUrl};
use stackbot::log::{LogConfig, QuestionLog};
use stackbot::{Engine, HitLimit, Question};

const ROUNDS: usize = 5;

fn interaction(n: usize, question: &str) -> Value {
    let user = json!({"id": (6000 + n % 50).to_string(), "username": "member", "discriminator": "0",
                      "avatar": null, "global_name": null});
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

fn percentile(sorted: &[Duration], per_mille: usize) -> Duration {
    sorted[(sorted.len() - 1) * per_mille / 1000]
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let loaded = knowledge::load("knowledge".as_ref()).expect("knowledge");
    let engine = Arc::new(Engine::new(loaded.knowledge, BaseUrl::default()).expect("index"));
    let questions: Vec<String> = EvalSet::load("tests/eval".as_ref())
        .expect("evaluation set")
        .labelled
        .into_iter()
        .map(|c| c.q)
        .filter(|q| (3..=300).contains(&q.chars().count()))
        .collect();
    let dir = tempfile::tempdir().expect("temp dir");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let (interaction_times, ask_times) = rt.block_on(async {
        let log = QuestionLog::start(LogConfig::new(dir.path().join("bench.db")));
        let bot = Bot::new(
            Arc::clone(&engine),
            log.clone(),
            BotConfig {
                base_url: BaseUrl::default(),
                commit_wait: Duration::from_secs(2),
                database: dir.path().join("bench.db"),
                knowledge: "knowledge".into(),
                // No cooldown in a benchmark.
                questions_per_minute: usize::MAX,
            },
        );
        let mut interactions = Vec::new();
        let mut asks = Vec::new();
        for round in 0..ROUNDS {
            for (i, q) in questions.iter().enumerate() {
                let payload = interaction(round * questions.len() + i, q);
                let started = Instant::now();
                let response = stackbot::discord::respond_to_json(&bot, payload).await;
                interactions.push(started.elapsed());
                assert!(response.is_some_and(|r| r["type"] == 4));

                let question = Question::parse(q).expect("question");
                let started = Instant::now();
                std::hint::black_box(engine.ask(&question, HitLimit::DEFAULT).expect("ask"));
                asks.push(started.elapsed());
            }
        }
        log.shutdown(Duration::from_secs(10)).await;
        (interactions, asks)
    });
    let report = |name: &str, mut times: Vec<Duration>| {
        times.sort_unstable();
        let (p50, p99) = (percentile(&times, 500), percentile(&times, 990));
        println!("{name}: p50 {p50:?}, p99 {p99:?} over {} runs", times.len());
        (p50, p99)
    };
    let (ip50, ip99) = report(
        "/ask interaction, JSON in to JSON out, log commit included",
        interaction_times,
    );
    let (ap50, ap99) = report("Engine::ask alone (baseline)", ask_times);
    println!(
        "interaction / ask: p50 {:.1}x, p99 {:.1}x (target: interaction p99 under 10 ms)",
        ip50.as_secs_f64() / ap50.as_secs_f64(),
        ip99.as_secs_f64() / ap99.as_secs_f64()
    );
}
