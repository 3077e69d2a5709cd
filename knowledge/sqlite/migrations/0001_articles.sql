-- Articles, their alternate URLs, and their passages with a full-text index.
CREATE TABLE articles (
    id            INTEGER PRIMARY KEY,
    url           TEXT    NOT NULL,
    url_key       INTEGER NOT NULL, -- 64-bit hash of url, for a small index
    source        TEXT    NOT NULL DEFAULT '',
    title         TEXT    NOT NULL,
    author        TEXT    NOT NULL DEFAULT '',
    published     INTEGER NOT NULL, -- unix seconds, UTC
    fetched       INTEGER NOT NULL, -- unix seconds, UTC
    lang          TEXT    NOT NULL DEFAULT '',
    hash          TEXT    NOT NULL,
    hash_key      INTEGER NOT NULL, -- 64-bit hash of hash
    -- The article's passages are the rows first_passage .. first_passage+passages-1
    -- of the passages table: they are written together, in order.
    first_passage INTEGER NOT NULL DEFAULT 0,
    passages      INTEGER NOT NULL DEFAULT 0
);
-- Lookups by URL and by text go through integer keys: an index of 8-byte
-- keys holds several times the entries per page of one of URLs, and
-- ingestion touches these pages at random. The writer checks the URL
-- before it inserts, so a URL is stored once.
CREATE INDEX articles_url_key ON articles(url_key);
CREATE INDEX articles_hash_key ON articles(hash_key);
CREATE INDEX articles_published ON articles(published);
CREATE INDEX articles_source ON articles(source COLLATE NOCASE);
CREATE INDEX articles_first_passage ON articles(first_passage);

-- Other URLs under which an already stored article was seen.
CREATE TABLE article_urls (
    url        TEXT    PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE
);
CREATE INDEX article_urls_article ON article_urls(article_id);

-- Passages live in the full-text table itself, one row each, so storing a
-- passage is one insert; a passage's article is the one whose range holds
-- its rowid. The title is indexed with an article's first passage only.
-- unicode61 with remove_diacritics 2 folds "Noël" to "noel"; porter stems
-- English.
CREATE VIRTUAL TABLE passages USING fts5(
    title, text,
    tokenize = 'porter unicode61 remove_diacritics 2'
);
CREATE VIRTUAL TABLE passages_vocab USING fts5vocab(passages, 'row');

-- Titles weigh twice the passage text in the ranking.
INSERT INTO passages(passages, rank) VALUES ('rank', 'bm25(2.0, 1.0)');
