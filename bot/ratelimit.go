package bot

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/attache-bot/attache/knowledge"
)

// rateStoreTimeout bounds a shared bucket's take: the acknowledgement
// waits for it, and Discord gives that 3 seconds.
const rateStoreTimeout = time.Second

// Limiter is a token bucket per user (knowledge.Bucket): Burst requests at
// once, refilled at Burst per Window. With a Store the buckets are the
// store's, shared by every process on it; without one, or while the store
// fails, they are this process's.
type Limiter struct {
	Burst  int
	Window time.Duration
	Now    func() time.Time
	Store  knowledge.RateStore // may be nil
	Log    *slog.Logger

	mu      sync.Mutex
	buckets map[string]*knowledge.Bucket
	forgot  time.Time // when idle buckets were last forgotten
}

// Allow takes a token for user; when there is none it says how long until
// there is, in whole seconds.
func (l *Limiter) Allow(ctx context.Context, user string) (bool, time.Duration) {
	if l == nil || l.Burst <= 0 {
		return true, 0
	}
	now := time.Now()
	if l.Now != nil {
		now = l.Now()
	}
	ok, wait := l.take(ctx, user, now)
	if ok {
		return true, 0
	}
	return false, wait.Round(time.Second) + time.Second
}

func (l *Limiter) take(ctx context.Context, user string, now time.Time) (bool, time.Duration) {
	if l.Store != nil {
		ctx, cancel := context.WithTimeout(ctx, rateStoreTimeout)
		defer cancel()
		ok, wait, err := l.Store.TakeToken(ctx, user, now, l.Burst, l.Window)
		if err == nil {
			return ok, wait
		}
		if l.Log != nil {
			l.Log.Warn("shared rate limit unavailable; this process's own buckets stand in", "err", err)
		}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.buckets == nil {
		l.buckets = map[string]*knowledge.Bucket{}
	}
	b, ok := l.buckets[user]
	if !ok {
		full := knowledge.FullBucket(l.Burst, now)
		b = &full
		l.buckets[user] = b
	}
	ok, wait := b.Take(now, l.Burst, l.Window)
	// Forget idle users once a window, so that the map holds recent ones
	// only: a bucket idle for a window is full again.
	if now.Sub(l.forgot) >= l.Window {
		l.forgot = now
		for u, o := range l.buckets {
			if now.Sub(o.At) >= l.Window {
				delete(l.buckets, u)
			}
		}
	}
	return ok, wait
}
