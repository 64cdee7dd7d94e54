//! Integration tests, one binary: `cargo test --test it`.

// Ratios of small counts in the evaluation and benchmarks.
#![allow(clippy::cast_precision_loss)]

mod ask;
mod check;
mod cli;
mod eval;
mod helpers;
mod log;
mod props;
mod recommend;
