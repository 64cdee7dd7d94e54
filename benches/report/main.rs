//! `docs/BENCHMARKS.md`, measured and written in one run: `cargo bench --bench report`.
//!
//! Every figure in that file comes from this program, on the machine it runs on, with each
//! measurement next to a baseline from the same run (SQLite FTS5, `Engine::ask` alone, one
//! transaction per row) so that the ratios can be compared across machines. It takes about ten
//! minutes on two cores; `STACKBOT_BENCH_LOAD=5000` sends fewer questions to the running bot for
//! a quicker run (the file then says how many were sent).

#![allow(clippy::cast_precision_loss)]

mod combos;
mod corpus;
#[allow(dead_code)]
#[path = "../../tests/it/fake_discord.rs"]
mod fake_discord;
mod latency;
mod process;
mod retrieval;
mod soak;
mod stats;
mod throughput;

use std::fmt::Write as _;
use std::path::Path;
use std::time::Instant;

use stackbot::eval::{EvalSet, Labelled};
use stackbot::knowledge::{self, Knowledge, synthetic};

use retrieval::{Comparison, Fts5, Quality};
use stats::{Times, ratio, show};

const OUT: &str = "docs/BENCHMARKS.md";
/// The synthetic corpus is this many times the real guides.
const FACTOR: usize = 100;
const SEED: u64 = 42;
/// Questions sent to the running bot before its memory is read again.
const LOAD: usize = 100_000;

fn load(dir: &Path) -> Knowledge {
    let loaded = knowledge::load(dir).expect("knowledge folder");
    loaded.knowledge
}

fn cases(dir: &str) -> (Vec<Labelled>, usize, usize) {
    let set = EvalSet::load(dir.as_ref()).expect("evaluation set");
    let (labelled, off_topic) = (set.labelled.len(), set.off_topic.len());
    (
        set.labelled.into_iter().chain(set.off_topic).collect(),
        labelled,
        off_topic,
    )
}

