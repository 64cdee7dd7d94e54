//! Excerpts: a window of a section's text, cut at word boundaries, matched words in bold, safe to
//! paste into Discord markdown.
//!
//! Pure string work: the caller says where the matched words are (byte ranges); this module picks
//! the window, escapes everything that Discord would read as markdown, and guarantees the result
//! is at most the given number of characters (not bytes), markup included.

use std::collections::HashSet;
use std::ops::Range;

/// Longest excerpt, in characters, markup included.
pub const MAX_EXCERPT_CHARS: usize = 350;

/// How far back (in characters) the window may start before its first match so that it begins at
/// the start of a sentence.
const SENTENCE_LOOKBACK: usize = 120;

const ELLIPSIS: char = '…';

/// The best excerpt of `text` for the matches at `highlights` (byte ranges of matched words),
/// at most `max_chars` characters. With no highlight, the opening of the text.
pub fn excerpt(text: &str, highlights: &[Range<usize>], max_chars: usize) -> String {
    let words = words(text);
    if words.is_empty() || max_chars < 2 {
        return String::new();
    }
    let start = window_start(text, &words, highlights, max_chars);
    render(text, &words[start..], start > 0, highlights, max_chars)
}

/// Byte ranges of the whitespace-separated words of `text`.
fn words(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (c.is_whitespace(), start) {
            (true, Some(s)) => {
                out.push(s..i);
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push(s..text.len());
    }
    out
}

/// Index of the first word of the window holding the most distinct matched words, moved back to
/// the start of its sentence when that is close.
fn window_start(
    text: &str,
    words: &[Range<usize>],
    highlights: &[Range<usize>],
    max: usize,
) -> usize {
    fn matched<'a>(
        highlights: &'a [Range<usize>],
        w: &Range<usize>,
    ) -> impl Iterator<Item = &'a Range<usize>> {
        let w = w.clone();
        highlights
            .iter()
            .filter(move |h| h.start >= w.start && h.end <= w.end)
    }
    let mut best: Option<(usize, usize)> = None; // (distinct matches, first word)
    for first in 0..words.len() {
        if matched(highlights, &words[first]).next().is_none() {
            continue;
        }
        let mut budget = max;
        let mut distinct = HashSet::new();
        for word in &words[first..] {
            let len = text[word.clone()].chars().count() + 1;
            if len > budget {
                break;
            }
            budget -= len;
            for h in matched(highlights, word) {
                distinct.insert(text[h.clone()].to_lowercase());
            }
        }
        if best.is_none_or(|(n, _)| distinct.len() > n) {
            best = Some((distinct.len(), first));
        }
    }
    let Some((_, first)) = best else { return 0 };
    let mut start = first;
    let mut back = 0;
    while start > 0 {
        let previous = &text[words[start - 1].clone()];
        if previous.ends_with(['.', '?', '!', ':']) {
            break;
        }
        back += previous.chars().count() + 1;
        if back > SENTENCE_LOOKBACK {
            return first;
        }
        start -= 1;
    }
    start
}

/// Renders `words` (byte ranges into `text`) until the budget runs out.
fn render(
    text: &str,
    words: &[Range<usize>],
    cut_before: bool,
    highlights: &[Range<usize>],
    max: usize,
) -> String {
    let mut out = String::new();
    let mut used = 0;
    if cut_before {
        out.push(ELLIPSIS);
        used = 1;
    }
    for (i, word) in words.iter().enumerate() {
        let at_start = used == 0;
        let piece = render_word(text, word.clone(), highlights, at_start);
        let piece_len = piece.chars().count();
        let separator = usize::from(!(at_start || cut_before && i == 0));
        let is_last = i + 1 == words.len();
        let reserve = usize::from(!is_last); // room for a closing ellipsis
        if used + separator + piece_len + reserve > max {
            if i == 0 {
                // A single word longer than the whole budget: cut it by characters, plain.
                let room = max - used - 1;
                let plain: String = escape(&text[word.clone()], at_start)
                    .chars()
                    .take(room)
                    .collect();
                out.push_str(plain.trim_end_matches('\\'));
            }
            out.push(ELLIPSIS);
            return out;
        }
        if separator == 1 {
            out.push(' ');
        }
        out.push_str(&piece);
        used += separator + piece_len;
    }
    out
}

