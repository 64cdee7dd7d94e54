//! The commands the bot registers, as data: the Discord adapter turns them into registration
//! payloads, and tests compare the payload with this table.

use crate::needs::{Hosting, Scale, UseCase};

/// `/ask`.
pub const ASK: &str = "ask";
/// `/recommend`.
pub const RECOMMEND: &str = "recommend";
/// `/guide`.
pub const GUIDE: &str = "guide";
/// `/gaps` (maintainers).
pub const GAPS: &str = "gaps";
/// `/questions` (maintainers).
pub const QUESTIONS: &str = "questions";
/// `/reload` (maintainers).
pub const RELOAD: &str = "reload";
/// The message context-menu command.
pub const FIND_A_GUIDE: &str = "Find a guide";

/// Shortest and longest `/ask` question, in characters.
pub const QUESTION_CHARS: (u16, u16) = (3, 300);

/// Discord's Manage Server permission bit.
pub const MANAGE_GUILD: u64 = 1 << 5;
/// Discord's Administrator permission bit (implies every other).
pub const ADMINISTRATOR: u64 = 1 << 3;

/// A command to register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandSpec {
    /// Its name.
    pub name: &'static str,
    /// Slash command or message context menu.
    pub kind: CommandKind,
    /// Shown in Discord's command picker (empty for context menus).
    pub description: &'static str,
    /// Options, required ones first (Discord refuses otherwise).
    pub options: Vec<OptionSpec>,
    /// `default_member_permissions`: who sees it by default (`None`: everyone).
    pub permissions: Option<u64>,
}

/// Kinds of commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommandKind {
    /// `/name`.
    Slash,
    /// Right click on a message → Apps.
    Message,
}

/// A command option.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptionSpec {
    /// Its name.
    pub name: String,
    /// Shown under the option.
    pub description: String,
    /// Its type.
    pub kind: OptionKind,
    /// Whether it must be given.
    pub required: bool,
}

/// Option types the bot uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OptionKind {
    /// Text with a length range, optionally autocompleted.
    Text {
        /// Shortest, in characters.
        min: u16,
        /// Longest, in characters.
        max: u16,
        /// Suggestions while typing.
        autocomplete: bool,
    },
    /// True or false.
    Boolean,
    /// One of fixed choices.
    Choice(Vec<&'static str>),
    /// A whole number in a range.
    Integer {
        /// Smallest.
        min: i64,
        /// Largest.
        max: i64,
    },
}

fn option(name: &str, description: &str, kind: OptionKind, required: bool) -> OptionSpec {
    OptionSpec {
        name: name.to_owned(),
        description: description.to_owned(),
        kind,
        required,
    }
}

fn recommend_options() -> Vec<OptionSpec> {
    let mut recommend_options: Vec<OptionSpec> = UseCase::ALL
        .iter()
        .map(|u| {
            option(
                u.as_str(),
                &format!("The app needs {}", u.as_str().replace('_', " ")),
                OptionKind::Boolean,
                false,
            )
        })
        .collect();
    recommend_options.push(option(
        "scale",
        "prototype, growing (default) or large",
        OptionKind::Choice(Scale::ALL.iter().map(|s| s.as_str()).collect()),
        false,
    ));
    recommend_options.push(option(
        "hosting",
        "Where the databases run",
        OptionKind::Choice(Hosting::ALL.iter().map(|h| h.as_str()).collect()),
        false,
    ));
    recommend_options
}

/// Every command, in registration order.
pub fn all() -> Vec<CommandSpec> {
    vec![
        CommandSpec {
            name: ASK,
            kind: CommandKind::Slash,
            description: "Ask the community guides a question about databases",
            options: vec![
                option(
                    "question",
                    "Your question, in your own words",
                    OptionKind::Text {
                        min: QUESTION_CHARS.0,
                        max: QUESTION_CHARS.1,
                        autocomplete: false,
                    },
                    true,
                ),
                option(
                    "private",
                    "Show the answer only to you",
                    OptionKind::Boolean,
                    false,
                ),
            ],
            permissions: None,
        },
        CommandSpec {
            name: RECOMMEND,
            kind: CommandKind::Slash,
            description: "The smallest database stack for what your app must do",
            options: recommend_options(),
            permissions: None,
        },
        CommandSpec {
            name: GUIDE,
            kind: CommandKind::Slash,
            description: "Open a guide by name",
            options: vec![option(
                "name",
                "Start typing a guide title or topic",
                OptionKind::Text {
                    min: 1,
                    max: 100,
                    autocomplete: true,
                },
                true,
            )],
            permissions: None,
        },
        CommandSpec {
            name: FIND_A_GUIDE,
            kind: CommandKind::Message,
            description: "",
            options: vec![],
            permissions: None,
        },
        CommandSpec {
            name: GAPS,
            kind: CommandKind::Slash,
            description: "Maintainers: questions no guide answers well, grouped into topics",
            options: vec![option(
                "days",
                "How many days back (default 30)",
                OptionKind::Integer { min: 1, max: 365 },
                false,
            )],
            permissions: Some(MANAGE_GUILD),
        },
        CommandSpec {
            name: QUESTIONS,
            kind: CommandKind::Slash,
            description: "Maintainers: the latest questions",
            options: vec![
                option(
                    "unanswered",
                    "Only questions no guide answered",
                    OptionKind::Boolean,
                    false,
                ),
                option(
                    "days",
                    "How many days back (default 7)",
                    OptionKind::Integer { min: 1, max: 365 },
                    false,
                ),
            ],
            permissions: Some(MANAGE_GUILD),
        },
        CommandSpec {
            name: RELOAD,
            kind: CommandKind::Slash,
            description: "Maintainers: read the guides again after a change, without a restart",
            options: vec![],
            permissions: Some(MANAGE_GUILD),
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_keep_discords_rules() {
        for command in all() {
            assert!(command.options.len() <= 25, "{}", command.name);
            let first_optional = command.options.iter().position(|o| !o.required);
            if let Some(i) = first_optional {
                assert!(
                    command.options[i..].iter().all(|o| !o.required),
                    "{}: required options must come first",
                    command.name
                );
            }
            for o in &command.options {
                assert!(
                    o.name.len() <= 32
                        && o.name.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                );
                assert!((1..=100).contains(&o.description.chars().count()));
            }
            assert!(command.description.chars().count() <= 100);
        }
    }
}
