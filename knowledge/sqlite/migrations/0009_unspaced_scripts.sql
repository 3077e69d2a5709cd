-- Chinese, Japanese and Korean passages are re-indexed as their single
-- characters and overlapping pairs (see IndexText in text.go): the
-- tokenizer kept a whole run of such characters as one token, so a word
-- inside running text could not be found. attache_index_text is IndexText,
-- registered on the writer's connections; it returns other text unchanged.
CREATE TEMP TABLE reindex AS
    SELECT id, text FROM (
        SELECT p.id AS id,
               CASE WHEN p.id = a.first_passage THEN a.title || char(10) || char(10) || p.text ELSE p.text END AS text
        FROM articles a JOIN passages p ON p.id >= a.first_passage AND p.id < a.first_passage + a.passages)
    WHERE attache_index_text(text) <> text;
DELETE FROM passages_fts WHERE rowid IN (SELECT id FROM reindex);
INSERT INTO passages_fts(rowid, text) SELECT id, attache_index_text(text) FROM reindex;
DROP TABLE reindex;
