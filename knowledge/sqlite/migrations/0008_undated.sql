-- An article whose page states no publication date is kept, dated by when
-- it was fetched, and marked so that citations can say it is undated.
ALTER TABLE articles ADD COLUMN undated INTEGER NOT NULL DEFAULT 0;
