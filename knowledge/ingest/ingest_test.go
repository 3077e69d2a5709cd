package ingest_test

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/attache-bot/attache/knowledge"
	"github.com/attache-bot/attache/knowledge/ingest"
	"github.com/attache-bot/attache/knowledge/knowledgetest"
	"github.com/attache-bot/attache/knowledge/sqlite"
)

var update = flag.Bool("update", false, "rewrite golden files")

// mustOpenDB is knowledgetest.NewDB, by its short name in this package.
var mustOpenDB = knowledgetest.NewDB

func readFile(tb testing.TB, path string) string {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

// golden compares got with testdata/NAME.golden, rewriting it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	knowledgetest.Golden(t, filepath.Join("testdata", name+".golden"), got, *update)
}

func TestParseScrapedSeedFormat(t *testing.T) {
	a, err := ingest.ParseScraped(readFile(t, "testdata/scraped/raw-seed-format.txt"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.MarshalIndent(struct {
		URL, Title, Author, Published, Lang string
		Paragraphs                          []string
	}{a.URL, a.Title, a.Author, a.Published.Format(time.RFC3339), a.Lang, strings.Split(a.Body, "\n\n")}, "", "  ")
	golden(t, "scraped/raw-seed-format.json", append(b, '\n'))
	// The facts the golden file shows, stated so they read as requirements.
	for _, junk := range []string{"Support us", "minute read", "Credit:", "kallas-sybiha", "byPetro", "03/03/2025"} {
		if strings.Contains(a.Body, junk) {
			t.Errorf("body keeps page junk %q", junk)
		}
	}
	if a.Author != "Petro Sadovyi" || a.Published.Format("2006-01-02") != "2025-03-03" {
		t.Errorf("author %q, date %v", a.Author, a.Published)
	}
	if strings.Count(a.Body, "Kallas and Sybiha discuss") != 0 {
		t.Error("the repeated title is in the body")
	}
}

func TestParseScrapedVariants(t *testing.T) {
	tests := []struct {
		name, text       string
		wantErr          bool
		wantAuthor, date string
		wantURL          string
	}{
		{"spaced byline", "date 2025-05-01\nTitle here\nBy Anna Smith\n1 May 2025\nBody paragraph one.\n\nBody two.", false, "Anna Smith", "2025-05-01", "urn:attache:2025-05-01:title-here"},
		{"several authors", "date 2025-05-01\nTitle here\nbyAnna Smith, Jo Bloggs and Li Wei\nBody paragraph one.", false, "Anna Smith, Jo Bloggs and Li Wei", "2025-05-01", ""},
		{"url and source header", "url https://x.example/a\nsource X\ndate 2025-05-01\nTitle\n\nBody.", false, "", "2025-05-01", "https://x.example/a"},
		{"date only in dd/mm/yyyy", "Title line\nbyJo Bloggs\n02/05/2025\n\nBody text.", false, "Jo Bloggs", "2025-05-02", ""},
		{"no date anywhere: kept, to be stored undated", readFile(t, "testdata/scraped/no-date.txt"), false, "", "0001-01-01", "urn:attache:undated:a-headline-with-no-date-line"},
		{"title only", "date 2025-05-01\nJust a title", true, "", "", ""},
		{"empty", "", true, "", "", ""},
	}
	for _, tt := range tests {
		a, err := ingest.ParseScraped(tt.text)
		if (err != nil) != tt.wantErr {
			t.Errorf("%s: err %v, wantErr %v", tt.name, err, tt.wantErr)
			continue
		}
		if err != nil {
			continue
		}
		if a.Author != tt.wantAuthor || a.Published.Format("2006-01-02") != tt.date {
			t.Errorf("%s: got author %q date %s, want %q %s", tt.name, a.Author, a.Published.Format("2006-01-02"), tt.wantAuthor, tt.date)
		}
		if tt.wantURL != "" && a.URL != tt.wantURL {
			t.Errorf("%s: got URL %q, want %q", tt.name, a.URL, tt.wantURL)
		}
	}
}

func TestReadJSONLReportsBadLinesAndKeepsGoodOnes(t *testing.T) {
	f, err := os.Open("testdata/jsonl/mixed.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var good []string
	bad := map[int]string{}
	err = ingest.ReadJSONL(f, func(line int, a knowledge.Article, err error) error {
		if err == nil {
			err = a.Normalize()
		}
		if err != nil {
			bad[line] = err.Error()
		} else {
			good = append(good, a.URL)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := "https://wire.example/1 https://wire.example/2 https://wire.example/7"; strings.Join(good, " ") != want {
		t.Errorf("good lines: got %v, want %s", good, want)
	}
	wantBad := map[int]string{4: `"published" must be a string`, 5: "not a JSON object", 6: "no title", 7: "cannot read"}
	for line, frag := range wantBad {
		if !strings.Contains(bad[line], frag) {
			t.Errorf("line %d: got error %q, want one containing %q", line, bad[line], frag)
		}
	}
}

func TestParseHTML(t *testing.T) {
	a, err := ingest.ParseHTML([]byte(readFile(t, "testdata/html/article.html")), "https://gulf.example/some/page?ref=home")
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct{ field, got, want string }{
		{"title", a.Title, "Araghchi says third round of talks was useful"},
		{"url", a.URL, "https://gulf.example/2025/04/26/araghchi-useful-talks"},
		{"source", a.Source, "Gulf Monitor"},
		{"published", a.Published.Format(time.RFC3339), "2025-04-26T15:00:00Z"},
		{"lang", a.Lang, "en"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %q, want %q", c.field, c.got, c.want)
		}
	}
	if !strings.Contains(a.Body, "Technical teams") || strings.Contains(a.Body, "Log in") || strings.Contains(a.Body, "Sign up") {
		t.Errorf("body is not the article text: %q", a.Body)
	}
	if _, err := ingest.ParseHTML([]byte(readFile(t, "testdata/html/no-article.html")), ""); err == nil {
		t.Error("a login page parsed as an article")
	}
}

func TestParseFeed(t *testing.T) {
	tests := []struct {
		file      string
		wantTitle string
		wantItems int
		first     string // first item's body fragment (from full content)
		teasers   int
	}{
		{"testdata/feeds/rss.xml", "Test Desk", 3, "military planners", 3},
		{"testdata/feeds/atom.xml", "Atom Desk", 1, "joint reconstruction fund", 1},
	}
	for _, tt := range tests {
		title, items, err := ingest.ParseFeed([]byte(readFile(t, tt.file)))
		if err != nil {
			t.Fatalf("%s: %v", tt.file, err)
		}
		if title != tt.wantTitle || len(items) != tt.wantItems {
			t.Errorf("%s: got %q with %d items, want %q with %d", tt.file, title, len(items), tt.wantTitle, tt.wantItems)
			continue
		}
		if !strings.Contains(items[0].Article.Body, tt.first) || items[0].Article.Published.IsZero() {
			t.Errorf("%s: first item %+v", tt.file, items[0].Article)
		}
		n := 0
		for _, it := range items {
			if it.Teaser {
				n++
			}
		}
		if n != tt.teasers {
			t.Errorf("%s: %d teasers, want %d", tt.file, n, tt.teasers)
		}
	}
	if _, _, err := ingest.ParseFeed([]byte(readFile(t, "testdata/feeds/not-a-feed.xml"))); err == nil {
		t.Error("an HTML page parsed as a feed")
	}
}

// TestIngestDirectory ingests every fixture: good inputs land, each bad one
// is reported with its location, and a second run changes nothing.
func TestIngestDirectory(t *testing.T) {
	db := mustOpenDB(t)
	in := &ingest.Ingester{Store: db}
	sum, err := in.Ingest(context.Background(), "testdata")
	if err != nil {
		t.Fatal(err)
	}
	// raw-seed-format, 3 JSONL lines, article.html, 3 RSS items (minus one without link), 1 Atom entry,
	// a Latin-1 text and an undated one
	if sum.Added != 10 {
		t.Errorf("added %d, want 10 (%s)", sum.Added, sum)
	}
	wantProblems := []string{
		"bad/binary.txt: binary data",
		"bad/empty.txt: empty input",
		"feeds/not-a-feed.xml: not a readable RSS",
		"feeds/rss.xml item 3: item has no link",
		"html/no-article.html: no article text",
		"jsonl/mixed.jsonl:4:",
		"jsonl/mixed.jsonl:5:",
		"jsonl/mixed.jsonl:6:",
		"jsonl/mixed.jsonl:7:",
	}
	var got []string
	for _, p := range sum.Problems {
		got = append(got, p.Error())
	}
	all := strings.Join(got, "\n")
	for _, w := range wantProblems {
		if !strings.Contains(all, w) {
			t.Errorf("no problem reported like %q; got:\n%s", w, all)
		}
	}
	if sum.Failed != len(wantProblems) {
		t.Errorf("failed %d, want %d:\n%s", sum.Failed, len(wantProblems), all)
	}
	again, err := in.Ingest(context.Background(), "testdata")
	if err != nil {
		t.Fatal(err)
	}
	if again.Added != 0 || again.Updated != 0 || again.Duplicates != sum.Added {
		t.Errorf("second ingest: %s, want only %d duplicates", again, sum.Added)
	}
}

func TestIngestMissingPath(t *testing.T) {
	in := &ingest.Ingester{Store: mustOpenDB(t)}
	sum, err := in.Ingest(context.Background(), "testdata/does-not-exist")
	if err != nil {
		t.Fatal(err)
	}
	if sum.Failed != 1 || !strings.Contains(sum.Problems[0].Error(), "does-not-exist: no such file") {
		t.Errorf("got %+v", sum)
	}
}

// failingStore fails every batch with more than one article, to check that
// the ingester falls back to storing articles one at a time.
type failingStore struct {
	inner *sqlite.DB
	bad   string
}

func (s failingStore) PutArticles(ctx context.Context, arts []*knowledge.Article) ([]knowledge.PutResult, error) {
	for _, a := range arts {
		if strings.Contains(a.Title, s.bad) {
			return nil, fmt.Errorf("disk on fire")
		}
	}
	return s.inner.PutArticles(ctx, arts)
}

func TestIngestOneBadArticleCostsOnlyItself(t *testing.T) {
	db := mustOpenDB(t)
	in := &ingest.Ingester{Store: failingStore{db, "Grossi"}}
	sum, err := in.Ingest(context.Background(), "testdata/jsonl/mixed.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	if sum.Added != 2 {
		t.Errorf("added %d, want 2: %s", sum.Added, sum)
	}
	if !strings.Contains(fmt.Sprint(sum.Problems), "mixed.jsonl:3: ") {
		t.Errorf("the failing article is not reported by line: %v", sum.Problems)
	}
}

func TestIngestURLs(t *testing.T) {
	page := readFile(t, "testdata/html/article.html")
	feed := readFile(t, "testdata/feeds/atom.xml")
	mux := http.NewServeMux()
	mux.HandleFunc("/page", func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.UserAgent(), "Attache/") {
			http.Error(w, "no UA", http.StatusForbidden)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, page)
	})
	mux.HandleFunc("/feed", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/atom+xml")
		fmt.Fprint(w, feed)
	})
	mux.HandleFunc("/huge", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		chunk := []byte(strings.Repeat("<p>filler text</p>", 1000))
		for i := 0; i < 3000 && r.Context().Err() == nil; i++ { // about 50 MB
			w.Write(chunk)
		}
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	})
	mux.HandleFunc("/loop", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/loop", http.StatusFound)
	})
	mux.HandleFunc("/gone", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "gone", http.StatusNotFound)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	db := mustOpenDB(t)
	in := &ingest.Ingester{Store: db, Fetcher: ingest.NewFetcher(ingest.FetcherOptions{Timeout: 300 * time.Millisecond, MaxBytes: 1 << 20})}
	sum, err := in.Ingest(context.Background(), srv.URL+"/page", srv.URL+"/feed", srv.URL+"/huge", srv.URL+"/slow", srv.URL+"/loop", srv.URL+"/gone")
	if err != nil {
		t.Fatal(err)
	}
	if sum.Added != 2 || sum.Failed != 4 {
		t.Errorf("got %s, want 2 new and 4 errors: %v", sum, sum.Problems)
	}
	want := map[string]string{"/huge": "limit", "/slow": "timed out", "/loop": "redirects", "/gone": "HTTP 404"}
	for _, p := range sum.Problems {
		for path, frag := range want {
			if strings.HasSuffix(p.Where, path) && !strings.Contains(p.Err.Error(), frag) {
				t.Errorf("%s: error %q, want it to mention %q", path, p.Err, frag)
			}
		}
	}
	a, err := db.ArticleByURL(context.Background(), srv.URL+"/2025/04/26/araghchi-useful-talks")
	if err != nil {
		t.Fatalf("the page was not stored under its canonical URL: %v", err)
	}
	if a.Source != "Gulf Monitor" {
		t.Errorf("source %q", a.Source)
	}
}

func TestPublicOnlyFetcherRefusesPrivateAddresses(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "secret")
	}))
	defer srv.Close()
	f := ingest.NewFetcher(ingest.FetcherOptions{PublicOnly: true, Timeout: time.Second})
	// Each must be refused by the guard itself, before any connection: a
	// closed port or an unreachable address would fail anyway and prove
	// nothing. The live server is reached under three names.
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(srv.URL, "http://"))
	for _, u := range []string{srv.URL, "http://localhost:" + port + "/", "http://127.1.2.3:" + port + "/",
		"http://169.254.169.254/latest/meta-data", "http://[::1]:1/", "http://10.0.0.1:1/", "http://[fd00::1]/", "http://100.64.0.1/"} {
		_, err := f.Get(context.Background(), u, "", "")
		if err == nil || !strings.Contains(err.Error(), "non-public address") {
			t.Errorf("Get(%s): %v, want the guard's refusal", u, err)
		}
	}
	// Schemes other than http(s) are refused by their own check.
	for _, u := range []string{"file:///etc/passwd", "gopher://x"} {
		if _, err := f.Get(context.Background(), u, "", ""); err == nil || !strings.Contains(err.Error(), "not an http(s) URL") {
			t.Errorf("Get(%s): %v, want a refusal of the scheme", u, err)
		}
	}
}

