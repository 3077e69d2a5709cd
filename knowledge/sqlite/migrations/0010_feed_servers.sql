-- A feed belongs to the servers that follow it, or to the operator (added
-- with the command line). A URL several servers follow is one feed, fetched
-- once per interval for all of them.
ALTER TABLE feeds ADD COLUMN operator INTEGER NOT NULL DEFAULT 0;
CREATE TABLE feed_servers (
    feed_id  INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
    guild_id TEXT    NOT NULL,
    added_by TEXT    NOT NULL DEFAULT '',
    added_at INTEGER NOT NULL,
    PRIMARY KEY (guild_id, feed_id)
);
CREATE INDEX feed_servers_feed ON feed_servers(feed_id);
-- Which server added an existing feed was never recorded: they stay the
-- operator's, listed and removed with the command line, still polled.
UPDATE feeds SET operator = 1;
