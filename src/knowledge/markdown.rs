//! Markdown to plain text, split into sections at `##` headings.
//!
//! Owns the reduction of a guide body (`CommonMark`) to what the index and the excerpts see: text
//! and inline code kept, code blocks kept as text, link targets dropped (but remembered for the
//! link checker), HTML dropped. It never touches the file system and knows nothing of tantivy.

use std::ops::Range;

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

/// One section of a guide body, before front matter and URLs are attached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawSection {
    /// The `##` heading as plain text; `None` for the text before the first heading.
    pub heading: Option<String>,
    /// 1-based line of the heading in the file (of the first body line for the intro).
    pub line: usize,
    /// The section's plain text: blocks separated by newlines.
    pub text: String,
    /// The blocks of `text`, in order: what an excerpt may show whole (a code block) or must not
    /// show alone (a sentence that is only a link).
    pub blocks: Vec<Block>,
}

/// One block of a section's plain text: a paragraph, list item, table row, quote, sub-heading or
/// code block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// Byte range in the section's `text` (without the newline that ends it).
    pub range: Range<usize>,
    /// Prose or code.
    pub kind: BlockKind,
    /// Byte ranges (in the section's `text`) of the text of its links: a block or sentence
    /// that is mostly link text points elsewhere rather than saying something.
    pub links: Vec<Range<usize>>,
}

/// What a block holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlockKind {
    /// Running text (paragraph, list item, table row, quote, sub-heading).
    Prose,
    /// A code block, with the language of its fence (`sql`, `python`) when one is given.
    Code {
        /// The fence's info string up to the first space, if any.
        lang: Option<String>,
    },
}

impl Block {
    /// Whether this is a code block.
    pub fn is_code(&self) -> bool {
        matches!(self.kind, BlockKind::Code { .. })
    }

    /// Characters of `text` (the section's text) inside links of this block and `within`.
    pub fn link_chars(&self, text: &str, within: &Range<usize>) -> usize {
        self.links
            .iter()
            .map(|l| l.start.max(within.start)..l.end.min(within.end))
            .filter(|r| r.start < r.end)
            .map(|r| text[r].chars().count())
            .sum()
    }
}

/// A block being read.
struct OpenBlock {
    start: usize,
    kind: BlockKind,
    /// How many nested blocks deep the parser is inside it.
    depth: usize,
    links: Vec<Range<usize>>,
    /// Where the link being read started.
    link_start: Option<usize>,
}

/// Share of a section's prose (by characters) that must be link text for the section to be
/// *navigation*: a list of pointers to other pages ("Related guides", "See also"), never an
/// answer in itself. Half is a clear line: a prose paragraph with a link or two is far below it,
/// a list of links is close to 1.
pub const NAVIGATION_LINK_SHARE: f32 = 0.5;

impl RawSection {
    /// Whether the section is a list of links rather than text (see [`NAVIGATION_LINK_SHARE`]).
    pub fn is_navigation(&self) -> bool {
        is_navigation(&self.text, &self.blocks)
    }
}

/// Whether blocks of `text` are mostly link text (see [`NAVIGATION_LINK_SHARE`]).
pub fn is_navigation(text: &str, blocks: &[Block]) -> bool {
    let (mut prose, mut links) = (0_usize, 0_usize);
    for block in blocks.iter().filter(|b| !b.is_code()) {
        prose += text[block.range.clone()].chars().count();
        links += block.link_chars(text, &block.range);
    }
    #[allow(clippy::cast_precision_loss)]
    let share = links as f32 / prose.max(1) as f32;
    links > 0 && share >= NAVIGATION_LINK_SHARE
}

/// A link found in the body, kept so `check` can verify internal targets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// The target as written.
    pub dest: String,
    /// 1-based line in the file.
    pub line: usize,
}

/// A heading at a level the guide format does not allow (`#`), with its line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StrayHeading {
    /// 1-based line in the file.
    pub line: usize,
}

/// The result of reading a body: its sections, its links, and headings it should not have.
#[derive(Debug, Default)]
pub struct Body {
    /// Sections in document order; the intro (if any text precedes the first `##`) comes first.
    pub sections: Vec<RawSection>,
    /// Every link in the body.
    pub links: Vec<Link>,
    /// Level-one headings (the title belongs in the front matter).
    pub stray_h1: Vec<StrayHeading>,
}

/// Maps byte offsets of a text to 1-based line numbers, shifted by the line the text starts at.
struct Lines {
    starts: Vec<usize>,
    first_line: usize,
}

impl Lines {
    fn new(text: &str, first_line: usize) -> Self {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Self { starts, first_line }
    }

