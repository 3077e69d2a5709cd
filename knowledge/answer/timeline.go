package answer

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/attache-bot/attache/knowledge"
	"github.com/attache-bot/attache/knowledge/text"
)

// Questions answered by a dated list drawn from several articles, oldest
// first, one line per article, each cited: what happened on a day, and a
// story's timeline ("how did the talks progress", "which meetings did X
// attend between March and July", "where were the talks held").
const (
	listDay      = "day"
	listTimeline = "timeline"
)

// listForm is what a list question asks for.
type listForm struct {
	kind         string
	topic        string    // the words to search; "" for all the news
	day          time.Time // listDay: the day
	since, until time.Time // listTimeline: the span, zero for all time
}

var (
	happenedRE = regexp.MustCompile(`(?i)\bwhat\s+(?:happened|took\s+place|occurred|went\s+on|was\s+(?:agreed|announced|signed|decided)|were\s+the\s+(?:main\s+)?(?:events|headlines|news))\b`)
	timelineRE = regexp.MustCompile(`(?i)\bhow\s+(?:did|has|have|had)\b.{0,80}\b(?:progress|develop|evolve|unfold|advance|move|go|change)\w*\b` +
		`|\bwhat\s+did\s+(?:the\s+)?(?:\w+\s+){0,2}(?:rounds|meetings|sessions|talks|summits)\b.{0,60}\b(?:produce|achieve|yield|bring|agree)\w*\b` +
		`|\bwhich\s+(?:meetings|talks|visits|trips|summits|rounds|sessions)\b` +
		`|\bwhere\s+(?:were|was|have|had)\b.{0,60}\b(?:held|hosted|take\s+place|took\s+place|meet|met)\b.{0,40}\b(?:between|from|since)\b` +
		`|\bwhat\s+happened\s+between\b.{0,60}\b(?:january|february|march|april|may|june|july|august|september|october|november|december|\d{4})\b` +
		`|\b(?:timeline|chronology|in\s+order|so\s+far|sequence\s+of\s+events|step\s+by\s+step)\b`)
	// formWordsRE: the words of a list question that are not its topic.
	formWordsRE = regexp.MustCompile(`(?i)\b(?:how|did|has|have|had|what|which|where|were|was|when|progress\w*|develop\w*|evolv\w*|unfold\w*|advanc\w*|chang\w*|go|went|happen\w*|took|take|place|occur\w*|produce\w*|achiev\w*|yield\w*|brought|bring|held|hosted|between|from|since|until|to|in|on|and|the|of|order|timeline|chronology|so|far|sequence|events?|step|by|news|headlines|diplomacy|diplomatic|world|attend\w*|meet|met|main|this|that|day)\b`)
)

// whichSeriesRE: "which meetings": what the list is of, not its topic.
var whichSeriesRE = regexp.MustCompile(`(?i)\bwhich\s+(?:meetings|talks|visits|trips|summits|rounds|sessions)\b`)

// multiword names are one topic word each, the one articles also use.
var (
	multiwordRE = regexp.MustCompile(`(?i)\b(?:united\s+states|united\s+kingdom|european\s+union|united\s+nations)\b`)
	multiword   = map[string]string{"united states": "US", "united kingdom": "UK", "european union": "EU", "united nations": "UN"}
)

// parseListForm reads a list question, as of the day now gives; now is
// asked only of a question of a list's form.
func parseListForm(q string, now func() time.Time) (listForm, bool) {
	topic := func(s string) string {
		s = whichSeriesRE.ReplaceAllString(s, " ")
		s = isoDayRE.ReplaceAllString(s, " ")
		s = numericDayRE.ReplaceAllString(s, " ")
		s = dayMonthRE.ReplaceAllString(s, " ")
		s = monthDayRE.ReplaceAllString(s, " ")
		s = weekdayRE.ReplaceAllString(s, " ")
		s = monthWordRE.ReplaceAllString(s, " ")
		s = yearRE.ReplaceAllString(s, " ")
		s = formWordsRE.ReplaceAllString(s, " ")
		s = multiwordRE.ReplaceAllStringFunc(s, func(m string) string { return multiword[strings.ToLower(strings.Join(strings.Fields(m), " "))] })
		return strings.Join(knowledge.QueryWords(s), " ")
	}
	if timelineRE.MatchString(q) {
		f := listForm{kind: listTimeline, topic: topic(q)}
		if since, until, ok := monthSpan(q, now()); ok {
			f.since, f.until = since, until
		}
		if f.topic != "" {
			return f, true
		}
	}
	if happenedRE.MatchString(q) {
		if day, ok := QuestionDay(q, now()); ok {
			return listForm{kind: listDay, day: day, topic: topic(q)}, true
		}
	}
	return listForm{}, false
}

