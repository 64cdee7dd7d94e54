//! `stackbot check` over a clean and a broken knowledge folder.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::helpers::copy_knowledge_from;

/// A copy of the fixture knowledge in a new temporary folder.
fn fixture_copy() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temporary folder");
    let knowledge = copy_knowledge_from(Path::new("tests/fixtures/knowledge"), dir.path());
    (dir, knowledge)
}

/// `check` of `dir` as `file:line: message` lines, failing the test if it takes over 30 s (a
/// check that blocks on a FIFO never returns).
fn check_lines(dir: &Path) -> Vec<String> {
    let (send, receive) = std::sync::mpsc::channel();
    let dir = dir.to_owned();
    std::thread::spawn(move || {
        let report = stackbot::check::check(&dir).expect("check runs");
        let _ = send.send(report.problems.iter().map(ToString::to_string).collect());
    });
    receive
        .recv_timeout(Duration::from_secs(30))
        .expect("check finishes within 30 s")
}

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
        "tests/fixtures/broken/guides/not-utf8.md:2: invalid UTF-8 at byte 13 (column 10): 0xFF",
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

#[test]
fn a_fifo_among_the_guides_is_refused_without_blocking() {
    let (_dir, knowledge) = fixture_copy();
    let fifo = knowledge.join("guides/pipe.md");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("run mkfifo");
    assert!(made.success());
    let lines = check_lines(&knowledge);
    assert_eq!(
        lines,
        [format!(
            "{}:1: not a regular file but a FIFO (named pipe), so it is not read",
            fifo.display()
        )]
    );
}

#[test]
fn a_link_to_a_device_is_refused_and_a_link_to_a_guide_is_read() {
    let (dir, knowledge) = fixture_copy();
    let zero = knowledge.join("guides/zero.md");
    std::os::unix::fs::symlink("/dev/zero", &zero).expect("symlink");
    // A guide kept outside the folder and linked in is a regular file behind the link: read.
    let outside = dir.path().join("outside.md");
    let sessions = knowledge.join("guides/redis-sessions.md");
    std::fs::rename(&sessions, &outside).expect("move the guide out");
    std::os::unix::fs::symlink(&outside, &sessions).expect("symlink");
    let lines = check_lines(&knowledge);
    assert_eq!(
        lines,
        [format!(
            "{}:1: not a regular file but a character device (through a symbolic link), so it \
             is not read",
            zero.display()
        )]
    );
}

#[test]
fn a_guide_over_one_mebibyte_is_refused_with_its_size() {
    let (_dir, knowledge) = fixture_copy();
    let huge = knowledge.join("guides/huge.md");
    let mut text = std::fs::read_to_string(knowledge.join("guides/redis-cache.md")).unwrap();
    let padding = "Padding words for a guide far longer than any real one.\n";
    text.push_str(&padding.repeat(2 * 1024 * 1024 / padding.len()));
    std::fs::write(&huge, &text).unwrap();
    let lines = check_lines(&knowledge);
    assert_eq!(
        lines,
        [format!(
            "{}:1: larger than 1 MiB ({} bytes), so it is not read (a knowledge file is a few \
             dozen KB)",
            huge.display(),
            text.len()
        )]
    );
    // The same cap holds for the TOML files.
    std::fs::remove_file(&huge).unwrap();
    let synonyms = knowledge.join("synonyms.toml");
    std::fs::write(&synonyms, "#".repeat(2 * 1024 * 1024)).unwrap();
    let lines = check_lines(&knowledge);
    assert!(
        lines[0].starts_with(&format!("{}:1: larger than 1 MiB", synonyms.display())),
        "{lines:#?}"
    );
}

#[test]
fn an_empty_guides_folder_is_a_problem_listed_first() {
    let (_dir, knowledge) = fixture_copy();
    for entry in std::fs::read_dir(knowledge.join("guides")).unwrap() {
        std::fs::remove_file(entry.unwrap().path()).unwrap();
    }
    let lines = check_lines(&knowledge);
    assert_eq!(
        lines.first().map(String::as_str),
        Some(
            format!(
                "{}/: no guides: the folder holds no `*.md` file",
                knowledge.join("guides").display()
            )
            .as_str()
        ),
        "{lines:#?}"
    );
}

#[test]
fn a_bad_byte_is_reported_at_its_line_byte_and_column() {
    let (_dir, knowledge) = fixture_copy();
    let path = knowledge.join("guides/redis-cache.md");
    let mut text = std::fs::read_to_string(&path).unwrap();
    for n in 0..20 {
        text.push_str("More text on line ");
        text.push_str(&n.to_string());
        text.push_str(" of the end.\n");
    }
    let lines_before = text.matches('\n').count();
    let offset = text.len() + "Café ".len();
    let mut bytes = text.into_bytes();
    bytes.extend_from_slice(b"Caf\xC3\xA9 \xFE and more\n");
    std::fs::write(&path, &bytes).unwrap();
    let lines = check_lines(&knowledge);
    let cause = format!(
        "{}:{}: invalid UTF-8 at byte {offset} (column 6): 0xFE; save the file as UTF-8",
        path.display(),
        lines_before + 1
    );
    assert_eq!(lines.first(), Some(&cause), "{lines:#?}");
}

#[test]
fn a_guide_left_out_is_listed_before_the_references_to_it() {
    let (_dir, knowledge) = fixture_copy();
    crate::helpers::drop_summary(&knowledge.join("guides/redis-sessions.md"));
    let lines: Vec<String> = check_lines(&knowledge)
        .into_iter()
        .map(|l| l.replace(&format!("{}/", knowledge.display()), ""))
        .collect();
    let left_out = "was left out for its own problems (listed first)";
    assert_eq!(
        lines,
        [
            "guides/redis-sessions.md:2: front matter has no `summary`".to_owned(),
            format!("catalog.toml:15: `redis` lists guide `redis-sessions`, which {left_out}"),
            format!(
                "guides/redis-cache.md:21: link `redis-sessions#choosing-a-ttl`: guide \
                 `redis-sessions` {left_out}"
            ),
            format!(
                "guides/sync-search.md:28: link `redis-sessions`: guide `redis-sessions` {left_out}"
            ),
            format!("stacks.toml:14: guide `redis-sessions` {left_out}"),
            format!("stacks.toml:55: guide `redis-sessions` {left_out}"),
        ]
    );
}
