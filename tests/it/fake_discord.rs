//! A fake Discord on 127.0.0.1: the REST routes serenity calls and a gateway websocket, enough to
//! drive the real serenity client end to end (see shared/DISCORD-TESTING.md).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::ws::{Message as WsMessage, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, State};
use axum::http::{Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post, put};
use serde_json::{Value, json};
use tokio::sync::{broadcast, mpsc, watch};

/// The application id the fake hands out in READY.
pub const APP_ID: &str = "2000";
/// The guild interactions come from.
pub const GUILD_ID: u64 = 5000;

/// A response the bot sent to an interaction.
#[derive(Debug, Clone)]
pub struct Callback {
    /// The interaction id from the URL.
    pub interaction: String,
    /// The JSON body.
    pub body: Value,
}

struct Shared {
    port: u16,
    registrations: Mutex<Vec<(String, Value)>>,
    unexpected: Mutex<Vec<String>>,
    callbacks: mpsc::UnboundedSender<Callback>,
    edits: mpsc::UnboundedSender<Value>,
    dispatch: broadcast::Sender<Value>,
    /// Bumped to make every open gateway connection close.
    drops: watch::Sender<u64>,
    identifies: AtomicU64,
    resumes: AtomicU64,
    /// READY or RESUMED dispatches sent so far.
    sessions: watch::Sender<u64>,
}

/// The fake, running on a background task.
pub struct FakeDiscord {
    shared: Arc<Shared>,
    callbacks: mpsc::UnboundedReceiver<Callback>,
    edits: mpsc::UnboundedReceiver<Value>,
    next_id: AtomicU64,
}

