//! The `stackbot` command line: clap definitions and what each subcommand does.
//!
//! Parses once into typed values (paths, [`BaseUrl`], [`HitLimit`], [`Question`]) and calls the
//! library; printing happens here and nowhere else in the library.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context as _;
use clap::{Args, Parser, Subcommand};

use crate::answer::{Engine, HitLimit, Question, Retrieval};
use crate::knowledge::{self, BaseUrl};
use crate::log::{Event, Interaction, Origin};
use crate::needs::{Hosting, Scale, UnknownName, UseCase};
use crate::recommend::{self, Request};

mod review;
mod serve;
use crate::render;

/// Stackbot: answers questions about polyglot persistence from the community's guides.
#[derive(Debug, Parser)]
#[command(name = "stackbot", version, about)]
pub struct Cli {
    /// Settings shared by every subcommand.
    #[command(flatten)]
    pub config: Config,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Settings read once from flags or the environment.
#[derive(Debug, Args)]
pub struct Config {
    /// Knowledge folder: guides/*.md, catalog.toml, synonyms.toml.
    #[arg(
        long,
        global = true,
        env = "STACKBOT_KNOWLEDGE",
        default_value = "knowledge"
    )]
    pub knowledge: PathBuf,
    /// The question log (SQLite); created when missing by commands that write to it.
    #[arg(
        long,
        global = true,
        env = "STACKBOT_DATABASE",
        default_value = "stackbot.db"
    )]
    pub database: PathBuf,
    /// Keep raw Discord user ids in the question log beside their salted hashes (off: only the
    /// hashes are stored).
    #[arg(
        long,
        global = true,
        env = "STACKBOT_STORE_USER_IDS",
        value_parser = clap::builder::FalseyValueParser::new()
    )]
    pub store_user_ids: bool,
    /// Site URL under which guides are published; links are <base-url><slug>#<section>.
    #[arg(long, global = true, env = "STACKBOT_BASE_URL", default_value = BaseUrl::DEFAULT, value_parser = BaseUrl::parse)]
    pub base_url: BaseUrl,
    /// How sections are retrieved: "hybrid" (BM25 fused with the built-in sentence vectors) or
    /// "lexical" (BM25 alone: less memory, for comparison and the smallest hosts).
    #[arg(
        long,
        global = true,
        env = "STACKBOT_RETRIEVAL",
        default_value = "hybrid",
        value_parser = parse_retrieval
    )]
    pub retrieval: Retrieval,
}

fn parse_retrieval(s: &str) -> Result<Retrieval, String> {
    match s.trim().to_lowercase().as_str() {
        "hybrid" => Ok(Retrieval::Hybrid),
        "lexical" => Ok(Retrieval::Lexical),
        _ => Err(format!("unknown retrieval {s:?}: use hybrid or lexical")),
    }
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the Discord bot (needs the bot token in `DISCORD_TOKEN`).
    Serve(serve::ServeArgs),
    /// Answer a question from the guides, as /ask would.
    Ask(AskArgs),
    /// Recommend the smallest database stack for what the application must do, as /recommend
    /// would.
    Recommend(RecommendArgs),
    /// Validate the knowledge folder and list every problem as `file:line: message`.
    Check(CheckArgs),
    /// Ask a running bot whether it is ready (its /healthz): exit 0 when ready, 1 when not.
    Health(serve::HealthArgs),
    /// List logged questions, newest first.
    Questions(review::QuestionsArgs),
    /// Questions per day, answered share, top guides, votes per guide, median latency.
    Stats(review::StatsArgs),
    /// Questions no guide answers well, grouped into topics: the guides to write next.
    Gaps(review::GapsArgs),
    /// Run logged questions again against the current guides and show what changed.
    Replay(review::ReplayArgs),
    /// Delete logged rows older than a given age.
    Purge(review::PurgeArgs),
    /// Delete every logged row and vote of one Discord user.
    Forget(review::ForgetArgs),
    /// Log synthetic questions and print each id once committed (for the crash test).
    #[command(hide = true)]
    LogLoad(review::LogLoadArgs),
}

/// `stackbot check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Also run the guides' runnable examples (```sql runnable, ```redis runnable) against the
    /// servers below, each guide's SQL in a database of its own; blocks whose `needs=` the
    /// servers cannot meet are skipped and counted. Needs psql and redis-cli on the PATH.
    #[arg(long)]
    pub run_examples: bool,
    /// PostgreSQL for the examples: a postgres:// URL whose user may create databases.
    #[arg(long, env = "STACKBOT_EXAMPLES_POSTGRES", value_parser = parse_postgres_url)]
    pub examples_postgres: Option<url::Url>,
    /// Redis for the examples: a redis:// URL of a throwaway server (it is flushed).
    #[arg(long, env = "STACKBOT_EXAMPLES_REDIS")]
    pub examples_redis: Option<String>,
}

fn parse_postgres_url(s: &str) -> Result<url::Url, String> {
    let url = url::Url::parse(s).map_err(|e| format!("{e}"))?;
    if matches!(url.scheme(), "postgres" | "postgresql") {
        Ok(url)
    } else {
        Err("expected a postgres:// URL".to_owned())
    }
}

