//! Discord through serenity: the gateway connection, command registration, and the translation
//! between serenity's types and the bot's plain data ([`crate::bot`]). The only module that
//! imports serenity.
//!
//! Every response and edit carries empty allowed mentions: serenity's default is not applied to
//! edits after a defer, and Discord's own default for interaction replies pings.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use serenity::all::{
    ButtonStyle, ClientBuilder, Command, CommandDataOptionValue, CommandInteraction,
    CommandOptionType, CommandType, ComponentInteraction, ConnectionStage, Context,
    CreateActionRow, CreateAllowedMentions, CreateAutocompleteResponse, CreateButton,
    CreateCommand, CreateCommandOption, CreateEmbed, CreateEmbedFooter, CreateInteractionResponse,
    CreateInteractionResponseMessage, EditInteractionResponse, EventHandler, GatewayIntents,
    GuildId, HttpBuilder, Interaction, Permissions, ReactionType, Ready, ResolvedTarget,
    ResumedEvent, ShardManager, ShardStageUpdateEvent,
};
use tokio::sync::Notify;

use crate::bot::commands::{self, CommandKind, CommandSpec, OptionKind};
use crate::bot::{Action, Bot, Incoming, Message, Reply};
use crate::ops::{GatewayState, Telemetry};

/// How to reach Discord.
#[derive(Clone)]
pub struct DiscordConfig {
    /// The bot token (secret: never logged or printed).
    pub token: String,
    /// Register commands to this server only (instantly) instead of globally.
    pub guild_id: Option<u64>,
    /// Base URL of an HTTP proxy in front of Discord's API (it then owns rate limits).
    pub api_url: Option<String>,
}

impl std::fmt::Debug for DiscordConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DiscordConfig")
            .field("token", &"<secret>")
            .field("guild_id", &self.guild_id)
            .field("api_url", &self.api_url.as_deref().map(redacted))
            .finish()
    }
}

/// `url` with any password (and user name) in it replaced, for logs and messages: a proxy URL
/// may carry credentials (`http://user:secret@proxy`).
pub fn redacted(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if !parsed.username().is_empty() || parsed.password().is_some() => {
            let _ = parsed.set_username("***");
            let _ = parsed.set_password(None);
            parsed.to_string()
        }
        Ok(_) => url.to_owned(),
        // Not a URL at all: say nothing of what it holds.
        Err(_) => "<not a URL>".to_owned(),
    }
}

