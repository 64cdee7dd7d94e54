//! `recommend`: use cases, a scale and a hosting in; the smallest database stack out.
//!
//! A pure function of the request and the rules of `knowledge/stacks.toml`; no I/O, no clock.
//!
//! How a stack is built:
//!
//! 1. Each use case asked for is looked up on its own: the rule for its scale and hosting, or the
//!    rule for every hosting. Choosing per use case keeps the answer monotone: asking for one
//!    more thing never changes how the others are served. The rules themselves keep the stack
//!    small (`stackbot check` refuses two stores of one kind at the same scale).
//! 2. Rules that pick the same store merge into one component: one Redis serving sessions,
//!    caching and rate limiting is one component with three use cases.
//! 3. A store filled from another one (`fed_by`) brings its source in too, serving the same use
//!    case as the source of truth, and adds a sync step with the rule's pattern. Nothing else is
//!    ever added: a component exists only because a use case asked for it.
//! 4. Order: the system of record first, then by how many use cases a component serves, then by
//!    the first use case it serves (SPEC order), then by id. Notes whose conditions hold follow,
//!    in file order.

use serde::Serialize;

use crate::knowledge::Knowledge;
use crate::needs::{Hosting, Scale, UseCase};

/// What a member asked for, normalised: use cases deduplicated, in SPEC order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    use_cases: Vec<UseCase>,
    scale: Scale,
    hosting: Option<Hosting>,
}

impl Request {
    /// A request for at least one use case.
    pub fn new(
        use_cases: impl IntoIterator<Item = UseCase>,
        scale: Scale,
        hosting: Option<Hosting>,
    ) -> Result<Self, RecommendError> {
        let mut use_cases: Vec<UseCase> = use_cases.into_iter().collect();
        use_cases.sort_unstable();
        use_cases.dedup();
        if use_cases.is_empty() {
            return Err(RecommendError::NoUseCase);
        }
        Ok(Self {
            use_cases,
            scale,
            hosting,
        })
    }

    /// The use cases, in SPEC order, without duplicates.
    pub fn use_cases(&self) -> &[UseCase] {
        &self.use_cases
    }

    /// The scale.
    pub fn scale(&self) -> Scale {
        self.scale
    }

    /// The hosting, when one was given.
    pub fn hosting(&self) -> Option<Hosting> {
        self.hosting
    }
}

/// Why a recommendation could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecommendError {
    /// Nothing was asked for.
    #[error("name at least one use case; valid: {}", UseCase::valid_names())]
    NoUseCase,
    /// The rules have a hole (`stackbot check` reports it).
    #[error("knowledge/stacks.toml has no rule for `{use_case}` at scale `{scale}`")]
    NoRule {
        /// The use case without a rule.
        use_case: UseCase,
        /// At this scale.
        scale: Scale,
    },
}

/// The recommended stack: SPEC's JSON object, field for field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Recommendation {
    /// The use cases asked for, in SPEC order.
    pub use_cases: Vec<UseCase>,
    /// The scale answered for.
    pub scale: Scale,
    /// The hosting answered for; `null` when none was given.
    pub hosting: Option<Hosting>,
    /// The components, system of record first.
    pub stack: Vec<Component>,
    /// How the stores that must agree stay in agreement.
    pub sync: Vec<SyncStep>,
    /// Advice that applies to this combination.
    pub notes: Vec<String>,
}

impl Recommendation {
    /// The display name of a store in the stack (its id if it is not there).
    pub fn name_of<'a>(&'a self, id: &'a str) -> &'a str {
        self.stack
            .iter()
            .find(|c| c.database == id)
            .map_or(id, |c| c.name.as_str())
    }
}

/// One store in the stack and everything it does there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Component {
    /// Catalog id.
    pub database: String,
    /// Catalog ids of the extensions it runs for these use cases (`["pgvector", "postgis"]`).
    pub extensions: Vec<String>,
    /// Its role in the stack.
    pub role: String,
    /// The use cases it serves, in SPEC order.
    pub use_cases: Vec<UseCase>,
    /// Why, per use case, in one string: `use_case: reason` sentences.
    pub why: String,
    /// Guides that explain it, deduplicated, in use-case order.
    pub guides: Vec<String>,
    /// Display name from the catalog, for text replies.
    #[serde(skip)]
    pub name: String,
    /// Display names of the extensions, in the order of `extensions`.
    #[serde(skip)]
    pub extension_names: Vec<String>,
    /// The reasons one by one, for text replies.
    #[serde(skip)]
    pub reasons: Vec<Reason>,
}

/// Why a component serves one use case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason {
    /// The use case.
    pub use_case: UseCase,
    /// The feature that does the job, if the rule names one.
    pub feature: Option<String>,
    /// The rule's explanation.
    pub why: String,
}

/// A pair of stores that must agree, and how.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncStep {
    /// The store the data comes from.
    pub from: String,
    /// The store filled from it.
    pub to: String,
    /// The pattern, in a sentence or two.
    pub pattern: String,
    /// The guide that explains it.
    pub guide: String,
}

