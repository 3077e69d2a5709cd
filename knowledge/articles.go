package knowledge

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// PutResult says what storing one article did.
type PutResult int

// The outcomes of storing an article.
const (
	Added     PutResult = iota + 1 // a new article
	Updated                        // a stored article (same URL) whose text changed
	Duplicate                      // already stored, under this URL or with the same text under another
)

func (r PutResult) String() string {
	switch r {
	case Added:
		return "added"
	case Updated:
		return "updated"
	case Duplicate:
		return "duplicate"
	}
	return "unknown"
}

// ErrNotFound is returned when an article does not exist.
var ErrNotFound = errors.New("not found")

// PutArticle stores one article; see PutArticles.
func (db *DB) PutArticle(ctx context.Context, a *Article) (PutResult, error) {
	res, err := db.PutArticles(ctx, []*Article{a})
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
func (db *DB) PutArticles(ctx context.Context, arts []*Article) ([]PutResult, error) {
	for i, a := range arts {
		if err := a.Normalize(); err != nil {
			return nil, fmt.Errorf("article %d (%s): %w", i, a.URL, err)
		}
	}
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	w, err := prepareWriter(ctx, tx)
	if err != nil {
		return nil, err
	}
	defer w.close()
	out := make([]PutResult, len(arts))
	for i, a := range arts {
		if out[i], err = w.put(ctx, a); err != nil {
			return nil, fmt.Errorf("store %s: %w", a.URL, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("commit: %w", err)
	}
	return out, nil
}

// writer holds the statements of one write transaction.
type writer struct {
	byURL, byAlias, byHash, insArticle, updArticle, insAlias *sql.Stmt
	insPassage, insFTS, passageIDs, delFTS, delPassages      *sql.Stmt
}

func prepareWriter(ctx context.Context, tx *sql.Tx) (*writer, error) {
	w := &writer{}
	stmts := []struct {
		dst **sql.Stmt
		q   string
	}{
		{&w.byURL, "SELECT id, hash FROM articles WHERE url = ?"},
		{&w.byAlias, "SELECT a.id, a.hash FROM article_urls u JOIN articles a ON a.id = u.article_id WHERE u.url = ?"},
		{&w.byHash, "SELECT id FROM articles WHERE hash = ? LIMIT 1"},
		{&w.insArticle, `INSERT INTO articles(url, source, title, author, published, fetched, lang, hash)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`},
		{&w.updArticle, `UPDATE articles SET source = ?, title = ?, author = ?, published = ?, fetched = ?, lang = ?, hash = ?
			WHERE id = ?`},
		{&w.insAlias, "INSERT OR IGNORE INTO article_urls(url, article_id) VALUES (?, ?)"},
		{&w.insPassage, "INSERT INTO passages(article_id, ord, text) VALUES (?, ?, ?)"},
		{&w.insFTS, "INSERT INTO passages_fts(rowid, title, text) VALUES (?, ?, ?)"},
		{&w.passageIDs, "SELECT id FROM passages WHERE article_id = ?"},
		{&w.delFTS, "DELETE FROM passages_fts WHERE rowid = ?"},
		{&w.delPassages, "DELETE FROM passages WHERE article_id = ?"},
	}
	for _, s := range stmts {
		st, err := tx.PrepareContext(ctx, s.q)
		if err != nil {
			w.close()
			return nil, fmt.Errorf("prepare: %w", err)
		}
		*s.dst = st
	}
	return w, nil
}

func (w *writer) close() {
	for _, s := range []*sql.Stmt{w.byURL, w.byAlias, w.byHash, w.insArticle, w.updArticle, w.insAlias,
		w.insPassage, w.insFTS, w.passageIDs, w.delFTS, w.delPassages} {
		if s != nil {
			s.Close()
		}
	}
}

func (w *writer) put(ctx context.Context, a *Article) (PutResult, error) {
	var id int64
	var hash string
	err := w.byURL.QueryRowContext(ctx, a.URL).Scan(&id, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		err = w.byAlias.QueryRowContext(ctx, a.URL).Scan(&id, &hash)
	}
	switch {
	case err == nil:
		a.ID = id
		if hash == a.Hash {
			return Duplicate, nil
		}
		// An edited version of a stored article: replace it in place.
		if _, err := w.updArticle.ExecContext(ctx, a.Source, a.Title, a.Author, a.Published.Unix(),
			a.Fetched.Unix(), a.Lang, a.Hash, id); err != nil {
			return 0, err
		}
		if err := w.deletePassages(ctx, id); err != nil {
			return 0, err
		}
		return Updated, w.insertPassages(ctx, a)
	case !errors.Is(err, sql.ErrNoRows):
		return 0, err
	}
	// The same text under another URL: remember the URL, store nothing new.
	err = w.byHash.QueryRowContext(ctx, a.Hash).Scan(&id)
	if err == nil {
		a.ID = id
		if _, err := w.insAlias.ExecContext(ctx, a.URL, id); err != nil {
			return 0, err
		}
		return Duplicate, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, err
	}
	res, err := w.insArticle.ExecContext(ctx, a.URL, a.Source, a.Title, a.Author, a.Published.Unix(),
		a.Fetched.Unix(), a.Lang, a.Hash)
	if err != nil {
		return 0, err
	}
	if a.ID, err = res.LastInsertId(); err != nil {
		return 0, err
	}
	return Added, w.insertPassages(ctx, a)
}

func (w *writer) insertPassages(ctx context.Context, a *Article) error {
	for i, text := range SplitPassages(a.Body) {
		res, err := w.insPassage.ExecContext(ctx, a.ID, i, text)
		if err != nil {
			return err
		}
		pid, err := res.LastInsertId()
		if err != nil {
			return err
		}
		if _, err := w.insFTS.ExecContext(ctx, pid, a.Title, text); err != nil {
			return err
		}
	}
	return nil
}

func (w *writer) deletePassages(ctx context.Context, articleID int64) error {
	rows, err := w.passageIDs.QueryContext(ctx, articleID)
	if err != nil {
		return err
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, id := range ids {
		if _, err := w.delFTS.ExecContext(ctx, id); err != nil {
			return err
		}
	}
	_, err = w.delPassages.ExecContext(ctx, articleID)
	return err
}

const articleColumns = "a.id, a.url, a.source, a.title, a.author, a.published, a.fetched, a.lang, a.hash"

func scanArticle(sc interface{ Scan(...any) error }, a *Article) error {
	var pub, fetched int64
	if err := sc.Scan(&a.ID, &a.URL, &a.Source, &a.Title, &a.Author, &pub, &fetched, &a.Lang, &a.Hash); err != nil {
		return err
	}
	a.Published = time.Unix(pub, 0).UTC()
	a.Fetched = time.Unix(fetched, 0).UTC()
	return nil
}

// Article returns one article with its body, by ID.
func (db *DB) Article(ctx context.Context, id int64) (Article, error) {
	var a Article
	err := scanArticle(db.read.QueryRowContext(ctx, "SELECT "+articleColumns+" FROM articles a WHERE a.id = ?", id), &a)
	if errors.Is(err, sql.ErrNoRows) {
		return a, fmt.Errorf("article %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return a, fmt.Errorf("article %d: %w", id, err)
	}
	ps, err := db.Passages(ctx, id)
	if err != nil {
		return a, err
	}
	texts := make([]string, len(ps))
	for i, p := range ps {
		texts[i] = p.Text
	}
	a.Body = strings.Join(texts, "\n\n")
	return a, nil
}

// ArticleByURL returns one article with its body, by its URL or an alias.
func (db *DB) ArticleByURL(ctx context.Context, rawURL string) (Article, error) {
	u, err := CanonicalURL(rawURL)
	if err != nil {
		return Article{}, err
	}
	var id int64
	err = db.read.QueryRowContext(ctx, `SELECT id FROM articles WHERE url = ?
		UNION ALL SELECT article_id FROM article_urls WHERE url = ? LIMIT 1`, u, u).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return Article{}, fmt.Errorf("article %s: %w", u, ErrNotFound)
	}
	if err != nil {
		return Article{}, fmt.Errorf("article %s: %w", u, err)
	}
	return db.Article(ctx, id)
}

// Passages returns an article's passages in order.
func (db *DB) Passages(ctx context.Context, articleID int64) ([]Passage, error) {
	rows, err := db.read.QueryContext(ctx, "SELECT id, article_id, ord, text FROM passages WHERE article_id = ? ORDER BY ord", articleID)
	if err != nil {
		return nil, fmt.Errorf("passages of article %d: %w", articleID, err)
	}
	defer rows.Close()
	var out []Passage
	for rows.Next() {
		var p Passage
		if err := rows.Scan(&p.ID, &p.ArticleID, &p.Ord, &p.Text); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// Stats describes what the store holds.
type Stats struct {
	Articles int
	Passages int
	Sources  int
	Newest   time.Time // publication time of the newest article; zero when empty
	Oldest   time.Time
}

// Stats counts the stored articles, passages and publications.
func (db *DB) Stats(ctx context.Context) (Stats, error) {
	var s Stats
	var newest, oldest sql.NullInt64
	err := db.read.QueryRowContext(ctx, `SELECT count(*), count(DISTINCT lower(source)), max(published), min(published) FROM articles`).
		Scan(&s.Articles, &s.Sources, &newest, &oldest)
	if err != nil {
		return s, fmt.Errorf("stats: %w", err)
	}
	if err := db.read.QueryRowContext(ctx, "SELECT count(*) FROM passages").Scan(&s.Passages); err != nil {
		return s, fmt.Errorf("stats: %w", err)
	}
	if newest.Valid {
		s.Newest = time.Unix(newest.Int64, 0).UTC()
		s.Oldest = time.Unix(oldest.Int64, 0).UTC()
	}
	return s, nil
}

// RecentArticles lists articles published at or after since, newest first.
func (db *DB) RecentArticles(ctx context.Context, since time.Time, limit int) ([]Article, error) {
	if limit <= 0 {
		limit = 50
	}
	rows, err := db.read.QueryContext(ctx, "SELECT "+articleColumns+" FROM articles a WHERE a.published >= ? ORDER BY a.published DESC, a.id DESC LIMIT ?",
		since.Unix(), limit)
	if err != nil {
		return nil, fmt.Errorf("recent articles: %w", err)
	}
	defer rows.Close()
	var out []Article
	for rows.Next() {
		var a Article
		if err := scanArticle(rows, &a); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}
