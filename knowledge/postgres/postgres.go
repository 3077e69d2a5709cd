// Package postgres is Attache's store in PostgreSQL, for several processes
// on several machines sharing one database: the same contract as the
// embedded SQLite store (knowledge.Store), checked by the same conformance
// suite. Passages are indexed in a tsvector with a GIN index; its terms are
// knowledge/text's (folded, stemmed, Chinese, Japanese and Korean as
// character pairs), made here and sent as vectors, and queries are tsquery
// literals of the same terms, so that a query finds what it finds in
// SQLite. Ranking is ts_rank_cd, not BM25. Claims of feeds
// and digests are conditional updates, as in SQLite, and so hold across
// processes.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/attache-bot/attache/knowledge"
	"github.com/attache-bot/attache/knowledge/text"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// DB is the PostgreSQL store.
type DB struct {
	url  string
	pool *pgxpool.Pool
	// Now is the clock; tests replace it.
	Now func() time.Time
	// forgot is when this process last forgot idle rate-limit buckets
	// (Unix nanoseconds).
	forgot atomic.Int64
}

// DB is a knowledge.Store.
var _ knowledge.Store = (*DB)(nil)

// Open connects to the database at url (postgres://…) and applies every
// pending migration, one process at a time (an advisory lock).
func Open(ctx context.Context, url string) (*DB, error) {
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	db := &DB{url: url, pool: pool, Now: func() time.Time { return time.Now().UTC() }}
	if err := db.migrate(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open database: %w", err)
	}
	return db, nil
}

// migrationLock is the advisory lock migrations hold.
const migrationLock = 0x61747461636865 // "attache"

