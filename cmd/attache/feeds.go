package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"time"

	"github.com/attache-bot/attache/knowledge"
	"github.com/attache-bot/attache/knowledge/digest"
	"github.com/attache-bot/attache/knowledge/ingest"
)

// newPoller polls feeds; publicOnly refuses non-public addresses (for URLs
// that come from Discord).
func (m *Main) newPoller(db knowledge.Store, publicOnly bool) *ingest.Poller {
	return &ingest.Poller{
		Store: db,
		Fetcher: ingest.NewFetcher(ingest.FetcherOptions{Timeout: m.Config.FetchTimeout, MaxBytes: m.Config.FetchMaxBytes,
			PublicOnly: publicOnly, Allowed: m.Config.fetchAllowed}),
		Log:      m.Log,
		Interval: m.Config.FeedInterval,
	}
}

func (m *Main) runFeeds(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("feeds", flag.ContinueOnError)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usagef("feeds: say add URL, remove URL, list or poll")
	}
	open := m.openDB
	if pos[0] == "list" {
		open = m.readDB
	}
	db, err := open(ctx, m.Config.DBPath)
	if err != nil {
		return err
	}
	mgr := &ingest.FeedManager{DB: db, Poller: m.newPoller(db, false)}
	switch pos[0] {
	case "add", "remove":
		if len(pos) != 2 {
			return usagef("feeds %s: give one URL", pos[0])
		}
		if pos[0] == "remove" {
			if err := mgr.RemoveFeed(ctx, "", pos[1]); err != nil {
				return err
			}
			fmt.Fprintln(m.Stdout, "removed; its articles stay")
			return nil
		}
		f, n, err := mgr.AddFeed(ctx, "", pos[1], "cli")
		if errors.Is(err, ingest.ErrFeedRejected) {
			return usagef("%v", err)
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "added %s (%s): %d new articles\n", f.URL, f.Title, n)
	case "list":
		feeds, err := db.Feeds(ctx)
		if err != nil {
			return err
		}
		if len(feeds) == 0 {
			fmt.Fprintln(m.Stdout, "no feeds; add one with: attache feeds add URL")
		}
		for _, f := range feeds {
			state := "ok"
			if f.Disabled {
				state = "DISABLED: " + f.LastError
			} else if f.Failures > 0 {
				state = fmt.Sprintf("%d failures: %s", f.Failures, f.LastError)
			}
			owner := fmt.Sprintf("%d servers", f.Servers)
			if f.Operator {
				owner = "operator, " + owner
			}
			fmt.Fprintf(m.Stdout, "%s\n  %s · %s · last fetch %s · last new %s · %s\n", f.URL, f.Title, owner, stamp(f.LastFetch), stamp(f.LastNew), state)
		}
	case "poll":
		res, err := mgr.Poller.PollDue(ctx)
		for _, r := range res {
			switch {
			case r.Err != nil:
				fmt.Fprintf(m.Stdout, "%s: error: %v\n", r.Feed.URL, r.Err)
			case r.NotModified:
				fmt.Fprintf(m.Stdout, "%s: not modified\n", r.Feed.URL)
			default:
				fmt.Fprintf(m.Stdout, "%s: %d new\n", r.Feed.URL, r.New)
			}
		}
		return err
	default:
		return usagef("feeds: unknown action %q (add, remove, list, poll)", pos[0])
	}
	return nil
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return t.Format("2006-01-02 15:04 MST")
}

func (m *Main) runDigest(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("digest", flag.ContinueOnError)
	since := fs.Duration("since", 24*time.Hour, "the news of this last stretch")
	stories := fs.Int("stories", 5, "how many top stories")
	if _, err := parseArgs(fs, args); err != nil {
		return err
	}
	if *since <= 0 || *stories <= 0 {
		return usagef("digest: --since and --stories must be positive")
	}
	db, err := m.readDB(ctx, m.Config.DBPath)
	if err != nil {
		return err
	}
	now := m.now()
	d, err := digest.Build(ctx, db, now.Add(-*since), now, digest.Options{Stories: *stories, LLM: m.newLLM(), LLMTimeout: 2 * m.Config.LLMTimeout, Log: m.Log})
	if err != nil {
		return err
	}
	printAnswer(m.Stdout, d)
	return nil
}
