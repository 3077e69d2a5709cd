package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/mattn/go-sqlite3"

	"github.com/attache-bot/attache/knowledge"
	"github.com/attache-bot/attache/knowledge/internal/sqlrow"
	"github.com/attache-bot/attache/knowledge/text"
)

// PutArticle stores one article; see PutArticles.
func (db *DB) PutArticle(ctx context.Context, a *knowledge.Article) (knowledge.PutResult, error) {
	res, err := db.PutArticles(ctx, []*knowledge.Article{a})
	if err != nil {
		return 0, err
	}
	return res[0], nil
}

// PutArticles stores articles in one transaction: all of them or none.
// Each is first normalised (see Article.Normalize). An article whose URL is
// stored already replaces the stored one when its text changed (Updated) and
// is otherwise a Duplicate; an article whose text is stored under another URL
// is a Duplicate too, and its URL is remembered as an alias. IDs are set.
func (db *DB) PutArticles(ctx context.Context, arts []*knowledge.Article) ([]knowledge.PutResult, error) {
	out, err := db.putArticles(ctx, arts)
	return out, storeError(err)
}

// storeError wraps the errors that no retry can fix in ErrUnavailable.
func storeError(err error) error {
	if err == nil || errors.Is(err, knowledge.ErrUnavailable) {
		return err
	}
	var se sqlite3.Error
	if errors.As(err, &se) {
		switch se.Code {
		case sqlite3.ErrFull, sqlite3.ErrIoErr, sqlite3.ErrReadonly, sqlite3.ErrCorrupt, sqlite3.ErrNotADB,
			sqlite3.ErrCantOpen, sqlite3.ErrNomem, sqlite3.ErrBusy, sqlite3.ErrLocked, sqlite3.ErrPerm:
			return fmt.Errorf("%w: %w", knowledge.ErrUnavailable, err)
		}
	}
	if errors.Is(err, knowledge.ErrReadOnly) {
		return fmt.Errorf("%w: %w", knowledge.ErrUnavailable, err)
	}
	return err
}

