package knowledge

import (
	"context"
	"time"
)

// The store is a contract: the interfaces below, which each store
// implements (knowledge/sqlite, the embedded default) and one conformance
// suite checks (knowledge/storetest). Code above the store depends on these,
// never on an implementation.

// ArticleStore keeps articles, their passages and what was read from them.
type ArticleStore interface {
	// PutArticles stores articles in one transaction, each normalised
	// first; a URL or text already stored is a duplicate or an update.
	PutArticles(ctx context.Context, arts []*Article) ([]PutResult, error)
	Article(ctx context.Context, id int64) (Article, error)
	ArticleByURL(ctx context.Context, rawURL string) (Article, error)
	HasURL(ctx context.Context, rawURL string) (bool, error)
	Passages(ctx context.Context, articleID int64) ([]Passage, error)
	RecentArticles(ctx context.Context, since time.Time, limit int) ([]Article, error)
	// Outlets returns the outlets whose name holds typed (any case), those
	// with the most articles first, at most limit.
	Outlets(ctx context.Context, typed string, limit int) ([]string, error)
	// ArticlesBetween returns the articles published in [since, until),
	// oldest first, at most limit (50 when zero or less), without bodies.
	ArticlesBetween(ctx context.Context, since, until time.Time, limit int) ([]Article, error)
	// Newest is the publication time of the newest article (zero when
	// there is none).
	Newest(ctx context.Context) (time.Time, error)
	Stats(ctx context.Context) (Stats, error)
	// ExportArticles calls fn with every article published at or after
	// since (every one when since is zero), oldest first and, at one
	// time, by URL, with its body and the other URLs it was seen under,
	// sorted. An error of fn ends it and is returned.
	ExportArticles(ctx context.Context, since time.Time, fn func(a Article, aliases []string) error) error
}

// SearchStore finds passages and articles for any text a user types.
type SearchStore interface {
	Search(ctx context.Context, text string, opt SearchOptions) ([]Hit, error)
	SearchPassages(ctx context.Context, text string, opt SearchOptions) ([]Hit, Query, error)
	PlanQuery(ctx context.Context, text string) (Query, error)
}

// PeopleStore answers who is who, from the roles read in articles.
type PeopleStore interface {
	WhoIs(ctx context.Context, name string) ([]PersonRoles, error)
	People(ctx context.Context, prefix string, limit int) ([]Person, error)
}

// FeedStore keeps the feeds, whose they are, and their polling state.
type FeedStore interface {
	AddFeed(ctx context.Context, url, addedBy string) (Feed, error)
	FollowFeed(ctx context.Context, guildID, url, addedBy string) (Feed, error)
	UnfollowFeed(ctx context.Context, guildID, url string) error
	ServerFeeds(ctx context.Context, guildID string) ([]Feed, error)
	RemoveFeed(ctx context.Context, url string) error
	FeedByURL(ctx context.Context, url string) (Feed, error)
	Feeds(ctx context.Context) ([]Feed, error)
	DueFeeds(ctx context.Context, now time.Time) ([]Feed, error)
	// ClaimFeed takes a due feed for one poll; of several processes, one
	// wins, and a lost process's claim lapses after lease.
	ClaimFeed(ctx context.Context, f Feed, now time.Time, lease time.Duration) (bool, error)
	SaveFeedState(ctx context.Context, f Feed) error
}

// SubscriptionStore keeps digest subscriptions and their schedule, claimed
// so that each digest is posted once across processes.
type SubscriptionStore interface {
	Subscribe(ctx context.Context, s Subscription) (Subscription, error)
	Unsubscribe(ctx context.Context, channelID string) error
	Subscription(ctx context.Context, channelID string) (Subscription, error)
	Subscriptions(ctx context.Context, guildID string) ([]Subscription, error)
	ClaimDigest(ctx context.Context, id int64, date string, at time.Time) (bool, error)
	TakeOverDigest(ctx context.Context, id int64, date string, claimedAt, at time.Time) (bool, error)
	DigestDone(ctx context.Context, id int64, date string, sent bool, at time.Time) error
	// DigestPosts returns the articles a subscription's digests posted at
	// or after since, by id, with their titles.
	DigestPosts(ctx context.Context, subscriptionID int64, since time.Time) (map[int64]string, error)
	// RecordDigestPosts remembers the articles a digest posted; an article
	// recorded already is left as it was.
	RecordDigestPosts(ctx context.Context, subscriptionID int64, arts []Article, at time.Time) error
}

// ExchangeStore keeps the question behind each answer message, for
// follow-ups.
type ExchangeStore interface {
	SaveExchange(ctx context.Context, messageID, question, answer string) error
	Exchange(ctx context.Context, messageID string) (question, answer string, ok bool, err error)
}

// SettingsStore keeps what each server chose.
type SettingsStore interface {
	// ServerSettings returns a server's settings; a server that chose
	// nothing has the zero settings.
	ServerSettings(ctx context.Context, guildID string) (ServerSettings, error)
	SetServerSettings(ctx context.Context, s ServerSettings) error
}

// ServerSettings are a server's choices.
type ServerSettings struct {
	GuildID string
	// AnswerInThreads: a mention is answered in a thread started from it,
	// where follow-ups need no mention.
	AnswerInThreads bool
	UpdatedBy       string
}

// Store is all of it.
type Store interface {
	SettingsStore
	ArticleStore
	SearchStore
	PeopleStore
	FeedStore
	SubscriptionStore
	ExchangeStore
	Ping(ctx context.Context) error
	Close() error
}
