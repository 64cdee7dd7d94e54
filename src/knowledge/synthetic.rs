//! A larger corpus made from the real one, deterministically, for benchmarks.
//!
//! Copy 0 is the real knowledge; every further copy is each guide again under a new slug, with its
//! sections' words shuffled within sentences and a fifth of them swapped for words drawn from the
//! whole corpus. The vocabulary and the length distribution stay those of real guides, which is
//! what the index and the queries care about. Nothing here reads files.

use super::{Guide, Knowledge, Section};

/// `factor` times the guides of `knowledge` (`factor = 100` gives the 100× corpus), the same for
/// the same `seed`.
pub fn expand(knowledge: &Knowledge, factor: usize, seed: u64) -> Knowledge {
    let vocabulary: Vec<&str> = knowledge
        .guides
        .iter()
        .flat_map(|g| g.sections.iter())
        .flat_map(|s| s.text.split_whitespace())
        .collect();
    let mut out = knowledge.clone();
    if vocabulary.is_empty() {
        return out;
    }
    let mut rng = fastrand::Rng::with_seed(seed);
    for copy in 1..factor {
        for guide in &knowledge.guides {
            let sections = guide
                .sections
                .iter()
                .map(|s| {
                    Section::plain(
                        s.heading.clone(),
                        s.anchor.clone(),
                        scramble(&s.text, &vocabulary, &mut rng),
                        s.line,
                    )
                })
                .collect();
            out.guides.push(Guide {
                slug: format!("{}-copy{copy}", guide.slug),
                sections,
                ..guide.clone()
            });
        }
    }
    out
}

fn scramble(text: &str, vocabulary: &[&str], rng: &mut fastrand::Rng) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for sentence in text.split_inclusive(['.', '\n']) {
        let mut words: Vec<&str> = sentence.split_whitespace().collect();
        rng.shuffle(&mut words);
        for word in words {
            let word = if rng.u8(0..5) == 0 {
                vocabulary[rng.usize(0..vocabulary.len())]
            } else {
                word
            };
            out.push_str(word);
            out.push(' ');
        }
    }
    out.truncate(out.trim_end().len());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny() -> Knowledge {
        let section = Section::plain(
            "Choosing a TTL".into(),
            Some("choosing-a-ttl".into()),
            "Sessions expire. Redis keeps them in memory for thirty minutes.".into(),
            3,
        );
        Knowledge {
            guides: vec![Guide {
                slug: "redis-sessions".into(),
                path: "redis-sessions.md".into(),
                title: "Sessions".into(),
                summary: "s".into(),
                tags: vec![],
                databases: vec![],
                reviewed: None,
                tested_with: vec![],
                sections: vec![section],
                examples: vec![],
            }],
            ..Knowledge::default()
        }
    }

    #[test]
    fn expansion_is_deterministic_and_multiplies_the_guides() {
        let a = expand(&tiny(), 5, 7);
        let b = expand(&tiny(), 5, 7);
        assert_eq!(a.guides.len(), 5);
        assert_eq!(
            a.guides[0].sections[0].text,
            tiny().guides[0].sections[0].text
        );
        assert_eq!(a.guides[3].slug, "redis-sessions-copy3");
        for (x, y) in a.guides.iter().zip(&b.guides) {
            assert_eq!(x.sections[0].text, y.sections[0].text);
        }
        let words = |g: &Guide| g.sections[0].text.split_whitespace().count();
        assert_eq!(words(&a.guides[4]), words(&a.guides[0]));
    }
}