/// Why the bot could not run.
#[derive(Debug, thiserror::Error)]
pub enum DiscordError {
    /// serenity refused to build the client or lost the gateway for good.
    #[error("Discord client: {0}")]
    Client(#[from] serenity::Error),
}

/// How long a shutdown waits for interactions in flight.
const DRAIN: Duration = Duration::from_secs(10);

struct Handler {
    bot: Arc<Bot>,
    guild_id: Option<u64>,
    closing: Arc<AtomicBool>,
    in_flight: Arc<AtomicUsize>,
    idle: Arc<Notify>,
}

/// Runs the bot until `shutdown` resolves, then stops taking interactions, answers those in
/// flight, closes the shards and returns.
pub async fn run(
    config: DiscordConfig,
    bot: Arc<Bot>,
    shutdown: impl Future<Output = ()>,
) -> Result<(), DiscordError> {
    let telemetry = Arc::clone(bot.telemetry());
    let mut http =
        HttpBuilder::new(&config.token).default_allowed_mentions(CreateAllowedMentions::new());
    if let Some(url) = &config.api_url {
        // A proxy owns rate limits: serenity's limiter would send its requests to discord.com.
        http = http
            .proxy(url.trim_end_matches('/'))
            .ratelimiter_disabled(true);
    }
    let closing = Arc::new(AtomicBool::new(false));
    let in_flight = Arc::new(AtomicUsize::new(0));
    let idle = Arc::new(Notify::new());
    let handler = Handler {
        bot,
        guild_id: config.guild_id,
        closing: Arc::clone(&closing),
        in_flight: Arc::clone(&in_flight),
        idle: Arc::clone(&idle),
    };
    // Not `ClientBuilder::token()` afterwards: it would replace the `Http` and drop the proxy.
    let mut client = ClientBuilder::new_with_http(http.build(), GatewayIntents::empty())
        .event_handler(handler)
        .await?;
    let shards = Arc::clone(&client.shard_manager);
    telemetry.set_gateway(GatewayState::Connecting);
    let watcher = tokio::spawn(watch_gateway(Arc::clone(&shards), Arc::clone(&telemetry)));
    let gateway = tokio::spawn(async move { client.start().await });
    tokio::pin!(shutdown);
    tokio::select! {
        () = &mut shutdown => {}
        result = gateway => {
            watcher.abort();
            telemetry.set_gateway(GatewayState::Disconnected);
            return match result {
                Ok(Ok(())) => Ok(()),
                Ok(Err(e)) => Err(e.into()),
                Err(e) => {
                    tracing::error!(error = %e, "the gateway task ended unexpectedly");
                    Ok(())
                }
            };
        }
    }
    tracing::info!("shutting down: no new interactions, answering those in flight");
    watcher.abort();
    telemetry.set_gateway(GatewayState::Closing);
    closing.store(true, Ordering::SeqCst);
    let drained = tokio::time::timeout(DRAIN, async {
        while in_flight.load(Ordering::SeqCst) > 0 {
            idle.notified().await;
        }
    })
    .await;
    if drained.is_err() {
        tracing::warn!(
            in_flight = in_flight.load(Ordering::SeqCst),
            "interactions still running at shutdown"
        );
    }
    shards.shutdown_all().await;
    Ok(())
}

/// Marks the gateway as connecting while no shard runs: serenity removes a shard's runner while
/// it restarts the connection (after the gateway failed for good, or an outage), and sends no
/// event about it. The other changes come from the events (`ready`, `resume`,
/// `shard_stage_update`); the runners' recorded stages are not used, because a shard that reaches
/// READY before the manager records its runner is left recorded as disconnected.
///
/// The list must be empty on two reads in a row: the manager records a new runner just after
/// starting it, so a READY can arrive while the list is still empty for an instant.
async fn watch_gateway(shards: Arc<ShardManager>, telemetry: Arc<Telemetry>) {
    let mut tick = tokio::time::interval(Duration::from_millis(250));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut empty_before = false;
    loop {
        tick.tick().await;
        let empty = shards.runners.lock().await.is_empty();
        if empty && empty_before && telemetry.gateway() == GatewayState::Connected {
            telemetry.set_gateway(GatewayState::Connecting);
        }
        empty_before = empty;
    }
}

/// The registration payload for every command.
pub fn command_payloads() -> Vec<CreateCommand> {
    commands::all().iter().map(command_payload).collect()
}

fn command_payload(spec: &CommandSpec) -> CreateCommand {
    let mut command = CreateCommand::new(spec.name);
    command = match spec.kind {
        CommandKind::Slash => command.description(spec.description),
        CommandKind::Message => command.kind(CommandType::Message),
    };
    if let Some(bits) = spec.permissions {
        command = command
            .default_member_permissions(Permissions::from_bits_truncate(bits))
            .dm_permission(false);
    }
    for option in &spec.options {
        let kind = match option.kind {
            OptionKind::Text { .. } | OptionKind::Choice(_) => CommandOptionType::String,
            OptionKind::Boolean => CommandOptionType::Boolean,
            OptionKind::Integer { .. } => CommandOptionType::Integer,
        };
        let mut built =
            CreateCommandOption::new(kind, option.name.clone(), option.description.clone())
                .required(option.required);
        built = match &option.kind {
            OptionKind::Text {
                min,
                max,
                autocomplete,
            } => built
                .min_length(*min)
                .max_length(*max)
                .set_autocomplete(*autocomplete),
            OptionKind::Choice(choices) => choices
                .iter()
                .fold(built, |b, c| b.add_string_choice(*c, *c)),
            OptionKind::Integer { min, max } => built
                .min_int_value(u64::try_from(*min).unwrap_or(0))
                .max_int_value(u64::try_from(*max).unwrap_or(0)),
            OptionKind::Boolean => built,
        };
        command = command.add_option(built);
    }
    command
}

#[serenity::async_trait]
impl EventHandler for Handler {
    async fn resume(&self, _ctx: Context, _event: ResumedEvent) {
        self.bot.telemetry().set_gateway(GatewayState::Connected);
    }

    async fn shard_stage_update(&self, _ctx: Context, event: ShardStageUpdateEvent) {
        let state = match event.new {
            ConnectionStage::Connected => GatewayState::Connected,
            ConnectionStage::Disconnected => GatewayState::Disconnected,
            _ => GatewayState::Connecting,
        };
        self.bot.telemetry().set_gateway(state);
    }

    async fn ready(&self, ctx: Context, ready: Ready) {
        self.bot.telemetry().set_gateway(GatewayState::Connected);
        // Bulk overwrite: idempotent, so running again after a re-identify is harmless.
        let commands = command_payloads();
        let result = match self.guild_id {
            Some(guild) => GuildId::new(guild).set_commands(&ctx.http, commands).await,
            None => Command::set_global_commands(&ctx.http, commands).await,
        };
        match result {
            Ok(registered) => tracing::info!(
                bot = %ready.user.name,
                commands = registered.len(),
                scope = if self.guild_id.is_some() { "guild" } else { "global" },
                "ready; commands registered"
            ),
            Err(e) => tracing::error!(error = %e, "registering the commands failed"),
        }
    }

