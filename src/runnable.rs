//! `stackbot check --run-examples`: runs the guides' runnable blocks against real servers.
//!
//! The guides mark the SQL and Redis examples meant to run (`knowledge::examples`). Each
//! guide's SQL blocks run in order, with `psql` stopping at the first error, in a database
//! created for that guide and dropped afterwards; its Redis blocks run line by line with
//! `redis-cli` on a database flushed first. A block whose `needs=` the servers cannot meet (an
//! extension the server lacks or does not preload, an older major version) is skipped and
//! counted, so the report says how much was not run and why. The clients are the ones a reader
//! would use: `psql` and `redis-cli` must be on the `PATH`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::process::{Command, Stdio};

use crate::knowledge::{Catalog, ExampleLang, Guide, Knowledge, Need};

/// The servers the examples run against: throwaway ones, since Redis is flushed.
#[derive(Debug, Clone)]
pub struct Servers {
    /// A `postgres://` URL whose user may create databases (`CREATEDB`).
    pub postgres: Option<url::Url>,
    /// A `redis://` URL; its database is flushed before each guide.
    pub redis: Option<String>,
}

/// Why the examples could not be run at all.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// A client program could not be started or a server could not be asked what it has.
    #[error("{0}")]
    Setup(String),
}

/// What the run found.
#[derive(Debug, Default)]
pub struct RunReport {
    /// Blocks run without error.
    pub passed: usize,
    /// Blocks skipped, by the need that was not met.
    pub skipped: BTreeMap<String, usize>,
    /// Failures: `file:line: message` with the client's output.
    pub failures: Vec<String>,
}

impl RunReport {
    /// The one-line summary: `examples: 12 ran, 3 skipped (needs pgvector: 3), 0 failed`.
    pub fn summary(&self) -> String {
        let skipped: usize = self.skipped.values().sum();
        let mut line = format!(
            "examples: {} ran, {skipped} skipped",
            self.passed + self.failures.len()
        );
        if !self.skipped.is_empty() {
            let why: Vec<String> = self
                .skipped
                .iter()
                .map(|(need, n)| format!("needs {need}: {n}"))
                .collect();
            let _ = write!(line, " ({})", why.join(", "));
        }
        let _ = write!(line, ", {} failed", self.failures.len());
        line
    }
}

/// What the servers offer, asked once before the run.
struct Offer {
    postgres_major: Option<u32>,
    /// Extensions `CREATE EXTENSION` can install.
    extensions: Vec<String>,
    /// `shared_preload_libraries`.
    preloaded: Vec<String>,
    redis: Option<(u32, u32)>,
}

impl Offer {
    /// The first need of `needs` the servers cannot meet, if any.
    fn unmet<'n>(&self, needs: &'n [Need], catalog: &Catalog) -> Option<&'n Need> {
        needs.iter().find(|need| match need {
            Need::Postgres(major) => self.postgres_major.is_none_or(|m| m < *major),
            Need::Redis(major, minor) => self.redis.is_none_or(|v| v < (*major, *minor)),
            Need::Extension(id) => {
                let Some(entry) = catalog.get(id) else {
                    return true;
                };
                let Some(name) = &entry.extension else {
                    return true;
                };
                !self.extensions.contains(name) || (entry.preload && !self.preloaded.contains(name))
            }
        })
    }
}

/// Runs every runnable block of `knowledge` against `servers`.
pub fn run(knowledge: &Knowledge, servers: &Servers) -> Result<RunReport, RunError> {
    let offer = ask_offer(servers)?;
    let mut report = RunReport::default();
    for guide in &knowledge.guides {
        if guide.examples.is_empty() {
            continue;
        }
        run_guide(guide, servers, &offer, &knowledge.catalog, &mut report)?;
    }
    Ok(report)
}

fn run_guide(
    guide: &Guide,
    servers: &Servers,
    offer: &Offer,
    catalog: &Catalog,
    report: &mut RunReport,
) -> Result<(), RunError> {
    let database = format!("stackbot_example_{}", guide.slug.replace('-', "_"));
    let mut created = false;
    let mut sql_failed = false;
    let mut roles_before = Vec::new();
    if let Some(redis) = &servers.redis {
        redis_cli(redis, &["FLUSHDB".to_owned()])
            .map_err(|e| RunError::Setup(format!("flushing Redis before {}: {e}", guide.slug)))?;
    }
    for example in &guide.examples {
        let place = format!("{}:{}", guide.path.display(), example.line);
        let server_missing = match example.lang {
            ExampleLang::Sql => servers.postgres.is_none().then_some("postgresql"),
            ExampleLang::Redis => servers.redis.is_none().then_some("redis"),
        };
        if let Some(server) = server_missing {
            *report
                .skipped
                .entry(format!("a {server} server"))
                .or_default() += 1;
            continue;
        }
        if let Some(need) = offer.unmet(&example.needs, catalog) {
            *report.skipped.entry(need.to_string()).or_default() += 1;
            continue;
        }
        match example.lang {
            ExampleLang::Sql => {
                let Some(url) = &servers.postgres else {
                    continue;
                };
                if sql_failed {
                    // Later blocks build on the failed one: their errors would only echo it.
                    report.failures.push(format!(
                        "{place}: not run, an earlier block of the guide failed"
                    ));
                    continue;
                }
                if !created {
                    roles_before = roles(url)?;
                    recreate_database(url, &database)?;
                    created = true;
                }
                if let Err(output) = psql(&with_database(url, &database), &example.code) {
                    sql_failed = true;
                    report
                        .failures
                        .push(format!("{place}: psql failed\n{output}"));
                } else {
                    report.passed += 1;
                }
            }
            ExampleLang::Redis => {
                let Some(redis) = &servers.redis else {
                    continue;
                };
                match run_redis_block(redis, &example.code) {
                    Ok(()) => report.passed += 1,
                    Err(output) => report.failures.push(format!("{place}: {output}")),
                }
            }
        }
    }
    if created && let Some(url) = &servers.postgres {
        psql(
            url,
            &format!("DROP DATABASE IF EXISTS {database} WITH (FORCE);"),
        )
        .map_err(|e| RunError::Setup(format!("dropping {database}: {e}")))?;
        // Roles belong to the server, not the database: drop the ones the guide created, so
        // the next run (and the next guide) starts from the same server.
        let roles = roles(url)?;
        for role in roles.iter().filter(|r| !roles_before.contains(r)) {
            psql(
                url,
                &format!("DROP ROLE IF EXISTS \"{}\";", role.replace('"', "\"\"")),
            )
            .map_err(|e| RunError::Setup(format!("dropping the role {role}: {e}")))?;
        }
    }
    Ok(())
}

