//! The SQLite side: opening (create, WAL, busy timeout, migrations, salt) and writing batches.

use std::path::{Path, PathBuf};
use std::str::FromStr as _;
use std::time::Duration;

use sha2::{Digest as _, Sha256};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sqlx::{Connection as _, SqliteConnection};

use super::{Event, Interaction, Record, hex};

/// Why the log could not be opened or written.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database file does not exist (review commands do not create it).
    #[error("no question log at {0} (the bot creates it when it starts; check --database)")]
    Missing(String),
    /// SQLite refused.
    #[error("database: {0}")]
    Sql(#[from] sqlx::Error),
    /// The schema could not be brought up to date.
    #[error("migrating the database: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A change was asked of a connection opened for reading.
    #[error("the question log was opened read-only")]
    ReadOnly,
    /// The file is a database but not a question log.
    #[error("{0} is not a question log (it has no `interactions` table; the bot creates it)")]
    NotALog(String),
}

/// Opens the log at `path` for reading only: no migration, no salt, no write of any kind, so a
/// read-only file works and a writer holding a transaction does not make the reader wait (WAL).
/// Where the folder is read-only too and SQLite cannot create the WAL index beside the file,
/// the file is read as it is on disk (`immutable`), without rows still in its WAL.
pub(super) async fn open_read_only(path: &Path) -> Result<SqliteConnection, StoreError> {
    if !path.exists() {
        return Err(StoreError::Missing(path.display().to_string()));
    }
    let options = SqliteConnectOptions::new()
        .filename(path)
        .read_only(true)
        .busy_timeout(Duration::from_secs(2));
    let mut conn = SqliteConnection::connect_with(&options).await?;
    let probe = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'interactions'";
    let tables: i64 = match sqlx::query_scalar(probe).fetch_one(&mut conn).await {
        Ok(n) => n,
        Err(e) if cannot_share_memory(&e) => {
            tracing::warn!(
                database = %path.display(),
                "the question log's folder is read-only: reading the file as it is on disk \
                 (rows not yet checkpointed from its WAL are not shown)"
            );
            conn = SqliteConnection::connect_with(&options.immutable(true)).await?;
            sqlx::query_scalar(probe).fetch_one(&mut conn).await?
        }
        Err(e) => return Err(e.into()),
    };
    if tables == 0 {
        return Err(StoreError::NotALog(path.display().to_string()));
    }
    Ok(conn)
}

/// Whether a read failed because SQLite could not create or open the WAL index (`-shm`) beside a
/// read-only database.
fn cannot_share_memory(error: &sqlx::Error) -> bool {
    error.as_database_error().is_some_and(|e| {
        let message = e.message();
        message.contains("readonly database") || message.contains("unable to open")
    })
}

/// A connection with the schema up to date and the salt loaded.
pub(super) struct Store {
    pub conn: SqliteConnection,
    pub salt: Vec<u8>,
    /// Which file was opened (device and inode on Unix), to notice it being deleted or replaced.
    identity: Option<(u64, u64)>,
    path: PathBuf,
}

impl Store {
    /// Opens (creating when `create` is set) the database at `path`, in WAL mode, migrated.
    pub async fn open(
        path: &Path,
        create: bool,
        busy_timeout: Duration,
    ) -> Result<Self, StoreError> {
        if !create && !path.exists() {
            return Err(StoreError::Missing(path.display().to_string()));
        }
        let options = SqliteConnectOptions::from_str("sqlite:")?
            .filename(path)
            .create_if_missing(create)
            .journal_mode(SqliteJournalMode::Wal)
            // FULL: every commit is on disk (the WAL is fsynced) before the caller hears of it,
            // so a committed question survives a power loss too. Group commit pays one fsync per
            // batch, not per row.
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(busy_timeout)
            .foreign_keys(true);
        let mut conn = SqliteConnection::connect_with(&options).await?;
        // Several processes may open a new file at once (the bot and a few `ask --log`): sqlx's
        // migrator takes no lock on SQLite, so each would see no schema and create the tables,
        // and all but one would fail. An exclusive advisory lock on the file (flock, which does
        // not interact with SQLite's own fcntl locks) lets one migrate while the others wait,
        // then find the schema in place.
        let guard = migration_lock(path).await;
        // `run_direct` on the connection itself: `run` goes through `Acquire`, whose future is not
        // `Send` for every lifetime and cannot be spawned.
        let migrated = sqlx::migrate!().run_direct(None, &mut conn, false).await;
        drop(guard);
        migrated?;
        let salt = load_or_create_salt(&mut conn).await?;
        Ok(Self {
            conn,
            salt,
            identity: file_identity(path),
            path: path.to_path_buf(),
        })
    }

    /// Whether the file at the path is still the one this connection writes to. A deleted or
    /// replaced database file would otherwise swallow commits into an unlinked inode.
    pub fn still_current(&self) -> bool {
        file_identity(&self.path) == self.identity
    }

