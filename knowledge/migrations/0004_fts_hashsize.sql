-- FTS5 keeps the terms of a write transaction in memory and writes them out
-- as a new index segment when they pass "hashsize" or at commit. At the
-- default 1 MB a bulk ingest wrote many small segments that were then
-- merged again and again; 16 MB (ingestion commits every few thousand
-- articles) gives fewer, larger segments, so less merging on write and
-- fewer segments to read per query.
INSERT INTO passages(passages, rank) VALUES ('hashsize', 16777216);
