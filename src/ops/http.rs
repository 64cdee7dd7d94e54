//! The HTTP server of `--metrics-addr`: `GET /metrics` (Prometheus text format) and
//! `GET /healthz` (JSON, 200 when ready, 503 otherwise).

use std::future::Future;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::{Health, IndexHealth, LogHealth, Telemetry};
use crate::bot::Bot;

/// What the monitoring endpoints look at. Created before the guides are indexed, so `/healthz`
/// can say "loading"; the bot is attached once it exists.
#[derive(Debug)]
pub struct Monitor {
    telemetry: Arc<Telemetry>,
    database: PathBuf,
    bot: OnceLock<Arc<Bot>>,
}

impl Monitor {
    /// A monitor of `telemetry`; `database` is the question log, whose spool files it sizes.
    pub fn new(telemetry: Arc<Telemetry>, database: PathBuf) -> Self {
        Self {
            telemetry,
            database,
            bot: OnceLock::new(),
        }
    }

    /// The bot is running: its index and log count from now on.
    pub fn attach(&self, bot: Arc<Bot>) {
        let _ = self.bot.set(bot);
    }

    /// The readiness verdict, with the log gauges brought up to date.
    pub fn health(&self) -> Health {
        let index = self.bot.get().map(|bot| {
            let engine = bot.engine();
            IndexHealth {
                guides: engine.knowledge().guides.len(),
                sections: engine.index().len(),
            }
        });
        Health::assess(index, self.log(), self.telemetry.gateway())
    }

    /// Every metric in Prometheus' text format, the log gauges brought up to date.
    pub fn metrics(&self) -> String {
        self.log();
        self.telemetry.render()
    }

    /// The question log's live figures and its spool files' size, also set on the log gauges;
    /// `None` before the bot exists and after the log stops.
    fn log(&self) -> Option<LogHealth> {
        let status = self.bot.get()?.log().status()?;
        let spool_bytes = crate::log::spool::bytes(&self.database);
        self.telemetry.observe_log(&status, spool_bytes);
        Some(LogHealth {
            writable: status.writable,
            pending: status.pending,
            spool_bytes,
        })
    }
}

/// Serves `/metrics` and `/healthz` on `listener` until `shutdown` resolves.
pub async fn serve_monitor(
    listener: tokio::net::TcpListener,
    monitor: Arc<Monitor>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = Router::new()
        .route("/metrics", get(metrics))
        .route("/healthz", get(healthz))
        .with_state(monitor);
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}

async fn metrics(State(monitor): State<Arc<Monitor>>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        monitor.metrics(),
    )
        .into_response()
}

async fn healthz(State(monitor): State<Arc<Monitor>>) -> Response {
    let health = monitor.health();
    let status = if health.ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let body = serde_json::to_string_pretty(&health).unwrap_or_else(|_| "{}".to_owned()) + "\n";
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}
