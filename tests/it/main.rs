//! Integration tests, one binary: `cargo test --test it`.

mod eval;
mod helpers;
