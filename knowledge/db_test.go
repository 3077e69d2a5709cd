package knowledge_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/attache-bot/attache/knowledge"
	"github.com/attache-bot/attache/knowledge/knowledgetest"
)

// MustOpenDB is knowledgetest.NewDB, by its short name in this package.
var MustOpenDB = knowledgetest.NewDB

func mustPut(tb testing.TB, db *knowledge.DB, arts ...knowledge.Article) []knowledge.PutResult {
	tb.Helper()
	ptrs := make([]*knowledge.Article, len(arts))
	for i := range arts {
		ptrs[i] = &arts[i]
	}
	res, err := db.PutArticles(context.Background(), ptrs)
	if err != nil {
		tb.Fatalf("put: %v", err)
	}
	return res
}

func article(url, title, body string, published string) knowledge.Article {
	t, err := time.Parse("2006-01-02", published)
	if err != nil {
		panic(err)
	}
	return knowledge.Article{URL: url, Title: title, Body: body, Source: "Test Wire", Published: t}
}

func TestOpenAppliesMigrationsOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.db")
	ctx := context.Background()
	db, err := knowledge.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	mustPut(t, db, article("https://a.example/1", "Title one", "Body text about Rubio.", "2025-04-16"))
	db.Close()
	db, err = knowledge.Open(ctx, path) // reopening must not re-run migrations or lose data
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer db.Close()
	st, err := db.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Articles != 1 || st.Passages != 1 {
		t.Errorf("after reopen: got %d articles %d passages, want 1 and 1", st.Articles, st.Passages)
	}
}

func TestPutArticlesIdempotentUpdateAndAlias(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	orig := article("https://news.example/witkoff?utm_source=x#top", "Witkoff goes to Paris", "Steve Witkoff, the special envoy, travels to Paris.", "2025-04-16")

	steps := []struct {
		name string
		art  knowledge.Article
		want knowledge.PutResult
	}{
		{"first time", orig, knowledge.Added},
		{"same again", orig, knowledge.Duplicate},
		{"tracking params differ", article("https://NEWS.example/witkoff/", orig.Title, orig.Body, "2025-04-16"), knowledge.Duplicate},
		{"spacing differs only", article("https://news.example/witkoff", orig.Title, "Steve  Witkoff, the special envoy,\ntravels to Paris.", "2025-04-16"), knowledge.Duplicate},
		{"same text, other URL", article("https://mirror.example/story/1", orig.Title, orig.Body, "2025-04-16"), knowledge.Duplicate},
		{"edited text, same URL", article("https://news.example/witkoff", orig.Title, orig.Body+" He meets Macron on Thursday.", "2025-04-16"), knowledge.Updated},
		{"edited via the alias", article("https://mirror.example/story/1", orig.Title, orig.Body+" He meets Macron on Friday.", "2025-04-16"), knowledge.Updated},
	}
	for _, s := range steps {
		if got := mustPut(t, db, s.art)[0]; got != s.want {
			t.Errorf("%s: got %v, want %v", s.name, got, s.want)
		}
	}
	st, _ := db.Stats(ctx)
	if st.Articles != 1 {
		t.Fatalf("got %d articles, want 1", st.Articles)
	}
	a, err := db.ArticleByURL(ctx, "https://mirror.example/story/1")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(a.Body, "Friday") || strings.Contains(a.Body, "Thursday") {
		t.Errorf("body after updates: %q", a.Body)
	}
	// The old passage text must be gone from the index too.
	hits, err := db.Search(ctx, "Thursday", knowledge.SearchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) != 0 {
		t.Errorf("search for replaced text found %d hits", len(hits))
	}
	if hits, _ := db.Search(ctx, "Friday", knowledge.SearchOptions{}); len(hits) != 1 {
		t.Errorf("search for new text: got %d hits, want 1", len(hits))
	}
}

func TestPutArticlesRejectsBadArticlesWhole(t *testing.T) {
	db := MustOpenDB(t)
	good := article("https://a.example/1", "Good", "Some body text.", "2025-01-01")
	tests := []struct {
		name string
		bad  knowledge.Article
	}{
		{"no title", article("https://a.example/2", "", "body", "2025-01-01")},
		{"no body", article("https://a.example/3", "T", "  \n ", "2025-01-01")},
		{"bad url", article("ftp://a.example/4", "T", "body", "2025-01-01")},
		{"relative url", article("/just/a/path", "T", "body", "2025-01-01")},
		{"invalid utf8", article("https://a.example/6", "T", "bad \xff byte", "2025-01-01")},
	}
	for _, tt := range tests {
		g, b := good, tt.bad
		if _, err := db.PutArticles(context.Background(), []*knowledge.Article{&g, &b}); err == nil {
			t.Errorf("%s: got no error", tt.name)
		}
	}
	st, _ := db.Stats(context.Background())
	if st.Articles != 0 {
		t.Errorf("a failed batch stored %d articles, want 0", st.Articles)
	}
}

