package answer_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/attache-bot/attache/knowledge"
	"github.com/attache-bot/attache/knowledge/answer"
)

// generator answers with text or err, and records the deadline it got.
type generator struct {
	text     string
	err      error
	deadline time.Duration
}

func (g *generator) Generate(ctx context.Context, p answer.Prompt, onDelta func(string)) (string, answer.Usage, error) {
	if d, ok := ctx.Deadline(); ok {
		g.deadline = time.Until(d)
	}
	return g.text, answer.Usage{PromptTokens: 10}, g.err
}

// Every model call — answers, summaries, digests — goes one way: within a
// deadline, observed, logged when it fails, and its citations checked.
func TestEveryModelCallIsBoundedObservedAndChecked(t *testing.T) {
	src := []answer.Source{{N: 1, Article: knowledge.Article{Title: "Talks in Muscat", Source: "Wire", URL: "https://w.example/1"},
		Passages: []knowledge.Passage{{Text: "Envoys met in Muscat on Saturday for talks on the programme."}}}}
	p := answer.Prompt{System: "s", User: "u", Sources: src}
	cases := []struct {
		name    string
		gen     *generator
		wantErr string
		wantLog string
	}{
		{"cited", &generator{text: "Envoys met in Muscat on Saturday [1]."}, "", ""},
		{"uncited", &generator{text: "Envoys met somewhere, some day."}, "no supported citation", "llm answer discarded"},
		{"failing", &generator{err: errors.New("HTTP 500")}, "HTTP 500", "llm call failed"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			var observed []error
			m := answer.Model{LLM: tc.gen, Log: slog.New(slog.NewTextHandler(&logs, nil)),
				Observe: func(_ time.Duration, _ answer.Usage, err error) { observed = append(observed, err) }}
			a, err := m.Cited(context.Background(), "summary", "what happened?", 3*time.Second, p, nil, false)
			if (tc.wantErr == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.wantErr)) {
				t.Errorf("error %v, want %q", err, tc.wantErr)
			}
			if err == nil && (!a.Grounded || a.Method != answer.MethodLLM || len(a.Sources) != 1) {
				t.Errorf("answer %+v", a)
			}
			if len(observed) != 1 {
				t.Errorf("%d calls observed, want 1", len(observed))
			}
			if tc.gen.deadline <= 0 || tc.gen.deadline > 3*time.Second {
				t.Errorf("the call ran with deadline %v, want within 3 s", tc.gen.deadline)
			}
			if tc.wantLog != "" && !strings.Contains(logs.String(), tc.wantLog) {
				t.Errorf("log %q, want %q", logs.String(), tc.wantLog)
			}
		})
	}
}

// A summary whose model fails falls back to the extractive summary, and
// the failure is counted and logged.
func TestSummaryModelFailureIsCountedAndLogged(t *testing.T) {
	var logs bytes.Buffer
	calls := 0
	s := &answer.Summarizer{Store: sample, LLM: &generator{err: errors.New("HTTP 503")}, Log: slog.New(slog.NewTextHandler(&logs, nil)),
		OnLLM: func(time.Duration, answer.Usage, error) { calls++ }}
	a, err := s.Summarize(context.Background(), answer.SummaryRequest{Topic: "tariffs"})
	if err != nil {
		t.Fatal(err)
	}
	if a.Fallback == "" || a.Method == answer.MethodLLM || len(a.Sources) == 0 {
		t.Errorf("summary %+v, want the extractive fallback with sources", a)
	}
	if calls != 1 || !strings.Contains(logs.String(), "HTTP 503") {
		t.Errorf("%d calls observed, log %q", calls, logs.String())
	}
}