/// Recommends the stack for `request` from the rules and catalog in `knowledge`.
pub fn recommend(
    knowledge: &Knowledge,
    request: &Request,
) -> Result<Recommendation, RecommendError> {
    let rules = &knowledge.rules;
    let mut stack: Vec<Component> = Vec::new();
    let mut sync: Vec<(SyncStep, &str)> = Vec::new();
    for &use_case in &request.use_cases {
        let serve = rules
            .serve(use_case, request.scale, request.hosting)
            .ok_or(RecommendError::NoRule {
                use_case,
                scale: request.scale,
            })?;
        let guides: Vec<&str> = serve.guides.iter().map(|(slug, _)| slug.as_str()).collect();
        let reason = Reason {
            use_case,
            feature: serve.feature.clone(),
            why: serve.why.clone(),
        };
        let serving = component(&mut stack, knowledge, &serve.database);
        serving.add(reason, &guides);
        for (id, _) in &serve.extensions {
            serving.add_extension(id, display_name(knowledge, id));
        }
        let Some(rule) = &serve.sync else {
            continue;
        };
        let target = display_name(knowledge, &serve.database);
        let pattern = rules.pattern(&rule.pattern);
        let source = Reason {
            use_case,
            feature: None,
            why: format!(
                "the source of truth that {target} is filled from{}.",
                pattern.map_or(String::new(), |p| format!(" ({})", p.id))
            ),
        };
        let pattern_guide: Vec<&str> = pattern.iter().map(|p| p.guide.0.as_str()).collect();
        component(&mut stack, knowledge, &rule.from).add(source, &pattern_guide);
        if let Some(pattern) = pattern {
            let step = SyncStep {
                from: rule.from.clone(),
                to: serve.database.clone(),
                pattern: pattern.text.clone(),
                guide: pattern.guide.0.clone(),
            };
            if !sync
                .iter()
                .any(|(s, id)| s.from == step.from && s.to == step.to && *id == pattern.id)
            {
                sync.push((step, &pattern.id));
            }
        }
    }

    let system_of_record = rules.system_of_record.as_deref();
    stack.sort_by(|a, b| {
        let first = |c: &Component| Some(c.database.as_str()) != system_of_record;
        first(a)
            .cmp(&first(b))
            .then(b.use_cases.len().cmp(&a.use_cases.len()))
            .then(a.use_cases.first().cmp(&b.use_cases.first()))
            .then(a.database.cmp(&b.database))
    });
    for c in &mut stack {
        c.why = c
            .reasons
            .iter()
            .map(|r| format!("{}: {}", r.use_case, r.why))
            .collect::<Vec<_>>()
            .join(" ");
    }
    let position = |id: &str| stack.iter().position(|c| c.database == id);
    sync.sort_by_key(|(s, _)| (position(&s.to), position(&s.from)));

    let in_stack = |id: &String| stack.iter().any(|c| &c.database == id);
    let notes = rules
        .notes
        .iter()
        .filter(|n| n.scales.is_empty() || n.scales.contains(&request.scale))
        .filter(|n| {
            n.hostings.is_empty() || request.hosting.is_some_and(|h| n.hostings.contains(&h))
        })
        .filter(|n| n.use_cases.iter().all(|u| request.use_cases.contains(u)))
        .filter(|n| n.databases.iter().all(in_stack))
        .map(|n| n.text.clone())
        .collect();

    Ok(Recommendation {
        use_cases: request.use_cases.clone(),
        scale: request.scale,
        hosting: request.hosting,
        stack,
        sync: sync.into_iter().map(|(s, _)| s).collect(),
        notes,
    })
}

/// The component for `database`, created on first use.
fn component<'s>(
    stack: &'s mut Vec<Component>,
    knowledge: &Knowledge,
    database: &str,
) -> &'s mut Component {
    let index = if let Some(i) = stack.iter().position(|c| c.database == database) {
        i
    } else {
        let role = knowledge
            .rules
            .role(database)
            .or_else(|| knowledge.catalog.get(database).map(|d| d.kind.as_str()))
            .unwrap_or_default()
            .to_owned();
        stack.push(Component {
            database: database.to_owned(),
            extensions: Vec::new(),
            role,
            use_cases: Vec::new(),
            why: String::new(),
            guides: Vec::new(),
            name: display_name(knowledge, database),
            extension_names: Vec::new(),
            reasons: Vec::new(),
        });
        stack.len() - 1
    };
    &mut stack[index]
}

impl Component {
    /// The store with the extensions it runs: `PostgreSQL + pgvector + PostGIS`.
    pub fn title(&self) -> String {
        std::iter::once(self.name.as_str())
            .chain(self.extension_names.iter().map(String::as_str))
            .collect::<Vec<_>>()
            .join(" + ")
    }

    fn add_extension(&mut self, id: &str, name: String) {
        if !self.extensions.iter().any(|e| e == id) {
            self.extensions.push(id.to_owned());
            self.extension_names.push(name);
        }
    }

    fn add(&mut self, reason: Reason, guides: &[&str]) {
        if !self.use_cases.contains(&reason.use_case) {
            self.use_cases.push(reason.use_case);
        }
        self.reasons.push(reason);
        for &guide in guides {
            if !self.guides.iter().any(|g| g == guide) {
                self.guides.push(guide.to_owned());
            }
        }
    }
}

fn display_name(knowledge: &Knowledge, id: &str) -> String {
    knowledge
        .catalog
        .get(id)
        .map_or_else(|| id.to_owned(), |d| d.name.clone())
}