func (db *DB) migrate(ctx context.Context) error {
	conn, err := db.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", migrationLock); err != nil {
		return err
	}
	defer conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", migrationLock)
	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied BIGINT NOT NULL)`); err != nil {
		return err
	}
	names, _ := fs.Glob(migrationFS, "migrations/*.sql")
	sort.Strings(names)
	latest := 0
	for _, name := range names {
		base := strings.TrimPrefix(name, "migrations/")
		v, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil {
			return fmt.Errorf("migration %s: name must start with a number", base)
		}
		latest = max(latest, v)
		var n int
		if err := conn.QueryRow(ctx, "SELECT count(*) FROM schema_migrations WHERE version = $1", v).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			continue
		}
		body, _ := migrationFS.ReadFile(name)
		tx, err := conn.Begin(ctx)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, string(body)); err != nil {
			tx.Rollback(ctx)
			return fmt.Errorf("migration %s: %w", base, err)
		}
		if _, err := tx.Exec(ctx, "INSERT INTO schema_migrations VALUES ($1, $2, $3)", v, base, db.Now().Unix()); err != nil {
			tx.Rollback(ctx)
			return err
		}
		if err := tx.Commit(ctx); err != nil {
			return err
		}
	}
	var newest int
	if err := conn.QueryRow(ctx, "SELECT coalesce(max(version), 0) FROM schema_migrations").Scan(&newest); err != nil {
		return err
	}
	if newest > latest {
		return fmt.Errorf("%w (schema version %d, this binary knows up to %d); upgrade attache", knowledge.ErrSchemaNewer, newest, latest)
	}
	return nil
}

// URL is the database's address, as opened.
func (db *DB) URL() string { return db.url }

// Close closes the pool.
func (db *DB) Close() error { db.pool.Close(); return nil }

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.pool.Ping(ctx) }

// storeError marks the failures no retry can fix, as the SQLite store
// does, and a server that cannot be reached for now as ErrStoreDown.
func storeError(err error) error {
	if err == nil || errors.Is(err, knowledge.ErrUnavailable) {
		return err
	}
	if knowledge.StoreDown(err) || errors.Is(err, pgconn.ErrConnClosed) {
		return fmt.Errorf("%w: %w", knowledge.ErrStoreDown, err)
	}
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		return fmt.Errorf("%w: %w", knowledge.ErrStoreDown, err)
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code[:2] {
		case "53", "57", "58", "08": // resources, operator intervention, system, connection
			return fmt.Errorf("%w: %w", knowledge.ErrUnavailable, err)
		}
		if pe.Code == "25006" { // read-only transaction
			return fmt.Errorf("%w: %w", knowledge.ErrUnavailable, err)
		}
	}
	return err
}

// termCounts is how many passages hold each term, and how many passages
// were added, less those removed: what a write transaction adds to the
// terms and counts tables, in one round trip before it commits.
type termCounts struct {
	df       map[string]int64
	passages int64
}

// add counts a passage and its terms.
func (c *termCounts) add(vec pgtype.TSVector) {
	if c.df == nil {
		c.df = map[string]int64{}
	}
	c.passages++
	for _, l := range vec.Lexemes {
		c.df[l.Word]++
	}
}

// remove takes an article's stored passages off the counts, before they
// are replaced. The terms are taken off by save's one ordered statement, as
// they are added, so that writers lock them in the same order.
func (c *termCounts) remove(ctx context.Context, tx pgx.Tx, articleID int64) error {
	if c.df == nil {
		c.df = map[string]int64{}
	}
	rows, err := tx.Query(ctx, `SELECT word, count(*) FROM passages p, unnest(tsvector_to_array(p.tsv)) AS word
		WHERE p.article_id = $1 GROUP BY word`, articleID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var term string
		var n int64
		if err := rows.Scan(&term, &n); err != nil {
			return err
		}
		c.df[term] -= n
	}
	return rows.Err()
}

// save adds the counts to the terms and counts tables.
func (c *termCounts) save(ctx context.Context, tx pgx.Tx) error {
	b := &pgx.Batch{}
	if len(c.df) > 0 {
		terms, dfs := make([]string, 0, len(c.df)), make([]int64, 0, len(c.df))
		for t, n := range c.df {
			terms, dfs = append(terms, t), append(dfs, n)
		}
		b.Queue(`INSERT INTO terms(term, df) SELECT * FROM unnest($1::text[], $2::bigint[]) AS x(t, n) ORDER BY t COLLATE "C"
			ON CONFLICT (term) DO UPDATE SET df = terms.df + excluded.df`, terms, dfs)
	}
	if c.passages != 0 {
		b.Queue("UPDATE counts SET n = n + $1 WHERE name = 'passages'", c.passages)
	}
	if b.Len() == 0 {
		return nil
	}
	return tx.SendBatch(ctx, b).Close()
}

// Limits of a tsvector: a term of at most 2,047 bytes (a longer one is
// left out of the index rather than fail the article), at most 256
// positions for a term, and none beyond 16,383 (the server cuts them the
// same way).
const (
	maxLexeme    = 2047
	maxPositions = 256
	maxPosition  = 16383
)

// index is what the index holds of a text: knowledge/text's words without
// the stopwords, stemmed, with their positions. The vector is made here
// rather than by to_tsvector, so that the index holds exactly these terms
// (the server's parser would split some of them again) and the server is
// spared the parsing; it is sent in binary, its lexemes in the server's
// order. Stopwords are left out as PostgreSQL's own configurations do: they
// would make the GIN index's longest posting lists, for no query (a text of
// stopwords alone finds nothing, as in Search).
func index(s string) pgtype.TSVector {
	var toks []string
	for _, w := range text.Words(s) {
		if text.IsStopword(w) {
			continue
		}
		if t := text.Stem(w); len(t) <= maxLexeme {
			toks = append(toks, t)
		}
	}
	// Each term's occurrences together, in order of position.
	order := make([]int, len(toks))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(i, j int) int { return strings.Compare(toks[i], toks[j]) })
	vec := pgtype.TSVector{Valid: true}
	positions := make([]pgtype.TSVectorPosition, 0, len(toks)) // never grown: the lexemes share it
	start := 0
	for _, i := range order {
		t, pos := toks[i], uint16(min(i+1, maxPosition))
		if n := len(vec.Lexemes); n == 0 || vec.Lexemes[n-1].Word != t {
			vec.Lexemes = append(vec.Lexemes, pgtype.TSVectorLexeme{Word: t})
			start = len(positions)
		}
		l := &vec.Lexemes[len(vec.Lexemes)-1]
		if k := len(l.Positions); k < maxPositions && (k == 0 || l.Positions[k-1].Position != pos) {
			positions = append(positions, pgtype.TSVectorPosition{Position: pos})
			l.Positions = positions[start:len(positions):len(positions)]
		}
	}
	return vec
}

// PutArticles stores articles in one transaction.
func (db *DB) PutArticles(ctx context.Context, arts []*knowledge.Article) ([]knowledge.PutResult, error) {
	for i, a := range arts {
		if a.Normalized() {
			continue
		}
		if err := a.Normalize(); err != nil {
			return nil, fmt.Errorf("article %d (%s): %w", i, a.URL, err)
		}
	}
	tx, err := db.pool.Begin(ctx)
	if err != nil {
		return nil, storeError(fmt.Errorf("begin: %w", err))
	}
	defer tx.Rollback(ctx)
	out := make([]knowledge.PutResult, len(arts))
	// New articles, the common case, go in one round trip with their
	// passages; one whose URL or text is known already takes the slow path.
	counts := &termCounts{}
	known, err := db.insertNew(ctx, tx, arts, out, counts)
	if err != nil {
		return nil, storeError(err)
	}
	for i, a := range arts {
		if !known[i] {
			continue
		}
		if out[i], err = db.put(ctx, tx, a, counts); err != nil {
			return nil, storeError(fmt.Errorf("store %s: %w", a.URL, err))
		}
	}
	if err := counts.save(ctx, tx); err != nil {
		return nil, storeError(fmt.Errorf("store terms: %w", err))
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, storeError(fmt.Errorf("commit: %w", err))
	}
	return out, nil
}

// insertNew inserts, in one statement, every article whose URL and text
// are new, then their passages and the people they name (textRows). It
// reports the articles it left for put: those already known by URL, alias
// or text.
func (db *DB) insertNew(ctx context.Context, tx pgx.Tx, arts []*knowledge.Article, out []knowledge.PutResult, counts *termCounts) ([]bool, error) {
	// Indexing is the store's own CPU work: spread over the cores.
	indexOf := make([][]pgtype.TSVector, len(arts))
	var wg sync.WaitGroup
	next := make(chan int)
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range next {
				indexOf[k] = indexPassages(arts[k])
			}
		}()
	}
	for k := range arts {
		next <- k
	}
	close(next)
	wg.Wait()
	// The articles in one statement: a URL known as an alias, and a URL or
	// text already stored (or earlier in this call), are left out.
	n := len(arts)
	urls, sources, titles, authors := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	published, fetched := make([]time.Time, n), make([]time.Time, n)
	langs, hashes, undated := make([]string, n), make([]string, n), make([]bool, n)
	for k, a := range arts {
		urls[k], sources[k], titles[k], authors[k] = a.URL, a.Source, a.Title, a.Author
		published[k], fetched[k], langs[k], hashes[k], undated[k] = a.Published, a.Fetched, a.Lang, a.Hash, a.Undated
	}
	rows, err := tx.Query(ctx, `INSERT INTO articles(url, source, title, author, published, fetched, lang, hash, undated)
		SELECT u, s, t, au, pu, fe, la, h, un
		FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::timestamptz[], $7::text[], $8::text[], $9::bool[])
			WITH ORDINALITY AS x(u, s, t, au, pu, fe, la, h, un, k)
		WHERE NOT EXISTS (SELECT 1 FROM article_urls WHERE url = x.u)
		ORDER BY k
		ON CONFLICT DO NOTHING RETURNING id, url, hash`,
		urls, sources, titles, authors, published, fetched, langs, hashes, undated)
	if err != nil {
		return nil, fmt.Errorf("store articles: %w", err)
	}
	type key struct{ url, hash string }
	ids := map[key]int64{}
	for rows.Next() {
		var id int64
		var k key
		if err := rows.Scan(&id, &k.url, &k.hash); err != nil {
			rows.Close()
			return nil, err
		}
		ids[k] = id
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store articles: %w", err)
	}
	known := make([]bool, n)
	var tr textRows
	for k, a := range arts {
		id, ok := ids[key{a.URL, a.Hash}]
		if !ok {
			known[k] = true
			continue
		}
		delete(ids, key{a.URL, a.Hash}) // a repeat in this call is known now
		a.ID, out[k] = id, knowledge.Added
		tr.add(a, indexOf[k], counts)
	}
	if err := tr.store(ctx, tx); err != nil {
		return nil, err
	}
	return known, nil
}

// indexPassages indexes each of an article's passages: the title is
// indexed with the first.
func indexPassages(a *knowledge.Article) []pgtype.TSVector {
	ps := a.IndexPassages()
	out := make([]pgtype.TSVector, len(ps))
	for i, p := range ps {
		if i == 0 {
			p = a.Title + "\n\n" + p
		}
		out[i] = index(p)
	}
	return out
}

// textRows gathers articles' passages and the people they name as
// columns, so that any number of them is stored in two round trips.
type textRows struct {
	// passages
	article []int64
	ord     []int32
	text    []string
	tsv     []pgtype.TSVector
	// people: each name's key once, with its first spelling and its
	// aliases (the key and the surname)
	names, keys      []string
	aliasOf, aliases []string
	named            map[string]bool
	// roles
	roleKey, role, sentence []string
	roleArticle             []int64
	roleOrd                 []int32
}

// add gathers a's passages, indexed by indexPassages, and the people it
// names, and counts the passages' terms.
func (r *textRows) add(a *knowledge.Article, vecs []pgtype.TSVector, counts *termCounts) {
	for i, p := range a.IndexPassages() {
		r.article, r.ord = append(r.article, a.ID), append(r.ord, int32(i))
		r.text, r.tsv = append(r.text, p), append(r.tsv, vecs[i])
		counts.add(vecs[i])
	}
	for _, m := range a.RoleMentions() {
		if !r.named[m.Key] {
			if r.named == nil {
				r.named = map[string]bool{}
			}
			r.named[m.Key] = true
			r.names, r.keys = append(r.names, m.Name), append(r.keys, m.Key)
			for _, alias := range []string{m.Key, m.Key[strings.LastIndexByte(m.Key, ' ')+1:]} {
				r.aliasOf, r.aliases = append(r.aliasOf, m.Key), append(r.aliases, alias)
			}
		}
		r.roleKey, r.role, r.sentence = append(r.roleKey, m.Key), append(r.role, m.Role), append(r.sentence, m.Sentence)
		r.roleArticle, r.roleOrd = append(r.roleArticle, a.ID), append(r.roleOrd, int32(m.Ord))
	}
}

// store writes the gathered rows: the passages by COPY, the people in one
// round trip of three statements. A person another transaction is adding
// at the same time is waited for and then taken as it is (ON CONFLICT DO
// NOTHING, then a join in the next statement); people and aliases, like
// terms, are written in key order, so that two writers sharing some wait
// for each other instead of deadlocking.
func (r *textRows) store(ctx context.Context, tx pgx.Tx) error {
	if len(r.article) > 0 {
		_, err := tx.CopyFrom(ctx, pgx.Identifier{"passages"}, []string{"article_id", "ord", "text", "tsv"},
			pgx.CopyFromSlice(len(r.article), func(i int) ([]any, error) {
				return []any{r.article[i], r.ord[i], r.text[i], r.tsv[i]}, nil
			}))
		if err != nil {
			return fmt.Errorf("store passages: %w", err)
		}
	}
	b := &pgx.Batch{}
	if len(r.keys) > 0 {
		b.Queue(`INSERT INTO people(name, key) SELECT * FROM unnest($1::text[], $2::text[]) AS x(n, k) ORDER BY k COLLATE "C"
			ON CONFLICT (key) DO NOTHING`, r.names, r.keys)
		b.Queue(`INSERT INTO person_aliases(alias, person_id)
			SELECT alias, id FROM (SELECT DISTINCT x.alias, p.id FROM unnest($1::text[], $2::text[]) AS x(key, alias)
				JOIN people p ON p.key = x.key) d
			ORDER BY alias COLLATE "C", id ON CONFLICT DO NOTHING`, r.aliasOf, r.aliases)
		b.Queue(`INSERT INTO roles(person_id, article_id, role, sentence, ord)
			SELECT p.id, x.a, x.r, x.s, x.o FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::int[]) WITH ORDINALITY AS x(key, a, r, s, o, i)
			JOIN people p ON p.key = x.key ORDER BY x.i`,
			r.roleKey, r.roleArticle, r.role, r.sentence, r.roleOrd)
	}
	if b.Len() == 0 {
		return nil
	}
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("store people: %w", err)
	}
	return nil
}

// PutArticle stores one article.
func (db *DB) PutArticle(ctx context.Context, a *knowledge.Article) (knowledge.PutResult, error) {
	res, err := db.PutArticles(ctx, []*knowledge.Article{a})
	if err != nil {
		return 0, err
	}
	return res[0], nil
}

func (db *DB) put(ctx context.Context, tx pgx.Tx, a *knowledge.Article, counts *termCounts) (knowledge.PutResult, error) {
	var sameURL bool
	var id int64
	var hash string
	err := tx.QueryRow(ctx, `SELECT true, id, hash FROM articles WHERE url = $1
		UNION ALL SELECT true, a.id, a.hash FROM article_urls u JOIN articles a ON a.id = u.article_id WHERE u.url = $1
		UNION ALL SELECT false, id, hash FROM articles WHERE hash = $2 LIMIT 1`, a.URL, a.Hash).Scan(&sameURL, &id, &hash)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		if err := tx.QueryRow(ctx, `INSERT INTO articles(url, source, title, author, published, fetched, lang, hash, undated)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
			a.URL, a.Source, a.Title, a.Author, a.Published, a.Fetched, a.Lang, a.Hash, a.Undated).Scan(&a.ID); err != nil {
			return 0, err
		}
		return knowledge.Added, db.insertText(ctx, tx, a, counts)
	case err != nil:
		return 0, err
	}
	a.ID = id
	if !sameURL {
		_, err := tx.Exec(ctx, "INSERT INTO article_urls(url, article_id) VALUES ($1, $2) ON CONFLICT DO NOTHING", a.URL, id)
		return knowledge.Duplicate, err
	}
	if hash == a.Hash {
		return knowledge.Duplicate, nil
	}
	// An edited version: its passages, their terms and its roles are
	// replaced.
	if err := counts.remove(ctx, tx, id); err != nil {
		return 0, err
	}
	gone, err := tx.Exec(ctx, "DELETE FROM passages WHERE article_id = $1", id)
	if err != nil {
		return 0, err
	}
	counts.passages -= gone.RowsAffected()
	if _, err := tx.Exec(ctx, "DELETE FROM roles WHERE article_id = $1", id); err != nil {
		return 0, err
	}
	if _, err := tx.Exec(ctx, `UPDATE articles SET source = $1, title = $2, author = $3, published = $4, fetched = $5,
		lang = $6, hash = $7, undated = $8 WHERE id = $9`,
		a.Source, a.Title, a.Author, a.Published, a.Fetched, a.Lang, a.Hash, a.Undated, id); err != nil {
		return 0, err
	}
	return knowledge.Updated, db.insertText(ctx, tx, a, counts)
}

