// Package storetest is the conformance suite of the store contract: the
// behaviour every knowledge.Store must show, run by each implementation's
// tests against a fresh store (compare litestream's one integration suite
// over every replica backend).
package storetest

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/attache-bot/attache/knowledge"
)

// Run runs every case against stores that open makes, a fresh one each.
func Run(t *testing.T, open func(testing.TB) knowledge.Store) {
	for name, test := range map[string]func(*testing.T, func(testing.TB) knowledge.Store){
		"PutArticlesIdempotentUpdateAndAlias": testPutArticlesIdempotentUpdateAndAlias,
		"PutArticlesRejectsBadArticlesWhole":  testPutArticlesRejectsBadArticlesWhole,
		"UndatedArticlesAreStoredAndMarked":   testUndatedArticlesAreStoredAndMarked,
		"StoredTextHasNoControlCharacters":    testStoredTextHasNoControlCharacters,
		"FeedsBelongToServers":                testFeedsBelongToServers,
		"WhoIs":                               testWhoIs,
		"SearchAcceptsAnyUserText":            testSearchAcceptsAnyUserText,
		"OverlongWords":                       testOverlongWords,
		"SearchNewerFirstAtEqualRelevance":    testSearchNewerFirstAtEqualRelevance,
		"SearchFilters":                       testSearchFilters,
		"Claims":                              testClaims,
		"Exchanges":                           testExchanges,
		"RateBuckets":                         testRateBuckets,
		"EveryScript":                         testEveryScript,
		"NewestAndHasURL":                     testNewestAndHasURL,
		"ExportArticles":                      testExportArticles,
		"ArticlesBetween":                     testArticlesBetween,
		"Outlets":                             testOutlets,
		"DigestTopicsAndPosts":                testDigestTopicsAndPosts,
		"ServerSettings":                      testServerSettings,
	} {
		t.Run(name, func(t *testing.T) { test(t, open) })
	}
}

