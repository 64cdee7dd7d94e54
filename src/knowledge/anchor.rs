//! Section anchors, computed the way static-site generators compute heading ids.
//!
//! Owns one rule and nothing else, so the loader, the link checker and the URLs the bot prints
//! cannot disagree about where a section lives.

/// The anchor of a heading: lower case, each whitespace character turned into `-`, every character
/// that is not a letter, digit, `-` or `_` dropped.
///
/// This is the GitHub and Hugo (goldmark) convention: `"HNSW vs. IVFFlat"` → `"hnsw-vs-ivfflat"`,
/// `"Cache-aside: the read path"` → `"cache-aside-the-read-path"`. Letters outside ASCII are kept,
/// lower-cased.
pub fn anchor(heading: &str) -> String {
    let mut out = String::with_capacity(heading.len());
    for c in heading.trim().chars() {
        if c.is_alphanumeric() || c == '-' || c == '_' {
            out.extend(c.to_lowercase());
        } else if c.is_whitespace() {
            out.push('-');
        }
    }
    out
}

/// Whether `s` is a valid guide slug: non-empty lower-case ASCII letters, digits and inner `-`.
pub fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with('-')
        && !s.ends_with('-')
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchors_follow_the_static_site_convention() {
        let cases = [
            ("Choosing a TTL", "choosing-a-ttl"),
            ("HNSW vs. IVFFlat", "hnsw-vs-ivfflat"),
            ("Cache-aside: the read path", "cache-aside-the-read-path"),
            ("Redis `SET ... NX`", "redis-set--nx"),
            ("What `pg_trgm` adds", "what-pg_trgm-adds"),
            ("  Trailing spaces  ", "trailing-spaces"),
            ("Écrire à Postgres", "écrire-à-postgres"),
            ("C++ & Rust", "c--rust"),
            ("!!!", ""),
        ];
        for (heading, expected) in cases {
            assert_eq!(anchor(heading), expected, "heading {heading:?}");
        }
    }

    #[test]
    fn slugs_are_lower_case_words_joined_by_hyphens() {
        assert!(is_slug("redis-cache-aside"));
        assert!(is_slug("sqlite3"));
        assert!(!is_slug("Redis"));
        assert!(!is_slug("-redis"));
        assert!(!is_slug("redis cache"));
        assert!(!is_slug(""));
    }
}
