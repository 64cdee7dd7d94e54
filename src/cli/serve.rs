//! `stackbot serve`: the Discord bot.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use clap::Args;

use super::{Config, USAGE, load_engine_from, review::log_config};
use crate::bot::{Bot, BotConfig};
use crate::discord::{self, DiscordConfig};
use crate::log::QuestionLog;
use crate::ops::{self, Monitor, Telemetry};

/// A secret from the command line or the environment: never shown by `Debug`.
#[derive(Clone)]
pub struct Secret(String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<secret>")
    }
}

impl std::str::FromStr for Secret {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        Ok(Self(s.trim().to_owned()))
    }
}

/// An http(s) URL with a host; anything else is refused at start, not retried for ever.
fn parse_api_url(s: &str) -> Result<String, String> {
    let url = url::Url::parse(s.trim()).map_err(|e| format!("not a URL ({e})"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none_or(str::is_empty) {
        return Err("expected an http:// or https:// URL with a host".to_owned());
    }
    Ok(s.trim().to_owned())
}

/// `IP:PORT` or `HOST:PORT` (`localhost:9100`), resolved once at start.
fn parse_socket_addr(s: &str) -> Result<SocketAddr, String> {
    use std::net::ToSocketAddrs as _;
    if let Ok(addr) = s.parse() {
        return Ok(addr);
    }
    let mut addrs = s
        .to_socket_addrs()
        .map_err(|e| format!("expected IP:PORT or HOST:PORT (such as 127.0.0.1:9100): {e}"))?
        .collect::<Vec<_>>();
    // IPv4 first: `localhost` is usually both, and 127.0.0.1 is what people expect.
    addrs.sort_by_key(|a| !a.is_ipv4());
    addrs
        .into_iter()
        .next()
        .ok_or_else(|| format!("{s} resolves to no address"))
}

/// `stackbot serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The bot token from the Discord developer portal (prefer the environment variable).
    #[arg(long, env = "DISCORD_TOKEN", hide_env_values = true)]
    pub token: Option<Secret>,
    /// Register the commands in this server only (instantly) instead of globally.
    #[arg(long, env = "DISCORD_GUILD_ID")]
    pub guild_id: Option<u64>,
    /// Base URL of an HTTP proxy in front of Discord's API, such as twilight-http-proxy (an
    /// http:// or https:// URL; credentials in it are never printed).
    #[arg(long, env = "DISCORD_API_URL", hide_env_values = true, value_parser = parse_api_url)]
    pub api_url: Option<String>,
    /// Questions one member may ask per minute before a cooldown notice.
    #[arg(long, env = "STACKBOT_QUESTIONS_PER_MINUTE", default_value_t = 5,
          value_parser = clap::value_parser!(u16).range(1..=1000))]
    pub questions_per_minute: u16,
    /// Serve Prometheus metrics on /metrics and a readiness check on /healthz at this address
    /// (for example 0.0.0.0:9100); off when not given.
    #[arg(long, env = "STACKBOT_METRICS_ADDR", value_parser = parse_socket_addr)]
    pub metrics_addr: Option<SocketAddr>,
}

/// `stackbot health`.
#[derive(Debug, Args)]
pub struct HealthArgs {
    /// The address `stackbot serve --metrics-addr` listens on (0.0.0.0 is asked on 127.0.0.1).
    #[arg(long, env = "STACKBOT_METRICS_ADDR", value_parser = parse_socket_addr)]
    pub metrics_addr: Option<SocketAddr>,
}

/// Longest wait for the question log before a reply goes out anyway.
const COMMIT_WAIT: Duration = Duration::from_millis(1500);

/// Says at start when the log's folder is missing, rather than at the first lost row.
fn warn_if_unwritable(database: &std::path::Path) {
    if let Some(problem) = crate::log::spool::unwritable_folder(database) {
        tracing::error!(
            database = %database.display(),
            "{problem}: questions wait in memory and are lost at shutdown unless it is fixed"
        );
    }
}

/// What the log did at shutdown, as an operator needs to read it.
fn log_closed(report: &crate::log::ShutdownReport) {
    if report.lost > 0 {
        tracing::error!(
            committed = report.committed,
            lost = report.lost,
            "question log closed; rows that could be neither written nor spooled are lost"
        );
    } else {
        tracing::info!(
            committed = report.committed,
            spooled = report.spooled,
            spool = ?report.spool,
            "question log closed"
        );
    }
}
/// How long the log keeps trying to write at exit before it spools the rest.
const LOG_SHUTDOWN: Duration = Duration::from_secs(5);

