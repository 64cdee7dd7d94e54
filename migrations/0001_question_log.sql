-- The question log: every /ask and /recommend, and every feedback vote.
-- Append-only migrations: never edit this file once released; add 0002_… instead.

-- Per-database settings; `salt` is the random salt of the askers' hashes.
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE interactions (
    -- Random id made when the question arrives: feedback buttons refer to it, and replaying a
    -- spool file cannot insert a row twice.
    uid          TEXT PRIMARY KEY,
    at_ms        INTEGER NOT NULL,              -- Unix time in milliseconds, UTC
    command      TEXT NOT NULL CHECK (command IN ('ask', 'recommend')),
    question     TEXT NOT NULL,                 -- the question, or the use cases and options
    guild_id     TEXT,
    channel_id   TEXT,
    asker_hash   TEXT,                          -- sha256(salt || user id), hex
    asker_id     TEXT,                          -- raw user id, only when the operator opts in
    top_guide    TEXT,
    top_score    REAL,
    top_coverage REAL,                          -- share of the question the top hit covers
    answered     INTEGER NOT NULL CHECK (answered IN (0, 1)),
    hits         TEXT NOT NULL DEFAULT '[]',    -- JSON: [{"guide", "section", "score"}] as shown
    latency_ms   REAL NOT NULL
) STRICT;

CREATE INDEX interactions_at ON interactions (at_ms);
CREATE INDEX interactions_asker ON interactions (asker_hash);

-- One vote per person per answer; voting again changes it.
CREATE TABLE feedback (
    interaction_uid TEXT NOT NULL,
    voter_hash      TEXT NOT NULL,
    voter_id        TEXT,
    vote            INTEGER NOT NULL CHECK (vote IN (-1, 1)),
    at_ms           INTEGER NOT NULL,
    PRIMARY KEY (interaction_uid, voter_hash)
) STRICT;

CREATE INDEX feedback_voter ON feedback (voter_hash);
