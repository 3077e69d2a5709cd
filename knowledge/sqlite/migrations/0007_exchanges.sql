-- The question and answer behind each answer message the bot sent, so that
-- a reply to the answer can follow it up after a restart, or on another
-- shard. Kept for 30 days (see SaveExchange).
CREATE TABLE exchanges (
    message_id TEXT    PRIMARY KEY, -- the Discord message holding the answer
    question   TEXT    NOT NULL,
    answer     TEXT    NOT NULL,
    created    INTEGER NOT NULL     -- unix seconds
);
CREATE INDEX exchanges_created ON exchanges(created);