func (db *DB) putArticles(ctx context.Context, arts []*knowledge.Article) ([]knowledge.PutResult, error) {
	for i, a := range arts {
		if a.Normalized() {
			continue // normalised already, e.g. by the ingester's parsing stage
		}
		if err := a.Normalize(); err != nil {
			return nil, fmt.Errorf("article %d (%s): %w", i, a.URL, err)
		}
	}
	// The writer pool has one connection; holding it as a Conn names it, so
	// that the key filter knows which connection it was checked against.
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("begin: %w", err)
	}
	defer conn.Close()
	var driverConn any
	if err := conn.Raw(func(c any) error { driverConn = c; return nil }); err != nil {
		return nil, fmt.Errorf("begin: %w", err)
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	db.writeMu.Lock()
	defer db.writeMu.Unlock()
	if db.people == nil {
		db.people = map[string]int64{}
	}
	w, err := db.prepareWriter(ctx, tx)
	if err != nil {
		return nil, err
	}
	defer w.close()
	if w.keys, err = db.currentKeyFilter(ctx, tx, driverConn); err != nil {
		return nil, fmt.Errorf("load article keys: %w", err)
	}
	out := make([]knowledge.PutResult, len(arts))
	for i, a := range arts {
		if out[i], err = w.put(ctx, a); err != nil {
			return nil, fmt.Errorf("store %s: %w", a.URL, err)
		}
	}
	if err := w.insertRoleRuns(ctx); err != nil {
		return nil, fmt.Errorf("store roles: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("commit: %w", err)
	}
	// Only now are the people this transaction added sure to exist.
	for k, id := range w.people {
		db.people[k] = id
	}
	return out, nil
}

// writer holds the statements of one write transaction.
type writer struct {
	lookup, insArticle, updArticle, insAlias              *sql.Stmt
	insPassage, indexPassage, delPassages, unindexPassage *sql.Stmt
	insPerson, personID, insPersonAlias, insRoleRun       *sql.Stmt
	nextPassage                                           int64
	keys                                                  *keyFilter
	people                                                map[string]int64 // folded name → id, added by this transaction
	known                                                 map[string]int64 // folded name → id, committed before
	runs                                                  map[int64]*roleRun
}

// roleRun collects one person's roles in a transaction: see 0005_role_runs.sql.
type roleRun struct {
	first int64 // smallest article id
	n     int
	json  []byte // the entries, without the closing bracket
}

func (db *DB) prepareWriter(ctx context.Context, tx *sql.Tx) (*writer, error) {
	w := &writer{people: map[string]int64{}, known: db.people, runs: map[int64]*roleRun{}}
	stmts := []struct {
		dst **sql.Stmt
		q   string
	}{
		// One lookup finds the article by URL, by alias, else by text.
		{&w.lookup, `SELECT 1, id, hash, first_passage, passages FROM articles WHERE url_key = ?3 AND url = ?1
			UNION ALL SELECT 1, a.id, a.hash, a.first_passage, a.passages FROM article_urls u JOIN articles a ON a.id = u.article_id
			WHERE u.url = ?1
			UNION ALL SELECT 0, id, hash, first_passage, passages FROM articles WHERE hash_key = ?4 AND hash = ?2
			LIMIT 1`},
		{&w.insArticle, `INSERT INTO articles(url, source, title, author, published, fetched, lang, hash, first_passage, passages,
			url_key, hash_key, undated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`},
		{&w.updArticle, `UPDATE articles SET source = ?, title = ?, author = ?, published = ?, fetched = ?, lang = ?, hash = ?,
			first_passage = ?, passages = ?, hash_key = ?, undated = ? WHERE id = ?`},
		{&w.insAlias, "INSERT OR IGNORE INTO article_urls(url, article_id) VALUES (?, ?)"},
		{&w.insPassage, "INSERT INTO passages(id, text) VALUES (?, ?)"},
		{&w.indexPassage, "INSERT INTO passages_fts(rowid, text) VALUES (?, ?)"},
		{&w.delPassages, "DELETE FROM passages WHERE id >= ? AND id < ?"},
		{&w.unindexPassage, "DELETE FROM passages_fts WHERE rowid = ?"},
		{&w.insPerson, "INSERT OR IGNORE INTO people(name, key) VALUES (?, ?)"},
		{&w.personID, "SELECT id FROM people WHERE key = ?"},
		{&w.insPersonAlias, "INSERT OR IGNORE INTO person_aliases(alias, person_id) VALUES (?, ?)"},
		// A later run with the same first article (an edited article)
		// joins the stored one: two JSON arrays made one.
		{&w.insRoleRun, `INSERT INTO role_runs(run, person_id, n, roles) VALUES (?1, ?2, ?3, ?4)
			ON CONFLICT DO UPDATE SET n = n + excluded.n,
			roles = substr(roles, 1, length(roles) - 1) || ',' || substr(excluded.roles, 2)`},
	}
	for _, s := range stmts {
		st, err := tx.PrepareContext(ctx, s.q)
		if err != nil {
			w.close()
			return nil, fmt.Errorf("prepare: %w", err)
		}
		*s.dst = st
	}
	// Passages get consecutive rowids after the largest in use.
	if err := tx.QueryRowContext(ctx, "SELECT coalesce(max(rowid), 0) + 1 FROM passages").Scan(&w.nextPassage); err != nil {
		w.close()
		return nil, fmt.Errorf("next passage id: %w", err)
	}
	return w, nil
}

func (w *writer) close() {
	for _, s := range []*sql.Stmt{w.lookup, w.insArticle, w.updArticle, w.insAlias,
		w.insPassage, w.indexPassage, w.delPassages, w.unindexPassage, w.insPerson, w.personID, w.insPersonAlias, w.insRoleRun} {
		if s != nil {
			s.Close()
		}
	}
}

func (w *writer) put(ctx context.Context, a *knowledge.Article) (knowledge.PutResult, error) {
	var sameURL bool
	var id, first, count int64
	var hash string
	urlKey, hashKey := key(a.URL), key(a.Hash)
	err := sql.ErrNoRows
	if w.keys.mayHave(urlKey) || w.keys.mayHave(hashKey) {
		err = w.lookup.QueryRowContext(ctx, a.URL, a.Hash, urlKey, hashKey).Scan(&sameURL, &id, &hash, &first, &count)
	}
	switch {
	case errors.Is(err, sql.ErrNoRows):
		res, err := w.insArticle.ExecContext(ctx, a.URL, a.Source, a.Title, a.Author, a.Published.Unix(),
			a.Fetched.Unix(), a.Lang, a.Hash, w.nextPassage, len(a.IndexPassages()), urlKey, hashKey, a.Undated)
		if err != nil {
			return 0, err
		}
		w.keys.add(urlKey)
		w.keys.add(hashKey)
		if a.ID, err = res.LastInsertId(); err != nil {
			return 0, err
		}
		first := w.nextPassage
		if err := w.insertPassages(ctx, a); err != nil {
			return 0, err
		}
		return knowledge.Added, w.insertRoles(ctx, a, first)
	case err != nil:
		return 0, err
	}
	a.ID = id
	if !sameURL {
		// The same text under another URL: remember the URL, store nothing new.
		_, err := w.insAlias.ExecContext(ctx, a.URL, id)
		w.keys.add(urlKey)
		return knowledge.Duplicate, err
	}
	if hash == a.Hash {
		return knowledge.Duplicate, nil
	}
	// An edited version of a stored article: replace it in place.
	if _, err := w.delPassages.ExecContext(ctx, first, first+count); err != nil {
		return 0, err
	}
	for p := first; p < first+count; p++ {
		if _, err := w.unindexPassage.ExecContext(ctx, p); err != nil {
			return 0, err
		}
	}
	if _, err := w.updArticle.ExecContext(ctx, a.Source, a.Title, a.Author, a.Published.Unix(),
		a.Fetched.Unix(), a.Lang, a.Hash, w.nextPassage, len(a.IndexPassages()), hashKey, a.Undated, id); err != nil {
		return 0, err
	}
	w.keys.add(hashKey)
	// The roles of the old text drop out with its passages: see 0005_role_runs.sql.
	first = w.nextPassage
	if err := w.insertPassages(ctx, a); err != nil {
		return 0, err
	}
	return knowledge.Updated, w.insertRoles(ctx, a, first)
}

// insertPassages writes and indexes an article's passages at the next free
// ids. The title is indexed with the first passage (see 0006_passage_text.sql).
func (w *writer) insertPassages(ctx context.Context, a *knowledge.Article) error {
	for i, txt := range a.IndexPassages() {
		if _, err := w.insPassage.ExecContext(ctx, w.nextPassage, txt); err != nil {
			return err
		}
		indexed := txt
		if i == 0 {
			indexed = a.Title + "\n\n" + txt
		}
		indexed = text.IndexText(indexed)
		if _, err := w.indexPassage.ExecContext(ctx, w.nextPassage, indexed); err != nil {
			return err
		}
		w.nextPassage++
	}
	return nil
}

// insertRoles records the people the article names with their titles.
func (w *writer) insertRoles(ctx context.Context, a *knowledge.Article, firstPassage int64) error {
	for _, m := range a.RoleMentions() {
		id, ok := w.known[m.Key]
		if !ok {
			id, ok = w.people[m.Key]
		}
		if !ok {
			if _, err := w.insPerson.ExecContext(ctx, m.Name, m.Key); err != nil {
				return err
			}
			if err := w.personID.QueryRowContext(ctx, m.Key).Scan(&id); err != nil {
				return err
			}
			w.people[m.Key] = id
			for _, alias := range []string{m.Key, m.Key[strings.LastIndexByte(m.Key, ' ')+1:]} {
				if _, err := w.insPersonAlias.ExecContext(ctx, alias, id); err != nil {
					return err
				}
			}
		}
		w.addRole(id, a, firstPassage, m)
	}
	return nil
}

// addRole appends one role to its person's run.
func (w *writer) addRole(person int64, a *knowledge.Article, firstPassage int64, m text.RoleMention) {
	r := w.runs[person]
	if r == nil {
		r = &roleRun{first: a.ID, json: []byte{'['}}
		w.runs[person] = r
	} else {
		r.json = append(r.json, ',')
	}
	r.first = min(r.first, a.ID)
	r.n++
	r.json = append(r.json, '[')
	r.json = strconv.AppendInt(r.json, a.ID, 10)
	r.json = append(r.json, ',')
	r.json = strconv.AppendInt(r.json, int64(m.Ord), 10)
	r.json = append(r.json, ',')
	r.json = strconv.AppendInt(r.json, a.Published.Unix(), 10)
	r.json = append(r.json, ',')
	r.json = strconv.AppendInt(r.json, firstPassage, 10)
	r.json = append(r.json, ',')
	role, _ := json.Marshal(m.Role) // a string always marshals
	r.json = append(r.json, role...)
	r.json = append(r.json, ']')
}

// insertRoleRuns writes the transaction's runs, one row per person.
// They are written in key order, at the end of the table.
func (w *writer) insertRoleRuns(ctx context.Context) error {
	people := make([]int64, 0, len(w.runs))
	for p := range w.runs {
		people = append(people, p)
	}
	sort.Slice(people, func(i, j int) bool {
		a, b := w.runs[people[i]], w.runs[people[j]]
		return a.first < b.first || a.first == b.first && people[i] < people[j]
	})
	for _, p := range people {
		r := w.runs[p]
		if _, err := w.insRoleRun.ExecContext(ctx, r.first, p, r.n, string(append(r.json, ']'))); err != nil {
			return err
		}
	}
	clear(w.runs)
	return nil
}

// key is a 64-bit hash of s for the integer indexes of articles.
func key(s string) int64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return int64(h.Sum64())
}

