package knowledge

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/attache-bot/attache/knowledge/text"
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

const (
	maxQueryTerms = 32 // distinct words considered from the text
	MaxMatchTerms = 8  // terms that take part in one MATCH
)

// QueryWords extracts the searchable words of any text a user may type:
// folded, without punctuation, operators or stopwords (unless the text has
// nothing else), without duplicates, at most 32. It never fails: FTS syntax
// ("NEAR(", "AND", "*", quotes) is just text.
func QueryWords(txt string) []string {
	var all, kept []string
	seen := map[string]bool{}
	for _, w := range text.Words(txt) {
		if seen[w] || utf8.RuneCountInString(w) > 64 {
			continue
		}
		seen[w] = true
		all = append(all, w)
		if !text.IsStopword(w) {
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

// OnlyStopwords reports text whose every word is a stopword.
func OnlyStopwords(txt string) bool {
	for _, w := range text.Words(txt) {
		if !text.IsStopword(w) {
			return false
		}
	}
	return true
}

// TermOf returns the index of the term that the folded token w stems to,
// or -1. A stem is a prefix of its word but for its last letter ("hope" of
// "hoping", "happi" of "happy"), so most tokens are ruled out without
// stemming them.
func (q Query) TermOf(w string) int {
	stemmed := ""
	for i, t := range q.Terms {
		if p := len(t.Stem) - 1; p > 0 && (len(w) < p || w[:p] != t.Stem[:p]) {
			continue
		}
		if stemmed == "" {
			stemmed = text.Stem(w)
		}
		if stemmed == t.Stem {
			return i
		}
	}
	return -1
}

// Selective returns the terms worth an OR query: the rarest few, leaving out
// words so common that matching them would rank most of the index for little
// gain in relevance. The rarest term is always kept.
func (q Query) Selective() []Term {
	limit := max(2000, q.Total/40)
	var out []Term
	for i, t := range q.Terms {
		if len(out) == MaxMatchTerms {
			break
		}
		if i > 0 && t.DF > limit {
			break
		}
		out = append(out, t)
	}
	return out
}

// Snippet returns about width words of text around the densest run of query
// terms, with "…" where it was cut.
func Snippet(txt string, q Query, width int) string {
	words := strings.Fields(txt)
	if len(words) <= width {
		return strings.Join(words, " ")
	}
	hit := make([]int, len(words)+1) // prefix sums of matching words
	for i, w := range words {
		hit[i+1] = hit[i]
		for _, tok := range text.Words(w) {
			if q.TermOf(tok) >= 0 {
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

// Matcher is what a store does for Plan: match passages holding every
// (all) or any of some terms, best first; and weigh a text's terms.
type Matcher interface {
	Match(ctx context.Context, terms []Term, all bool, opt SearchOptions, limit int) ([]Hit, error)
	PlanQuery(ctx context.Context, text string) (Query, error)
}

// SearchPlan is how every store finds the passages for a text, so that
// they find the same ones: the AND of its words first, which is all most
// queries need; only when that finds fewer than opt.Limit articles (or the
// text has more words than one match takes) are the words weighed, to AND
// the rarest and to OR the selective ones. It returns up to 3 × opt.Limit
// passages and the query, weighed when it was.
func SearchPlan(ctx context.Context, m Matcher, txt string, opt SearchOptions) ([]Hit, Query, error) {
	limit := ClampLimit(opt.Limit)
	want := limit * 3
	q := Query{Text: txt}
	for _, w := range QueryWords(txt) {
		q.Terms = append(q.Terms, Term{Word: w, Stem: text.Stem(w)})
	}
	if len(q.Terms) == 0 {
		return nil, q, nil
	}
	var hits []Hit
	seen := map[int64]bool{}
	articles := map[int64]bool{}
	add := func(hs []Hit) {
		for _, h := range hs {
			if !seen[h.Passage.ID] {
				seen[h.Passage.ID] = true
				articles[h.Article.ID] = true
				hits = append(hits, h)
			}
		}
	}
	if len(q.Terms) <= MaxMatchTerms {
		hs, err := m.Match(ctx, q.Terms, true, opt, want)
		if err != nil {
			return nil, q, err
		}
		add(hs)
		if len(articles) >= limit || len(q.Terms) == 1 {
			return hits, q, nil
		}
	}
	pq, err := m.PlanQuery(ctx, txt)
	if err != nil {
		return nil, q, err
	}
	q = pq
	if len(q.Terms) == 0 {
		return hits, q, nil
	}
	if len(QueryWords(txt)) > MaxMatchTerms && len(q.Terms) > 1 {
		hs, err := m.Match(ctx, q.Terms[:min(len(q.Terms), MaxMatchTerms)], true, opt, want)
		if err != nil {
			return nil, q, err
		}
		add(hs)
	}
	if len(articles) < limit {
		hs, err := m.Match(ctx, q.Selective(), false, opt, want)
		if err != nil {
			return nil, q, err
		}
		add(hs)
	}
	if len(hits) > want {
		hits = hits[:want]
	}
	return hits, q, nil
}

// ClampLimit is a search's number of results: 10 when unset, at most
// MaxSearchLimit.
func ClampLimit(n int) int {
	if n <= 0 {
		return 10
	}
	return min(n, MaxSearchLimit)
}

// BestPerArticle keeps, of passages best first, the first of each article,
// up to limit articles: what Search returns.
func BestPerArticle(hits []Hit, limit int) []Hit {
	var out []Hit
	seen := map[int64]bool{}
	for _, h := range hits {
		if len(out) == limit {
			break
		}
		if !seen[h.Article.ID] {
			seen[h.Article.ID] = true
			out = append(out, h)
		}
	}
	return out
}