    async fn interaction_create(&self, ctx: Context, interaction: Interaction) {
        self.in_flight.fetch_add(1, Ordering::SeqCst);
        if self.closing.load(Ordering::SeqCst) {
            self.refuse(&ctx, &interaction).await;
        } else {
            self.answer(&ctx, interaction).await;
        }
        if self.in_flight.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.idle.notify_waiters();
        }
    }
}

impl Handler {
    async fn answer(&self, ctx: &Context, interaction: Interaction) {
        match interaction {
            Interaction::Command(command) => {
                let incoming = incoming_command(&command);
                if incoming.action.may_be_slow() {
                    let defer = CreateInteractionResponse::Defer(
                        CreateInteractionResponseMessage::new().ephemeral(true),
                    );
                    if let Err(e) = command.create_response(&ctx.http, defer).await {
                        tracing::error!(error = %e, "deferring an interaction failed");
                        return;
                    }
                    if let Reply::Message(message) = self.bot.handle(incoming).await {
                        let edit = edit_payload(&message);
                        if let Err(e) = command.edit_response(&ctx.http, edit).await {
                            tracing::error!(error = %e, "editing a deferred response failed");
                        }
                    }
                    return;
                }
                let reply = self.bot.handle(incoming).await;
                if let Err(e) = command
                    .create_response(&ctx.http, response_payload(reply))
                    .await
                {
                    tracing::error!(error = %e, command = %command.data.name, "sending a response failed");
                }
            }
            Interaction::Autocomplete(command) => {
                let partial = command
                    .data
                    .autocomplete()
                    .map(|o| o.value.to_owned())
                    .unwrap_or_default();
                let incoming = Incoming {
                    guild_id: command.guild_id.map(GuildId::get),
                    channel_id: Some(command.channel_id.get()),
                    user_id: command.user.id.get(),
                    permissions: None,
                    action: crate::bot::Action::GuideAutocomplete { partial },
                };
                let reply = self.bot.handle(incoming).await;
                if let Err(e) = command
                    .create_response(&ctx.http, response_payload(reply))
                    .await
                {
                    tracing::warn!(error = %e, "sending autocomplete choices failed");
                }
            }
            Interaction::Component(component) => {
                let incoming = incoming_component(&component);
                let reply = self.bot.handle(incoming).await;
                if let Err(e) = component
                    .create_response(&ctx.http, response_payload(reply))
                    .await
                {
                    tracing::error!(error = %e, "answering a button failed");
                }
            }
            _ => {}
        }
    }

    /// During shutdown: a polite ephemeral notice instead of an answer.
    async fn refuse(&self, ctx: &Context, interaction: &Interaction) {
        let notice = CreateInteractionResponse::Message(
            CreateInteractionResponseMessage::new()
                .content("Stackbot is restarting; please ask again in a minute.")
                .ephemeral(true)
                .allowed_mentions(CreateAllowedMentions::new()),
        );
        let result = match interaction {
            Interaction::Command(c) => c.create_response(&ctx.http, notice).await,
            Interaction::Component(c) => c.create_response(&ctx.http, notice).await,
            _ => Ok(()),
        };
        if let Err(e) = result {
            tracing::warn!(error = %e, "refusing an interaction during shutdown failed");
        }
    }
}

/// Answers one interaction given as Discord's JSON with the response as Discord's JSON, the way
/// the gateway handler does (log commit included): the path an HTTP interactions endpoint would
/// take, and what the interaction benchmark measures. `None` for interactions that are not
/// answered with a single response (deferred maintainer commands, pings).
pub async fn respond_to_json(bot: &Bot, payload: serde_json::Value) -> Option<serde_json::Value> {
    let interaction: Interaction = serde_json::from_value(payload).ok()?;
    let incoming = match &interaction {
        Interaction::Command(command) => incoming_command(command),
        Interaction::Component(component) => incoming_component(component),
        _ => return None,
    };
    if incoming.action.may_be_slow() {
        return None;
    }
    let reply = bot.handle(incoming).await;
    serde_json::to_value(response_payload(reply)).ok()
}

