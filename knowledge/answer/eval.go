package answer

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/attache-bot/attache/knowledge/text"
)

// EvalCase is one question of an evaluation set.
type EvalCase struct {
	ID       string `json:"id"`
	Kind     string `json:"kind"`
	Question string `json:"question"`
	// Facts a correct answer contains: every group must match, by any of
	// its alternatives (case and accents ignored).
	Facts [][]string `json:"facts"`
	// Cite lists the articles a citation may point at, as globs over the
	// last segment of their URL ("*" for any).
	Cite []string `json:"cite"`
	// Answerable is false for questions the articles cannot answer.
	Answerable *bool `json:"answerable"`
	// AsOf, a date (YYYY-MM-DD), is the day the question was asked: "this
	// week" means the week before it, and later articles do not count.
	AsOf string `json:"as_of"`
}

func (c EvalCase) answerable() bool { return c.Answerable == nil || *c.Answerable }

// questionLine is one line of the JSONL question format (RealTime QA's
// news-quiz questions as ../shared/realqa keeps them).
type questionLine struct {
	ID          string     `json:"id"`
	Question    string     `json:"question"`
	Type        string     `json:"type"`
	MustInclude [][]string `json:"must_include"`
	CiteAny     []string   `json:"cite_any"`
	Abstain     bool       `json:"abstain"`
	AsOf        string     `json:"as_of"`
}

// LoadEval reads an evaluation set: the project's JSON array of cases, or
// one question per line in the JSONL format with must_include, cite_any,
// abstain and as_of.
func LoadEval(file string) ([]EvalCase, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '[' {
		var cases []EvalCase
		if err := json.Unmarshal(b, &cases); err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		return cases, checkCases(file, cases)
	}
	var cases []EvalCase
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var q questionLine
		if err := json.Unmarshal(line, &q); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", file, n, err)
		}
		answerable := !q.Abstain
		cases = append(cases, EvalCase{ID: q.ID, Kind: q.Type, Question: q.Question, Facts: q.MustInclude,
			Cite: q.CiteAny, Answerable: &answerable, AsOf: q.AsOf})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return cases, checkCases(file, cases)
}

// checkCases refuses a set whose questions are empty or whose as_of is not a date.
func checkCases(file string, cases []EvalCase) error {
	for i, c := range cases {
		if strings.TrimSpace(c.Question) == "" {
			return fmt.Errorf("%s: case %d (%s) has no question", file, i+1, c.ID)
		}
		if c.AsOf != "" {
			if _, err := time.Parse(time.DateOnly, c.AsOf); err != nil {
				return fmt.Errorf("%s: case %s: as_of %q is not a date (YYYY-MM-DD)", file, c.ID, c.AsOf)
			}
		}
	}
	return nil
}

// EvalResult is the outcome of one case.
type EvalResult struct {
	Case           EvalCase
	Answer         Answer
	Correct        bool // answerable: facts present; unanswerable: declined
	GoodCitations  int
	Citations      int
	Recalled       bool // an allowed article reached the prompt
	ModelAsked     bool // the model was called for it, with an allowed article in its prompt
	MissingFacts   []string
	WrongCitations []string
}

// EvalReport sums up a run.
type EvalReport struct {
	Results []EvalResult
	// Answer accuracy over answerable cases; citation accuracy over every
	// citation given; abstention accuracy over unanswerable cases; recall
	// over answerable cases.
	AnswerAccuracy, CitationAccuracy, AbstentionAccuracy, Recall float64
	FalseAbstentions                                             int
	// WithModel: the run had a model; ModelAsked is the share of answerable
	// cases for which it was called with an allowed article in its prompt.
	WithModel  bool
	ModelAsked float64
	// PromptsDated is the share of the model's prompts, for questions
	// asked as of a day, that state that day.
	PromptsDated float64
}

// promptRecorder passes calls to a Generator and keeps the last prompt.
type promptRecorder struct {
	Generator
	mu     sync.Mutex
	prompt *Prompt
}

