package digest_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/attache-bot/attache/knowledge"
	"github.com/attache-bot/attache/knowledge/answer"
	"github.com/attache-bot/attache/knowledge/digest"
	"github.com/attache-bot/attache/knowledge/postgres"
	"github.com/attache-bot/attache/knowledge/postgres/pgtest"
)

// gatePoster posts, then holds the digest run until released: the server
// restarts between the claim and its record.
type gatePoster struct {
	fakePoster
	once    sync.Once
	entered chan struct{}
	release chan struct{}
}

func (g *gatePoster) Post(ctx context.Context, channel string, parts []string) error {
	err := g.fakePoster.Post(ctx, channel, parts)
	g.once.Do(func() {
		close(g.entered)
		<-g.release
	})
	return err
}

// A PostgreSQL restart in the middle of a digest run, and a tick while the
// server is down, cost nothing: the scheduler goes on by itself and the
// digest is posted exactly once and recorded.
func TestDigestAcrossAPostgreSQLRestart(t *testing.T) {
	ctx := context.Background()
	c := pgtest.NewCluster(t)
	db, err := postgres.Open(ctx, c.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	now := time.Now().UTC()
	var arts []*knowledge.Article
	for i, title := range []string{"Oman hosts a new round of Iran-US talks", "EU ministers meet on Ukraine aid", "Geneva talks on tariffs resume"} {
		arts = append(arts, &knowledge.Article{URL: "https://wire.example/" + string(rune('a'+i)), Title: title, Source: "Wire",
			Published: now.Add(-time.Duration(i+1) * time.Hour), Body: title + ", officials said on the day. The talks will go on next week."})
	}
	if _, err := db.PutArticles(ctx, arts); err != nil {
		t.Fatal(err)
	}
	due := now.Add(-10 * time.Minute)
	if due.Day() != now.Day() {
		t.Skip("too close to midnight UTC for a digest due today")
	}
	if _, err := db.Subscribe(ctx, knowledge.Subscription{GuildID: "1", ChannelID: "2", Minute: due.Hour()*60 + due.Minute(), Timezone: "UTC", CreatedBy: "3"}); err != nil {
		t.Fatal(err)
	}
	p := &gatePoster{entered: make(chan struct{}), release: make(chan struct{})}
	p.now = time.Now
	s := &digest.Scheduler{Subs: db, Articles: db, Poster: p, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Render: func(a answer.Answer, footer string) []string { return []string{a.Text + "\n" + footer} },
		Lease:  time.Second}
	first := make(chan error, 1)
	go func() { first <- s.Tick(ctx) }()
	select {
	case <-p.entered:
	case <-time.After(30 * time.Second):
		t.Fatal("the digest was not posted")
	}
	c.Restart()
	close(p.release)
	<-first // the run may fail to record its post: the server went away under it
	c.Stop()
	if err := s.Tick(ctx); err == nil {
		t.Error("a tick with the server down reported nothing")
	}
	c.Start()
	today := now.Format("2006-01-02")
	deadline := time.Now().Add(60 * time.Second)
	for {
		sub, err := db.Subscription(ctx, "2")
		if err == nil && sub.LastDate == today && sub.SendingDate == "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the digest was not recorded after the restart: %+v, %v", sub, err)
		}
		time.Sleep(1100 * time.Millisecond) // past the lease
		s.Tick(ctx)
	}
	if n := p.count(); n != 1 {
		t.Errorf("posted %d times, want once", n)
	}
	if !strings.Contains(p.posts[0].text, "digest-") {
		t.Errorf("post without its mark: %q", p.posts[0].text)
	}
}
