//! Shared set-up: engines over the real knowledge and over the fixture corpus.

use std::path::Path;

use stackbot::Engine;
use stackbot::knowledge::{self, BaseUrl};

/// An engine over `knowledge/` (the real guides); panics if the folder has problems.
pub fn real_engine() -> Engine {
    engine(Path::new("knowledge"))
}

/// An engine over `tests/fixtures/knowledge`.
pub fn fixture_engine() -> Engine {
    engine(Path::new("tests/fixtures/knowledge"))
}

/// The fixture knowledge, loaded.
pub fn fixture_knowledge() -> knowledge::Knowledge {
    clean(Path::new("tests/fixtures/knowledge"))
}

/// The real knowledge, loaded; panics if the folder has problems.
pub fn real_knowledge() -> knowledge::Knowledge {
    clean(Path::new("knowledge"))
}

fn engine(dir: &Path) -> Engine {
    Engine::new(clean(dir), BaseUrl::default()).expect("index")
}

fn clean(dir: &Path) -> knowledge::Knowledge {
    let loaded = knowledge::load(dir).expect("knowledge folder");
    assert!(
        loaded.problems.is_empty(),
        "problems in {}: {:#?}",
        dir.display(),
        loaded.problems
    );
    loaded.knowledge
}

/// A copy of the real knowledge folder inside `dir`, for tests that change guides.
pub fn copy_knowledge(dir: &Path) -> std::path::PathBuf {
    copy_knowledge_from(Path::new("knowledge"), dir)
}

/// A copy of the knowledge folder `from` inside `dir`, as `dir/knowledge`.
pub fn copy_knowledge_from(from: &Path, dir: &Path) -> std::path::PathBuf {
    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).expect("create folder");
        for entry in std::fs::read_dir(from).expect("read folder") {
            let entry = entry.expect("entry");
            let target = to.join(entry.file_name());
            if entry.file_type().expect("type").is_dir() {
                copy(&entry.path(), &target);
            } else {
                std::fs::copy(entry.path(), &target).expect("copy file");
            }
        }
    }
    let target = dir.join("knowledge");
    copy(from, &target);
    target
}

/// `GET url` over loopback, around any proxy: the status and the body.
pub async fn get(url: &str) -> (u16, String) {
    let client = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("http client");
    let response = client.get(url).send().await.expect("GET");
    let status = response.status().as_u16();
    (status, response.text().await.expect("body"))
}

/// Holds an exclusive lock on the SQLite database at `path` from another connection; release it
/// with `COMMIT` or by dropping the connection.
pub async fn lock(path: &Path) -> sqlx::SqliteConnection {
    use sqlx::Connection as _;
    let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite:{}", path.display()))
        .await
        .expect("open the database");
    sqlx::query("BEGIN EXCLUSIVE")
        .execute(&mut conn)
        .await
        .expect("lock the database");
    conn
}

/// Removes the `summary` line of the guide at `path`: a loader problem that leaves the guide out.
pub fn drop_summary(path: &Path) {
    let text = std::fs::read_to_string(path).expect("read the guide");
    let without: Vec<&str> = text.lines().filter(|l| !l.starts_with("summary")).collect();
    std::fs::write(path, without.join("\n")).expect("write the guide");
}
