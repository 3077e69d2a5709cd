package knowledge

import (
	"time"
)

// Subscription is a channel subscribed to the daily digest.
type Subscription struct {
	ID        int64
	GuildID   string
	ChannelID string
	Minute    int    // minutes after local midnight
	Timezone  string // IANA name
	Topic     string // keywords its stories must hold; "" for all the news
	CreatedBy string
	CreatedAt time.Time
	// LastDate is the local date (2006-01-02) of the last digest posted or
	// skipped; SendingDate the one being posted, if any.
	LastDate, SendingDate string
	SendingAt             time.Time // when SendingDate was claimed
	LastSentAt            time.Time
}
