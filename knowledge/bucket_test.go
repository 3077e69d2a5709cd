package knowledge

import (
	"testing"
	"time"
)

func TestBucket(t *testing.T) {
	t0 := time.Date(2025, 5, 1, 12, 0, 0, 0, time.UTC)
	b := FullBucket(3, t0)
	for i := range 3 {
		if ok, _ := b.Take(t0, 3, time.Minute); !ok {
			t.Fatalf("take %d of a full bucket of 3 refused", i+1)
		}
	}
	if ok, wait := b.Take(t0, 3, time.Minute); ok || wait != 20*time.Second {
		t.Errorf("empty bucket: ok %v, wait %v; want a refusal and 20s", ok, wait)
	}
	// A clock that went back refills nothing and does not move the bucket back.
	if ok, _ := b.Take(t0.Add(-time.Hour), 3, time.Minute); ok {
		t.Error("a clock gone back refilled the bucket")
	}
	if !b.At.Equal(t0) {
		t.Errorf("bucket moved to %v", b.At)
	}
	// Refilled at 3 a minute, never above 3.
	if ok, _ := b.Take(t0.Add(20*time.Second), 3, time.Minute); !ok {
		t.Error("a token 20 s later refused")
	}
	b.Take(t0.Add(time.Hour), 3, time.Minute)
	if b.Tokens != 2 {
		t.Errorf("after an hour and one take: %v tokens, want 2", b.Tokens)
	}
}
