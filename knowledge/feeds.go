package knowledge

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Feed is a feed Attache polls, with its health.
type Feed struct {
	ID           int64
	URL          string
	Title        string
	AddedBy      string
	AddedAt      time.Time
	ETag         string
	LastModified string
	LastFetch    time.Time
	LastOK       time.Time
	LastNew      time.Time
	Failures     int
	LastError    string
	NextFetch    time.Time
	Disabled     bool
}

// ErrExists is returned when adding something already there.
var ErrExists = errors.New("already exists")

func unix(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

func fromUnix(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(n, 0).UTC()
}

// AddFeed stores a feed to poll; its URL must be canonical already.
func (db *DB) AddFeed(ctx context.Context, url, addedBy string) (Feed, error) {
	_, err := db.write.ExecContext(ctx, "INSERT INTO feeds(url, added_by, added_at) VALUES (?, ?, ?)", url, addedBy, db.Now().Unix())
	if err != nil {
		var f Feed
		if existing, gerr := db.FeedByURL(ctx, url); gerr == nil {
			return existing, fmt.Errorf("feed %s: %w", url, ErrExists)
		}
		return f, fmt.Errorf("add feed: %w", err)
	}
	return db.FeedByURL(ctx, url)
}

// RemoveFeed deletes a feed; its articles stay.
func (db *DB) RemoveFeed(ctx context.Context, url string) error {
	res, err := db.write.ExecContext(ctx, "DELETE FROM feeds WHERE url = ?", url)
	if err != nil {
		return fmt.Errorf("remove feed: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("feed %s: %w", url, ErrNotFound)
	}
	return nil
}

const feedColumns = `id, url, title, added_by, added_at, etag, last_modified, last_fetch, last_ok, last_new,
	failures, last_error, next_fetch, disabled`

func scanFeed(sc interface{ Scan(...any) error }) (Feed, error) {
	var f Feed
	var added, fetch, ok, nw, next int64
	err := sc.Scan(&f.ID, &f.URL, &f.Title, &f.AddedBy, &added, &f.ETag, &f.LastModified, &fetch, &ok, &nw,
		&f.Failures, &f.LastError, &next, &f.Disabled)
	f.AddedAt, f.LastFetch, f.LastOK, f.LastNew, f.NextFetch = fromUnix(added), fromUnix(fetch), fromUnix(ok), fromUnix(nw), fromUnix(next)
	return f, err
}

// FeedByURL returns one feed.
func (db *DB) FeedByURL(ctx context.Context, url string) (Feed, error) {
	f, err := scanFeed(db.read.QueryRowContext(ctx, "SELECT "+feedColumns+" FROM feeds WHERE url = ?", url))
	if errors.Is(err, sql.ErrNoRows) {
		return f, fmt.Errorf("feed %s: %w", url, ErrNotFound)
	}
	return f, err
}

// Feeds lists every feed, oldest first.
func (db *DB) Feeds(ctx context.Context) ([]Feed, error) {
	rows, err := db.read.QueryContext(ctx, "SELECT "+feedColumns+" FROM feeds ORDER BY id")
	if err != nil {
		return nil, fmt.Errorf("feeds: %w", err)
	}
	defer rows.Close()
	var out []Feed
	for rows.Next() {
		f, err := scanFeed(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// DueFeeds lists the enabled feeds whose next fetch is due at now.
func (db *DB) DueFeeds(ctx context.Context, now time.Time) ([]Feed, error) {
	all, err := db.Feeds(ctx)
	if err != nil {
		return nil, err
	}
	var out []Feed
	for _, f := range all {
		if !f.Disabled && !f.NextFetch.After(now) {
			out = append(out, f)
		}
	}
	return out, nil
}

// SaveFeedState records the outcome of polling a feed.
func (db *DB) SaveFeedState(ctx context.Context, f Feed) error {
	_, err := db.write.ExecContext(ctx, `UPDATE feeds SET title = ?, etag = ?, last_modified = ?, last_fetch = ?, last_ok = ?,
		last_new = ?, failures = ?, last_error = ?, next_fetch = ?, disabled = ? WHERE id = ?`,
		f.Title, f.ETag, f.LastModified, unix(f.LastFetch), unix(f.LastOK), unix(f.LastNew), f.Failures, f.LastError,
		unix(f.NextFetch), f.Disabled, f.ID)
	if err != nil {
		return fmt.Errorf("save feed state: %w", err)
	}
	return nil
}
