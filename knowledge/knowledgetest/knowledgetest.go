// Package knowledgetest holds helpers that tests across the project share:
// the sample corpus in a fresh database, and golden files.
package knowledgetest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/attache-bot/attache/knowledge/ingest"
	"github.com/attache-bot/attache/knowledge/sqlite"
)

// SampleDir is the sample corpus directory of the repository.
func SampleDir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "sample")
}

// OpenSample ingests the sample corpus into a new database in dir; for a
// TestMain, which has no testing.TB.
func OpenSample(dir string) (*sqlite.DB, error) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(dir, "sample.db"))
	if err != nil {
		return nil, err
	}
	sum, err := (&ingest.Ingester{Store: db}).Ingest(ctx, SampleDir())
	if err != nil || sum.Failed > 0 || sum.Added < 20 {
		db.Close()
		return nil, fmt.Errorf("ingest the sample corpus: %v (%s)", err, sum)
	}
	return db, nil
}

// NewDB opens an empty database in a temporary directory of tb's, closed
// when tb ends: the one way tests get a database.
func NewDB(tb testing.TB) *sqlite.DB {
	tb.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(tb.TempDir(), "test.db"))
	if err != nil {
		tb.Fatalf("open database: %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// SampleDB is a database of tb's own holding the sample corpus, for a test
// that writes (subscriptions, feeds, exchanges) beside the articles.
func SampleDB(tb testing.TB) *sqlite.DB {
	tb.Helper()
	db, err := OpenSample(tb.TempDir())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// Golden compares got with the file at path, rewriting the file first when
// update is set (run the tests with -update to accept a change).
func Golden(tb testing.TB, path string, got []byte, update bool) {
	tb.Helper()
	if update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("%v (run with -update to create it)", err)
	}
	if string(got) != string(want) {
		tb.Errorf("%s differs (run with -update to accept):\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

// RunWithSample is a TestMain's body: it opens the sample corpus in a
// temporary directory, points *db at it, runs the tests and cleans up,
// returning the exit status.
func RunWithSample(m *testing.M, db **sqlite.DB) int {
	dir, err := os.MkdirTemp("", "attache-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	if *db, err = OpenSample(dir); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer (*db).Close()
	return m.Run()
}