// listStore is what list answers need of the store.
type listStore interface {
	SearchPassages(ctx context.Context, txt string, opt knowledge.SearchOptions) ([]knowledge.Hit, knowledge.Query, error)
	ArticlesBetween(ctx context.Context, since, until time.Time, limit int) ([]knowledge.Article, error)
	Passages(ctx context.Context, articleID int64) ([]knowledge.Passage, error)
}

// maxListLines caps a list answer.
const maxListLines = 10

// listEvidence finds the articles of a list answer: a day's (published that
// day, or the next when they say they report that day), or a topic's in a
// span; one passage each, the best for the topic, oldest first.
func listEvidence(ctx context.Context, st listStore, f listForm) ([]Scored, error) {
	var hits []knowledge.Hit
	switch {
	case f.kind == listDay && f.topic == "":
		arts, err := st.ArticlesBetween(ctx, f.day, f.day.AddDate(0, 0, 2), 50)
		if err != nil {
			return nil, err
		}
		for _, a := range arts {
			ps, err := st.Passages(ctx, a.ID)
			if err != nil {
				return nil, err
			}
			if len(ps) > 0 {
				hits = append(hits, knowledge.Hit{Article: a, Passage: ps[0]})
			}
		}
	default:
		opt := knowledge.SearchOptions{Since: f.since, Until: f.until, Limit: 40}
		if f.kind == listDay {
			opt.Since, opt.Until = f.day, f.day.AddDate(0, 0, 2)
		}
		var err error
		if hits, _, err = st.SearchPassages(ctx, f.topic, opt); err != nil {
			return nil, err
		}
	}
	// Each article once, judged by its title and every passage found, and
	// kept when it holds nearly as much of the topic as the best one.
	topic := topicStems(f.topic)
	type found struct {
		hits  []knowledge.Hit
		cover float64
	}
	var order []int64
	byArticle := map[int64]*found{}
	for _, h := range hits {
		if f.kind == listDay && !reportsDay(h, f.day) {
			continue
		}
		a, ok := byArticle[h.Article.ID]
		if !ok {
			a = &found{}
			byArticle[h.Article.ID] = a
			order = append(order, h.Article.ID)
		}
		a.hits = append(a.hits, h)
	}
	if len(order) > 3*maxListLines {
		order = order[:3*maxListLines]
	}
	best := 0.0
	passages := map[int64][]knowledge.Passage{}
	for _, id := range order {
		a := byArticle[id]
		ps, err := st.Passages(ctx, id)
		if err != nil {
			return nil, err
		}
		passages[id] = ps
		txt := a.hits[0].Article.Title + "\n" + knowledge.JoinPassages(ps)
		a.cover = topicCoverage(topic, txt)
		best = max(best, a.cover)
	}
	floor := max(0.5, best-1.0/3)
	var out []Scored
	for _, id := range order {
		a := byArticle[id]
		if len(topic) > 0 && a.cover < floor-1e-9 {
			continue
		}
		// The article's opening passage says what happened; the passage
		// found says it of the topic.
		first := a.hits[0]
		if ps := passages[id]; len(ps) > 0 && ps[0].ID != first.Passage.ID {
			out = append(out, Scored{Hit: knowledge.Hit{Article: first.Article, Passage: ps[0]}, Relevance: a.cover, Focus: a.cover})
		}
		for _, h := range a.hits[:min(2, len(a.hits))] {
			out = append(out, Scored{Hit: h, Relevance: a.cover, Focus: a.cover})
		}
		if len(byArticleOf(out)) == maxListLines {
			break
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Article.Published.Before(out[j].Article.Published) })
	return out, nil
}

// byArticleOf groups scored passages by article, in order.
func byArticleOf(ps []Scored) [][]Scored {
	var out [][]Scored
	idx := map[int64]int{}
	for _, p := range ps {
		i, ok := idx[p.Article.ID]
		if !ok {
			i = len(out)
			idx[p.Article.ID] = i
			out = append(out, nil)
		}
		out[i] = append(out[i], p)
	}
	return out
}

// reportsDay: an article of the day, or of the next that names the day
// ("on Friday", "on 16 May").
func reportsDay(h knowledge.Hit, day time.Time) bool {
	pub := h.Article.Published.UTC()
	if sameDay(pub, day) {
		return true
	}
	if !sameDay(pub, day.AddDate(0, 0, 1)) {
		return false
	}
	t := strings.ToLower(h.Passage.Text)
	return strings.Contains(t, strings.ToLower(day.Weekday().String())) || strings.Contains(t, strings.ToLower(day.Format("2 January")))
}

func sameDay(a, b time.Time) bool {
	return a.Year() == b.Year() && a.YearDay() == b.YearDay()
}

// topicStems are the stems of a topic's content words, each with its
// equivalents ("talks" is found as "negotiations").
func topicStems(topic string) [][]string {
	var out [][]string
	seen := map[string]bool{}
	for _, w := range strings.Fields(topic) {
		if text.IsStopword(w) || len(w) < 2 || seen[text.Stem(w)] {
			continue
		}
		seen[text.Stem(w)] = true
		alts := []string{text.Stem(w)}
		for _, e := range equivalents[w] {
			alts = append(alts, text.Stem(e))
		}
		out = append(out, alts)
	}
	return out
}

