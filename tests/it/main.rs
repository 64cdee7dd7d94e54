//! Integration tests, one binary: `cargo test --test it`.

// Ratios of small counts in the evaluation and benchmarks.
#![allow(clippy::cast_precision_loss)]

mod ask;
mod check;
mod cli;
mod discord;
mod eval;
mod fake_discord;
mod helpers;
mod log;
mod ops;
mod props;
mod recommend;
