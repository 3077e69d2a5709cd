package ingest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/attache-bot/attache/knowledge"
	"github.com/attache-bot/attache/knowledge/text"
)

// FeedStore is what polling needs of the store.
type FeedStore interface {
	Store
	DueFeeds(ctx context.Context, now time.Time) ([]knowledge.Feed, error)
	ClaimFeed(ctx context.Context, f knowledge.Feed, now time.Time, lease time.Duration) (bool, error)
	SaveFeedState(ctx context.Context, f knowledge.Feed) error
	HasURL(ctx context.Context, url string) (bool, error)
}

// Poller fetches due feeds politely: conditional requests, backoff for a
// failing feed, and a feed disabled after repeated failures. New items are
// stored once, whichever feeds carry them; an item that is only a teaser is
// completed from the page it links to.
type Poller struct {
	Store   FeedStore
	Fetcher *Fetcher
	Log     *slog.Logger
	Now     func() time.Time
	// Interval between polls of a healthy feed (default 10 minutes).
	Interval time.Duration
	// MaxBackoff caps the wait after failures (default 6 hours).
	MaxBackoff time.Duration
	// DisableAfter consecutive failures disables a feed (default 8).
	DisableAfter int
	// Lease is how long a claimed feed stays another process's before it
	// can be taken over (default 15 minutes; a poll takes far less).
	Lease time.Duration

	mu    sync.Mutex
	tried map[string]time.Time // teaser pages fetched, by URL, so each is fetched once a day at most
}

// teaserRetry is how long a teaser whose page gave nothing waits before
// its page is fetched again; maxTried bounds the memory of them.
const (
	teaserRetry = 24 * time.Hour
	maxTried    = 20000
)

// shouldFetch reports whether a teaser's page is to be fetched now, and
// records that it is.
func (p *Poller) shouldFetch(url string, now time.Time) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if at, ok := p.tried[url]; ok && now.Sub(at) < teaserRetry {
		return false
	}
	if p.tried == nil || len(p.tried) >= maxTried {
		p.tried = map[string]time.Time{}
	}
	p.tried[url] = now
	return true
}

// PollResult is what one poll of one feed did.
type PollResult struct {
	Feed        knowledge.Feed
	New         int
	NotModified bool
	Err         error
}

func (p *Poller) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now().UTC()
}

// PollDue polls every feed that is due.
func (p *Poller) PollDue(ctx context.Context) ([]PollResult, error) {
	feeds, err := p.Store.DueFeeds(ctx, p.now())
	if err != nil {
		return nil, err
	}
	var out []PollResult
	for _, f := range feeds {
		if ctx.Err() != nil {
			return out, ctx.Err()
		}
		// Several processes may poll one database: each feed is fetched
		// by the one that claims it.
		won, err := p.Store.ClaimFeed(ctx, f, p.now(), orDuration(p.Lease, 15*time.Minute))
		if err != nil {
			return out, err
		}
		if !won {
			continue
		}
		r := p.Poll(ctx, f)
		if err := p.Store.SaveFeedState(ctx, r.Feed); err != nil {
			return out, err
		}
		out = append(out, r)
	}
	return out, nil
}

// Poll fetches one feed and stores its new items; the returned feed holds
// the updated state for SaveFeedState.
func (p *Poller) Poll(ctx context.Context, f knowledge.Feed) PollResult {
	now := p.now()
	f.LastFetch = now
	r := PollResult{Feed: f}
	resp, err := p.Fetcher.Get(ctx, f.URL, f.ETag, f.LastModified)
	if err == nil && !resp.NotModified {
		err = p.store(ctx, resp, &r)
	}
	if err != nil {
		r.Err = err
		r.Feed.Failures++
		r.Feed.LastError = err.Error()
		wait := min(orInterval(p.Interval)*time.Duration(1<<min(r.Feed.Failures, 10)), orDuration(p.MaxBackoff, 6*time.Hour))
		r.Feed.NextFetch = now.Add(wait)
		if r.Feed.Failures >= orCount(p.DisableAfter, 8) {
			r.Feed.Disabled = true
		}
		if p.Log != nil {
			p.Log.Warn("feed poll failed", "feed", f.URL, "failures", r.Feed.Failures, "disabled", r.Feed.Disabled, "err", err)
		}
		return r
	}
	r.NotModified = resp.NotModified
	r.Feed.Failures, r.Feed.LastError = 0, ""
	r.Feed.LastOK = now
	r.Feed.NextFetch = now.Add(orInterval(p.Interval))
	if !resp.NotModified {
		r.Feed.ETag, r.Feed.LastModified = resp.ETag, resp.LastModified
	}
	if r.New > 0 {
		r.Feed.LastNew = now
	}
	return r
}