// insertText indexes an article's passages and records the people it
// names, in one round trip.
func (db *DB) insertText(ctx context.Context, tx pgx.Tx, a *knowledge.Article, counts *termCounts) error {
	var r textRows
	r.add(a, indexPassages(a), counts)
	return r.store(ctx, tx)
}

const articleColumns = "a.id, a.url, a.source, a.title, a.author, a.published, a.fetched, a.lang, a.hash, a.undated"

func scanArticle(row pgx.Row, a *knowledge.Article) error {
	err := row.Scan(&a.ID, &a.URL, &a.Source, &a.Title, &a.Author, &a.Published, &a.Fetched, &a.Lang, &a.Hash, &a.Undated)
	a.Published, a.Fetched = a.Published.UTC(), a.Fetched.UTC()
	return err
}

// Article returns an article with its body.
func (db *DB) Article(ctx context.Context, id int64) (knowledge.Article, error) {
	var a knowledge.Article
	err := scanArticle(db.pool.QueryRow(ctx, "SELECT "+articleColumns+" FROM articles a WHERE a.id = $1", id), &a)
	if errors.Is(err, pgx.ErrNoRows) {
		return a, fmt.Errorf("article %d: %w", id, knowledge.ErrNotFound)
	}
	if err != nil {
		return a, err
	}
	ps, err := db.Passages(ctx, id)
	if err != nil {
		return a, err
	}
	a.Body = knowledge.JoinPassages(ps)
	return a, nil
}