const articleColumns = "a.id, a.url, a.source, a.title, a.author, a.published, a.fetched, a.lang, a.hash, a.undated"

func scanArticle(sc sqlrow.Scanner, a *knowledge.Article) error {
	return sc.Scan(rowArticle(a)...)
}

// Article returns one article with its body, by ID.
func (db *DB) Article(ctx context.Context, id int64) (knowledge.Article, error) {
	var a knowledge.Article
	err := scanArticle(db.read.QueryRowContext(ctx, "SELECT "+articleColumns+" FROM articles a WHERE a.id = ?", id), &a)
	if errors.Is(err, sql.ErrNoRows) {
		return a, fmt.Errorf("article %d: %w", id, knowledge.ErrNotFound)
	}
	if err != nil {
		return a, fmt.Errorf("article %d: %w", id, err)
	}
	ps, err := db.Passages(ctx, id)
	if err != nil {
		return a, err
	}
	a.Body = knowledge.JoinPassages(ps)
	return a, nil
}

// ArticleByURL returns one article with its body, by its URL or an alias.
func (db *DB) ArticleByURL(ctx context.Context, rawURL string) (knowledge.Article, error) {
	u, err := knowledge.CanonicalURL(rawURL)
	if err != nil {
		return knowledge.Article{}, err
	}
	var id int64
	err = db.read.QueryRowContext(ctx, `SELECT id FROM articles WHERE url_key = ? AND url = ?
		UNION ALL SELECT article_id FROM article_urls WHERE url = ? LIMIT 1`, key(u), u, u).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return knowledge.Article{}, fmt.Errorf("article %s: %w", u, knowledge.ErrNotFound)
	}
	if err != nil {
		return knowledge.Article{}, fmt.Errorf("article %s: %w", u, err)
	}
	return db.Article(ctx, id)
}

