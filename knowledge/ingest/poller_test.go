package ingest_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/attache-bot/attache/knowledge/ingest"
	"github.com/attache-bot/attache/knowledge/sqlite"
	"github.com/attache-bot/attache/knowledge/text"
)

const feedXML = `<?xml version="1.0"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>%s</title>
<item><title>Envoy meets minister in Paris</title><link>%s</link><pubDate>Thu, 17 Apr 2025 10:00:00 +0000</pubDate>
<content:encoded><![CDATA[<p>%s</p>]]></content:encoded></item></channel></rss>`

func longText(words int) string {
	w := make([]string, words)
	for i := range w {
		w[i] = fmt.Sprintf("word%d", i%50)
	}
	return "The special envoy met the foreign minister in Paris. " + strings.Join(w, " ") + "."
}

func newPoller(t *testing.T, now *time.Time) (*ingest.Poller, *sqlite.DB) {
	t.Helper()
	db := mustOpenDB(t)
	return &ingest.Poller{Store: db, Fetcher: ingest.NewFetcher(ingest.FetcherOptions{Timeout: 2 * time.Second}),
		Now: func() time.Time { return *now }, Interval: 10 * time.Minute, DisableAfter: 3}, db
}

func TestPollerConditionalRequests(t *testing.T) {
	var sawConditional atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("If-None-Match") == `"v1"` {
			sawConditional.Add(1)
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", `"v1"`)
		fmt.Fprintf(w, feedXML, "Desk", "https://news.example/envoy", longText(150))
	}))
	defer srv.Close()
	now := time.Date(2025, 4, 17, 12, 0, 0, 0, time.UTC)
	p, db := newPoller(t, &now)
	ctx := context.Background()
	if _, err := db.AddFeed(ctx, srv.URL, "test"); err != nil {
		t.Fatal(err)
	}
	res, err := p.PollDue(ctx)
	if err != nil || len(res) != 1 || res[0].New != 1 || res[0].Err != nil {
		t.Fatalf("first poll: %+v %v", res, err)
	}
	if res, _ := p.PollDue(ctx); len(res) != 0 {
		t.Errorf("polled again before the interval: %+v", res)
	}
	now = now.Add(11 * time.Minute)
	res, err = p.PollDue(ctx)
	if err != nil || len(res) != 1 || !res[0].NotModified || res[0].New != 0 || sawConditional.Load() != 1 {
		t.Fatalf("second poll: %+v %v (conditional requests seen: %d)", res, err, sawConditional.Load())
	}
	f, _ := db.FeedByURL(ctx, srv.URL)
	if f.Title != "Desk" || f.ETag != `"v1"` || f.LastOK != now || f.LastNew.IsZero() || f.Failures != 0 {
		t.Errorf("feed state %+v", f)
	}
}

func TestPollerBacksOffAndDisables(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "down", http.StatusInternalServerError)
	}))
	defer srv.Close()
	now := time.Date(2025, 4, 17, 12, 0, 0, 0, time.UTC)
	p, db := newPoller(t, &now)
	ctx := context.Background()
	db.AddFeed(ctx, srv.URL, "test")
	var waits []time.Duration
	for i := 0; i < 3; i++ {
		res, err := p.PollDue(ctx)
		if err != nil || len(res) != 1 || res[0].Err == nil {
			t.Fatalf("poll %d: %+v %v", i, res, err)
		}
		waits = append(waits, res[0].Feed.NextFetch.Sub(now))
		now = res[0].Feed.NextFetch
	}
	if !(waits[0] < waits[1] && waits[1] < waits[2]) {
		t.Errorf("waits %v do not grow", waits)
	}
	f, _ := db.FeedByURL(ctx, srv.URL)
	if !f.Disabled || f.Failures != 3 || !strings.Contains(f.LastError, "500") {
		t.Errorf("feed %+v, want disabled after 3 failures with the error shown", f)
	}
	if res, _ := p.PollDue(ctx); len(res) != 0 {
		t.Error("a disabled feed was polled")
	}
}

