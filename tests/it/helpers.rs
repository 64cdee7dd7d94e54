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

fn engine(dir: &Path) -> Engine {
    let loaded = knowledge::load(dir).expect("knowledge folder");
    assert!(
        loaded.problems.is_empty(),
        "problems in {}: {:#?}",
        dir.display(),
        loaded.problems
    );
    Engine::new(loaded.knowledge, BaseUrl::default()).expect("index")
}