    /// Writes `records` in one `BEGIN IMMEDIATE` transaction. Rows already present (a replayed
    /// spool) are skipped; a vote replaces the same person's earlier vote.
    pub async fn write(&mut self, records: &[Record], raw_ids: bool) -> Result<(), sqlx::Error> {
        let salt = self.salt.clone();
        let mut tx = self.conn.begin_with("BEGIN IMMEDIATE").await?;
        let interactions: Vec<(&Record, &str, &Interaction)> = records
            .iter()
            .filter_map(|r| match &r.event {
                Event::Ask(i) => Some((r, "ask", i)),
                Event::Recommend(i) => Some((r, "recommend", i)),
                Event::Feedback { .. } => None,
            })
            .collect();
        for chunk in interactions.chunks(ROWS_PER_INSERT) {
            insert_interactions(&mut tx, chunk, &salt, raw_ids).await?;
        }
        for record in records {
            let Event::Feedback {
                interaction,
                origin,
                vote,
            } = &record.event
            else {
                continue;
            };
            let Some(user) = origin.user_id else { continue };
            sqlx::query(
                "INSERT INTO feedback (interaction_uid, voter_hash, voter_id, vote, at_ms)
                 VALUES (?, ?, ?, ?, ?)
                 ON CONFLICT (interaction_uid, voter_hash)
                 DO UPDATE SET vote = excluded.vote, at_ms = excluded.at_ms",
            )
            .bind(interaction)
            .bind(hash_id(&salt, user))
            .bind(raw_ids.then(|| user.to_string()))
            .bind(i64::from(vote.signum()))
            .bind(record.at_ms)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await
    }
}

/// Rows per `INSERT` statement: one statement per row costs a round trip to SQLite's worker
/// thread each; 256 rows × 14 columns = 3,584 parameters, far below SQLite's limit of 32,766.
const ROWS_PER_INSERT: usize = 256;

async fn insert_interactions(
    tx: &mut SqliteConnection,
    rows: &[(&Record, &str, &Interaction)],
    salt: &[u8],
    raw_ids: bool,
) -> Result<(), sqlx::Error> {
    let mut insert = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
        "INSERT OR IGNORE INTO interactions
         (uid, at_ms, command, question, guild_id, channel_id, asker_hash, asker_id,
          top_guide, top_score, top_coverage, answered, hits, latency_ms) ",
    );
    insert.push_values(rows, |mut values, (record, command, i)| {
        let hits = serde_json::to_string(&i.hits).unwrap_or_else(|_| "[]".to_owned());
        values
            .push_bind(record.uid.clone())
            .push_bind(record.at_ms)
            .push_bind((*command).to_owned())
            // Every path into the log, a replayed spool file included, stores what may be shown.
            .push_bind(crate::clean::visible(&i.question).into_owned())
            .push_bind(i.origin.guild_id.map(|g| g.to_string()))
            .push_bind(i.origin.channel_id.map(|c| c.to_string()))
            .push_bind(i.origin.user_id.map(|u| hash_id(salt, u)))
            .push_bind(i.origin.user_id.filter(|_| raw_ids).map(|u| u.to_string()))
            .push_bind(i.top_guide.clone())
            .push_bind(i.top_score.map(f64::from))
            .push_bind(i.top_coverage.map(f64::from))
            .push_bind(i64::from(i.answered))
            .push_bind(hits)
            .push_bind(i.latency_ms);
    });
    insert.build().execute(&mut *tx).await?;
    Ok(())
}

/// Holds an exclusive `flock` on the database file while migrations run; `None` where the file
/// cannot be opened or locked (the migration then runs unguarded, as before).
async fn migration_lock(path: &Path) -> Option<std::fs::File> {
    let path = path.to_path_buf();
    tokio::task::spawn_blocking(move || {
        let file = std::fs::File::open(&path).ok()?;
        file.lock().ok()?;
        Some(file)
    })
    .await
    .ok()
    .flatten()
}

/// Device and inode of the file at `path`; `None` where there is no such file (or no Unix).
fn file_identity(path: &Path) -> Option<(u64, u64)> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
    }
    #[cfg(not(unix))]
    {
        std::fs::metadata(path).ok().map(|_| (0, 0))
    }
}

/// `sha256(salt ‖ decimal user id)`, hex.
pub(super) fn hash_id(salt: &[u8], user_id: u64) -> String {
    let mut hasher = Sha256::new();
    hasher.update(salt);
    hasher.update(user_id.to_string().as_bytes());
    hex(&hasher.finalize())
}

async fn load_or_create_salt(conn: &mut SqliteConnection) -> Result<Vec<u8>, sqlx::Error> {
    let mut bytes = [0_u8; 32];
    // Only used when the database has no salt yet; `INSERT OR IGNORE` keeps the first one if two
    // processes race.
    getrandom::fill(&mut bytes)
        .map_err(|e| sqlx::Error::Protocol(format!("no randomness: {e}")))?;
    sqlx::query("INSERT OR IGNORE INTO settings (key, value) VALUES ('salt', ?)")
        .bind(hex(&bytes))
        .execute(&mut *conn)
        .await?;
    let salt: String = sqlx::query_scalar("SELECT value FROM settings WHERE key = 'salt'")
        .fetch_one(&mut *conn)
        .await?;
    Ok(salt.into_bytes())
}
