//! The monitoring server on its own: before the guides are indexed it answers, and says why the
//! bot is not ready.

use std::sync::Arc;

use serde_json::Value;
use stackbot::ops::{self, Monitor, Telemetry};

use crate::helpers::get;

#[test]
fn health_is_503_with_reasons_while_the_index_loads_and_metrics_are_served() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let monitor = Arc::new(Monitor::new(
            Arc::new(Telemetry::new()),
            dir.path().join("log.db"),
        ));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(ops::serve_monitor(listener, monitor, async {
            let _ = stopped.await;
        }));

        let (status, body) = get(&format!("{url}/healthz")).await;
        assert_eq!(status, 503);
        let health: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(health["ready"], false);
        assert_eq!(health["gateway"], "starting");
        assert!(health["index"].is_null(), "{health}");
        let problems: Vec<&str> = health["problems"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap())
            .collect();
        assert_eq!(problems.len(), 3, "index, log and gateway: {problems:?}");
        assert!(problems[0].starts_with("index:"));

        let (status, text) = get(&format!("{url}/metrics")).await;
        assert_eq!(status, 200);
        assert!(
            text.contains("# TYPE stackbot_answer_seconds histogram"),
            "{text}"
        );
        assert!(
            text.contains("stackbot_gateway_state{state=\"starting\"} 1"),
            "{text}"
        );

        let (status, _) = get(&format!("{url}/nothing")).await;
        assert_eq!(status, 404);

        stop.send(()).unwrap();
        server.await.unwrap().unwrap();
    });
}
