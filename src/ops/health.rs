//! The readiness verdict behind `/healthz`.

use serde::Serialize;

use super::GatewayState;

/// The index in service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IndexHealth {
    /// Guides indexed.
    pub guides: usize,
    /// Sections indexed.
    pub sections: usize,
}

/// The question log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LogHealth {
    /// Whether the last write succeeded.
    pub writable: bool,
    /// Rows waiting to be written.
    pub pending: usize,
    /// Size of a spool file left by an earlier run, in bytes (0 when there is none).
    pub spool_bytes: u64,
}

/// Whether the bot can answer, and why not: served as JSON, status 200 when `ready`, else 503.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Health {
    /// Index loaded, log writable and gateway connected.
    pub ready: bool,
    /// What keeps it from being ready, in words; empty when ready.
    pub problems: Vec<String>,
    /// `None` while the guides are still being indexed.
    pub index: Option<IndexHealth>,
    /// `None` before the log starts and after it stops.
    pub log: Option<LogHealth>,
    /// The Discord gateway connection.
    pub gateway: GatewayState,
}

impl Health {
    /// The verdict from its three parts.
    pub fn assess(
        index: Option<IndexHealth>,
        log: Option<LogHealth>,
        gateway: GatewayState,
    ) -> Self {
        let mut problems = Vec::new();
        if index.is_none() {
            problems.push("index: the guides are still being indexed".to_owned());
        }
        match &log {
            None => problems.push("log: the question log is not running".to_owned()),
            Some(log) if !log.writable => problems.push(format!(
                "log: the last write to the question log failed; {} row(s) wait in memory",
                log.pending
            )),
            Some(_) => {}
        }
        if gateway != GatewayState::Connected {
            problems.push(format!(
                "gateway: {} (not connected to Discord)",
                gateway.label()
            ));
        }
        Self {
            ready: problems.is_empty(),
            problems,
            index,
            log,
            gateway,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index() -> IndexHealth {
        IndexHealth {
            guides: 29,
            sections: 300,
        }
    }

    fn log(writable: bool) -> LogHealth {
        LogHealth {
            writable,
            pending: if writable { 0 } else { 4 },
            spool_bytes: 0,
        }
    }

    #[test]
    fn ready_only_with_all_three() {
        assert!(Health::assess(Some(index()), Some(log(true)), GatewayState::Connected).ready);
        let loading = Health::assess(None, Some(log(true)), GatewayState::Starting);
        assert!(!loading.ready);
        assert_eq!(loading.problems.len(), 2, "{:?}", loading.problems);
        let stuck = Health::assess(Some(index()), Some(log(false)), GatewayState::Connected);
        assert!(!stuck.ready);
        assert!(
            stuck.problems[0].contains("4 row(s)"),
            "{:?}",
            stuck.problems
        );
        let away = Health::assess(Some(index()), Some(log(true)), GatewayState::Disconnected);
        assert_eq!(
            away.problems,
            ["gateway: disconnected (not connected to Discord)"]
        );
        assert!(!Health::assess(Some(index()), None, GatewayState::Connected).ready);
    }
}