/// `stackbot recommend`.
// The field docs are `--help` text, where backticks around the valid words would show.
#[allow(clippy::doc_markdown)]
#[derive(Debug, Args)]
pub struct RecommendArgs {
    /// Print the recommendation as one JSON object.
    #[arg(long)]
    pub json: bool,
    /// Record the request in the question log (--database).
    #[arg(long)]
    pub log: bool,
    /// How big the application is: prototype, growing or large.
    #[arg(long, default_value = "growing", value_parser = parse_name::<Scale>)]
    pub scale: Scale,
    /// Where the stores run: self_hosted, managed or serverless.
    #[arg(long, value_parser = parse_name::<Hosting>)]
    pub hosting: Option<Hosting>,
    /// What the application must do (transactions, sessions, caching, rate_limiting,
    /// full_text_search, fuzzy_search, vector_search, activity_logs, analytics, time_series,
    /// realtime, job_queue, event_streaming, graph, geospatial, flexible_schema).
    #[arg(value_name = "USE_CASE", value_parser = parse_name::<UseCase>)]
    pub use_cases: Vec<UseCase>,
}

/// Parses a vocabulary word; `full-text-search` and `Full_Text_Search` are accepted too.
fn parse_name<T>(s: &str) -> Result<T, String>
where
    T: std::str::FromStr<Err = UnknownName>,
{
    let normal = s.trim().to_lowercase().replace('-', "_");
    normal.parse().map_err(|e: UnknownName| {
        UnknownName {
            name: s.to_owned(),
            ..e
        }
        .to_string()
    })
}

/// `stackbot ask`.
#[derive(Debug, Args)]
pub struct AskArgs {
    /// Print the answer as one JSON object.
    #[arg(long)]
    pub json: bool,
    /// Most hits to show (1 to 10).
    #[arg(long, default_value_t = 3, value_parser = parse_limit)]
    pub limit: usize,
    /// Record the question in the question log (--database).
    #[arg(long)]
    pub log: bool,
    /// The question; several words are joined with spaces. Flags may stand before or after it;
    /// a question that starts with `-` goes after `--` (`stackbot ask -- -v vs --verbose`).
    #[arg(required = true, num_args = 1..)]
    pub question: Vec<String>,
}

fn parse_limit(s: &str) -> Result<usize, String> {
    s.parse::<usize>()
        .ok()
        .and_then(HitLimit::new)
        .map(HitLimit::get)
        .ok_or_else(|| format!("must be a whole number from 1 to {}", HitLimit::MAX))
}

/// An error and its causes on one line, each cause said once: libraries often repeat their
/// source's message in their own (`database: file is not a database: file is not a database`).
pub fn error_text(error: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in error.chain() {
        let text = cause.to_string();
        if parts.iter().any(|p| p.contains(&text)) {
            continue;
        }
        parts.push(text);
    }
    parts.join(": ")
}

/// Exit code for a usage error (what clap uses too).
pub(crate) const USAGE: u8 = 2;

/// Runs the parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Serve(args) => serve::serve(&cli.config, &args),
        Command::Ask(args) => ask(&cli.config, &args),
        Command::Recommend(args) => recommend(&cli.config, &args),
        Command::Check(args) => check(&cli.config, &args),
        Command::Health(args) => serve::health(&args),
        Command::Questions(args) => review::questions(&cli.config, &args),
        Command::Stats(args) => review::stats(&cli.config, &args),
        Command::Gaps(args) => review::gaps(&cli.config, &args),
        Command::Replay(args) => review::replay(&cli.config, &args),
        Command::Purge(args) => review::purge(&cli.config, &args),
        Command::Forget(args) => review::forget(&cli.config, &args),
        Command::LogLoad(args) => review::log_load(&cli.config, &args),
    }
}

fn ask(config: &Config, args: &AskArgs) -> anyhow::Result<ExitCode> {
    let question = match Question::parse(&args.question.join(" ")) {
        Ok(q) => q,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(ExitCode::from(USAGE));
        }
    };
    let limit = HitLimit::new(args.limit).unwrap_or(HitLimit::DEFAULT);
    let engine = load_engine(config)?;
    let started = Instant::now();
    let answer = engine
        .ask(&question, limit)
        .context("answering the question")?;
    let row = Interaction::from_answer(&answer, Origin::default(), started.elapsed());
    let out = if args.json {
        serde_json::to_string_pretty(&answer).context("encoding the answer")? + "\n"
    } else {
        render::answer_text(&answer, &config.base_url)
    };
    // The answer first: a locked log must not hold it back.
    print(&out)?;
    if args.log {
        return review::log_one(config, Event::Ask(row));
    }
    Ok(ExitCode::SUCCESS)
}

