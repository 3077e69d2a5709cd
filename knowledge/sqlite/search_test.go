package sqlite_test

import (
	"context"
	"strings"
	"testing"

	"github.com/attache-bot/attache/knowledge"
)

func TestSnippetCentersOnMatch(t *testing.T) {
	text := strings.Repeat("filler words here. ", 30) + "Witkoff met Putin in Moscow. " + strings.Repeat("more filler. ", 30)
	q := knowledge.Query{Terms: []knowledge.Term{{Word: "witkoff", Stem: "witkoff"}, {Word: "moscow", Stem: "moscow"}}}
	s := knowledge.Snippet(text, q, 20)
	if !strings.Contains(s, "Witkoff met Putin in Moscow") {
		t.Errorf("snippet %q misses the match", s)
	}
	if n := len(strings.Fields(s)); n > 21 {
		t.Errorf("snippet has %d words, want at most 20", n)
	}
}

func FuzzQuery(f *testing.F) {
	for _, s := range []string{"Witkoff's role", `"`, "NEAR(", "a AND OR NOT b", "*", "^x", "title:", "col:(a b)", "Стамбулі", "\x00", "-", "'", "(((", "a\"b"} {
		f.Add(s)
	}
	db := MustOpenDB(f)
	mustPut(f, db, article("https://a.example/1", "Witkoff in Paris", "Steve Witkoff met Macron in Paris.", "2025-04-17"))
	f.Fuzz(func(t *testing.T, q string) {
		if _, err := db.Search(context.Background(), q, knowledge.SearchOptions{}); err != nil {
			t.Fatalf("Search(%q): %v", q, err)
		}
	})
}
