package postgres

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/attache-bot/attache/knowledge"
	"github.com/attache-bot/attache/knowledge/text"
)

// tsquery joins terms' stems by op ('&' or '|') in a tsquery literal, each
// quoted as one lexeme as the index holds it (index), so that no user text
// is read as an operator. Query words are short (knowledge.QueryWords), so
// none is too long for a tsquery.
func tsquery(terms []knowledge.Term, op string) string {
	parts := make([]string, len(terms))
	for i, t := range terms {
		parts[i] = quoteLexeme(t.Stem)
	}
	return strings.Join(parts, " "+op+" ")
}

// quoteLexeme quotes a term for a tsquery literal, so that any text is one
// lexeme, taken as it is.
func quoteLexeme(t string) string {
	t = strings.ReplaceAll(t, `\`, `\\`)
	return "'" + strings.ReplaceAll(t, "'", "''") + "'"
}

// PlanQuery looks each word of txt up in the index and returns the terms
// that occur, rarest first.
func (db *DB) PlanQuery(ctx context.Context, txt string) (knowledge.Query, error) {
	q := knowledge.Query{Text: txt}
	words := knowledge.QueryWords(txt)
	if len(words) == 0 {
		return q, nil
	}
	if err := db.pool.QueryRow(ctx, "SELECT n FROM counts WHERE name = 'passages'").Scan(&q.Total); err != nil {
		return q, fmt.Errorf("plan query: %w", err)
	}
	stems := make([]string, len(words))
	for i, w := range words {
		stems[i] = text.Stem(w)
	}
	rows, err := db.pool.Query(ctx, "SELECT term, df FROM terms WHERE term = ANY($1) AND df > 0", stems)
	if err != nil {
		return q, fmt.Errorf("plan query: %w", err)
	}
	df := map[string]int64{}
	for rows.Next() {
		var t string
		var n int64
		if err := rows.Scan(&t, &n); err != nil {
			rows.Close()
			return q, fmt.Errorf("plan query: %w", err)
		}
		df[t] = n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return q, fmt.Errorf("plan query: %w", err)
	}
	for i, w := range words {
		if n, ok := df[stems[i]]; ok { // a word no passage has cannot match
			q.Terms = append(q.Terms, knowledge.Term{Word: w, Stem: stems[i], DF: int(n)})
		}
	}
	sort.SliceStable(q.Terms, func(i, j int) bool { return q.Terms[i].DF < q.Terms[j].DF })
	return q, nil
}

// SearchPassages returns the passages that best match txt, found as every
// store finds them (knowledge.SearchPlan).
func (db *DB) SearchPassages(ctx context.Context, txt string, opt knowledge.SearchOptions) ([]knowledge.Hit, knowledge.Query, error) {
	return knowledge.SearchPlan(ctx, db, txt, opt)
}

// Match returns the passages holding every (all) or any of terms, best
// first.
func (db *DB) Match(ctx context.Context, terms []knowledge.Term, all bool, opt knowledge.SearchOptions, limit int) ([]knowledge.Hit, error) {
	op := "|"
	if all {
		op = "&"
	}
	return db.match(ctx, tsquery(terms, op), opt, limit)
}

// match runs one tsquery with the options' filters; at equal rank the
// newer article comes first.
func (db *DB) match(ctx context.Context, query string, opt knowledge.SearchOptions, limit int) ([]knowledge.Hit, error) {
	args := []any{query}
	where := []string{"p.tsv @@ $1::tsquery"}
	if !opt.Since.IsZero() {
		args = append(args, opt.Since)
		where = append(where, fmt.Sprintf("a.published >= $%d", len(args)))
	}
	if !opt.Until.IsZero() {
		args = append(args, opt.Until)
		where = append(where, fmt.Sprintf("a.published < $%d", len(args)))
	}
	if opt.Source != "" {
		args = append(args, strings.ToLower(opt.Source))
		where = append(where, fmt.Sprintf("lower(a.source) = $%d", len(args)))
	}
	args = append(args, limit)
	q := `SELECT p.id, p.ord, p.text, ts_rank_cd(p.tsv, $1::tsquery) AS rank, ` + articleColumns + `
		FROM passages p JOIN articles a ON a.id = p.article_id
		WHERE ` + strings.Join(where, " AND ") + fmt.Sprintf(` ORDER BY rank DESC, a.published DESC, p.id LIMIT $%d`, len(args))
	if len(where) == 1 {
		// Unfiltered: rank the matches alone, and join the articles and
		// read the text for the best only. Ties at the cut are kept, so
		// that the newer article still comes first among equals.
		q = `WITH r AS (SELECT id, article_id, ord, ts_rank_cd(tsv, $1::tsquery) AS rank FROM passages
				WHERE tsv @@ $1::tsquery ORDER BY rank DESC FETCH FIRST $2 ROWS WITH TIES)
			SELECT r.id, r.ord, p.text, r.rank, ` + articleColumns + `
			FROM r JOIN passages p ON p.id = r.id JOIN articles a ON a.id = r.article_id
			ORDER BY r.rank DESC, a.published DESC, r.id LIMIT $2`
	}
	rows, err := db.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("search passages: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (knowledge.Hit, error) {
		var h knowledge.Hit
		var rank float32
		a := &h.Article
		err := r.Scan(&h.Passage.ID, &h.Passage.Ord, &h.Passage.Text, &rank,
			&a.ID, &a.URL, &a.Source, &a.Title, &a.Author, &a.Published, &a.Fetched, &a.Lang, &a.Hash, &a.Undated)
		a.Published, a.Fetched = a.Published.UTC(), a.Fetched.UTC()
		h.Passage.ArticleID = a.ID
		h.Score = float64(rank)
		return h, err
	})
}

// Search returns the articles that best match txt, each with its best
// passage and a snippet.
func (db *DB) Search(ctx context.Context, txt string, opt knowledge.SearchOptions) ([]knowledge.Hit, error) {
	if knowledge.OnlyStopwords(txt) {
		return nil, nil
	}
	limit := knowledge.ClampLimit(opt.Limit)
	hits, q, err := db.SearchPassages(ctx, txt, opt)
	if err != nil {
		return nil, err
	}
	out := knowledge.BestPerArticle(hits, limit)
	for i := range out {
		out[i].Snippet = knowledge.Snippet(out[i].Passage.Text, q, 40)
	}
	return out, nil
}

// WhoIs returns the people a name may mean with their roles, the best
// documented first.
func (db *DB) WhoIs(ctx context.Context, name string) ([]knowledge.PersonRoles, error) {
	keys := knowledge.NameKeys(name)
	var ids []int64
	for _, k := range keys {
		rows, err := db.pool.Query(ctx, "SELECT person_id FROM person_aliases WHERE alias = $1", k)
		if err != nil {
			return nil, fmt.Errorf("who is %q: %w", keys[0], err)
		}
		if ids, err = pgx.CollectRows(rows, pgx.RowTo[int64]); err != nil {
			return nil, err
		}
		if len(ids) > 0 {
			break
		}
	}
	var out []knowledge.PersonRoles
	for _, id := range ids {
		pr := knowledge.PersonRoles{Person: knowledge.Person{ID: id}}
		if err := db.pool.QueryRow(ctx, "SELECT name FROM people WHERE id = $1", id).Scan(&pr.Person.Name); err != nil {
			return nil, err
		}
		rows, err := db.pool.Query(ctx, `SELECT r.role, r.sentence, `+articleColumns+` FROM roles r JOIN articles a ON a.id = r.article_id
			WHERE r.person_id = $1 ORDER BY a.published DESC, a.id DESC, r.ord`, id)
		if err != nil {
			return nil, err
		}
		pr.Roles, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (knowledge.Role, error) {
			var role knowledge.Role
			a := &role.Article
			err := r.Scan(&role.Title, &role.Sentence, &a.ID, &a.URL, &a.Source, &a.Title, &a.Author, &a.Published, &a.Fetched, &a.Lang, &a.Hash, &a.Undated)
			a.Published, a.Fetched = a.Published.UTC(), a.Fetched.UTC()
			return role, err
		})
		if err != nil {
			return nil, err
		}
		if len(pr.Roles) > 0 {
			out = append(out, pr)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return len(out[i].Roles) > len(out[j].Roles) })
	return out, nil
}

// People lists people whose name (or surname) starts with prefix, the
// most documented first.
func (db *DB) People(ctx context.Context, prefix string, limit int) ([]knowledge.Person, error) {
	key := strings.Join(text.Words(prefix), " ")
	if limit <= 0 {
		limit = 25
	}
	rows, err := db.pool.Query(ctx, `SELECT p.id, p.name FROM people p
		WHERE p.id IN (SELECT person_id FROM person_aliases WHERE starts_with(alias, $1))
		ORDER BY (SELECT count(*) FROM roles r WHERE r.person_id = p.id) DESC, p.name LIMIT $2`, key, limit)
	if err != nil {
		return nil, fmt.Errorf("people: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (knowledge.Person, error) {
		var p knowledge.Person
		return p, r.Scan(&p.ID, &p.Name)
	})
}
