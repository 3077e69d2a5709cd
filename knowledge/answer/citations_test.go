package answer_test

import (
	"strings"
	"testing"
	"time"

	"github.com/attache-bot/attache/knowledge"
	"github.com/attache-bot/attache/knowledge/answer"
)

func src(n int, url, title, text string) answer.Source {
	return answer.Source{N: n,
		Article:  knowledge.Article{ID: int64(n), URL: url, Title: title, Source: "Wire", Published: time.Date(2025, 4, 17, 0, 0, 0, 0, time.UTC)},
		Passages: []knowledge.Passage{{Text: text}}}
}

func TestCheck(t *testing.T) {
	sources := []answer.Source{
		src(1, "https://a.example/paris", "Rubio in Paris", "Marco Rubio met Jean-Noël Barrot in Paris on 17 April. The talks lasted three hours."),
		src(2, "https://a.example/oman", "Talks in Muscat", "Steve Witkoff led the US side in Muscat; Abbas Araghchi led Iran's."),
		src(3, "https://a.example/tariffs", "Tariff pause", "Tariffs were paused for 90 days."),
	}
	tests := []struct {
		name        string
		text        string
		want        string
		wantSources []string
		grounded    bool
		noAnswer    bool
		dropped     int
	}{
		{"renumbered by first use", "Witkoff led the talks in Muscat [2]. Rubio met Barrot in Paris [1].",
			"Witkoff led the talks in Muscat [1]. Rubio met Barrot in Paris [2].", []string{"oman", "paris"}, true, false, 0},
		{"marker past the sources removed", "Rubio met Barrot [1][7].", "Rubio met Barrot [1].", []string{"paris"}, true, false, 0},
		{"grouped markers", "Rubio met Barrot, and Witkoff went to Muscat [1, 2].", "Rubio met Barrot, and Witkoff went to Muscat [1][2].", []string{"paris", "oman"}, true, false, 0},
		{"wrong source dropped", "Tariffs were paused for 90 days [1].", "", nil, false, false, 1},
		{"wrong source removed, right kept", "Tariffs were paused for 90 days [1][3].", "Tariffs were paused for 90 days [1].", []string{"tariffs"}, true, false, 0},
		{"invented detail beside a real name", "Rubio met Putin, Xi and Modi in Berlin [1].", "", nil, false, false, 1},
		{"markers at a paragraph's end cite each sentence", "Rubio went to Paris. He met Barrot on 17 April [1].",
			"Rubio went to Paris [1]. He met Barrot on 17 April [1].", []string{"paris"}, true, false, 0},
		{"uncited claim without support dropped", "Rubio went to Tokyo. He met Barrot [1].", "He met Barrot [1].", []string{"paris"}, true, false, 1},
		{"connective sentence kept", "In short, yes. Rubio met Barrot [1].", "In short, yes. Rubio met Barrot [1].", []string{"paris"}, true, false, 0},
		{"says the sources do not answer", "The stored articles do not answer this question.", "The stored articles do not answer this question.", nil, false, true, 0},
		{"no citation at all is not grounded", "Rubio is a famous diplomat.", "", nil, false, false, 1},
		// The forms models write, as recorded from them: each is read as
		// the plain form, and checked as strictly.
		{"marker after the full stop", "Rubio met Barrot in Paris on 17 April. [1] Witkoff led the US side in Muscat. [2]",
			"Rubio met Barrot in Paris on 17 April [1]. Witkoff led the US side in Muscat [2].", []string{"paris", "oman"}, true, false, 0},
		{"adjacent markers after the full stop", "Rubio met Barrot, and Witkoff went to Muscat. [1][2]",
			"Rubio met Barrot, and Witkoff went to Muscat [1][2].", []string{"paris", "oman"}, true, false, 0},
		{"a range", "Rubio met Barrot, and Witkoff went to Muscat [1-2].", "Rubio met Barrot, and Witkoff went to Muscat [1][2].", []string{"paris", "oman"}, true, false, 0},
		{"a range with a dash", "Rubio met Barrot, and Witkoff went to Muscat [1–2].", "Rubio met Barrot, and Witkoff went to Muscat [1][2].", []string{"paris", "oman"}, true, false, 0},
		{"lenticular brackets", "Rubio met Barrot in Paris【1】. Witkoff went to Muscat【2†source】.",
			"Rubio met Barrot in Paris [1]. Witkoff went to Muscat [2].", []string{"paris", "oman"}, true, false, 0},
		{"source words", "Rubio met Barrot in Paris [Source 1]. Witkoff went to Muscat [Sources: 2].",
			"Rubio met Barrot in Paris [1]. Witkoff went to Muscat [2].", []string{"paris", "oman"}, true, false, 0},
		{"footnote caret", "Rubio met Barrot in Paris [^1].", "Rubio met Barrot in Paris [1].", []string{"paris"}, true, false, 0},
		{"markers gathered at a paragraph's end", "Rubio met Barrot in Paris. Witkoff led the US side in Muscat. [1][2]",
			"Rubio met Barrot in Paris [1]. Witkoff led the US side in Muscat [2].", []string{"paris", "oman"}, true, false, 0},
		{"markers on a line of their own", "Rubio met Barrot in Paris. The talks lasted three hours.\n[1]",
			"Rubio met Barrot in Paris [1]. The talks lasted three hours [1].", []string{"paris"}, true, false, 0},
		{"a gathered marker supports only what its source says", "Rubio met Barrot in Paris. Putin met Xi in Beijing. [1]",
			"Rubio met Barrot in Paris [1].", []string{"paris"}, true, false, 1},
		{"a trailing invented number is still removed", "Rubio met Barrot in Paris. [9]", "", nil, false, false, 1},
		{"brackets that are not markers stay", "Rubio said the talks were [sic] long, in Paris [1].", "Rubio said the talks were [sic] long, in Paris [1].", []string{"paris"}, true, false, 0},
		{"bullets keep their shape", "- Rubio met Barrot [1].\n- Witkoff went to Muscat [2].", "- Rubio met Barrot [1].\n- Witkoff went to Muscat [2].", []string{"paris", "oman"}, true, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := answer.Check("q", tt.text, sources)
			if tt.want != "" && a.Text != tt.want {
				t.Errorf("text %q, want %q", a.Text, tt.want)
			}
			var got []string
			for i, s := range a.Sources {
				if s.N != i+1 {
					t.Errorf("source %d numbered %d", i, s.N)
				}
				got = append(got, s.Article.URL[strings.LastIndex(s.Article.URL, "/")+1:])
			}
			if strings.Join(got, " ") != strings.Join(tt.wantSources, " ") {
				t.Errorf("sources %v, want %v", got, tt.wantSources)
			}
			if a.Grounded != tt.grounded || a.NoAnswer != tt.noAnswer || len(a.Dropped) != tt.dropped {
				t.Errorf("grounded %v noAnswer %v dropped %q; want %v %v %d", a.Grounded, a.NoAnswer, a.Dropped, tt.grounded, tt.noAnswer, tt.dropped)
			}
		})
	}
}
