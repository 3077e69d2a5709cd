-- Articles, their alternate URLs, and their passages with a full-text index.
CREATE TABLE articles (
    id        INTEGER PRIMARY KEY,
    url       TEXT    NOT NULL UNIQUE,
    source    TEXT    NOT NULL DEFAULT '',
    title     TEXT    NOT NULL,
    author    TEXT    NOT NULL DEFAULT '',
    published INTEGER NOT NULL, -- unix seconds, UTC
    fetched   INTEGER NOT NULL, -- unix seconds, UTC
    lang      TEXT    NOT NULL DEFAULT '',
    hash      TEXT    NOT NULL
);
CREATE INDEX articles_hash ON articles(hash);
CREATE INDEX articles_published ON articles(published);
CREATE INDEX articles_source ON articles(source COLLATE NOCASE);

-- Other URLs under which an already stored article was seen.
CREATE TABLE article_urls (
    url        TEXT    PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE
);
CREATE INDEX article_urls_article ON article_urls(article_id);

CREATE TABLE passages (
    id         INTEGER PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    ord        INTEGER NOT NULL,
    text       TEXT    NOT NULL
);
CREATE INDEX passages_article ON passages(article_id, ord);

-- The index holds each passage with its article's title. It keeps no copy of
-- the text (passages has it); contentless_delete lets a passage be removed.
-- unicode61 with remove_diacritics 2 folds "Noël" to "noel"; porter stems English.
CREATE VIRTUAL TABLE passages_fts USING fts5(
    title, text,
    content = '', contentless_delete = 1,
    tokenize = 'porter unicode61 remove_diacritics 2'
);
CREATE VIRTUAL TABLE passages_vocab USING fts5vocab(passages_fts, 'row');

-- Titles weigh twice the passage text in the ranking.
INSERT INTO passages_fts(passages_fts, rank) VALUES ('rank', 'bm25(2.0, 1.0)');
