package sqlite_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/attache-bot/attache/knowledge"
	"github.com/attache-bot/attache/knowledge/sqlite"
)

// foreignDB makes another application's SQLite database, in rollback-journal
// mode, with the given tables.
func foreignDB(t *testing.T, ddl ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "other.sqlite")
	raw, err := sql.Open("sqlite3", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	for _, q := range ddl {
		if _, err := raw.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	return path
}

// snapshot is a directory's files and their contents.
func snapshot(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = b
	}
	return out
}

func sameFiles(a, b map[string][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || !bytes.Equal(v, w) {
			return false
		}
	}
	return true
}

// Another application's file is refused by every kind of open, and left
// exactly as it was: no WAL switch, no schema_migrations, no new files.
func TestOtherFilesAreRefusedAndLeftUntouched(t *testing.T) {
	ctx := context.Background()
	cases := map[string]func(t *testing.T) string{
		"another app's tables": func(t *testing.T) string {
			return foreignDB(t, "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)", "INSERT INTO users VALUES (1, 'ada')")
		},
		"a schema_migrations of its own": func(t *testing.T) string {
			return foreignDB(t, "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, dirty BOOLEAN)",
				"INSERT INTO schema_migrations VALUES (1, 0)", "CREATE TABLE articles (id INTEGER PRIMARY KEY)")
		},
		"a text file": func(t *testing.T) string {
			path := filepath.Join(t.TempDir(), "notes.db")
			if err := os.WriteFile(path, []byte("shopping list: milk, eggs\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			return path
		},
	}
	for name, make := range cases {
		t.Run(name, func(t *testing.T) {
			path := make(t)
			before := snapshot(t, filepath.Dir(path))
			for _, open := range []func(context.Context, string) (*sqlite.DB, error){sqlite.Open, sqlite.OpenReadOnly} {
				db, err := open(ctx, path)
				if err == nil {
					db.Close()
				}
				if !errors.Is(err, knowledge.ErrNotAttache) {
					t.Errorf("open: %v, want ErrNotAttache", err)
				}
			}
			if after := snapshot(t, filepath.Dir(path)); !sameFiles(before, after) {
				t.Errorf("the directory changed: %d files before, %d after", len(before), len(after))
			}
		})
	}
}

func TestReadOnlyOpenNeverCreatesADatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "typo.db")
	_, err := sqlite.OpenReadOnly(context.Background(), path)
	if !errors.Is(err, knowledge.ErrNoDatabase) {
		t.Errorf("read-only open of a missing file: %v, want ErrNoDatabase", err)
	}
	if _, serr := os.Stat(path); !errors.Is(serr, os.ErrNotExist) {
		t.Errorf("the missing file was created (%v)", serr)
	}
}

// closedDB makes an empty Attache database, closes it, and returns its path
// and a plain SQLite connection to it for the test to change it behind
// Attache's back.
func closedDB(t *testing.T) (string, *sql.DB) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "a.db")
	db, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	raw, err := sql.Open("sqlite3", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	return path, raw
}

func TestNewerSchemaIsRefused(t *testing.T) {
	ctx := context.Background()
	path, raw := closedDB(t)
	if _, err := raw.Exec("INSERT INTO schema_migrations VALUES (9999, '9999_from_the_future.sql', 0)"); err != nil {
		t.Fatal(err)
	}
	for _, open := range []func(context.Context, string) (*sqlite.DB, error){sqlite.Open, sqlite.OpenReadOnly} {
		db, err := open(ctx, path)
		if err == nil {
			db.Close()
		}
		if !errors.Is(err, knowledge.ErrSchemaNewer) {
			t.Errorf("open: %v, want ErrSchemaNewer", err)
		}
	}
}

func TestOlderSchemaIsMigratedOnlyByAWriter(t *testing.T) {
	ctx := context.Background()
	path, raw := closedDB(t)
	var latest int
	if err := raw.QueryRow("SELECT max(version) FROM schema_migrations").Scan(&latest); err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec("DELETE FROM schema_migrations WHERE version = ?", latest); err != nil {
		t.Fatal(err)
	}
	if _, err := sqlite.OpenReadOnly(ctx, path); !errors.Is(err, knowledge.ErrSchemaOlder) {
		t.Errorf("read-only open of an older schema: %v, want ErrSchemaOlder", err)
	}
	var n int
	if err := raw.QueryRow("SELECT count(*) FROM schema_migrations WHERE version = ?", latest).Scan(&n); err != nil || n != 0 {
		t.Errorf("the read-only open migrated (%d, %v)", n, err)
	}
}

// A read runs while a writer holds the write lock, without waiting for it:
// opening for reading takes no lock at all.
func TestReadsDoNotWaitForTheWriteLock(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "busy.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	mustPut(t, db, article("https://a.example/1", "Talks in Muscat", "Envoys met in Muscat for a second round of talks.", "2025-04-16"))
	holder, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=0")
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	tx, err := holder.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.Exec("INSERT INTO feeds(url, added_by, added_at) VALUES ('https://x.example/feed', 'test', 0)"); err != nil {
		t.Fatal(err) // the write lock is now held until Rollback
	}
	ro, err := sqlite.OpenReadOnly(ctx, path)
	if err != nil {
		t.Fatalf("read-only open while a write is in progress: %v", err)
	}
	defer ro.Close()
	hits, err := ro.Search(ctx, "Muscat", knowledge.SearchOptions{})
	if err != nil || len(hits) != 1 {
		t.Errorf("search while a write is in progress: %d hits, %v", len(hits), err)
	}
	if _, err := ro.AddFeed(ctx, "https://y.example/feed", "test"); !errors.Is(err, knowledge.ErrReadOnly) {
		t.Errorf("write through a read-only handle: %v, want ErrReadOnly", err)
	}
}

// The SQLite store does not take a PostgreSQL URL for a file name.
func TestPostgresURLIsRefusedClearly(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	for _, open := range []func(context.Context, string) (*sqlite.DB, error){sqlite.Open, sqlite.OpenReadOnly} {
		_, err := open(context.Background(), "postgres://attache@db.example/attache")
		if err == nil || !strings.Contains(err.Error(), "PostgreSQL database") {
			t.Errorf("open: %v", err)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("files were created: %v", entries)
	}
}
