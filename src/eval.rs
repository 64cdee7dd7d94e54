//! The labelled evaluation set in `tests/eval/`: questions with the guides that answer them, and
//! off-topic questions that no guide answers.
//!
//! Read by the retrieval test, the benchmarks and the calibration tool, so they all measure the
//! same questions. It only parses; scoring lives with whoever scores.

use std::path::Path;

use serde::Deserialize;

/// A question with the slugs of the guides that answer it, best first.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Labelled {
    /// The question, as a member would type it.
    pub q: String,
    /// Acceptable guide slugs; empty for an off-topic question.
    #[serde(default)]
    pub expect: Vec<String>,
    /// How it is phrased: keyword, sentence, misspelt, abbreviation, no-database, beginner.
    #[serde(default)]
    pub style: String,
}

/// Both files of the evaluation set.
#[derive(Debug, Clone, Default)]
pub struct EvalSet {
    /// `questions.toml`: questions that some guide answers.
    pub labelled: Vec<Labelled>,
    /// `off_topic.toml`: questions about other subjects.
    pub off_topic: Vec<Labelled>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    question: Vec<Labelled>,
    #[serde(default)]
    off_topic: Vec<Labelled>,
}

/// Why the evaluation set could not be read.
#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    /// A file is missing or unreadable.
    #[error("cannot read {path}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A file is not valid TOML of the expected shape.
    #[error("invalid {path}")]
    Parse {
        /// The file.
        path: String,
        /// Why.
        #[source]
        source: toml::de::Error,
    },
}

impl EvalSet {
    /// Reads `questions.toml` and `off_topic.toml` from `dir` (normally `tests/eval`).
    pub fn load(dir: &Path) -> Result<Self, EvalError> {
        let read = |name: &str| -> Result<File, EvalError> {
            let path = dir.join(name);
            let shown = path.display().to_string();
            let text = std::fs::read_to_string(&path).map_err(|source| EvalError::Read {
                path: shown.clone(),
                source,
            })?;
            toml::from_str(&text).map_err(|source| EvalError::Parse {
                path: shown,
                source,
            })
        };
        Ok(Self {
            labelled: read("questions.toml")?.question,
            off_topic: read("off_topic.toml")?.off_topic,
        })
    }
}
