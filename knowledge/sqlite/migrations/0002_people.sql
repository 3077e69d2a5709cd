-- People named with a title in the articles, their aliases and their roles.
CREATE TABLE people (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    key  TEXT NOT NULL UNIQUE -- folded full name
);

-- Folded forms a person is looked up by: full name, surname.
CREATE TABLE person_aliases (
    alias     TEXT    NOT NULL,
    person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    PRIMARY KEY (alias, person_id)
) WITHOUT ROWID;

-- One row per person, role and article that states it (ingestion writes
-- each once); ord is the passage that does. Roles carry no foreign keys:
-- ingestion writes thousands a second and removes an article's roles
-- itself when the article changes, and people are never deleted.
CREATE TABLE roles (
    id         INTEGER PRIMARY KEY,
    person_id  INTEGER NOT NULL,
    article_id INTEGER NOT NULL,
    role       TEXT    NOT NULL,
    ord        INTEGER NOT NULL,
    published  INTEGER NOT NULL
);
CREATE INDEX roles_person ON roles(person_id, published);
CREATE INDEX roles_article ON roles(article_id);
