//! The real binary, `stackbot serve`, against the fake Discord on 127.0.0.1: time to ready, and
//! resident memory idle and after many questions.

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::io::AsyncBufReadExt as _;
use tokio::process::{Child, Command};

use crate::fake_discord::{self as fake, FakeDiscord, GUILD_ID, within};
use crate::stats::Times;

/// Questions in flight at once during the load (the fake's dispatch queue holds 64).
const WINDOW: usize = 32;

pub struct Figures {
    /// Start of the process to the guides indexed and the question log running (no gateway).
    pub to_ready: Duration,
    /// Start of the process to READY from the (local) gateway.
    pub to_gateway: Duration,
    /// Resident memory a second after READY, in KiB.
    pub idle_kib: u64,
    /// Questions sent during the load.
    pub questions: usize,
    /// Questions answered per second during the load.
    pub per_second: f64,
    /// Resident memory after the load, in KiB.
    pub after_kib: u64,
    /// Largest resident memory of the run, in KiB.
    pub peak_kib: u64,
}

struct Running {
    child: Child,
    monitor: String,
    _log: tokio::task::JoinHandle<()>,
}

async fn http_get(client: &reqwest::Client, url: &str) -> Option<(u16, Value)> {
    let response = client.get(url).send().await.ok()?;
    let status = response.status().as_u16();
    let body = response.text().await.ok()?;
    Some((status, serde_json::from_str(&body).ok()?))
}

/// Starts `stackbot serve` and returns it once its monitor listens, with the start instant.
async fn start(fake: &FakeDiscord, knowledge: &Path, database: &Path) -> (Running, Instant) {
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_stackbot"))
        .args(["serve", "--metrics-addr", "127.0.0.1:0"])
        .env("STACKBOT_KNOWLEDGE", knowledge)
        .env("STACKBOT_DATABASE", database)
        .env("STACKBOT_QUESTIONS_PER_MINUTE", "1000")
        .env("DISCORD_TOKEN", "bench-token")
        .env("DISCORD_API_URL", fake.url())
        .env("DISCORD_GUILD_ID", GUILD_ID.to_string())
        .env("RUST_LOG", "info")
        .env_remove("HTTP_PROXY")
        .env_remove("HTTPS_PROXY")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("start stackbot serve");
    let mut lines = tokio::io::BufReader::new(child.stderr.take().expect("stderr")).lines();
    let bound = within(Duration::from_mins(1), async {
        while let Some(line) = lines.next_line().await.expect("read stderr") {
            if line.contains("serving /metrics")
                && let Some((_, addr)) = line.split_once("bound=")
            {
                return addr.split_whitespace().next().expect("address").to_owned();
            }
        }
        panic!("stackbot serve exited before serving /metrics");
    })
    .await;
    let log = tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    let running = Running {
        child,
        monitor: format!("http://{bound}/healthz"),
        _log: log,
    };
    (running, started)
}

/// Polls `/healthz` until `done` holds for its status and body; the time since `started`.
async fn until(
    client: &reqwest::Client,
    url: &str,
    started: Instant,
    done: impl Fn(u16, &Value) -> bool,
) -> Duration {
    within(Duration::from_mins(2), async {
        loop {
            if let Some((status, body)) = http_get(client, url).await
                && done(status, &body)
            {
                return started.elapsed();
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    })
    .await
}

async fn stop(mut running: Running) {
    let pid = running.child.id().expect("running").to_string();
    let _ = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status();
    let status = within(Duration::from_secs(30), running.child.wait())
        .await
        .expect("wait");
    assert!(status.success(), "stackbot serve exited with {status}");
}

/// `VmRSS` and `VmHWM` of `pid`, in KiB.
fn memory(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("proc status");
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// Starts the bot `runs` times for the start-up figures (medians), then, in the last run, sends
/// `total` questions (cycling through `questions`) and reads its memory.
pub async fn measure(knowledge: &Path, runs: usize, questions: &[String], total: usize) -> Figures {
    let client = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client");
    let dir = tempfile::tempdir().expect("temp dir");
    let mut to_ready = Times::default();
    let mut to_gateway = Times::default();
    for run in 0..runs {
        let fake = FakeDiscord::start().await;
        let database = dir.path().join(format!("run{run}.db"));
        let (running, started) = start(&fake, knowledge, &database).await;
        to_ready.push(
            until(&client, &running.monitor, started, |_, body| {
                !body["index"].is_null() && !body["log"].is_null()
            })
            .await,
        );
        to_gateway.push(
            until(&client, &running.monitor, started, |status, _| {
                status == 200
            })
            .await,
        );
        stop(running).await;
    }

    let mut fake = FakeDiscord::start().await;
    let (running, started) = start(&fake, knowledge, &dir.path().join("load.db")).await;
    until(&client, &running.monitor, started, |status, _| {
        status == 200
    })
    .await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let pid = running.child.id().expect("running");
    let (idle_kib, _) = memory(pid);

    let load = Instant::now();
    let mut sent = 0;
    let mut answered = 0;
    while answered < total {
        while sent < total && sent - answered < WINDOW {
            let question = &questions[sent % questions.len()];
            fake.interact(fake::slash(
                6000 + (sent % 1000) as u64,
                "0",
                "ask",
                json!([{"name": "question", "type": 3, "value": question}]),
            ));
            sent += 1;
        }
        let callback = fake.next_callback().await;
        assert_eq!(callback.body["type"], 4, "an answer: {}", callback.body);
        answered += 1;
    }
    #[allow(clippy::cast_precision_loss)]
    let per_second = total as f64 / load.elapsed().as_secs_f64();
    // Let the log writer catch up and the allocator settle.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (after_kib, peak_kib) = memory(pid);
    stop(running).await;
    Figures {
        to_ready: to_ready.p50(),
        to_gateway: to_gateway.p50(),
        idle_kib,
        questions: total,
        per_second,
        after_kib,
        peak_kib,
    }
}
