package answer

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/attache-bot/attache/knowledge"
	"github.com/attache-bot/attache/knowledge/text"
)

// Store is what answering needs of the knowledge base.
type Store interface {
	SearchPassages(ctx context.Context, txt string, opt knowledge.SearchOptions) ([]knowledge.Hit, knowledge.Query, error)
	PlanQuery(ctx context.Context, txt string) (knowledge.Query, error)
	WhoIs(ctx context.Context, name string) ([]knowledge.PersonRoles, error)
	// Newest is the publication time of the newest article, or zero when
	// there is none.
	Newest(ctx context.Context) (time.Time, error)
}

// StaleAfter is how much older than the question an article may be and
// still answer it from its words alone. A news question asks about the
// news: "who was elected", "where was he captured" mean lately, and a
// sentence of years ago that shares the question's words answers another
// question. One that names its time ("in 2016", "as of April") or asks for
// a person's roles, which are dated, is not bound by it.
const StaleAfter = 365 * 24 * time.Hour

// Scored is a retrieved passage with how well it answers the question.
type Scored struct {
	knowledge.Hit
	// Relevance is the share of the question's weighted terms the passage
	// (with its headline) holds, 0 to 1; words of context sentences count
	// for less than those of the question's own sentence.
	Relevance float64
	// Focus is the share of the question sentence's terms and of the
	// question's names that the passage holds; ArticleFocus, that its
	// article's retrieved passages hold together.
	Focus, ArticleFocus float64
	NameMatch           bool // holds a name the question asks about
	// Supported: its article names every name of several words the
	// question gives, and at least one of its names.
	Supported bool
	// Stale: its article is more than StaleAfter older than the question
	// (see Retriever.Newest), which does not name a past time.
	Stale bool
	Score float64 // Relevance with rank, recency and diversity folded in
}

// Evidence is what retrieval found for a question.
type Evidence struct {
	Question Question
	Passages []Scored // best first, from several articles and outlets
	Roles    []knowledge.PersonRoles
	// Plausible: some passage's article names what the question names and
	// holds part of the question sentence: worth a model's judgement.
	Plausible bool
	// Answerable: some passage holds enough of the question sentence to
	// answer from it without a model.
	Answerable bool
	Closest    []knowledge.Article // the nearest headlines, for a question the articles do not answer
	// Today is the question's day: the as-of day when one is set, else
	// the clock's. The model is told it.
	Today  time.Time
	groups []termGroup
	names  []nameKey
}

// Retriever finds the passages that answer a question.
type Retriever struct {
	Store Store
	Now   func() time.Time
	// MaxPassages is how many passages reach the answerer (default 8).
	MaxPassages int
	// PerArticle caps passages from one article (default 2).
	PerArticle int
	// Floor is the share of the question sentence an article's retrieved
	// passages need to count as answering without a model (default 0.6).
	Floor float64
	// PlausibleFloor is the share a passage needs for a model to see it
	// (default 0.25).
	PlausibleFloor float64
	// AsOf, when set, asks as of that day: "this week" and "latest" are
	// relative to it, and articles published after it do not count.
	AsOf time.Time
	// Source, when set, answers from this outlet's articles only.
	Source string
}

// framingWords frame a question rather than name its subject: a passage
// need not contain them to answer it.
var framingWords = map[string]bool{
	"role": true, "title": true, "job": true, "position": true, "post": true, "happen": true, "happened": true,
	"going": true, "say": true, "mean": true, "think": true, "describe": true, "explain": true, "summary": true,
	"summarize": true, "current": true, "currently": true, "recent": true, "recently": true, "week": true,
	"today": true, "update": true, "updates": true, "status": true, "involved": true, "doing": true, "do": true,
	"main": true, "key": true, "give": true, "overview": true, "happening": true, "month": true, "did": true,
	"most": true, "last": true, "first": true, "yesterday": true, "time": true, "день": true, "роль": true, "rôle": true,
}

func (r *Retriever) now() time.Time {
	if !r.AsOf.IsZero() {
		return r.dayAfterAsOf().Add(-time.Second)
	}
	if r.Now != nil {
		return r.Now()
	}
	return time.Now().UTC()
}

// dayAfterAsOf is the start of the day after AsOf: articles published from
// then on do not count.
func (r *Retriever) dayAfterAsOf() time.Time {
	y, m, d := r.AsOf.Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, time.UTC)
}

// until is the end of the window: the question's own as-of date or the
// retriever's, whichever is earlier.
func (r *Retriever) until(q Question) time.Time {
	if r.AsOf.IsZero() {
		return q.AsOf
	}
	if end := r.dayAfterAsOf(); q.AsOf.IsZero() || end.Before(q.AsOf) {
		return end
	}
	return q.AsOf
}

