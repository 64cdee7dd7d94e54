//! Benchmark of `recommend` (criterion): one flag, a typical shop, and every flag at once (the
//! most work any request can ask for), at each scale. Every combination of flags, scale and
//! hosting is timed by the report (`cargo bench --bench report`). `cargo bench --bench recommend`.

use std::hint::black_box;

use criterion::{Criterion, criterion_group};
use stackbot::knowledge::{self, Knowledge};
use stackbot::needs::{Hosting, Scale, UseCase};
use stackbot::recommend::{Request, recommend};

fn real_knowledge() -> Knowledge {
    knowledge::load("knowledge".as_ref())
        .expect("knowledge")
        .knowledge
}

fn bench(c: &mut Criterion) {
    let knowledge = real_knowledge();
    let shop = [
        UseCase::Transactions,
        UseCase::Sessions,
        UseCase::Caching,
        UseCase::FullTextSearch,
        UseCase::JobQueue,
    ];
    let mut group = c.benchmark_group("recommend");
    for &scale in Scale::ALL {
        let cases = [
            ("one_flag", vec![UseCase::Caching]),
            ("shop", shop.to_vec()),
            ("all_flags", UseCase::ALL.to_vec()),
        ];
        for (name, use_cases) in cases {
            let request =
                Request::new(use_cases, scale, Some(Hosting::Serverless)).expect("request");
            group.bench_function(format!("{name}/{scale}"), |b| {
                b.iter(|| recommend(black_box(&knowledge), black_box(&request)).expect("rules"));
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
}