pub fn serve(config: &Config, args: &ServeArgs) -> anyhow::Result<ExitCode> {
    let Some(token) = args.token.clone().filter(|t| !t.0.is_empty()) else {
        eprintln!(
            "error: DISCORD_TOKEN is not set. Create a bot in the Discord developer portal \
             (Applications → your app → Bot → Reset Token) and export DISCORD_TOKEN=…; \
             to try Stackbot without Discord, run `stackbot ask \"your question\"`."
        );
        return Ok(ExitCode::from(USAGE));
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async {
        let telemetry = Arc::new(Telemetry::new());
        let log_config = log_config(config);
        warn_if_unwritable(&log_config.path);
        let monitor = Arc::new(Monitor::new(
            Arc::clone(&telemetry),
            log_config.path.clone(),
        ));
        let (stop_monitor, monitor_stopped) = tokio::sync::oneshot::channel::<()>();
        let monitor_task = match args.metrics_addr {
            Some(addr) => {
                let listener = tokio::net::TcpListener::bind(addr)
                    .await
                    .with_context(|| format!("listening on --metrics-addr {addr}"))?;
                let bound = listener
                    .local_addr()
                    .context("reading the metrics address")?;
                tracing::info!(%bound, "serving /metrics and /healthz");
                Some(tokio::spawn(ops::serve_monitor(
                    listener,
                    Arc::clone(&monitor),
                    async {
                        let _ = monitor_stopped.await;
                    },
                )))
            }
            None => None,
        };
        // Indexing is CPU work: off the runtime's threads, so /healthz answers "loading" meanwhile.
        let load = {
            let knowledge = config.knowledge.clone();
            let base_url = config.base_url.clone();
            let retrieval = config.retrieval;
            tokio::task::spawn_blocking(move || load_engine_from(&knowledge, base_url, retrieval))
        };
        let engine = Arc::new(load.await.context("indexing the guides")??);
        let log = QuestionLog::start(log_config);
        let bot = Arc::new(Bot::with_telemetry(
            engine,
            log.clone(),
            BotConfig {
                base_url: config.base_url.clone(),
                commit_wait: COMMIT_WAIT,
                database: config.database.clone(),
                knowledge: config.knowledge.clone(),
                questions_per_minute: usize::from(args.questions_per_minute),
            },
            telemetry,
        ));
        monitor.attach(Arc::clone(&bot));
        let reloads = tokio::spawn(reload_on_sighup(Arc::clone(&bot)));
        let discord = DiscordConfig {
            token: token.0,
            guild_id: args.guild_id,
            api_url: args.api_url.clone(),
        };
        tracing::info!(
            guild = ?args.guild_id,
            api = args
                .api_url
                .as_deref()
                .map_or_else(|| "https://discord.com".to_owned(), discord::redacted),
            "connecting to Discord"
        );
        let result = discord::run(discord, bot, shutdown_signal()).await;
        reloads.abort();
        log_closed(&log.shutdown(LOG_SHUTDOWN).await);
        let _ = stop_monitor.send(());
        if let Some(task) = monitor_task
            && let Ok(Err(e)) = task.await
        {
            tracing::warn!(error = %e, "the metrics server stopped with an error");
        }
        result.context("running the Discord bot")
    })?;
    Ok(ExitCode::SUCCESS)
}

/// `stackbot health`: the container health check, with no tool but the binary itself. Prints
/// the bot's `/healthz` answer; exit 0 when ready, 1 when not ready or not answering.
pub fn health(args: &HealthArgs) -> anyhow::Result<ExitCode> {
    let Some(mut addr) = args.metrics_addr else {
        eprintln!(
            "error: give --metrics-addr (or STACKBOT_METRICS_ADDR): the address that \
             `stackbot serve --metrics-addr` serves /healthz on"
        );
        return Ok(ExitCode::from(USAGE));
    };
    if addr.ip().is_unspecified() {
        let loopback: std::net::IpAddr = if addr.is_ipv4() {
            std::net::Ipv4Addr::LOCALHOST.into()
        } else {
            std::net::Ipv6Addr::LOCALHOST.into()
        };
        addr.set_ip(loopback);
    }
    let url = format!("http://{addr}/healthz");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let answer = runtime.block_on(async {
        let client = reqwest::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(5))
            .build()?;
        let response = client.get(&url).send().await?;
        let ready = response.status().is_success();
        Ok::<_, reqwest::Error>((ready, response.text().await?))
    });
    match answer {
        Ok((ready, body)) => {
            super::print(&body)?;
            Ok(if ready {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        Err(e) => {
            eprintln!("error: no answer from {url}: {:#}", anyhow::Error::from(e));
            Ok(ExitCode::FAILURE)
        }
    }
}

/// Reloads the knowledge on every SIGHUP (`docker kill -s HUP`, `systemctl reload`); the outcome
/// goes to the log.
async fn reload_on_sighup(bot: Arc<Bot>) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut hangups = match signal(SignalKind::hangup()) {
            Ok(hangups) => hangups,
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGHUP; use /reload to reload the guides");
                return;
            }
        };
        while hangups.recv().await.is_some() {
            tracing::info!("SIGHUP: reloading the knowledge folder");
            // The outcome is logged by `reload` itself.
            let _ = bot.reload().await;
        }
    }
    #[cfg(not(unix))]
    {
        let _ = bot;
    }
}

/// Resolves on SIGINT or SIGTERM.
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGTERM; only Ctrl-C stops the bot");
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
    tracing::info!("shutdown signal received");
}
