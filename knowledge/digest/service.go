package digest

import (
	"context"
	"time"

	"github.com/attache-bot/attache/knowledge"
	"github.com/attache-bot/attache/knowledge/answer"
)

// Service offers subscriptions and on-demand digests to the commands.
type Service struct {
	knowledge.Store
	Options Options
}

// Digest builds the digest of the news in [since, until).
func (s Service) Digest(ctx context.Context, since, until time.Time) (answer.Answer, error) {
	return Build(ctx, s.Store, since, until, s.Options)
}
