//! `recommend` for every combination of use cases, scale and hosting.

use std::hint::black_box;
use std::time::Instant;

use stackbot::knowledge::Knowledge;
use stackbot::needs::{Hosting, Scale, UseCase};
use stackbot::recommend::{Request, recommend};

use crate::stats::Times;

fn flags(mask: u32) -> impl Iterator<Item = UseCase> {
    UseCase::ALL
        .iter()
        .enumerate()
        .filter(move |(i, _)| mask & (1 << i) != 0)
        .map(|(_, &u)| u)
}

/// Every one of the 2^16 - 1 flag sets at every scale and hosting, each the best of three runs
/// (one timing can land on a preempted time slice).
pub fn every_combination(knowledge: &Knowledge) -> Times {
    let hostings = [
        None,
        Some(Hosting::SelfHosted),
        Some(Hosting::Managed),
        Some(Hosting::Serverless),
    ];
    let mut times = Times::default();
    for mask in 1..(1u32 << UseCase::ALL.len()) {
        for &scale in Scale::ALL {
            for hosting in hostings {
                let request = Request::new(flags(mask), scale, hosting).expect("request");
                let best = (0..3)
                    .map(|_| {
                        let start = Instant::now();
                        black_box(recommend(knowledge, &request).expect("rules"));
                        start.elapsed()
                    })
                    .min()
                    .unwrap_or_default();
                times.push(best);
            }
        }
    }
    times
}