fn progress(step: &str) {
    eprintln!("report: {step}");
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo test --benches` asks for a listing; there is nothing to list.
    }
    let load_questions = std::env::var("STACKBOT_BENCH_LOAD")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(LOAD);
    let started = Instant::now();
    let real_dir = Path::new("knowledge");
    let real = load(real_dir);
    let corpus_dir = tempfile::tempdir().expect("temp dir");
    progress("writing the 100× corpus");
    corpus::write_folder(
        real_dir,
        &synthetic::expand(&real, FACTOR, SEED),
        corpus_dir.path(),
    );
    let large = load(corpus_dir.path());

    let (eval, labelled, off_topic) = cases("tests/eval");
    let (holdout, holdout_labelled, holdout_off_topic) = cases("tests/eval/holdout");
    let (discord, discord_labelled, discord_off_topic) = cases("tests/eval/discord");
    // The sealed set: run here only, for the report, never while tuning.
    let (sealed, sealed_labelled, sealed_off_topic) = cases("tests/eval/sealed");
    let questions: Vec<String> = eval.iter().map(|c| c.q.clone()).collect();
    let answerable: Vec<String> = eval
        .iter()
        .filter(|c| !c.expect.is_empty())
        .map(|c| c.q.clone())
        .collect();

    progress("index build, ask and interaction on the real guides");
    let (real_engine, real_latency) = latency::measure(&real, &questions, 7, 5);
    progress("index build, ask and interaction on the 100× corpus");
    let (large_engine, large_latency) = latency::measure(&large, &questions, 3, 2);

    progress("SQLite FTS5 side by side");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let (fts_build, [eval_cmp, holdout_cmp, discord_cmp, sealed_cmp], large_cmp, large_fts_build) =
        rt.block_on(compare_all(
            (&real, &real_engine),
            (&large, &large_engine),
            [&eval, &holdout, &discord, &sealed],
        ));
    drop(large_engine);

    progress("question-log throughput");
    let (group, single) = throughput::measure();
    progress("the question log under random locks: ten processes");
    let soak = rt.block_on(soak::soak());
    progress("replay as the log grows");
    let replay = rt.block_on(soak::replay_scaling(&real_engine));
    progress("recommend over every combination");
    let combos = combos::every_combination(&real);

    progress("the bot process on the real guides");
    let real_process = rt.block_on(process::measure(real_dir, 5, &answerable, load_questions));
    progress("the bot process on the 100× corpus");
    let large_process = rt.block_on(process::measure(
        corpus_dir.path(),
        3,
        &answerable,
        load_questions,
    ));

    let report = Report {
        labelled,
        off_topic,
        holdout_labelled,
        holdout_off_topic,
        discord_labelled,
        discord_off_topic,
        sealed_labelled,
        sealed_off_topic,
        real: &real_latency,
        large: &large_latency,
        fts_build,
        large_fts_build,
        eval: &eval_cmp,
        holdout: &holdout_cmp,
        discord: &discord_cmp,
        sealed: &sealed_cmp,
        large_cmp: &large_cmp,
        group,
        single,
        soak: &soak,
        replay: &replay,
        combos: &combos,
        real_process: &real_process,
        large_process: &large_process,
        took: started.elapsed(),
    };
    let text = report.markdown();
    std::fs::write(OUT, &text).expect("write docs/BENCHMARKS.md");
    print!("{text}");
    progress(&format!("wrote {OUT}"));
}

/// FTS5 and the lexical-only engine beside `real_engine` on every set, and on the 100× corpus
/// with the evaluation set: (FTS5 build time, one comparison per set, the large corpus's
/// comparison, FTS5's build time on it).
async fn compare_all(
    (real, real_engine): (&Knowledge, &stackbot::Engine),
    (large, large_engine): (&Knowledge, &stackbot::Engine),
    sets: [&[Labelled]; 4],
) -> (
    std::time::Duration,
    [Comparison; 4],
    Comparison,
    std::time::Duration,
) {
    let lexical = |k: &Knowledge| {
        stackbot::Engine::build(
            k.clone(),
            knowledge::BaseUrl::default(),
            stackbot::Retrieval::Lexical,
        )
        .expect("lexical engine")
    };
    let real_lexical = lexical(real);
    let begun = Instant::now();
    let mut fts = Fts5::build(real).await;
    let fts_build = begun.elapsed();
    let mut cmps = Vec::new();
    for set in sets {
        cmps.push(retrieval::compare(real_engine, &real_lexical, &mut fts, set).await);
    }
    let large_lexical = lexical(large);
    let begun = Instant::now();
    let mut large_fts = Fts5::build(large).await;
    let large_fts_build = begun.elapsed();
    let eval = sets[0];
    let large_cmp = retrieval::compare(large_engine, &large_lexical, &mut large_fts, eval).await;
    let Ok(cmps) = <[Comparison; 4]>::try_from(cmps) else {
        unreachable!("one comparison per set");
    };
    (fts_build, cmps, large_cmp, large_fts_build)
}

struct Report<'a> {
    labelled: usize,
    off_topic: usize,
    holdout_labelled: usize,
    holdout_off_topic: usize,
    discord_labelled: usize,
    discord_off_topic: usize,
    sealed_labelled: usize,
    sealed_off_topic: usize,
    real: &'a latency::Latency,
    large: &'a latency::Latency,
    fts_build: std::time::Duration,
    large_fts_build: std::time::Duration,
    eval: &'a Comparison,
    holdout: &'a Comparison,
    discord: &'a Comparison,
    sealed: &'a Comparison,
    large_cmp: &'a Comparison,
    soak: &'a soak::Soak,
    replay: &'a soak::ReplayScaling,
    group: f64,
    single: f64,
    combos: &'a Times,
    real_process: &'a process::Figures,
    large_process: &'a process::Figures,
    took: std::time::Duration,
}

/// `met` or `NOT met`.
fn verdict(ok: bool) -> &'static str {
    if ok { "met" } else { "**not met**" }
}

fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

/// One set's table: the engine in both modes, its ranking alone, and FTS5.
fn table(out: &mut String, title: &str, cmp: &Comparison) {
    let _ = write!(
        out,
        "{title}\n\n\
         | | answered | section top-1 | section top-3 | guide recall@1 | guide recall@3 | \
         MRR | off-topic answered | navigation shown | p50 / p99 |\n\
         |---|---|---|---|---|---|---|---|---|---|\n"
    );
    out.push_str(&quality_row("Stackbot, hybrid (default)", &cmp.ours));
    out.push_str(&quality_row("Stackbot, lexical only", &cmp.lexical));
    out.push_str(&quality_row(
        "Stackbot's ranking alone, no answered rule",
        &cmp.ranking,
    ));
    out.push_str(&quality_row("FTS5, default bm25", &cmp.fts_default));
    out.push_str(&quality_row(
        "FTS5, bm25 with the engine's weights",
        &cmp.fts_engine,
    ));
    out.push('\n');
}

fn quality_row(name: &str, q: &Quality) -> String {
    format!(
        "| {name} | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} | {} of {} | {} | {} / {} |\n",
        q.share(q.answered),
        q.share(q.section1),
        q.share(q.section3),
        q.recall1(),
        q.recall3(),
        q.mrr(),
        q.off_topic_answered,
        q.off_topic,
        q.navigation,
        show(q.times.p50()),
        show(q.times.p99()),
    )
}

impl Report<'_> {
    fn markdown(&self) -> String {
        let mut out = String::new();
        self.header(&mut out);
        self.retrieval(&mut out);
        self.answering(&mut out);
        self.bot(&mut out);
        self.log_and_recommend(&mut out);
        self.targets(&mut out);
        out
    }

    fn header(&self, out: &mut String) {
        let cpu = std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|c| {
                c.lines()
                    .find_map(|l| l.strip_prefix("model name"))
                    .map(|v| v.trim_start_matches([' ', '\t', ':']).to_owned())
            })
            .unwrap_or_else(|| "unknown CPU".to_owned());
        let cores = std::thread::available_parallelism().map_or(0, std::num::NonZero::get);
        let commit = std::process::Command::new("git")
            .args(["describe", "--always", "--dirty"])
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map_or_else(
                || "unknown".to_owned(),
                |o| String::from_utf8_lossy(&o.stdout).trim().to_owned(),
            );
        let date = humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string();
        let _ = write!(
            out,
            "# Benchmarks\n\n\
             Written by `cargo bench --bench report`, which measured every figure below in one run \
             and wrote this file; run it again to check them on your machine. This run: {date}, \
             commit `{commit}`, {cpu}, {cores} cores, {:.0} s.\n\n\
             Absolute times on a shared machine are noisy, so each measurement sits next to a \
             baseline from the same run: SQLite FTS5 over the same sections, `Engine::ask` alone, \
             one transaction per row. Compare the ratios across machines, not the milliseconds.\n\n\
             The real guides are {} guides in {} sections. The 100× corpus is the real guides plus \
             {} synthetic copies of each (`knowledge::synthetic`: words shuffled within sentences, a \
             fifth swapped for words drawn from the whole corpus), written to a folder so that the \
             bot loads it as it loads real guides: {} guides in {} sections.\n\n",
            self.took.as_secs_f64(),
            self.real.guides,
            self.real.sections,
            FACTOR - 1,
            thousands(count(self.large.guides)),
            thousands(count(self.large.sections)),
        );
    }

    fn retrieval(&self, out: &mut String) {
        let _ = write!(
            out,
            "## Retrieval against SQLite FTS5\n\n\
             The same sections go into an FTS5 table (`title, heading, body, tags`, tokenizer \
             `porter unicode61`), ranked by `bm25`: once with FTS5's default weights, once with \
             the engine's field boosts (title 1.5, heading 2.0, body 1.0, tags 1.5). Each question \
             goes to FTS5 as its words quoted and joined by `OR`. Sections are grouped into guides \
             as the engine groups its hits, and the first ten guides count. *Section top-1* and \
             *top-3* ask whether a labelled section is the first hit or among the first three; \
             *navigation shown* counts link-list sections among the first three. A question counts as \
             found at rank *k* when one of its expected guides is *k*-th. FTS5 has no answered \
             rule, so any match is an answer; the engine answers only when a section passes its \
             rule (see ARCHITECTURE.md), and a labelled question it declines counts as a miss. \
             The row *ranking alone* shows the engine's candidates in order with that rule left \
             out, which separates ranking from the decision to answer. Latency is per question, \
             in process, third pass of three.\n\n"
        );
        table(
            out,
            &format!(
                "**Evaluation set** (`tests/eval`: {} labelled questions, {} off-topic):",
                self.labelled, self.off_topic
            ),
            self.eval,
        );
        table(
            out,
            &format!(
                "**Held-out set** (`tests/eval/holdout`: {} labelled, {} off-topic, written from \
                 the guides alone by people who had not seen the evaluation set or the synonyms):",
                self.holdout_labelled, self.holdout_off_topic
            ),
            self.holdout,
        );
        table(
            out,
            &format!(
                "**Discord-style development set** (`tests/eval/discord`: {} help-channel messages, \
                 {} off-topic ones, written from the guides' titles and headings only):",
                self.discord_labelled, self.discord_off_topic
            ),
            self.discord,
        );
        table(
            out,
            &format!(
                "**Sealed set** (`tests/eval/sealed`: {} messages, {} off-topic, written like the \
                 Discord-style set and run only by this report, never while tuning):",
                self.sealed_labelled, self.sealed_off_topic
            ),
            self.sealed,
        );
        let e = self.eval;
        let _ = write!(
            out,
            "On the evaluation set Stackbot's recall@3 is {:+.1} points from FTS5's default bm25 \
             and {:+.1} points from FTS5 with the engine's weights (the target is at least +10). \
             Per question Stackbot takes {:.2}× FTS5's time at p50 and {:.2}× at p99 (default \
             bm25). Index build on the real guides: Stackbot {}, FTS5 {}; on the 100× corpus: \
             Stackbot {}, FTS5 {}. On the 100× corpus, per question: Stackbot p50 {} / p99 {}, \
             FTS5 p50 {} / p99 {} ({:.2}× and {:.2}×).\n\n",
            100.0 * (e.ours.recall3() - e.fts_default.recall3()),
            100.0 * (e.ours.recall3() - e.fts_engine.recall3()),
            ratio(e.ours.times.p50(), e.fts_default.times.p50()),
            ratio(e.ours.times.p99(), e.fts_default.times.p99()),
            show(self.real.build),
            show(self.fts_build),
            show(self.large.build),
            show(self.large_fts_build),
            show(self.large_cmp.ours.times.p50()),
            show(self.large_cmp.ours.times.p99()),
            show(self.large_cmp.fts_default.times.p50()),
            show(self.large_cmp.fts_default.times.p99()),
            ratio(
                self.large_cmp.ours.times.p50(),
                self.large_cmp.fts_default.times.p50()
            ),
            ratio(
                self.large_cmp.ours.times.p99(),
                self.large_cmp.fts_default.times.p99()
            ),
        );
        out.push_str(
            "Where the engines differ: the engine's synonyms and typo correction find guides that \
             share no literal word with the question (\"pg\" for PostgreSQL, \"databse\"); its \
             answered rule lets the bot say that no guide covers a question instead of showing the \
             least bad match, which FTS5 always does. The questions both miss share no rare word \
             with the guide that answers them (\"how do I stop someone trying thousands of \
             passwords on my login page\" is answered by the rate-limiting guide, which speaks of \
             attempts and limits): word matching of either kind cannot bridge those. The \
             held-out questions were written from the guides and share most of their words, which \
             suits FTS5's OR of every word; there the answered rule costs Stackbot recall (compare \
             its ranking alone), the price of declining the off-topic questions that FTS5 answers \
             every time.\n\n",
        );
    }

    fn answering(&self, out: &mut String) {
        let (r, l) = (self.real, self.large);
        let _ = write!(
            out,
            "## Answering, in process\n\n\
             `ask` is `Engine::ask` (search, answered rule, grouping, excerpts) over the evaluation \
             questions, labelled and off-topic ({} and {} timings). The interaction is one `/ask` \
             from Discord's JSON to the response JSON through `discord::respond_to_json`, the path \
             the gateway handler takes, with the question-log commit included (a real SQLite file, \
             `synchronous=FULL`).\n\n\
             | | real guides | 100× corpus |\n\
             |---|---|---|\n\
             | index build (median) | {} | {} |\n\
             | `ask` p50 / p99 | {} / {} | {} / {} |\n\
             | interaction p50 / p99 | {} / {} | {} / {} |\n\
             | interaction ÷ `ask`, p50 / p99 | {:.1}× / {:.1}× | {:.1}× / {:.1}× |\n\n",
            r.ask.len(),
            l.ask.len(),
            show(r.build),
            show(l.build),
            show(r.ask.p50()),
            show(r.ask.p99()),
            show(l.ask.p50()),
            show(l.ask.p99()),
            show(r.interaction.p50()),
            show(r.interaction.p99()),
            show(l.interaction.p50()),
            show(l.interaction.p99()),
            ratio(r.interaction.p50(), r.ask.p50()),
            ratio(r.interaction.p99(), r.ask.p99()),
            ratio(l.interaction.p50(), l.ask.p50()),
            ratio(l.interaction.p99(), l.ask.p99()),
        );
    }

    fn bot(&self, out: &mut String) {
        let (r, l) = (self.real_process, self.large_process);
        let _ = write!(
            out,
            "## The running bot\n\n\
             The release binary runs as `stackbot serve --metrics-addr 127.0.0.1:0` against a fake \
             Discord on 127.0.0.1 (the one the tests use: REST and gateway). *Ready* is the time \
             from starting the process until `/healthz` shows the guides indexed and the question \
             log running, which excludes the gateway; *READY* adds the gateway session with the \
             local fake. Both are medians of 5 starts (3 on the 100× corpus). Resident memory is \
             `VmRSS` from `/proc`: a second after READY, and after {} `/ask` interactions sent \
             through the gateway (32 in flight, 1,000 members, the evaluation questions in turn), \
             each answered, logged and sent back over REST. *Peak* is `VmHWM`.\n\n\
             | | real guides | 100× corpus |\n\
             |---|---|---|\n\
             | start-up to ready (index and log, no gateway) | {} | {} |\n\
             | start-up to READY on the local gateway | {} | {} |\n\
             | resident memory, idle | {} | {} |\n\
             | resident memory after {} questions | {} | {} |\n\
             | peak resident memory | {} | {} |\n\
             | questions answered per second under that load | {} | {} |\n\n",
            thousands(count(r.questions)),
            show(r.to_ready),
            show(l.to_ready),
            show(r.to_gateway),
            show(l.to_gateway),
            mib(r.idle_kib),
            mib(l.idle_kib),
            thousands(count(r.questions)),
            mib(r.after_kib),
            mib(l.after_kib),
            mib(r.peak_kib),
            mib(l.peak_kib),
            thousands(r.per_second),
            thousands(l.per_second),
        );
    }

    fn log_and_recommend(&self, out: &mut String) {
        let _ = write!(
            out,
            "## Question log and recommend\n\n\
             The log takes {} rows through `QuestionLog` on a real SQLite file (WAL, \
             `synchronous=FULL`), each waited on; the baseline logs {} rows with one transaction \
             per row. Medians of three runs.\n\n\
             | | rows per second |\n\
             |---|---|\n\
             | group commit (≤ 1,024 rows per transaction) | {} |\n\
             | one transaction per row | {} |\n\
             | ratio | {:.1}× |\n\n\
             **Soak.** {} `stackbot log-load` processes wrote {} rows each into one file while \
             the report held it locked (`BEGIN EXCLUSIVE`) {} times for random stretches, {:.1} s \
             in all; they left {} spool file(s), which the next start replayed. The log then held \
             {} rows ({} distinct) of {} ({:.0} s in all).\n\n\
             **Replay.** `replay` over {} and {} logged asks (200 distinct questions): {} and {}, \
             so each row costs {:.2}× as much in the log four times larger (1× is linear).\n\n\
             `recommend` ran for every one of the {} combinations of use cases, scale and hosting \
             (best of three runs each): median {}, p99 {}, slowest {}. `cargo bench --bench \
             recommend` and `cargo bench --bench ask` give criterion's statistics for single \
             requests.\n\n",
            thousands(count(throughput::ROWS)),
            thousands(count(throughput::ROWS / 10)),
            thousands(self.group),
            thousands(self.single),
            self.group / self.single,
            soak::SOAK_PROCESSES,
            thousands(count(soak::SOAK_ROWS)),
            self.soak.locked_stretches,
            self.soak.locked_for.as_secs_f64(),
            self.soak.spool_files,
            thousands(count(self.soak.present)),
            thousands(count(self.soak.distinct)),
            thousands(count(self.soak.expected)),
            self.soak.took.as_secs_f64(),
            thousands(count(self.replay.rows[0])),
            thousands(count(self.replay.rows[1])),
            show(self.replay.took[0]),
            show(self.replay.took[1]),
            self.replay.growth(),
            thousands(count(self.combos.len())),
            micro(self.combos.p50()),
            micro(self.combos.p99()),
            micro(self.combos.quantile(1000)),
        );
    }

    /// The targets of the answers issue: product-level figures on the Discord-style sets,
    /// navigation, and guide-level recall on the older sets.
    fn answer_targets(&self) -> Vec<(String, String, bool)> {
        let mut rows = Vec::new();
        for (name, cmp) in [("Discord-style", self.discord), ("sealed", self.sealed)] {
            let q = &cmp.ours;
            let off = q.off_topic_answered as f64 / q.off_topic.max(1) as f64;
            rows.extend([
                (
                    format!("on-topic messages answered, {name} set"),
                    format!("≥ 0.95: {:.3}", q.share(q.answered)),
                    q.share(q.answered) >= 0.95,
                ),
                (
                    format!("correct section first, {name} set"),
                    format!("≥ 0.80: {:.3}", q.share(q.section1)),
                    q.share(q.section1) >= 0.80,
                ),
                (
                    format!("a correct section in the top 3, {name} set"),
                    format!("≥ 0.92: {:.3}", q.share(q.section3)),
                    q.share(q.section3) >= 0.92,
                ),
                (
                    format!("off-topic messages answered, {name} set"),
                    format!("≤ 3%: {:.1}%", 100.0 * off),
                    off <= 0.03,
                ),
            ]);
        }
        let navigation: usize = [self.eval, self.holdout, self.discord, self.sealed]
            .iter()
            .map(|c| c.ours.navigation)
            .sum();
        rows.push((
            "navigation sections shown, every set".into(),
            format!("0: {navigation}"),
            navigation == 0,
        ));
        for (name, cmp) in [("evaluation", self.eval), ("held-out", self.holdout)] {
            rows.push((
                format!("guide-level recall@3, {name} set"),
                format!("≥ 0.95: {:.3}", cmp.ours.recall3()),
                cmp.ours.recall3() >= 0.95,
            ));
        }
        rows
    }

    fn targets(&self, out: &mut String) {
        let (r, l, e) = (self.real, self.large, self.eval);
        let margin = 100.0 * (e.ours.recall3() - e.fts_default.recall3());
        let margin_weighted = 100.0 * (e.ours.recall3() - e.fts_engine.recall3());
        let rows: Vec<(String, String, bool)> = vec![
            (
                "index build, real guides".into(),
                format!("< 100 ms: {}", show(r.build)),
                r.build.as_millis() < 100,
            ),
            (
                "`ask` p50 / p99, real guides".into(),
                format!(
                    "< 1 ms / < 5 ms: {} / {}",
                    show(r.ask.p50()),
                    show(r.ask.p99())
                ),
                r.ask.p50().as_micros() < 1000 && r.ask.p99().as_micros() < 5000,
            ),
            (
                "`ask` p99, 100× corpus".into(),
                format!("< 10 ms: {}", show(l.ask.p99())),
                l.ask.p99().as_micros() < 10_000,
            ),
            (
                "interaction p99, real guides".into(),
                format!("< 10 ms: {}", show(r.interaction.p99())),
                r.interaction.p99().as_micros() < 10_000,
            ),
            (
                "question log".into(),
                format!(
                    "≥ 20,000 rows/s and ≥ 10×: {} rows/s, {:.1}×",
                    thousands(self.group),
                    self.group / self.single
                ),
                self.group >= 20_000.0 && self.group / self.single >= 10.0,
            ),
            (
                "question log soak: every row present, once".into(),
                format!(
                    "{} of {} rows, {} distinct",
                    thousands(count(self.soak.present)),
                    thousands(count(self.soak.expected)),
                    thousands(count(self.soak.distinct))
                ),
                self.soak.present == self.soak.expected && self.soak.distinct == self.soak.expected,
            ),
            (
                "`replay` linear in the log's size".into(),
                format!(
                    "time per row at 4× the rows < 1.5×: {:.2}×",
                    self.replay.growth()
                ),
                self.replay.growth() < 1.5,
            ),
            (
                "`recommend`, slowest combination".into(),
                format!("< 50 µs: {}", micro(self.combos.quantile(1000))),
                self.combos.quantile(1000).as_micros() < 50,
            ),
            (
                "resident memory serving the real guides (hybrid, model included)".into(),
                format!(
                    "< 100 MB: {} idle, {} after {} questions",
                    mib(self.real_process.idle_kib),
                    mib(self.real_process.after_kib),
                    thousands(count(self.real_process.questions))
                ),
                self.real_process.after_kib.max(self.real_process.idle_kib) * 1024 < 100_000_000,
            ),
            (
                "start-up to ready, excluding the gateway".into(),
                format!("< 1.5 s: {}", show(self.real_process.to_ready)),
                self.real_process.to_ready.as_millis() < 1500,
            ),
            (
                "`ask` p99 in process, real guides (answers issue)".into(),
                format!("< 15 ms: {}", show(r.ask.p99())),
                r.ask.p99().as_micros() < 15_000,
            ),
            (
                "recall@3 above FTS5's, evaluation set".into(),
                format!(
                    "≥ +10 points: {margin:+.1} over default bm25, {margin_weighted:+.1} over \
                     bm25 with the engine's weights"
                ),
                margin >= 10.0 && margin_weighted >= 10.0,
            ),
        ];
        let mut rows = rows;
        rows.extend(self.answer_targets());
        out.push_str("## Targets\n\n| target | measured | |\n|---|---|---|\n");
        for (name, measured, ok) in rows {
            let _ = writeln!(out, "| {name} | {measured} | {} |", verdict(ok));
        }
        out.push('\n');
    }
}

/// A count as a float, for [`thousands`] (counts here are far below 2^52).
fn count(n: usize) -> f64 {
    n as f64
}

/// `28645` → `28,645`.
fn thousands(n: impl Into<f64>) -> String {
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let digits = (n.into().round().max(0.0) as u64).to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn micro(d: std::time::Duration) -> String {
    format!("{:.1} µs", d.as_secs_f64() * 1e6)
}
