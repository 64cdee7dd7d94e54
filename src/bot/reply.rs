//! What the bot answers, as plain data, and Discord's limits applied to it.
//!
//! The Discord adapter turns a [`Reply`] into serenity builders field for field; everything a
//! member can see is decided and bounded here, by characters (never bytes).

/// Discord's limits (developer docs, "Embed Limits" and "Message" resource).
pub mod limits {
    /// Message content.
    pub const CONTENT: usize = 2000;
    /// Embed title.
    pub const TITLE: usize = 256;
    /// Embed description.
    pub const DESCRIPTION: usize = 4096;
    /// Field name.
    pub const FIELD_NAME: usize = 256;
    /// Field value.
    pub const FIELD_VALUE: usize = 1024;
    /// Fields per embed.
    pub const FIELDS: usize = 25;
    /// Footer text.
    pub const FOOTER: usize = 2048;
    /// All text of all embeds of one message.
    pub const EMBED_TOTAL: usize = 6000;
    /// Autocomplete choices.
    pub const CHOICES: usize = 25;
    /// Autocomplete choice name and value.
    pub const CHOICE: usize = 100;
    /// Component custom ids.
    pub const CUSTOM_ID: usize = 100;
}

/// A reply to an interaction.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// A message (the interaction's response).
    Message(Message),
    /// Autocomplete suggestions.
    Choices(Vec<Choice>),
}

/// A message: text, embeds and buttons.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Message {
    /// Plain text above the embeds.
    pub content: Option<String>,
    /// Embeds, in order.
    pub embeds: Vec<Embed>,
    /// Buttons, in one row.
    pub buttons: Vec<Button>,
    /// Shown only to the member who asked.
    pub ephemeral: bool,
}

/// An embed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Embed {
    /// Title, linked to `url` when set.
    pub title: Option<String>,
    /// Link of the title.
    pub url: Option<String>,
    /// Body text (Discord markdown).
    pub description: Option<String>,
    /// Fields, in order.
    pub fields: Vec<Field>,
    /// Footer text.
    pub footer: Option<String>,
}

/// An embed field.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// Name.
    pub name: String,
    /// Value (Discord markdown).
    pub value: String,
}

/// A button that sends an interaction back to the bot.
#[derive(Debug, Clone, PartialEq)]
pub struct Button {
    /// What the bot receives when it is clicked.
    pub custom_id: String,
    /// The emoji shown on it.
    pub emoji: char,
    /// Its text.
    pub label: String,
}

/// An autocomplete choice.
#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    /// What the member sees.
    pub name: String,
    /// What the bot receives.
    pub value: String,
}

/// `text` cut to at most `max` characters at a word boundary, with `…` when cut.
pub fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let keep: String = text.chars().take(max.saturating_sub(1)).collect();
    // Cut back to the last whitespace if there is one in the second half, so no word is split.
    let cut = keep
        .char_indices()
        .rev()
        .find(|(_, c)| c.is_whitespace())
        .map(|(i, _)| i)
        .filter(|&i| i > keep.len() / 2)
        .unwrap_or(keep.len());
    let mut out = keep[..cut].trim_end().to_owned();
    // A markdown escape must not end on its backslash.
    if out.ends_with('\\') && !out.ends_with("\\\\") {
        out.pop();
    }
    out.push('…');
    out
}

impl Message {
    /// Cuts every part of the message to Discord's limits.
    #[must_use]
    pub fn fit(mut self) -> Self {
        use limits::{
            CONTENT, CUSTOM_ID, DESCRIPTION, EMBED_TOTAL, FIELD_NAME, FIELD_VALUE, FIELDS, FOOTER,
            TITLE,
        };
        self.content = self.content.map(|c| truncate(&c, CONTENT));
        self.embeds.truncate(10);
        let mut budget = EMBED_TOTAL;
        for embed in &mut self.embeds {
            let mut take = |text: &mut String, max: usize| {
                if budget == 0 {
                    text.clear();
                    return;
                }
                let fitted = truncate(text, max.min(budget));
                budget = budget.saturating_sub(fitted.chars().count());
                *text = fitted;
            };
            if let Some(title) = &mut embed.title {
                take(title, TITLE);
            }
            if let Some(footer) = &mut embed.footer {
                take(footer, FOOTER);
            }
            if let Some(description) = &mut embed.description {
                take(description, DESCRIPTION);
            }
            embed.fields.truncate(FIELDS);
            for field in &mut embed.fields {
                take(&mut field.name, FIELD_NAME);
                take(&mut field.value, FIELD_VALUE);
            }
            // Discord refuses empty field names and values.
            embed
                .fields
                .retain(|f| !f.name.trim().is_empty() && !f.value.trim().is_empty());
        }
        self.buttons
            .retain(|b| b.custom_id.chars().count() <= CUSTOM_ID);
        self
    }

    /// Characters of all embeds, as Discord counts them for the 6,000 limit.
    pub fn embed_chars(&self) -> usize {
        self.embeds
            .iter()
            .map(|e| {
                let len = |s: &Option<String>| s.as_deref().map_or(0, |s| s.chars().count());
                len(&e.title)
                    + len(&e.description)
                    + len(&e.footer)
                    + e.fields
                        .iter()
                        .map(|f| f.name.chars().count() + f.value.chars().count())
                        .sum::<usize>()
            })
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_counts_characters_and_keeps_words_whole() {
        assert_eq!(truncate("short", 10), "short");
        assert_eq!(truncate("one two three four", 12), "one two…");
        let emoji = "🦀".repeat(50);
        let cut = truncate(&emoji, 10);
        assert_eq!(cut.chars().count(), 10);
        assert_eq!(
            truncate("abcde\\*fgh", 7),
            "abcde…",
            "never ends on half an escape"
        );
    }

    #[test]
    fn a_message_is_cut_to_every_limit() {
        let long = "word ".repeat(3000);
        let message = Message {
            content: Some(long.clone()),
            embeds: vec![Embed {
                title: Some(long.clone()),
                url: None,
                description: Some(long.clone()),
                fields: (0..40)
                    .map(|_| Field {
                        name: long.clone(),
                        value: long.clone(),
                    })
                    .collect(),
                footer: Some(long),
            }],
            buttons: vec![],
            ephemeral: false,
        }
        .fit();
        assert!(message.content.as_ref().unwrap().chars().count() <= limits::CONTENT);
        let embed = &message.embeds[0];
        assert!(embed.title.as_ref().unwrap().chars().count() <= limits::TITLE);
        assert!(embed.fields.len() <= limits::FIELDS);
        assert!(message.embed_chars() <= limits::EMBED_TOTAL);
    }
}