// HasURL reports whether an article is stored under rawURL (or an alias).
func (db *DB) HasURL(ctx context.Context, rawURL string) (bool, error) {
	u, err := knowledge.CanonicalURL(rawURL)
	if err != nil {
		return false, err
	}
	var n int
	err = db.read.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM articles WHERE url_key = ? AND url = ?)
		OR EXISTS (SELECT 1 FROM article_urls WHERE url = ?)`, key(u), u, u).Scan(&n)
	return n == 1, err
}

// Newest returns the publication time of the newest article, or zero
// when there is none.
func (db *DB) Newest(ctx context.Context) (time.Time, error) {
	var n int64
	if err := db.read.QueryRowContext(ctx, "SELECT coalesce(max(published), 0) FROM articles").Scan(&n); err != nil {
		return time.Time{}, fmt.Errorf("newest article: %w", err)
	}
	if n == 0 {
		return time.Time{}, nil
	}
	return time.Unix(n, 0).UTC(), nil
}

// Passages returns an article's passages in order.
func (db *DB) Passages(ctx context.Context, articleID int64) ([]knowledge.Passage, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT p.rowid, a.id, p.rowid - a.first_passage, p.text FROM articles a
		JOIN passages p ON p.rowid >= a.first_passage AND p.rowid < a.first_passage + a.passages
		WHERE a.id = ? ORDER BY p.rowid`, articleID)
	if err != nil {
		return nil, fmt.Errorf("passages of article %d: %w", articleID, err)
	}
	return collect(rows, func(r sqlrow.Scanner) (knowledge.Passage, error) {
		var p knowledge.Passage
		return p, r.Scan(&p.ID, &p.ArticleID, &p.Ord, &p.Text)
	})
}