func orDefault[T int | float64 | time.Duration](v, d T) T {
	if v <= 0 {
		return d
	}
	return v
}

// Retrieve finds and ranks the passages that answer a question. prior,
// when not empty, is the earlier question a follow-up continues: its names
// and words join the search, so that "he" finds who "he" is.
func (r *Retriever) Retrieve(ctx context.Context, txt, prior string) (Evidence, error) {
	// Descriptions ("America's top diplomat") are searched and scored as
	// the names articles use; the question keeps the reader's words.
	searched := Paraphrase(txt)
	q := ParseQuestion(searched, r.now())
	q.Text = strings.TrimSpace(txt)
	if prior != "" {
		pq := ParseQuestion(prior, r.now())
		q.Names = append(q.Names, pq.Names...)
		if pq.Person != "" {
			q.Names = append(q.Names, pq.Person)
		}
		q.TermWords = appendNew(q.TermWords, pq.TermWords)
	}
	ev := Evidence{Question: q, Today: r.now()}
	if len(q.TermWords) == 0 {
		return ev, nil
	}
	searchText := strings.Join(q.TermWords, " ")
	if prior == "" {
		searchText = searched
	}
	opt := knowledge.SearchOptions{Since: q.Since, Until: r.until(q), Limit: 15, Source: r.Source}
	var hits []knowledge.Hit
	seen := map[int64]bool{}
	search := func(txt string, limit int) (knowledge.Query, error) {
		o := opt
		o.Limit = limit
		hs, plan, err := r.Store.SearchPassages(ctx, txt, o)
		if err != nil {
			return plan, fmt.Errorf("retrieve: %w", err)
		}
		for _, h := range hs {
			if !seen[h.Passage.ID] {
				seen[h.Passage.ID] = true
				hits = append(hits, h)
			}
		}
		return plan, nil
	}
	plan, err := search(searchText, 15)
	if err != nil {
		return ev, err
	}
	// The words' weights: the search's own when it weighed them (it does
	// when its words together found too little), else asked for.
	if plan.Total == 0 {
		if plan, err = r.Store.PlanQuery(ctx, searchText); err != nil {
			return ev, fmt.Errorf("retrieve: %w", err)
		}
	}
	ev.groups = weigh(groupsOf(q.TermWords, q.Names, q.FocusWords), plan)
	names := q.Names
	if q.Person != "" {
		names = append(names, q.Person)
	}
	ev.names = nameKeys(names, plan)
	// The question's equivalents ("Tehran" for "Iran") are searched only
	// when its own words found nothing that clears the floor.
	stems := passageStems{}
	if exp := expansion(q.TermWords); exp != "" && !r.enough(hits, ev, stems) {
		if _, err := search(searchText+" "+exp, 10); err != nil {
			return ev, err
		}
	}
	if q.Person != "" {
		roles, err := r.Store.WhoIs(ctx, q.Person)
		if err != nil {
			return ev, fmt.Errorf("retrieve: %w", err)
		}
		ev.Roles = roles
		name := q.Person
		if len(roles) > 0 {
			name = roles[0].Person.Name
		}
		if _, err := search(name, 10); err != nil {
			return ev, err
		}
	}
	ev.Passages = r.rank(hits, ev.groups, ev.names, q.Recent, stems)
	r.diversify(&ev)
	if !q.IsRole && q.AsOf.IsZero() && !namesYear(q.Text) {
		// The question's time is the as-of day, or else the archive's
		// present: its newest article (a demo corpus of last year is not
		// stale to itself).
		ref := r.now()
		if r.AsOf.IsZero() {
			newest, err := r.Store.Newest(ctx)
			if err != nil {
				return ev, fmt.Errorf("retrieve: %w", err)
			}
			if !newest.IsZero() && newest.Before(ref) {
				ref = newest
			}
		}
		for i := range ev.Passages {
			ev.Passages[i].Stale = ref.Sub(ev.Passages[i].Article.Published) > StaleAfter
		}
	}
	for _, p := range ev.Passages {
		if !p.Supported {
			continue
		}
		ev.Plausible = ev.Plausible || p.ArticleFocus >= orDefault(r.PlausibleFloor, 0.25)
		if p.Stale {
			continue // a model may still judge it; extraction does not quote it
		}
		ev.Answerable = ev.Answerable || p.ArticleFocus >= orDefault(r.Floor, 0.6)
	}
	if !ev.Answerable {
		ev.Closest = closest(hits, 3)
	}
	return ev, nil
}

