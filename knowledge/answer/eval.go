package answer

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path"
	"strings"

	"github.com/attache-bot/attache/knowledge"
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
}

func (c EvalCase) answerable() bool { return c.Answerable == nil || *c.Answerable }

// LoadEval reads an evaluation set.
func LoadEval(file string) ([]EvalCase, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var cases []EvalCase
	if err := json.Unmarshal(b, &cases); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return cases, nil
}

// EvalResult is the outcome of one case.
type EvalResult struct {
	Case           EvalCase
	Answer         Answer
	Correct        bool // answerable: facts present; unanswerable: declined
	GoodCitations  int
	Citations      int
	Recalled       bool // an allowed article reached the prompt
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
}

// RunEval asks every case through svc and scores the answers.
func RunEval(ctx context.Context, svc *Service, cases []EvalCase) (EvalReport, error) {
	var rep EvalReport
	var answerable, correct, unanswerable, declined, cites, goodCites, recalled int
	for _, c := range cases {
		a, ev, err := svc.ask(ctx, c.Question, nil, nil)
		if err != nil {
			return rep, fmt.Errorf("%s: %w", c.ID, err)
		}
		r := EvalResult{Case: c, Answer: a}
		if c.answerable() {
			answerable++
			r.MissingFacts = missingFacts(a.Text, c.Facts)
			r.Correct = len(r.MissingFacts) == 0 && !a.NoAnswer
			for _, s := range BuildPrompt(ev, nil, orDefault(svc.PromptTokens, 3000)).Sources {
				if citeAllowed(s.Article.URL, c.Cite) {
					r.Recalled = true
				}
			}
			if r.Recalled {
				recalled++
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
	return rep, nil
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

func missingFacts(text string, facts [][]string) []string {
	folded := strings.Join(knowledge.Words(text), " ")
	raw := strings.ToLower(text)
	var missing []string
	for _, group := range facts {
		found := false
		for _, alt := range group {
			if strings.Contains(raw, strings.ToLower(alt)) || strings.Contains(" "+folded+" ", " "+strings.Join(knowledge.Words(alt), " ")) {
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

func citeAllowed(url string, globs []string) bool {
	slug := path.Base(strings.TrimRight(url, "/"))
	for _, g := range globs {
		if ok, _ := path.Match(g, slug); ok {
			return true
		}
	}
	return false
}

// Print writes the report: one line a case, then the four figures.
func (rep EvalReport) Print(w io.Writer) {
	for _, r := range rep.Results {
		mark := "ok  "
		if !r.Correct {
			mark = "FAIL"
		}
		fmt.Fprintf(w, "%s %-26s %-12s cites %d/%d recalled=%v  %s\n", mark, r.Case.ID, r.Case.Kind, r.GoodCitations, r.Citations, r.Recalled, oneLine(truncateWords(r.Answer.Text, 110)))
		if len(r.MissingFacts) > 0 {
			fmt.Fprintf(w, "     missing: %s\n", strings.Join(r.MissingFacts, "; "))
		}
	}
	fmt.Fprintf(w, "\nanswer accuracy     %5.1f%%  (answerable questions whose answer holds every expected fact)\n", 100*rep.AnswerAccuracy)
	fmt.Fprintf(w, "citation accuracy   %5.1f%%  (citations pointing at an article that supports the answer)\n", 100*rep.CitationAccuracy)
	fmt.Fprintf(w, "abstention accuracy %5.1f%%  (unanswerable questions declined; %d answerable ones declined)\n", 100*rep.AbstentionAccuracy, rep.FalseAbstentions)
	fmt.Fprintf(w, "retrieval recall    %5.1f%%  (an expected article among the sources given to the model)\n", 100*rep.Recall)
}
