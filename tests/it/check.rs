//! `stackbot check` over a clean and a broken knowledge folder.

use std::path::Path;

#[test]
fn the_fixture_and_the_real_knowledge_are_clean() {
    for dir in ["tests/fixtures/knowledge", "knowledge"] {
        let report = stackbot::check::check(Path::new(dir)).expect("check runs");
        assert!(report.problems.is_empty(), "{dir}: {:#?}", report.problems);
    }
}

#[test]
fn every_problem_of_a_broken_folder_is_reported_with_its_line() {
    let report = stackbot::check::check(Path::new("tests/fixtures/broken")).expect("check runs");
    let lines: Vec<String> = report
        .problems
        .iter()
        .map(|p| p.to_string().replace('\\', "/"))
        .collect();
    let expected = [
        "tests/fixtures/broken/guides/Bad_Name.md:1: file name \"Bad_Name\" is not a slug",
        "tests/fixtures/broken/guides/bad-front-matter.md:2: `summary` is empty",
        "tests/fixtures/broken/guides/bad-front-matter.md:2: front matter has no `title`",
        "tests/fixtures/broken/guides/bad-front-matter.md:3: unknown front matter field `author`",
        "tests/fixtures/broken/guides/bad-front-matter.md:4: `reviewed` must be a date",
        "tests/fixtures/broken/guides/bad-front-matter.md:7: level-one heading",
        "tests/fixtures/broken/guides/dup.md:1: duplicate slug `dup`",
        "tests/fixtures/broken/guides/good-guide.md:4: database `mysql` is not in catalog.toml",
        "tests/fixtures/broken/guides/good-guide.md:6: tested_with `PostgreSQL 15`: the current PostgreSQL releases in catalog.toml are 17, 18",
        "tests/fixtures/broken/guides/good-guide.md:11: link `no-such-guide`: no guide",
        "tests/fixtures/broken/guides/good-guide.md:11: link `good-guide#nowhere`: guide `good-guide` has no section #nowhere",
        "tests/fixtures/broken/guides/good-guide.md:12: link `../good-guide/`: internal links are written",
        "tests/fixtures/broken/guides/good-guide.md:14: duplicate anchor #first-section (first used on line 9)",
        "tests/fixtures/broken/guides/good-guide.md:18: empty section \"Empty\"",
        "tests/fixtures/broken/guides/no-front.md:1: missing front matter",
        "tests/fixtures/broken/guides/not-utf8.md:1: cannot read",
        "tests/fixtures/broken/synonyms.toml:2: no guide uses any of [\"sourdough\", \"levain\"]",
        "tests/fixtures/broken/synonyms.toml:5: a synonym group needs at least two terms",
        "tests/fixtures/broken/synonyms.toml:8: \"the\" has only stop words",
        "tests/fixtures/broken/synonyms.toml:8: \"signed in\" is only \"sign\" once stop words are dropped",
    ];
    for want in expected {
        assert!(
            lines.iter().any(|l| l.starts_with(want)),
            "missing {want:?} in {lines:#?}"
        );
    }
    // A patch release of a current version, and software the catalog does not know, pass.
    for fine in ["`PostgreSQL 17.6`", "`redis-py 8.1`"] {
        assert!(
            !lines.iter().any(|l| l.contains(fine)),
            "{fine}: {lines:#?}"
        );
    }
}

#[test]
fn every_problem_of_broken_rules_is_reported_with_its_line() {
    let report = stackbot::check::check(Path::new("tests/fixtures/broken")).expect("check runs");
    let lines: Vec<String> = report
        .problems
        .iter()
        .map(|p| p.to_string().replace('\\', "/"))
        .filter(|l| l.starts_with("tests/fixtures/broken/stacks.toml"))
        .collect();
    let at = |n: usize, text: &str| format!("tests/fixtures/broken/stacks.toml:{n}: {text}");
    let expected = [
        at(
            1,
            "`transactions` needs a rule without `hosting` at scale prototype, growing, large",
        ),
        at(5, "role for `mysql`, which is not in catalog.toml"),
        at(8, "`redis` has no entry in [roles]"),
        at(
            15,
            "`sessions` at scale `large` already has a rule (line 8)",
        ),
        at(
            22,
            "unknown use case `search`; valid: transactions, sessions,",
        ),
        at(30, "unknown scale `huge`; valid: prototype, growing, large"),
        at(
            31,
            "unknown hosting `cloud`; valid: self_hosted, managed, serverless",
        ),
        at(41, "guide `no-such-guide` does not exist"),
        at(43, "no [[pattern]] has id `no-such-pattern`"),
        at(46, "a rule needs at least one guide"),
        at(
            46,
            "`fuzzy_search` (meilisearch) and `full_text_search` (elasticsearch) are both a search engine at prototype, growing, large: pick one",
        ),
        at(51, "`fed_by` needs a `sync` pattern"),
        at(54, "database `neo4j` is not in catalog.toml"),
        at(59, "extension `pgvector` is not in catalog.toml"),
        at(62, "no rule uses pattern `unused`"),
    ];
    for want in &expected {
        assert!(
            lines.iter().any(|l| l.starts_with(want.as_str())),
            "missing {want:?} in {lines:#?}"
        );
    }
    // Twelve use cases without rules (one listed above), the others above, and two more stores
    // without a role (elasticsearch, meilisearch): nothing else.
    assert_eq!(lines.len(), 12 + (expected.len() - 1) + 2, "{lines:#?}");
}

/// The knowledge-base rules for every guide: 700 to 1,600 words (900 for the guides written
/// since), complete front matter, at least four sections, one on pitfalls or limits, and a last
/// section linking two to five guides. Every guide's breaches are listed together.
#[test]
fn every_real_guide_has_the_shape_of_a_guide() {
    let knowledge = crate::helpers::real_knowledge();
    assert_eq!(knowledge.guides.len(), 41);
    let limits = [
        "pitfall", "when not", "wrong", "overkill", "stops", "mistake",
    ];
    let mut breaches = Vec::new();
    for guide in &knowledge.guides {
        let slug = &guide.slug;
        let mut breach = |what: String| breaches.push(format!("{slug}: {what}"));
        let words: usize = guide
            .sections
            .iter()
            .map(|s| s.heading.split_whitespace().count() + s.text.split_whitespace().count())
            .sum();
        if !(700..=1600).contains(&words) {
            breach(format!("{words} words"));
        }
        if guide.tags.is_empty() || guide.databases.is_empty() {
            breach("no tags or databases".to_owned());
        }
        if guide.reviewed.is_none() || guide.tested_with.is_empty() {
            breach("no reviewed or tested_with".to_owned());
        }
        let headings: Vec<String> = guide
            .sections
            .iter()
            .filter(|s| s.anchor.is_some())
            .map(|s| s.heading.to_lowercase())
            .collect();
        if headings.len() < 4 {
            breach(format!("{} sections", headings.len()));
        }
        if !headings
            .iter()
            .any(|h| limits.iter().any(|l| h.contains(l)))
        {
            breach(format!("no section on pitfalls or limits in {headings:?}"));
        }
        if headings.last().map(String::as_str) != Some("related guides") {
            breach("the last section is not \"Related guides\"".to_owned());
        }
        let text = std::fs::read_to_string(&guide.path).expect("read");
        let related = text.split("## Related guides").nth(1).unwrap_or_default();
        let links = related.lines().filter(|l| l.starts_with("- [")).count();
        if !(2..=5).contains(&links) {
            breach(format!("{links} related guides"));
        }
    }
    assert!(breaches.is_empty(), "{breaches:#?}");
}