func orInterval(d time.Duration) time.Duration { return orDuration(d, 10*time.Minute) }

func orDuration(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

func orCount(n, def int) int {
	if n <= 0 {
		return def
	}
	return n
}

// store parses a fetched feed and stores its items.
func (p *Poller) store(ctx context.Context, resp *Response, r *PollResult) error {
	if err := checkText(resp.Body); err != nil {
		return err
	}
	title, items, err := ParseFeed(toUTF8(resp.Body, "feed", resp.ContentType))
	if err != nil {
		if strings.HasPrefix(strings.TrimSpace(strings.ToLower(string(resp.Body[:min(len(resp.Body), 200)]))), "<!doctype html") ||
			strings.Contains(strings.ToLower(resp.ContentType), "html") {
			return errors.New("the URL serves an HTML page, not a feed")
		}
		return err
	}
	if title != "" {
		r.Feed.Title = title
	}
	var arts []*knowledge.Article
	for _, it := range items {
		if it.Err != nil {
			continue
		}
		a := it.Article
		if it.Teaser {
			// A teaser's page is fetched once: not when the article is
			// stored already (storing the teaser again would replace the
			// page's text), and not again the same day when it failed.
			if stored, err := p.Store.HasURL(ctx, a.URL); err != nil || stored {
				continue
			}
			if !p.shouldFetch(a.URL, p.now()) {
				continue
			}
			p.complete(ctx, &a)
		}
		a.Body = dropFurniture(a.Body, a.Title)
		if a.Normalize() != nil {
			continue
		}
		arts = append(arts, &a)
	}
	if len(arts) == 0 {
		return nil
	}
	res, err := p.Store.PutArticles(ctx, arts)
	if errors.Is(err, knowledge.ErrUnavailable) {
		return err
	}
	if err != nil {
		// One bad item must not cost the others.
		res = nil
		for _, a := range arts {
			one, err := p.Store.PutArticles(ctx, []*knowledge.Article{a})
			if err == nil {
				res = append(res, one...)
			}
		}
	}
	for _, x := range res {
		if x == knowledge.Added {
			r.New++
		}
	}
	return nil
}

// complete replaces a teaser with the text of the page it links to, keeping
// the feed's title and date when the page lacks them.
func (p *Poller) complete(ctx context.Context, a *knowledge.Article) {
	resp, err := p.Fetcher.Get(ctx, a.URL, "", "")
	if err != nil || resp.NotModified {
		return
	}
	page, err := ParseHTML(toUTF8(resp.Body, "html", resp.ContentType), resp.URL)
	if err != nil || text.CountWords(page.Body) <= text.CountWords(a.Body) {
		return
	}
	a.Body = page.Body
	if a.Author == "" {
		a.Author = page.Author
	}
	// The page's own date comes first; the feed's stands in when the page
	// states none.
	if !page.Published.IsZero() {
		a.Published = page.Published
	}
}

// CheckFeedURL validates a feed URL given by a user: http(s), canonical.
func CheckFeedURL(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if !strings.HasPrefix(raw, "http://") && !strings.HasPrefix(raw, "https://") {
		return "", fmt.Errorf("%q is not an http(s) URL", raw)
	}
	return knowledge.CanonicalURL(raw)
}
