//! What retrieval reads of a member's message: Discord markup removed, greetings and filler
//! sentences dropped.
//!
//! Help-channel messages carry more than the question: mentions (`<@123>`), custom emoji
//! (`<:pepe:123>`), masked links whose URL is noise, a code fence's language tag, "Hi all!" and
//! "thanks in advance". None of it says what the member wants to know, and every word of it
//! dilutes what does. This module owns that reduction and nothing else; the original text is
//! what the question log keeps and what the reply echoes.
//!
//! It is pure string work: no index, no vocabulary of the guides. The filler list is ordinary
//! conversational English, not words picked from any evaluation question.

use std::sync::LazyLock;

use regex::Regex;

/// `text` as it may be stored and shown: control characters (NUL, escape sequences, line
/// breaks) become spaces, and the invisible characters that reorder or hide text are removed:
/// bidirectional overrides, embeddings and isolates (U+202A–U+202E, U+2066–U+2069), direction
/// marks (U+200E, U+200F, U+061C) and zero-width spaces (U+200B, U+200C, U+2060, U+FEFF). A
/// member's question may hold any of them; a terminal table or a log line must not obey them.
/// The zero-width joiner (U+200D) stays: emoji sequences need it.
pub fn visible(text: &str) -> std::borrow::Cow<'_, str> {
    let hidden = |c: char| {
        matches!(
            c,
            '\u{202A}'..='\u{202E}'
                | '\u{2066}'..='\u{2069}'
                | '\u{200E}'
                | '\u{200F}'
                | '\u{061C}'
                | '\u{200B}'
                | '\u{200C}'
                | '\u{2060}'
                | '\u{FEFF}'
        )
    };
    if !text.chars().any(|c| c.is_control() || hidden(c)) {
        return std::borrow::Cow::Borrowed(text);
    }
    std::borrow::Cow::Owned(
        text.chars()
            .filter(|&c| !hidden(c))
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect(),
    )
}

/// Discord's inline markup: user (`<@1>`, `<@!1>`), role (`<@&1>`) and channel (`<#1>`)
/// mentions, custom emoji (`<:name:1>`, `<a:name:1>`), timestamps (`<t:1:R>`), slash-command
/// mentions (`</name:1>`), `@everyone`, `@here`, and shortcode emoji typed as text (`:pray:`)
/// standing on their own between spaces.
static MARKUP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"<@[!&]?\d+>|<#\d+>|<a?:\w{1,64}:\d+>|<t:-?\d+(?::[tTdDfFR])?>|</[\w -]{1,64}:\d+>",
        r"|@(?:everyone|here)\b",
        r"|(?:^|\s):[a-z0-9_+-]{1,40}:(?:\s|$)",
    ))
    .expect("a valid pattern")
});

/// A masked link `[text](url)`: its text is kept, the URL is not.
static MASKED_LINK: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\[([^\[\]]{0,200})\]\(<?[^()\s]{0,2000}>?\)").expect("valid"));

/// A bare URL, also in Discord's `<https://…>` form that suppresses the preview.
static URL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"<?\b(?:https?|ftp)://[^\s>]+>?").expect("a valid pattern"));

