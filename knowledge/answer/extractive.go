package answer

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/attache-bot/attache/knowledge"
)

// Extract answers without an LLM: for a role question, the person's titles
// from the who-is records, newest first; otherwise the one to three
// sentences of the retrieved passages that best answer the question, each
// cited. It answers only from what retrieval found relevant, and says the
// articles do not answer when nothing is.
func Extract(ev Evidence) Answer {
	if ev.Question.IsRole && len(ev.Roles) > 0 {
		if a, ok := extractRoles(ev); ok {
			return a
		}
	}
	if !ev.Answerable {
		return noAnswer(ev.Question.Text, ev)
	}
	picked := pickSentences(ev)
	if len(picked) == 0 {
		return noAnswer(ev.Question.Text, ev)
	}
	c := newCiter()
	var parts []string
	for _, p := range picked {
		n := c.cite(p.hit.Article, p.hit.Passage)
		parts = append(parts, placeMarkers(p.text, fmt.Sprintf("[%d]", n)))
	}
	return c.answer(ev.Question.Text, strings.Join(parts, " "))
}

// citer numbers articles in order of first citation.
type citer struct {
	sources []Source
	index   map[int64]int
}

func newCiter() *citer { return &citer{index: map[int64]int{}} }

func (c *citer) cite(a knowledge.Article, p knowledge.Passage) int {
	i, ok := c.index[a.ID]
	if !ok {
		i = len(c.sources)
		c.index[a.ID] = i
		c.sources = append(c.sources, Source{N: i + 1, Article: a})
	}
	s := &c.sources[i]
	for _, have := range s.Passages {
		if have.ID == p.ID && have.Text == p.Text {
			return s.N
		}
	}
	s.Passages = append(s.Passages, p)
	return s.N
}

func (c *citer) answer(question, text string) Answer {
	a := Answer{Question: question, Text: text, Sources: c.sources, Grounded: len(c.sources) > 0, Method: MethodExtractive}
	for _, s := range c.sources {
		if s.Article.Published.After(a.AsOf) {
			a.AsOf = s.Article.Published
		}
	}
	return a
}

// extractRoles lists the titles of the best-documented person the question
// names, newest first, each cited and dated.
func extractRoles(ev Evidence) (Answer, bool) {
	pr := ev.Roles[0]
	c := newCiter()
	var parts []string
	for _, r := range pr.Distinct() {
		n := c.cite(r.Article, knowledge.Passage{ArticleID: r.Article.ID, Text: r.Sentence})
		parts = append(parts, fmt.Sprintf("%s [%d] (%s)", r.Title, n, r.Article.Published.Format("2 Jan 2006")))
		if len(parts) == 3 {
			break
		}
	}
	if len(parts) == 0 {
		return Answer{}, false
	}
	text := fmt.Sprintf("%s is described as %s.", pr.Person.Name, joinList(parts))
	// The sentence that best states the newest role, for context.
	if best := pr.Roles[0].Sentence; best != "" {
		n := c.cite(pr.Roles[0].Article, knowledge.Passage{ArticleID: pr.Roles[0].Article.ID, Text: best})
		text += " " + placeMarkers(best, fmt.Sprintf("[%d]", n))
	}
	return c.answer(ev.Question.Text, text), true
}

func joinList(parts []string) string {
	switch len(parts) {
	case 1:
		return parts[0]
	case 2:
		return parts[0] + " and " + parts[1]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}

type candidate struct {
	text  string
	hit   knowledge.Hit
	score float64
	cover float64
	stems map[string]bool
	order int
}

// pickSentences scores the sentences of the relevant passages by how much
// of the question they hold (weighted by rarity), the passage's own score
// and, for role questions, whether they state a title; it returns the best
// and up to two more that add something.
func pickSentences(ev Evidence) []candidate {
	names := ev.Question.Names
	if ev.Question.Person != "" {
		names = append(names, ev.Question.Person)
	}
	var cands []candidate
	floor := ev.Passages[0].Relevance * 0.5
	for pi, p := range ev.Passages {
		if p.Relevance < floor || pi >= 6 {
			continue
		}
		for si, s := range knowledge.Sentences(p.Passage.Text) {
			n := knowledge.CountWords(s)
			if n < 5 || n > 80 {
				continue
			}
			stems := stemSet(s)
			cover := coverage(ev.groups, stems, p.Article.Published)
			if cover == 0 {
				continue
			}
			score := cover + 0.3*p.Score
			if len(names) > 0 && mentions(names, stems) {
				score += 0.25
			}
			if ev.Question.IsRole && statesTitle(s) {
				score += 0.3
			}
			if fitsKind(ev.Question, s) {
				score += 0.2
			}
			if p.Passage.Ord == 0 && si < 2 {
				score += 0.05 // ledes state the news
			}
			if n > 45 {
				score -= 0.1
			}
			cands = append(cands, candidate{text: s, hit: p.Hit, score: score, cover: cover, stems: stems, order: len(cands)})
		}
	}
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].score > cands[j].score })
	if len(cands) == 0 {
		return nil
	}
	picked := []candidate{cands[0]}
	covered := copySet(cands[0].stems)
	for _, c := range cands[1:] {
		if len(picked) == 3 || c.score < 0.75*cands[0].score {
			break
		}
		if overlap(c.stems, covered) > 0.6 || !addsTerm(ev.groups, c.stems, covered) {
			continue
		}
		picked = append(picked, c)
		for s := range c.stems {
			covered[s] = true
		}
	}
	return picked
}

var (
	dateInText   = regexp.MustCompile(`(?i)\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|march|april|may|june|july|august|september|october|november|december|\d{4}|yesterday|today)\b`)
	numberInText = regexp.MustCompile(`\d`)
	placeInText  = regexp.MustCompile(`\b(?:in|at|to|from) \p{Lu}`)
)

// fitsKind reports whether a sentence holds the kind of thing the question
// asks for: a person's name for "who", a date for "when", a number for "how
// many", a place for "where". A name the question itself gives does not count.
func fitsKind(q Question, s string) bool {
	switch q.Kind {
	case "who":
		asked := map[string]bool{}
		for _, w := range knowledge.Words(q.Text) {
			asked[w] = true
		}
		for _, n := range knowledge.FullNames(s) {
			w := knowledge.Words(n)
			if len(w) > 0 && !asked[w[len(w)-1]] {
				return true
			}
		}
	case "when":
		return dateInText.MatchString(s)
	case "number":
		return numberInText.MatchString(s)
	case "where":
		return placeInText.MatchString(s)
	}
	return false
}

// statesTitle reports whether a sentence names a title ("special envoy",
// "foreign minister").
func statesTitle(s string) bool {
	for _, m := range knowledge.ExtractRoles(s) {
		if m.Role != "" {
			return true
		}
	}
	return false
}

func copySet(m map[string]bool) map[string]bool {
	out := make(map[string]bool, len(m))
	for k := range m {
		out[k] = true
	}
	return out
}

// overlap is the share of a's stems already in b.
func overlap(a, b map[string]bool) float64 {
	if len(a) == 0 {
		return 1
	}
	n := 0
	for k := range a {
		if b[k] {
			n++
		}
	}
	return float64(n) / float64(len(a))
}

// addsTerm reports whether stems cover a weighted question term that
// covered does not.
func addsTerm(groups []termGroup, stems, covered map[string]bool) bool {
	for _, g := range groups {
		if g.idf == 0 {
			continue
		}
		in, was := false, false
		for _, s := range g.stems {
			in = in || stems[s]
			was = was || covered[s]
		}
		if in && !was {
			return true
		}
	}
	return false
}