// topicCoverage is the share of a topic's words a text holds.
func topicCoverage(topic [][]string, txt string) float64 {
	if len(topic) == 0 {
		return 1
	}
	have := map[string]bool{}
	for _, w := range text.Words(txt) {
		have[text.Stem(w)] = true
	}
	n := 0
	for _, alts := range topic {
		for _, a := range alts {
			if have[a] {
				n++
				break
			}
		}
	}
	return float64(n) / float64(len(topic))
}

// extractList writes the dated list: one line per article, oldest first,
// its sentence that best fits the topic (its opening for a day's news).
func extractList(question string, f listForm, ps []Scored) Answer {
	c := newCiter()
	topic := topicStems(f.topic)
	var lines []string
	for _, group := range byArticleOf(ps) {
		sentence, from := bestSentence(group, topic)
		n := c.cite(from.Article, from.Passage)
		lines = append(lines, fmt.Sprintf("- **%s**: %s", from.Article.Day(), placeMarkers(sentence, fmt.Sprintf("[%d]", n))))
	}
	a := c.answer(question, strings.Join(lines, "\n"))
	if len(a.Sources) == 0 {
		a.NoAnswer = true
		a.Text = noAnswerText(text.DetectLang(question))
	}
	return a
}

// bestSentence is the sentence of an article's passages that says what
// happened: the opening one, unless another holds at least two more of the
// topic's words; cut to about 45 words. It returns the passage it is from.
func bestSentence(group []Scored, topic [][]string) (string, Scored) {
	best, from, bestCover := "", group[0], -1.0
	margin := 2 / float64(max(1, len(topic)))
	for _, p := range group {
		for _, s := range text.Sentences(strings.SplitN(p.Passage.Text, "\n\n", 2)[0]) {
			c := topicCoverage(topic, s)
			if bestCover < 0 || c >= bestCover+margin-1e-9 {
				best, from, bestCover = s, p, c
			}
		}
	}
	if best == "" {
		best = truncateWords(group[0].Passage.Text, 300)
	}
	if w := strings.Fields(best); len(w) > 45 {
		best = strings.Join(w[:45], " ") + "…"
	}
	return best, from
}

// listSystem is what the model is told of a list answer.
const listSystem = `
This question asks for a sequence of events: answer with a dated list in chronological order, oldest first, one line per event, each line starting with its date ("- 13 Apr 2025: …") and ending with its citation. Draw on every source that reports an event of the story.`

// list answers a list question: with the model when there is one, as a
// dated list it is told to write, else (or when it fails) extractively.
func (s *Service) list(ctx context.Context, question string, f listForm, today time.Time, onDelta func(string)) (Answer, Evidence, error) {
	ev := Evidence{Question: ParseQuestion(question, today), Today: today}
	st, ok := s.Retriever.Store.(listStore)
	if !ok {
		// A store that cannot list: the question is answered the usual way.
		return noAnswer(question, ev), ev, nil
	}
	ps, err := listEvidence(ctx, st, f)
	if err != nil {
		return Answer{}, ev, err
	}
	ev.Passages = ps
	ev.Plausible, ev.Answerable = len(ps) > 0, len(ps) > 0
	if len(ps) == 0 {
		return noAnswer(question, ev), ev, nil
	}
	fallback := extractList(question, f, ps)
	if s.LLM == nil {
		return fallback, ev, nil
	}
	p := BuildPrompt(ev, nil, orDefault(s.PromptTokens, 3000))
	p.System += listSystem
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = 45 * time.Second
	}
	a, err := s.model().Cited(ctx, "timeline", question, timeout, p, onDelta, true)
	if err != nil {
		if ctx.Err() != nil {
			return Answer{}, ev, ctx.Err()
		}
		fallback.Fallback = err.Error()
		return fallback, ev, nil
	}
	return a, ev, nil
}

// Timeline is a topic's story so far: a dated list across the articles
// that report it, oldest first, in the span [since, until) (zero for all
// time), each line cited.
func (s *Service) Timeline(ctx context.Context, topic string, since, until time.Time) (Answer, error) {
	words := strings.Join(knowledge.QueryWords(topic), " ")
	if words == "" {
		return Answer{}, ErrEmptyQuestion
	}
	f := listForm{kind: listTimeline, topic: words, since: since, until: until}
	if _, ok := s.Retriever.Store.(listStore); !ok {
		return Answer{}, fmt.Errorf("timeline: this store cannot list articles")
	}
	a, _, err := s.list(ctx, "Timeline: "+strings.TrimSpace(topic), f, s.Retriever.now(), nil)
	return a, err
}
