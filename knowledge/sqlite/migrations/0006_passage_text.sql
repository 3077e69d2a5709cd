-- Passage text moves out of the full-text table into a plain one, and the
-- full-text table keeps only its index (contentless), over one column.
-- An FTS5 table with a second column (the title) cost a third more to
-- write than one with a single column, whatever the second column held;
-- an article's title is now indexed with the text of its first passage.
-- contentless_delete lets an edited article's passages leave the index.
DROP TABLE passages_vocab;
ALTER TABLE passages RENAME TO passages_old;

CREATE TABLE passages (
    id   INTEGER PRIMARY KEY, -- rowid in passages_fts too
    text TEXT NOT NULL
);
INSERT INTO passages(id, text) SELECT rowid, text FROM passages_old;

CREATE VIRTUAL TABLE passages_fts USING fts5(
    text,
    content = '', contentless_delete = 1,
    tokenize = 'porter unicode61 remove_diacritics 2'
);
-- See 0004_fts_tuning.sql.
INSERT INTO passages_fts(passages_fts, rank) VALUES ('hashsize', 16777216);
INSERT INTO passages_fts(passages_fts, rank) VALUES ('automerge', 8);
INSERT INTO passages_fts(rowid, text)
    SELECT rowid, CASE WHEN title <> '' THEN title || char(10) || char(10) || text ELSE text END FROM passages_old;

DROP TABLE passages_old;
CREATE VIRTUAL TABLE passages_vocab USING fts5vocab(passages_fts, 'row');
