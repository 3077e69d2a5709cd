package text_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/attache-bot/attache/knowledge"
	"github.com/attache-bot/attache/knowledge/text"
)

func TestSplitPassages(t *testing.T) {
	para := func(words int) string {
		w := make([]string, words)
		for i := range w {
			w[i] = fmt.Sprintf("w%d", i)
		}
		// sentences of 10 words
		for i := 9; i < words; i += 10 {
			w[i] += "."
		}
		return strings.Join(w, " ")
	}
	tests := []struct {
		name  string
		body  string
		count int
	}{
		{"one short paragraph", para(20), 1},
		{"short paragraphs are joined", strings.Join([]string{para(30), para(30), para(30), para(30)}, "\n\n"), 2},
		{"long paragraph is cut between sentences", para(600), 3},
		{"a short tail joins the passage before", para(100) + "\n\n" + para(10), 1},
		{"single newlines separate paragraphs when no blank line", para(70) + "\n" + para(70), 2},
	}
	for _, tt := range tests {
		ps := text.SplitPassages(tt.body)
		if len(ps) != tt.count {
			t.Errorf("%s: got %d passages, want %d", tt.name, len(ps), tt.count)
		}
		var words []string
		for _, p := range ps {
			if n := text.CountWords(p); n > 250 {
				t.Errorf("%s: passage of %d words", tt.name, n)
			}
			words = append(words, strings.Fields(p)...)
		}
		if got, want := strings.Join(words, " "), strings.Join(strings.Fields(tt.body), " "); got != want {
			t.Errorf("%s: passages do not hold the body's words in order", tt.name)
		}
	}
}

func TestSentences(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"Rubio met Barrot. They spoke.", []string{"Rubio met Barrot.", "They spoke."}},
		{"The U.S. envoy arrived. Talks began.", []string{"The U.S. envoy arrived.", "Talks began."}},
		{"Mr. Witkoff met J. D. Vance in Paris. Done!", []string{"Mr. Witkoff met J. D. Vance in Paris.", "Done!"}},
		{`He said "it is over." Then he left.`, []string{`He said "it is over."`, "Then he left."}},
		{"Prices rose 2.5 percent. Really?", []string{"Prices rose 2.5 percent.", "Really?"}},
	}
	for _, tt := range tests {
		if got := text.Sentences(tt.in); strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("Sentences(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestFoldAndWords(t *testing.T) {
	if got := strings.Join(text.Words("Jean-Noël Barrot’s ÉLYSÉE visit"), " "); got != "jean noel barrot s elysee visit" {
		t.Errorf("Words = %q", got)
	}
	if got := knowledge.QueryWords("What is Witkoff's role?"); strings.Join(got, " ") != "witkoff role" {
		t.Errorf("QueryWords = %q", got)
	}
}

func TestDetectLang(t *testing.T) {
	tests := map[string]string{
		"The envoy met the minister and the president of the council.":            "en",
		"Le ministre des affaires étrangères est arrivé à Paris pour une visite.": "fr",
		"Міністр закордонних справ України зустрівся з колегою.":                  "uk",
		"Министр иностранных дел России заявил, что переговоры продолжатся.":      "ru",
		"12345": "",
	}
	for in, want := range tests {
		if got := text.DetectLang(in); got != want {
			t.Errorf("DetectLang(%q) = %q, want %q", in, got, want)
		}
	}
}
