package knowledge

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// SearchOptions narrows a search.
type SearchOptions struct {
	Since  time.Time // only articles published at or after Since; zero for all
	Until  time.Time // only articles published before Until; zero for all
	Source string    // only this publication (case-insensitive); empty for all
	Limit  int       // how many results; 10 when zero, at most MaxSearchLimit
}

// MaxSearchLimit caps SearchOptions.Limit.
const MaxSearchLimit = 100

// Hit is one search result: a passage and the article it belongs to.
type Hit struct {
	Article Article // without Body
	Passage Passage
	Score   float64 // higher is more relevant; comparable within one search only
	Snippet string  // a short excerpt of the passage around the matched words
}

// Term is one word of a query as the index sees it.
type Term struct {
	Word string // folded, as typed
	Stem string // as stored in the index
	DF   int    // passages containing it
}

// Query is a user's text turned into index terms, rarest first.
type Query struct {
	Text  string
	Terms []Term
	Total int // passages in the index when the query was planned
}

// Query limits.
const (
	maxQueryTerms = 32 // distinct words considered from the text
	maxMatchTerms = 8  // terms that take part in one MATCH
)

// QueryWords extracts the searchable words of any text a user may type:
// folded, without punctuation, operators or stopwords (unless the text has
// nothing else), without duplicates, at most 32. It never fails: FTS syntax
// ("NEAR(", "AND", "*", quotes) is just text.
func QueryWords(text string) []string {
	var all, kept []string
	seen := map[string]bool{}
	for _, w := range Words(text) {
		if seen[w] || utf8.RuneCountInString(w) > 64 {
			continue
		}
		seen[w] = true
		all = append(all, w)
		if !IsStopword(w) {
			kept = append(kept, w)
		}
	}
	if len(kept) == 0 {
		kept = all
	}
	if len(kept) > maxQueryTerms {
		kept = kept[:maxQueryTerms]
	}
	return kept
}

// matchExpr renders terms as an FTS5 query joined by op ("AND" or "OR").
// Every term is quoted, so the expression is always valid FTS5 syntax.
func matchExpr(terms []Term, op string) string {
	parts := make([]string, len(terms))
	for i, t := range terms {
		parts[i] = `"` + strings.ReplaceAll(t.Word, `"`, `""`) + `"`
	}
	return strings.Join(parts, " "+op+" ")
}

// PlanQuery looks each word of text up in the index and returns the terms
// that occur, rarest first.
func (db *DB) PlanQuery(ctx context.Context, text string) (Query, error) {
	q := Query{Text: text}
	words := QueryWords(text)
	if len(words) == 0 {
		return q, nil
	}
	conn, err := db.read.Conn(ctx)
	if err != nil {
		return q, fmt.Errorf("plan query: %w", err)
	}
	defer conn.Close()
	if err := conn.QueryRowContext(ctx, "SELECT count(*) FROM passages").Scan(&q.Total); err != nil {
		return q, fmt.Errorf("plan query: %w", err)
	}
	stmt, err := conn.PrepareContext(ctx, "SELECT doc FROM passages_vocab WHERE term = ?")
	if err != nil {
		return q, fmt.Errorf("plan query: %w", err)
	}
	defer stmt.Close()
	for _, w := range words {
		t := Term{Word: w, Stem: porterStem(w)}
		err := stmt.QueryRowContext(ctx, t.Stem).Scan(&t.DF)
		if err == sql.ErrNoRows {
			continue // no passage has the word: it cannot match
		}
		if err != nil {
			return q, fmt.Errorf("plan query: %w", err)
		}
		q.Terms = append(q.Terms, t)
	}
	sort.SliceStable(q.Terms, func(i, j int) bool { return q.Terms[i].DF < q.Terms[j].DF })
	return q, nil
}

// selective returns the terms worth an OR query: the rarest few, leaving out
// words so common that matching them would rank most of the index for little
// gain in relevance. The rarest term is always kept.
func (q Query) selective() []Term {
	limit := max(2000, q.Total/40)
	var out []Term
	for i, t := range q.Terms {
		if len(out) == maxMatchTerms {
			break
		}
		if i > 0 && t.DF > limit {
			break
		}
		out = append(out, t)
	}
	return out
}

// SearchPassages returns the passages that best match text, most relevant
// first. It first asks for passages holding every term; when those are too
// few it adds passages holding any of the selective terms.
func (db *DB) SearchPassages(ctx context.Context, text string, opt SearchOptions) ([]Hit, Query, error) {
	limit := clampLimit(opt.Limit)
	q, err := db.PlanQuery(ctx, text)
	if err != nil || len(q.Terms) == 0 {
		return nil, q, err
	}
	var hits []Hit
	seen := map[int64]bool{}
	add := func(hs []Hit) {
		for _, h := range hs {
			if !seen[h.Passage.ID] {
				seen[h.Passage.ID] = true
				hits = append(hits, h)
			}
		}
	}
	all := q.Terms
	if len(all) > maxMatchTerms {
		all = all[:maxMatchTerms]
	}
	if len(all) > 1 {
		hs, err := db.match(ctx, matchExpr(all, "AND"), opt, limit)
		if err != nil {
			return nil, q, err
		}
		add(hs)
	}
	if len(hits) < limit {
		hs, err := db.match(ctx, matchExpr(q.selective(), "OR"), opt, limit)
		if err != nil {
			return nil, q, err
		}
		add(hs)
	}
	if len(hits) > limit {
		hits = hits[:limit]
	}
	for i := range hits {
		hits[i].Snippet = Snippet(hits[i].Passage.Text, q, 40)
	}
	return hits, q, nil
}

