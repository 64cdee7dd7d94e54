//! The vocabulary of `recommend`: use cases, scales and hostings, with the names SPEC gives them.
//!
//! The same words are the CLI arguments, the Discord option names and the keys of
//! `knowledge/stacks.toml`, so they are defined once, here. Parsing an unknown word is an error
//! that lists the valid ones.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

/// Defines a closed vocabulary: an enum, its names in order, `as_str`, `FromStr`, `Display`.
macro_rules! vocabulary {
    (
        $(#[$meta:meta])*
        $name:ident, $what:literal {
            $($(#[$vmeta:meta])* $variant:ident = $text:literal,)+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant,)+
        }

        impl $name {
            /// Every value, in the order SPEC lists them (the order replies use).
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The name used on the command line, in Discord and in `stacks.toml`.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }

            /// Every valid name, comma-separated, for error messages.
            pub fn valid_names() -> String {
                Self::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", ")
            }
        }

        impl FromStr for $name {
            type Err = UnknownName;

            fn from_str(s: &str) -> Result<Self, UnknownName> {
                Self::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str() == s)
                    .ok_or_else(|| UnknownName {
                        what: $what,
                        name: s.to_owned(),
                        valid: Self::valid_names(),
                    })
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

vocabulary! {
    /// What the application must do: one `/recommend` flag.
    UseCase, "use case" {
        /// Orders, payments, stock: multi-row atomic writes.
        Transactions = "transactions",
        /// Login sessions.
        Sessions = "sessions",
        /// Caching computed results and hot reads.
        Caching = "caching",
        /// Requests per user, key or IP.
        RateLimiting = "rate_limiting",
        /// A search box over text.
        FullTextSearch = "full_text_search",
        /// Typo tolerance and search-as-you-type.
        FuzzySearch = "fuzzy_search",
        /// Similarity over embeddings.
        VectorSearch = "vector_search",
        /// Audit trails and event logs.
        ActivityLogs = "activity_logs",
        /// Dashboards and reports.
        Analytics = "analytics",
        /// Metrics and sensor readings.
        TimeSeries = "time_series",
        /// Live updates pushed to clients.
        Realtime = "realtime",
        /// Background jobs.
        JobQueue = "job_queue",
        /// Events shared between services.
        EventStreaming = "event_streaming",
        /// Relationship traversals.
        Graph = "graph",
        /// Places, distances, areas.
        Geospatial = "geospatial",
        /// Records whose attributes vary.
        FlexibleSchema = "flexible_schema",
    }
}

vocabulary! {
    /// How big the application is; decides when a specialised store earns its place.
    Scale, "scale" {
        /// One team, few users: one database if at all possible.
        Prototype = "prototype",
        /// Real traffic, measured hot spots.
        Growing = "growing",
        /// Volume and teams that justify a store per workload.
        Large = "large",
    }
}

vocabulary! {
    /// Where the stores run; changes some answers and much of the advice.
    Hosting, "hosting" {
        /// Servers or containers you operate.
        SelfHosted = "self_hosted",
        /// A provider runs the databases.
        Managed = "managed",
        /// Functions with no long-lived process.
        Serverless = "serverless",
    }
}

impl Default for Scale {
    /// SPEC: `growing` when no scale is given.
    fn default() -> Self {
        Self::Growing
    }
}

/// A name that is not in a vocabulary; the message lists the valid names.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} `{name}`; valid: {valid}")]
pub struct UnknownName {
    /// `use case`, `scale` or `hosting`.
    pub what: &'static str,
    /// What was given.
    pub name: String,
    /// The valid names, comma-separated.
    pub valid: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_names_list_the_valid_ones() {
        for &u in UseCase::ALL {
            assert_eq!(u.as_str().parse::<UseCase>(), Ok(u));
        }
        assert_eq!(UseCase::ALL.len(), 16);
        let err = "search".parse::<UseCase>().unwrap_err();
        assert_eq!(err.what, "use case");
        assert!(err.to_string().contains("full_text_search, fuzzy_search"));
        assert!(
            "Large".parse::<Scale>().is_err(),
            "names are exact, as in SPEC"
        );
        assert_eq!(Scale::default(), Scale::Growing);
        assert_eq!(
            serde_json::to_string(&Hosting::SelfHosted).unwrap(),
            "\"self_hosted\""
        );
    }
}
