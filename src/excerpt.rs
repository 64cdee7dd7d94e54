//! Excerpts: a window of a section's text, cut at word boundaries, matched words in bold, safe to
//! paste into Discord markdown.
//!
//! Pure string work: the caller says where the matched words are (byte ranges); this module picks
//! the window, escapes everything that Discord would read as markdown, and guarantees the result
//! is at most the given number of characters (not bytes), markup included.

use std::collections::HashSet;
use std::ops::Range;

use crate::knowledge::{BlockKind, Section};

/// Longest prose excerpt, in characters, markup included.
pub const MAX_EXCERPT_CHARS: usize = 350;

/// Longest code excerpt (a lead-in sentence and a fenced code block), in characters, markup
/// included: a code example needs more room than prose, and with the guide link it still fits an
/// embed field (1,024).
pub const MAX_CODE_EXCERPT_CHARS: usize = 600;

/// A sentence whose characters are at least this share link text is a pointer ("…the details are
/// in Postgres full-text search."), shown only when the section has nothing else.
const LINK_SENTENCE_SHARE: f32 = 0.5;

/// How much a sentence's similarity to the question counts against one matched word when
/// choosing where an excerpt starts: a sentence that says what was asked in other words can beat
/// one that repeats a question word in passing.
const SIMILARITY_WEIGHT: f32 = 2.0;

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

/// The excerpt of `section` that answers best: the prose sentence that carries the question's
/// words and meaning, followed by what comes after it up to `max_chars`; or, when a code block
/// matches more of the question's words than any sentence, that code block as a Discord code
/// block with its language, after the sentence that introduces it (up to
/// [`MAX_CODE_EXCERPT_CHARS`]).
///
/// `highlight` gives the byte ranges of matched words in a text; `similarity` the semantic
/// similarity of a text to the question (0 when there is none).
pub fn for_section(
    section: &Section,
    highlight: &dyn Fn(&str) -> Vec<Range<usize>>,
    similarity: &dyn Fn(&str) -> f32,
    max_chars: usize,
) -> String {
    let text = section.text.as_str();
    let matched_outside = |range: &Range<usize>, links: &[Range<usize>]| -> usize {
        let slice = &text[range.clone()];
        highlight(slice)
            .into_iter()
            .filter(|h| {
                let at = range.start + h.start;
                !links.iter().any(|l| l.contains(&at))
            })
            .map(|h| slice[h].to_lowercase())
            .collect::<HashSet<_>>()
            .len()
    };
    let matched = |range: &Range<usize>| matched_outside(range, &[]);
    // Every prose sentence: (block index, range, matched words outside links, link share).
    let mut sentences = Vec::new();
    for (b, block) in section.blocks.iter().enumerate() {
        if block.is_code() {
            continue;
        }
        for sentence in sentence_ranges(text, &block.range) {
            let chars = text[sentence.clone()].chars().count().max(1);
            #[allow(clippy::cast_precision_loss)]
            let link_share = block.link_chars(text, &sentence) as f32 / chars as f32;
            // Words of a link's text name another page; they are no evidence that this
            // sentence says what was asked.
            let words = matched_outside(&sentence, &block.links);
            sentences.push((b, sentence, words, link_share));
        }
    }
    // Similarity decides among the sentences holding a question word (or among all of them
    // when none does). A sentence without one rarely makes the better start, and embedding
    // every sentence of every hit would double the cost of an answer, so they are not embedded.
    let any_match = sentences.iter().any(|(_, _, words, _)| *words > 0);
    // (block index, sentence range, matched words, score)
    let mut best: Option<(usize, Range<usize>, usize, f32)> = None;
    for (b, sentence, words, link_share) in sentences {
        let similar = if words > 0 || !any_match {
            similarity(&text[sentence.clone()])
        } else {
            0.0
        };
        #[allow(clippy::cast_precision_loss)]
        let mut score = words as f32 + SIMILARITY_WEIGHT * similar;
        if link_share >= LINK_SENTENCE_SHARE {
            score -= 100.0;
        }
        if best.as_ref().is_none_or(|(_, _, _, s)| score > *s) {
            best = Some((b, sentence, words, score));
        }
    }
    let code = section
        .blocks
        .iter()
        .enumerate()
        .filter(|(_, b)| b.is_code())
        .map(|(i, b)| (i, matched(&b.range)))
        .max_by_key(|&(i, words)| (words, std::cmp::Reverse(i)));
    let prose_words = best.as_ref().map_or(0, |(_, _, w, _)| *w);
    if let Some((c, words)) = code
        && words >= 2
        && words > prose_words
    {
        return code_excerpt(section, c, highlight, MAX_CODE_EXCERPT_CHARS.max(max_chars));
    }
    let Some((b, sentence, _, _)) = best else {
        return excerpt(text, &highlight(text), max_chars);
    };
    // The chosen sentence, the rest of its block, and the prose blocks after it.
    let mut window = text[sentence.start..section.blocks[b].range.end].to_owned();
    for block in section.blocks[b + 1..].iter().filter(|b| !b.is_code()) {
        if window.chars().count() > max_chars {
            break;
        }
        window.push(' ');
        window.push_str(&text[block.range.clone()]);
    }
    let highlights = highlight(&window);
    if text[sentence].chars().count() > max_chars {
        return excerpt(&window, &highlights, max_chars);
    }
    let words = words(&window);
    if words.is_empty() || max_chars < 2 {
        return String::new();
    }
    render(&window, &words, false, &highlights, max_chars)
}

