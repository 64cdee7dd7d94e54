//! Stackbot: the answer bot of a community that teaches polyglot persistence.
//!
//! - [`knowledge`] loads the guides, the catalog, the synonyms and the rules (the only file-system reader).
//! - [`search`] indexes sections in tantivy and scores them (the only tantivy user).
//! - [`answer`] is the service every front end calls: question in, hits out. It fuses the BM25
//!   ranking with [`semantic`] similarity from [`embed`]'s static vectors, after [`clean`] has
//!   removed Discord markup and filler from the question.
//! - [`recommend`] turns use cases ([`needs`]) into a database stack from the rules, purely.
//! - [`excerpt`] and [`render`] turn results into text, purely.
//! - [`log`] keeps every question in SQLite and answers the maintainers' review commands (the
//!   only SQL user).
//! - [`bot`] is what the Discord bot does, as plain data in and out; [`discord`] runs it on
//!   serenity (the only serenity user).
//! - [`check`] validates a knowledge folder, and [`runnable`] runs the guides' marked examples
//!   against real servers; [`cli`] is the command line.
//! - [`eval`] reads the labelled questions that retrieval quality is measured on.
//!
//! See ARCHITECTURE.md for the map and the invariants.

pub mod answer;
pub mod bot;
pub mod check;
pub mod clean;
pub mod cli;
pub mod discord;
pub mod embed;
pub mod eval;
pub mod excerpt;
pub mod knowledge;
pub mod log;
pub mod needs;
pub mod ops;
pub mod recommend;
pub mod render;
pub mod runnable;
pub mod search;
pub mod semantic;

pub use answer::{Answer, Engine, HitLimit, Question, Retrieval};
