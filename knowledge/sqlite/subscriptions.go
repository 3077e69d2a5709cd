package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/attache-bot/attache/knowledge"
	"github.com/attache-bot/attache/knowledge/internal/sqlrow"
)

// Subscribe creates or updates a channel's subscription. The schedule
// state is kept when only the time or zone change.
func (db *DB) Subscribe(ctx context.Context, s knowledge.Subscription) (knowledge.Subscription, error) {
	_, err := db.write.ExecContext(ctx, `INSERT INTO subscriptions(guild_id, channel_id, minute, timezone, created_by, created_at, topic)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT(channel_id) DO UPDATE SET minute = excluded.minute, timezone = excluded.timezone, topic = excluded.topic`,
		s.GuildID, s.ChannelID, s.Minute, s.Timezone, s.CreatedBy, db.Now().Unix(), strings.TrimSpace(s.Topic))
	if err != nil {
		return s, fmt.Errorf("subscribe: %w", err)
	}
	return db.Subscription(ctx, s.ChannelID)
}

// Unsubscribe removes a channel's subscription.
func (db *DB) Unsubscribe(ctx context.Context, channelID string) error {
	res, err := db.write.ExecContext(ctx, "DELETE FROM subscriptions WHERE channel_id = ?", channelID)
	if err != nil {
		return fmt.Errorf("unsubscribe: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("subscription of channel %s: %w", channelID, knowledge.ErrNotFound)
	}
	return nil
}

// Subscription returns a channel's subscription.
func (db *DB) Subscription(ctx context.Context, channelID string) (knowledge.Subscription, error) {
	s, err := sqlrow.ScanSubscription(db.fresh().QueryRowContext(ctx, "SELECT "+sqlrow.SubscriptionColumns+" FROM subscriptions WHERE channel_id = ?", channelID))
	if errors.Is(err, sql.ErrNoRows) {
		return s, fmt.Errorf("subscription of channel %s: %w", channelID, knowledge.ErrNotFound)
	}
	return s, err
}

// Subscriptions lists the subscriptions of a guild, or all when guildID is "".
func (db *DB) Subscriptions(ctx context.Context, guildID string) ([]knowledge.Subscription, error) {
	q := "SELECT " + sqlrow.SubscriptionColumns + " FROM subscriptions"
	var args []any
	if guildID != "" {
		q += " WHERE guild_id = ?"
		args = append(args, guildID)
	}
	// The schedule state is read from the writer so that a claim just made
	// is seen.
	rows, err := db.fresh().QueryContext(ctx, q+" ORDER BY id", args...)
	if err != nil {
		return nil, fmt.Errorf("subscriptions: %w", err)
	}
	return collect(rows, sqlrow.ScanSubscription)
}

// ClaimDigest marks a subscription's digest for a local date as being
// posted, unless that date is posted, skipped or being posted already. It
// reports whether this caller won the claim: of several processes, one does.
func (db *DB) ClaimDigest(ctx context.Context, id int64, date string, at time.Time) (bool, error) {
	res, err := db.write.ExecContext(ctx, `UPDATE subscriptions SET sending_date = ?, sending_at = ?
		WHERE id = ? AND last_date < ? AND sending_date = ''`, date, at.Unix(), id, date)
	if err != nil {
		return false, fmt.Errorf("claim digest: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// TakeOverDigest takes over a claim that was made at claimedAt and never
// recorded (its process died). Of several takers, one wins.
func (db *DB) TakeOverDigest(ctx context.Context, id int64, date string, claimedAt, at time.Time) (bool, error) {
	res, err := db.write.ExecContext(ctx, `UPDATE subscriptions SET sending_at = ?
		WHERE id = ? AND sending_date = ? AND sending_at = ?`, at.Unix(), id, date, claimedAt.Unix())
	if err != nil {
		return false, fmt.Errorf("take over digest: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// DigestDone records a digest as posted (sent true) or skipped for a date.
func (db *DB) DigestDone(ctx context.Context, id int64, date string, sent bool, at time.Time) error {
	q := "UPDATE subscriptions SET last_date = max(last_date, ?), sending_date = '', sending_at = 0 WHERE id = ?"
	args := []any{date, id}
	if sent {
		q = "UPDATE subscriptions SET last_date = max(last_date, ?), sending_date = '', sending_at = 0, last_sent_at = ? WHERE id = ?"
		args = []any{date, at.Unix(), id}
	}
	if _, err := db.write.ExecContext(ctx, q, args...); err != nil {
		return fmt.Errorf("record digest: %w", err)
	}
	return nil
}

// DigestPosts returns the articles a subscription's digests posted since
// a time (see knowledge.SubscriptionStore).
func (db *DB) DigestPosts(ctx context.Context, subscriptionID int64, since time.Time) (map[int64]string, error) {
	rows, err := db.fresh().QueryContext(ctx, "SELECT article_id, title FROM digest_posts WHERE subscription_id = ? AND posted_at >= ?",
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
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("record digest posts: %w", err)
	}
	defer tx.Rollback()
	for _, a := range arts {
		if _, err := tx.ExecContext(ctx, `INSERT INTO digest_posts(subscription_id, article_id, title, posted_at) VALUES (?, ?, ?, ?)
			ON CONFLICT DO NOTHING`, subscriptionID, a.ID, a.Title, at.Unix()); err != nil {
			return fmt.Errorf("record digest posts: %w", err)
		}
	}
	return tx.Commit()
}

// ServerSettings returns a server's settings (see knowledge.SettingsStore).
func (db *DB) ServerSettings(ctx context.Context, guildID string) (knowledge.ServerSettings, error) {
	s := knowledge.ServerSettings{GuildID: guildID}
	err := db.fresh().QueryRowContext(ctx, "SELECT answer_in_threads, updated_by FROM server_settings WHERE guild_id = ?", guildID).
		Scan(&s.AnswerInThreads, &s.UpdatedBy)
	if errors.Is(err, sql.ErrNoRows) {
		return s, nil
	}
	if err != nil {
		return s, fmt.Errorf("server settings: %w", err)
	}
	return s, nil
}

// SetServerSettings stores a server's settings.
func (db *DB) SetServerSettings(ctx context.Context, s knowledge.ServerSettings) error {
	_, err := db.write.ExecContext(ctx, `INSERT INTO server_settings(guild_id, answer_in_threads, updated_by, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT(guild_id) DO UPDATE SET answer_in_threads = excluded.answer_in_threads, updated_by = excluded.updated_by,
		updated_at = excluded.updated_at`, s.GuildID, s.AnswerInThreads, s.UpdatedBy, db.Now().Unix())
	if err != nil {
		return fmt.Errorf("set server settings: %w", err)
	}
	return nil
}
