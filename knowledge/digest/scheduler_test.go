package digest_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/attache-bot/attache/knowledge"
	"github.com/attache-bot/attache/knowledge/answer"
	"github.com/attache-bot/attache/knowledge/digest"
	"github.com/attache-bot/attache/knowledge/sqlite"
)

// fakePoster records posts; Fail makes the next Post fail after sending,
// as a crash right after posting would look to the caller.
type fakePoster struct {
	mu    sync.Mutex
	posts []post
	now   func() time.Time
}

type post struct {
	channel string
	at      time.Time
	text    string
}

func (p *fakePoster) Post(ctx context.Context, channel string, parts []string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.posts = append(p.posts, post{channel, p.now(), strings.Join(parts, "\n")})
	return nil
}

func (p *fakePoster) Posted(ctx context.Context, channel, ref string) (bool, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, x := range p.posts {
		if x.channel == channel && strings.Contains(x.text, ref) {
			return true, nil
		}
	}
	return false, nil
}

func (p *fakePoster) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.posts)
}

// failingDone loses the record of a posted digest, as a crash between
// posting and recording would.
type failingDone struct {
	*sqlite.DB
	fail bool
}

func (f *failingDone) DigestDone(ctx context.Context, id int64, date string, sent bool, at time.Time) error {
	if f.fail {
		return errors.New("process died")
	}
	return f.DB.DigestDone(ctx, id, date, sent, at)
}

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func setup(t *testing.T, tz string, minute int) (*sqlite.DB, *clock, *fakePoster, func(digest.Subscriptions) *digest.Scheduler) {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "d.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	c := &clock{}
	a := knowledge.Article{URL: "https://n.example/1", Title: "Envoy meets minister", Source: "Wire",
		Body: "The special envoy met the foreign minister in Paris on Thursday.", Published: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	if _, err := db.PutArticle(context.Background(), &a); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Subscribe(context.Background(), knowledge.Subscription{GuildID: "g", ChannelID: "c1", Minute: minute, Timezone: tz}); err != nil {
		t.Fatal(err)
	}
	p := &fakePoster{now: c.now}
	mk := func(subs digest.Subscriptions) *digest.Scheduler {
		return &digest.Scheduler{Subs: subs, Articles: db, Poster: p, Now: c.now,
			Log:    slog.New(slog.NewTextHandler(io.Discard, nil)),
			Render: func(a answer.Answer, footer string) []string { return []string{a.Text + "\n-# " + footer} }}
	}
	return db, c, p, mk
}

// run ticks every minute from start to end.
func run(t *testing.T, s *digest.Scheduler, c *clock, start, end time.Time) {
	t.Helper()
	for c.t = start; !c.t.After(end); c.t = c.t.Add(time.Minute) {
		if err := s.Tick(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
}

func localTimes(p *fakePoster, loc *time.Location) []string {
	var out []string
	for _, x := range p.posts {
		out = append(out, x.at.In(loc).Format("2006-01-02 15:04 MST"))
	}
	return out
}

func TestScheduleAcrossDaysAndDST(t *testing.T) {
	tests := []struct {
		name       string
		tz         string
		minute     int
		start, end string // local, 2006-01-02 15:04
		want       []string
	}{
		{"the minute, once a day", "UTC", 9 * 60, "2025-04-16 08:50", "2025-04-17 09:10",
			[]string{"2025-04-16 09:00 UTC", "2025-04-17 09:00 UTC"}},
		{"spring forward skips 02:30", "America/New_York", 2*60 + 30, "2025-03-08 00:00", "2025-03-10 23:00",
			[]string{"2025-03-08 02:30 EST", "2025-03-09 03:30 EDT", "2025-03-10 02:30 EDT"}},
		{"fall back repeats 01:30", "America/New_York", 60 + 30, "2025-11-01 00:00", "2025-11-03 23:00",
			[]string{"2025-11-01 01:30 EDT", "2025-11-02 01:30 EDT", "2025-11-03 01:30 EST"}},
		{"a zone east of UTC", "Europe/Kyiv", 7 * 60, "2025-10-25 00:00", "2025-10-27 08:00",
			[]string{"2025-10-25 07:00 EEST", "2025-10-26 07:00 EET", "2025-10-27 07:00 EET"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, c, p, mk := setup(t, tt.tz, tt.minute)
			loc, _ := time.LoadLocation(tt.tz)
			start, _ := time.ParseInLocation("2006-01-02 15:04", tt.start, loc)
			end, _ := time.ParseInLocation("2006-01-02 15:04", tt.end, loc)
			run(t, mk(db), c, start, end)
			if got := localTimes(p, loc); strings.Join(got, "; ") != strings.Join(tt.want, "; ") {
				t.Errorf("posted at %q, want %q", got, tt.want)
			}
		})
	}
}

func TestDowntime(t *testing.T) {
	tests := []struct {
		name      string
		backAt    string // first tick after downtime, UTC
		wantPosts []string
	}{
		{"inside the catch-up window: posted late", "2025-04-16 11:00", []string{"2025-04-16 11:00 UTC", "2025-04-17 09:00 UTC"}},
		{"outside it: skipped, next day normal", "2025-04-16 17:00", []string{"2025-04-17 09:00 UTC"}},
		{"back the next morning before the time: yesterday's is too late", "2025-04-17 08:00", []string{"2025-04-17 09:00 UTC"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, c, p, mk := setup(t, "UTC", 9*60)
			s := mk(db)
			// Up the day before, so the subscription has a history.
			run(t, s, c, time.Date(2025, 4, 15, 8, 0, 0, 0, time.UTC), time.Date(2025, 4, 15, 10, 0, 0, 0, time.UTC))
			p.posts = nil
			back, _ := time.Parse("2006-01-02 15:04", tt.backAt)
			run(t, s, c, back, time.Date(2025, 4, 17, 12, 0, 0, 0, time.UTC))
			if got := localTimes(p, time.UTC); strings.Join(got, "; ") != strings.Join(tt.wantPosts, "; ") {
				t.Errorf("posted at %q, want %q", got, tt.wantPosts)
			}
		})
	}
}

func TestCrashBetweenPostingAndRecording(t *testing.T) {
	db, c, p, mk := setup(t, "UTC", 9*60)
	crashing := &failingDone{DB: db, fail: true}
	c.t = time.Date(2025, 4, 16, 9, 0, 30, 0, time.UTC)
	mk(crashing).Tick(context.Background()) // posts, then "dies" before recording
	if p.count() != 1 {
		t.Fatalf("%d posts before the crash", p.count())
	}
	sub, _ := db.Subscription(context.Background(), "c1")
	if sub.SendingDate != "2025-04-16" || sub.LastDate != "" {
		t.Fatalf("state after the crash %+v", sub)
	}
	// The restarted process finds the digest in the channel and records it.
	restarted := mk(db)
	run(t, restarted, c, c.t.Add(time.Minute), time.Date(2025, 4, 16, 23, 0, 0, 0, time.UTC))
	if p.count() != 1 {
		t.Errorf("%d posts: the digest was posted twice", p.count())
	}
	sub, _ = db.Subscription(context.Background(), "c1")
	if sub.LastDate != "2025-04-16" || sub.SendingDate != "" {
		t.Errorf("state after recovery %+v", sub)
	}
}

func TestCrashBeforePostingIsRetried(t *testing.T) {
	db, c, p, mk := setup(t, "UTC", 9*60)
	c.t = time.Date(2025, 4, 16, 9, 0, 30, 0, time.UTC)
	// A claim with no post, as a crash right after claiming leaves it.
	if won, err := db.ClaimDigest(context.Background(), 1, "2025-04-16", c.t); !won || err != nil {
		t.Fatal(won, err)
	}
	s := mk(db)
	run(t, s, c, c.t, c.t.Add(3*time.Minute))
	if p.count() != 0 {
		t.Fatalf("posted while the claim's lease held")
	}
	run(t, s, c, c.t, c.t.Add(10*time.Minute))
	if p.count() != 1 {
		t.Errorf("%d posts, want the claimed digest posted once", p.count())
	}
}

func TestTwoSchedulersPostOnce(t *testing.T) {
	db, c, p, mk := setup(t, "UTC", 9*60)
	a, b := mk(db), mk(db)
	c.t = time.Date(2025, 4, 16, 9, 0, 30, 0, time.UTC)
	var wg sync.WaitGroup
	for _, s := range []*digest.Scheduler{a, b, a, b} {
		wg.Add(1)
		go func(s *digest.Scheduler) { defer wg.Done(); s.Tick(context.Background()) }(s)
	}
	wg.Wait()
	if p.count() != 1 {
		t.Errorf("%d posts from two schedulers, want 1", p.count())
	}
}

func TestBuildMergesCoverage(t *testing.T) {
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "b.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	day := time.Date(2025, 4, 17, 8, 0, 0, 0, time.UTC)
	arts := []knowledge.Article{
		{URL: "https://a.example/1", Source: "Wire A", Title: "Rubio and Witkoff meet Macron in Paris for Ukraine talks", Body: "US Secretary of State Marco Rubio and envoy Steve Witkoff met French President Emmanuel Macron in Paris on Thursday to discuss Ukraine.", Published: day},
		{URL: "https://b.example/2", Source: "Wire B", Title: "Macron receives Rubio, Witkoff in Paris on Ukraine", Body: "French President Emmanuel Macron received Marco Rubio and Steve Witkoff in Paris on Thursday for talks on Ukraine.", Published: day.Add(time.Hour)},
		{URL: "https://c.example/3", Source: "Wire C", Title: "Tariff pause extended for trade partners", Body: "The administration extended its pause on higher tariffs for most trading partners by ninety days.", Published: day.Add(2 * time.Hour)},
		{URL: "https://d.example/4", Source: "Wire D", Title: "Old news", Body: "Something that happened long before the window opened.", Published: day.AddDate(0, 0, -3)},
	}
	for i := range arts {
		if _, err := db.PutArticle(context.Background(), &arts[i]); err != nil {
			t.Fatal(err)
		}
	}
	d, err := digest.Build(context.Background(), db, day.Add(-time.Hour), day.Add(12*time.Hour), digest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(d.Text, "\n")
	if len(lines) != 3 || len(d.Sources) != 3 {
		t.Fatalf("digest:\n%s\nwith %d sources", d.Text, len(d.Sources))
	}
	if !strings.HasSuffix(lines[1], "[1][2].") || !strings.Contains(lines[2], "[3]") || strings.Contains(d.Text, "Old news") {
		t.Errorf("the Paris story should come first citing both outlets:\n%s", d.Text)
	}
	quiet, _ := digest.Build(context.Background(), db, day.AddDate(0, 1, 0), time.Time{}, digest.Options{})
	if !quiet.NoAnswer || !strings.Contains(quiet.Text, "quiet day") {
		t.Errorf("quiet digest %q", quiet.Text)
	}
}

// fakeGen is a hand-written LLM.
type fakeGen struct {
	reply func(p answer.Prompt) (string, error)
}

func (f fakeGen) Generate(ctx context.Context, p answer.Prompt, onDelta func(string)) (string, answer.Usage, error) {
	s, err := f.reply(p)
	return s, answer.Usage{}, err
}

func TestBuildWithLLM(t *testing.T) {
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "l.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	day := time.Date(2025, 4, 17, 8, 0, 0, 0, time.UTC)
	a := knowledge.Article{URL: "https://a.example/1", Source: "Wire A", Title: "Rubio meets Barrot in Paris",
		Body: "US Secretary of State Marco Rubio met French Foreign Minister Jean-Noel Barrot in Paris on Thursday.", Published: day}
	db.PutArticle(context.Background(), &a)
	tests := []struct {
		name       string
		reply      string
		fail       bool
		wantMethod string
	}{
		{"checked summary", "- **Rubio in Paris**: Marco Rubio met Jean-Noel Barrot in Paris [1].", false, answer.MethodLLM},
		{"invented citation: extractive", "- Rubio met the Pope in Rome [9].", false, answer.MethodExtractive},
		{"LLM down: extractive", "", true, answer.MethodExtractive},
	}
	for _, tt := range tests {
		gen := fakeGen{func(p answer.Prompt) (string, error) {
			if !strings.Contains(p.User, "[1] Rubio meets Barrot in Paris — Wire A") {
				t.Errorf("prompt lacks the numbered source:\n%s", p.User)
			}
			if tt.fail {
				return "", errors.New("down")
			}
			return tt.reply, nil
		}}
		d, err := digest.Build(context.Background(), db, day.Add(-time.Hour), day.Add(time.Hour), digest.Options{LLM: gen})
		if err != nil {
			t.Fatal(err)
		}
		if d.Method != tt.wantMethod || !d.Grounded || !strings.HasPrefix(d.Text, "**Daily digest**") || !strings.Contains(d.Text, "[1]") {
			t.Errorf("%s: got %s %q", tt.name, d.Method, d.Text)
		}
	}
}
