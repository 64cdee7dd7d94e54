//! The `stackbot` binary as a newcomer runs it.

use std::process::{Command, Output};

fn stackbot(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_stackbot"))
        .args(["--knowledge", "tests/fixtures/knowledge"])
        .args(args)
        .env_remove("STACKBOT_KNOWLEDGE")
        .env_remove("STACKBOT_BASE_URL")
        .env_remove("STACKBOT_EXAMPLES_POSTGRES")
        .env_remove("STACKBOT_EXAMPLES_REDIS")
        .output()
        .expect("run stackbot")
}

/// Logs "redis session ttl" into the log at `database`, creating it.
fn log_one_question(database: &str) {
    let out = stackbot(&["--database", database, "ask", "--log", "redis session ttl"]);
    assert!(out.status.success(), "{out:?}");
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn ask_prints_title_section_link_and_excerpt() {
    let out = stackbot(&["ask", "how long should a redis session ttl be"]);
    assert!(out.status.success());
    let text = stdout(&out);
    assert!(
        text.starts_with("1. Sessions in Redis — Choosing a TTL\n"),
        "{text}"
    );
    assert!(text.contains("https://polyglotstack.dev/guides/redis-sessions#choosing-a-ttl"));
}

#[test]
fn ask_json_prints_one_object_in_the_spec_shape() {
    let out = stackbot(&["ask", "--json", "--limit", "1", "outbox"]);
    assert!(out.status.success());
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("valid JSON");
    assert_eq!(json["question"], "outbox");
    assert_eq!(json["answered"], true);
    assert_eq!(json["hits"].as_array().map(Vec::len), Some(1));
    assert_eq!(json["hits"][0]["guide"], "sync-search");
    assert!(json["hits"][0]["score"].is_number());
}

#[test]
fn an_unanswered_question_says_so_honestly() {
    let out = stackbot(&["ask", "how do I bake sourdough bread"]);
    assert!(out.status.success());
    assert!(stdout(&out).starts_with("No guide covers this yet."));
}

#[test]
fn blank_questions_and_bad_limits_are_usage_errors() {
    for args in [
        &["ask", "   "][..],
        &["ask", "--limit", "0", "redis"],
        &["ask", "--limit", "x", "redis"],
        &["ask"],
    ] {
        let out = stackbot(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(!out.stderr.is_empty());
    }
}

#[test]
fn hostile_input_is_just_text() {
    let parens = "(".repeat(1000);
    let long = "日本語 ".repeat(900);
    for question in [
        "C++ AND/OR NOT redis",
        "a^b redis:postgres \"what's",
        &parens,
        "🔥🔥 مرحبا redis \u{7}\u{1b}[31m",
        &long,
    ] {
        let out = stackbot(&["ask", "--json", question]);
        assert!(
            out.status.success(),
            "{question:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let _: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("valid JSON");
    }
}

#[test]
fn check_exits_zero_with_a_summary_or_one_with_every_problem() {
    let clean = stackbot(&["check"]);
    assert!(clean.status.success());
    assert!(stdout(&clean).starts_with("ok: 3 guides, 11 sections"));
    let broken = Command::new(env!("CARGO_BIN_EXE_stackbot"))
        .args(["--knowledge", "tests/fixtures/broken", "check"])
        .output()
        .expect("run");
    assert_eq!(broken.status.code(), Some(1));
    assert!(stdout(&broken).lines().count() > 10);
}

#[test]
fn a_missing_knowledge_folder_is_a_clear_error() {
    let out = Command::new(env!("CARGO_BIN_EXE_stackbot"))
        .args(["--knowledge", "/nonexistent/knowledge", "ask", "redis"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("/nonexistent/knowledge"), "{err}");
    assert!(
        err.contains("--knowledge DIR or STACKBOT_KNOWLEDGE=DIR"),
        "says how to name the folder: {err}"
    );
}

#[test]
fn recommend_prints_the_stack_and_json_in_the_spec_shape() {
    let out = stackbot(&["recommend", "--scale", "large", "caching", "sessions"]);
    assert!(out.status.success(), "{out:?}");
    let text = stdout(&out);
    assert!(
        text.starts_with("Stack for sessions, caching (scale: large, hosting: not given)\n"),
        "{text}"
    );
    assert!(
        text.contains("\n1. PostgreSQL: System of record\n"),
        "{text}"
    );
    assert!(
        text.contains("- PostgreSQL -> Redis: Cache-aside."),
        "{text}"
    );

    let out = stackbot(&[
        "recommend",
        "--json",
        "--hosting",
        "serverless",
        "--scale",
        "large",
        "full-text-search",
    ]);
    assert!(out.status.success(), "{out:?}");
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("valid JSON");
    assert_eq!(json["use_cases"], serde_json::json!(["full_text_search"]));
    assert_eq!(json["hosting"], "serverless");
    assert_eq!(
        json["stack"][0]["database"], "postgresql",
        "the serverless rule applies"
    );
    assert_eq!(json["sync"], serde_json::json!([]));
}

#[test]
fn recommend_usage_errors_list_the_valid_values() {
    let cases: [(&[&str], &str); 4] = [
        (
            &["recommend"],
            "name at least one use case; valid: transactions, sessions,",
        ),
        (
            &["recommend", "search"],
            "unknown use case `search`; valid: transactions,",
        ),
        (
            &["recommend", "--scale", "huge", "caching"],
            "unknown scale `huge`; valid: prototype, growing, large",
        ),
        (
            &["recommend", "--hosting", "cloud", "caching"],
            "unknown hosting `cloud`; valid: self_hosted, managed, serverless",
        ),
    ];
    for (args, message) in cases {
        let out = stackbot(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(message), "{args:?}: {stderr}");
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn ask_and_recommend_log_and_the_review_commands_read_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("log.db");
    let db = db.to_str().unwrap();
    let with_db = |args: &[&str]| {
        let mut all = vec!["--database", db];
        all.extend_from_slice(args);
        stackbot(&all)
    };
    assert!(
        with_db(&["ask", "--log", "how long should a redis session ttl be"])
            .status
            .success()
    );
    assert!(
        with_db(&["ask", "--log", "how do I bake sourdough bread"])
            .status
            .success()
    );
    assert!(with_db(&["recommend", "--log", "caching"]).status.success());

    let out = with_db(&["questions", "--format", "json"]);
    assert!(out.status.success(), "{out:?}");
    let rows: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("JSON");
    let rows = rows.as_array().expect("array");
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0]["command"], "recommend");
    assert_eq!(rows[0]["question"], "caching --scale growing");

    let out = with_db(&[
        "questions",
        "--unanswered",
        "--command",
        "ask",
        "--format",
        "csv",
    ]);
    let csv = stdout(&out);
    assert!(csv.starts_with("time,command,answered,top_guide,score,guild,channel,question\n"));
    assert_eq!(csv.lines().count(), 2, "{csv}");
    assert!(csv.contains("how do I bake sourdough bread"));

    let stats = stdout(&with_db(&["stats"]));
    assert!(
        stats.starts_with("asks: 2 (1 answered, 50%), recommends: 1"),
        "{stats}"
    );
    let gaps = stdout(&with_db(&["gaps"]));
    assert!(
        gaps.starts_with("1. bake bread sourdough — 1 question(s)"),
        "{gaps}"
    );
    let replay = stdout(&with_db(&["replay"]));
    assert!(replay.starts_with("replayed 2 question(s)"), "{replay}");
    let purge = stdout(&with_db(&["purge", "--older-than", "30d"]));
    assert_eq!(purge, "deleted 0 question(s) and 0 vote(s)\n");
    // A cut-off of now would take everything: counted, then refused without --yes.
    let dry = stdout(&with_db(&["purge", "--older-than", "0d", "--dry-run"]));
    assert_eq!(dry, "would delete 3 question(s) and 0 vote(s)\n");
    let refused = with_db(&["purge", "--older-than", "0d"]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("3 question(s)"));
    assert!(
        stdout(&with_db(&["questions", "--format", "json"])).contains("sourdough"),
        "nothing was deleted"
    );
    let all = stdout(&with_db(&["purge", "--older-than", "0d", "--yes"]));
    assert_eq!(all, "deleted 3 question(s) and 0 vote(s)\n");
}

#[test]
fn review_commands_give_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.db");
    let out = stackbot(&["--database", missing.to_str().unwrap(), "questions"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no question log at"));
    assert!(
        !missing.exists(),
        "review commands never create the database"
    );

    for args in [
        &["questions", "--since", "last week"][..],
        &["stats", "--until", "tomorrow"],
        &["purge"],
        &["forget", "not-a-number"],
        &["questions", "--format", "xml"],
    ] {
        let out = stackbot(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(!out.stderr.is_empty());
    }
}

#[test]
fn a_logged_question_that_cannot_be_kept_anywhere_is_an_error_after_the_answer() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("no/such/dir/x.db");
    let database = database.to_str().unwrap();
    let out = stackbot(&["--database", database, "ask", "--log", "outbox"]);
    assert_eq!(out.status.code(), Some(1));
    // The answer is printed all the same, before the log is waited for.
    assert!(stdout(&out).starts_with("1. "), "{}", stdout(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("1 row(s) lost"), "{stderr}");
    assert!(!stderr.contains("kept in"), "{stderr}");

    let out = stackbot(&["--database", database, "recommend", "--log", "sessions"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("1 row(s) lost"));
}

#[test]
fn a_checked_folder_runs_its_examples_only_against_servers_it_is_given() {
    let out = stackbot(&["check", "--run-examples"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--examples-postgres"));
    let out = stackbot(&[
        "check",
        "--run-examples",
        "--examples-postgres",
        "mysql://localhost/x",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("expected a postgres:// URL"));
}

#[test]
fn flags_after_the_question_are_flags_and_unknown_ones_are_refused() {
    let out = stackbot(&["ask", "outbox", "--limit", "1", "--json"]);
    assert!(out.status.success());
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("valid JSON");
    assert_eq!(json["question"], "outbox");
    assert_eq!(json["hits"].as_array().map(Vec::len), Some(1));

    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("f.db");
    let out = stackbot(&[
        "ask",
        "redis ttl",
        "--log",
        "--database",
        database.to_str().unwrap(),
    ]);
    assert!(out.status.success());
    assert!(database.exists(), "the question was logged");

    let out = stackbot(&["ask", "--frobnicate", "redis"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--frobnicate"));

    // A question that starts with a dash goes after `--`.
    let out = stackbot(&["ask", "--json", "--", "-v", "redis", "ttl"]);
    assert!(out.status.success());
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("valid JSON");
    assert_eq!(json["question"], "-v redis ttl");
}

/// `stackbot` run by another, unprivileged user when the tests run as root (as CI does), so that
/// file permissions apply; by the current user otherwise.
fn stackbot_as_reader(args: &[&str], folder: &std::path::Path) -> Output {
    use std::os::unix::fs::PermissionsExt as _;
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    for entry in std::fs::read_dir(folder).unwrap() {
        let path = entry.unwrap().path();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
    }
    std::fs::set_permissions(folder, std::fs::Permissions::from_mode(0o555)).unwrap();
    let knowledge = std::fs::canonicalize("tests/fixtures/knowledge").unwrap();
    let mut command = if root {
        let mut c = Command::new("runuser");
        c.args(["-u", "nobody", "--", env!("CARGO_BIN_EXE_stackbot")]);
        c
    } else {
        Command::new(env!("CARGO_BIN_EXE_stackbot"))
    };
    command
        .arg("--knowledge")
        .arg(knowledge)
        .args(args)
        .env_remove("STACKBOT_KNOWLEDGE")
        .output()
        .expect("run stackbot")
}

#[test]
fn review_commands_read_a_log_they_cannot_write() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let folder = dir.path().join("log");
    std::fs::create_dir(&folder).unwrap();
    let db = folder.join("log.db");
    let db = db.to_str().unwrap();
    log_one_question(db);
    for command in ["questions", "stats"] {
        let out = stackbot_as_reader(&["--database", db, command, "--format", "json"], &folder);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{command}: {stderr}");
        assert!(!stderr.contains("readonly"), "{command}: {stderr}");
    }
    let out = stackbot_as_reader(&["--database", db, "questions"], &folder);
    assert!(
        stdout(&out).contains("redis session ttl"),
        "{}",
        stdout(&out)
    );

    // Closed cleanly, the log has no WAL index beside it, and a read-only folder cannot hold a
    // new one: the file is read as it is.
    std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o755)).unwrap();
    for entry in std::fs::read_dir(&folder).unwrap() {
        let path = entry.unwrap().path();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        use sqlx::Connection as _;
        let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite:{db}"))
            .await
            .unwrap();
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&mut conn)
            .await
            .unwrap();
        conn.close().await.unwrap();
    });
    assert!(!folder.join("log.db-shm").exists());
    let out = stackbot_as_reader(&["--database", db, "questions"], &folder);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout(&out).contains("redis session ttl"),
        "{}",
        stdout(&out)
    );
    std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn review_commands_do_not_wait_for_a_writer() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("log.db");
    let db_text = db.to_str().unwrap();
    log_one_question(db_text);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let holder = rt.block_on(crate::helpers::lock(&db));
    for command in ["questions", "stats"] {
        let out = stackbot(&["--database", db_text, command]);
        assert!(
            out.status.success(),
            "{command} while a writer holds the log: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    drop(holder);
}

#[test]
fn twenty_processes_on_a_new_log_create_its_schema_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("log.db");
    let children: Vec<_> = (0..20)
        .map(|n| {
            Command::new(env!("CARGO_BIN_EXE_stackbot"))
                .args(["--knowledge", "tests/fixtures/knowledge", "--database"])
                .arg(&db)
                .args(["ask", "--log", &format!("redis session ttl {n}")])
                .env_remove("STACKBOT_KNOWLEDGE")
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("run stackbot")
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{stderr}");
        assert!(!stderr.contains("already exists"), "{stderr}");
        assert!(!stderr.contains("unavailable"), "{stderr}");
    }
    let out = stackbot(&[
        "--database",
        db.to_str().unwrap(),
        "questions",
        "--format",
        "json",
        "--limit",
        "100",
    ]);
    let rows: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(rows.as_array().map(Vec::len), Some(20));
}

/// `stackbot` with the knowledge folder `knowledge` and no Discord.
fn stackbot_in(knowledge: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_stackbot"))
        .arg("--knowledge")
        .arg(knowledge)
        .args(args)
        .env_remove("STACKBOT_KNOWLEDGE")
        .output()
        .expect("run stackbot")
}

/// The problems a refused command listed on stderr, one per indented line.
fn refused_problems(out: &Output) -> Vec<String> {
    String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter_map(|l| l.strip_prefix("  "))
        .map(str::to_owned)
        .collect()
}

#[test]
fn ask_recommend_and_serve_refuse_what_check_rejects_listing_the_same_problems() {
    let dir = tempfile::tempdir().unwrap();
    let knowledge = crate::helpers::copy_knowledge_from(
        std::path::Path::new("tests/fixtures/knowledge"),
        dir.path(),
    );
    // A guide without its summary (a loader problem, with references to it elsewhere) and a
    // synonym group no guide uses (a problem only the analyzer finds).
    crate::helpers::drop_summary(&knowledge.join("guides/redis-sessions.md"));
    let synonyms = knowledge.join("synonyms.toml");
    let mut text = std::fs::read_to_string(&synonyms).unwrap();
    text.push_str("\n[[group]]\nterms = [\"sourdough\", \"levain\"]\n");
    std::fs::write(&synonyms, text).unwrap();

    let check = stackbot_in(&knowledge, &["check"]);
    assert_eq!(check.status.code(), Some(1));
    let mut listed: Vec<String> = stdout(&check).lines().map(str::to_owned).collect();
    assert_eq!(listed.pop(), Some(format!("{} problem(s)", listed.len())));
    assert!(listed[0].ends_with("redis-sessions.md:2: front matter has no `summary`"));
    assert!(listed.iter().any(|l| l.contains("synonyms point nowhere")));

    for args in [&["ask", "redis ttl"][..], &["recommend", "caching"]] {
        let out = stackbot_in(&knowledge, args);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {out:?}");
        assert!(out.stdout.is_empty(), "{args:?}: nothing answered");
        assert_eq!(refused_problems(&out), listed, "{args:?}");
    }

    // `serve` refuses before it connects anywhere (nothing listens on port 9).
    let mut child = Command::new(env!("CARGO_BIN_EXE_stackbot"))
        .arg("--knowledge")
        .arg(&knowledge)
        .arg("serve")
        .env("DISCORD_TOKEN", "test-token")
        .env("DISCORD_API_URL", "http://127.0.0.1:9")
        .env("STACKBOT_DATABASE", dir.path().join("log.db"))
        .env_remove("STACKBOT_KNOWLEDGE")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start stackbot serve");
    let deadline = std::time::Instant::now() + std::time::Duration::from_mins(1);
    while child.try_wait().unwrap().is_none() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let exited = child.try_wait().unwrap().is_some();
    if !exited {
        child.kill().unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert!(exited, "serve started from a folder check rejects: {out:?}");
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert_eq!(refused_problems(&out), listed);
}

#[test]
fn an_error_says_its_cause_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("notes.db");
    std::fs::write(&db, "these are my notes, not a database ".repeat(40)).unwrap();
    for command in ["stats", "purge"] {
        let mut args = vec!["--database", db.to_str().unwrap(), command];
        if command == "purge" {
            args.extend(["--older-than", "30d"]);
        }
        let out = stackbot(&args);
        assert_eq!(out.status.code(), Some(1));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            stderr.matches("file is not a database").count(),
            1,
            "{stderr}"
        );
        assert!(stderr.contains("opening the question log"), "{stderr}");
    }
}

#[test]
fn review_time_windows_take_offsets_and_say_when_they_are_empty() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("log.db");
    let db = db.to_str().unwrap();
    log_one_question(db);
    let out = stackbot(&[
        "--database",
        db,
        "questions",
        "--since",
        "2026-12-01T00:00:00+01:00",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = stackbot(&["--database", db, "questions", "--since", "1969-01-01"]);
    assert!(stdout(&out).contains("redis session ttl"));
    let out = stackbot(&["--database", db, "stats", "--since", "7d", "--until", "30d"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("the time window is empty"));
}

#[test]
fn serve_refuses_a_bad_proxy_url_and_never_prints_its_password() {
    let out = stackbot(&["serve", "--api-url", "not a url"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a URL"));
    let out = stackbot(&["serve", "--api-url", "ftp://proxy.example"]);
    assert_eq!(out.status.code(), Some(2));

    let help = Command::new(env!("CARGO_BIN_EXE_stackbot"))
        .args(["serve", "--help"])
        .env("DISCORD_API_URL", "http://proxyuser:hunter2@proxy.example")
        .output()
        .unwrap();
    let text = stdout(&help);
    assert!(text.contains("DISCORD_API_URL"), "{text}");
    assert!(!text.contains("hunter2"), "{text}");
}

#[test]
fn the_metrics_address_may_be_a_host_name() {
    // Nothing listens on port 1: the health check runs (exit 1, "no answer") instead of refusing
    // the address (exit 2).
    let out = stackbot(&["health", "--metrics-addr", "localhost:1"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("http://127.0.0.1:1/healthz"));
    let out = stackbot(&["health", "--metrics-addr", "localhost"]);
    assert_eq!(out.status.code(), Some(2), "no port is a usage error");
}

#[test]
fn a_locked_log_does_not_hold_back_the_answer() {
    use std::io::BufRead as _;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("log.db");
    log_one_question(db.to_str().unwrap());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let holder = rt.block_on(crate::helpers::lock(&db));
    let mut child = Command::new(env!("CARGO_BIN_EXE_stackbot"))
        .args(["--knowledge", "tests/fixtures/knowledge", "--database"])
        .arg(&db)
        .args(["ask", "--log", "outbox"])
        .env_remove("STACKBOT_KNOWLEDGE")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut first = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.starts_with("1. "), "{first:?}");
    // The answer is out while the process still waits for the log.
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert!(
        child.try_wait().unwrap().is_none(),
        "it should still wait for the log"
    );
    drop(holder);
    assert!(child.wait().unwrap().success());
    let out = stackbot(&["--database", db.to_str().unwrap(), "questions"]);
    assert!(stdout(&out).contains("outbox"), "{}", stdout(&out));
}