func (r *promptRecorder) Generate(ctx context.Context, p Prompt, onDelta func(string)) (string, Usage, error) {
	r.mu.Lock()
	r.prompt = &p
	r.mu.Unlock()
	return r.Generator.Generate(ctx, p, onDelta)
}

func (r *promptRecorder) take() *Prompt {
	r.mu.Lock()
	defer r.mu.Unlock()
	p := r.prompt
	r.prompt = nil
	return p
}

// RunEval asks every case through svc and scores the answers. A case with
// an as-of date is asked as of that day.
func RunEval(ctx context.Context, svc *Service, cases []EvalCase) (EvalReport, error) {
	var rep EvalReport
	var answerable, correct, unanswerable, declined, cites, goodCites, recalled, asked, prompted, dated int
	var rec *promptRecorder
	if svc.LLM != nil {
		rec = &promptRecorder{Generator: svc.LLM}
		rep.WithModel = true
	}
	for _, c := range cases {
		cs, cr := *svc, *svc.Retriever
		cs.Retriever = &cr
		if rec != nil {
			cs.LLM = rec
		}
		if c.AsOf != "" {
			cr.AsOf, _ = time.Parse(time.DateOnly, c.AsOf)
		}
		a, ev, err := cs.ask(ctx, c.Question, nil, nil)
		if err != nil {
			return rep, fmt.Errorf("%s: %w", c.ID, err)
		}
		r := EvalResult{Case: c, Answer: a}
		var prompt *Prompt
		if rec != nil {
			prompt = rec.take()
		}
		if prompt != nil && len(prompt.Sources) > 0 && !cr.AsOf.IsZero() {
			prompted++
			if strings.Contains(prompt.System+"\n"+prompt.User, LongDay(cr.AsOf)) {
				dated++
			}
		}
		if c.answerable() {
			answerable++
			r.MissingFacts = missingFacts(a.Text, c.Facts)
			r.Correct = len(r.MissingFacts) == 0 && !a.NoAnswer
			for _, s := range BuildPrompt(ev, nil, orDefault(svc.PromptTokens, 3000)).Sources {
				if citeAllowed(s.Article.URL, c.Cite) {
					r.Recalled = true
				}
			}
			if prompt != nil {
				for _, s := range prompt.Sources {
					if citeAllowed(s.Article.URL, c.Cite) {
						r.ModelAsked = true
					}
				}
			}
			if r.Recalled {
				recalled++
			}
			if r.ModelAsked {
				asked++
			}
			if a.NoAnswer {
				rep.FalseAbstentions++
			}
		} else {
			unanswerable++
			r.Correct = a.NoAnswer
			if r.Correct {
				declined++
			}
		}
		for _, s := range a.Sources {
			r.Citations++
			if c.answerable() && citeAllowed(s.Article.URL, c.Cite) {
				r.GoodCitations++
			} else {
				r.WrongCitations = append(r.WrongCitations, s.Article.URL)
			}
		}
		cites += r.Citations
		goodCites += r.GoodCitations
		if r.Correct && c.answerable() {
			correct++
		}
		rep.Results = append(rep.Results, r)
	}
	rep.AnswerAccuracy = ratio(correct, answerable)
	rep.CitationAccuracy = ratio(goodCites, cites)
	rep.AbstentionAccuracy = ratio(declined, unanswerable)
	rep.Recall = ratio(recalled, answerable)
	rep.ModelAsked = ratio(asked, answerable)
	rep.PromptsDated = ratio(dated, prompted)
	return rep, nil
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

func missingFacts(txt string, facts [][]string) []string {
	folded := strings.Join(text.Words(txt), " ")
	raw := strings.ToLower(txt)
	var missing []string
	for _, group := range facts {
		found := false
		for _, alt := range group {
			if strings.Contains(raw, strings.ToLower(alt)) || strings.Contains(" "+folded+" ", " "+strings.Join(text.Words(alt), " ")) {
				found = true
				break
			}
		}
		if !found {
			missing = append(missing, strings.Join(group, " | "))
		}
	}
	return missing
}

// citeAllowed reports whether url is one a case allows: a full URL is
// compared with its query and fragment left out; anything else is a glob
// over the URL's last path segment.
func citeAllowed(url string, allowed []string) bool {
	slug := path.Base(strings.TrimRight(url, "/"))
	for _, g := range allowed {
		if strings.Contains(g, "://") {
			if sameURL(g, url) {
				return true
			}
			continue
		}
		if ok, _ := path.Match(g, slug); ok {
			return true
		}
	}
	return false
}

func sameURL(a, b string) bool {
	bare := func(u string) string {
		if i := strings.IndexAny(u, "?#"); i >= 0 {
			u = u[:i]
		}
		u = strings.TrimPrefix(strings.TrimPrefix(u, "https://"), "http://")
		return strings.TrimRight(strings.TrimPrefix(u, "www."), "/")
	}
	return strings.EqualFold(bare(a), bare(b))
}

// Print writes the report: one line a case, the figures by question type,
// the answerable questions it declined, then the four figures.
func (rep EvalReport) Print(w io.Writer) {
	type tally struct{ n, ok, declined int }
	byKind := map[string]*tally{}
	var declinedIDs []string
	for _, r := range rep.Results {
		mark := "ok  "
		if !r.Correct {
			mark = "FAIL"
		}
		fmt.Fprintf(w, "%s %-26s %-12s cites %d/%d recalled=%v  %s\n", mark, r.Case.ID, r.Case.Kind, r.GoodCitations, r.Citations, r.Recalled, oneLine(truncateWords(r.Answer.Text, 110)))
		if len(r.MissingFacts) > 0 {
			fmt.Fprintf(w, "     missing: %s\n", strings.Join(r.MissingFacts, "; "))
		}
		kind := r.Case.Kind
		if !r.Case.answerable() {
			kind = "unanswerable"
		}
		t := byKind[kind]
		if t == nil {
			t = &tally{}
			byKind[kind] = t
		}
		t.n++
		if r.Correct {
			t.ok++
		}
		if r.Case.answerable() && r.Answer.NoAnswer {
			t.declined++
			declinedIDs = append(declinedIDs, r.Case.ID)
		}
	}
	kinds := make([]string, 0, len(byKind))
	for k := range byKind {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	fmt.Fprintf(w, "\nby type             correct   declined\n")
	for _, k := range kinds {
		t := byKind[k]
		fmt.Fprintf(w, "  %-16s %3d/%-3d %5.1f%%   %d\n", k, t.ok, t.n, 100*ratio(t.ok, t.n), t.declined)
	}
	if len(declinedIDs) > 0 {
		fmt.Fprintf(w, "\nanswerable but declined (%d): %s\n", len(declinedIDs), strings.Join(declinedIDs, ", "))
	}
	fmt.Fprintf(w, "\nanswer accuracy     %5.1f%%  (answerable questions whose answer holds every expected fact)\n", 100*rep.AnswerAccuracy)
	fmt.Fprintf(w, "citation accuracy   %5.1f%%  (citations pointing at an article that supports the answer)\n", 100*rep.CitationAccuracy)
	fmt.Fprintf(w, "abstention accuracy %5.1f%%  (unanswerable questions declined; %d answerable ones declined)\n", 100*rep.AbstentionAccuracy, rep.FalseAbstentions)
	fmt.Fprintf(w, "retrieval recall    %5.1f%%  (an expected article among the sources given to the model)\n", 100*rep.Recall)
	if rep.WithModel {
		fmt.Fprintf(w, "model asked         %5.1f%%  (answerable questions the model saw with an expected article)\n", 100*rep.ModelAsked)
		fmt.Fprintf(w, "prompts dated       %5.1f%%  (prompts for questions asked as of a day that state that day)\n", 100*rep.PromptsDated)
	}
}