// yearRE finds a year a question names ("in 2016", "the 1989 invasion").
var yearRE = regexp.MustCompile(`\b(1[89]\d\d|20\d\d)\b`)

func namesYear(txt string) bool { return yearRE.MatchString(txt) }

func appendNew(dst, src []string) []string {
	have := map[string]bool{}
	for _, w := range dst {
		have[w] = true
	}
	for _, w := range src {
		if !have[w] {
			have[w] = true
			dst = append(dst, w)
		}
	}
	return dst
}

// enough reports whether hits already hold a passage that clears the
// relevance floor (and names what the question names).
func (r *Retriever) enough(hits []knowledge.Hit, ev Evidence, ps passageStems) bool {
	for _, h := range hits {
		stems := ps.of(h)
		if focusCoverage(ev.groups, stems, h.Article.Published) >= orDefault(r.Floor, 0.6) && supports(ev.names, stems) {
			return true
		}
	}
	return false
}

// passageStems remembers the stems of each passage, with its article's
// headline (which frames every paragraph), for one retrieval, which looks
// at them twice.
type passageStems map[int64]map[string]bool

func (ps passageStems) of(h knowledge.Hit) map[string]bool {
	if s, ok := ps[h.Passage.ID]; ok {
		return s
	}
	s := stemSet(h.Passage.Text, h.Article.Title)
	ps[h.Passage.ID] = s
	return s
}

// weigh gives each term group an inverse document frequency from the plan
// (a name group: that of its rarest word). A word the index lacks weighs
// half the rarest possible term: it may be the question's own wording for
// something the articles say otherwise, or the subject they never cover.
func weigh(groups []termGroup, plan knowledge.Query) []termGroup {
	df := map[string]int{}
	for _, t := range plan.Terms {
		df[t.Word] = t.DF
	}
	n := float64(max(plan.Total, 1))
	idf := func(w string) float64 {
		d, ok := df[w]
		if !ok {
			return 0.5 * math.Log(1+(n+0.5)/0.5)
		}
		return math.Log(1 + (n-float64(d)+0.5)/(float64(d)+0.5))
	}
	for i := range groups {
		g := &groups[i]
		g.idf = 0
		for _, w := range g.words {
			g.idf = max(g.idf, idf(w))
		}
		if len(g.words) == 1 && framingWords[g.word] {
			g.idf = 0
		}
	}
	return groups
}

// expansion lists the equivalents of the question's words that it lacks.
func expansion(words []string) string {
	have := map[string]bool{}
	for _, w := range words {
		have[w] = true
	}
	var out []string
	for _, w := range words {
		for _, alt := range equivalents[w] {
			if !have[alt] {
				have[alt] = true
				out = append(out, alt)
			}
		}
	}
	return strings.Join(out, " ")
}

// stemSet is the set of index stems of a text.
func stemSet(texts ...string) map[string]bool {
	s := map[string]bool{}
	for _, t := range texts {
		for _, w := range text.Words(t) {
			s[text.Stem(w)] = true
		}
	}
	return s
}

// contextWeight is what a word of a context sentence weighs against one of
// the question's own sentence.
const contextWeight = 0.3

// coverage is the weighted share of the groups found in stems, words of
// context sentences weighing less. A month (and day) in the question is
// also found in an article published then.
func coverage(groups []termGroup, stems map[string]bool, published time.Time) float64 {
	return coverageOf(groups, stems, published, contextWeight)
}

// focusCoverage is coverage of the question sentence's words and the
// question's names alone.
func focusCoverage(groups []termGroup, stems map[string]bool, published time.Time) float64 {
	return coverageOf(groups, stems, published, 0)
}

func coverageOf(groups []termGroup, stems map[string]bool, published time.Time, context float64) float64 {
	var have, all float64
	for _, g := range groups {
		w := g.idf
		if !g.focus {
			w *= context
		}
		if w == 0 {
			continue
		}
		all += w
		found := g.month != 0 && published.Month() == g.month && (g.day == 0 || published.Day() == g.day || published.Day() == g.day+1) ||
			g.year != 0 && published.Year() == g.year
		for _, s := range g.stems {
			if found || stems[s] {
				found = true
				break
			}
		}
		if found {
			have += w
		}
	}
	if all == 0 {
		return 0
	}
	return have / all
}

// nameKey is one name of a question as retrieval checks it: the stem of
// its rarest word ("olympic" of "International Olympic Committee", "biden"
// of "Joe Biden"), so that a common word of a name does not stand for it.
type nameKey struct {
	stem  string
	multi bool // the name has several words
}

