package sqlite_test

// Benchmarks at the scale the issue sets (100,000 articles by default; set
// ATTACHE_BENCH_ARTICLES to change it), each beside bare SQLite FTS5 doing
// the same work, reported as a ratio in the same run:
//
//	go test -tags sqlite_fts5 -run '^$' -bench . -benchtime 1x -timeout 60m ./knowledge/

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/attache-bot/attache/knowledge"
	"github.com/attache-bot/attache/knowledge/ingest"
	"github.com/attache-bot/attache/knowledge/sqlite"
	"github.com/attache-bot/attache/knowledge/synth"
	"github.com/attache-bot/attache/knowledge/text"
)

// benchCorpus writes the synthetic corpus as JSONL once per size and returns its path.
func benchCorpus(tb testing.TB, n int) string {
	tb.Helper()
	path, err := synth.CorpusFile(n)
	if err != nil {
		tb.Fatal(err)
	}
	return path
}

// peakRSS returns the process's peak resident set since the last reset, in MB.
func peakRSS() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmHWM:") {
			kb, _ := strconv.Atoi(strings.Fields(l)[1])
			return float64(kb) / 1024
		}
	}
	return 0
}

func resetPeakRSS() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

func BenchmarkIngestJSONL(b *testing.B) {
	n := synth.BenchSize()
	corpus := benchCorpus(b, n)
	ctx := context.Background()
	var ours, bare time.Duration
	var peak float64
	for i := 0; i < b.N; i++ {
		dir := b.TempDir()
		db, err := sqlite.Open(ctx, filepath.Join(dir, "ours.db"))
		if err != nil {
			b.Fatal(err)
		}
		resetPeakRSS()
		start := time.Now()
		sum, err := (&ingest.Ingester{Store: db}).Ingest(ctx, corpus)
		ours += time.Since(start)
		peak = max(peak, peakRSS())
		if err != nil || sum.Added != n {
			b.Fatalf("ingest: %v, %s", err, sum)
		}
		db.Close()
		bare += bareIngest(b, corpus, filepath.Join(dir, "bare.db"))
	}
	b.ReportMetric(float64(n*b.N)/ours.Seconds(), "articles/s")
	b.ReportMetric(ours.Seconds()/float64(b.N), "s/ingest")
	b.ReportMetric(bare.Seconds()/float64(b.N), "bare-s/ingest")
	b.ReportMetric(ours.Seconds()/bare.Seconds(), "ratio-to-bare")
	b.ReportMetric(peak, "peak-RSS-MB")
}

// bareIngest inserts the corpus's passages into a bare FTS5 table (same
// tokenizer, WAL and synchronous=NORMAL as the store, SQLite's defaults
// otherwise) in one transaction and returns the time spent inserting;
// reading and splitting the corpus is not counted.
func bareIngest(tb testing.TB, corpus, path string) time.Duration {
	tb.Helper()
	db, err := sql.Open("sqlite3", "file:"+path+"?_journal_mode=WAL&_synchronous=NORMAL")
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(`CREATE VIRTUAL TABLE bare USING fts5(text, tokenize='porter unicode61 remove_diacritics 2')`); err != nil {
		tb.Fatal(err)
	}
	f, err := os.Open(corpus)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var spent time.Duration
	start := time.Now()
	tx, err := db.Begin()
	if err != nil {
		tb.Fatal(err)
	}
	stmt, err := tx.Prepare("INSERT INTO bare(text) VALUES (?)")
	if err != nil {
		tb.Fatal(err)
	}
	spent += time.Since(start)
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var a synth.Article
		if err := json.Unmarshal(sc.Bytes(), &a); err != nil {
			tb.Fatal(err)
		}
		ps := text.SplitPassages(a.Body)
		t0 := time.Now()
		for _, p := range ps {
			if _, err := stmt.Exec(p); err != nil {
				tb.Fatal(err)
			}
		}
		spent += time.Since(t0)
	}
	t0 := time.Now()
	stmt.Close()
	if err := tx.Commit(); err != nil {
		tb.Fatal(err)
	}
	return spent + time.Since(t0)
}

var (
	searchDBOnce sync.Once
	searchDB     *sqlite.DB
	searchDBErr  error
)

// benchSearchDB returns the corpus ingested into a database kept between runs.
func benchSearchDB(b *testing.B) *sqlite.DB {
	searchDBOnce.Do(func() {
		searchDB, searchDBErr = synth.OpenDB(context.Background(), synth.BenchSize())
	})
	if searchDBErr != nil {
		b.Fatal(searchDBErr)
	}
	return searchDB
}

func percentile(d []time.Duration, p float64) time.Duration {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[min(len(s)-1, int(float64(len(s))*p))]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// BenchmarkSearch runs natural-language queries of 3 to 8 words through
// DB.Search and the same terms through a bare MATCH … ORDER BY rank LIMIT.
func BenchmarkSearch(b *testing.B) {
	db := benchSearchDB(b)
	ctx := context.Background()
	queries := synth.New(7).Queries(500)
	raw, err := sql.Open("sqlite3", "file:"+db.Path+"?mode=ro&_query_only=1")
	if err != nil {
		b.Fatal(err)
	}
	defer raw.Close()
	bareStmt, err := raw.Prepare("SELECT rowid FROM passages_fts WHERE passages_fts MATCH ? ORDER BY rank LIMIT 10")
	if err != nil {
		b.Fatal(err)
	}
	defer bareStmt.Close()
	// Warm the page cache and both paths once.
	for _, q := range queries[:20] {
		db.Search(ctx, q, knowledge.SearchOptions{})
	}
	var ours, bare []time.Duration
	empty := 0
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, q := range queries {
			t0 := time.Now()
			hits, err := db.Search(ctx, q, knowledge.SearchOptions{Limit: 10})
			ours = append(ours, time.Since(t0))
			if err != nil {
				b.Fatal(err)
			}
			if len(hits) == 0 {
				empty++
			}
			// The bare query: the same words (stopwords dropped), implicit AND.
			words := knowledge.QueryWords(q)
			for k, w := range words {
				words[k] = `"` + w + `"`
			}
			t0 = time.Now()
			rows, err := bareStmt.Query(strings.Join(words, " "))
			if err != nil {
				b.Fatal(err)
			}
			for rows.Next() {
			}
			rows.Close()
			bare = append(bare, time.Since(t0))
		}
	}
	b.StopTimer()
	b.ReportMetric(ms(percentile(ours, 0.5)), "p50-ms")
	b.ReportMetric(ms(percentile(ours, 0.99)), "p99-ms")
	b.ReportMetric(ms(percentile(bare, 0.5)), "bare-p50-ms")
	b.ReportMetric(ms(percentile(bare, 0.99)), "bare-p99-ms")
	b.ReportMetric(ms(percentile(ours, 0.5))/ms(percentile(bare, 0.5)), "p50-ratio-to-bare")
	b.ReportMetric(float64(empty)/float64(len(ours)), "empty-fraction")
}

// BenchmarkNormalize measures the parsing side of ingestion on its own:
// what Article.Normalize does to each article of the synthetic corpus
// (splitting, hashing, role extraction).
func BenchmarkNormalize(b *testing.B) {
	f, err := os.Open(benchCorpus(b, 10000))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	var arts []knowledge.Article
	err = ingest.ReadJSONL(f, func(_ int, a knowledge.Article, err error) error {
		arts = append(arts, a)
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		a := arts[i%len(arts)]
		if err := a.Normalize(); err != nil {
			b.Fatal(err)
		}
	}
}