// ArticleByURL returns the article stored under a URL or one of its aliases.
func (db *DB) ArticleByURL(ctx context.Context, rawURL string) (knowledge.Article, error) {
	u, err := knowledge.CanonicalURL(rawURL)
	if err != nil {
		return knowledge.Article{}, err
	}
	var id int64
	err = db.pool.QueryRow(ctx, `SELECT id FROM articles WHERE url = $1
		UNION ALL SELECT article_id FROM article_urls WHERE url = $1 LIMIT 1`, u).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return knowledge.Article{}, fmt.Errorf("article %s: %w", u, knowledge.ErrNotFound)
	}
	if err != nil {
		return knowledge.Article{}, err
	}
	return db.Article(ctx, id)
}

// HasURL reports whether an article is stored under rawURL (or an alias).
func (db *DB) HasURL(ctx context.Context, rawURL string) (bool, error) {
	u, err := knowledge.CanonicalURL(rawURL)
	if err != nil {
		return false, err
	}
	var ok bool
	err = db.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM articles WHERE url = $1)
		OR EXISTS (SELECT 1 FROM article_urls WHERE url = $1)`, u).Scan(&ok)
	return ok, err
}

// Passages returns an article's passages in order.
func (db *DB) Passages(ctx context.Context, articleID int64) ([]knowledge.Passage, error) {
	rows, err := db.pool.Query(ctx, "SELECT id, article_id, ord, text FROM passages WHERE article_id = $1 ORDER BY ord", articleID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (knowledge.Passage, error) {
		var p knowledge.Passage
		err := r.Scan(&p.ID, &p.ArticleID, &p.Ord, &p.Text)
		return p, err
	})
}

// RecentArticles returns articles published since, newest first.
func (db *DB) RecentArticles(ctx context.Context, since time.Time, limit int) ([]knowledge.Article, error) {
	if limit <= 0 {
		limit = 50
	}
	rows, err := db.pool.Query(ctx, "SELECT "+articleColumns+" FROM articles a WHERE a.published >= $1 ORDER BY a.published DESC, a.id DESC LIMIT $2",
		since, limit)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (knowledge.Article, error) {
		var a knowledge.Article
		return a, scanArticle(r, &a)
	})
}

// Newest returns the publication time of the newest article, or zero.
func (db *DB) Newest(ctx context.Context) (time.Time, error) {
	var t *time.Time
	if err := db.pool.QueryRow(ctx, "SELECT max(published) FROM articles").Scan(&t); err != nil || t == nil {
		return time.Time{}, err
	}
	return t.UTC(), nil
}

// Stats counts the stored articles, passages and publications.
func (db *DB) Stats(ctx context.Context) (knowledge.Stats, error) {
	var s knowledge.Stats
	var newest, oldest *time.Time
	err := db.pool.QueryRow(ctx, `SELECT count(*), count(DISTINCT lower(source)), max(published), min(published),
		(SELECT count(*) FROM passages) FROM articles`).Scan(&s.Articles, &s.Sources, &newest, &oldest, &s.Passages)
	if newest != nil {
		s.Newest, s.Oldest = newest.UTC(), oldest.UTC()
	}
	return s, err
}

// SchemaVersion returns the highest migration applied to the database.
func (db *DB) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := db.pool.QueryRow(ctx, "SELECT coalesce(max(version), 0) FROM schema_migrations").Scan(&v)
	return v, err
}

// ExportArticles calls fn with each article published since, oldest first,
// with its body and aliases (see knowledge.ArticleStore).
func (db *DB) ExportArticles(ctx context.Context, since time.Time, fn func(knowledge.Article, []string) error) error {
	rows, err := db.pool.Query(ctx, "SELECT id FROM articles WHERE published >= $1 ORDER BY published, url COLLATE \"C\"", since)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
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
		rows, err := db.pool.Query(ctx, "SELECT url FROM article_urls WHERE article_id = $1 ORDER BY url COLLATE \"C\"", id)
		if err != nil {
			return fmt.Errorf("export: %w", err)
		}
		aliases, err := pgx.CollectRows(rows, pgx.RowTo[string])
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
	rows, err := db.pool.Query(ctx, "SELECT "+articleColumns+" FROM articles a WHERE a.published >= $1 AND a.published < $2 ORDER BY a.published, a.id LIMIT $3",
		since, until, limit)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (knowledge.Article, error) {
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
	rows, err := db.pool.Query(ctx, `SELECT source FROM articles WHERE source <> '' AND strpos(lower(source), lower($1)) > 0
		GROUP BY source ORDER BY count(*) DESC, source COLLATE "C" LIMIT $2`, strings.TrimSpace(typed), limit)
	if err != nil {
		return nil, fmt.Errorf("outlets: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}
