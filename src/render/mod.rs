//! Rendering answers for a terminal. Pure: data in, text out.
//!
//! The JSON form is the serde form of [`crate::answer::Answer`]; the Discord form will live with
//! the Discord front end. Nothing here searches, reads files or prints.

use std::fmt::Write as _;

use crate::answer::Answer;
use crate::knowledge::BaseUrl;

/// The human-readable reply of `stackbot ask`.
pub fn answer_text(answer: &Answer, base_url: &BaseUrl) -> String {
    let mut out = String::new();
    if !answer.answered {
        let _ = writeln!(out, "No guide covers this yet.");
        let _ = writeln!(
            out,
            "The guides that exist are listed at {}; `stackbot check` lists what the knowledge folder holds.",
            base_url.as_str()
        );
        return out;
    }
    for (i, hit) in answer.hits.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let heading = if hit.section == hit.title {
            hit.title.clone()
        } else {
            format!("{} — {}", hit.title, hit.section)
        };
        let _ = writeln!(out, "{}. {heading}", i + 1);
        let _ = writeln!(out, "   {}", hit.url);
        let _ = writeln!(out, "   {}", hit.excerpt);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::answer::Hit;

    #[test]
    fn an_unanswered_question_is_said_plainly() {
        let answer = Answer {
            question: "sourdough".into(),
            answered: false,
            hits: vec![],
            closest: None,
        };
        let text = answer_text(&answer, &BaseUrl::default());
        assert!(text.starts_with("No guide covers this yet."));
    }

    #[test]
    fn hits_show_title_section_link_and_excerpt() {
        let hit = Hit {
            guide: "redis-sessions".into(),
            title: "Sessions in Redis".into(),
            section: "Choosing a TTL".into(),
            url: "https://polyglotstack.dev/guides/redis-sessions#choosing-a-ttl".into(),
            score: 1.0,
            excerpt: "Use a **TTL**.".into(),
            coverage: 1.0,
        };
        let answer = Answer {
            question: "ttl".into(),
            answered: true,
            hits: vec![hit],
            closest: None,
        };
        assert_eq!(
            answer_text(&answer, &BaseUrl::default()),
            "1. Sessions in Redis — Choosing a TTL\n   https://polyglotstack.dev/guides/redis-sessions#choosing-a-ttl\n   Use a **TTL**.\n"
        );
    }
}
