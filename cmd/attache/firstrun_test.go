package main

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/attache-bot/attache/internal/syncbuf"
	"github.com/attache-bot/attache/knowledge/sqlite"
)

// Two commands that create the same new database at once both succeed:
// the second waits for the first's schema instead of taking it for
// another application's.
func TestSimultaneousFirstIngests(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	for trial := range 20 {
		path := filepath.Join(dir, fmt.Sprintf("new-%d.db", trial))
		var wg sync.WaitGroup
		codes := make([]int, 2)
		outs := make([]string, 2)
		for i := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var out, errOut syncbuf.Buffer
				m := NewMain(Config{DBPath: path, LLMTimeout: 1}, &out, &errOut)
				defer m.Close()
				err := m.Run(ctx, []string{"ingest", "--quiet", "../../sample"})
				if err != nil {
					codes[i] = 1
				}
				outs[i] = out.String() + errOut.String() + fmt.Sprint(err)
			}()
		}
		wg.Wait()
		for i := range 2 {
			if codes[i] != 0 {
				t.Fatalf("trial %d: ingest %d failed: %s", trial, i, outs[i])
			}
		}
		db, err := sqlite.OpenReadOnly(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		st, err := db.Stats(ctx)
		db.Close()
		if err != nil || st.Articles != 24 {
			t.Fatalf("trial %d: %d articles, err %v", trial, st.Articles, err)
		}
	}
}
