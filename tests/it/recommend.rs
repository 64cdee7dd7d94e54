//! `recommend` over the real rules: every use case at every scale, realistic combinations as
//! snapshots, properties over random requests, and the agreement of rules and guides.

use std::collections::BTreeSet;

use proptest::prelude::*;
use stackbot::knowledge::{BaseUrl, Knowledge};
use stackbot::needs::{Hosting, Scale, UseCase};
use stackbot::recommend::{Recommendation, Request, recommend};
use stackbot::render;

use crate::helpers::real_knowledge;

fn ask(
    knowledge: &Knowledge,
    use_cases: &[UseCase],
    scale: Scale,
    hosting: Option<Hosting>,
) -> Recommendation {
    let request = Request::new(use_cases.iter().copied(), scale, hosting).expect("request");
    recommend(knowledge, &request).expect("the rules cover every use case")
}

fn databases(rec: &Recommendation) -> Vec<&str> {
    rec.stack.iter().map(|c| c.database.as_str()).collect()
}

/// Each use case on its own, at each scale, for every hosting without a rule of its own: the
/// stack written out by hand from the guides (choosing-a-database's table and stage table).
#[test]
fn every_single_use_case_at_every_scale() {
    use Scale::{Growing as G, Large as L, Prototype as P};
    use UseCase::*;
    const PG: &[&str] = &["postgresql"];
    let expected: &[(UseCase, Scale, &[&str])] = &[
        (Transactions, P, PG),
        (Transactions, G, PG),
        (Transactions, L, PG),
        (Sessions, P, PG),
        (Sessions, G, &["redis"]),
        (Sessions, L, &["redis"]),
        (Caching, P, PG),
        (Caching, G, &["postgresql", "redis"]),
        (Caching, L, &["postgresql", "redis"]),
        (RateLimiting, P, PG),
        (RateLimiting, G, &["redis"]),
        (RateLimiting, L, &["redis"]),
        (FullTextSearch, P, PG),
        (FullTextSearch, G, PG),
        (FullTextSearch, L, &["postgresql", "elasticsearch"]),
        (FuzzySearch, P, PG),
        (FuzzySearch, G, PG),
        (FuzzySearch, L, &["postgresql", "elasticsearch"]),
        (VectorSearch, P, PG),
        (VectorSearch, G, PG),
        (VectorSearch, L, &["postgresql", "qdrant"]),
        (ActivityLogs, P, PG),
        (ActivityLogs, G, PG),
        (ActivityLogs, L, &["clickhouse"]),
        (Analytics, P, PG),
        (Analytics, G, PG),
        (Analytics, L, &["postgresql", "clickhouse"]),
        (TimeSeries, P, PG),
        (TimeSeries, G, PG),
        (TimeSeries, L, &["clickhouse"]),
        (Realtime, P, PG),
        (Realtime, G, &["redis"]),
        (Realtime, L, &["redis"]),
        (JobQueue, P, PG),
        (JobQueue, G, PG),
        (JobQueue, L, &["postgresql", "redis"]),
        (EventStreaming, P, PG),
        (EventStreaming, G, &["postgresql", "kafka"]),
        (EventStreaming, L, &["postgresql", "kafka"]),
        (Graph, P, PG),
        (Graph, G, PG),
        (Graph, L, &["postgresql", "neo4j"]),
        (Geospatial, P, PG),
        (Geospatial, G, PG),
        (Geospatial, L, PG),
        (FlexibleSchema, P, PG),
        (FlexibleSchema, G, PG),
        (FlexibleSchema, L, &["mongodb"]),
    ];
    assert_eq!(expected.len(), UseCase::ALL.len() * Scale::ALL.len());
    let knowledge = real_knowledge();
    for &(use_case, scale, want) in expected {
        for hosting in [None, Some(Hosting::SelfHosted)] {
            let rec = ask(&knowledge, &[use_case], scale, hosting);
            assert_eq!(
                databases(&rec),
                want,
                "{use_case} at {scale}, hosting {hosting:?}"
            );
            let expected_syncs = want.len() - 1;
            assert_eq!(
                rec.sync.len(),
                expected_syncs,
                "{use_case} at {scale}: {:#?}",
                rec.sync
            );
        }
    }
}