// An article without a trustworthy date is stored, dated by its fetching
// and marked undated; citations say so.
func TestUndatedArticlesAreStoredAndMarked(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	fetched := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	arts := []knowledge.Article{
		{URL: "https://a.example/none", Title: "No date", Body: "A page about zanzibar that states no date.", Fetched: fetched},
		{URL: "https://a.example/future", Title: "Far future", Body: "A page about quixote dated 9999-12-31.", Fetched: fetched,
			Published: time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)},
		{URL: "https://a.example/dated", Title: "Dated", Body: "A page about yorick dated the day before.", Fetched: fetched,
			Published: time.Date(2026, 2, 28, 0, 0, 0, 0, time.UTC)},
	}
	ptrs := []*knowledge.Article{&arts[0], &arts[1], &arts[2]}
	if _, err := db.PutArticles(ctx, ptrs); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"zanzibar": "undated", "quixote": "undated", "yorick": "28 Feb 2026"}
	for title, day := range want {
		hits, err := db.Search(ctx, title, knowledge.SearchOptions{})
		if err != nil || len(hits) == 0 {
			t.Fatalf("%s: %v %v", title, hits, err)
		}
		a := hits[0].Article
		if a.Day() != day || a.Undated != (day == "undated") {
			t.Errorf("%s: day %q undated %v, want %q", title, a.Day(), a.Undated, day)
		}
		if a.Undated && !a.Published.Equal(fetched) {
			t.Errorf("%s: published %v, want the fetch time %v", title, a.Published, fetched)
		}
	}
}

// TestConcurrentReadWrite runs searches while a writer ingests: no reader
// may see "database is locked", and every write must land.
func TestConcurrentReadWrite(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	mustPut(t, db, article("https://a.example/seed", "Seed", "Ceasefire talks in Riyadh.", "2025-01-01"))
	const writers, perWriter = 2, 60
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	stop := make(chan struct{})
	for r := 0; r < 4; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := db.Search(ctx, "ceasefire talks Riyadh", knowledge.SearchOptions{}); err != nil {
					errs <- fmt.Errorf("search: %w", err)
					return
				}
			}
		}()
	}
	var wwg sync.WaitGroup
	for w := 0; w < writers; w++ {
		wwg.Add(1)
		go func(w int) {
			defer wwg.Done()
			for i := 0; i < perWriter; i++ {
				a := article(fmt.Sprintf("https://a.example/%d/%d", w, i), fmt.Sprintf("Talks %d %d", w, i),
					fmt.Sprintf("Round %d of ceasefire talks in Riyadh by writer %d.", i, w), "2025-02-01")
				if _, err := db.PutArticle(ctx, &a); err != nil {
					errs <- fmt.Errorf("put: %w", err)
					return
				}
			}
		}(w)
	}
	wwg.Wait()
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	st, _ := db.Stats(ctx)
	if want := 1 + writers*perWriter; st.Articles != want {
		t.Errorf("got %d articles, want %d", st.Articles, want)
	}
}

// Two handles on one file, as when `attache ingest` runs beside `attache
// serve`: each must see what the other stored, whatever it cached.
func TestPutArticlesSeesOtherWriters(t *testing.T) {
	path := filepath.Join(t.TempDir(), "shared.db")
	ctx := context.Background()
	a, err := knowledge.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := knowledge.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	// Both load their view of the stored keys.
	mustPut(t, a, article("https://a.example/warmup-a", "Warm-up A", "First handle warms up.", "2025-03-01"))
	mustPut(t, b, article("https://a.example/warmup-b", "Warm-up B", "Second handle warms up.", "2025-03-01"))

	story := article("https://a.example/talks", "Talks resume", "Negotiators met again in Geneva on Monday.", "2025-03-02")
	if got := mustPut(t, a, story)[0]; got != knowledge.Added {
		t.Fatalf("first store: %v", got)
	}
	steps := []struct {
		name string
		art  knowledge.Article
		want knowledge.PutResult
	}{
		{"same URL through the other handle", story, knowledge.Duplicate},
		{"same text under another URL", article("https://mirror.example/talks", story.Title, story.Body, "2025-03-02"), knowledge.Duplicate},
		{"edited text", article("https://a.example/talks", story.Title, story.Body+" They meet again in May.", "2025-03-02"), knowledge.Updated},
	}
	for _, s := range steps {
		if got := mustPut(t, b, s.art)[0]; got != s.want {
			t.Errorf("%s: got %v, want %v", s.name, got, s.want)
		}
	}
	// And back: the first handle must see the alias the second stored.
	if got := mustPut(t, a, article("https://mirror.example/talks", story.Title, story.Body+" They meet again in May.", "2025-03-02"))[0]; got != knowledge.Duplicate {
		t.Errorf("alias stored by the other handle: got %v, want duplicate", got)
	}
	st, err := a.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Articles != 3 {
		t.Errorf("got %d articles, want 3", st.Articles)
	}
}

// Control characters and terminal escape sequences never reach the store:
// they would recolour terminals and forge log lines wherever text is shown.
func TestStoredTextHasNoControlCharacters(t *testing.T) {
	db := MustOpenDB(t)
	a := article("https://a.example/esc", "\x1b]0;pwned\x07Talks \x1b[31mresume\x1b[0m\u0085", "Envoys met\x1b[2J in Muscat.\x08\x7f\tThe talks went on.\r\nMore\x1bc text.", "2025-04-16")
	a.Author = "Jane\x1b[8m Doe"
	mustPut(t, db, a)
	got, err := db.ArticleByURL(context.Background(), "https://a.example/esc")
	if err != nil {
		t.Fatal(err)
	}
	body := strings.Join(strings.Fields(got.Body), " ")
	if got.Title != "Talks resume" || got.Author != "Jane Doe" || body != "Envoys met in Muscat. The talks went on. More text." {
		t.Errorf("stored title %q, author %q, body %q", got.Title, got.Author, got.Body)
	}
}
