package ingest

import (
	"context"
	"errors"
	"fmt"

	"github.com/attache-bot/attache/knowledge"
)

// ErrFeedRejected wraps the reasons a feed URL is refused, in words for
// the person who gave it.
var ErrFeedRejected = errors.New("feed rejected")

// FeedManager adds and removes feeds for the commands: a feed is stored
// only once it has been fetched and read as a feed, so none is half-made.
type FeedManager struct {
	DB     *knowledge.DB
	Poller *Poller
}

// AddFeed checks, stores and first polls a feed; it reports the articles
// that were new.
func (m *FeedManager) AddFeed(ctx context.Context, rawURL, addedBy string) (knowledge.Feed, int, error) {
	url, err := CheckFeedURL(rawURL)
	if err != nil {
		return knowledge.Feed{}, 0, fmt.Errorf("%w: %v", ErrFeedRejected, err)
	}
	if f, err := m.DB.FeedByURL(ctx, url); err == nil {
		return f, 0, fmt.Errorf("%w: already reading %s", ErrFeedRejected, f.URL)
	}
	r := m.Poller.Poll(ctx, knowledge.Feed{URL: url})
	if r.Err != nil {
		return knowledge.Feed{}, 0, fmt.Errorf("%w: could not read it as a feed: %v", ErrFeedRejected, r.Err)
	}
	f, err := m.DB.AddFeed(ctx, url, addedBy)
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

// RemoveFeed stops polling a feed.
func (m *FeedManager) RemoveFeed(ctx context.Context, rawURL string) error {
	url, err := CheckFeedURL(rawURL)
	if err != nil {
		return fmt.Errorf("feed %s: %w", rawURL, knowledge.ErrNotFound)
	}
	return m.DB.RemoveFeed(ctx, url)
}

// Feeds lists the feeds.
func (m *FeedManager) Feeds(ctx context.Context) ([]knowledge.Feed, error) { return m.DB.Feeds(ctx) }
