package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/attache-bot/attache/bot"
	"github.com/attache-bot/attache/bot/discordtest"
	"github.com/attache-bot/attache/internal/syncbuf"
	"github.com/attache-bot/attache/knowledge"
	"github.com/attache-bot/attache/knowledge/postgres"
	"github.com/attache-bot/attache/knowledge/postgres/pgtest"
)

// Two `attache serve` processes on one PostgreSQL, each with its own gateway
// shard, through the fake Discord: every interaction is answered exactly
// once, a day's digest is posted once, each feed is fetched once per
// interval; and the same holds for the survivor after one process stops.
func TestTwoProcessesShareOnePostgreSQL(t *testing.T) {
	ctx := context.Background()
	dbURL := pgtest.Database(t)

	// The articles, and a feed server that counts its fetches.
	cfg, err := LoadConfig(func(k string) string { return map[string]string{"ATTACHE_DB": dbURL}[k] })
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("ATTACHE_DB", dbURL)
	if code, _, errOut := attache(t, ctx, "ingest", "--quiet", "../../sample"); code != 0 {
		t.Fatalf("ingest into PostgreSQL: %s", errOut)
	}
	var fetches sync.Map
	feeds := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := fetches.LoadOrStore(r.URL.Path, new(atomic.Int32))
		n.(*atomic.Int32).Add(1)
		fmt.Fprintf(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>Wire %s</title><item><title>Envoys meet</title>
			<link>https://news.example%s/1</link><pubDate>Mon, 14 Apr 2025 09:00:00 GMT</pubDate>
			<description>%s</description></item></channel></rss>`, r.URL.Path, r.URL.Path,
			strings.Repeat("Envoys met in Muscat for talks on the programme. ", 12))
	}))
	defer feeds.Close()
	fetched := func(path string) int32 {
		if n, ok := fetches.Load(path); ok {
			return n.(*atomic.Int32).Load()
		}
		return 0
	}
	store, err := postgres.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if _, err := store.AddFeed(ctx, feeds.URL+"/a", "cli"); err != nil {
		t.Fatal(err)
	}
	// A digest due now, in a channel the fake lets the bot post in.
	minute := func() int { now := time.Now().UTC(); return now.Hour()*60 + now.Minute() }
	subscribe := func(channel string) int64 {
		s, err := store.Subscribe(ctx, knowledge.Subscription{GuildID: "300000000000000001", ChannelID: channel, Minute: minute(), Timezone: "UTC", CreatedBy: "u"})
		if err != nil {
			t.Fatal(err)
		}
		return s.ID
	}
	subA := subscribe("400000000000000101")

	fake := discordtest.New(t)
	defer fake.Close()
	fake.Shards = 2
	start := func(shard int) (context.CancelFunc, chan int) {
		c := cfg
		c.DBPath, c.DiscordToken, c.DiscordAPIURL = dbURL, "test-token", fake.URL
		c.Shards = bot.Shards{IDs: []int{shard}, Count: 2}
		c.DigestTick, c.FeedTick = 100*time.Millisecond, 100*time.Millisecond
		c.UserRate, c.UserWindow = 3, time.Hour
		c.fetchAllowed = func(a netip.Addr) bool { return a.IsLoopback() } // the feed server plays a public site
		m := NewMain(c, &syncbuf.Buffer{}, &syncbuf.Buffer{})
		pctx, cancel := context.WithCancel(ctx)
		done := make(chan int, 1)
		go func() {
			err := m.Run(pctx, []string{"serve"})
			m.Close()
			if err != nil {
				t.Logf("shard %d: %v", shard, err)
				done <- 1
				return
			}
			done <- 0
		}()
		return cancel, done
	}
	stopA, doneA := start(0)
	stopB, doneB := start(1)
	defer func() { stopB(); <-doneB }()
	if !fake.WaitFor(20*time.Second, func() bool { return len(fake.Identified()) == 2 }) {
		t.Fatalf("shards identified: %v", fake.Identified())
	}

	// Interactions from servers on both shards: each answered once.
	askAs := func(k int, user string) string {
		iid := fmt.Sprint(800000000000000000 + k)
		i := discordtest.Interaction(iid, fake.AppID, "ask", map[string]any{"question": "What is Witkoff's role?"}, user)
		i["guild_id"] = fmt.Sprint(uint64(k) << 22) // shard k % 2
		if err := fake.Dispatch("INTERACTION_CREATE", i); err != nil {
			t.Fatal(err)
		}
		return iid
	}
	ask := func(k int) string { return askAs(k, fmt.Sprint(7700+k)) } // a user each, well within the limit
	answeredOnce := func(ids []string) {
		t.Helper()
		if !fake.WaitFor(20*time.Second, func() bool {
			for _, iid := range ids {
				if len(calls(fake, "PATCH", "itoken-"+iid+"/messages/@original")) == 0 {
					return false
				}
			}
			return true
		}) {
			t.Fatalf("not every interaction was answered")
		}
		time.Sleep(300 * time.Millisecond) // a second answer would show by now
		for _, iid := range ids {
			if n := len(calls(fake, "POST", "/interactions/"+iid+"/")); n != 1 {
				t.Errorf("interaction %s acknowledged %d times", iid, n)
			}
		}
	}
	var ids []string
	for k := 1; k <= 6; k++ {
		ids = append(ids, ask(k))
	}
	answeredOnce(ids)

	// One user's questions, spread over both processes, share one
	// limit (3 an hour): the fourth is refused, by whichever process.
	refused := func(iid string) bool {
		for _, c := range calls(fake, "POST", "/interactions/"+iid+"/") {
			if strings.Contains(fmt.Sprint(c.Body), "asking quickly") {
				return true
			}
		}
		return false
	}
	var quick []string
	for k := 21; k <= 24; k++ { // shards 1, 0, 1, 0
		quick = append(quick, askAs(k, "99"))
		if !fake.WaitFor(20*time.Second, func() bool { return len(calls(fake, "POST", "/interactions/"+quick[len(quick)-1]+"/")) > 0 }) {
			t.Fatalf("interaction %d was not acknowledged", k)
		}
	}
	for i, iid := range quick {
		if got, want := refused(iid), i == 3; got != want {
			t.Errorf("question %d of one user across both processes: refused %v, want %v", i+1, got, want)
		}
	}

	postedOnce := func(channel string, sub int64) {
		t.Helper()
		ref := fmt.Sprintf("digest-%d-", sub)
		posts := func() int {
			n := 0
			for _, c := range calls(fake, "POST", "/channels/"+channel+"/messages") {
				if s, _ := c.Body["content"].(string); strings.Contains(s, ref) {
					n++
				}
			}
			return n
		}
		if !fake.WaitFor(20*time.Second, func() bool { return posts() > 0 }) {
			t.Fatalf("the digest of channel %s was not posted", channel)
		}
		time.Sleep(500 * time.Millisecond) // five more ticks of each scheduler
		if n := posts(); n != 1 {
			t.Errorf("the digest of channel %s was posted %d times", channel, n)
		}
	}
	postedOnce("400000000000000101", subA)
	fetchedOnce := func(path string) {
		t.Helper()
		if !fake.WaitFor(20*time.Second, func() bool { return fetched(path) > 0 }) {
			t.Fatalf("feed %s was not fetched", path)
		}
		time.Sleep(500 * time.Millisecond)
		if n := fetched(path); n != 1 {
			t.Errorf("feed %s fetched %d times within its interval", path, n)
		}
	}
	fetchedOnce("/a")

	// One process stops: the survivor answers its shard's interactions
	// once, and takes every digest and feed, once.
	stopA()
	<-doneA
	var later []string
	for k := 11; k <= 15; k += 2 { // odd: shard 1, the survivor's
		later = append(later, ask(k))
	}
	answeredOnce(later)
	subB := subscribe("400000000000000102")
	postedOnce("400000000000000102", subB)
	if _, err := store.AddFeed(ctx, feeds.URL+"/b", "cli"); err != nil {
		t.Fatal(err)
	}
	fetchedOnce("/b")
}

func calls(fake *discordtest.Server, method, frag string) []discordtest.Call {
	var out []discordtest.Call
	for _, c := range fake.Calls() {
		if c.Method == method && strings.Contains(c.Path, frag) {
			out = append(out, c)
		}
	}
	return out
}