#[test]
fn hosting_changes_the_answer_where_the_rules_say_so() {
    let knowledge = real_knowledge();
    // Functions keep no counters in memory: rate limits go to a serverless Redis from day one.
    let rec = ask(
        &knowledge,
        &[UseCase::RateLimiting],
        Scale::Prototype,
        Some(Hosting::Serverless),
    );
    assert_eq!(databases(&rec), ["redis"]);
    assert!(
        rec.stack[0].why.contains("per-request-priced Redis"),
        "{}",
        rec.stack[0].why
    );
    // TimescaleDB is not offered everywhere: managed PostgreSQL gets native partitioning.
    let rec = ask(
        &knowledge,
        &[UseCase::TimeSeries],
        Scale::Growing,
        Some(Hosting::Managed),
    );
    assert_eq!(databases(&rec), ["postgresql"]);
    assert!(
        rec.stack[0].reasons[0]
            .feature
            .as_deref()
            .is_some_and(|f| f.contains("pg_partman"))
    );
    // A large serverless app has no worker box for a Redis queue library: a managed queue, fed
    // through the outbox; self-hosted keeps Redis.
    let rec = ask(
        &knowledge,
        &[UseCase::JobQueue],
        Scale::Large,
        Some(Hosting::Serverless),
    );
    assert_eq!(databases(&rec), ["postgresql", "sqs"]);
    assert_eq!(rec.sync[0].to, "sqs");
    let rec = ask(
        &knowledge,
        &[UseCase::JobQueue],
        Scale::Large,
        Some(Hosting::SelfHosted),
    );
    assert_eq!(databases(&rec), ["postgresql", "redis"]);
    // Serverless advice about pooling appears whenever PostgreSQL is in a serverless stack.
    let rec = ask(
        &knowledge,
        &[UseCase::Transactions],
        Scale::Growing,
        Some(Hosting::Serverless),
    );
    assert!(
        rec.notes.iter().any(|n| n.contains("pooler")),
        "{:#?}",
        rec.notes
    );
    let rec = ask(&knowledge, &[UseCase::Transactions], Scale::Growing, None);
    assert!(
        !rec.notes.iter().any(|n| n.contains("pooler")),
        "{:#?}",
        rec.notes
    );
}

#[test]
fn one_redis_serving_three_needs_is_one_component() {
    let knowledge = real_knowledge();
    let rec = ask(
        &knowledge,
        &[
            UseCase::RateLimiting,
            UseCase::Caching,
            UseCase::Sessions,
            UseCase::Sessions,
        ],
        Scale::Growing,
        None,
    );
    assert_eq!(databases(&rec), ["postgresql", "redis"]);
    let redis = &rec.stack[1];
    assert_eq!(
        redis.use_cases,
        [UseCase::Sessions, UseCase::Caching, UseCase::RateLimiting]
    );
    assert_eq!(
        rec.use_cases,
        [UseCase::Sessions, UseCase::Caching, UseCase::RateLimiting]
    );
    assert_eq!(rec.sync.len(), 1);
    assert_eq!(
        (rec.sync[0].from.as_str(), rec.sync[0].to.as_str()),
        ("postgresql", "redis")
    );
    assert!(rec.notes.iter().any(|n| n.contains("two Redis instances")));
}