/// One word with its matched parts in bold and the rest escaped.
fn render_word(
    text: &str,
    word: Range<usize>,
    highlights: &[Range<usize>],
    at_start: bool,
) -> String {
    let mut out = String::new();
    let mut cursor = word.start;
    let mut spans: Vec<&Range<usize>> = highlights
        .iter()
        .filter(|h| h.start >= word.start && h.end <= word.end && h.start < h.end)
        .collect();
    spans.sort_by_key(|h| h.start);
    for h in spans {
        if h.start < cursor {
            continue;
        }
        out.push_str(&escape(
            &text[cursor..h.start],
            at_start && cursor == word.start,
        ));
        out.push_str("**");
        out.push_str(&escape(&text[h.clone()], false));
        out.push_str("**");
        cursor = h.end;
    }
    out.push_str(&escape(
        &text[cursor..word.end],
        at_start && cursor == word.start,
    ));
    out
}

/// Escapes Discord markdown: emphasis, code, spoilers, quotes, masked links and mentions.
/// `at_line_start` also escapes what only means something at the start of a line (lists, headers).
pub fn escape(s: &str, at_line_start: bool) -> String {
    let mut out = String::with_capacity(s.len() + 4);
    for (i, c) in s.chars().enumerate() {
        match c {
            '\\' | '*' | '_' | '~' | '`' | '|' | '<' | '>' | '[' | ']' | '#' => {
                out.push('\\');
                out.push(c);
            }
            '-' | '+' if i == 0 && at_line_start => {
                out.push('\\');
                out.push(c);
            }
            '@' => out.push_str("@\u{200b}"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ranges(text: &str, words: &[&str]) -> Vec<Range<usize>> {
        words
            .iter()
            .flat_map(|w| text.match_indices(w).map(|(i, m)| i..i + m.len()))
            .collect()
    }

    #[test]
    fn short_text_is_shown_whole_with_matches_in_bold() {
        let text = "Set a TTL on every session key.";
        assert_eq!(
            excerpt(text, &ranges(text, &["TTL"]), 350),
            "Set a **TTL** on every session key."
        );
    }

    #[test]
    fn long_text_is_cut_at_word_boundaries_around_the_matches() {
        let filler = "Lorem ipsum dolor sit amet consectetur. ".repeat(20);
        let text = format!("{filler}Redis keeps sessions with a TTL of thirty minutes. {filler}");
        let e = excerpt(&text, &ranges(&text, &["sessions", "TTL"]), 120);
        assert!(e.starts_with("…Redis keeps **sessions**"), "{e}");
        assert!(e.ends_with('…'), "{e}");
        assert!(e.chars().count() <= 120);
        assert!(!e.contains("  "));
    }

    #[test]
    fn multi_byte_text_is_cut_by_characters() {
        let text = "é".repeat(10) + " " + &"日本語のテキスト ".repeat(60);
        for max in [2, 3, 10, 50, 349, 350] {
            let e = excerpt(&text, &[], max);
            assert!(e.chars().count() <= max, "{max}: {e}");
        }
        let e = excerpt(&text, &[], 40);
        assert!(e.starts_with("éééééééééé 日本語のテキスト"), "{e}");
    }

    #[test]
    fn a_word_longer_than_the_budget_is_cut_inside() {
        let text = "x".repeat(500);
        let e = excerpt(&text, &[], 350);
        assert_eq!(e.chars().count(), 350);
        assert!(e.ends_with('…'));
    }

    #[test]
    fn discord_markdown_in_guide_text_is_neutralised() {
        let text = "- Use `SET key value EX 3600 NX` with [docs](x) ||spoiler|| @everyone <@123> *a* _b_ ~~c~~ # h";
        let e = excerpt(text, &[], 350);
        assert_eq!(
            e,
            "\\- Use \\`SET key value EX 3600 NX\\` with \\[docs\\](x) \\|\\|spoiler\\|\\| @\u{200b}everyone \\<@\u{200b}123\\> \\*a\\* \\_b\\_ \\~\\~c\\~\\~ \\# h"
        );
    }

    #[test]
    fn matches_inside_words_are_bolded_exactly() {
        let text = "Redis's pg_trgm index";
        assert_eq!(
            excerpt(text, &ranges(text, &["Redis", "trgm"]), 350),
            "**Redis**'s pg\\_**trgm** index"
        );
    }

    #[test]
    fn the_window_starts_at_the_sentence_of_the_first_match_when_close() {
        let text = format!(
            "{} First sentence ends. Then comes the key word here.",
            "pad ".repeat(200)
        );
        let e = excerpt(&text, &ranges(&text, &["key"]), 100);
        assert!(e.starts_with("…Then comes the **key** word here."), "{e}");
    }
}
