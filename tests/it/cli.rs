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
    assert!(
        stackbot(&["--database", db, "ask", "--log", "redis session ttl"])
            .status
            .success()
    );
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
    assert!(
        stackbot(&["--database", db_text, "ask", "--log", "redis session ttl"])
            .status
            .success()
    );
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
