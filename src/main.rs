//! The `stackbot` binary: parse the command line, start logging, hand over to the library.

use std::io::IsTerminal as _;
use std::process::ExitCode;

use clap::Parser as _;
use tracing_subscriber::EnvFilter;

fn main() -> ExitCode {
    let cli = stackbot::cli::Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_env("RUST_LOG").unwrap_or_else(|_| EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    match stackbot::cli::run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {}", stackbot::cli::error_text(&e));
            ExitCode::FAILURE
        }
    }
}
