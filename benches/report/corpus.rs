//! The 100× synthetic corpus as a knowledge folder on disk, for the processes that read one.

use std::fmt::Write as _;
use std::path::Path;

use stackbot::knowledge::{Guide, Knowledge};

/// A TOML basic string: JSON's escapes are TOML's.
fn toml_string(s: &str) -> String {
    serde_json::to_string(s).expect("a string encodes")
}

fn toml_strings(items: impl IntoIterator<Item = impl AsRef<str>>) -> String {
    let items: Vec<String> = items.into_iter().map(|s| toml_string(s.as_ref())).collect();
    format!("[{}]", items.join(", "))
}

/// One guide as a file: front matter, the intro, then each section under its `##` heading.
fn guide_file(guide: &Guide) -> String {
    let mut out = String::from("+++\n");
    let _ = writeln!(out, "title = {}", toml_string(&guide.title));
    let _ = writeln!(out, "summary = {}", toml_string(&guide.summary));
    let _ = writeln!(out, "tags = {}", toml_strings(&guide.tags));
    let _ = writeln!(
        out,
        "databases = {}",
        toml_strings(guide.databases.iter().map(|(id, _)| id))
    );
    if let Some(reviewed) = guide.reviewed {
        let _ = writeln!(out, "reviewed = {reviewed}");
    }
    let _ = writeln!(
        out,
        "tested_with = {}",
        toml_strings(guide.tested_with.iter().map(|(t, _)| t))
    );
    out.push_str("+++\n\n");
    for section in &guide.sections {
        if section.anchor.is_some() {
            let _ = write!(out, "## {}\n\n", section.heading);
        }
        // One paragraph per line of the plain text; a leading `#` would start a heading.
        for line in section.text.lines().filter(|l| !l.trim().is_empty()) {
            let _ = write!(out, "{}\n\n", line.trim_start_matches('#').trim());
        }
    }
    out
}

/// Writes `expanded` (the real knowledge with its synthetic copies) as a knowledge folder at
/// `dest`: the real folder's catalog, synonyms and rules, the real guides as they are, and every
/// copy written out from its sections.
pub fn write_folder(real: &Path, expanded: &Knowledge, dest: &Path) {
    std::fs::create_dir_all(dest.join("guides")).expect("create the corpus folder");
    for entry in std::fs::read_dir(real).expect("read the knowledge folder") {
        let entry = entry.expect("entry");
        if entry.file_type().expect("type").is_file() {
            std::fs::copy(entry.path(), dest.join(entry.file_name())).expect("copy");
        }
    }
    for entry in std::fs::read_dir(real.join("guides")).expect("read the guides") {
        let entry = entry.expect("entry");
        std::fs::copy(entry.path(), dest.join("guides").join(entry.file_name())).expect("copy");
    }
    for guide in expanded.guides.iter().filter(|g| g.slug.contains("-copy")) {
        let path = dest.join("guides").join(format!("{}.md", guide.slug));
        std::fs::write(path, guide_file(guide)).expect("write a guide");
    }
}
