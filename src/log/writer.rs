//! The one writer task: group commit, retry while the database is unavailable, spool at the end.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::{Arc, PoisonError};
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

use super::spool;
use super::store::Store;
use super::{Live, LogConfig, Message, Overflow, Record, ShutdownReport};

/// First pause after a failed write; doubles up to [`MAX_PAUSE`].
const FIRST_PAUSE: Duration = Duration::from_millis(50);
const MAX_PAUSE: Duration = Duration::from_secs(5);

type Pending = (Record, Option<oneshot::Sender<()>>);
type Shutdown = (Duration, Option<oneshot::Sender<ShutdownReport>>);

pub(super) struct Writer {
    config: LogConfig,
    receiver: mpsc::Receiver<Message>,
    overflow: Overflow,
    live: Arc<Live>,
    backlog: VecDeque<Pending>,
    store: Option<Store>,
    /// Spool files whose rows are in the backlog: removed once those rows are written (or
    /// spooled again at shutdown).
    spool_files: Vec<PathBuf>,
    /// Shutdown requests that arrived while finishing; they get the same report.
    late_shutdowns: Vec<oneshot::Sender<ShutdownReport>>,
}

impl Writer {
    pub fn new(
        config: LogConfig,
        receiver: mpsc::Receiver<Message>,
        overflow: Overflow,
        live: Arc<Live>,
    ) -> Self {
        Self {
            config,
            receiver,
            overflow,
            live,
            backlog: VecDeque::new(),
            store: None,
            spool_files: Vec::new(),
            late_shutdowns: Vec::new(),
        }
    }