fn roles(url: &url::Url) -> Result<Vec<String>, RunError> {
    psql_output(url, "SELECT rolname FROM pg_roles ORDER BY rolname;")
        .map(|out| out.lines().map(str::to_owned).collect())
        .map_err(|e| RunError::Setup(format!("listing roles: {e}")))
}

fn run_redis_block(redis: &str, code: &str) -> Result<(), String> {
    for line in code.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let words =
            shlex::split(line).ok_or_else(|| format!("cannot split {line:?} into words"))?;
        redis_cli(redis, &words).map_err(|e| format!("`{line}`: {e}"))?;
    }
    Ok(())
}

fn ask_offer(servers: &Servers) -> Result<Offer, RunError> {
    let mut offer = Offer {
        postgres_major: None,
        extensions: Vec::new(),
        preloaded: Vec::new(),
        redis: None,
    };
    if let Some(url) = &servers.postgres {
        let query = "SELECT current_setting('server_version_num')::int / 10000; \
                     SELECT current_setting('shared_preload_libraries'); \
                     SELECT name FROM pg_available_extensions ORDER BY name;";
        let out = psql_output(url, query).map_err(RunError::Setup)?;
        let mut lines = out.lines();
        offer.postgres_major = lines.next().and_then(|l| l.trim().parse().ok());
        offer.preloaded = lines
            .next()
            .unwrap_or_default()
            .split(',')
            .map(|l| l.trim().to_owned())
            .filter(|l| !l.is_empty())
            .collect();
        offer.extensions = lines.map(|l| l.trim().to_owned()).collect();
        if offer.postgres_major.is_none() {
            return Err(RunError::Setup(format!(
                "PostgreSQL did not say its version: {out}"
            )));
        }
    }
    if let Some(redis) = &servers.redis {
        let info = redis_cli(redis, &["INFO".to_owned(), "server".to_owned()])
            .map_err(|e| RunError::Setup(format!("asking Redis for its version: {e}")))?;
        offer.redis = info
            .lines()
            .find_map(|l| l.strip_prefix("redis_version:"))
            .and_then(|v| {
                let mut parts = v.trim().split('.');
                Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
            });
        if offer.redis.is_none() {
            return Err(RunError::Setup("Redis did not say its version".to_owned()));
        }
    }
    Ok(offer)
}

fn recreate_database(url: &url::Url, database: &str) -> Result<(), RunError> {
    psql(
        url,
        &format!("DROP DATABASE IF EXISTS {database} WITH (FORCE);"),
    )
    .and_then(|()| psql(url, &format!("CREATE DATABASE {database};")))
    .map_err(|e| RunError::Setup(format!("creating the database {database}: {e}")))
}

/// `url` pointing at `database` instead.
fn with_database(url: &url::Url, database: &str) -> url::Url {
    let mut url = url.clone();
    url.set_path(&format!("/{database}"));
    url
}

/// Runs `sql` with psql, stopping at the first error; the error output on failure.
fn psql(url: &url::Url, sql: &str) -> Result<(), String> {
    psql_output(url, sql).map(drop)
}

fn psql_output(url: &url::Url, sql: &str) -> Result<String, String> {
    let output = run_client(
        Command::new("psql")
            .arg("--no-psqlrc")
            .arg("--quiet")
            .arg("--tuples-only")
            .arg("--no-align")
            .args(["--set", "ON_ERROR_STOP=1"])
            .arg("--dbname")
            .arg(url.as_str()),
        Some(sql),
    )?;
    Ok(output)
}

/// Runs one redis-cli command; its output, or the error it printed.
fn redis_cli(url: &str, words: &[String]) -> Result<String, String> {
    run_client(
        Command::new("redis-cli")
            .args(["-u", url, "-e"])
            .args(words),
        None,
    )
}

fn run_client(command: &mut Command, input: Option<&str>) -> Result<String, String> {
    use std::io::Write as _;
    let program = command.get_program().to_string_lossy().into_owned();
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {program}: {e}"))?;
    let mut stdin = child.stdin.take();
    let writer = input.map(str::to_owned).map(|text| {
        let mut stdin = stdin.take();
        std::thread::spawn(move || {
            if let Some(stdin) = &mut stdin {
                let _ = stdin.write_all(text.as_bytes());
            }
        })
    });
    drop(stdin);
    let output = child
        .wait_with_output()
        .map_err(|e| format!("{program}: {e}"))?;
    if let Some(writer) = writer {
        let _ = writer.join();
    }
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    if output.status.success() {
        Ok(stdout)
    } else {
        Err(format!("{stdout}{stderr}").trim().to_owned())
    }
}
