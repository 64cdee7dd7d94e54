//! The review commands' output: aligned tables, CSV or JSON. Pure: data in, text out.

use std::fmt::Write as _;

use serde::Serialize;

use crate::log::{Format, GapTopic, QuestionRow, Replay, Stats};

/// Why output could not be produced (an encoding failure, which should not happen).
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// JSON encoding failed.
    #[error("encoding JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// CSV encoding failed.
    #[error("encoding CSV: {0}")]
    Csv(#[from] csv::Error),
    /// The CSV writer could not be finished.
    #[error("encoding CSV: {0}")]
    CsvFlush(String),
}

/// Longest question shown in a table cell, in characters; CSV and JSON keep the whole text.
const TABLE_QUESTION_CHARS: usize = 70;

fn json<T: Serialize + ?Sized>(value: &T) -> Result<String, RenderError> {
    Ok(serde_json::to_string_pretty(value)? + "\n")
}

fn csv_text(header: &[&str], rows: &[Vec<String>]) -> Result<String, RenderError> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(header)?;
    for row in rows {
        writer.write_record(
            row.iter()
                .map(|cell| formula_safe(&crate::clean::visible(cell)).into_owned()),
        )?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| RenderError::CsvFlush(e.to_string()))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// A cell a spreadsheet will not run as a formula: members write the questions, and one that
/// starts with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'` (OWASP's advice
/// on CSV injection). Numbers (`-1`, `-0.5`) are left as they are.
fn formula_safe(cell: &str) -> std::borrow::Cow<'_, str> {
    // After leading blanks too: some spreadsheets skip them before reading a formula.
    let risky = cell
        .trim_start()
        .starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && cell.parse::<f64>().is_err() {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

/// Columns padded to their widest cell (in characters); the last column is not padded.
fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let mut line = |cells: &mut dyn Iterator<Item = &str>| {
        let mut text = String::new();
        for (i, cell) in cells.enumerate() {
            if i + 1 == widths.len() {
                text.push_str(cell);
            } else {
                let pad = widths[i].saturating_sub(cell.chars().count());
                let _ = write!(text, "{cell}{}  ", " ".repeat(pad));
            }
        }
        out.push_str(text.trim_end());
        out.push('\n');
    };
    line(&mut header.iter().copied());
    for row in rows {
        line(&mut row.iter().map(String::as_str));
    }
    out
}

/// Shortens `text` to `max` characters with `…`, on one line.
fn cell(text: &str, max: usize) -> String {
    let one_line: String = crate::clean::visible(text)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if one_line.chars().count() <= max {
        return one_line;
    }
    let cut: String = one_line.chars().take(max.saturating_sub(1)).collect();
    format!("{cut}…")
}

fn opt(value: Option<&str>) -> String {
    value.unwrap_or("-").to_owned()
}

const STATS_CSV_HEADER: [&str; 9] = [
    "kind",
    "key",
    "asks",
    "answered",
    "recommends",
    "shown_first",
    "up",
    "down",
    "median_latency_ms",
];

fn stats_csv_rows(stats: &Stats) -> Vec<Vec<String>> {
    let row = |kind: &str, key: &str, counts: [Option<u64>; 6], latency: Option<f64>| {
        let mut r = vec![kind.to_owned(), key.to_owned()];
        r.extend(
            counts
                .iter()
                .map(|c| c.map_or(String::new(), |n| n.to_string())),
        );
        r.push(latency.map_or(String::new(), |ms| format!("{ms:.1}")));
        r
    };
    let mut rows = vec![row(
        "total",
        "",
        [
            Some(stats.asks),
            Some(stats.answered),
            Some(stats.recommends),
            None,
            None,
            None,
        ],
        stats.median_latency_ms,
    )];
    for d in &stats.days {
        rows.push(row(
            "day",
            &d.day,
            [
                Some(d.asks),
                Some(d.answered),
                Some(d.recommends),
                None,
                None,
                None,
            ],
            None,
        ));
    }
    let mut guides: Vec<&str> = stats.top_guides.iter().map(|(g, _)| g.as_str()).collect();
    for v in &stats.votes {
        if !guides.contains(&v.guide.as_str()) {
            guides.push(&v.guide);
        }
    }
    for guide in guides {
        let shown = stats
            .top_guides
            .iter()
            .find(|(g, _)| g == guide)
            .map(|(_, n)| *n);
        let votes = stats.votes.iter().find(|v| v.guide == guide);
        rows.push(row(
            "guide",
            guide,
            [
                None,
                None,
                None,
                Some(shown.unwrap_or(0)),
                Some(votes.map_or(0, |v| v.up)),
                Some(votes.map_or(0, |v| v.down)),
            ],
            None,
        ));
    }
    rows
}

