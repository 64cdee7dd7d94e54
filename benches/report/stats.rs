//! Percentiles and medians.

use std::time::Duration;

/// Durations of one measurement.
#[derive(Default, Clone)]
pub struct Times(Vec<Duration>);

impl Times {
    pub fn push(&mut self, d: Duration) {
        self.0.push(d);
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// The `per_mille`/1000 quantile (nearest rank below).
    pub fn quantile(&self, per_mille: usize) -> Duration {
        let mut sorted = self.0.clone();
        sorted.sort_unstable();
        sorted[(sorted.len() - 1) * per_mille / 1000]
    }

    pub fn p50(&self) -> Duration {
        self.quantile(500)
    }

    pub fn p99(&self) -> Duration {
        self.quantile(990)
    }
}

/// `a / b` as a ratio.
pub fn ratio(a: Duration, b: Duration) -> f64 {
    a.as_secs_f64() / b.as_secs_f64()
}

/// A duration for a table: `0.62 ms`, `85 ms`, `4.5 s`.
pub fn show(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms < 10.0 {
        format!("{ms:.2} ms")
    } else if ms < 1000.0 {
        format!("{ms:.0} ms")
    } else {
        format!("{:.1} s", d.as_secs_f64())
    }
}

/// The median of `runs` timings of `f`.
pub fn median_of(runs: usize, mut f: impl FnMut() -> Duration) -> Duration {
    let mut times: Vec<Duration> = (0..runs).map(|_| f()).collect();
    times.sort_unstable();
    times[times.len() / 2]
}
