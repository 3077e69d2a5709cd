package knowledge_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/attache-bot/attache/knowledge"
)

func searchFixture(t *testing.T) *knowledge.DB {
	t.Helper()
	db := MustOpenDB(t)
	mustPut(t, db,
		article("https://a.example/paris", "Rubio and Witkoff in Paris",
			"US Secretary of State Marco Rubio held talks with French Foreign Minister Jean-Noël Barrot. Special envoy Steve Witkoff met Emmanuel Macron.", "2025-04-17"),
		article("https://a.example/oman", "Iran talks in Muscat",
			"Witkoff's counterpart Abbas Araghchi said the negotiations on the nuclear programme were constructive.", "2025-04-13"),
		article("https://b.example/tariffs", "Tariff pause",
			"The president paused tariffs for ninety days while negotiating with trading partners.", "2025-04-10"),
		article("https://c.example/kyiv", "Переговори в Стамбулі",
			"Делегації України та Росії зустрілися в Стамбулі для переговорів про обмін полоненими.", "2025-05-16"),
	)
	return db
}

func TestSearchAcceptsAnyUserText(t *testing.T) {
	db := searchFixture(t)
	long := strings.Repeat("Witkoff ceasefire talks ", 220) // about 5,000 characters
	tests := []struct {
		query   string
		wantURL string // must be among the hits; "" means: no error, any result
	}{
		{"Witkoff's", "https://a.example/oman"},
		{"Witkoff’s role", ""},
		{"Jean-Noel Barrot", "https://a.example/paris"},
		{"jean-noël BARROT", "https://a.example/paris"},
		{"negotiating", "https://b.example/tariffs"}, // stems to the same as "negotiations"
		{`"unbalanced quote`, ""},
		{"NEAR(Witkoff Macron", "https://a.example/paris"},
		{"Rubio AND OR NOT Barrot", "https://a.example/paris"},
		{"tariff*", "https://b.example/tariffs"},
		{"^Muscat", "https://a.example/oman"},
		{"title: Paris", "https://a.example/paris"},
		{"Стамбулі", "https://c.example/kyiv"},
		{"); DROP TABLE articles; --", ""},
		{"{} [] ::: ''' \"\" \\", ""},
		{long, ""},
		{"   ", none},
		{"the of and", none},
		{"!!! ??? ...", none},
	}
	for _, tt := range tests {
		hits, err := db.Search(context.Background(), tt.query, knowledge.SearchOptions{})
		if err != nil {
			t.Errorf("Search(%.40q): %v", tt.query, err)
			continue
		}
		var got []string
		for _, h := range hits {
			got = append(got, h.Article.URL)
		}
		if tt.wantURL == none && len(got) > 0 {
			t.Errorf("Search(%.40q): got %v, want no hit", tt.query, got)
		}
		if tt.wantURL != "" && tt.wantURL != none && !strings.Contains(strings.Join(got, " "), tt.wantURL) {
			t.Errorf("Search(%.40q): got %v, want %s among them", tt.query, got, tt.wantURL)
		}
	}
	// The store still works after hostile queries.
	if st, err := db.Stats(context.Background()); err != nil || st.Articles != 4 {
		t.Errorf("after hostile queries: %+v %v", st, err)
	}
}

// none, as a wanted URL, wants no hit at all.
const none = "no hit"

func TestSearchNewerFirstAtEqualRelevance(t *testing.T) {
	db := MustOpenDB(t)
	body := "The envoy met the foreign minister to discuss a ceasefire."
	mustPut(t, db,
		article("https://a.example/old", "Envoy meeting", body, "2025-01-01"),
		article("https://a.example/new", "Envoy meeting", body+" ", "2025-03-01"), // same text: stored as a duplicate
		article("https://b.example/new", "Envoy meeting report", body, "2025-03-01"),
		article("https://b.example/newest", "Envoy meeting", strings.Replace(body, "The", "An", 1), "2025-06-01"),
	)
	hits, err := db.Search(context.Background(), "envoy ceasefire", knowledge.SearchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) < 2 {
		t.Fatalf("got %d hits", len(hits))
	}
	if hits[0].Article.URL != "https://b.example/newest" {
		t.Errorf("first hit %s, want the newest of equally relevant articles", hits[0].Article.URL)
	}
}

func TestSearchFilters(t *testing.T) {
	db := searchFixture(t)
	ctx := context.Background()
	since, _ := time.Parse("2006-01-02", "2025-04-12")
	tests := []struct {
		name string
		q    string
		opt  knowledge.SearchOptions
		want []string
	}{
		{"source", "Witkoff", knowledge.SearchOptions{Source: "test wire"}, []string{"https://a.example/paris", "https://a.example/oman"}},
		{"unknown source", "Witkoff", knowledge.SearchOptions{Source: "Nowhere"}, nil},
		{"since", "talks", knowledge.SearchOptions{Since: since}, []string{"https://a.example/paris", "https://a.example/oman"}},
		{"limit", "Witkoff", knowledge.SearchOptions{Limit: 1}, []string{"https://a.example/paris"}},
	}
	for _, tt := range tests {
		hits, err := db.Search(ctx, tt.q, tt.opt)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		var got []string
		for _, h := range hits {
			got = append(got, h.Article.URL)
		}
		if strings.Join(got, " ") != strings.Join(tt.want, " ") {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
}

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