func TestPollerHTMLPageIsNotAFeed(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, "<!doctype html><html><body><p>Welcome</p></body></html>")
	}))
	defer srv.Close()
	now := time.Now()
	p, db := newPoller(t, &now)
	db.AddFeed(context.Background(), srv.URL, "t")
	res, _ := p.PollDue(context.Background())
	if len(res) != 1 || res[0].Err == nil || !strings.Contains(res[0].Err.Error(), "HTML page") {
		t.Errorf("got %+v", res)
	}
}

func TestPollerStoresAnArticleOnceAcrossFeedsAndCompletesTeasers(t *testing.T) {
	mux := http.NewServeMux()
	var srvURL string
	mux.HandleFunc("/a.xml", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, feedXML, "Feed A", srvURL+"/story", "Short teaser.")
	})
	mux.HandleFunc("/b.xml", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, feedXML, "Feed B", srvURL+"/story?utm_source=b", "Short teaser.")
	})
	mux.HandleFunc("/story", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<html><head><title>Envoy meets minister</title></head><body><article><h1>Envoy meets minister</h1><p>%s</p><p>%s</p></article></body></html>`,
			longText(120), longText(80))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	srvURL = srv.URL
	now := time.Now().UTC()
	p, db := newPoller(t, &now)
	ctx := context.Background()
	db.AddFeed(ctx, srv.URL+"/a.xml", "t")
	db.AddFeed(ctx, srv.URL+"/b.xml", "t")
	res, err := p.PollDue(ctx)
	if err != nil || len(res) != 2 {
		t.Fatalf("%+v %v", res, err)
	}
	if res[0].New+res[1].New != 1 {
		t.Errorf("new articles %d and %d, want one in all", res[0].New, res[1].New)
	}
	st, _ := db.Stats(ctx)
	if st.Articles != 1 {
		t.Errorf("%d articles stored, want 1", st.Articles)
	}
	a, err := db.ArticleByURL(ctx, srv.URL+"/story")
	if err != nil || text.CountWords(a.Body) < 150 {
		t.Errorf("the teaser was not completed from the page: %v %q", err, a.Body)
	}
}

func TestPublicOnlyFetcherRefusesRedirectToPrivateAddress(t *testing.T) {
	// 127.0.0.1 plays a private address; a second listener on 127.0.0.2
	// plays a public site that redirects to it.
	private := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "secret") }))
	defer private.Close()
	ln, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Fatalf("second loopback address: %v", err)
	}
	public := &httptest.Server{Listener: ln, Config: &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, private.URL+"/latest/meta-data", http.StatusFound)
	})}}
	public.Start()
	defer public.Close()
	f := ingest.NewFetcher(ingest.FetcherOptions{PublicOnly: true, Timeout: 2 * time.Second,
		Allowed: func(a netip.Addr) bool { return a == netip.MustParseAddr("127.0.0.2") }})
	_, err = f.Get(context.Background(), public.URL, "", "")
	if err == nil || !strings.Contains(err.Error(), "non-public") {
		t.Errorf("redirect to a private address: got %v, want a refusal", err)
	}
}

// A teaser's page is fetched once: not again on the next poll when the
// article is stored, nor the same day when the page gave nothing.
func TestPollerFetchesEachTeaserPageOnce(t *testing.T) {
	var pageFetches atomic.Int64
	var srvURL string
	mux := http.NewServeMux()
	mux.HandleFunc("/feed.xml", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>`)
		// The broken page's item has no text of its own: it can only be
		// stored from its page, which fails.
		for _, item := range []string{"/good/1", "/good/2", "/broken/3"} {
			teaser := "Short teaser."
			if strings.HasPrefix(item, "/broken") {
				teaser = ""
			}
			fmt.Fprintf(w, `<item><title>Story %s</title><link>%s%s</link><pubDate>Mon, 14 Apr 2025 09:00:00 GMT</pubDate><description>%s</description></item>`,
				item, srvURL, item, teaser)
		}
		fmt.Fprint(w, `</channel></rss>`)
	})
	mux.HandleFunc("/good/", func(w http.ResponseWriter, r *http.Request) {
		pageFetches.Add(1)
		fmt.Fprintf(w, `<html><head><title>Envoy meets minister</title></head><body><article><h1>Envoy meets minister</h1><p>%s</p><p>%s</p></article></body></html>`,
			longText(120), r.URL.Path)
	})
	mux.HandleFunc("/broken/", func(w http.ResponseWriter, r *http.Request) {
		pageFetches.Add(1)
		http.Error(w, "gone", http.StatusGone)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	srvURL = srv.URL
	now := time.Now().UTC()
	p, db := newPoller(t, &now)
	ctx := context.Background()
	f, err := db.AddFeed(ctx, srv.URL+"/feed.xml", "t")
	if err != nil {
		t.Fatal(err)
	}
	for poll := range 3 {
		r := p.Poll(ctx, f)
		if r.Err != nil {
			t.Fatal(r.Err)
		}
		if poll == 0 && r.New != 2 {
			t.Errorf("first poll stored %d, want the 2 teasers whose pages answer", r.New)
		}
		// The second poll comes soon after, the third a day later, when
		// only the failed page is tried again.
		now = now.Add([]time.Duration{15 * time.Minute, 25 * time.Hour, 0}[poll])
	}
	if n := pageFetches.Load(); n != 4 {
		t.Errorf("%d page fetches over three polls of three teasers, want 3 and the failed one again a day later", n)
	}
	a, err := db.ArticleByURL(ctx, srv.URL+"/good/1")
	if err != nil || text.CountWords(a.Body) < 100 {
		t.Errorf("the stored page text was replaced by the teaser: %v %q", err, a.Body)
	}
}

// Several processes polling one database fetch each due feed once: the one
// that claims it polls it. A claim whose process died is taken over when
// its lease runs out.
func TestFeedsArePolledOnceAcrossProcesses(t *testing.T) {
	var fetches sync.Map // path → *atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := fetches.LoadOrStore(r.URL.Path, new(atomic.Int32))
		n.(*atomic.Int32).Add(1)
		time.Sleep(20 * time.Millisecond) // a poll takes a while, so that they overlap
		fmt.Fprintf(w, feedXML, "Feed "+r.URL.Path, "https://news.example"+r.URL.Path+"/story", longText(150))
	}))
	defer srv.Close()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "shared.db")
	now := time.Now().UTC()
	var pollers []*ingest.Poller
	var first *sqlite.DB
	for range 3 { // three processes, each with its own handle on the file
		db, err := sqlite.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		if first == nil {
			first = db
		}
		pollers = append(pollers, &ingest.Poller{Store: db, Fetcher: ingest.NewFetcher(ingest.FetcherOptions{Timeout: 2 * time.Second}),
			Now: func() time.Time { return now }, Interval: 10 * time.Minute, Lease: 5 * time.Minute})
	}
	for k := range 6 {
		if _, err := first.AddFeed(ctx, fmt.Sprintf("%s/f%d", srv.URL, k), "cli"); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	for _, p := range pollers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := p.PollDue(ctx); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	total := 0
	fetches.Range(func(k, v any) bool {
		n := int(v.(*atomic.Int32).Load())
		total += n
		if n != 1 {
			t.Errorf("%s fetched %d times by three processes", k, n)
		}
		return true
	})
	if total != 6 {
		t.Errorf("%d fetches of 6 feeds", total)
	}
	// A process claims a feed and dies: the others leave it until the
	// lease runs out, then take it over.
	f, err := first.FeedByURL(ctx, srv.URL+"/f0")
	if err != nil {
		t.Fatal(err)
	}
	now = f.NextFetch // due again
	if won, err := first.ClaimFeed(ctx, f, now, 5*time.Minute); err != nil || !won {
		t.Fatalf("claim: %v %v", won, err)
	}
	polled := func(res []ingest.PollResult) bool {
		for _, r := range res {
			if r.Feed.ID == f.ID {
				return true
			}
		}
		return false
	}
	if res, _ := pollers[1].PollDue(ctx); polled(res) {
		t.Error("a feed under another's lease was polled")
	}
	now = now.Add(6 * time.Minute)
	if res, _ := pollers[1].PollDue(ctx); !polled(res) {
		t.Error("a lease that ran out was not taken over")
	}
}