#[test]
fn the_json_object_has_exactly_the_fields_of_the_spec() {
    let knowledge = real_knowledge();
    let rec = ask(
        &knowledge,
        &[UseCase::Caching, UseCase::FullTextSearch],
        Scale::Large,
        None,
    );
    let json = serde_json::to_value(&rec).expect("serialises");
    let keys = |v: &serde_json::Value| -> Vec<String> {
        let mut keys: Vec<String> = v.as_object().expect("object").keys().cloned().collect();
        keys.sort();
        keys
    };
    assert_eq!(
        keys(&json),
        ["hosting", "notes", "scale", "stack", "sync", "use_cases"]
    );
    assert_eq!(
        keys(&json["stack"][0]),
        [
            "database",
            "extensions",
            "guides",
            "role",
            "use_cases",
            "why"
        ]
    );
    assert_eq!(keys(&json["sync"][0]), ["from", "guide", "pattern", "to"]);
    assert_eq!(json["hosting"], serde_json::Value::Null);
    assert_eq!(json["scale"], "large");
    assert_eq!(
        json["use_cases"],
        serde_json::json!(["caching", "full_text_search"])
    );
}

#[test]
fn extensions_are_named_with_the_store_that_runs_them() {
    let knowledge = real_knowledge();
    let rec = ask(
        &knowledge,
        &[
            UseCase::Transactions,
            UseCase::VectorSearch,
            UseCase::Geospatial,
        ],
        Scale::Growing,
        None,
    );
    let postgres = &rec.stack[0];
    assert_eq!(postgres.database, "postgresql");
    assert_eq!(postgres.extensions, ["pgvector", "postgis"]);
    assert_eq!(postgres.title(), "PostgreSQL + pgvector + PostGIS");
    let json = serde_json::to_value(&rec).expect("serialises");
    assert_eq!(
        json["stack"][0]["extensions"],
        serde_json::json!(["pgvector", "postgis"])
    );
    let text = render::recommendation_text(&rec, &BaseUrl::default());
    assert!(
        text.contains("1. PostgreSQL + pgvector + PostGIS: "),
        "{text}"
    );

    // A store that runs no extension says so with an empty list, not a missing field.
    let rec = ask(&knowledge, &[UseCase::Transactions], Scale::Growing, None);
    assert_eq!(rec.stack[0].extensions, Vec::<String>::new());
    assert_eq!(rec.stack[0].title(), "PostgreSQL");
}

fn snapshot(use_cases: &[UseCase], scale: Scale, hosting: Option<Hosting>) -> String {
    let rec = ask(&real_knowledge(), use_cases, scale, hosting);
    render::recommendation_text(&rec, &BaseUrl::default())
}

#[test]
fn snapshot_online_shop() {
    use UseCase::*;
    insta::assert_snapshot!(snapshot(
        &[
            Transactions,
            Sessions,
            Caching,
            FullTextSearch,
            FuzzySearch,
            JobQueue
        ],
        Scale::Growing,
        Some(Hosting::Managed),
    ));
}

#[test]
fn snapshot_rag_app() {
    use UseCase::*;
    insta::assert_snapshot!(snapshot(
        &[VectorSearch, FullTextSearch, Caching, RateLimiting],
        Scale::Large,
        None,
    ));
}

#[test]
fn snapshot_saas_with_audit_logs() {
    use UseCase::*;
    insta::assert_snapshot!(snapshot(
        &[
            Transactions,
            Sessions,
            ActivityLogs,
            Analytics,
            JobQueue,
            EventStreaming
        ],
        Scale::Large,
        Some(Hosting::SelfHosted),
    ));
}

#[test]
fn snapshot_side_project_on_serverless() {
    use UseCase::*;
    insta::assert_snapshot!(snapshot(
        &[Transactions, Sessions, RateLimiting, Realtime],
        Scale::Prototype,
        Some(Hosting::Serverless),
    ));
}

/// Every guide a rule or a pattern names exists (check says so too; this pins it in a test).
#[test]
fn every_guide_the_rules_link_to_exists() {
    let knowledge = real_knowledge();
    let exists = |slug: &str| knowledge.guides.iter().any(|g| g.slug == slug);
    for serve in &knowledge.rules.serves {
        for (slug, line) in &serve.guides {
            assert!(exists(slug), "stacks.toml:{line}: {slug}");
        }
    }
    for pattern in &knowledge.rules.patterns {
        assert!(
            exists(&pattern.guide.0),
            "stacks.toml:{}: {}",
            pattern.line,
            pattern.guide.0
        );
    }
}

