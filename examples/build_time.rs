//! Times one index build over `knowledge/` (a quick check; the benchmark is `cargo bench`).
fn main() -> anyhow::Result<()> {
    let k = stackbot::knowledge::load("knowledge".as_ref())?.knowledge;
    for _ in 0..5 {
        let start = std::time::Instant::now();
        let engine = stackbot::Engine::new(k.clone(), stackbot::knowledge::BaseUrl::default())?;
        println!(
            "build {:?} ({} sections)",
            start.elapsed(),
            engine.index().len()
        );
    }
    Ok(())
}
