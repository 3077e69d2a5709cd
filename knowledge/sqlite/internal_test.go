package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/attache-bot/attache/knowledge"
)

func TestKeyFilterNoFalseNegativesFewFalsePositives(t *testing.T) {
	f := newKeyFilter(10000)
	for i := 0; i < 10000; i++ {
		f.add(key("https://a.example/" + string(rune('a'+i%26)) + itoa(i)))
	}
	for i := 0; i < 10000; i++ {
		if !f.mayHave(key("https://a.example/" + string(rune('a'+i%26)) + itoa(i))) {
			t.Fatalf("key %d added but not found", i)
		}
	}
	fp := 0
	for i := 0; i < 100000; i++ {
		if f.mayHave(key("https://b.example/" + itoa(i))) {
			fp++
		}
	}
	// 16 bits a key and 4 probes give about 0.25%; 2% would mean the
	// probes are correlated.
	if fp > 2000 {
		t.Errorf("%d false positives in 100000", fp)
	}
	if f.full() {
		t.Errorf("a filter sized for 10000 keys is full at 10000")
	}
	for i := 0; i < 100000; i++ {
		f.add(int64(i))
	}
	if !f.full() {
		t.Errorf("a filter sized for 10000 keys is not full at 110000")
	}
}

func itoa(i int) string {
	b := []byte{}
	for ; i > 0 || len(b) == 0; i /= 10 {
		b = append([]byte{byte('0' + i%10)}, b...)
	}
	return string(b)
}

