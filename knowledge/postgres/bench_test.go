package postgres_test

// Benchmarks of the PostgreSQL store beside bare PostgreSQL full-text search
// on the same server, and beside the SQLite store, in the same run
// (ATTACHE_BENCH_ARTICLES articles, 100,000 by default; ATTACHE_TEST_POSTGRES
// names the server):
//
//	go test -tags sqlite_fts5 -run '^$' -bench . -benchtime 1x -timeout 60m ./knowledge/postgres/

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/attache-bot/attache/knowledge"
	"github.com/attache-bot/attache/knowledge/ingest"
	"github.com/attache-bot/attache/knowledge/sqlite"
	"github.com/attache-bot/attache/knowledge/synth"
	"github.com/attache-bot/attache/knowledge/text"
)

func percentile(d []time.Duration, p float64) time.Duration {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[min(len(s)-1, int(float64(len(s))*p))]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// bare loads the corpus's passages into a plain table with a GIN index over
// to_tsvector('english', text), PostgreSQL's own full-text search, and
// returns the time spent inserting (in batches, one transaction).
func bare(b *testing.B, db *pgx.Conn, corpus string) time.Duration {
	ctx := context.Background()
	if _, err := db.Exec(ctx, `CREATE TABLE bare (id BIGSERIAL PRIMARY KEY, text TEXT NOT NULL,
		tsv TSVECTOR GENERATED ALWAYS AS (to_tsvector('english', text)) STORED);
		CREATE INDEX bare_tsv ON bare USING GIN (tsv)`); err != nil {
		b.Fatal(err)
	}
	f, err := os.Open(corpus)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	var spent time.Duration
	tx, err := db.Begin(ctx)
	if err != nil {
		b.Fatal(err)
	}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	batch := &pgx.Batch{}
	flush := func() {
		t0 := time.Now()
		if err := tx.SendBatch(ctx, batch).Close(); err != nil {
			b.Fatal(err)
		}
		spent += time.Since(t0)
		batch = &pgx.Batch{}
	}
	for sc.Scan() {
		var a synth.Article
		if err := json.Unmarshal(sc.Bytes(), &a); err != nil {
			b.Fatal(err)
		}
		for _, p := range text.SplitPassages(a.Body) {
			batch.Queue("INSERT INTO bare(text) VALUES ($1)", p)
		}
		if batch.Len() > 2000 {
			flush()
		}
	}
	flush()
	t0 := time.Now()
	if err := tx.Commit(ctx); err != nil {
		b.Fatal(err)
	}
	return spent + time.Since(t0)
}

// BenchmarkPostgres ingests the corpus into the store, into the bare table
// and into a SQLite store, then runs natural-language queries of 3 to 8
// words through Search on both stores and the same words through a bare
// ranked query.
func BenchmarkPostgres(b *testing.B) {
	n := synth.BenchSize()
	corpus, err := synth.CorpusFile(n)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for i := 0; i < b.N; i++ {
		db := freshDB(b)
		start := time.Now()
		sum, err := (&ingest.Ingester{Store: db}).Ingest(ctx, corpus)
		ours := time.Since(start)
		if err != nil || sum.Added != n {
			b.Fatalf("ingest: %v %s", err, sum)
		}
		conn, err := pgx.Connect(ctx, db.URL())
		if err != nil {
			b.Fatal(err)
		}
		bareTime := bare(b, conn, corpus)
		lite, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "attache.db"))
		if err != nil {
			b.Fatal(err)
		}
		start = time.Now()
		if _, err := (&ingest.Ingester{Store: lite}).Ingest(ctx, corpus); err != nil {
			b.Fatal(err)
		}
		liteTime := time.Since(start)
		b.ReportMetric(float64(n)/ours.Seconds(), "articles/s")
		b.ReportMetric(ours.Seconds(), "s/ingest")
		b.ReportMetric(bareTime.Seconds(), "bare-s/ingest")
		b.ReportMetric(ours.Seconds()/bareTime.Seconds(), "ingest-ratio-to-bare")
		b.ReportMetric(liteTime.Seconds(), "sqlite-s/ingest")

		queries := synth.New(7).Queries(300)
		for _, q := range queries[:20] { // warm each
			db.Search(ctx, q, knowledge.SearchOptions{})
			lite.Search(ctx, q, knowledge.SearchOptions{})
		}
		var oursT, bareT, liteT []time.Duration
		for _, q := range queries {
			t0 := time.Now()
			if _, err := lite.Search(ctx, q, knowledge.SearchOptions{Limit: 10}); err != nil {
				b.Fatal(err)
			}
			liteT = append(liteT, time.Since(t0))
			t0 = time.Now()
			if _, err := db.Search(ctx, q, knowledge.SearchOptions{Limit: 10}); err != nil {
				b.Fatal(err)
			}
			oursT = append(oursT, time.Since(t0))
			words := knowledge.QueryWords(q)
			t0 = time.Now()
			rows, err := conn.Query(ctx, `SELECT id FROM bare WHERE tsv @@ plainto_tsquery('english', $1)
				ORDER BY ts_rank_cd(tsv, plainto_tsquery('english', $1)) DESC LIMIT 10`, strings.Join(words, " "))
			if err != nil {
				b.Fatal(err)
			}
			for rows.Next() {
			}
			rows.Close()
			bareT = append(bareT, time.Since(t0))
		}
		b.ReportMetric(ms(percentile(oursT, 0.5)), "search-p50-ms")
		b.ReportMetric(ms(percentile(oursT, 0.99)), "search-p99-ms")
		b.ReportMetric(ms(percentile(bareT, 0.5)), "bare-p50-ms")
		b.ReportMetric(ms(percentile(bareT, 0.99)), "bare-p99-ms")
		b.ReportMetric(ms(percentile(oursT, 0.5))/ms(percentile(bareT, 0.5)), "p50-ratio-to-bare")
		b.ReportMetric(ms(percentile(oursT, 0.99))/ms(percentile(bareT, 0.99)), "p99-ratio-to-bare")
		b.ReportMetric(ms(percentile(liteT, 0.5)), "sqlite-p50-ms")
		b.ReportMetric(ms(percentile(liteT, 0.99)), "sqlite-p99-ms")
		lite.Close()
		conn.Close(ctx)
	}
}
