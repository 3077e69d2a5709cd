package answer

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/attache-bot/attache/knowledge"
	"github.com/attache-bot/attache/knowledge/text"
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
	if deniesPremise(ev.Question, picked[0]) {
		// "What did the ceasefire signed in Istanbul say?" against "the
		// talks produced no ceasefire": the question's premise is false.
		a := noAnswer(ev.Question.Text, ev)
		a.Text += " " + fmt.Sprintf("The closest report says otherwise: %s (%s, %s).", strings.TrimSpace(picked[0].txt),
			sourceName(picked[0].hit.Article), picked[0].hit.Article.Day())
		a.Closest = append([]knowledge.Article{picked[0].hit.Article}, a.Closest...)
		return a
	}
	c := newCiter()
	var parts []string
	if isYesNo(ev.Question) {
		if v := verdict(ev.Question, picked); v != "" {
			parts = append(parts, v)
		}
	}
	for _, p := range picked {
		n := c.cite(p.hit.Article, p.hit.Passage)
		parts = append(parts, placeMarkers(p.txt, fmt.Sprintf("[%d]", n)))
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

func (c *citer) answer(question, txt string) Answer {
	a := Answer{Question: question, Text: txt, Sources: c.sources, Grounded: len(c.sources) > 0, Method: MethodExtractive}
	for _, s := range c.sources {
		if s.Article.Published.After(a.AsOf) {
			a.AsOf = s.Article.Published
		}
	}
	return a
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
	txt   string
	hit   knowledge.Hit
	score float64
	stems map[string]bool
}

// pickSentences scores the sentences of the relevant passages: how much of
// the question sentence they hold (and their paragraph holds), the rest of
// the question, the passage's own score and, for role questions, whether
// they state a title. When the question asks for a kind of answer (a
// person, a time, a number, a place), only sentences that hold one the
// question does not give are candidates. It returns the best and up to two
// more that add something.
func pickSentences(ev Evidence) []candidate {
	q := ev.Question
	asked := askedWords(q.Text)
	var cands []candidate
	bestFocus := 0.0
	for _, p := range ev.Passages {
		if p.Supported && !p.Stale {
			bestFocus = max(bestFocus, p.Focus)
		}
	}
	for pi, p := range ev.Passages {
		if !p.Supported || p.Stale || p.Focus < bestFocus*0.5 || pi >= 8 {
			continue
		}
		for si, s := range text.Sentences(p.Passage.Text) {
			n := text.CountWords(s)
			if n < 5 || n > 80 {
				continue
			}
			fit := 1.0
			if q.Kind != "" && !q.IsRole {
				if fit = candidateFit(q.Kind, asked, s); fit == 0 {
					continue
				}
			}
			stems := stemSet(s)
			focus := focusCoverage(ev.groups, stems, p.Article.Published)
			cover := coverage(ev.groups, stems, p.Article.Published)
			if cover == 0 && (q.Kind == "" || q.IsRole) {
				// A sentence sharing no word with the question may still
				// hold the asked kind of answer in a relevant paragraph.
				continue
			}
			score := 0.6*focus + 0.4*p.Focus + 0.3*cover + 0.3*p.Score + 0.3*fit
			if mentions(ev.names, stems) {
				score += 0.15
			}
			if q.IsRole && statesTitle(s) {
				score += 0.3
			}
			if p.Passage.Ord == 0 && si < 2 {
				score += 0.05 // ledes state the news
			}
			if n > 45 {
				score -= 0.1
			}
			cands = append(cands, candidate{txt: s, hit: p.Hit, score: score, stems: stems})
		}
	}
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].score > cands[j].score })
	if len(cands) == 0 {
		return nil
	}
	picked := []candidate{cands[0]}
	covered := copySet(cands[0].stems)
	cited := map[int64]bool{cands[0].hit.Article.ID: true}
	for _, c := range cands[1:] {
		if len(picked) == 3 || c.score < 0.75*cands[0].score {
			break
		}
		// Another article is cited only for a sentence nearly as good,
		// from an article of the same time.
		if !cited[c.hit.Article.ID] && (c.score < 0.9*cands[0].score ||
			cands[0].hit.Article.Published.Sub(c.hit.Article.Published) > sameTime) {
			continue
		}
		if overlap(c.stems, covered) > 0.6 || !addsTerm(ev.groups, c.stems, covered) {
			continue
		}
		picked = append(picked, c)
		cited[c.hit.Article.ID] = true
		for s := range c.stems {
			covered[s] = true
		}
	}
	return picked
}

// sameTime is how much older than the answer's first article another may
// be and still be cited beside it: an older one is background, which the
// news since may have overtaken.
const sameTime = 91 * 24 * time.Hour

// statesTitle reports whether a sentence names a title ("special envoy",
// "foreign minister").
func statesTitle(s string) bool {
	for _, m := range text.ExtractRoles(s) {
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