// A database made before 0005 holds its roles one row each (an edited
// article's were deleted then); opening it must carry them into role runs.
func TestMigrationToRoleRunsKeepsRoles(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	raw, err := sql.Open("sqlite3", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied INTEGER NOT NULL)"); err != nil {
		t.Fatal(err)
	}
	for v, name := range []string{"0001_articles.sql", "0002_people.sql", "0003_feeds_digests.sql", "0004_fts_tuning.sql"} {
		body, err := migrationFS.ReadFile("migrations/" + name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := raw.Exec(string(body)); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if _, err := raw.Exec("INSERT INTO schema_migrations VALUES (?, ?, 0)", v+1, name); err != nil {
			t.Fatal(err)
		}
	}
	// Two articles, the second stored after an edit (its passages start at 3).
	for _, q := range []string{
		`INSERT INTO articles(id, url, url_key, title, published, fetched, hash, hash_key, first_passage, passages)
			VALUES (1, 'https://a.example/1', 1, 'Talks', 1741910400, 0, 'h1', 1, 1, 1),
			       (2, 'https://a.example/2', 2, 'Gaza', 1760313600, 0, 'h2', 2, 3, 1)`,
		`INSERT INTO passages(rowid, title, text) VALUES
			(1, 'Talks', 'Special envoy Steve Witkoff met Vladimir Putin.'),
			(3, 'Gaza', 'US envoy Steve Witkoff negotiated the ceasefire.')`,
		`INSERT INTO people(id, name, key) VALUES (7, 'Steve Witkoff', 'steve witkoff')`,
		`INSERT INTO person_aliases VALUES ('steve witkoff', 7), ('witkoff', 7)`,
		`INSERT INTO roles(person_id, article_id, role, ord, published) VALUES
			(7, 1, 'special envoy', 0, 1741910400),
			(7, 2, 'US envoy', 0, 1760313600)`,
	} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	people, err := db.WhoIs(ctx, "Witkoff")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range people {
		for _, r := range p.Roles {
			got = append(got, fmt.Sprintf("%s %s %d %q", p.Person.Name, r.Title, r.Article.ID, r.Sentence))
		}
	}
	want := []string{
		`Steve Witkoff US envoy 2 "US envoy Steve Witkoff negotiated the ceasefire."`,
		`Steve Witkoff special envoy 1 "Special envoy Steve Witkoff met Vladimir Putin."`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("roles after migration:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	var tables int
	if err := db.read.QueryRow("SELECT count(*) FROM sqlite_master WHERE name IN ('roles', 'passages_old')").Scan(&tables); err != nil || tables != 0 {
		t.Errorf("old tables still there (%d, %v)", tables, err)
	}
	// 0006 moved the passages into a plain table and a new index, titles
	// included: the old text and titles must still be found.
	for q, want := range map[string]int64{"Putin": 1, "ceasefire": 2, "Gaza": 2, "Talks": 1} {
		hits, err := db.Search(ctx, q, knowledge.SearchOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(hits) != 1 || hits[0].Article.ID != want {
			t.Errorf("search %q after migration: %+v, want article %d", q, hits, want)
		}
	}
}

func TestNewDatabaseGetsLargePages(t *testing.T) {
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "new.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var size int
	var mode string
	if err := db.read.QueryRow("SELECT page_size, journal_mode FROM pragma_page_size, pragma_journal_mode").Scan(&size, &mode); err != nil {
		t.Fatal(err)
	}
	if size != pageSize || mode != "wal" {
		t.Errorf("new database: page size %d, journal %s; want %d, wal", size, mode, pageSize)
	}
}

// The writer checkpoints at 64 MB of WAL whatever the page size: an old
// database keeps its 4 KB pages.
func TestWriterCheckpointsBy64MB(t *testing.T) {
	for _, size := range []int{4096, 16384} {
		path := filepath.Join(t.TempDir(), "c.db")
		raw, err := sql.Open("sqlite3", "file:"+path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := raw.Exec(fmt.Sprintf("PRAGMA page_size = %d; PRAGMA journal_mode = WAL", size)); err != nil {
			t.Fatal(err)
		}
		raw.Close()
		db, err := Open(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		var pages int
		if err := db.write.QueryRow("PRAGMA wal_autocheckpoint").Scan(&pages); err != nil {
			t.Fatal(err)
		}
		db.Close()
		if pages*size != walCheckpointBytes {
			t.Errorf("page size %d: checkpoint every %d pages, %d bytes", size, pages, pages*size)
		}
	}
}

// On a read-only file system a WAL database has no -shm file and none can
// be made: readers open it immutable, writers are refused with a clear
// reason, and nothing is created beside it.
func TestReadOnlyFileSystem(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "ro.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	a := knowledge.Article{URL: "https://a.example/1", Title: "Talks in Muscat", Body: "Envoys met in Muscat for a second round of talks.",
		Published: time.Date(2025, 4, 16, 0, 0, 0, 0, time.UTC)}
	if _, err := db.PutArticles(ctx, []*knowledge.Article{&a}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if os.Geteuid() != 0 {
		// A real read-only directory, where permissions bind.
		if err := os.Chmod(dir, 0o555); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Chmod(dir, 0o755) })
	} else {
		// root writes anywhere; play the read-only mount instead.
		was := writableDir
		writableDir = func(string) bool { return false }
		t.Cleanup(func() { writableDir = was })
	}
	before, _ := os.ReadDir(dir)
	if _, err := Open(ctx, path); err == nil || !strings.Contains(err.Error(), "read-only file system") {
		t.Errorf("writer on a read-only file system: %v", err)
	}
	ro, err := OpenReadOnly(ctx, path)
	if err != nil {
		t.Fatalf("reader on a read-only file system: %v", err)
	}
	defer ro.Close()
	hits, err := ro.Search(ctx, "Muscat", knowledge.SearchOptions{})
	if err != nil || len(hits) != 1 {
		t.Errorf("search on a read-only file system: %d hits, %v", len(hits), err)
	}
	if after, _ := os.ReadDir(dir); len(after) != len(before) {
		t.Errorf("files were created beside the database: %v -> %v", before, after)
	}
}

// A file that cannot grow (SQLite's max_page_count plays a full disk) is
// reported as knowledge.ErrUnavailable, which stops an ingest instead of a retry per
// article.
func TestAFullDiskIsUnavailable(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "full.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var pages int
	if err := db.write.QueryRow("PRAGMA page_count").Scan(&pages); err != nil {
		t.Fatal(err)
	}
	if _, err := db.write.Exec(fmt.Sprintf("PRAGMA max_page_count = %d", pages+1)); err != nil {
		t.Fatal(err)
	}
	var arts []*knowledge.Article
	for i := range 500 {
		arts = append(arts, &knowledge.Article{URL: fmt.Sprintf("https://a.example/%d", i), Title: fmt.Sprintf("Talks, round %d", i),
			Body:      strings.Repeat(fmt.Sprintf("Envoys met in Muscat for round %d of the talks. ", i), 20),
			Published: time.Date(2025, 4, 16, 0, 0, 0, 0, time.UTC)})
	}
	_, err = db.PutArticles(ctx, arts)
	if !errors.Is(err, knowledge.ErrUnavailable) || !strings.Contains(err.Error(), "full") {
		t.Errorf("put on a full disk: %v, want knowledge.ErrUnavailable", err)
	}
	// A bad article is not a store failure.
	if _, err := db.PutArticles(ctx, []*knowledge.Article{{URL: "https://a.example/x", Title: "No body"}}); err == nil || errors.Is(err, knowledge.ErrUnavailable) {
		t.Errorf("a bad article: %v, want an error that is not knowledge.ErrUnavailable", err)
	}
}

// A database indexed before unspaced scripts were split (0009) is
// re-indexed when it is opened for writing: a Chinese word inside running
// text is found afterwards, and English passages are left as they were.
func TestMigrationReindexesUnspacedScripts(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "cjk.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	day := time.Date(2025, 4, 16, 0, 0, 0, 0, time.UTC)
	zh := knowledge.Article{URL: "https://a.example/zh", Title: "外交部发布会", Published: day,
		Body: "中国外交部发言人周四表示，双方将于下周在北京举行新一轮磋商，讨论贸易、投资和地区安全问题。"}
	en := knowledge.Article{URL: "https://a.example/en", Title: "Talks in Muscat", Published: day,
		Body: "Envoys met in Muscat for a second round of talks on regional security."}
	if _, err := db.PutArticles(ctx, []*knowledge.Article{&zh, &en}); err != nil {
		t.Fatal(err)
	}
	// Index the Chinese passage as the old code did: its raw text.
	for _, q := range []string{
		"DELETE FROM passages_fts WHERE rowid = (SELECT first_passage FROM articles WHERE url = 'https://a.example/zh')",
		"INSERT INTO passages_fts(rowid, text) SELECT a.first_passage, a.title || char(10) || char(10) || p.text FROM articles a JOIN passages p ON p.id = a.first_passage WHERE a.url = 'https://a.example/zh'",
		"DELETE FROM schema_migrations WHERE version = 9",
	} {
		if _, err := db.write.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if hits, _ := db.Search(ctx, "地区安全", knowledge.SearchOptions{}); len(hits) != 0 {
		t.Fatalf("the old index already finds the word: %d hits", len(hits))
	}
	db.Close()
	db, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for q, want := range map[string]string{"地区安全": "https://a.example/zh", "regional security": "https://a.example/en"} {
		hits, err := db.Search(ctx, q, knowledge.SearchOptions{})
		if err != nil || len(hits) == 0 || hits[0].Article.URL != want {
			t.Errorf("search %q after the migration: %d hits, %v", q, len(hits), err)
		}
	}
}