    pub async fn run(mut self) {
        self.load_spool();
        // Open now, so that an unusable database shows in the health check before anyone asks.
        self.ensure_open().await;
        let mut pause = FIRST_PAUSE;
        let (deadline, reply) = 'run: loop {
            self.publish();
            if self.backlog.is_empty() && self.overflow_is_empty() {
                let message = if self.writable() {
                    self.receiver.recv().await
                } else {
                    // Nothing to write, but the database is unavailable: try it again now and
                    // then, so that the health check sees it come back.
                    let Ok(message) = tokio::time::timeout(pause, self.receiver.recv()).await
                    else {
                        pause = (pause * 2).min(MAX_PAUSE);
                        if self.ensure_open().await {
                            if !self.set_writable(true) {
                                tracing::info!("question log available again");
                            }
                            pause = FIRST_PAUSE;
                        }
                        continue;
                    };
                    message
                };
                match message {
                    Some(message) => {
                        if let Some(shutdown) = self.take(message) {
                            break 'run shutdown;
                        }
                    }
                    // Every handle is gone without a shutdown: write what is left.
                    None => break 'run (MAX_PAUSE, None),
                }
            }
            if let Some(shutdown) = self.drain() {
                break 'run shutdown;
            }
            if self.backlog.is_empty() {
                continue;
            }
            let wrote = self.write_some().await;
            self.publish();
            if wrote {
                pause = FIRST_PAUSE;
                continue;
            }
            // Unavailable: keep taking messages (answers must not wait) until it is time to try
            // again.
            let until = Instant::now() + pause;
            pause = (pause * 2).min(MAX_PAUSE);
            loop {
                match tokio::time::timeout_at(until, self.receiver.recv()).await {
                    Ok(Some(message)) => {
                        if let Some(shutdown) = self.take(message) {
                            break 'run shutdown;
                        }
                    }
                    Ok(None) => break 'run (MAX_PAUSE, None),
                    Err(_) => break,
                }
            }
        };
        let report = self.finish(deadline).await;
        self.publish();
        self.live.stopped.store(true, Ordering::SeqCst);
        for reply in reply.into_iter().chain(self.late_shutdowns.drain(..)) {
            let _ = reply.send(report.clone());
        }
    }

    /// Takes one message; returns a shutdown request instead of carrying it out.
    fn take(&mut self, message: Message) -> Option<Shutdown> {
        match message {
            Message::Record(record, done) => {
                self.backlog.push_back((record, Some(done)));
                self.publish();
            }
            Message::Shutdown(deadline, reply) => return Some((deadline, Some(reply))),
        }
        None
    }

    /// Moves everything already queued (overflow first, it is older) into the backlog; stops at
    /// a shutdown request and returns it.
    fn drain(&mut self) -> Option<Shutdown> {
        let overflow =
            std::mem::take(&mut *self.overflow.lock().unwrap_or_else(PoisonError::into_inner));
        self.backlog.extend(
            overflow
                .into_iter()
                .map(|(record, done)| (record, Some(done))),
        );
        self.publish();
        while let Ok(message) = self.receiver.try_recv() {
            if let Some(shutdown) = self.take(message) {
                return Some(shutdown);
            }
        }
        None
    }

    fn overflow_is_empty(&self) -> bool {
        self.overflow
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_empty()
    }

    /// Publishes the backlog's length for [`super::QuestionLog::status`] (whether the log is
    /// writable and how many rows it committed live only in [`Live`]).
    fn publish(&self) {
        self.live
            .backlog
            .store(self.backlog.len(), Ordering::SeqCst);
    }

    /// Whether the last attempt to write (or open) succeeded.
    fn writable(&self) -> bool {
        self.live.writable.load(Ordering::SeqCst)
    }

    /// Records whether the database is writable; returns what it was before.
    fn set_writable(&self, writable: bool) -> bool {
        self.live.writable.swap(writable, Ordering::SeqCst)
    }

    /// Opens the database unless a connection to the current file is open; `false` (and the
    /// log marked unavailable) if it cannot be opened.
    async fn ensure_open(&mut self) -> bool {
        if self.store.as_ref().is_some_and(|s| !s.still_current()) {
            tracing::warn!(
                database = %self.config.path.display(),
                "the question log file was deleted or replaced; opening it again"
            );
            self.store = None;
        }
        if self.store.is_none() {
            match Store::open(&self.config.path, true, self.config.busy_timeout).await {
                Ok(store) => self.store = Some(store),
                Err(e) => {
                    self.unavailable(&e.to_string());
                    return false;
                }
            }
        }
        true
    }

    /// Writes up to one batch from the front of the backlog; `false` if the database refused.
    async fn write_some(&mut self) -> bool {
        if !self.ensure_open().await {
            return false;
        }
        let Some(store) = self.store.as_mut() else {
            return false;
        };
        let n = self.backlog.len().min(self.config.max_batch.max(1));
        let batch: Vec<Record> = self
            .backlog
            .iter()
            .take(n)
            .map(|(r, _)| r.clone())
            .collect();
        match store.write(&batch, self.config.store_raw_ids).await {
            Ok(()) => {
                // The figures first: whoever a receipt wakes must find them already true.
                self.live.committed.fetch_add(n as u64, Ordering::SeqCst);
                if !self.set_writable(true) {
                    tracing::info!(rows = n, "question log writable again");
                }
                for (_, done) in self.backlog.drain(..n) {
                    if let Some(done) = done {
                        let _ = done.send(());
                    }
                }
                if !self.spool_files.is_empty()
                    && self.backlog.iter().all(|(_, done)| done.is_some())
                {
                    self.remove_spool();
                }
                true
            }
            Err(e) => {
                // Reconnect next time: the file may have been replaced or its lock lost.
                self.store = None;
                self.unavailable(&e.to_string());
                false
            }
        }
    }

    fn unavailable(&self, error: &str) {
        if self.set_writable(false) {
            tracing::warn!(
                error,
                pending = self.backlog.len(),
                "question log unavailable; keeping rows in memory and retrying"
            );
        }
    }

    /// Writes what it can before `deadline`, then spools the rest.
    async fn finish(&mut self, deadline: Duration) -> ShutdownReport {
        self.drain_while_finishing();
        let until = Instant::now() + deadline;
        let mut pause = FIRST_PAUSE;
        while !self.backlog.is_empty() && Instant::now() < until {
            let wrote = self.write_some().await;
            self.publish();
            if !wrote {
                let wake = (Instant::now() + pause).min(until);
                tokio::time::sleep_until(wake).await;
                pause = (pause * 2).min(MAX_PAUSE);
            }
            self.drain_while_finishing();
        }
        let mut report = ShutdownReport {
            committed: self.live.committed.load(Ordering::SeqCst),
            ..ShutdownReport::default()
        };
        if self.backlog.is_empty() {
            self.remove_spool();
            return report;
        }
        let records: Vec<&Record> = self.backlog.iter().map(|(r, _)| r).collect();
        match spool::write(&self.config.path, &records) {
            Ok(path) => {
                tracing::warn!(
                    rows = records.len(),
                    spool = %path.display(),
                    "question log unavailable at shutdown; rows kept in a spool file for the next start"
                );
                report.spooled = records.len();
                report.spool = Some(path);
                // Their rows are in the new file now.
                self.remove_spool();
            }
            Err(e) => {
                // Rows replayed from spool files are still in those files; only the others are
                // lost.
                let lost = self.backlog.iter().filter(|(_, d)| d.is_some()).count();
                tracing::error!(
                    rows = lost,
                    error = %e,
                    database = %self.config.path.display(),
                    "question log unavailable and no spool file can be written: rows lost"
                );
                report.lost = lost;
                report.spooled = records.len() - lost;
            }
        }
        report
    }

    fn drain_while_finishing(&mut self) {
        while let Some((_, reply)) = self.drain() {
            self.late_shutdowns.extend(reply);
        }
    }

    /// Puts the rows of the spool files left by earlier runs at the front of the backlog.
    fn load_spool(&mut self) {
        let loaded = spool::load(&self.config.path);
        if loaded.files.is_empty() && loaded.records.is_empty() {
            return;
        }
        tracing::info!(
            rows = loaded.records.len(),
            files = loaded.files.len(),
            rejected = loaded.rejected,
            "replaying spool files"
        );
        self.backlog
            .extend(loaded.records.into_iter().map(|r| (r, None)));
        self.spool_files = loaded.files;
    }

    fn remove_spool(&mut self) {
        spool::remove(&self.spool_files);
        self.spool_files.clear();
    }
}
