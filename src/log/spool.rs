//! Spool files: rows the writer could not commit before it stopped, kept beside the database
//! for the next start.
//!
//! Every writer that stops with rows left writes a spool file of its own,
//! `<database>.<pid>-<ms>-<random>.spool` (JSON lines, owner-only, written under a temporary
//! name and renamed), so any number of processes (`ask --log` runs and the bot) can spool at the
//! same time without one overwriting another. A start replays every spool file of the database,
//! including `<database>.spool` from older versions; replay is idempotent (rows carry their uid),
//! so two processes replaying one file insert nothing twice. A line that is not valid UTF-8 or
//! not a row is set aside in `<database>.spool.rejected`, never dropped silently, and the rest
//! of the file is replayed.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use super::Record;

/// The spool files of `database` now on disk, oldest name first.
pub fn files(database: &Path) -> Vec<PathBuf> {
    let Some(name) = database
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
    else {
        return Vec::new();
    };
    let dir = match database.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let prefix = format!("{name}.");
    let mut found: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .filter(|e| {
            let file = e.file_name().to_string_lossy().into_owned();
            file.strip_prefix(&prefix).is_some_and(|rest| {
                rest == "spool" || Path::new(rest).extension().is_some_and(|e| e == "spool")
            }) && e.file_type().is_ok_and(|t| t.is_file())
        })
        .map(|e| dir.join(e.file_name()))
        .collect();
    found.sort();
    found
}

/// Why neither the database nor a spool file can be created beside `database`, if that is so:
/// its folder is missing or not a folder. (Permissions are not guessed at: the writes say.)
pub fn unwritable_folder(database: &Path) -> Option<String> {
    let dir = match database.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    match std::fs::metadata(dir) {
        Ok(m) if m.is_dir() => None,
        Ok(_) => Some(format!(
            "the question log's folder {} is not a folder",
            dir.display()
        )),
        Err(e) => Some(format!(
            "the question log's folder {} cannot be used ({e})",
            dir.display()
        )),
    }
}

/// Where damaged spool lines are set aside.
pub fn rejected_path(database: &Path) -> PathBuf {
    let mut name = database.as_os_str().to_owned();
    name.push(".spool.rejected");
    PathBuf::from(name)
}

/// Total size of the spool files of `database`, in bytes.
pub fn bytes(database: &Path) -> u64 {
    files(database)
        .iter()
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum()
}

/// Writes `records` to a new spool file of `database`; returns its path.
pub fn write(database: &Path, records: &[&Record]) -> std::io::Result<PathBuf> {
    let millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    let unique = format!(
        "{}-{millis}-{:016x}.spool",
        std::process::id(),
        fastrand::u64(..)
    );
    let mut name = database.as_os_str().to_owned();
    name.push(".");
    name.push(&unique);
    let path = PathBuf::from(name);
    let mut tmp_name = path.as_os_str().to_owned();
    tmp_name.push(".tmp");
    let tmp = PathBuf::from(tmp_name);
    let result = write_new(&tmp, records).and_then(|()| std::fs::rename(&tmp, &path));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map(|()| path)
}

fn write_new(path: &Path, records: &[&Record]) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = std::io::BufWriter::new(options.open(path)?);
    for record in records {
        serde_json::to_writer(&mut file, record)?;
        file.write_all(b"\n")?;
    }
    file.into_inner()
        .map_err(std::io::IntoInnerError::into_error)?
        .sync_all()
}

/// What a start found in the spool files.
#[derive(Debug, Default)]
pub struct Loaded {
    /// The rows, file by file, in file order.
    pub records: Vec<Record>,
    /// The files read whole: they can go once their rows are committed (or spooled again).
    pub files: Vec<PathBuf>,
    /// Damaged lines set aside in the `.rejected` file.
    pub rejected: usize,
}

/// Reads every spool file of `database`. A file that cannot be read stays on disk for the next
/// start; a file whose damaged lines cannot be set aside stays too (its good rows are replayed
/// now and, idempotently, again next time).
pub fn load(database: &Path) -> Loaded {
    let mut loaded = Loaded::default();
    for path in files(database) {
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) => {
                tracing::error!(spool = %path.display(), error = %e, "cannot read a spool file; it stays for the next start");
                continue;
            }
        };
        let mut damaged: Vec<&[u8]> = Vec::new();
        for (n, line) in bytes.split(|&b| b == b'\n').enumerate() {
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let parsed = std::str::from_utf8(line)
                .map_err(|e| e.to_string())
                .and_then(|text| serde_json::from_str::<Record>(text).map_err(|e| e.to_string()));
            match parsed {
                Ok(record) => loaded.records.push(record),
                Err(error) => {
                    tracing::error!(
                        spool = %path.display(),
                        line = n + 1,
                        error,
                        rejected = %rejected_path(database).display(),
                        "a damaged spool line is set aside"
                    );
                    damaged.push(line);
                }
            }
        }
        if !damaged.is_empty() {
            if let Err(e) = append_rejected(&rejected_path(database), &damaged) {
                tracing::error!(spool = %path.display(), error = %e, "cannot set damaged spool lines aside; the spool file stays");
                continue;
            }
            loaded.rejected += damaged.len();
        }
        loaded.files.push(path);
    }
    loaded
}

fn append_rejected(path: &Path, lines: &[&[u8]]) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.append(true).create(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut out = Vec::new();
    for line in lines {
        out.extend_from_slice(line);
        out.push(b'\n');
    }
    let mut file = options.open(path)?;
    file.write_all(&out)?;
    file.sync_all()
}

/// Removes spool files whose rows are committed or spooled again.
pub fn remove(files: &[PathBuf]) {
    for path in files {
        match std::fs::remove_file(path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                tracing::warn!(spool = %path.display(), error = %e, "cannot remove a replayed spool file");
            }
        }
    }
}
