package synth

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/attache-bot/attache/knowledge/ingest"
	"github.com/attache-bot/attache/knowledge/sqlite"
)

// version changes when the generator or the store's schema does, so that
// cached files are rebuilt.
const version = "v11"

// BenchSize is the corpus size benchmarks use: ATTACHE_BENCH_ARTICLES, or
// 100,000.
func BenchSize() int {
	if n, err := strconv.Atoi(os.Getenv("ATTACHE_BENCH_ARTICLES")); err == nil && n > 0 {
		return n
	}
	return 100000
}

// CorpusFile writes n generated articles as JSONL in the temporary
// directory, once per size, and returns the path.
func CorpusFile(n int) (string, error) {
	path := filepath.Join(os.TempDir(), fmt.Sprintf("attache-bench-%s-%d.jsonl", version, n))
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return "", err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	if err := New(1).WriteJSONL(w, n); err != nil {
		f.Close()
		return "", err
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return "", err
	}
	if err := f.Close(); err != nil {
		return "", err
	}
	return path, os.Rename(tmp, path)
}

// OpenDB returns a database holding n generated articles, kept in the
// temporary directory between runs (building one takes minutes at 100,000).
func OpenDB(ctx context.Context, n int) (*sqlite.DB, error) {
	corpus, err := CorpusFile(n)
	if err != nil {
		return nil, err
	}
	db, err := sqlite.Open(ctx, filepath.Join(os.TempDir(), fmt.Sprintf("attache-bench-%s-%d.db", version, n)))
	if err != nil {
		return nil, err
	}
	if st, err := db.Stats(ctx); err != nil || st.Articles != n {
		if _, err := (&ingest.Ingester{Store: db}).Ingest(ctx, corpus); err != nil {
			db.Close()
			return nil, err
		}
	}
	return db, nil
}