fn incoming_command(command: &CommandInteraction) -> Incoming {
    let string = |name: &str| {
        command.data.options.iter().find_map(|o| match &o.value {
            CommandDataOptionValue::String(s) if o.name == name => Some(s.clone()),
            _ => None,
        })
    };
    let boolean = |name: &str| {
        command
            .data
            .options
            .iter()
            .any(|o| o.name == name && matches!(o.value, CommandDataOptionValue::Boolean(true)))
    };
    let integer = |name: &str| {
        command.data.options.iter().find_map(|o| match o.value {
            CommandDataOptionValue::Integer(i) if o.name == name => Some(i),
            _ => None,
        })
    };
    let name = command.data.name.as_str();
    let action = match name {
        commands::ASK => Action::Ask {
            question: string("question").unwrap_or_default(),
            private: boolean("private"),
        },
        commands::RECOMMEND => Action::Recommend {
            use_cases: command
                .data
                .options
                .iter()
                .filter(|o| matches!(o.value, CommandDataOptionValue::Boolean(true)))
                .map(|o| o.name.clone())
                .collect(),
            scale: string("scale"),
            hosting: string("hosting"),
        },
        commands::GUIDE => Action::Guide {
            name: string("name").unwrap_or_default(),
        },
        commands::GAPS => Action::Gaps {
            days: integer("days"),
        },
        commands::RELOAD => Action::Reload,
        commands::QUESTIONS => Action::Questions {
            unanswered: boolean("unanswered"),
            days: integer("days"),
        },
        commands::FIND_A_GUIDE => match command.data.target() {
            Some(ResolvedTarget::Message(message)) => Action::FindGuide {
                text: message.content.clone(),
                message_url: Some(message.id.link(message.channel_id, command.guild_id)),
            },
            _ => Action::FindGuide {
                text: String::new(),
                message_url: None,
            },
        },
        other => Action::Unknown {
            name: other.to_owned(),
        },
    };
    Incoming {
        guild_id: command.guild_id.map(GuildId::get),
        channel_id: Some(command.channel_id.get()),
        user_id: command.user.id.get(),
        permissions: command
            .member
            .as_ref()
            .and_then(|m| m.permissions)
            .map(|p| p.bits()),
        action,
    }
}

fn incoming_component(component: &ComponentInteraction) -> Incoming {
    Incoming {
        guild_id: component.guild_id.map(GuildId::get),
        channel_id: Some(component.channel_id.get()),
        user_id: component.user.id.get(),
        permissions: None,
        action: Action::Feedback {
            custom_id: component.data.custom_id.clone(),
        },
    }
}

fn embeds(message: &Message) -> Vec<CreateEmbed> {
    message
        .embeds
        .iter()
        .map(|e| {
            let mut embed = CreateEmbed::new();
            if let Some(title) = e.title.as_deref().filter(|t| !t.is_empty()) {
                embed = embed.title(title);
            }
            if let Some(url) = &e.url {
                embed = embed.url(url);
            }
            if let Some(description) = e.description.as_deref().filter(|d| !d.is_empty()) {
                embed = embed.description(description);
            }
            for field in &e.fields {
                embed = embed.field(&field.name, &field.value, false);
            }
            if let Some(footer) = e.footer.as_deref().filter(|f| !f.is_empty()) {
                embed = embed.footer(CreateEmbedFooter::new(footer));
            }
            embed
        })
        .collect()
}

fn buttons(message: &Message) -> Vec<CreateActionRow> {
    if message.buttons.is_empty() {
        return Vec::new();
    }
    vec![CreateActionRow::Buttons(
        message
            .buttons
            .iter()
            .map(|b| {
                CreateButton::new(&b.custom_id)
                    .label(&b.label)
                    .emoji(ReactionType::Unicode(b.emoji.to_string()))
                    .style(ButtonStyle::Secondary)
            })
            .collect(),
    )]
}

fn response_payload(reply: Reply) -> CreateInteractionResponse {
    match reply {
        Reply::Message(message) => {
            let mut response = CreateInteractionResponseMessage::new()
                .embeds(embeds(&message))
                .components(buttons(&message))
                .ephemeral(message.ephemeral)
                .allowed_mentions(CreateAllowedMentions::new());
            if let Some(content) = &message.content {
                response = response.content(content);
            }
            CreateInteractionResponse::Message(response)
        }
        Reply::Choices(choices) => CreateInteractionResponse::Autocomplete(
            choices
                .into_iter()
                .fold(CreateAutocompleteResponse::new(), |r, c| {
                    r.add_string_choice(c.name, c.value)
                }),
        ),
    }
}

fn edit_payload(message: &Message) -> EditInteractionResponse {
    let mut edit = EditInteractionResponse::new()
        .embeds(embeds(message))
        .components(buttons(message))
        .allowed_mentions(CreateAllowedMentions::new());
    if let Some(content) = &message.content {
        edit = edit.content(content);
    }
    edit
}