    fn line_of(&self, offset: usize) -> usize {
        self.first_line + self.starts.partition_point(|&s| s <= offset) - 1
    }
}

/// Splits `body` (which starts at line `first_line` of its file) into plain-text sections.
pub fn parse_body(body: &str, first_line: usize) -> Body {
    let lines = Lines::new(body, first_line);
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let mut out = Body::default();
    let mut current = RawSection {
        heading: None,
        line: first_line,
        text: String::new(),
        blocks: Vec::new(),
    };
    // While inside a `##` heading, its text accumulates here instead of the section text.
    let mut heading: Option<(String, usize)> = None;
    let mut open: Option<OpenBlock> = None;

    for (event, range) in Parser::new_ext(body, options).into_offset_iter() {
        if heading.is_none() {
            track_block(&event, &mut open, &mut current);
        }
        let sink = match &mut heading {
            Some((h, _)) => h,
            None => &mut current.text,
        };
        match event {
            Event::Start(Tag::Heading { level, .. }) => match level {
                HeadingLevel::H1 => out.stray_h1.push(StrayHeading {
                    line: lines.line_of(range.start),
                }),
                HeadingLevel::H2 => heading = Some((String::new(), lines.line_of(range.start))),
                _ => {}
            },
            Event::End(TagEnd::Heading(HeadingLevel::H2)) => {
                if let Some((text, line)) = heading.take() {
                    let finished = std::mem::replace(
                        &mut current,
                        RawSection {
                            heading: Some(collapse_spaces(&text)),
                            line,
                            text: String::new(),
                            blocks: Vec::new(),
                        },
                    );
                    push_section(&mut out.sections, finished);
                }
            }
            Event::Start(Tag::Link { dest_url, .. }) => out.links.push(Link {
                dest: dest_url.into_string(),
                line: lines.line_of(range.start),
            }),
            Event::Text(t) | Event::Code(t) => sink.push_str(&t),
            Event::SoftBreak => sink.push(' '),
            Event::HardBreak
            | Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::Item
                | TagEnd::CodeBlock
                | TagEnd::TableHead
                | TagEnd::TableRow
                | TagEnd::BlockQuote(_),
            ) => sink.push('\n'),
            Event::End(TagEnd::TableCell) => sink.push_str(" · "),
            _ => {}
        }
    }
    push_section(&mut out.sections, current);
    out
}

/// Opens a block at the first block-level start outside any open block, and closes it (into
/// `section.blocks`) at the matching end. Nested blocks (a paragraph in a list item, a sub-list)
/// belong to the block around them.
fn track_block(event: &Event<'_>, open: &mut Option<OpenBlock>, section: &mut RawSection) {
    match event {
        Event::Start(Tag::Link { .. }) => {
            if let Some(block) = open {
                block.link_start = Some(section.text.len());
            }
        }
        Event::End(TagEnd::Link) => {
            if let Some(block) = open
                && let Some(start) = block.link_start.take()
            {
                block.links.push(start..section.text.len());
            }
        }
        Event::Start(tag) if is_block(tag) => {
            if let Some(block) = open {
                block.depth += 1;
                return;
            }
            let kind = match tag {
                Tag::CodeBlock(CodeBlockKind::Fenced(info)) => BlockKind::Code {
                    lang: info
                        .split_whitespace()
                        .next()
                        .map(str::to_owned)
                        .filter(|l| !l.is_empty()),
                },
                Tag::CodeBlock(CodeBlockKind::Indented) => BlockKind::Code { lang: None },
                _ => BlockKind::Prose,
            };
            *open = Some(OpenBlock {
                start: section.text.len(),
                kind,
                depth: 0,
                links: Vec::new(),
                link_start: None,
            });
        }
        Event::End(tag) if is_block_end(*tag) => {
            if let Some(mut block) = open.take() {
                if block.depth > 0 {
                    block.depth -= 1;
                    *open = Some(block);
                } else {
                    let end = section.text.trim_end().len().max(block.start);
                    if end > block.start {
                        section.blocks.push(Block {
                            range: block.start..end,
                            kind: block.kind,
                            links: block.links,
                        });
                    }
                }
            }
        }
        _ => {}
    }
}

/// Tags that make a block. Lists and tables are not blocks themselves: each item and row is.
/// `##` headings start sections, not blocks.
fn is_block(tag: &Tag<'_>) -> bool {
    is_block_end(tag.to_end())
}

/// The ends of the tags of [`is_block`].
fn is_block_end(tag: TagEnd) -> bool {
    match tag {
        TagEnd::Heading(level) => level != HeadingLevel::H2,
        TagEnd::Paragraph
        | TagEnd::BlockQuote(_)
        | TagEnd::CodeBlock
        | TagEnd::Item
        | TagEnd::TableHead
        | TagEnd::TableRow
        | TagEnd::HtmlBlock => true,
        _ => false,
    }
}

