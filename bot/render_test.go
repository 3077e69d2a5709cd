package bot_test

import (
	"flag"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/attache-bot/attache/bot"
	"github.com/attache-bot/attache/commands"
	"github.com/attache-bot/attache/knowledge"
	"github.com/attache-bot/attache/knowledge/answer"
	"github.com/attache-bot/attache/knowledge/knowledgetest"
)

var update = flag.Bool("update", false, "rewrite golden files")

func TestRenderGolden(t *testing.T) {
	day := time.Date(2025, 4, 16, 0, 0, 0, 0, time.UTC)
	a := answer.Answer{
		Text:     "Steve Witkoff is a special envoy [1]. He met Emmanuel Macron in Paris [2].",
		Grounded: true, Method: answer.MethodLLM, AsOf: day,
		Sources: []answer.Source{
			{N: 1, Article: knowledge.Article{Title: "Rubio and Witkoff [to meet] French leaders", Source: "Europa Briefing", URL: "https://e.example/a?x=1", Published: day}},
			{N: 2, Article: knowledge.Article{Title: "Scraped article without a link", Source: "", URL: "urn:attache:2025-04-16:x", Published: day.AddDate(0, 0, -1)}},
		},
	}
	got := strings.Join(bot.Render(commands.Reply{Answer: a}), "\n=====\n") + "\n"
	knowledgetest.Golden(t, filepath.Join("testdata", "render-answer.golden"), []byte(got), *update)
}

var (
	citationRE = regexp.MustCompile(`\[\d+\]`)
	linkRE     = regexp.MustCompile(`\(<https?://[^>]*>\)`)
)

func TestRenderSplitsLongAnswersCleanly(t *testing.T) {
	var sentences []string
	for i := 0; i < 120; i++ {
		sentences = append(sentences, fmt.Sprintf("Sentence number %d says something about the talks in Geneva [%d].", i, i%20+1))
	}
	var sources []answer.Source
	for i := 1; i <= 20; i++ {
		sources = append(sources, answer.Source{N: i, Article: knowledge.Article{
			Title: strings.Repeat("Long title words ", 8), Source: "Wire", URL: fmt.Sprintf("https://news.example/%d/%s", i, strings.Repeat("segment/", 20)),
			Published: time.Date(2025, 4, i, 0, 0, 0, 0, time.UTC)}})
	}
	long := strings.Repeat("x", 2500) // one word longer than a message
	tests := []struct {
		name string
		text string
	}{
		{"paragraphs", strings.Join(sentences[:60], " ") + "\n\n" + strings.Join(sentences[60:], " ")},
		{"one huge paragraph", strings.Join(sentences, " ")},
		{"lines", strings.Join(sentences, "\n")},
		{"overlong word", "Before " + long + " after [1]."},
	}
	for _, tt := range tests {
		a := answer.Answer{Text: tt.text, Sources: sources, AsOf: time.Now()}
		parts := bot.Render(commands.Reply{Answer: a})
		whole := strings.Join(parts, " ")
		for i, p := range parts {
			if n := utf8.RuneCountInString(p); n > bot.MaxContent {
				t.Errorf("%s: part %d has %d characters", tt.name, i, n)
			}
		}
		// Every citation and link survives whole, in order.
		in := strings.Join(bot.Split(tt.text+"\n\n"+sourcesText(sources), 1<<30), " ")
		if got, want := citationRE.FindAllString(whole, -1), citationRE.FindAllString(in, -1); strings.Join(got, "") != strings.Join(want, "") {
			t.Errorf("%s: citations changed by splitting", tt.name)
		}
		if got := len(linkRE.FindAllString(whole, -1)); got != len(sources) {
			t.Errorf("%s: %d links survive, want %d", tt.name, got, len(sources))
		}
		// No word is cut unless it alone is longer than a message.
		for i := 1; i < len(parts); i++ {
			prev, next := parts[i-1], parts[i]
			if !strings.HasSuffix(prev, "x") && strings.HasSuffix(prev, strings.Fields(prev)[len(strings.Fields(prev))-1]) {
				last := strings.Fields(prev)[len(strings.Fields(prev))-1]
				first := strings.Fields(next)[0]
				if strings.Contains(strings.Join(strings.Fields(tt.text), " "), last+first) {
					t.Errorf("%s: a word is cut between parts %d and %d: %q|%q", tt.name, i-1, i, last, first)
				}
			}
		}
	}
}

func sourcesText(ss []answer.Source) string {
	var b strings.Builder
	for _, s := range ss {
		fmt.Fprintf(&b, "[%d]\n", s.N)
	}
	return b.String()
}

// A footer (a digest's mark) counts within the length of the message it
// ends: whatever the length of the text before it, every part fits.
func TestRenderFooterFitsTheLimit(t *testing.T) {
	footer := "digest-123456-2025-04-16"
	for n := 1900; n <= 2010; n++ {
		text := strings.Repeat("a", n-40) + " " + strings.Repeat("b", 39)
		parts := bot.Render(commands.Reply{Answer: answer.Answer{Text: text}, Footer: footer})
		for i, p := range parts {
			if c := utf8.RuneCountInString(p); c > bot.MaxContent {
				t.Fatalf("text of %d: part %d has %d characters", n, i, c)
			}
		}
		if last := parts[len(parts)-1]; !strings.HasSuffix(last, "-# "+footer) {
			t.Fatalf("text of %d: the last part does not end with the footer: %q", n, last[max(0, len(last)-60):])
		}
	}
}
