-- Feeds Attache polls, with what conditional requests and backoff need.
CREATE TABLE feeds (
    id            INTEGER PRIMARY KEY,
    url           TEXT    NOT NULL UNIQUE,
    title         TEXT    NOT NULL DEFAULT '',
    added_by      TEXT    NOT NULL DEFAULT '',
    added_at      INTEGER NOT NULL,
    etag          TEXT    NOT NULL DEFAULT '',
    last_modified TEXT    NOT NULL DEFAULT '',
    last_fetch    INTEGER NOT NULL DEFAULT 0, -- unix seconds of the last attempt
    last_ok       INTEGER NOT NULL DEFAULT 0, -- of the last success (200 or 304)
    last_new      INTEGER NOT NULL DEFAULT 0, -- of the last new article
    failures      INTEGER NOT NULL DEFAULT 0, -- consecutive
    last_error    TEXT    NOT NULL DEFAULT '',
    next_fetch    INTEGER NOT NULL DEFAULT 0,
    disabled      INTEGER NOT NULL DEFAULT 0
);

-- Channels subscribed to the daily digest. The schedule state lives here so
-- that any process (or shard) can tell what is due and claim it once:
-- sending_date is set, by a conditional update, before a digest is posted,
-- and cleared with last_date when posting is recorded. A claim older than a
-- lease is taken over (again by a conditional update) and the digest is
-- checked against the channel before it is sent again.
CREATE TABLE subscriptions (
    id           INTEGER PRIMARY KEY,
    guild_id     TEXT    NOT NULL,
    channel_id   TEXT    NOT NULL UNIQUE,
    minute       INTEGER NOT NULL, -- minutes after local midnight
    timezone     TEXT    NOT NULL,
    created_by   TEXT    NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    last_date    TEXT    NOT NULL DEFAULT '', -- local date of the last digest posted or skipped
    sending_date TEXT    NOT NULL DEFAULT '', -- local date being posted
    sending_at   INTEGER NOT NULL DEFAULT 0,  -- when that claim was made
    last_sent_at INTEGER NOT NULL DEFAULT 0   -- when the last digest was posted
);
CREATE INDEX subscriptions_guild ON subscriptions(guild_id);
