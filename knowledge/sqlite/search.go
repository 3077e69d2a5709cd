package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/attache-bot/attache/knowledge"
	"github.com/attache-bot/attache/knowledge/text"
)

// matchExpr renders terms as an FTS5 query joined by op ("AND" or "OR").
// Every term is quoted, so the expression is always valid FTS5 syntax.
func matchExpr(terms []knowledge.Term, op string) string {
	parts := make([]string, len(terms))
	for i, t := range terms {
		parts[i] = `"` + strings.ReplaceAll(t.Word, `"`, `""`) + `"`
	}
	return strings.Join(parts, " "+op+" ")
}

// PlanQuery looks each word of text up in the index and returns the terms
// that occur, rarest first.
func (db *DB) PlanQuery(ctx context.Context, txt string) (knowledge.Query, error) {
	q := knowledge.Query{Text: txt}
	words := knowledge.QueryWords(txt)
	if len(words) == 0 {
		return q, nil
	}
	// Passage rowids are dense, so the largest is the count to within the
	// few left behind by updated articles: cheap, and close enough for
	// weighing terms.
	if err := db.stmts.total.QueryRowContext(ctx).Scan(&q.Total); err != nil {
		return q, fmt.Errorf("plan query: %w", err)
	}
	for _, w := range words {
		t := knowledge.Term{Word: w, Stem: text.Stem(w)}
		err := db.stmts.docFreq.QueryRowContext(ctx, t.Stem).Scan(&t.DF)
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

// SearchPassages returns the passages that best match text, most relevant
// first. It first asks for passages holding every term; when those come
// from fewer than opt.Limit articles it adds passages holding any of the
// selective terms. It returns up to 3 × opt.Limit passages.
func (db *DB) SearchPassages(ctx context.Context, txt string, opt knowledge.SearchOptions) ([]knowledge.Hit, knowledge.Query, error) {
	hits, q, err := db.searchPassages(ctx, txt, opt)
	if err == nil {
		err = db.fillText(ctx, hits)
	}
	return hits, q, err
}

// searchPassages is SearchPassages without reading the passages' text.
func (db *DB) searchPassages(ctx context.Context, txt string, opt knowledge.SearchOptions) ([]knowledge.Hit, knowledge.Query, error) {
	return knowledge.SearchPlan(ctx, matcher{db}, txt, opt)
}

// matcher is the DB as a knowledge.Matcher; its Match reads no text.
type matcher struct{ *DB }

func (m matcher) Match(ctx context.Context, terms []knowledge.Term, all bool, opt knowledge.SearchOptions, limit int) ([]knowledge.Hit, error) {
	op := "OR"
	if all {
		op = "AND"
	}
	return m.match(ctx, matchExpr(terms, op), opt, limit)
}

// Search returns the articles that best match text, each with its best
// passage and a snippet, most relevant first; at equal relevance newer
// articles first.
func (db *DB) Search(ctx context.Context, txt string, opt knowledge.SearchOptions) ([]knowledge.Hit, error) {
	if knowledge.OnlyStopwords(txt) {
		// "the of and" would match every article, ranked by nothing.
		return nil, nil
	}
	limit := knowledge.ClampLimit(opt.Limit)
	hits, q, err := db.searchPassages(ctx, txt, opt)
	if err != nil {
		return nil, err
	}
	out := knowledge.BestPerArticle(hits, limit)
	if err := db.fillText(ctx, out); err != nil {
		return nil, err
	}
	newerFirstAtEqualRelevance(out, q)
	for i := range out {
		out[i].Snippet = knowledge.Snippet(out[i].Passage.Text, q, 40)
	}
	return out, nil
}

// match runs one FTS5 query and returns up to limit passages with their
// articles, most relevant first.
func (db *DB) match(ctx context.Context, expr string, opt knowledge.SearchOptions, limit int) ([]knowledge.Hit, error) {
	var hits []knowledge.Hit
	var err error
	if opt.Since.IsZero() && opt.Until.IsZero() && opt.Source == "" {
		hits, err = db.matchRanked(ctx, expr, limit)
	} else {
		hits, err = db.matchFiltered(ctx, expr, opt, limit)
	}
	if err != nil {
		return nil, fmt.Errorf("search passages: %w", err)
	}
	if !(opt.Since.IsZero() && opt.Until.IsZero() && opt.Source == "") {
		// At equal relevance the newer article first.
		sort.SliceStable(hits, func(i, j int) bool {
			si, sj := roundScore(hits[i].Score), roundScore(hits[j].Score)
			if si != sj {
				return si > sj
			}
			return hits[i].Article.Published.After(hits[j].Article.Published)
		})
	}
	return hits, nil
}

// matchRanked ranks inside FTS5 asking for rowids only, then finds each
// passage's article through the articles' passage ranges. Passage text is
// read afterwards, for the hits only (see fillText).
func (db *DB) matchRanked(ctx context.Context, expr string, limit int) ([]knowledge.Hit, error) {
	// Only the rowid: asking for the rank too makes FTS5 compute it again.
	rows, err := db.queryRead(ctx, "SELECT rowid FROM passages_fts WHERE passages_fts MATCH ? ORDER BY rank LIMIT ?", expr, limit)
	if err != nil {
		return nil, err
	}
	pos := map[int64]int{}
	var ids []any
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		pos[id] = len(ids)
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(ids) == 0 {
		return nil, err
	}
	q := `WITH r(pid) AS (VALUES (?)` + strings.Repeat(", (?)", len(ids)-1) + `)
		SELECT r.pid, a.id, r.pid - a.first_passage, '', 0, ` + articleColumns + ` FROM r
		JOIN articles a ON a.id = (SELECT id FROM articles WHERE first_passage <= r.pid ORDER BY first_passage DESC LIMIT 1)`
	hits, err := db.scanHits(ctx, q, ids...)
	if err != nil {
		return nil, err
	}
	sort.Slice(hits, func(i, j int) bool { return pos[hits[i].Passage.ID] < pos[hits[j].Passage.ID] })
	for i := range hits {
		hits[i].Score = 1 / float64(1+i) // FTS5's order; only the order is comparable
	}
	return hits, nil
}

// fillText reads the text of hits that lack it.
func (db *DB) fillText(ctx context.Context, hits []knowledge.Hit) error {
	var ids []any
	at := map[int64]int{}
	for i, h := range hits {
		if h.Passage.Text == "" {
			ids = append(ids, h.Passage.ID)
			at[h.Passage.ID] = i
		}
	}
	if len(ids) == 0 {
		return nil
	}
	rows, err := db.queryRead(ctx, "SELECT rowid, text FROM passages WHERE rowid IN (?"+strings.Repeat(", ?", len(ids)-1)+")", ids...)
	if err != nil {
		return fmt.Errorf("read passages: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var txt string
		if err := rows.Scan(&id, &txt); err != nil {
			return fmt.Errorf("read passages: %w", err)
		}
		hits[at[id]].Passage.Text = txt
	}
	return rows.Err()
}

// matchFiltered joins the articles before ranking so that filters apply
// before the limit.
func (db *DB) matchFiltered(ctx context.Context, expr string, opt knowledge.SearchOptions, limit int) ([]knowledge.Hit, error) {
	args := []any{expr}
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
	args = append(args, limit)
	// The text is read afterwards, for the hits only (see fillText).
	q := `SELECT p.rowid, a.id, p.rowid - a.first_passage, '', p.rank, ` + articleColumns + `
		FROM (SELECT rowid, rank FROM passages_fts WHERE passages_fts MATCH ?) p
		JOIN articles a ON a.id = (SELECT id FROM articles WHERE first_passage <= p.rowid ORDER BY first_passage DESC LIMIT 1)
		WHERE ` + strings.Join(where, " AND ") + ` ORDER BY p.rank LIMIT ?`
	hits, err := db.scanHits(ctx, q, args...)
	for i := range hits {
		hits[i].Score = -hits[i].Score
	}
	return hits, err
}

// scanHits reads rows of passage columns, a rank and article columns; the
// rank lands in Score as it is.
func (db *DB) scanHits(ctx context.Context, q string, args ...any) ([]knowledge.Hit, error) {
	rows, err := db.queryRead(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var hits []knowledge.Hit
	for rows.Next() {
		var h knowledge.Hit
		dst := append([]any{&h.Passage.ID, &h.Passage.ArticleID, &h.Passage.Ord, &h.Passage.Text, &h.Score}, rowArticle(&h.Article)...)
		if err := rows.Scan(dst...); err != nil {
			return nil, err
		}
		hits = append(hits, h)
	}
	return hits, rows.Err()
}

// newerFirstAtEqualRelevance reorders runs of adjacent hits that BM25 must
// score the same, newest first. Two passages score the same when they have
// the same length and the same count of every query term, which is what
// FTS5's bm25 reads; an article's first passage is indexed with its title
// (0006_passage_text.sql), so the title's words count with it.
func newerFirstAtEqualRelevance(hits []knowledge.Hit, q knowledge.Query) {
	fp := make([]string, len(hits))
	for i, h := range hits {
		counts := make([]int, len(q.Terms)+1)
		indexed := h.Passage.Text
		if h.Passage.Ord == 0 {
			indexed = h.Article.Title + " " + indexed
		}
		for _, w := range text.Words(indexed) {
			counts[0]++
			if k := q.TermOf(w); k >= 0 {
				counts[k+1]++
			}
		}
		fp[i] = fmt.Sprint(counts)
	}
	for i := 0; i < len(hits); {
		j := i + 1
		for j < len(hits) && fp[j] == fp[i] {
			j++
		}
		sort.SliceStable(hits[i:j], func(a, b int) bool {
			return hits[i+a].Article.Published.After(hits[i+b].Article.Published)
		})
		i = j
	}
}

func roundScore(s float64) float64 { return math.Round(s*1e6) / 1e6 }
