package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/attache-bot/attache/knowledge"
	"github.com/attache-bot/attache/knowledge/sqlite"
)

func TestExchangesOutliveTheProcessAndExpire(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "x.db")
	now := time.Date(2025, 4, 16, 12, 0, 0, 0, time.UTC)
	open := func() *sqlite.DB {
		db, err := sqlite.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		db.Now = func() time.Time { return now }
		return db
	}
	db := open()
	if err := db.SaveExchange(ctx, "m1", "Who is Witkoff?", "Steve Witkoff is the special envoy [1]."); err != nil {
		t.Fatal(err)
	}
	db.Close()

	db = open() // a restart
	defer db.Close()
	q, a, ok, err := db.Exchange(ctx, "m1")
	if err != nil || !ok || q != "Who is Witkoff?" || a != "Steve Witkoff is the special envoy [1]." {
		t.Fatalf("after reopening: %q %q %v %v", q, a, ok, err)
	}
	if _, _, ok, err := db.Exchange(ctx, "unknown"); ok || err != nil {
		t.Errorf("unknown message: ok %v, err %v", ok, err)
	}
	// Past the TTL it is gone, and the next save deletes it.
	now = now.Add(knowledge.ExchangeTTL + time.Hour)
	if _, _, ok, _ := db.Exchange(ctx, "m1"); ok {
		t.Errorf("an exchange older than the TTL is still returned")
	}
	if err := db.SaveExchange(ctx, "m2", "q", "a"); err != nil {
		t.Fatal(err)
	}
	now = now.Add(-knowledge.ExchangeTTL) // look back: m1 must be deleted, not just hidden
	if _, _, ok, _ := db.Exchange(ctx, "m1"); ok {
		t.Errorf("an expired exchange was not deleted")
	}
}
