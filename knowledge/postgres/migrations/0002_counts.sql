-- How many passages there are, for weighing a query's words without
-- counting them (a count of every passage took most of a query's time at
-- 20,000 articles): kept up to date by each write transaction, as terms is.
CREATE TABLE counts (
    name TEXT PRIMARY KEY,
    n    BIGINT NOT NULL
);
INSERT INTO counts(name, n) SELECT 'passages', count(*) FROM passages;