// Stats counts the stored articles, passages and publications.
func (db *DB) Stats(ctx context.Context) (knowledge.Stats, error) {
	var s knowledge.Stats
	var newest, oldest sql.NullInt64
	err := db.read.QueryRowContext(ctx, `SELECT count(*), count(DISTINCT lower(source)), max(published), min(published) FROM articles`).
		Scan(&s.Articles, &s.Sources, &newest, &oldest)
	if err != nil {
		return s, fmt.Errorf("stats: %w", err)
	}
	if err := db.read.QueryRowContext(ctx, "SELECT coalesce(sum(passages), 0) FROM articles").Scan(&s.Passages); err != nil {
		return s, fmt.Errorf("stats: %w", err)
	}
	if newest.Valid {
		s.Newest = time.Unix(newest.Int64, 0).UTC()
		s.Oldest = time.Unix(oldest.Int64, 0).UTC()
	}
	return s, nil
}

// RecentArticles lists articles published at or after since, newest first.
func (db *DB) RecentArticles(ctx context.Context, since time.Time, limit int) ([]knowledge.Article, error) {
	if limit <= 0 {
		limit = 50
	}
	rows, err := db.read.QueryContext(ctx, "SELECT "+articleColumns+" FROM articles a WHERE a.published >= ? ORDER BY a.published DESC, a.id DESC LIMIT ?",
		since.Unix(), limit)
	if err != nil {
		return nil, fmt.Errorf("recent articles: %w", err)
	}
	return collect(rows, func(r sqlrow.Scanner) (knowledge.Article, error) {
		var a knowledge.Article
		return a, scanArticle(r, &a)
	})
}

// ExportArticles calls fn with each article published since, oldest first,
// with its body and aliases (see knowledge.ArticleStore). The ids are read
// first, so fn may take its time without holding a read open.
func (db *DB) ExportArticles(ctx context.Context, since time.Time, fn func(knowledge.Article, []string) error) error {
	rows, err := db.read.QueryContext(ctx, "SELECT id FROM articles WHERE published >= ? ORDER BY published, url", since.Unix())
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	ids, err := collect(rows, func(r sqlrow.Scanner) (int64, error) {
		var id int64
		return id, r.Scan(&id)
	})
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	for _, id := range ids {
		a, err := db.Article(ctx, id)
		if errors.Is(err, knowledge.ErrNotFound) {
			continue // replaced since the ids were read
		}
		if err != nil {
			return fmt.Errorf("export: %w", err)
		}
		rows, err := db.read.QueryContext(ctx, "SELECT url FROM article_urls WHERE article_id = ? ORDER BY url", id)
		if err != nil {
			return fmt.Errorf("export: %w", err)
		}
		aliases, err := collect(rows, func(r sqlrow.Scanner) (string, error) {
			var u string
			return u, r.Scan(&u)
		})
		if err != nil {
			return fmt.Errorf("export: %w", err)
		}
		if err := fn(a, aliases); err != nil {
			return err
		}
	}
	return nil
}

// ArticlesBetween returns the articles published in [since, until), oldest
// first (see knowledge.ArticleStore).
func (db *DB) ArticlesBetween(ctx context.Context, since, until time.Time, limit int) ([]knowledge.Article, error) {
	if limit <= 0 {
		limit = 50
	}
	rows, err := db.read.QueryContext(ctx, "SELECT "+articleColumns+" FROM articles a WHERE a.published >= ? AND a.published < ? ORDER BY a.published, a.id LIMIT ?",
		since.Unix(), until.Unix(), limit)
	if err != nil {
		return nil, fmt.Errorf("articles between: %w", err)
	}
	return collect(rows, func(r sqlrow.Scanner) (knowledge.Article, error) {
		var a knowledge.Article
		return a, scanArticle(r, &a)
	})
}

// Outlets returns the outlets whose name holds typed, the largest first
// (see knowledge.ArticleStore).
func (db *DB) Outlets(ctx context.Context, typed string, limit int) ([]string, error) {
	if limit <= 0 {
		limit = 25
	}
	rows, err := db.read.QueryContext(ctx, `SELECT source FROM articles WHERE source <> '' AND instr(lower(source), lower(?)) > 0
		GROUP BY source ORDER BY count(*) DESC, source LIMIT ?`, strings.TrimSpace(typed), limit)
	if err != nil {
		return nil, fmt.Errorf("outlets: %w", err)
	}
	return collect(rows, func(r sqlrow.Scanner) (string, error) {
		var s string
		return s, r.Scan(&s)
	})
}