/// `stackbot questions`.
pub fn questions(rows: &[QuestionRow], format: Format) -> Result<String, RenderError> {
    const HEADER: [&str; 8] = [
        "time",
        "command",
        "answered",
        "top_guide",
        "score",
        "guild",
        "channel",
        "question",
    ];
    // Tables show `-` for a missing value; CSV leaves the field empty.
    let cells = |r: &QuestionRow, question: String, missing: &str| {
        let or = |v: Option<&str>| v.unwrap_or(missing).to_owned();
        vec![
            r.at.clone(),
            r.command.clone(),
            if r.answered { "yes" } else { "no" }.to_owned(),
            or(r.top_guide.as_deref()),
            r.top_score
                .map_or(missing.to_owned(), |s| format!("{s:.3}")),
            or(r.guild_id.as_deref()),
            or(r.channel_id.as_deref()),
            question,
        ]
    };
    match format {
        Format::Json => json(rows),
        Format::Csv => csv_text(
            &HEADER,
            &rows
                .iter()
                .map(|r| cells(r, r.question.clone(), ""))
                .collect::<Vec<_>>(),
        ),
        Format::Table if rows.is_empty() => Ok("no questions in this period\n".to_owned()),
        Format::Table => Ok(table(
            &HEADER,
            &rows
                .iter()
                .map(|r| cells(r, cell(&r.question, TABLE_QUESTION_CHARS), "-"))
                .collect::<Vec<_>>(),
        )),
    }
}

/// `stackbot stats`. CSV holds everything the table does in one sheet, one row per fact and a
/// `kind` column: `total` (with the median latency), `day`, and `guide` (shown first, votes).
pub fn stats(stats: &Stats, format: Format) -> Result<String, RenderError> {
    match format {
        Format::Json => return json(stats),
        Format::Csv => return csv_text(&STATS_CSV_HEADER, &stats_csv_rows(stats)),
        Format::Table => {}
    }
    let share = |part: u64, whole: u64| {
        if whole == 0 {
            "-".to_owned()
        } else {
            #[allow(clippy::cast_precision_loss)]
            let pct = part as f64 * 100.0 / whole as f64;
            format!("{pct:.0}%")
        }
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "asks: {} ({} answered, {}), recommends: {}, median ask latency: {}",
        stats.asks,
        stats.answered,
        share(stats.answered, stats.asks),
        stats.recommends,
        stats
            .median_latency_ms
            .map_or("-".to_owned(), |ms| format!("{ms:.1} ms")),
    );
    if stats.days.is_empty() {
        out.push_str("no questions in this period\n");
        return Ok(out);
    }
    out.push('\n');
    let days: Vec<Vec<String>> = stats
        .days
        .iter()
        .map(|d| {
            vec![
                d.day.clone(),
                d.asks.to_string(),
                share(d.answered, d.asks),
                d.recommends.to_string(),
            ]
        })
        .collect();
    out.push_str(&table(&["day", "asks", "answered", "recommends"], &days));
    if !stats.top_guides.is_empty() {
        out.push('\n');
        let guides: Vec<Vec<String>> = stats
            .top_guides
            .iter()
            .map(|(g, n)| vec![g.clone(), n.to_string()])
            .collect();
        out.push_str(&table(&["top guide", "answers"], &guides));
    }
    if !stats.votes.is_empty() {
        out.push('\n');
        let votes: Vec<Vec<String>> = stats
            .votes
            .iter()
            .map(|v| vec![v.guide.clone(), v.up.to_string(), v.down.to_string()])
            .collect();
        out.push_str(&table(&["guide", "👍", "👎"], &votes));
    }
    Ok(out)
}

/// `stackbot gaps`.
pub fn gaps(topics: &[GapTopic], format: Format) -> Result<String, RenderError> {
    match format {
        Format::Json => json(topics),
        Format::Csv => csv_text(
            &[
                "count",
                "unanswered",
                "weak",
                "thumbs_down",
                "terms",
                "closest_guide",
                "examples",
            ],
            &topics
                .iter()
                .map(|t| {
                    vec![
                        t.count.to_string(),
                        t.unanswered.to_string(),
                        t.weak.to_string(),
                        t.thumbs_down.to_string(),
                        t.terms.join(" "),
                        opt(t.closest_guide.as_deref()),
                        t.examples.join(" | "),
                    ]
                })
                .collect::<Vec<_>>(),
        ),
        Format::Table if topics.is_empty() => {
            Ok("no unanswered, weak or voted-down questions in this period\n".to_owned())
        }
        Format::Table => {
            let mut out = String::new();
            for (i, t) in topics.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "{}. {} — {} question(s): {} unanswered, {} weak, {} 👎; closest guide: {}",
                    i + 1,
                    t.terms.join(" "),
                    t.count,
                    t.unanswered,
                    t.weak,
                    t.thumbs_down,
                    opt(t.closest_guide.as_deref()),
                );
                for example in &t.examples {
                    let _ = writeln!(out, "   \"{}\"", cell(example, TABLE_QUESTION_CHARS));
                }
            }
            Ok(out)
        }
    }
}