/// The language tag of an opening code fence (```` ```sql ````): a word of the fence, not of the
/// question.
static FENCE_TAG: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?m)^(\s*```)[\w+#.-]{1,20}[ \t]*$").expect("valid"));

/// Words that make up greetings, thanks, apologies and requests for attention: a sentence made
/// only of these ("Hi all!", "Thanks in advance", "Sorry if this is a dumb question", "I'm new
/// here") carries no topic. Function words are included so such sentences are recognised whole;
/// a sentence with any other word is kept entire.
#[rustfmt::skip]
const FILLER: &[&str] = &[
    // Greetings and address.
    "hi", "hello", "hey", "heya", "hiya", "yo", "sup", "greetings", "morning", "evening",
    "afternoon", "good", "all", "everyone", "everybody", "guys", "folks", "team", "people", "y'all",
    "yall", "friends", "there", "gm",
    // Thanks and politeness.
    "thanks", "thank", "thx", "ty", "tia", "cheers", "advance", "appreciated", "appreciate",
    "please", "pls", "plz", "kindly", "much", "lot", "lots", "any", "help", "helps", "welcome",
    "grateful",
    // Apologies and hedges.
    "sorry", "apologies", "dumb", "stupid", "silly", "noob", "newbie", "beginner", "quick",
    "simple", "basic", "question", "questions", "q", "if", "this", "is", "a", "an", "the", "maybe",
    "probably", "obvious",
    // Introductions.
    "i", "i'm", "im", "am", "me", "my", "we", "we're", "new", "here", "first", "time", "poster",
    "posting", "long", "lurker", "just", "joined", "to", "server", "channel", "community",
    "hope", "hoping", "you", "your", "are", "doing", "well", "ok", "okay", "so", "um", "uh", "hmm",
    "anyone", "someone", "somebody", "anybody", "can", "could", "got", "have", "has", "for", "in",
    "of", "on", "and", "or", "with", "it", "that", "what", "do", "does", "lol", "lmao", "haha",
    "ping", "pinging", "tagging", "bump", "ask", "asking", "wondering", "curious",
];

/// `text` as retrieval should read it: Discord markup and URLs removed (a masked link keeps its
/// text), code fences without their language tag, and sentences made only of greetings and
/// filler dropped. What remains is the question, its context and any pasted code or error.
///
/// Never returns text longer than `text`. If nothing but filler remains, the markup-free text is
/// returned whole, so "thanks!" is still searched (and finds nothing) rather than vanishing.
pub fn for_retrieval(text: &str) -> String {
    let text = MASKED_LINK.replace_all(text, "$1");
    let text = URL.replace_all(&text, " ");
    let text = MARKUP.replace_all(&text, " ");
    let text = FENCE_TAG.replace_all(&text, "$1");
    let kept: Vec<&str> = sentences(&text)
        .filter(|sentence| !is_filler(sentence))
        .collect();
    let joined = if kept.is_empty() {
        text.trim().to_owned()
    } else {
        kept.join(" ")
    };
    joined.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The sentences of `text` when it has more than one (a single sentence is the text itself).
pub fn sentences_of(text: &str) -> Vec<&str> {
    let all: Vec<&str> = sentences(text).collect();
    if all.len() > 1 { all } else { Vec::new() }
}

/// The sentences of `text`: split after `.`, `!`, `?` and at line breaks, each trimmed and
/// non-empty. Code keeps its dots (`user.id`) because a split needs whitespace after the mark.
fn sentences(text: &str) -> impl Iterator<Item = &str> {
    sentence_ranges(text, 0..text.len(), &['.', '!', '?', '\n']).map(move |r| &text[r])
}

/// The sentences of `text[within]`, as trimmed, non-empty byte ranges of `text`. A sentence ends
/// after one of `ends` that is whitespace itself (a line break) or is followed by whitespace or
/// the end of the text: `user.id` and `1.5` stay whole. Shared by the question's sentences here
/// and the guide sentences an excerpt chooses from.
pub fn sentence_ranges<'a>(
    text: &'a str,
    within: std::ops::Range<usize>,
    ends: &'a [char],
) -> impl Iterator<Item = std::ops::Range<usize>> + 'a {
    let slice = &text[within.clone()];
    let mut bounds = Vec::new();
    let mut start = 0;
    let mut chars = slice.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let at_break = ends.contains(&c)
            && (c.is_whitespace() || chars.peek().is_none_or(|&(_, next)| next.is_whitespace()));
        if at_break {
            let end = i + c.len_utf8();
            bounds.push(start..end);
            start = end;
        }
    }
    bounds.push(start..slice.len());
    bounds.into_iter().filter_map(move |r| {
        let piece = &slice[r.clone()];
        let trimmed = piece.trim();
        let lead = piece.len() - piece.trim_start().len();
        (!trimmed.is_empty()).then(|| {
            let from = within.start + r.start + lead;
            from..from + trimmed.len()
        })
    })
}

/// Whether every word of `sentence` is filler (punctuation and emoji are not words).
fn is_filler(sentence: &str) -> bool {
    let mut words = sentence
        .split(|c: char| !(c.is_alphanumeric() || c == '\''))
        .filter(|w| !w.is_empty())
        .peekable();
    if words.peek().is_none() {
        // Only punctuation or emoji: "🙏🙏", "???".
        return true;
    }
    words.all(|w| {
        let lower = w.to_lowercase();
        FILLER.contains(&lower.as_str())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invisible_and_control_characters_are_not_kept() {
        assert_eq!(visible("plain text"), "plain text");
        assert!(matches!(visible("plain"), std::borrow::Cow::Borrowed(_)));
        assert_eq!(
            visible("a\u{0}b\u{1b}[31mc\u{202E}d\u{2066}e\u{200B}f\u{FEFF}g"),
            "a b [31mcdefg"
        );
        // Emoji sequences keep their joiner.
        assert_eq!(visible("👩\u{200D}💻"), "👩\u{200D}💻");
    }

    #[test]
    fn mentions_emoji_and_link_targets_are_removed() {
        let cases = [
            (
                "@everyone <@123> [click me](https://evil.example) how do redis sessions expire",
                "click me how do redis sessions expire",
            ),
            (
                "<@!42> <@&7> in <#99>: is pgvector fast? <:pepe_sad:1234> <a:dance:5>",
                "in : is pgvector fast?",
            ),
            (
                "see <https://x.example/a?b=c> and http://y.example/z ok",
                "see and ok",
            ),
            (
                "ttl :pray: for cache:user:42 keys",
                "ttl for cache:user:42 keys",
            ),
            ("at <t:1700000000:R> use </ask:123>", "at use"),
        ];
        for (raw, cleaned) in cases {
            assert_eq!(for_retrieval(raw), cleaned, "{raw}");
        }
    }

    #[test]
    fn a_code_fence_loses_its_language_tag_but_keeps_its_code() {
        let raw = "why is this slow?\n```sql\nSELECT * FROM jobs FOR UPDATE SKIP LOCKED;\n```";
        assert_eq!(
            for_retrieval(raw),
            "why is this slow? SELECT * FROM jobs FOR UPDATE SKIP LOCKED;",
            "the fence lines hold no word and are dropped like an emoji-only line"
        );
    }

    #[test]
    fn greeting_and_thanks_sentences_are_dropped_and_context_is_kept() {
        assert_eq!(
            for_retrieval(
                "Hi all! I'm new here. We run Django on Postgres. How do redis sessions \
                 expire? Thanks in advance 🙏"
            ),
            "We run Django on Postgres. How do redis sessions expire?"
        );
    }

    #[test]
    fn a_message_of_filler_only_is_kept_rather_than_emptied() {
        assert_eq!(for_retrieval("thanks!"), "thanks!");
        assert_eq!(for_retrieval("  <@1>  "), "");
    }

    #[test]
    fn dots_inside_code_and_numbers_do_not_split_sentences() {
        let split: Vec<_> = sentences("set user.id to 1.5 now. ok? yes").collect();
        assert_eq!(split, ["set user.id to 1.5 now.", "ok?", "yes"]);
    }

    #[test]
    fn hostile_input_never_panics_and_never_grows() {
        for raw in [
            "[".repeat(5000),
            "<@".repeat(3000),
            "](".repeat(3000),
            "```".repeat(2000),
            "é\u{301}🙂<:a:1>".repeat(500),
        ] {
            assert!(for_retrieval(&raw).len() <= raw.len());
        }
    }
}
