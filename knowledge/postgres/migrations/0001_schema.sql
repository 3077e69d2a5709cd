-- Attache's store in PostgreSQL. Passages are indexed by the terms
-- knowledge/text makes of them (folded, stemmed, Chinese, Japanese and
-- Korean as character pairs), so that search sees the words the SQLite
-- store sees.
CREATE TABLE articles (
    id        BIGSERIAL PRIMARY KEY,
    url       TEXT        NOT NULL UNIQUE,
    source    TEXT        NOT NULL DEFAULT '',
    title     TEXT        NOT NULL,
    author    TEXT        NOT NULL DEFAULT '',
    published TIMESTAMPTZ NOT NULL,
    fetched   TIMESTAMPTZ NOT NULL,
    lang      TEXT        NOT NULL DEFAULT '',
    hash      TEXT        NOT NULL UNIQUE,
    undated   BOOLEAN     NOT NULL DEFAULT false
);
CREATE INDEX articles_published ON articles(published);
CREATE INDEX articles_source ON articles(lower(source));

-- Other URLs the same text was found under.
CREATE TABLE article_urls (
    url        TEXT PRIMARY KEY,
    article_id BIGINT NOT NULL REFERENCES articles(id) ON DELETE CASCADE
);

CREATE TABLE passages (
    id         BIGSERIAL PRIMARY KEY,
    article_id BIGINT   NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    ord        INTEGER  NOT NULL,
    text       TEXT     NOT NULL,
    tsv        TSVECTOR NOT NULL
);
CREATE INDEX passages_article ON passages(article_id, ord);
CREATE INDEX passages_tsv ON passages USING GIN (tsv);

-- How many passages hold each index term, for weighing a query's words:
-- kept up to date by each write transaction, in one statement.
CREATE TABLE terms (
    term TEXT PRIMARY KEY,
    df   BIGINT NOT NULL
);

CREATE TABLE people (
    id   BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL,
    key  TEXT NOT NULL UNIQUE
);
CREATE TABLE person_aliases (
    alias     TEXT   NOT NULL,
    person_id BIGINT NOT NULL REFERENCES people(id),
    PRIMARY KEY (alias, person_id)
);
CREATE TABLE roles (
    person_id  BIGINT  NOT NULL REFERENCES people(id),
    article_id BIGINT  NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    role       TEXT    NOT NULL,
    sentence   TEXT    NOT NULL,
    ord        INTEGER NOT NULL
);
CREATE INDEX roles_person ON roles(person_id);
CREATE INDEX roles_article ON roles(article_id);

CREATE TABLE feeds (
    id            BIGSERIAL PRIMARY KEY,
    url           TEXT    NOT NULL UNIQUE,
    title         TEXT    NOT NULL DEFAULT '',
    added_by      TEXT    NOT NULL DEFAULT '',
    added_at      BIGINT  NOT NULL,
    etag          TEXT    NOT NULL DEFAULT '',
    last_modified TEXT    NOT NULL DEFAULT '',
    last_fetch    BIGINT  NOT NULL DEFAULT 0,
    last_ok       BIGINT  NOT NULL DEFAULT 0,
    last_new      BIGINT  NOT NULL DEFAULT 0,
    failures      INTEGER NOT NULL DEFAULT 0,
    last_error    TEXT    NOT NULL DEFAULT '',
    next_fetch    BIGINT  NOT NULL DEFAULT 0,
    disabled      BOOLEAN NOT NULL DEFAULT false,
    operator      BOOLEAN NOT NULL DEFAULT false
);
CREATE TABLE feed_servers (
    feed_id  BIGINT NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
    guild_id TEXT   NOT NULL,
    added_by TEXT   NOT NULL DEFAULT '',
    added_at BIGINT NOT NULL,
    PRIMARY KEY (guild_id, feed_id)
);
CREATE INDEX feed_servers_feed ON feed_servers(feed_id);

CREATE TABLE subscriptions (
    id           BIGSERIAL PRIMARY KEY,
    guild_id     TEXT    NOT NULL,
    channel_id   TEXT    NOT NULL UNIQUE,
    minute       INTEGER NOT NULL,
    timezone     TEXT    NOT NULL,
    created_by   TEXT    NOT NULL DEFAULT '',
    created_at   BIGINT  NOT NULL,
    last_date    TEXT    NOT NULL DEFAULT '',
    sending_date TEXT    NOT NULL DEFAULT '',
    sending_at   BIGINT  NOT NULL DEFAULT 0,
    last_sent_at BIGINT  NOT NULL DEFAULT 0
);
CREATE INDEX subscriptions_guild ON subscriptions(guild_id);

CREATE TABLE exchanges (
    message_id TEXT PRIMARY KEY,
    question   TEXT   NOT NULL,
    answer     TEXT   NOT NULL,
    created    BIGINT NOT NULL
);
CREATE INDEX exchanges_created ON exchanges(created);
