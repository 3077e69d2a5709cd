package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/attache-bot/attache/knowledge"
	"github.com/attache-bot/attache/knowledge/internal/sqlrow"
)

func (db *DB) listFeeds(ctx context.Context, where string, args ...any) ([]knowledge.Feed, error) {
	rows, err := db.pool.Query(ctx, "SELECT "+sqlrow.FeedColumns+" FROM feeds "+where+" ORDER BY id", args...)
	if err != nil {
		return nil, fmt.Errorf("feeds: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (knowledge.Feed, error) { return sqlrow.ScanFeed(r) })
}

// AddFeed makes url an operator feed, adding it when new.
func (db *DB) AddFeed(ctx context.Context, url, addedBy string) (knowledge.Feed, error) {
	tag, err := db.pool.Exec(ctx, `INSERT INTO feeds(url, added_by, added_at, operator) VALUES ($1, $2, $3, true)
		ON CONFLICT (url) DO UPDATE SET operator = true WHERE feeds.operator = false`, url, addedBy, db.Now().Unix())
	if err != nil {
		return knowledge.Feed{}, fmt.Errorf("add feed: %w", err)
	}
	if tag.RowsAffected() == 0 {
		existing, _ := db.FeedByURL(ctx, url)
		return existing, fmt.Errorf("feed %s: %w", url, knowledge.ErrExists)
	}
	return db.FeedByURL(ctx, url)
}

// FollowFeed makes a server follow url.
func (db *DB) FollowFeed(ctx context.Context, guildID, url, addedBy string) (knowledge.Feed, error) {
	if guildID == "" {
		return knowledge.Feed{}, errors.New("follow feed: no server given")
	}
	now := db.Now().Unix()
	var n int64
	err := pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "INSERT INTO feeds(url, added_by, added_at) VALUES ($1, $2, $3) ON CONFLICT (url) DO NOTHING", url, addedBy, now); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `INSERT INTO feed_servers(feed_id, guild_id, added_by, added_at)
			SELECT id, $1, $2, $3 FROM feeds WHERE url = $4 ON CONFLICT DO NOTHING`, guildID, addedBy, now, url)
		n = tag.RowsAffected()
		return err
	})
	if err != nil {
		return knowledge.Feed{}, fmt.Errorf("follow feed: %w", err)
	}
	f, err := db.FeedByURL(ctx, url)
	if err == nil && n == 0 {
		err = fmt.Errorf("feed %s: %w", url, knowledge.ErrExists)
	}
	return f, err
}

// UnfollowFeed stops a server following url; a feed nobody reads goes.
func (db *DB) UnfollowFeed(ctx context.Context, guildID, url string) error {
	return pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, "DELETE FROM feed_servers WHERE guild_id = $1 AND feed_id = (SELECT id FROM feeds WHERE url = $2)", guildID, url)
		if err != nil {
			return fmt.Errorf("unfollow feed: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("feed %s: %w", url, knowledge.ErrNotFound)
		}
		_, err = tx.Exec(ctx, `DELETE FROM feeds WHERE url = $1 AND NOT operator
			AND NOT EXISTS (SELECT 1 FROM feed_servers WHERE feed_id = feeds.id)`, url)
		return err
	})
}

// ServerFeeds lists the feeds a server follows.
func (db *DB) ServerFeeds(ctx context.Context, guildID string) ([]knowledge.Feed, error) {
	return db.listFeeds(ctx, "WHERE id IN (SELECT feed_id FROM feed_servers WHERE guild_id = $1)", guildID)
}

