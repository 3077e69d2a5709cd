package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/attache-bot/attache/knowledge"
	"github.com/attache-bot/attache/knowledge/internal/sqlrow"
)

// AddFeed makes url an operator feed (see Feed.Operator), adding it when
// it is new; its URL must be canonical already. ErrExists: the operator
// has it already.
func (db *DB) AddFeed(ctx context.Context, url, addedBy string) (knowledge.Feed, error) {
	res, err := db.write.ExecContext(ctx, `INSERT INTO feeds(url, added_by, added_at, operator) VALUES (?, ?, ?, 1)
		ON CONFLICT(url) DO UPDATE SET operator = 1 WHERE operator = 0`, url, addedBy, db.Now().Unix())
	if err != nil {
		return knowledge.Feed{}, fmt.Errorf("add feed: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		existing, _ := db.FeedByURL(ctx, url)
		return existing, fmt.Errorf("feed %s: %w", url, knowledge.ErrExists)
	}
	return db.FeedByURL(ctx, url)
}

// FollowFeed makes a server follow url, adding the feed when no server nor
// the operator has it. ErrExists: the server follows it already.
func (db *DB) FollowFeed(ctx context.Context, guildID, url, addedBy string) (knowledge.Feed, error) {
	if guildID == "" {
		return knowledge.Feed{}, errors.New("follow feed: no server given")
	}
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return knowledge.Feed{}, fmt.Errorf("follow feed: %w", err)
	}
	defer tx.Rollback()
	now := db.Now().Unix()
	if _, err := tx.ExecContext(ctx, "INSERT INTO feeds(url, added_by, added_at) VALUES (?, ?, ?) ON CONFLICT(url) DO NOTHING",
		url, addedBy, now); err != nil {
		return knowledge.Feed{}, fmt.Errorf("follow feed: %w", err)
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO feed_servers(feed_id, guild_id, added_by, added_at)
		SELECT id, ?, ?, ? FROM feeds WHERE url = ? ON CONFLICT DO NOTHING`, guildID, addedBy, now, url)
	if err != nil {
		return knowledge.Feed{}, fmt.Errorf("follow feed: %w", err)
	}
	n, _ := res.RowsAffected()
	if err := tx.Commit(); err != nil {
		return knowledge.Feed{}, fmt.Errorf("follow feed: %w", err)
	}
	f, err := db.FeedByURL(ctx, url)
	if err == nil && n == 0 {
		err = fmt.Errorf("feed %s: %w", url, knowledge.ErrExists)
	}
	return f, err
}

// UnfollowFeed stops a server following url; a feed that no server
// follows, and that is not the operator's, is removed. ErrNotFound: the
// server does not follow it (whoever else does).
func (db *DB) UnfollowFeed(ctx context.Context, guildID, url string) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("unfollow feed: %w", err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, "DELETE FROM feed_servers WHERE guild_id = ? AND feed_id = (SELECT id FROM feeds WHERE url = ?)", guildID, url)
	if err != nil {
		return fmt.Errorf("unfollow feed: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("feed %s: %w", url, knowledge.ErrNotFound)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM feeds WHERE url = ? AND operator = 0
		AND NOT EXISTS (SELECT 1 FROM feed_servers WHERE feed_id = feeds.id)`, url); err != nil {
		return fmt.Errorf("unfollow feed: %w", err)
	}
	return tx.Commit()
}

// ServerFeeds lists the feeds a server follows, oldest first.
func (db *DB) ServerFeeds(ctx context.Context, guildID string) ([]knowledge.Feed, error) {
	return db.listFeeds(ctx, "WHERE id IN (SELECT feed_id FROM feed_servers WHERE guild_id = ?)", guildID)
}

// RemoveFeed deletes a feed, for the operator and every server; its
// articles stay.
func (db *DB) RemoveFeed(ctx context.Context, url string) error {
	res, err := db.write.ExecContext(ctx, "DELETE FROM feeds WHERE url = ?", url)
	if err != nil {
		return fmt.Errorf("remove feed: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("feed %s: %w", url, knowledge.ErrNotFound)
	}
	return nil
}

// FeedByURL returns one feed.
func (db *DB) FeedByURL(ctx context.Context, url string) (knowledge.Feed, error) {
	f, err := sqlrow.ScanFeed(db.read.QueryRowContext(ctx, "SELECT "+sqlrow.FeedColumns+" FROM feeds WHERE url = ?", url))
	if errors.Is(err, sql.ErrNoRows) {
		return f, fmt.Errorf("feed %s: %w", url, knowledge.ErrNotFound)
	}
	return f, err
}

// Feeds lists every feed, the operator's and the servers', oldest first.
func (db *DB) Feeds(ctx context.Context) ([]knowledge.Feed, error) { return db.listFeeds(ctx, "") }

func (db *DB) listFeeds(ctx context.Context, where string, args ...any) ([]knowledge.Feed, error) {
	rows, err := db.read.QueryContext(ctx, "SELECT "+sqlrow.FeedColumns+" FROM feeds "+where+" ORDER BY id", args...)
	if err != nil {
		return nil, fmt.Errorf("feeds: %w", err)
	}
	return collect(rows, sqlrow.ScanFeed)
}

// DueFeeds lists the enabled feeds whose next fetch is due at now.
func (db *DB) DueFeeds(ctx context.Context, now time.Time) ([]knowledge.Feed, error) {
	return db.listFeeds(ctx, "WHERE disabled = 0 AND next_fetch <= ?", now.Unix())
}

// ClaimFeed takes a due feed for one poll, by a conditional update: of
// several processes that saw it due, one wins. The claim moves the feed's
// next fetch to now+lease, so that a process that dies while polling it
// leaves it to another once the lease has run out; SaveFeedState sets the
// real next fetch.
func (db *DB) ClaimFeed(ctx context.Context, f knowledge.Feed, now time.Time, lease time.Duration) (bool, error) {
	res, err := db.write.ExecContext(ctx, "UPDATE feeds SET next_fetch = ? WHERE id = ? AND next_fetch = ? AND disabled = 0",
		now.Add(lease).Unix(), f.ID, sqlrow.Unix(f.NextFetch))
	if err != nil {
		return false, fmt.Errorf("claim feed: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// SaveFeedState records the outcome of polling a feed.
func (db *DB) SaveFeedState(ctx context.Context, f knowledge.Feed) error {
	_, err := db.write.ExecContext(ctx, `UPDATE feeds SET title = ?, etag = ?, last_modified = ?, last_fetch = ?, last_ok = ?,
		last_new = ?, failures = ?, last_error = ?, next_fetch = ?, disabled = ? WHERE id = ?`,
		f.Title, f.ETag, f.LastModified, sqlrow.Unix(f.LastFetch), sqlrow.Unix(f.LastOK), sqlrow.Unix(f.LastNew), f.Failures, f.LastError,
		sqlrow.Unix(f.NextFetch), f.Disabled, f.ID)
	if err != nil {
		return fmt.Errorf("save feed state: %w", err)
	}
	return nil
}