/// Keeps a finished section unless it is an intro with no text (a guide may start at `##`).
fn push_section(sections: &mut Vec<RawSection>, mut section: RawSection) {
    let start = section.text.len() - section.text.trim_start().len();
    let trimmed = section.text.trim();
    if trimmed.len() != section.text.len() {
        section.text = String::from(trimmed);
        let len = section.text.len();
        let shift = |r: &Range<usize>| {
            r.start.saturating_sub(start).min(len)..r.end.saturating_sub(start).min(len)
        };
        for block in &mut section.blocks {
            block.range = shift(&block.range);
            block.links = block.links.iter().map(shift).collect();
        }
        section.blocks.retain(|b| !b.range.is_empty());
    }
    if section.heading.is_some() || !section.text.is_empty() {
        sections.push(section);
    }
}

/// Collapses runs of whitespace into single spaces and trims the ends.
pub fn collapse_spaces(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &str = "Intro with a [link](redis-sessions) and `code`.

## Cache-aside read path

Read from **Redis** first:

```bash
redis-cli SET user:42 '{}' EX 3600 NX
```

| key | ttl |
|-----|-----|
| user | 3600 |

### A detail
More text.
## Empty

## See also

- [Sessions](redis-sessions#choosing-a-ttl)
";

    #[test]
    fn splits_at_level_two_headings_and_keeps_the_intro() {
        let body = parse_body(BODY, 10);
        let headings: Vec<_> = body.sections.iter().map(|s| s.heading.clone()).collect();
        assert_eq!(
            headings,
            [
                None,
                Some("Cache-aside read path".to_owned()),
                Some("Empty".to_owned()),
                Some("See also".to_owned())
            ]
        );
        assert_eq!(body.sections[0].line, 10);
        assert_eq!(body.sections[1].line, 12);
        assert_eq!(body.sections[2].text, "");
    }

    #[test]
    fn plain_text_keeps_code_and_link_text_but_drops_link_targets() {
        let body = parse_body(BODY, 1);
        assert_eq!(body.sections[0].text, "Intro with a link and code.");
        let read_path = &body.sections[1].text;
        assert!(read_path.contains("redis-cli SET user:42 '{}' EX 3600 NX"));
        assert!(read_path.contains("Read from Redis first:"));
        assert!(read_path.contains("user · 3600"));
        assert!(read_path.contains("A detail\nMore text."));
        assert!(!body.sections[3].text.contains("choosing-a-ttl"));
    }

    #[test]
    fn links_are_reported_with_their_lines() {
        let body = parse_body(BODY, 1);
        let links: Vec<_> = body
            .links
            .iter()
            .map(|l| (l.dest.as_str(), l.line))
            .collect();
        assert_eq!(
            links,
            [("redis-sessions", 1), ("redis-sessions#choosing-a-ttl", 21)]
        );
    }

    #[test]
    fn blocks_are_paragraphs_items_rows_and_code_with_its_language() {
        let body = parse_body(BODY, 1);
        let section = &body.sections[1];
        let blocks: Vec<_> = section
            .blocks
            .iter()
            .map(|b| (&section.text[b.range.clone()], b.kind.clone()))
            .collect();
        let code = BlockKind::Code {
            lang: Some("bash".to_owned()),
        };
        assert_eq!(
            blocks,
            [
                ("Read from Redis first:", BlockKind::Prose),
                ("redis-cli SET user:42 '{}' EX 3600 NX", code),
                ("key · ttl ·", BlockKind::Prose),
                ("user · 3600 ·", BlockKind::Prose),
                ("A detail", BlockKind::Prose),
                ("More text.", BlockKind::Prose),
            ]
        );
    }

    #[test]
    fn a_list_of_links_is_navigation_and_a_paragraph_with_a_link_is_not() {
        let body = parse_body(BODY, 1);
        assert!(body.sections[3].is_navigation(), "See also");
        assert!(!body.sections[0].is_navigation(), "intro with one link");
        assert!(!body.sections[1].is_navigation(), "no link at all");
        let see_also = &body.sections[3];
        let block = &see_also.blocks[0];
        assert_eq!(
            block.link_chars(&see_also.text, &block.range),
            "Sessions".len()
        );
    }

    #[test]
    fn level_one_headings_are_flagged() {
        let body = parse_body("# Title\n\ntext\n", 5);
        assert_eq!(body.stray_h1, [StrayHeading { line: 5 }]);
    }
}