impl FakeDiscord {
    /// Starts the fake on a free port.
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let (callbacks_tx, callbacks) = mpsc::unbounded_channel();
        let (edits_tx, edits) = mpsc::unbounded_channel();
        let (dispatch, _) = broadcast::channel(64);
        let shared = Arc::new(Shared {
            port,
            registrations: Mutex::new(Vec::new()),
            unexpected: Mutex::new(Vec::new()),
            callbacks: callbacks_tx,
            edits: edits_tx,
            dispatch,
            drops: watch::channel(0).0,
            identifies: AtomicU64::new(0),
            resumes: AtomicU64::new(0),
            sessions: watch::channel(0).0,
        });
        let app = Router::new()
            .route("/api/v10/gateway", get(gateway_url))
            .route("/api/v10/gateway/bot", get(gateway_url))
            .route("/gateway", get(gateway))
            .route("/api/v10/applications/{app}/commands", put(register))
            .route(
                "/api/v10/applications/{app}/guilds/{guild}/commands",
                put(register),
            )
            .route(
                "/api/v10/interactions/{id}/{token}/callback",
                post(callback),
            )
            .route(
                "/api/v10/webhooks/{app}/{token}/messages/@original",
                patch(edit),
            )
            .fallback(unexpected)
            .with_state(Arc::clone(&shared));
        tokio::spawn(async move {
            axum::serve(listener, app).await.expect("fake Discord");
        });
        Self {
            shared,
            callbacks,
            edits,
            next_id: AtomicU64::new(3000),
        }
    }

    /// The base URL to give the bot as `DISCORD_API_URL`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.shared.port)
    }

    /// Waits until `n` sessions (READY or RESUMED) have started.
    pub async fn wait_sessions(&self, n: u64) {
        let mut sessions = self.shared.sessions.subscribe();
        within(Duration::from_secs(20), sessions.wait_for(|&s| s >= n))
            .await
            .expect("fake alive");
    }

    /// Waits until `n` command registrations have arrived.
    pub async fn wait_registrations(&self, n: usize) {
        within(Duration::from_secs(20), async {
            while self.shared.registrations.lock().unwrap().len() < n {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
        .await;
    }

    /// The command registrations received: (path, body).
    pub fn registrations(&self) -> Vec<(String, Value)> {
        self.shared.registrations.lock().unwrap().clone()
    }

    /// Requests no route expected.
    pub fn unexpected(&self) -> Vec<String> {
        self.shared.unexpected.lock().unwrap().clone()
    }

    /// IDENTIFY and RESUME counts.
    pub fn sessions(&self) -> (u64, u64) {
        (
            self.shared.identifies.load(Ordering::SeqCst),
            self.shared.resumes.load(Ordering::SeqCst),
        )
    }

    /// Closes the gateway connection, as Discord does now and then.
    pub fn drop_connection(&self) {
        self.shared.drops.send_modify(|n| *n += 1);
    }

    /// Sends an `INTERACTION_CREATE` and returns the interaction id.
    pub fn interact(&self, mut interaction: Value) -> String {
        let id = self.next_id.fetch_add(1, Ordering::SeqCst).to_string();
        interaction["id"] = json!(id);
        interaction["token"] = json!(format!("token-{id}"));
        let _ = self
            .shared
            .dispatch
            .send(json!({"op": 0, "t": "INTERACTION_CREATE", "d": interaction}));
        id
    }

    /// The next interaction response, within 10 seconds.
    pub async fn next_callback(&mut self) -> Callback {
        within(Duration::from_secs(10), self.callbacks.recv())
            .await
            .expect("callback")
    }

    /// Whether a callback arrives within `wait`.
    pub async fn callback_within(&mut self, wait: Duration) -> Option<Callback> {
        tokio::time::timeout(wait, self.callbacks.recv())
            .await
            .ok()
            .flatten()
    }

    /// The next edit of a deferred response, within 10 seconds.
    pub async fn next_edit(&mut self) -> Value {
        within(Duration::from_secs(10), self.edits.recv())
            .await
            .expect("edit")
    }
}

/// Awaits `future`, failing the test after `limit`.
pub async fn within<F: std::future::Future>(limit: Duration, future: F) -> F::Output {
    tokio::time::timeout(limit, future)
        .await
        .expect("timed out waiting for the fake Discord")
}

async fn gateway_url(State(shared): State<Arc<Shared>>) -> impl IntoResponse {
    axum::Json(json!({
        "url": format!("ws://127.0.0.1:{}/gateway", shared.port),
        "shards": 1,
        "session_start_limit": {"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1}
    }))
}

async fn register(
    State(shared): State<Arc<Shared>>,
    uri: Uri,
    axum::Json(body): axum::Json<Value>,
) -> impl IntoResponse {
    shared
        .registrations
        .lock()
        .unwrap()
        .push((uri.path().to_owned(), body.clone()));
    let echoed: Vec<Value> = body
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .enumerate()
        .map(|(i, mut c)| {
            c["id"] = json!((9000 + i).to_string());
            c["application_id"] = json!(APP_ID);
            c["version"] = json!("1");
            if c.get("type").is_none() {
                c["type"] = json!(1);
            }
            if c.get("description").is_none() {
                c["description"] = json!("");
            }
            c
        })
        .collect();
    axum::Json(Value::Array(echoed))
}

async fn callback(
    State(shared): State<Arc<Shared>>,
    Path((id, _token)): Path<(String, String)>,
    axum::Json(body): axum::Json<Value>,
) -> StatusCode {
    let _ = shared.callbacks.send(Callback {
        interaction: id,
        body,
    });
    StatusCode::NO_CONTENT
}

async fn edit(
    State(shared): State<Arc<Shared>>,
    axum::Json(body): axum::Json<Value>,
) -> impl IntoResponse {
    let _ = shared.edits.send(body.clone());
    axum::Json(message_json(
        "9999",
        body["content"].as_str().unwrap_or_default(),
    ))
}

async fn unexpected(State(shared): State<Arc<Shared>>, method: Method, uri: Uri) -> Response {
    shared
        .unexpected
        .lock()
        .unwrap()
        .push(format!("{method} {uri}"));
    (StatusCode::NOT_FOUND, "not faked").into_response()
}

async fn gateway(State(shared): State<Arc<Shared>>, ws: WebSocketUpgrade) -> Response {
    ws.on_upgrade(move |socket| session(shared, socket))
}

fn text(value: &Value) -> WsMessage {
    WsMessage::Text(value.to_string().into())
}

/// One gateway connection: HELLO, IDENTIFY or RESUME, heartbeats, dispatches.
async fn session(shared: Arc<Shared>, mut socket: WebSocket) {
    let hello = json!({"op": 10, "d": {"heartbeat_interval": 41250}});
    if socket.send(text(&hello)).await.is_err() {
        return;
    }
    let mut events = shared.dispatch.subscribe();
    let mut drops = shared.drops.subscribe();
    drops.mark_unchanged();
    let mut seq = 1_u64;
    loop {
        tokio::select! {
            incoming = socket.recv() => {
                let Some(Ok(message)) = incoming else { return };
                let WsMessage::Text(raw) = message else { continue };
                let Ok(payload) = serde_json::from_str::<Value>(raw.as_str()) else { continue };
                match payload["op"].as_u64() {
                    Some(1) => {
                        let _ = socket.send(text(&json!({"op": 11}))).await;
                    }
                    Some(2) => {
                        shared.identifies.fetch_add(1, Ordering::SeqCst);
                        let ready = json!({"op": 0, "t": "READY", "s": seq, "d": ready_payload(shared.port)});
                        seq += 1;
                        if socket.send(text(&ready)).await.is_err() { return; }
                        shared.sessions.send_modify(|n| *n += 1);
                    }
                    Some(6) => {
                        shared.resumes.fetch_add(1, Ordering::SeqCst);
                        let resumed = json!({"op": 0, "t": "RESUMED", "s": seq, "d": {}});
                        seq += 1;
                        if socket.send(text(&resumed)).await.is_err() { return; }
                        shared.sessions.send_modify(|n| *n += 1);
                    }
                    _ => {}
                }
            }
            event = events.recv() => {
                let mut event = match event {
                    Ok(event) => event,
                    Err(broadcast::error::RecvError::Lagged(_)) => continue,
                    Err(broadcast::error::RecvError::Closed) => return,
                };
                event["s"] = json!(seq);
                seq += 1;
                if socket.send(text(&event)).await.is_err() { return; }
            }
            _ = drops.changed() => {
                // 4000 "unknown error": a close Discord asks clients to reconnect and resume after.
                let frame = axum::extract::ws::CloseFrame { code: 4000, reason: "test drop".into() };
                let _ = socket.send(WsMessage::Close(Some(frame))).await;
                return;
            }
        }
    }
}

fn ready_payload(port: u16) -> Value {
    json!({
        "v": 10,
        "user": {"id": "1000", "username": "stackbot", "discriminator": "0", "avatar": null,
                 "global_name": null, "bot": true},
        "guilds": [],
        "session_id": "session-1",
        "resume_gateway_url": format!("ws://127.0.0.1:{port}/gateway"),
        "application": {"id": APP_ID, "flags": 0}
    })
}

fn user_json(id: u64) -> Value {
    json!({"id": id.to_string(), "username": format!("member{id}"), "discriminator": "0",
           "avatar": null, "global_name": null})
}

/// A message object, as Discord sends them inside interactions.
pub fn message_json(id: &str, content: &str) -> Value {
    json!({
        "id": id, "channel_id": "4000", "author": user_json(7777), "content": content,
        "timestamp": "2026-11-25T10:00:00.000000+00:00", "edited_timestamp": null, "tts": false,
        "mention_everyone": false, "mentions": [], "mention_roles": [], "attachments": [],
        "embeds": [], "pinned": false, "type": 0
    })
}

fn base(kind: u8, user: u64, permissions: &str, data: Value) -> Value {
    let mut interaction = json!({
        "application_id": APP_ID, "type": kind, "version": 1, "channel_id": "4000",
        "guild_id": GUILD_ID.to_string(), "locale": "en-US", "entitlements": [],
        "attachment_size_limit": 8_388_608, "app_permissions": "0",
        "user": user_json(user),
        "member": {"user": user_json(user), "roles": [], "deaf": false, "mute": false, "flags": 0,
                   "permissions": permissions, "joined_at": "2024-01-01T00:00:00.000000+00:00"}
    });
    interaction["data"] = data;
    interaction
}

/// A slash command from member `user` with `permissions` (decimal bit string).
pub fn slash(user: u64, permissions: &str, name: &str, options: Value) -> Value {
    let mut data = json!({"id": "7000", "name": name, "type": 1});
    data["options"] = options;
    base(2, user, permissions, data)
}

/// An autocomplete request for `/guide name`.
pub fn autocomplete(user: u64, typed: &str) -> Value {
    base(
        4,
        user,
        "0",
        json!({"id": "7001", "name": "guide", "type": 1,
               "options": [{"name": "name", "type": 3, "value": typed, "focused": true}]}),
    )
}

/// "Find a guide" on a message with `content`.
pub fn find_a_guide(user: u64, content: &str) -> Value {
    base(
        2,
        user,
        "0",
        json!({"id": "7002", "name": "Find a guide", "type": 3, "target_id": "8000",
               "resolved": {"messages": {"8000": message_json("8000", content)}}}),
    )
}

/// A click on the button `custom_id`.
pub fn click(user: u64, custom_id: &str) -> Value {
    let mut click = base(
        3,
        user,
        "0",
        json!({"custom_id": custom_id, "component_type": 2}),
    );
    click["message"] = message_json("8001", "");
    click
}
