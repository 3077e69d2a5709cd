package answer_test

import (
	"context"
	"strings"
	"testing"

	"github.com/attache-bot/attache/knowledge/answer"
)

// A long message is answered by the question it ends with: the last
// interrogative sentence, without its lead-in, with the names before it
// when it points back to them.
func TestFindQuestion(t *testing.T) {
	filler := strings.Repeat("We covered the first round in some detail for our readers, who liked the explainer. ", 6)
	tests := []struct{ msg, want string }{
		{"What is Witkoff's role?", "What is Witkoff's role?"},
		{filler + "So, to put it plainly: what did the second round of talks in Rome agree?", "what did the second round of talks in Rome agree?"},
		{filler + "Our piece is about Kaja Kallas and the European Union. What did she propose?", "About Kaja Kallas, European Union: What did she propose?"},
		{filler + "Which outlets reported the Geneva tariff truce first?", "Which outlets reported the Geneva tariff truce first?"},
	}
	for _, tt := range tests {
		if got := answer.FindQuestion(tt.msg); got != tt.want {
			t.Errorf("FindQuestion(…%q)\n got %q\nwant %q", tt.msg[max(0, len(tt.msg)-60):], got, tt.want)
		}
	}
}

// A question of 1,500 characters with the real question at its end is
// answered, from the article that answers it; only text past Discord's
// 6,000 characters is refused.
func TestLongMessagesAreAnswered(t *testing.T) {
	msg := strings.Repeat("I have been following the Iran file for our newsletter and want the sequence straight before we publish. ", 14) +
		"To put it plainly: what did the second round of talks in Rome agree?"
	if len(msg) < 1500 {
		t.Fatalf("message of %d characters", len(msg))
	}
	a, err := service(nil).Ask(context.Background(), msg, nil, nil)
	if err != nil || a.NoAnswer || !strings.Contains(strings.Join(sourceURLs(a), " "), "rome-iran-second-round") || !strings.Contains(a.Text, "technical") {
		t.Errorf("%v: %q from %v", err, a.Text, sourceURLs(a))
	}
	if _, err := service(nil).Ask(context.Background(), strings.Repeat("x", answer.MaxQuestionChars+1), nil, nil); err == nil {
		t.Error("a question past Discord's limit was not refused")
	}
}

// A question asked of one outlet is answered from its articles only.
func TestAskSource(t *testing.T) {
	for _, tc := range []struct {
		source  string
		answers bool
	}{{"Europa Briefing", true}, {"Meridian Wire", true}, {"Trade Desk Weekly", false}} {
		a, err := service(nil).AskSource(context.Background(), "What did Rubio say about a peace deal?", tc.source, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if tc.answers && len(a.Sources) == 0 {
			t.Errorf("%s: no answer: %q", tc.source, a.Text)
		}
		for _, s := range a.Sources {
			if s.Article.Source != tc.source {
				t.Errorf("%s: cited %s: %q", tc.source, s.Article.Source, a.Text)
			}
		}
	}
}
