//! Rendering answers for a terminal. Pure: data in, text out.
//!
//! The JSON form is the serde form of [`crate::answer::Answer`]; the Discord form (embeds within
//! Discord's limits) is built by `bot/` (`Bot::answer_message`, `bot/reply.rs`). Nothing here
//! searches, reads files or prints.

pub mod review;

use std::fmt::Write as _;

use crate::answer::Answer;
use crate::knowledge::BaseUrl;
use crate::recommend::Recommendation;

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
        // A code excerpt spans lines: indent each one under the hit.
        for line in hit.excerpt.lines() {
            let _ = writeln!(out, "   {line}");
        }
    }
    out
}

/// The human-readable reply of `stackbot recommend`.
pub fn recommendation_text(rec: &Recommendation, base_url: &BaseUrl) -> String {
    let mut out = String::new();
    let use_cases: Vec<&str> = rec.use_cases.iter().map(|u| u.as_str()).collect();
    let _ = writeln!(
        out,
        "Stack for {} (scale: {}, hosting: {})",
        use_cases.join(", "),
        rec.scale,
        rec.hosting.map_or("not given", |h| h.as_str()),
    );
    for (i, component) in rec.stack.iter().enumerate() {
        out.push('\n');
        let _ = writeln!(out, "{}. {}: {}", i + 1, component.title(), component.role);
        for reason in &component.reasons {
            match &reason.feature {
                Some(feature) => {
                    let _ = writeln!(out, "   - {}: {feature}", reason.use_case);
                    let _ = writeln!(out, "     {}", reason.why);
                }
                None => {
                    let _ = writeln!(out, "   - {}: {}", reason.use_case, reason.why);
                }
            }
        }
        if !component.guides.is_empty() {
            let guides = component
                .guides
                .iter()
                .map(|g| format!("{}{g}", base_url.as_str()));
            let _ = writeln!(out, "   guides: {}", guides.collect::<Vec<_>>().join(" "));
        }
    }
    if !rec.sync.is_empty() {
        let _ = writeln!(out, "\nKeeping the stores in sync");
        for step in &rec.sync {
            let _ = writeln!(
                out,
                "- {} -> {}: {} ({}{})",
                rec.name_of(&step.from),
                rec.name_of(&step.to),
                step.pattern,
                base_url.as_str(),
                step.guide
            );
        }
    }
    if !rec.notes.is_empty() {
        let _ = writeln!(out, "\nNotes");
        for note in &rec.notes {
            let _ = writeln!(out, "- {note}");
        }
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
            excerpt: "Use a **TTL**:\n```redis\nEXPIRE k 60\n```".into(),
            coverage: 1.0,
            id: "redis-sessions#choosing-a-ttl".into(),
        };
        let answer = Answer {
            question: "ttl".into(),
            answered: true,
            hits: vec![hit],
            closest: None,
        };
        assert_eq!(
            answer_text(&answer, &BaseUrl::default()),
            "1. Sessions in Redis — Choosing a TTL\n   https://polyglotstack.dev/guides/redis-sessions#choosing-a-ttl\n   Use a **TTL**:\n   ```redis\n   EXPIRE k 60\n   ```\n"
        );
    }
}