/// A code block as a Discord code block with its language, after the sentence that introduces
/// it when there is room, cut at a line boundary.
fn code_excerpt(
    section: &Section,
    c: usize,
    highlight: &dyn Fn(&str) -> Vec<Range<usize>>,
    max_chars: usize,
) -> String {
    let text = section.text.as_str();
    let block = &section.blocks[c];
    let lang = match &block.kind {
        BlockKind::Code { lang: Some(lang) } => sanitise_lang(lang),
        _ => String::new(),
    };
    let mut out = String::new();
    // The lead-in: the last sentence of the prose block just before the code.
    if let Some(previous) = c.checked_sub(1).map(|p| &section.blocks[p])
        && !previous.is_code()
        && let Some(lead) = sentence_ranges(text, &previous.range).last()
    {
        let lead_text = &text[lead.clone()];
        let budget = max_chars / 3;
        let rendered = excerpt(lead_text, &highlight(lead_text), budget);
        if !rendered.is_empty() {
            out.push_str(&rendered);
            out.push('\n');
        }
    }
    let open = format!("```{lang}\n");
    let close = "```";
    let ellipsis_line = "…\n";
    let mut budget = max_chars
        .saturating_sub(out.chars().count() + open.chars().count() + close.chars().count());
    let mut body = String::new();
    let code = &text[block.range.clone()];
    let lines: Vec<&str> = code.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        let line = sanitise_code_line(line);
        let needed = line.chars().count() + 1;
        let reserve = if i + 1 < lines.len() {
            ellipsis_line.chars().count()
        } else {
            0
        };
        if needed + reserve > budget {
            if i == 0 {
                // One line longer than the budget: cut it by characters.
                let room = budget.saturating_sub(reserve + 1);
                body.extend(line.chars().take(room));
                body.push('\n');
            }
            // A blank line just before the cut says nothing.
            while body.ends_with("\n\n") || body.trim().is_empty() && !body.is_empty() {
                body.pop();
            }
            body.push_str(ellipsis_line);
            break;
        }
        body.push_str(&line);
        body.push('\n');
        budget -= needed;
    }
    if body.trim().is_empty() {
        return out.trim_end().to_owned();
    }
    out.push_str(&open);
    out.push_str(&body);
    out.push_str(close);
    out
}

/// A fence language tag reduced to characters Discord's highlighter names use.
fn sanitise_lang(lang: &str) -> String {
    lang.chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '#' | '-' | '_'))
        .take(20)
        .collect()
}

/// A line of code as it may appear inside a Discord code block: no markdown escaping, but a
/// run of three backticks would close the block, so a zero-width space breaks it; control
/// characters other than tabs become spaces.
fn sanitise_code_line(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut backticks = 0;
    for c in line.chars() {
        if c == '`' {
            backticks += 1;
            if backticks == 3 {
                out.push('\u{200b}');
                backticks = 1;
            }
            out.push(c);
            continue;
        }
        backticks = 0;
        out.push(if c.is_control() && c != '\t' { ' ' } else { c });
    }
    out
}

