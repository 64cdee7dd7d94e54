//! Markdown to plain text, split into sections at `##` headings.
//!
//! Owns the reduction of a guide body (`CommonMark`) to what the index and the excerpts see: text
//! and inline code kept, code blocks kept as text, link targets dropped (but remembered for the
//! link checker), HTML dropped. It never touches the file system and knows nothing of tantivy.

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};

/// One section of a guide body, before front matter and URLs are attached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawSection {
    /// The `##` heading as plain text; `None` for the text before the first heading.
    pub heading: Option<String>,
    /// 1-based line of the heading in the file (of the first body line for the intro).
    pub line: usize,
    /// The section's plain text: blocks separated by newlines.
    pub text: String,
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
    };
    // While inside a `##` heading, its text accumulates here instead of the section text.
    let mut heading: Option<(String, usize)> = None;

    for (event, range) in Parser::new_ext(body, options).into_offset_iter() {
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

/// Keeps a finished section unless it is an intro with no text (a guide may start at `##`).
fn push_section(sections: &mut Vec<RawSection>, mut section: RawSection) {
    let trimmed = section.text.trim();
    if trimmed.len() != section.text.len() {
        section.text = String::from(trimmed);
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
    fn level_one_headings_are_flagged() {
        let body = parse_body("# Title\n\ntext\n", 5);
        assert_eq!(body.stray_h1, [StrayHeading { line: 5 }]);
    }
}
