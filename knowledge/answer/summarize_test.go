package answer_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	openai "github.com/sashabaranov/go-openai"

	"github.com/attache-bot/attache/knowledge/answer"
	"github.com/attache-bot/attache/knowledge/answer/answertest"
)

func TestSummarizeExtractive(t *testing.T) {
	s := &answer.Summarizer{Store: sample}
	a, err := s.Summarize(context.Background(), answer.SummaryRequest{Topic: "Iran nuclear talks"})
	if err != nil {
		t.Fatal(err)
	}
	if !a.Grounded || len(a.Sources) < 3 {
		t.Fatalf("got %d sources: %q", len(a.Sources), a.Text)
	}
	lines := strings.Split(a.Text, "\n")
	if len(lines) != len(a.Sources) {
		t.Errorf("%d lines for %d sources", len(lines), len(a.Sources))
	}
	for i := 1; i < len(a.Sources); i++ {
		if a.Sources[i].Article.Published.After(a.Sources[i-1].Article.Published) {
			t.Errorf("not newest first: %v then %v", a.Sources[i-1].Article.Published, a.Sources[i].Article.Published)
		}
	}
	for i, l := range lines {
		if !strings.Contains(l, fmt.Sprintf("[%d]", i+1)) {
			t.Errorf("line %d lacks its citation: %q", i, l)
		}
	}
}

func TestSummarizeEmptyWindow(t *testing.T) {
	s := &answer.Summarizer{Store: sample}
	a, err := s.Summarize(context.Background(), answer.SummaryRequest{Since: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	if !a.NoAnswer || len(a.Sources) != 0 || len(a.Closest) == 0 {
		t.Errorf("got %+v", a)
	}
}

// TestSummarizeInParts gives the LLM a budget that holds a few articles, so
// the summary is made in parts and combined, keeping global numbers.
func TestSummarizeInParts(t *testing.T) {
	srv, g := fakeLLM(t, func(n int, req openai.ChatCompletionRequest) answertest.Reply {
		p := answertest.Prompt(req)
		if strings.HasPrefix(p, "Partial briefings") {
			// Combine: keep the parts' bullets as they are.
			return answertest.Reply{Text: strings.TrimSpace(strings.Split(strings.TrimPrefix(p, "Partial briefings:\n\n"), "\n\nSummary")[0])}
		}
		// A part: one bullet citing the first source block by its number,
		// with the block's first words, so that the check finds support.
		var num int
		var title string
		for _, line := range strings.Split(p, "\n") {
			if strings.HasPrefix(line, "[") {
				fmt.Sscanf(line, "[%d]", &num)
				title = strings.SplitN(line[strings.Index(line, "]")+2:], " — ", 2)[0]
				break
			}
		}
		return answertest.Reply{Text: fmt.Sprintf("- %s [%d].", title, num)}
	})
	s := &answer.Summarizer{Store: sample, LLM: g, PromptTokens: 250, Timeout: 5 * time.Second}
	a, err := s.Summarize(context.Background(), answer.SummaryRequest{})
	if err != nil {
		t.Fatal(err)
	}
	reqs := srv.Requests()
	if len(reqs) < 3 {
		t.Fatalf("%d LLM calls; want parts and a combination", len(reqs))
	}
	if a.Method != answer.MethodLLM || !a.Grounded || len(a.Sources) < 2 {
		t.Errorf("got method %s grounded %v, %d sources (fallback %q): %q", a.Method, a.Grounded, len(a.Sources), a.Fallback, a.Text)
	}
}

func TestSummarizeStaleStoreCoversTheNewestSpan(t *testing.T) {
	s := &answer.Summarizer{Store: sample}
	now := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	a, err := s.Summarize(context.Background(), answer.SummaryRequest{Since: now.AddDate(0, 0, -60), Until: now})
	if err != nil {
		t.Fatal(err)
	}
	if a.NoAnswer || !a.Grounded || !strings.HasPrefix(a.Text, "Nothing stored is that recent; this covers the 60 days up to the newest stored article (13 Oct 2025).") {
		t.Fatalf("got %q", a.Text)
	}
	for _, src := range a.Sources {
		if src.Article.Published.Before(time.Date(2025, 8, 13, 0, 0, 0, 0, time.UTC)) {
			t.Errorf("source from %v is outside the 60 days before the newest article", src.Article.Published)
		}
	}
}