// Search returns the articles that best match text, each with its best
// passage, most relevant first; at equal relevance newer articles first.
func (db *DB) Search(ctx context.Context, text string, opt SearchOptions) ([]Hit, error) {
	limit := clampLimit(opt.Limit)
	popt := opt
	popt.Limit = min(MaxSearchLimit*3, limit*3)
	hits, _, err := db.SearchPassages(ctx, text, popt)
	if err != nil {
		return nil, err
	}
	var out []Hit
	seen := map[int64]bool{}
	for _, h := range hits {
		if !seen[h.Article.ID] {
			seen[h.Article.ID] = true
			out = append(out, h)
		}
	}
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

func clampLimit(n int) int {
	if n <= 0 {
		return 10
	}
	return min(n, MaxSearchLimit)
}

// match runs one FTS5 query and returns up to limit passages with their
// articles. Ranking happens inside FTS5 (ORDER BY rank LIMIT) so only the
// returned rows are joined; filters, when given, join before the limit.
func (db *DB) match(ctx context.Context, expr string, opt SearchOptions, limit int) ([]Hit, error) {
	var query string
	args := []any{expr}
	cols := "p.id, p.article_id, p.ord, p.text, m.rank, " + articleColumns
	if opt.Since.IsZero() && opt.Until.IsZero() && opt.Source == "" {
		query = `SELECT ` + cols + ` FROM (SELECT rowid, rank FROM passages_fts WHERE passages_fts MATCH ? ORDER BY rank LIMIT ?) m
			JOIN passages p ON p.id = m.rowid JOIN articles a ON a.id = p.article_id`
		args = append(args, limit)
	} else {
		var where []string
		if !opt.Since.IsZero() {
			where = append(where, "a.published >= ?")
			args = append(args, opt.Since.Unix())
		}
		if !opt.Until.IsZero() {
			where = append(where, "a.published < ?")
			args = append(args, opt.Until.Unix())
		}
		if opt.Source != "" {
			where = append(where, "a.source = ? COLLATE NOCASE")
			args = append(args, opt.Source)
		}
		query = `SELECT ` + cols + ` FROM (SELECT rowid, rank FROM passages_fts WHERE passages_fts MATCH ?) m
			JOIN passages p ON p.id = m.rowid JOIN articles a ON a.id = p.article_id
			WHERE ` + strings.Join(where, " AND ") + ` ORDER BY m.rank LIMIT ?`
		args = append(args, limit)
	}
	rows, err := db.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("search passages: %w", err)
	}
	defer rows.Close()
	var hits []Hit
	for rows.Next() {
		var h Hit
		var rank float64
		var pub, fetched int64
		a := &h.Article
		if err := rows.Scan(&h.Passage.ID, &h.Passage.ArticleID, &h.Passage.Ord, &h.Passage.Text, &rank,
			&a.ID, &a.URL, &a.Source, &a.Title, &a.Author, &pub, &fetched, &a.Lang, &a.Hash); err != nil {
			return nil, fmt.Errorf("search passages: %w", err)
		}
		a.Published = time.Unix(pub, 0).UTC()
		a.Fetched = time.Unix(fetched, 0).UTC()
		h.Score = -rank
		hits = append(hits, h)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("search passages: %w", err)
	}
	// At equal relevance the newer article first.
	sort.SliceStable(hits, func(i, j int) bool {
		si, sj := roundScore(hits[i].Score), roundScore(hits[j].Score)
		if si != sj {
			return si > sj
		}
		return hits[i].Article.Published.After(hits[j].Article.Published)
	})
	return hits, nil
}

func roundScore(s float64) float64 { return math.Round(s*1e6) / 1e6 }

// Snippet returns about width words of text around the densest run of query
// terms, with "…" where it was cut.
func Snippet(text string, q Query, width int) string {
	words := strings.Fields(text)
	if len(words) <= width {
		return strings.Join(words, " ")
	}
	stems := map[string]bool{}
	for _, t := range q.Terms {
		stems[t.Stem] = true
	}
	hit := make([]int, len(words)+1) // prefix sums of matching words
	for i, w := range words {
		hit[i+1] = hit[i]
		for _, tok := range Words(w) {
			if stems[porterStem(tok)] {
				hit[i+1]++
				break
			}
		}
	}
	best, bestN := 0, -1
	for start := 0; start+width <= len(words); start++ {
		if n := hit[start+width] - hit[start]; n > bestN {
			best, bestN = start, n
		}
	}
	// Start at a sentence boundary when one is close before the window.
	for k := best; k > 0 && best-k < 8; k-- {
		if strings.HasSuffix(words[k-1], ".") {
			best = k
			break
		}
	}
	end := min(len(words), best+width)
	s := strings.Join(words[best:end], " ")
	if best > 0 {
		s = "…" + s
	}
	if end < len(words) {
		s += "…"
	}
	return s
}
