package ingest

import (
	"context"
	"errors"
	"fmt"

	"github.com/attache-bot/attache/knowledge"
)

// ErrFeedRejected is the kind of every FeedRejection.
var ErrFeedRejected = errors.New("feed rejected")

// FeedRejection is why a feed URL was refused, in words for the person who
// gave it (Reason), whatever the cause underneath.
type FeedRejection struct{ Reason string }

func (r *FeedRejection) Error() string        { return ErrFeedRejected.Error() + ": " + r.Reason }
func (r *FeedRejection) Is(target error) bool { return target == ErrFeedRejected }

func rejected(format string, a ...any) error {
	return &FeedRejection{Reason: fmt.Sprintf(format, a...)}
}

// FeedManager adds and removes feeds for the commands: a feed is stored
// only once it has been fetched and read as a feed, so none is half-made.
type FeedManager struct {
	DB     knowledge.Store
	Poller *Poller
}

// AddFeed checks, stores and first polls a feed for a server, or for the
// operator when guildID is empty; it reports the articles that were new.
// A feed another server (or the operator) reads already is followed
// without fetching it again.
func (m *FeedManager) AddFeed(ctx context.Context, guildID, rawURL, addedBy string) (knowledge.Feed, int, error) {
	url, err := CheckFeedURL(rawURL)
	if err != nil {
		return knowledge.Feed{}, 0, rejected("%v", err)
	}
	add := func() (knowledge.Feed, error) {
		if guildID == "" {
			return m.DB.AddFeed(ctx, url, addedBy)
		}
		return m.DB.FollowFeed(ctx, guildID, url, addedBy)
	}
	if _, err := m.DB.FeedByURL(ctx, url); err == nil {
		f, err := add()
		if errors.Is(err, knowledge.ErrExists) {
			return f, 0, rejected("already reading %s", f.URL)
		}
		return f, 0, err
	}
	r := m.Poller.Poll(ctx, knowledge.Feed{URL: url})
	if r.Err != nil {
		return knowledge.Feed{}, 0, rejected("could not read it as a feed: %v", r.Err)
	}
	f, err := add()
	if err != nil {
		return f, 0, err
	}
	r.Feed.ID = f.ID
	if err := m.DB.SaveFeedState(ctx, r.Feed); err != nil {
		return f, r.New, err
	}
	f, err = m.DB.FeedByURL(ctx, url)
	return f, r.New, err
}

// RemoveFeed stops a server reading a feed, or, with guildID empty,
// removes the feed for everyone (the operator's command line).
func (m *FeedManager) RemoveFeed(ctx context.Context, guildID, rawURL string) error {
	url, err := CheckFeedURL(rawURL)
	if err != nil {
		return fmt.Errorf("feed %s: %w", rawURL, knowledge.ErrNotFound)
	}
	if guildID == "" {
		return m.DB.RemoveFeed(ctx, url)
	}
	return m.DB.UnfollowFeed(ctx, guildID, url)
}

// Feeds lists the feeds a server reads, or, with guildID empty, all.
func (m *FeedManager) Feeds(ctx context.Context, guildID string) ([]knowledge.Feed, error) {
	if guildID == "" {
		return m.DB.Feeds(ctx)
	}
	return m.DB.ServerFeeds(ctx, guildID)
}
