package knowledge

import (
	"context"
	"time"
)

// Bucket is a token bucket's state: the tokens it held at a time. A bucket
// holds at most burst tokens and gains burst of them per window; a bucket
// never seen is full.
type Bucket struct {
	Tokens float64
	At     time.Time
}

// FullBucket is a bucket never used, at now.
func FullBucket(burst int, now time.Time) Bucket {
	return Bucket{Tokens: float64(burst), At: now}
}

// Take refills b for the time since it was last seen and takes a token
// when there is one; when there is none, it says how long until there is.
// A clock that went back (another machine's) refills nothing.
func (b *Bucket) Take(now time.Time, burst int, window time.Duration) (bool, time.Duration) {
	rate := float64(burst) / window.Seconds()
	if elapsed := now.Sub(b.At); elapsed > 0 {
		b.Tokens = min(float64(burst), b.Tokens+elapsed.Seconds()*rate)
		b.At = now
	}
	if b.Tokens >= 1 {
		b.Tokens--
		return true, 0
	}
	return false, time.Duration((1 - b.Tokens) / rate * float64(time.Second))
}

// RateStore keeps token buckets where every process sees them, so that a
// per-user limit holds across the processes sharing a store. A store
// shared by processes (knowledge/postgres) is one; the embedded store,
// used by one process, is not, and that process keeps its buckets in
// memory.
type RateStore interface {
	// TakeToken takes a token from key's bucket (Bucket.Take), atomically
	// across processes. A bucket left alone for a window is full again,
	// so the store may forget it.
	TakeToken(ctx context.Context, key string, now time.Time, burst int, window time.Duration) (bool, time.Duration, error)
}
