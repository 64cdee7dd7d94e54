//! Integration tests, one binary: `cargo test --test it`.

mod ask;
mod check;
mod cli;
mod eval;
mod helpers;
mod props;
