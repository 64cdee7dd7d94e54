//! `stackbot serve`: the Discord bot.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use clap::Args;

use super::{Config, USAGE, load_engine, review::log_config};
use crate::bot::{Bot, BotConfig};
use crate::discord::{self, DiscordConfig};
use crate::log::QuestionLog;

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

/// `stackbot serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The bot token from the Discord developer portal (prefer the environment variable).
    #[arg(long, env = "DISCORD_TOKEN", hide_env_values = true)]
    pub token: Option<Secret>,
    /// Register the commands in this server only (instantly) instead of globally.
    #[arg(long, env = "DISCORD_GUILD_ID")]
    pub guild_id: Option<u64>,
    /// Base URL of an HTTP proxy in front of Discord's API, such as twilight-http-proxy.
    #[arg(long, env = "DISCORD_API_URL")]
    pub api_url: Option<String>,
    /// Questions one member may ask per minute before a cooldown notice.
    #[arg(long, env = "STACKBOT_QUESTIONS_PER_MINUTE", default_value_t = 5,
          value_parser = clap::value_parser!(u16).range(1..=1000))]
    pub questions_per_minute: u16,
}

/// Longest wait for the question log before a reply goes out anyway.
const COMMIT_WAIT: Duration = Duration::from_millis(1500);

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
    let engine = Arc::new(load_engine(config)?);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async {
        let log = QuestionLog::start(log_config(config));
        let bot = Arc::new(Bot::new(
            engine,
            log.clone(),
            BotConfig {
                base_url: config.base_url.clone(),
                commit_wait: COMMIT_WAIT,
                database: config.database.clone(),
                questions_per_minute: usize::from(args.questions_per_minute),
            },
        ));
        let discord = DiscordConfig {
            token: token.0,
            guild_id: args.guild_id,
            api_url: args.api_url.clone(),
        };
        tracing::info!(
            guild = ?args.guild_id,
            api = args.api_url.as_deref().unwrap_or("https://discord.com"),
            "connecting to Discord"
        );
        let result = discord::run(discord, bot, shutdown_signal()).await;
        let report = log.shutdown(LOG_SHUTDOWN).await;
        tracing::info!(
            committed = report.committed,
            spooled = report.spooled,
            "question log closed"
        );
        result.context("running the Discord bot")
    })?;
    Ok(ExitCode::SUCCESS)
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
