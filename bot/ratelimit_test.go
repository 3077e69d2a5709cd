package bot_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/attache-bot/attache/bot"
)

// rateStore answers every take with what it is given.
type rateStore struct {
	ok    bool
	wait  time.Duration
	err   error
	takes int
}

func (s *rateStore) TakeToken(ctx context.Context, key string, now time.Time, burst int, window time.Duration) (bool, time.Duration, error) {
	s.takes++
	return s.ok, s.wait, s.err
}

// A shared store decides; when it fails, the process's own buckets stand
// in, so that a user is still limited, and the failure is logged.
func TestLimiterSharedAndStandIn(t *testing.T) {
	ctx := context.Background()
	shared := &rateStore{ok: false, wait: 10 * time.Second}
	l := &bot.Limiter{Burst: 2, Window: time.Hour, Store: shared}
	if ok, wait := l.Allow(ctx, "u"); ok || wait != 11*time.Second || shared.takes != 1 {
		t.Errorf("the store refusing: ok %v, wait %v, %d takes", ok, wait, shared.takes)
	}

	var logs bytes.Buffer
	down := &rateStore{err: errors.New("connection refused")}
	l = &bot.Limiter{Burst: 2, Window: time.Hour, Store: down, Log: slog.New(slog.NewTextHandler(&logs, nil))}
	var got []bool
	for range 3 {
		ok, _ := l.Allow(ctx, "u")
		got = append(got, ok)
	}
	if got[0] != true || got[1] != true || got[2] != false {
		t.Errorf("with the store down, a burst of 2: %v", got)
	}
	if !strings.Contains(logs.String(), "shared rate limit unavailable") || !strings.Contains(logs.String(), "connection refused") {
		t.Errorf("the store's failure was not logged: %q", logs.String())
	}
}
