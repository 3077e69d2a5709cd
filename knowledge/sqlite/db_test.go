package sqlite_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/attache-bot/attache/knowledge"
	"github.com/attache-bot/attache/knowledge/knowledgetest"
	"github.com/attache-bot/attache/knowledge/sqlite"
	"github.com/attache-bot/attache/knowledge/storetest"
)

// MustOpenDB is knowledgetest.NewDB, by its short name in this package.
var MustOpenDB = knowledgetest.NewDB

// mustPut and article are the conformance suite's helpers.
var (
	mustPut = func(tb testing.TB, db *sqlite.DB, arts ...knowledge.Article) []knowledge.PutResult {
		return storetest.Put(tb, db, arts...)
	}
	article = storetest.Article
)

func TestOpenAppliesMigrationsOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.db")
	ctx := context.Background()
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	mustPut(t, db, article("https://a.example/1", "Title one", "Body text about Rubio.", "2025-04-16"))
	db.Close()
	db, err = sqlite.Open(ctx, path) // reopening must not re-run migrations or lose data
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
	a, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := sqlite.Open(ctx, path)
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