// RemoveFeed deletes a feed for everyone.
func (db *DB) RemoveFeed(ctx context.Context, url string) error {
	tag, err := db.pool.Exec(ctx, "DELETE FROM feeds WHERE url = $1", url)
	if err != nil {
		return fmt.Errorf("remove feed: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("feed %s: %w", url, knowledge.ErrNotFound)
	}
	return nil
}

// FeedByURL returns one feed.
func (db *DB) FeedByURL(ctx context.Context, url string) (knowledge.Feed, error) {
	f, err := sqlrow.ScanFeed(db.pool.QueryRow(ctx, "SELECT "+sqlrow.FeedColumns+" FROM feeds WHERE url = $1", url))
	if errors.Is(err, pgx.ErrNoRows) {
		return f, fmt.Errorf("feed %s: %w", url, knowledge.ErrNotFound)
	}
	return f, err
}

// Feeds lists every feed.
func (db *DB) Feeds(ctx context.Context) ([]knowledge.Feed, error) { return db.listFeeds(ctx, "") }

// DueFeeds lists the enabled feeds due at now.
func (db *DB) DueFeeds(ctx context.Context, now time.Time) ([]knowledge.Feed, error) {
	return db.listFeeds(ctx, "WHERE NOT disabled AND next_fetch <= $1", now.Unix())
}

// ClaimFeed takes a due feed for one poll (see knowledge.FeedStore).
func (db *DB) ClaimFeed(ctx context.Context, f knowledge.Feed, now time.Time, lease time.Duration) (bool, error) {
	tag, err := db.pool.Exec(ctx, "UPDATE feeds SET next_fetch = $1 WHERE id = $2 AND next_fetch = $3 AND NOT disabled",
		now.Add(lease).Unix(), f.ID, sqlrow.Unix(f.NextFetch))
	if err != nil {
		return false, fmt.Errorf("claim feed: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

// SaveFeedState records the outcome of polling a feed.
func (db *DB) SaveFeedState(ctx context.Context, f knowledge.Feed) error {
	_, err := db.pool.Exec(ctx, `UPDATE feeds SET title = $1, etag = $2, last_modified = $3, last_fetch = $4, last_ok = $5,
		last_new = $6, failures = $7, last_error = $8, next_fetch = $9, disabled = $10 WHERE id = $11`,
		f.Title, f.ETag, f.LastModified, sqlrow.Unix(f.LastFetch), sqlrow.Unix(f.LastOK), sqlrow.Unix(f.LastNew), f.Failures, f.LastError,
		sqlrow.Unix(f.NextFetch), f.Disabled, f.ID)
	if err != nil {
		return fmt.Errorf("save feed state: %w", err)
	}
	return nil
}

// Subscribe creates or updates a channel's subscription.
func (db *DB) Subscribe(ctx context.Context, s knowledge.Subscription) (knowledge.Subscription, error) {
	_, err := db.pool.Exec(ctx, `INSERT INTO subscriptions(guild_id, channel_id, minute, timezone, created_by, created_at, topic)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (channel_id) DO UPDATE SET minute = excluded.minute, timezone = excluded.timezone, topic = excluded.topic`,
		s.GuildID, s.ChannelID, s.Minute, s.Timezone, s.CreatedBy, db.Now().Unix(), strings.TrimSpace(s.Topic))
	if err != nil {
		return s, fmt.Errorf("subscribe: %w", err)
	}
	return db.Subscription(ctx, s.ChannelID)
}

// Unsubscribe removes a channel's subscription.
func (db *DB) Unsubscribe(ctx context.Context, channelID string) error {
	tag, err := db.pool.Exec(ctx, "DELETE FROM subscriptions WHERE channel_id = $1", channelID)
	if err != nil {
		return fmt.Errorf("unsubscribe: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("subscription of channel %s: %w", channelID, knowledge.ErrNotFound)
	}
	return nil
}

// Subscription returns a channel's subscription.
func (db *DB) Subscription(ctx context.Context, channelID string) (knowledge.Subscription, error) {
	s, err := sqlrow.ScanSubscription(db.pool.QueryRow(ctx, "SELECT "+sqlrow.SubscriptionColumns+" FROM subscriptions WHERE channel_id = $1", channelID))
	if errors.Is(err, pgx.ErrNoRows) {
		return s, fmt.Errorf("subscription of channel %s: %w", channelID, knowledge.ErrNotFound)
	}
	return s, err
}

// Subscriptions lists a guild's subscriptions, or all when guildID is "".
func (db *DB) Subscriptions(ctx context.Context, guildID string) ([]knowledge.Subscription, error) {
	q, args := "SELECT "+sqlrow.SubscriptionColumns+" FROM subscriptions", []any{}
	if guildID != "" {
		q, args = q+" WHERE guild_id = $1", append(args, guildID)
	}
	rows, err := db.pool.Query(ctx, q+" ORDER BY id", args...)
	if err != nil {
		return nil, fmt.Errorf("subscriptions: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (knowledge.Subscription, error) { return sqlrow.ScanSubscription(r) })
}

// ClaimDigest claims a day's digest; of several callers, one wins.
func (db *DB) ClaimDigest(ctx context.Context, id int64, date string, at time.Time) (bool, error) {
	tag, err := db.pool.Exec(ctx, `UPDATE subscriptions SET sending_date = $1, sending_at = $2
		WHERE id = $3 AND last_date < $1 AND sending_date = ''`, date, at.Unix(), id)
	if err != nil {
		return false, fmt.Errorf("claim digest: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

// TakeOverDigest takes over a claim made at claimedAt and never recorded.
func (db *DB) TakeOverDigest(ctx context.Context, id int64, date string, claimedAt, at time.Time) (bool, error) {
	tag, err := db.pool.Exec(ctx, `UPDATE subscriptions SET sending_at = $1
		WHERE id = $2 AND sending_date = $3 AND sending_at = $4`, at.Unix(), id, date, claimedAt.Unix())
	if err != nil {
		return false, fmt.Errorf("take over digest: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

// DigestDone records a digest as posted or skipped for a date.
func (db *DB) DigestDone(ctx context.Context, id int64, date string, sent bool, at time.Time) error {
	q := "UPDATE subscriptions SET last_date = greatest(last_date, $1), sending_date = '', sending_at = 0 WHERE id = $2"
	args := []any{date, id}
	if sent {
		q = "UPDATE subscriptions SET last_date = greatest(last_date, $1), sending_date = '', sending_at = 0, last_sent_at = $3 WHERE id = $2"
		args = append(args, at.Unix())
	}
	if _, err := db.pool.Exec(ctx, q, args...); err != nil {
		return fmt.Errorf("record digest: %w", err)
	}
	return nil
}

// SaveExchange records the question and answer behind an answer message,
// and forgets those older than knowledge.ExchangeTTL.
func (db *DB) SaveExchange(ctx context.Context, messageID, question, answer string) error {
	now := db.Now()
	return pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO exchanges(message_id, question, answer, created) VALUES ($1, $2, $3, $4)
			ON CONFLICT (message_id) DO UPDATE SET question = excluded.question, answer = excluded.answer, created = excluded.created`,
			messageID, question, answer, now.Unix()); err != nil {
			return fmt.Errorf("save exchange: %w", err)
		}
		_, err := tx.Exec(ctx, "DELETE FROM exchanges WHERE created < $1", now.Add(-knowledge.ExchangeTTL).Unix())
		return err
	})
}

// Exchange returns the question and answer behind a message.
func (db *DB) Exchange(ctx context.Context, messageID string) (question, answer string, ok bool, err error) {
	err = db.pool.QueryRow(ctx, "SELECT question, answer FROM exchanges WHERE message_id = $1 AND created >= $2",
		messageID, db.Now().Add(-knowledge.ExchangeTTL).Unix()).Scan(&question, &answer)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", "", false, nil
	}
	if err != nil {
		return "", "", false, fmt.Errorf("exchange %s: %w", messageID, err)
	}
	return question, answer, true, nil
}

// TakeToken takes a token from key's bucket, its row locked for the
// while, so that processes sharing the database share the limit. Buckets
// idle for a window, full again, are forgotten.
func (db *DB) TakeToken(ctx context.Context, key string, now time.Time, burst int, window time.Duration) (bool, time.Duration, error) {
	var ok bool
	var wait time.Duration
	err := pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		full := knowledge.FullBucket(burst, now)
		if _, err := tx.Exec(ctx, "INSERT INTO rate_buckets(key, tokens, at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
			key, full.Tokens, full.At.UnixNano()); err != nil {
			return err
		}
		var b knowledge.Bucket
		var at int64
		if err := tx.QueryRow(ctx, "SELECT tokens, at FROM rate_buckets WHERE key = $1 FOR UPDATE", key).Scan(&b.Tokens, &at); err != nil {
			return err
		}
		b.At = time.Unix(0, at)
		ok, wait = b.Take(now, burst, window)
		_, err := tx.Exec(ctx, "UPDATE rate_buckets SET tokens = $2, at = $3 WHERE key = $1", key, b.Tokens, b.At.UnixNano())
		return err
	})
	if err != nil {
		return false, 0, storeError(fmt.Errorf("rate limit: %w", err))
	}
	// Idle buckets are forgotten at most once a window by each process,
	// off the take's transaction and skipping buckets another take holds,
	// so that it neither waits nor deadlocks; one that fails is harmless,
	// and is tried again a window later.
	if last := db.forgot.Load(); now.UnixNano()-last >= int64(window) && db.forgot.CompareAndSwap(last, now.UnixNano()) {
		db.pool.Exec(ctx, `DELETE FROM rate_buckets WHERE key IN (
			SELECT key FROM rate_buckets WHERE at < $1 FOR UPDATE SKIP LOCKED)`, now.Add(-window).UnixNano())
	}
	return ok, wait, nil
}

// DigestPosts returns the articles a subscription's digests posted since
// a time (see knowledge.SubscriptionStore).
func (db *DB) DigestPosts(ctx context.Context, subscriptionID int64, since time.Time) (map[int64]string, error) {
	rows, err := db.pool.Query(ctx, "SELECT article_id, title FROM digest_posts WHERE subscription_id = $1 AND posted_at >= $2",
		subscriptionID, since.Unix())
	if err != nil {
		return nil, fmt.Errorf("digest posts: %w", err)
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var title string
		if err := rows.Scan(&id, &title); err != nil {
			return nil, fmt.Errorf("digest posts: %w", err)
		}
		out[id] = title
	}
	return out, rows.Err()
}

// RecordDigestPosts remembers the articles a digest posted.
func (db *DB) RecordDigestPosts(ctx context.Context, subscriptionID int64, arts []knowledge.Article, at time.Time) error {
	batch := &pgx.Batch{}
	for _, a := range arts {
		batch.Queue(`INSERT INTO digest_posts(subscription_id, article_id, title, posted_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT DO NOTHING`, subscriptionID, a.ID, a.Title, at.Unix())
	}
	if err := db.pool.SendBatch(ctx, batch).Close(); err != nil {
		return storeError(fmt.Errorf("record digest posts: %w", err))
	}
	return nil
}

// ServerSettings returns a server's settings (see knowledge.SettingsStore).
func (db *DB) ServerSettings(ctx context.Context, guildID string) (knowledge.ServerSettings, error) {
	s := knowledge.ServerSettings{GuildID: guildID}
	err := db.pool.QueryRow(ctx, "SELECT answer_in_threads, updated_by FROM server_settings WHERE guild_id = $1", guildID).
		Scan(&s.AnswerInThreads, &s.UpdatedBy)
	if errors.Is(err, pgx.ErrNoRows) {
		return s, nil
	}
	if err != nil {
		return s, storeError(fmt.Errorf("server settings: %w", err))
	}
	return s, nil
}

// SetServerSettings stores a server's settings.
func (db *DB) SetServerSettings(ctx context.Context, s knowledge.ServerSettings) error {
	_, err := db.pool.Exec(ctx, `INSERT INTO server_settings(guild_id, answer_in_threads, updated_by, updated_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (guild_id) DO UPDATE SET answer_in_threads = excluded.answer_in_threads, updated_by = excluded.updated_by,
		updated_at = excluded.updated_at`, s.GuildID, s.AnswerInThreads, s.UpdatedBy, db.Now().Unix())
	if err != nil {
		return storeError(fmt.Errorf("set server settings: %w", err))
	}
	return nil
}
