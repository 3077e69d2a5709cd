-- A digest subscription may follow a topic: keywords its stories must hold.
ALTER TABLE subscriptions ADD COLUMN topic TEXT NOT NULL DEFAULT '';

-- The articles each subscription's digests have posted, so that a story
-- comes back only with new articles, marked as an update.
CREATE TABLE digest_posts (
    subscription_id INTEGER NOT NULL REFERENCES subscriptions(id) ON DELETE CASCADE,
    article_id      INTEGER NOT NULL,
    title           TEXT    NOT NULL,
    posted_at       INTEGER NOT NULL,
    PRIMARY KEY (subscription_id, article_id)
);
CREATE INDEX digest_posts_when ON digest_posts(subscription_id, posted_at);
