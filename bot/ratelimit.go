package bot

import (
	"sync"
	"time"
)

// Limiter is a token bucket per user: Burst requests at once, refilled at
// Burst per Window.
type Limiter struct {
	Burst  int
	Window time.Duration
	Now    func() time.Time

	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

// Allow takes a token for user; when there is none it says how long until
// there is.
func (l *Limiter) Allow(user string) (bool, time.Duration) {
	if l == nil || l.Burst <= 0 {
		return true, 0
	}
	now := time.Now()
	if l.Now != nil {
		now = l.Now()
	}
	rate := float64(l.Burst) / l.Window.Seconds()
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.buckets == nil {
		l.buckets = map[string]*bucket{}
	}
	b, ok := l.buckets[user]
	if !ok {
		b = &bucket{tokens: float64(l.Burst), last: now}
		l.buckets[user] = b
	}
	b.tokens = min(float64(l.Burst), b.tokens+now.Sub(b.last).Seconds()*rate)
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	wait := time.Duration((1 - b.tokens) / rate * float64(time.Second))
	// Forget idle users now and then so the map stays small.
	if len(l.buckets) > 10000 {
		for u, o := range l.buckets {
			if now.Sub(o.last) > l.Window {
				delete(l.buckets, u)
			}
		}
	}
	return false, wait.Round(time.Second) + time.Second
}