/// choosing-a-database's decision table and the rules agree: for each use case, the row names
/// every store the rules pick for it, at any scale and hosting.
#[test]
fn the_decision_table_names_every_store_the_rules_pick() {
    let knowledge = real_knowledge();
    let guide = knowledge
        .guides
        .iter()
        .find(|g| g.slug == "choosing-a-database")
        .expect("choosing-a-database");
    let text = std::fs::read_to_string(&guide.path).expect("read the guide");
    for &use_case in UseCase::ALL {
        let marker = format!("| `{use_case}`");
        let row = text
            .lines()
            .find(|l| l.starts_with(&marker))
            .unwrap_or_else(|| panic!("the decision table has no row for `{use_case}`"));
        let store_cell = row
            .split('|')
            .nth(3)
            .expect("a Recommended store column")
            .to_lowercase();
        let picked: BTreeSet<&str> = knowledge
            .rules
            .serves
            .iter()
            .filter(|s| s.use_case == use_case)
            .map(|s| s.database.as_str())
            .collect();
        for id in picked {
            let name = knowledge
                .catalog
                .get(id)
                .expect("catalog id")
                .name
                .to_lowercase();
            // "Postgres" is how the table (and everyone) shortens PostgreSQL.
            let named = store_cell.contains(&name)
                || store_cell.contains(id)
                || (id == "postgresql" && store_cell.contains("postgres"));
            assert!(
                named,
                "the row for `{use_case}` does not name {name}: {row}"
            );
        }
    }
}

fn any_request() -> impl Strategy<Value = (Vec<UseCase>, Scale, Option<Hosting>)> {
    (
        proptest::sample::subsequence(UseCase::ALL.to_vec(), 1..=UseCase::ALL.len()),
        proptest::sample::select(Scale::ALL.to_vec()),
        proptest::option::of(proptest::sample::select(Hosting::ALL.to_vec())),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn every_answer_serves_every_flag_with_catalog_stores_once(
        (use_cases, scale, hosting) in any_request(),
        extra in proptest::sample::select(UseCase::ALL.to_vec()),
    ) {
        let knowledge = real_knowledge_once();
        let rec = ask(knowledge, &use_cases, scale, hosting);
        for use_case in &use_cases {
            prop_assert!(rec.stack.iter().any(|c| c.use_cases.contains(use_case)), "{use_case} unserved");
        }
        let mut seen = BTreeSet::new();
        for component in &rec.stack {
            prop_assert!(seen.insert(component.database.clone()), "duplicate {}", component.database);
            prop_assert!(knowledge.catalog.get(&component.database).is_some());
            prop_assert!(!component.use_cases.is_empty(), "{} serves nothing", component.database);
            prop_assert!(component.use_cases.iter().all(|u| use_cases.contains(u)));
            prop_assert!(!component.guides.is_empty());
        }
        if let Some(i) = rec.stack.iter().position(|c| c.database == "postgresql") {
            prop_assert_eq!(i, 0, "the system of record comes first");
        }
        for step in &rec.sync {
            prop_assert!(seen.contains(&step.from) && seen.contains(&step.to));
        }
        // Deterministic, whatever the order the flags came in.
        let mut reversed = use_cases.clone();
        reversed.reverse();
        prop_assert_eq!(&rec, &ask(knowledge, &reversed, scale, hosting));
        // Monotone: one more flag never takes away what an unchanged flag was served by.
        let mut more = use_cases.clone();
        more.push(extra);
        let bigger = ask(knowledge, &more, scale, hosting);
        for component in &rec.stack {
            let after = bigger.stack.iter().find(|c| c.database == component.database);
            prop_assert!(after.is_some(), "adding {extra} removed {}", component.database);
            let after = after.unwrap();
            prop_assert!(component.use_cases.iter().all(|u| after.use_cases.contains(u)));
        }
    }
}

fn real_knowledge_once() -> &'static Knowledge {
    static KNOWLEDGE: std::sync::OnceLock<Knowledge> = std::sync::OnceLock::new();
    KNOWLEDGE.get_or_init(real_knowledge)
}