/// The sentences of `text[block]`, as byte ranges of `text`: split after `.`, `?`, `!` or `:`
/// followed by whitespace (a colon ends the sentence that introduces a code block), each trimmed.
fn sentence_ranges(text: &str, block: &Range<usize>) -> Vec<Range<usize>> {
    crate::clean::sentence_ranges(text, block.clone(), &['.', '?', '!', ':']).collect()
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
    use std::fmt::Write as _;

    use super::*;
    use crate::knowledge::Block;

    /// One block of a test section: its text, `Some(language)` for code, a link's text inside it.
    type TestBlock<'a> = (&'a str, Option<Option<&'a str>>, Option<&'a str>);

    /// A section from blocks.
    fn section(blocks: &[TestBlock<'_>]) -> Section {
        let mut text = String::new();
        let mut out = Vec::new();
        for (block, code, link) in blocks {
            let start = text.len();
            text.push_str(block);
            let links = link
                .and_then(|l| block.find(l).map(|at| start + at..start + at + l.len()))
                .into_iter()
                .collect();
            out.push(Block {
                range: start..text.len(),
                kind: match code {
                    Some(lang) => BlockKind::Code {
                        lang: lang.map(str::to_owned),
                    },
                    None => BlockKind::Prose,
                },
                links,
            });
            text.push('\n');
        }
        text.pop();
        let mut s = Section::plain("Heading".into(), Some("heading".into()), text, 1);
        s.blocks = out;
        s
    }

    fn highlighter(words: &'static [&'static str]) -> impl Fn(&str) -> Vec<Range<usize>> {
        move |text: &str| ranges(text, words)
    }

    #[test]
    fn the_excerpt_starts_at_the_sentence_that_carries_the_question() {
        let s = section(&[
            (
                "Sessions live in Redis. Every key can expire on its own.",
                None,
                None,
            ),
            (
                "Set the TTL when you create the session, and refresh it on use.",
                None,
                None,
            ),
        ]);
        let e = for_section(&s, &highlighter(&["TTL", "session"]), &|_| 0.0, 350);
        assert!(e.starts_with("Set the **TTL**"), "{e}");
    }

    #[test]
    fn a_sentence_that_is_only_a_link_is_not_the_excerpt_when_another_one_says_something() {
        let s = section(&[
            (
                "The details and the limits are in Postgres full-text search.",
                None,
                Some("Postgres full-text search"),
            ),
            (
                "A GIN index over a tsvector column keeps search fast.",
                None,
                None,
            ),
        ]);
        let e = for_section(&s, &highlighter(&["search"]), &|_| 0.0, 350);
        assert!(e.starts_with("A GIN index"), "{e}");
    }

    #[test]
    fn code_that_matches_more_than_the_prose_is_a_code_block_with_its_language() {
        let code =
            "CREATE TABLE outbox (\n  id bigserial PRIMARY KEY,\n  payload jsonb NOT NULL\n);";
        let s = section(&[
            ("Write the event in the same transaction:", None, None),
            (code, Some(Some("sql")), None),
        ]);
        let e = for_section(
            &s,
            &highlighter(&["outbox", "jsonb", "payload"]),
            &|_| 0.0,
            350,
        );
        assert_eq!(
            e,
            "Write the event in the same transaction:\n```sql\nCREATE TABLE outbox (\n  id bigserial PRIMARY KEY,\n  payload jsonb NOT NULL\n);\n```"
        );
        assert!(!e.contains('\\'), "no markdown escaping inside code: {e}");
    }

    #[test]
    fn long_code_is_cut_at_a_line_boundary_within_the_limit() {
        let mut code = String::new();
        for i in 0..200 {
            let _ = writeln!(code, "SELECT {i} FROM outbox;");
        }
        let s = section(&[(code.trim_end(), Some(Some("sql")), None)]);
        let e = for_section(&s, &highlighter(&["SELECT", "outbox"]), &|_| 0.0, 350);
        assert!(
            e.chars().count() <= MAX_CODE_EXCERPT_CHARS,
            "{}",
            e.chars().count()
        );
        assert!(e.starts_with("```sql\n") && e.ends_with("…\n```"), "{e}");
        for line in e.lines().skip(1) {
            assert!(
                line == "```" || line == "…" || line.ends_with("outbox;"),
                "{line}"
            );
        }
    }

    #[test]
    fn backticks_in_code_cannot_close_the_block() {
        let s = section(&[("echo ```done``` outbox", Some(None), None)]);
        let e = for_section(&s, &highlighter(&["echo", "outbox"]), &|_| 0.0, 350);
        assert_eq!(e.matches("```").count(), 2, "{e}");
    }

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
