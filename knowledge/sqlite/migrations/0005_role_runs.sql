-- Roles are stored in runs: one row per person and write transaction,
-- holding every role the transaction's articles give that person, as a
-- JSON array of [article_id, ord, published, first_passage, role]. A bulk
-- ingest then writes one row per person named in a batch instead of one
-- row (and two index entries) per mention. An entry counts while its
-- article still starts at first_passage: an edited article gets new
-- passages, so the roles of its old text drop out without a delete.
--
-- Rows are keyed by run first, so that a transaction's rows go at the end
-- of the table (new articles have the largest ids); only the small index
-- by person takes inserts all over.
CREATE TABLE role_runs (
    run       INTEGER NOT NULL, -- the smallest article id in the run
    person_id INTEGER NOT NULL,
    n         INTEGER NOT NULL, -- entries in roles
    roles     TEXT    NOT NULL,
    PRIMARY KEY (run, person_id)
) WITHOUT ROWID;
CREATE INDEX role_runs_person ON role_runs(person_id);

INSERT INTO role_runs(person_id, run, n, roles)
SELECT r.person_id, min(r.article_id), count(*),
       json_group_array(json_array(r.article_id, r.ord, r.published, a.first_passage, r.role))
FROM roles r JOIN articles a ON a.id = r.article_id
GROUP BY r.person_id;

DROP TABLE roles;