// Put stores articles, failing tb when the store refuses them.
func Put(tb testing.TB, db knowledge.Store, arts ...knowledge.Article) []knowledge.PutResult {
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

// Article is a test article of the outlet "Test Wire", published on a day
// (YYYY-MM-DD).
func Article(url, title, body string, published string) knowledge.Article {
	t, err := time.Parse("2006-01-02", published)
	if err != nil {
		panic(err)
	}
	return knowledge.Article{URL: url, Title: title, Body: body, Source: "Test Wire", Published: t}
}

// none, as a wanted URL, wants no hit at all.
const none = "no hit"

func testPutArticlesIdempotentUpdateAndAlias(t *testing.T, open func(testing.TB) knowledge.Store) {
	db := open(t)
	ctx := context.Background()
	orig := Article("https://news.example/witkoff?utm_source=x#top", "Witkoff goes to Paris", "Steve Witkoff, the special envoy, travels to Paris.", "2025-04-16")

	steps := []struct {
		name string
		art  knowledge.Article
		want knowledge.PutResult
	}{
		{"first time", orig, knowledge.Added},
		{"same again", orig, knowledge.Duplicate},
		{"tracking params differ", Article("https://NEWS.example/witkoff/", orig.Title, orig.Body, "2025-04-16"), knowledge.Duplicate},
		{"spacing differs only", Article("https://news.example/witkoff", orig.Title, "Steve  Witkoff, the special envoy,\ntravels to Paris.", "2025-04-16"), knowledge.Duplicate},
		{"same text, other URL", Article("https://mirror.example/story/1", orig.Title, orig.Body, "2025-04-16"), knowledge.Duplicate},
		{"edited text, same URL", Article("https://news.example/witkoff", orig.Title, orig.Body+" He meets Macron on Thursday.", "2025-04-16"), knowledge.Updated},
		{"edited via the alias", Article("https://mirror.example/story/1", orig.Title, orig.Body+" He meets Macron on Friday.", "2025-04-16"), knowledge.Updated},
	}
	for _, s := range steps {
		if got := Put(t, db, s.art)[0]; got != s.want {
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

func testPutArticlesRejectsBadArticlesWhole(t *testing.T, open func(testing.TB) knowledge.Store) {
	db := open(t)
	good := Article("https://a.example/1", "Good", "Some body text.", "2025-01-01")
	tests := []struct {
		name string
		bad  knowledge.Article
	}{
		{"no title", Article("https://a.example/2", "", "body", "2025-01-01")},
		{"no body", Article("https://a.example/3", "T", "  \n ", "2025-01-01")},
		{"bad url", Article("ftp://a.example/4", "T", "body", "2025-01-01")},
		{"relative url", Article("/just/a/path", "T", "body", "2025-01-01")},
		{"invalid utf8", Article("https://a.example/6", "T", "bad \xff byte", "2025-01-01")},
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
func testUndatedArticlesAreStoredAndMarked(t *testing.T, open func(testing.TB) knowledge.Store) {
	db := open(t)
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

// Control characters and terminal escape sequences never reach the store:
// they would recolour terminals and forge log lines wherever text is shown.
func testStoredTextHasNoControlCharacters(t *testing.T, open func(testing.TB) knowledge.Store) {
	db := open(t)
	a := Article("https://a.example/esc", "\x1b]0;pwned\x07Talks \x1b[31mresume\x1b[0m\u0085", "Envoys met\x1b[2J in Muscat.\x08\x7f\tThe talks went on.\r\nMore\x1bc text.", "2025-04-16")
	a.Author = "Jane\x1b[8m Doe"
	Put(t, db, a)
	got, err := db.ArticleByURL(context.Background(), "https://a.example/esc")
	if err != nil {
		t.Fatal(err)
	}
	body := strings.Join(strings.Fields(got.Body), " ")
	if got.Title != "Talks resume" || got.Author != "Jane Doe" || body != "Envoys met in Muscat. The talks went on. More text." {
		t.Errorf("stored title %q, author %q, body %q", got.Title, got.Author, got.Body)
	}
}

// A server sees and changes only the feeds it follows; a URL two servers
// follow is one feed, polled once; the operator's feeds are the CLI's.
func testFeedsBelongToServers(t *testing.T, open func(testing.TB) knowledge.Store) {
	ctx := context.Background()
	db := open(t)
	const x, y, op = "https://x.example/rss", "https://y.example/rss", "https://op.example/rss"
	for _, f := range []struct{ guild, url string }{{"A", x}, {"B", y}, {"B", x}} {
		if _, err := db.FollowFeed(ctx, f.guild, f.url, "u"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.FollowFeed(ctx, "A", x, "u"); !errors.Is(err, knowledge.ErrExists) {
		t.Errorf("following twice: %v, want ErrExists", err)
	}
	if _, err := db.AddFeed(ctx, op, "cli"); err != nil {
		t.Fatal(err)
	}
	if got := feedURLs(db.ServerFeeds(ctx, "A")); len(got) != 1 || got[0] != x {
		t.Errorf("server A lists %v, want only %s", got, x)
	}
	if got := feedURLs(db.Feeds(ctx)); len(got) != 3 {
		t.Errorf("the operator lists %v, want the 3 feeds", got)
	}
	due, err := db.DueFeeds(ctx, time.Now())
	if err != nil || len(due) != 3 {
		t.Errorf("%d feeds due, want 3, each once: %v", len(due), err)
	}
	// A cannot remove B's feed, nor the operator's.
	for _, u := range []string{y, op} {
		if err := db.UnfollowFeed(ctx, "A", u); !errors.Is(err, knowledge.ErrNotFound) {
			t.Errorf("server A removing %s: %v, want ErrNotFound", u, err)
		}
	}
	if got := feedURLs(db.ServerFeeds(ctx, "B")); len(got) != 2 {
		t.Errorf("server B lists %v after A's attempts, want its 2 feeds", got)
	}
	// B stops reading x: A still reads it. A stops too: x is gone.
	if err := db.UnfollowFeed(ctx, "B", x); err != nil {
		t.Fatal(err)
	}
	if got := feedURLs(db.ServerFeeds(ctx, "A")); len(got) != 1 {
		t.Errorf("server A lost %s when B stopped reading it", x)
	}
	if err := db.UnfollowFeed(ctx, "A", x); err != nil {
		t.Fatal(err)
	}
	if _, err := db.FeedByURL(ctx, x); !errors.Is(err, knowledge.ErrNotFound) {
		t.Errorf("a feed no server reads is still polled: %v", err)
	}
	// A server following the operator's feed does not make it the server's
	// to delete for everyone.
	if _, err := db.FollowFeed(ctx, "A", op, "u"); err != nil {
		t.Fatal(err)
	}
	if err := db.UnfollowFeed(ctx, "A", op); err != nil {
		t.Fatal(err)
	}
	if f, err := db.FeedByURL(ctx, op); err != nil || !f.Operator {
		t.Errorf("the operator's feed after a server stopped following it: %+v, %v", f, err)
	}
}

// feedURLs is the URLs of a listing, or the error's text.
func feedURLs(fs []knowledge.Feed, err error) []string {
	if err != nil {
		return []string{"error: " + err.Error()}
	}
	var out []string
	for _, f := range fs {
		out = append(out, f.URL)
	}
	return out
}

func testWhoIs(t *testing.T, open func(testing.TB) knowledge.Store) {
	db := open(t)
	Put(t, db,
		Article("https://a.example/1", "Talks", "Special envoy Steve Witkoff met Vladimir Putin. Witkoff, the White House special envoy for the Middle East, flew home.", "2025-03-14"),
		Article("https://a.example/2", "Gaza", "US envoy Steve Witkoff negotiated the ceasefire with French Foreign Minister Jean-Noël Barrot present.", "2025-10-13"),
	)
	ctx := context.Background()
	for _, name := range []string{"Witkoff", "steve witkoff", "Steve Witkoff's", "WITKOFF"} {
		people, err := db.WhoIs(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		if len(people) != 1 || people[0].Person.Name != "Steve Witkoff" {
			t.Fatalf("WhoIs(%q) = %+v", name, people)
		}
		roles := people[0].Distinct()
		var got []string
		for _, r := range roles {
			got = append(got, r.Title+" "+r.Article.Published.Format("2006-01-02"))
		}
		// Newest first; "special envoy" is held in the longer title.
		if want := "US envoy 2025-10-13; White House special envoy for the Middle East 2025-03-14"; strings.Join(got, "; ") != want {
			t.Errorf("WhoIs(%q) roles %q, want %q", name, got, want)
		}
	}
	if people, _ := db.WhoIs(ctx, "Jean-Noel Barrot"); len(people) != 1 || people[0].Person.Name != "Jean-Noël Barrot" {
		t.Errorf("diacritics: %+v", people)
	}
	if people, _ := db.WhoIs(ctx, "Nobody Known"); len(people) != 0 {
		t.Errorf("unknown name: %+v", people)
	}
	ps, err := db.People(ctx, "wi", 25)
	if err != nil || len(ps) != 1 || ps[0].Name != "Steve Witkoff" {
		t.Errorf("People(wi) = %+v %v", ps, err)
	}
	// Editing the article replaces its roles.
	Put(t, db, Article("https://a.example/2", "Gaza", "The ceasefire held.", "2025-10-13"))
	people, _ := db.WhoIs(ctx, "Barrot")
	if len(people) != 0 {
		t.Errorf("roles of an edited article remain: %+v", people)
	}
	// Edited again, naming him with another title: only the new role counts.
	for _, title := range []string{"Foreign Minister", "French Foreign Minister"} {
		Put(t, db, Article("https://a.example/2", "Gaza", "The ceasefire held, said "+title+" Jean-Noël Barrot on the day.", "2025-10-13"))
		people, err := db.WhoIs(ctx, "Barrot")
		if err != nil {
			t.Fatal(err)
		}
		if len(people) != 1 || len(people[0].Roles) != 1 || people[0].Roles[0].Title != title {
			t.Errorf("after an edit naming him %q: %+v", title, people)
		}
	}
}

func searchFixture(t *testing.T, open func(testing.TB) knowledge.Store) knowledge.Store {
	t.Helper()
	db := open(t)
	Put(t, db,
		Article("https://a.example/paris", "Rubio and Witkoff in Paris",
			"US Secretary of State Marco Rubio held talks with French Foreign Minister Jean-Noël Barrot. Special envoy Steve Witkoff met Emmanuel Macron.", "2025-04-17"),
		Article("https://a.example/oman", "Iran talks in Muscat",
			"Witkoff's counterpart Abbas Araghchi said the negotiations on the nuclear programme were constructive.", "2025-04-13"),
		Article("https://b.example/tariffs", "Tariff pause",
			"The president paused tariffs for ninety days while negotiating with trading partners.", "2025-04-10"),
		Article("https://c.example/kyiv", "Переговори в Стамбулі",
			"Делегації України та Росії зустрілися в Стамбулі для переговорів про обмін полоненими.", "2025-05-16"),
	)
	return db
}

func testSearchAcceptsAnyUserText(t *testing.T, open func(testing.TB) knowledge.Store) {
	db := searchFixture(t, open)
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

// A word longer than an index can hold (PostgreSQL's tsvector keeps terms
// of up to 2,047 bytes) neither loses its article nor fails a search.
func testOverlongWords(t *testing.T, open func(testing.TB) knowledge.Store) {
	db := open(t)
	ctx := context.Background()
	word := strings.Repeat("ab", 1500)
	Put(t, db, Article("https://long.example/1", "A long word", "Before the word, sanctions. "+word+" After the word, tariffs.", "2025-05-01"))
	for _, q := range []string{"sanctions", "tariffs"} {
		if hits, err := db.Search(ctx, q, knowledge.SearchOptions{}); err != nil || len(hits) != 1 {
			t.Errorf("Search(%q) beside an overlong word: %d hits, %v", q, len(hits), err)
		}
	}
	for _, q := range []string{word, word + " tariffs", "sanctions " + strings.Repeat("cd", 1500)} {
		if _, err := db.Search(ctx, q, knowledge.SearchOptions{}); err != nil {
			t.Errorf("Search(%.20q…): %v", q, err)
		}
	}
}

func testSearchNewerFirstAtEqualRelevance(t *testing.T, open func(testing.TB) knowledge.Store) {
	db := open(t)
	body := "The envoy met the foreign minister to discuss a ceasefire."
	Put(t, db,
		Article("https://a.example/old", "Envoy meeting", body, "2025-01-01"),
		Article("https://a.example/new", "Envoy meeting", body+" ", "2025-03-01"), // same text: stored as a duplicate
		Article("https://b.example/new", "Envoy meeting report", body, "2025-03-01"),
		Article("https://b.example/newest", "Envoy meeting", strings.Replace(body, "The", "An", 1), "2025-06-01"),
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

func testSearchFilters(t *testing.T, open func(testing.TB) knowledge.Store) {
	db := searchFixture(t, open)
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

// A due feed and a day's digest are each claimed by one caller: the claims
// are what keeps several processes from doing the work twice.
func testClaims(t *testing.T, open func(testing.TB) knowledge.Store) {
	ctx := context.Background()
	db := open(t)
	f, err := db.AddFeed(ctx, "https://x.example/rss", "cli")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2025, 4, 16, 9, 0, 0, 0, time.UTC)
	won := 0
	for range 3 {
		ok, err := db.ClaimFeed(ctx, f, now, 5*time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			won++
		}
	}
	if won != 1 {
		t.Errorf("a due feed was claimed %d times", won)
	}
	if due, _ := db.DueFeeds(ctx, now.Add(time.Minute)); len(due) != 0 {
		t.Errorf("a claimed feed is due again within its lease: %v", due)
	}
	if due, _ := db.DueFeeds(ctx, now.Add(6*time.Minute)); len(due) != 1 {
		t.Errorf("a lapsed claim is not due again: %v", due)
	}
	// A disabled feed is never due.
	f, _ = db.FeedByURL(ctx, f.URL)
	f.Disabled = true
	if err := db.SaveFeedState(ctx, f); err != nil {
		t.Fatal(err)
	}
	if due, _ := db.DueFeeds(ctx, now.Add(time.Hour)); len(due) != 0 {
		t.Errorf("a disabled feed is due: %v", due)
	}
	sub, err := db.Subscribe(ctx, knowledge.Subscription{GuildID: "g", ChannelID: "c1", Minute: 540, Timezone: "UTC", CreatedBy: "u"})
	if err != nil {
		t.Fatal(err)
	}
	won = 0
	for range 3 {
		ok, err := db.ClaimDigest(ctx, sub.ID, "2025-04-16", now)
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			won++
		}
	}
	if won != 1 {
		t.Errorf("a day's digest was claimed %d times", won)
	}
	if ok, _ := db.TakeOverDigest(ctx, sub.ID, "2025-04-16", now, now.Add(time.Hour)); !ok {
		t.Error("a stale claim was not taken over")
	}
	if err := db.DigestDone(ctx, sub.ID, "2025-04-16", true, now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if ok, _ := db.ClaimDigest(ctx, sub.ID, "2025-04-16", now.Add(2*time.Hour)); ok {
		t.Error("a posted digest was claimed again")
	}
	if subs, _ := db.Subscriptions(ctx, "other"); len(subs) != 0 {
		t.Errorf("another server's subscriptions: %v", subs)
	}
}

// A store shared by processes keeps each user's rate-limit bucket, taken
// from atomically: of sixty takes at once from a bucket of 19 tokens, 19
// win.
func testRateBuckets(t *testing.T, open func(testing.TB) knowledge.Store) {
	db, ok := open(t).(knowledge.RateStore)
	if !ok {
		t.Skip("a store for one process: its process keeps the buckets in memory (bot.Limiter)")
	}
	ctx := context.Background()
	t0 := time.Date(2025, 5, 1, 12, 0, 0, 0, time.UTC)
	steps := []struct {
		key    string
		after  time.Duration
		want   bool
		waitLo time.Duration // when refused, the wait is in (waitLo, waitLo+1s]
	}{
		{"u1", 0, true, 0},
		{"u1", 0, true, 0},
		{"u1", 0, false, 29 * time.Second},
		{"u2", 0, true, 0},
		{"u1", 30 * time.Second, true, 0},
		{"u1", 30 * time.Second, false, 29 * time.Second},
		{"u1", 10 * time.Minute, true, 0}, // full again, or forgotten: the same
		{"u1", 10 * time.Minute, true, 0},
		{"u1", 10 * time.Minute, false, 29 * time.Second},
	}
	for i, s := range steps {
		ok, wait, err := db.TakeToken(ctx, s.key, t0.Add(s.after), 2, time.Minute)
		if err != nil || ok != s.want || (!ok && (wait <= s.waitLo || wait > s.waitLo+time.Second)) {
			t.Errorf("step %d (%s at +%v): ok %v, wait %v, %v; want ok %v", i, s.key, s.after, ok, wait, err, s.want)
		}
	}
	if ok, _, err := db.TakeToken(ctx, "crowd", t0, 20, time.Minute); !ok || err != nil {
		t.Fatalf("first take: %v %v", ok, err)
	}
	var wg sync.WaitGroup
	var won atomic.Int32
	for range 60 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, _, err := db.TakeToken(ctx, "crowd", t0, 20, time.Minute)
			if err != nil {
				t.Errorf("take beside others: %v", err)
			}
			if ok {
				won.Add(1)
			}
		}()
	}
	wg.Wait()
	if won.Load() != 19 {
		t.Errorf("60 takes at once from a bucket of 19 tokens: %d won", won.Load())
	}
}

func testExchanges(t *testing.T, open func(testing.TB) knowledge.Store) {
	ctx := context.Background()
	db := open(t)
	if err := db.SaveExchange(ctx, "m1", "Who is Witkoff?", "The special envoy [1]."); err != nil {
		t.Fatal(err)
	}
	q, a, ok, err := db.Exchange(ctx, "m1")
	if err != nil || !ok || q != "Who is Witkoff?" || a != "The special envoy [1]." {
		t.Errorf("exchange: %q %q %v %v", q, a, ok, err)
	}
	if _, _, ok, err := db.Exchange(ctx, "nope"); ok || err != nil {
		t.Errorf("unknown message: %v %v", ok, err)
	}
}

// A word from the middle of a text is found in every script.
func testEveryScript(t *testing.T, open func(testing.TB) knowledge.Store) {
	db := open(t)
	cases := []struct{ url, body, word string }{
		{"https://w.example/zh", "中国外交部发言人周四表示，双方将于下周在北京举行新一轮磋商，讨论贸易、投资和地区安全问题。", "地区安全"},
		{"https://w.example/ja", "日本の外務大臣は木曜日、東京で韓国の外相と会談し、両国の関係改善に向けた協力を確認した。", "関係改善"},
		{"https://w.example/ko", "외교부는 목요일 서울에서 일본 외무상과 외교장관 회담을 열고 양국 관계 개선을 논의했다.", "외무상"},
		{"https://w.example/ru", "Министр заявил, что переговоры с делегацией в Женеве были конструктивными.", "делегацией"},
	}
	for _, c := range cases {
		Put(t, db, Article(c.url, "Talks "+c.url[len(c.url)-2:], c.body, "2025-04-16"))
	}
	for _, c := range cases {
		hits, err := db.Search(context.Background(), c.word, knowledge.SearchOptions{})
		if err != nil || len(hits) == 0 || hits[0].Article.URL != c.url {
			t.Errorf("%s: %d hits, %v", c.word, len(hits), err)
		}
	}
}

func testNewestAndHasURL(t *testing.T, open func(testing.TB) knowledge.Store) {
	ctx := context.Background()
	db := open(t)
	if n, err := db.Newest(ctx); err != nil || !n.IsZero() {
		t.Errorf("newest of an empty store: %v %v", n, err)
	}
	Put(t, db, Article("https://a.example/1?utm_source=x", "One", "Envoys met in Muscat for talks.", "2025-04-13"),
		Article("https://a.example/2", "Two", "Envoys met again in Rome for talks.", "2025-04-19"))
	if n, err := db.Newest(ctx); err != nil || n.Format(time.DateOnly) != "2025-04-19" {
		t.Errorf("newest: %v %v", n, err)
	}
	for u, want := range map[string]bool{"https://a.example/1": true, "https://A.example/1/": true, "https://a.example/3": false} {
		if got, err := db.HasURL(ctx, u); err != nil || got != want {
			t.Errorf("HasURL(%s) = %v %v, want %v", u, got, err, want)
		}
	}
	if _, err := db.ArticleByURL(ctx, "https://a.example/3"); !errors.Is(err, knowledge.ErrNotFound) {
		t.Errorf("a missing article: %v, want ErrNotFound", err)
	}
	st, err := db.Stats(ctx)
	if err != nil || st.Articles != 2 || st.Sources != 1 {
		t.Errorf("stats %+v %v", st, err)
	}
}

// ExportArticles gives every article since a day, oldest first and by URL
// within a time, with its body and its sorted aliases; fn's error ends it.
func testExportArticles(t *testing.T, open func(testing.TB) knowledge.Store) {
	ctx := context.Background()
	db := open(t)
	body := "Talks in Muscat ended on Saturday.\n\nBoth sides will meet again."
	Put(t, db,
		Article("https://b.example/2", "Later", "The later article about Geneva.", "2025-05-02"),
		Article("https://b.example/1", "Talks", body, "2025-04-26"),
		Article("https://a.example/same-day", "Same day", "Another article about Rome that day.", "2025-04-26"),
	)
	Put(t, db, Article("https://z.example/copy", "Talks", body, "2025-04-26"), Article("https://c.example/copy", "Talks", body, "2025-04-26"))
	type got struct {
		url, body string
		aliases   []string
	}
	var all []got
	err := db.ExportArticles(ctx, time.Time{}, func(a knowledge.Article, aliases []string) error {
		all = append(all, got{a.URL, a.Body, aliases})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 3 || all[0].url != "https://a.example/same-day" || all[1].url != "https://b.example/1" || all[2].url != "https://b.example/2" {
		t.Fatalf("export order %+v", all)
	}
	if all[1].body != body || strings.Join(all[1].aliases, " ") != "https://c.example/copy https://z.example/copy" {
		t.Errorf("export of the aliased article: %+v", all[1])
	}
	var since []string
	db.ExportArticles(ctx, time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC), func(a knowledge.Article, _ []string) error {
		since = append(since, a.URL)
		return nil
	})
	if strings.Join(since, " ") != "https://b.example/2" {
		t.Errorf("since: %v", since)
	}
	stop := errors.New("stop")
	calls := 0
	if err := db.ExportArticles(ctx, time.Time{}, func(knowledge.Article, []string) error { calls++; return stop }); !errors.Is(err, stop) || calls != 1 {
		t.Errorf("fn's error: %v after %d calls", err, calls)
	}
}

// ArticlesBetween gives the articles of a span, oldest first, up to a limit.
func testArticlesBetween(t *testing.T, open func(testing.TB) knowledge.Store) {
	ctx := context.Background()
	db := open(t)
	Put(t, db,
		Article("https://w.example/15", "Before", "An article about Oslo before the span.", "2025-05-15"),
		Article("https://w.example/16b", "Second that day", "An article about Istanbul talks.", "2025-05-16"),
		Article("https://w.example/16a", "First that day", "An article about Geneva tariffs.", "2025-05-16"),
		Article("https://w.example/17", "After", "An article about Rome after the span.", "2025-05-17"),
	)
	day := time.Date(2025, 5, 16, 0, 0, 0, 0, time.UTC)
	got, err := db.ArticlesBetween(ctx, day, day.AddDate(0, 0, 1), 0)
	if err != nil {
		t.Fatal(err)
	}
	var titles []string
	for _, a := range got {
		titles = append(titles, a.Title)
	}
	if strings.Join(titles, "|") != "Second that day|First that day" {
		t.Errorf("the day's articles: %v", titles)
	}
	if got, _ := db.ArticlesBetween(ctx, day.AddDate(0, 0, -1), day.AddDate(0, 0, 3), 2); len(got) != 2 || got[0].Title != "Before" {
		t.Errorf("limit and order: %+v", got)
	}
}

// Outlets finds the outlets a user types part of, the largest first.
func testOutlets(t *testing.T, open func(testing.TB) knowledge.Store) {
	ctx := context.Background()
	db := open(t)
	a := func(url, source string) knowledge.Article {
		x := Article(url, "Title "+url, "Body of "+url+" about talks.", "2025-05-01")
		x.Source = source
		return x
	}
	Put(t, db, a("https://g.example/1", "Gulf Monitor"), a("https://g.example/2", "Gulf Monitor"),
		a("https://k.example/1", "Kyiv Dispatch"), a("https://m.example/1", "Meridian Wire"))
	got, err := db.Outlets(ctx, "", 0)
	if err != nil || strings.Join(got, "|") != "Gulf Monitor|Kyiv Dispatch|Meridian Wire" {
		t.Errorf("all outlets: %v %v", got, err)
	}
	if got, _ := db.Outlets(ctx, "DISPATCH", 5); strings.Join(got, "|") != "Kyiv Dispatch" {
		t.Errorf("typed part: %v", got)
	}
	if got, _ := db.Outlets(ctx, "i", 2); len(got) != 2 || got[0] != "Gulf Monitor" {
		t.Errorf("limit: %v", got)
	}
}

// A subscription keeps its topic, and remembers what its digests posted.
func testDigestTopicsAndPosts(t *testing.T, open func(testing.TB) knowledge.Store) {
	ctx := context.Background()
	db := open(t)
	sub, err := db.Subscribe(ctx, knowledge.Subscription{GuildID: "g", ChannelID: "c", Minute: 480, Timezone: "UTC", Topic: " Iran nuclear talks "})
	if err != nil || sub.Topic != "Iran nuclear talks" {
		t.Fatalf("topic: %+v %v", sub, err)
	}
	if sub, _ = db.Subscribe(ctx, knowledge.Subscription{GuildID: "g", ChannelID: "c", Minute: 480, Timezone: "UTC"}); sub.Topic != "" {
		t.Errorf("a subscription again without a topic keeps %q", sub.Topic)
	}
	day := time.Date(2025, 5, 1, 8, 0, 0, 0, time.UTC)
	arts := []knowledge.Article{{ID: 7, Title: "Talks in Muscat"}, {ID: 9, Title: "Talks in Rome"}}
	if err := db.RecordDigestPosts(ctx, sub.ID, arts, day); err != nil {
		t.Fatal(err)
	}
	if err := db.RecordDigestPosts(ctx, sub.ID, arts[:1], day.Add(24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	got, err := db.DigestPosts(ctx, sub.ID, day)
	if err != nil || len(got) != 2 || got[7] != "Talks in Muscat" {
		t.Errorf("posts: %v %v", got, err)
	}
	if got, _ := db.DigestPosts(ctx, sub.ID, day.Add(time.Hour)); len(got) != 0 {
		t.Errorf("posts since later: %v", got)
	}
	if err := db.Unsubscribe(ctx, "c"); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.DigestPosts(ctx, sub.ID, time.Time{}); len(got) != 0 {
		t.Errorf("posts outlive their subscription: %v", got)
	}
}

// A server's settings are what it last chose; one that chose nothing has
// the zero settings.
func testServerSettings(t *testing.T, open func(testing.TB) knowledge.Store) {
	ctx := context.Background()
	db := open(t)
	if s, err := db.ServerSettings(ctx, "g"); err != nil || s.AnswerInThreads || s.GuildID != "g" {
		t.Errorf("no settings: %+v %v", s, err)
	}
	for _, on := range []bool{true, false, true} {
		if err := db.SetServerSettings(ctx, knowledge.ServerSettings{GuildID: "g", AnswerInThreads: on, UpdatedBy: "u"}); err != nil {
			t.Fatal(err)
		}
		if s, _ := db.ServerSettings(ctx, "g"); s.AnswerInThreads != on || s.UpdatedBy != "u" {
			t.Errorf("after setting %v: %+v", on, s)
		}
	}
	if s, _ := db.ServerSettings(ctx, "other"); s.AnswerInThreads {
		t.Errorf("another server's settings leaked: %+v", s)
	}
}
