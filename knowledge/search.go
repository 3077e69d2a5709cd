package knowledge

import (
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