// nameKeys picks the key of each name from the plan's document
// frequencies; a word the index lacks is the rarest of all.
func nameKeys(names []string, plan knowledge.Query) []nameKey {
	df := map[string]int{}
	for _, t := range plan.Terms {
		df[t.Word] = t.DF
	}
	var out []nameKey
	seen := map[string]bool{}
	for _, n := range names {
		best, bestDF := "", -1
		for _, w := range text.Words(n) {
			if text.IsStopword(w) {
				continue
			}
			d := df[w]
			if bestDF < 0 || d < bestDF {
				best, bestDF = w, d
			}
		}
		if best == "" || seen[n] {
			continue
		}
		seen[n] = true
		out = append(out, nameKey{stem: text.Stem(best), multi: len(strings.Fields(n)) > 1})
	}
	return out
}

// mentions reports whether stems hold any of the names.
func mentions(keys []nameKey, stems map[string]bool) bool {
	for _, k := range keys {
		if stems[k.stem] {
			return true
		}
	}
	return false
}

// supports reports whether stems hold every name of several words and at
// least one name, when there are names. A lone capitalised word may be an
// adjective or a word the articles spell otherwise; a full name is not.
func supports(keys []nameKey, stems map[string]bool) bool {
	if len(keys) == 0 {
		return true
	}
	found := false
	for _, k := range keys {
		if stems[k.stem] {
			found = true
		} else if k.multi {
			return false
		}
	}
	return found
}

// rank scores every hit: relevance first, then the search engine's order,
// then, for questions about the latest, recency.
func (r *Retriever) rank(hits []knowledge.Hit, groups []termGroup, names []nameKey, recent bool, ps passageStems) []Scored {
	var oldest, newest time.Time
	for i, h := range hits {
		if i == 0 || h.Article.Published.Before(oldest) {
			oldest = h.Article.Published
		}
		if h.Article.Published.After(newest) {
			newest = h.Article.Published
		}
	}
	span := newest.Sub(oldest).Hours()
	// A name may be in another retrieved paragraph of the same article.
	articleStems := map[int64]map[string]bool{}
	for _, h := range hits {
		u := articleStems[h.Article.ID]
		if u == nil {
			u = map[string]bool{}
			articleStems[h.Article.ID] = u
		}
		for st := range ps.of(h) {
			u[st] = true
		}
	}
	out := make([]Scored, len(hits))
	for i, h := range hits {
		stems := ps.of(h)
		as := articleStems[h.Article.ID]
		s := Scored{Hit: h, Relevance: coverage(groups, stems, h.Article.Published), NameMatch: mentions(names, stems),
			Focus: focusCoverage(groups, stems, h.Article.Published), ArticleFocus: focusCoverage(groups, as, h.Article.Published),
			Supported: supports(names, as)}
		s.Score = s.Relevance + 0.1/float64(1+i)
		if len(names) > 0 && !s.NameMatch {
			s.Score -= 0.3
		}
		if recent && span > 0 {
			s.Score += 0.3 * h.Article.Published.Sub(oldest).Hours() / span
		}
		out[i] = s
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Score > out[j].Score })
	return out
}

// diversify keeps the best passages with at most PerArticle from one article
// and a small penalty for repeating an outlet, up to MaxPassages.
func (r *Retriever) diversify(ev *Evidence) {
	maxN := orDefault(r.MaxPassages, 8)
	per := orDefault(r.PerArticle, 2)
	pool := ev.Passages
	var out []Scored
	perArticle := map[int64]int{}
	perSource := map[string]int{}
	for len(out) < maxN && len(pool) > 0 {
		best, bestScore := -1, math.Inf(-1)
		for i, s := range pool {
			if perArticle[s.Article.ID] >= per {
				continue
			}
			sc := s.Score - 0.05*float64(perSource[strings.ToLower(s.Article.Source)]) - 0.1*float64(perArticle[s.Article.ID])
			if sc > bestScore {
				best, bestScore = i, sc
			}
		}
		if best < 0 {
			break
		}
		s := pool[best]
		pool = append(pool[:best:best], pool[best+1:]...)
		perArticle[s.Article.ID]++
		perSource[strings.ToLower(s.Article.Source)]++
		out = append(out, s)
	}
	ev.Passages = out
}

// closest returns the first n distinct articles of hits.
func closest(hits []knowledge.Hit, n int) []knowledge.Article {
	var out []knowledge.Article
	seen := map[int64]bool{}
	for _, h := range hits {
		if len(out) == n {
			break
		}
		if !seen[h.Article.ID] {
			seen[h.Article.ID] = true
			out = append(out, h.Article)
		}
	}
	return out
}