/// `stackbot replay`; CSV holds one row per changed question.
pub fn replay(replay: &Replay, format: Format) -> Result<String, RenderError> {
    let kinds = [
        ("now_answered", &replay.now_answered),
        ("changed", &replay.changed),
        ("lost", &replay.lost),
    ];
    match format {
        Format::Json => return json(replay),
        Format::Csv => {
            let rows: Vec<Vec<String>> = kinds
                .iter()
                .flat_map(|(kind, changes)| {
                    changes.iter().map(move |c| {
                        vec![
                            (*kind).to_owned(),
                            c.question.clone(),
                            c.before.clone().unwrap_or_default(),
                            c.after.clone().unwrap_or_default(),
                        ]
                    })
                })
                .collect();
            return csv_text(&["change", "question", "before", "after"], &rows);
        }
        Format::Table => {}
    }
    let mut out = String::new();
    let _ = writeln!(
        out,
        "replayed {} question(s): {} now answered, {} with another top guide, {} lost their answer, {} unchanged",
        replay.replayed,
        replay.now_answered.len(),
        replay.changed.len(),
        replay.lost.len(),
        replay.unchanged
    );
    for (title, changes) in [
        ("Now answered", &replay.now_answered),
        ("Another top guide", &replay.changed),
        ("Lost their answer", &replay.lost),
    ] {
        if changes.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n{title}");
        for c in changes {
            let _ = writeln!(
                out,
                "- \"{}\": {} -> {}",
                cell(&c.question, TABLE_QUESTION_CHARS),
                opt(c.before.as_deref()),
                opt(c.after.as_deref())
            );
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_align_by_characters_and_cells_stay_on_one_line() {
        let text = table(
            &["a", "b"],
            &[vec!["ééé".into(), "x".into()], vec!["z".into(), "y".into()]],
        );
        assert_eq!(text, "a    b\nééé  x\nz    y\n");
        assert_eq!(cell("one\ntwo   three", 9), "one two …");
        // A member's right-to-left override or zero-width space does not reach the terminal.
        assert_eq!(
            cell("redis\u{202E}lmth.exe\u{200B} ttl", 40),
            "redislmth.exe ttl"
        );
    }

    #[test]
    fn csv_cells_that_a_spreadsheet_would_run_are_neutralised() {
        let rows: Vec<Vec<String>> = [
            "=HYPERLINK(\"http://evil.example\",\"x\")",
            "+1+1",
            "-2+3",
            "@SUM(A1)",
            "\t=cmd",
            "\r@cmd",
            "-1",
            "0.5",
            "how do I = things",
        ]
        .iter()
        .map(|c| vec![(*c).to_owned()])
        .collect();
        let text = csv_text(&["q"], &rows).unwrap();
        let cells: Vec<&str> = text.lines().skip(1).collect();
        assert_eq!(
            cells,
            [
                "\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\"",
                "'+1+1",
                "'-2+3",
                "'@SUM(A1)",
                "' =cmd",
                "' @cmd",
                "-1",
                "0.5",
                "how do I = things",
            ]
        );
    }

    #[test]
    fn stats_csv_holds_the_totals_the_days_and_the_guides() {
        let figures = Stats {
            days: vec![crate::log::DayCount {
                day: "2026-12-01".into(),
                asks: 3,
                answered: 2,
                recommends: 1,
            }],
            asks: 3,
            answered: 2,
            recommends: 1,
            top_guides: vec![("redis-sessions".into(), 2)],
            votes: vec![crate::log::GuideVotes {
                guide: "transactional-outbox".into(),
                up: 1,
                down: 2,
            }],
            median_latency_ms: Some(12.34),
        };
        let text = stats(&figures, Format::Csv).unwrap();
        assert_eq!(
            text,
            "kind,key,asks,answered,recommends,shown_first,up,down,median_latency_ms\n\
             total,,3,2,1,,,,12.3\n\
             day,2026-12-01,3,2,1,,,,\n\
             guide,redis-sessions,,,,2,0,0,\n\
             guide,transactional-outbox,,,,0,1,2,\n"
        );
    }

    #[test]
    fn csv_quotes_what_needs_quoting() {
        let text = csv_text(&["q"], &[vec!["say \"hi\", then go".into()]]).unwrap();
        assert_eq!(text, "q\n\"say \"\"hi\"\", then go\"\n");
    }
}