fn recommend(config: &Config, args: &RecommendArgs) -> anyhow::Result<ExitCode> {
    let request = match Request::new(args.use_cases.iter().copied(), args.scale, args.hosting) {
        Ok(request) => request,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(ExitCode::from(USAGE));
        }
    };
    let knowledge = load_knowledge(config)?;
    let started = Instant::now();
    let recommendation = recommend::recommend(&knowledge, &request)
        .context("recommending a stack (run `stackbot check`)")?;
    let row =
        Interaction::from_recommendation(&recommendation, Origin::default(), started.elapsed());
    let out = if args.json {
        serde_json::to_string_pretty(&recommendation).context("encoding the recommendation")? + "\n"
    } else {
        render::recommendation_text(&recommendation, &config.base_url)
    };
    print(&out)?;
    if args.log {
        return review::log_one(config, Event::Recommend(row));
    }
    Ok(ExitCode::SUCCESS)
}

fn check(config: &Config, args: &CheckArgs) -> anyhow::Result<ExitCode> {
    if args.run_examples && args.examples_postgres.is_none() && args.examples_redis.is_none() {
        eprintln!(
            "error: --run-examples needs --examples-postgres or --examples-redis (or \
             STACKBOT_EXAMPLES_POSTGRES / STACKBOT_EXAMPLES_REDIS)"
        );
        return Ok(ExitCode::from(2));
    }
    let inspection =
        crate::check::inspect(&config.knowledge).map_err(|e| unreadable(&config.knowledge, e))?;
    let report = inspection.report;
    if report.problems.is_empty() {
        print(&format!("{}\n", report.summary()))?;
        if !args.run_examples {
            return Ok(ExitCode::SUCCESS);
        }
        let servers = crate::runnable::Servers {
            postgres: args.examples_postgres.clone(),
            redis: args.examples_redis.clone(),
        };
        let run = crate::runnable::run(&inspection.knowledge, &servers)
            .context("running the guides' examples")?;
        let mut text = String::new();
        for failure in &run.failures {
            let _ = writeln!(text, "{failure}");
        }
        let _ = writeln!(text, "{}", run.summary());
        print(&text)?;
        return Ok(if run.failures.is_empty() {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        });
    }
    let mut text = String::new();
    for problem in &report.problems {
        text.push_str(&problem.to_string());
        text.push('\n');
    }
    let _ = writeln!(text, "{} problem(s)", report.problems.len());
    print(&text)?;
    Ok(ExitCode::FAILURE)
}

/// Loads the knowledge and indexes it, under the rule of `/reload`: a folder that `stackbot
/// check` finds any problem in is refused with every problem listed.
pub fn load_engine(config: &Config) -> anyhow::Result<Engine> {
    load_engine_from(&config.knowledge, config.base_url.clone(), config.retrieval)
}

/// [`load_engine`] from a folder, a base URL and a retrieval mode.
pub(crate) fn load_engine_from(
    dir: &Path,
    base_url: BaseUrl,
    retrieval: Retrieval,
) -> anyhow::Result<Engine> {
    let inspection = inspect_clean(dir)?;
    Engine::with_index(inspection.knowledge, inspection.index, base_url, retrieval)
        .context("indexing the guides")
}

/// Loads the knowledge folder under the same rule as [`load_engine`].
fn load_knowledge(config: &Config) -> anyhow::Result<knowledge::Knowledge> {
    Ok(inspect_clean(&config.knowledge)?.knowledge)
}

/// The folder `dir` as `stackbot check` sees it, refused when the check finds a problem: the
/// rule of start-up is the rule of `/reload` (which keeps the old index instead), so `check`,
/// `ask`, `serve` and `/reload` always agree on a folder.
fn inspect_clean(dir: &Path) -> anyhow::Result<crate::check::Inspection> {
    let inspection = crate::check::inspect(dir).map_err(|e| unreadable(dir, e))?;
    if inspection.report.problems.is_empty() {
        return Ok(inspection);
    }
    let problems = &inspection.report.problems;
    let mut text = format!(
        "the knowledge folder {} has {} problem(s), and a folder with problems is never served; \
         fix these (`stackbot check` lists the same):",
        dir.display(),
        problems.len()
    );
    for problem in problems {
        let _ = write!(text, "\n  {problem}");
    }
    Err(anyhow::anyhow!(text))
}

/// A knowledge folder that could not be checked at all; when it cannot be read, a hint on how to
/// name it (run from elsewhere, the default `knowledge` is not there).
fn unreadable(dir: &Path, error: crate::check::CheckError) -> anyhow::Error {
    let crate::check::CheckError::Load(error) = error else {
        return anyhow::Error::from(error)
            .context(format!("checking the knowledge folder {}", dir.display()));
    };
    let relative = if dir.is_relative() {
        " (relative to the current folder)"
    } else {
        ""
    };
    anyhow::anyhow!(
        "{:#}\nhint: the knowledge folder is {}{relative}; give the folder that holds guides/, \
         catalog.toml, synonyms.toml and stacks.toml with --knowledge DIR or \
         STACKBOT_KNOWLEDGE=DIR",
        anyhow::Error::from(error),
        dir.display()
    )
}

/// Writes to stdout; a closed pipe (`| head`) is not an error.
pub(crate) fn print(text: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("writing to stdout"),
    }
}