// A file of many bad lines is counted whole but listed only up to
// MaxProblems, and the good lines among them still land.
func TestIngestCapsTheProblemList(t *testing.T) {
	db := mustOpenDB(t)
	var b strings.Builder
	for i := 0; i < 50; i++ {
		if i == 25 {
			fmt.Fprintf(&b, `{"url":"https://a.example/ok","title":"Good","body":"Talks resumed.","published":"2025-04-16"}`+"\n")
			continue
		}
		fmt.Fprintf(&b, "not json %d\n", i)
	}
	path := filepath.Join(t.TempDir(), "bad.jsonl")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	sum, err := (&ingest.Ingester{Store: db, MaxProblems: 10}).Ingest(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Failed != 49 || len(sum.Problems) != 10 || sum.Added != 1 {
		t.Fatalf("got %s with %d problems listed; want 49 errors, 10 listed, 1 new", sum, len(sum.Problems))
	}
	if sum.Problems[0].Where != path+":1" || sum.Problems[9].Where != path+":10" {
		t.Errorf("listed problems are not the first ones: %v … %v", sum.Problems[0], sum.Problems[9])
	}
}

// batchRecorder is a Store that records the size of each batch.
type batchRecorder struct{ sizes []int }

func (r *batchRecorder) PutArticles(_ context.Context, arts []*knowledge.Article) ([]knowledge.PutResult, error) {
	r.sizes = append(r.sizes, len(arts))
	out := make([]knowledge.PutResult, len(arts))
	for i := range out {
		out[i] = knowledge.Added
	}
	return out, nil
}

// Long articles make smaller batches: what the pipeline holds stays bounded.
func TestIngestBoundsTheTextOfABatch(t *testing.T) {
	body := strings.Repeat("The envoy met the foreign minister again. ", 25000) // 1 MB
	var b strings.Builder
	for i := 0; i < 40; i++ {
		line, _ := json.Marshal(map[string]string{"url": fmt.Sprintf("https://a.example/%d", i), "title": "Long report",
			"body": body, "published": "2025-04-16"})
		b.Write(line)
		b.WriteByte('\n')
	}
	path := filepath.Join(t.TempDir(), "long.jsonl")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	rec := &batchRecorder{}
	sum, err := (&ingest.Ingester{Store: rec}).Ingest(context.Background(), path)
	if err != nil || sum.Added != 40 {
		t.Fatalf("%s, %v", sum, err)
	}
	for _, n := range rec.sizes {
		if n > 32 {
			t.Errorf("a batch of %d one-megabyte articles (sizes %v)", n, rec.sizes)
		}
	}
}
