package ingest_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/attache-bot/attache/knowledge"
	"github.com/attache-bot/attache/knowledge/ingest"
)

func jsonlArticle(i int) string {
	return fmt.Sprintf(`{"url":"https://wire.example/%d","title":"Envoys meet for round %d","published":"2025-04-%02dT09:00:00Z","body":"Envoys met in Muscat for round %d of the talks on the nuclear programme, officials said on the day."}`,
		i, i, 1+i%28, i)
}

func writeLines(t *testing.T, path string, from, to int) {
	t.Helper()
	var b strings.Builder
	for i := from; i < to; i++ {
		b.WriteString(jsonlArticle(i) + "\n")
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// A file that fails while being read is one counted problem: the files
// before and after it are stored.
func TestUnreadableFileCostsOnlyItself(t *testing.T) {
	dir := t.TempDir()
	writeLines(t, filepath.Join(dir, "a.jsonl"), 0, 3)
	// Reading /proc/self/mem at offset 0 fails with an I/O error, as a
	// failing disk does.
	if err := os.Symlink("/proc/self/mem", filepath.Join(dir, "b.jsonl")); err != nil {
		t.Fatal(err)
	}
	writeLines(t, filepath.Join(dir, "c.jsonl"), 3, 5)
	db := mustOpenDB(t)
	sum, err := (&ingest.Ingester{Store: db}).Ingest(context.Background(), dir)
	if err != nil {
		t.Fatalf("ingest stopped: %v", err)
	}
	if sum.Added != 5 || sum.Failed != 1 || !strings.Contains(sum.Problems[0].Error(), "b.jsonl") {
		t.Errorf("got %s, problems %v; want 5 new and b.jsonl as the one error", sum, sum.Problems)
	}
}

// What cannot be read to an end (a named pipe, a device) is refused at
// once instead of blocking the ingest; the other inputs are stored.
func TestPipesAndDevicesAreRefused(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe.txt"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/dev/zero", filepath.Join(dir, "zero.jsonl")); err != nil {
		t.Fatal(err)
	}
	writeLines(t, filepath.Join(dir, "ok.jsonl"), 0, 2)
	done := make(chan struct{})
	var sum ingest.Summary
	var err error
	go func() {
		defer close(done)
		sum, err = (&ingest.Ingester{Store: mustOpenDB(t)}).Ingest(context.Background(), dir)
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("the ingest blocked on a named pipe") // a hang guard, not a timing
	}
	if err != nil || sum.Added != 2 || sum.Failed != 2 {
		t.Fatalf("got %s (%v), want 2 new and 2 errors", sum, err)
	}
	got := fmt.Sprint(sum.Problems)
	for _, want := range []string{"pipe.txt: not a regular file (a named pipe)", "zero.jsonl: not a regular file (a device)"} {
		if !strings.Contains(got, want) {
			t.Errorf("problems %s lack %q", got, want)
		}
	}
}

// unavailableStore fails every write the way a full disk does, and counts
// the attempts.
type unavailableStore struct{ calls atomic.Int64 }

func (s *unavailableStore) PutArticles(context.Context, []*knowledge.Article) ([]knowledge.PutResult, error) {
	s.calls.Add(1)
	return nil, fmt.Errorf("commit: %w: database or disk is full", knowledge.ErrUnavailable)
}

// A store that cannot write stops the ingest with that one error, instead
// of retrying every remaining article.
func TestAFullDiskStopsTheIngest(t *testing.T) {
	dir := t.TempDir()
	writeLines(t, filepath.Join(dir, "many.jsonl"), 0, 2000)
	store := &unavailableStore{}
	sum, err := (&ingest.Ingester{Store: store, BatchSize: 100}).Ingest(context.Background(), dir)
	if !errors.Is(err, knowledge.ErrUnavailable) {
		t.Errorf("ingest error %v, want ErrUnavailable", err)
	}
	if n := store.calls.Load(); n > 2 || sum.Failed != 0 {
		t.Errorf("%d store attempts and %d errors after the store became unavailable; want it to stop at the first", n, sum.Failed)
	}
}

// Text in another encoding is read by the charset it declares, or as
// Windows-1252 when it declares none, the same for every format.
func TestDeclaredCharsetsAreHonoured(t *testing.T) {
	latin1 := func(s string) string { // s is ASCII but for é, è, à, ü
		r := strings.NewReplacer("é", "\xe9", "è", "\xe8", "à", "\xe0", "ü", "\xfc")
		return r.Replace(s)
	}
	body := "Le ministre a déclaré que la négociation à Genève était très avancée, selon un communiqué publié après la réunion des délégations. " +
		"Les délégués ont précisé que le prochain cycle aurait lieu à Zürich la semaine prochaine."
	mux := http.NewServeMux()
	mux.HandleFunc("/header", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=ISO-8859-1")
		fmt.Fprint(w, latin1(`<html><head><title>Négociation à Genève</title><meta property="article:published_time" content="2025-04-16"></head><body><article><h1>Négociation à Genève</h1><p>`+body+`</p></article></body></html>`))
	})
	mux.HandleFunc("/meta", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, latin1(`<html><head><meta charset="windows-1252"><title>Délégués à Zürich</title><meta property="article:published_time" content="2025-04-17"></head><body><article><h1>Délégués à Zürich</h1><p>`+body+`</p></article></body></html>`))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "note.txt"), []byte(latin1("date 2025-04-18\nCommuniqué sur Genève\n\n"+body+"\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "wire.jsonl"), []byte(latin1(`{"url":"https://wire.example/fr","title":"Réunion à Genève","published":"2025-04-19","body":"`+body+`"}`)+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	db := mustOpenDB(t)
	in := &ingest.Ingester{Store: db, Fetcher: ingest.NewFetcher(ingest.FetcherOptions{})}
	sum, err := in.Ingest(context.Background(), srv.URL+"/header", srv.URL+"/meta", dir)
	if err != nil || sum.Added != 4 {
		t.Fatalf("got %s, %v: %v", sum, err, sum.Problems)
	}
	hits, err := db.Search(context.Background(), "déclaré Genève", knowledge.SearchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	titles := map[string]bool{}
	for _, h := range hits {
		a, err := db.Article(context.Background(), h.Article.ID)
		titles[a.Title] = err == nil && strings.Contains(a.Body, "très avancée")
	}
	for _, title := range []string{"Négociation à Genève", "Délégués à Zürich", "Communiqué sur Genève", "Réunion à Genève"} {
		if !titles[title] {
			t.Errorf("no article %q with its accented text; stored: %v", title, titles)
		}
	}
}

// A date after tomorrow is not trusted: the article is stored undated, so
// that it does not outrank every real one as the newest.
func TestFutureDatesAreNotTrusted(t *testing.T) {
	dir := t.TempDir()
	lines := `{"url":"https://wire.example/far","title":"From the far future","published":"9999-12-31T00:00:00Z","body":"Envoys met in Muscat for another round of talks on the programme."}
{"url":"https://wire.example/zero","title":"From year zero","published":"0000-01-01T00:00:00Z","body":"Envoys met in Muscat for another round of talks on the programme."}
`
	if err := os.WriteFile(filepath.Join(dir, "dates.jsonl"), []byte(lines), 0o644); err != nil {
		t.Fatal(err)
	}
	db := mustOpenDB(t)
	sum, err := (&ingest.Ingester{Store: db}).Ingest(context.Background(), dir)
	if err != nil || sum.Added != 2 {
		t.Fatalf("got %s, %v: %v", sum, err, sum.Problems)
	}
	for _, u := range []string{"https://wire.example/far", "https://wire.example/zero"} {
		a, err := db.ArticleByURL(context.Background(), u)
		if err != nil || !a.Undated || a.Published.After(time.Now().Add(time.Hour)) {
			t.Errorf("%s: undated %v, published %v (%v)", u, a.Undated, a.Published, err)
		}
	}
}
