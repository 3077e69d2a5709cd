// Package sqlrow is what both SQL stores (knowledge/sqlite and
// knowledge/postgres) read and write the same way: the feed and
// subscription columns, which their schemas share, and times kept as Unix
// seconds, zero for none.
package sqlrow

import (
	"time"

	"github.com/attache-bot/attache/knowledge"
)

// Scanner is a row of either store's driver: *sql.Row, *sql.Rows, pgx.Row
// or pgx.Rows.
type Scanner interface{ Scan(dest ...any) error }

// Unix is t in Unix seconds, 0 for the zero time.
func Unix(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

// FromUnix is Unix's inverse, in UTC.
func FromUnix(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(n, 0).UTC()
}

// FeedColumns are what ScanFeed reads, from the feeds table.
const FeedColumns = `id, url, title, added_by, added_at, etag, last_modified, last_fetch, last_ok, last_new,
	failures, last_error, next_fetch, disabled, operator, (SELECT count(*) FROM feed_servers WHERE feed_id = feeds.id)`

// ScanFeed reads a row of FeedColumns.
func ScanFeed(r Scanner) (knowledge.Feed, error) {
	var f knowledge.Feed
	var added, fetch, ok, nw, next int64
	err := r.Scan(&f.ID, &f.URL, &f.Title, &f.AddedBy, &added, &f.ETag, &f.LastModified, &fetch, &ok, &nw,
		&f.Failures, &f.LastError, &next, &f.Disabled, &f.Operator, &f.Servers)
	f.AddedAt, f.LastFetch, f.LastOK, f.LastNew, f.NextFetch = FromUnix(added), FromUnix(fetch), FromUnix(ok), FromUnix(nw), FromUnix(next)
	return f, err
}

// SubscriptionColumns are what ScanSubscription reads, from the
// subscriptions table.
const SubscriptionColumns = `id, guild_id, channel_id, minute, timezone, created_by, created_at, last_date, sending_date,
	sending_at, last_sent_at, topic`

// ScanSubscription reads a row of SubscriptionColumns.
func ScanSubscription(r Scanner) (knowledge.Subscription, error) {
	var s knowledge.Subscription
	var created, sending, sent int64
	err := r.Scan(&s.ID, &s.GuildID, &s.ChannelID, &s.Minute, &s.Timezone, &s.CreatedBy, &created, &s.LastDate, &s.SendingDate,
		&sending, &sent, &s.Topic)
	s.CreatedAt, s.SendingAt, s.LastSentAt = FromUnix(created), FromUnix(sending), FromUnix(sent)
	return s, err
}
