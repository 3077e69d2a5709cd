package bot

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// A process's own buckets hold recent users only: one idle for a window
// is forgotten, whether or not anyone is refused.
func TestLimiterForgetsIdleUsers(t *testing.T) {
	now := time.Date(2025, 5, 1, 12, 0, 0, 0, time.UTC)
	l := &Limiter{Burst: 5, Window: time.Minute, Now: func() time.Time { return now }}
	for i := range 100 {
		l.Allow(context.Background(), fmt.Sprint("user", i))
	}
	now = now.Add(2 * time.Minute)
	if ok, _ := l.Allow(context.Background(), "late"); !ok {
		t.Fatal("a new user refused")
	}
	if len(l.buckets) != 1 {
		t.Errorf("%d buckets kept after a window, want 1 (the late user's)", len(l.buckets))
	}
}
