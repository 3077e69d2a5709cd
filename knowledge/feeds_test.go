package knowledge_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/attache-bot/attache/knowledge"
)

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

// A server sees and changes only the feeds it follows; a URL two servers
// follow is one feed, polled once; the operator's feeds are the CLI's.
func TestFeedsBelongToServers(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
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
