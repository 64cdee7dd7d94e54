//! Shared set-up: engines over the real knowledge and over the fixture corpus.

use std::path::Path;

use stackbot::Engine;
use stackbot::knowledge::{self, BaseUrl};

/// An engine over `knowledge/` (the real guides); panics if the folder has problems.
pub fn real_engine() -> Engine {
    engine(Path::new("knowledge"))
}

/// An engine over `tests/fixtures/knowledge`.
pub fn fixture_engine() -> Engine {
    engine(Path::new("tests/fixtures/knowledge"))
}

/// The real knowledge, loaded; panics if the folder has problems.
pub fn real_knowledge() -> knowledge::Knowledge {
    clean(Path::new("knowledge"))
}

fn engine(dir: &Path) -> Engine {
    Engine::new(clean(dir), BaseUrl::default()).expect("index")
}

fn clean(dir: &Path) -> knowledge::Knowledge {
    let loaded = knowledge::load(dir).expect("knowledge folder");
    assert!(
        loaded.problems.is_empty(),
        "problems in {}: {:#?}",
        dir.display(),
        loaded.problems
    );
    loaded.knowledge
}
