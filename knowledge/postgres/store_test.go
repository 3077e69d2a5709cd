package postgres_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/attache-bot/attache/knowledge"
	"github.com/attache-bot/attache/knowledge/answer"
	"github.com/attache-bot/attache/knowledge/ingest"
	"github.com/attache-bot/attache/knowledge/knowledgetest"
	"github.com/attache-bot/attache/knowledge/postgres"
	"github.com/attache-bot/attache/knowledge/postgres/pgtest"
	"github.com/attache-bot/attache/knowledge/storetest"
)

// freshDB opens the store on an empty database of tb's own; the store is
// closed before the database is dropped.
func freshDB(tb testing.TB) *postgres.DB {
	tb.Helper()
	db, err := postgres.Open(context.Background(), pgtest.Database(tb))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// The PostgreSQL store passes the store contract's conformance suite.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(tb testing.TB) knowledge.Store { return freshDB(tb) })
}

// Several processes may open the store at once: migrations run once.
func TestConcurrentOpens(t *testing.T) {
	dbURL := pgtest.Database(t)
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			db, err := postgres.Open(ctx, dbURL)
			if err == nil {
				db.Close()
			}
			errs <- err
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Errorf("open beside others: %v", err)
		}
	}
}

// The answers on the same corpus are the same on both stores where their
// rankings agree; the evaluation set measures how far they do.
func TestAnswersMatchTheSQLiteStore(t *testing.T) {
	ctx := context.Background()
	pg := freshDB(t)
	lite := knowledgetest.NewDB(t)
	for _, db := range []knowledge.Store{pg, lite} {
		sum, err := (&ingest.Ingester{Store: db}).Ingest(ctx, knowledgetest.SampleDir())
		if err != nil || sum.Failed > 0 {
			t.Fatalf("ingest: %s %v", sum, err)
		}
	}
	cases, err := answer.LoadEval("../../eval/questions.json")
	if err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC) }
	reports := map[string]answer.EvalReport{}
	texts := map[string][]string{}
	for name, db := range map[string]knowledge.Store{"postgres": pg, "sqlite": lite} {
		rep, err := answer.RunEval(ctx, &answer.Service{Retriever: &answer.Retriever{Store: db, Now: now}}, cases)
		if err != nil {
			t.Fatal(err)
		}
		reports[name] = rep
		for _, r := range rep.Results {
			texts[name] = append(texts[name], r.Answer.Text)
		}
	}
	same := 0
	for i := range texts["sqlite"] {
		if texts["sqlite"][i] == texts["postgres"][i] {
			same++
		}
	}
	p, s := reports["postgres"], reports["sqlite"]
	t.Logf("identical answers: %d of %d; answer accuracy %.1f%% (SQLite %.1f%%), citations %.1f%% (%.1f%%), abstention %.1f%% (%.1f%%)",
		same, len(cases), 100*p.AnswerAccuracy, 100*s.AnswerAccuracy, 100*p.CitationAccuracy, 100*s.CitationAccuracy,
		100*p.AbstentionAccuracy, 100*s.AbstentionAccuracy)
	// The project's targets hold on PostgreSQL too.
	if p.AnswerAccuracy < 0.80 || p.CitationAccuracy < 0.90 || p.AbstentionAccuracy < 0.80 {
		t.Errorf("on PostgreSQL: answers %.1f%%, citations %.1f%%, abstention %.1f%%, below the targets 80 / 90 / 80",
			100*p.AnswerAccuracy, 100*p.CitationAccuracy, 100*p.AbstentionAccuracy)
	}
}

// The counts a query is weighed by (how many passages there are, and how
// many hold each term) are kept by each write, not counted at search time:
// after new, repeated and edited articles they still agree with the
// passages.
func TestKeptCountsAgreeWithThePassages(t *testing.T) {
	db := freshDB(t)
	ctx := context.Background()
	var paras []string
	for _, topic := range []string{"Gaza", "Ukraine", "tariffs", "Iran"} {
		paras = append(paras, strings.Repeat("Steve Witkoff, the special envoy, discusses "+topic+" with the ministers in Paris. ", 12))
	}
	body := strings.Join(paras, "\n\n")
	storetest.Put(t, db,
		storetest.Article("https://c.example/1", "Witkoff in Paris", body, "2025-04-16"),
		storetest.Article("https://c.example/2", "Rubio in Rome", "Marco Rubio visits Rome.\n\nHe meets the Pope.", "2025-04-17"),
		storetest.Article("https://c.example/1", "Witkoff in Paris", body, "2025-04-16"))
	conn, err := pgx.Connect(ctx, db.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	passages := func() (kept, counted int64) {
		t.Helper()
		if err := conn.QueryRow(ctx, "SELECT (SELECT n FROM counts WHERE name = 'passages'), (SELECT count(*) FROM passages)").Scan(&kept, &counted); err != nil {
			t.Fatal(err)
		}
		return kept, counted
	}
	kept, before := passages()
	if kept != before || before < 4 {
		t.Errorf("passages: %d kept, %d counted, want at least 4", kept, before)
	}
	// Edited to fewer passages, and to other words.
	storetest.Put(t, db, storetest.Article("https://c.example/1", "Witkoff in Paris", "Steve Witkoff flies home early.", "2025-04-16"))
	if kept, counted := passages(); kept != counted || counted >= before {
		t.Errorf("after an edit: %d kept, %d counted, want fewer than %d", kept, counted, before)
	}
	var wrong []string
	rows, err := conn.Query(ctx, `SELECT coalesce(t.term, c.term), coalesce(t.df, 0), coalesce(c.n, 0)
		FROM (SELECT term, df FROM terms WHERE df <> 0) t
		FULL JOIN (SELECT word AS term, count(*) AS n FROM passages, unnest(tsvector_to_array(tsv)) AS word GROUP BY word) c
		ON c.term = t.term WHERE t.df IS DISTINCT FROM c.n`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var term string
		var df, n int64
		if err := rows.Scan(&term, &df, &n); err != nil {
			t.Fatal(err)
		}
		wrong = append(wrong, fmt.Sprintf("%s: kept %d, counted %d", term, df, n))
	}
	if rows.Err() != nil || len(wrong) > 0 {
		t.Errorf("term counts disagree with the passages: %v %v", wrong, rows.Err())
	}
}

// Processes that ingest at the same time share the terms and people rows
// their articles count, and at times the articles themselves: their writes
// take those rows in one order, or are tried again, so that neither is
// refused as a deadlock.
func TestConcurrentWritesDoNotDeadlock(t *testing.T) {
	dbURL := pgtest.Database(t)
	ctx := context.Background()
	// Many shared terms make each write's upsert long, and an unordered
	// one likely to cross the other's.
	var words []string
	for i := range 400 {
		words = append(words, fmt.Sprintf("topic%d", i))
	}
	people := []string{"Steve Witkoff", "Marco Rubio", "Kaja Kallas", "Jean-Noel Barrot", "Rafael Grossi"}
	errs := make(chan error, 2)
	for w := range 2 {
		db, err := postgres.Open(ctx, dbURL)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		go func() {
			for round := range 15 {
				var arts []*knowledge.Article
				for k := range 20 {
					// Each writer names the words and people in its own order.
					var b strings.Builder
					for i := range words {
						b.WriteString(words[(i*(w+1)+k)%len(words)] + " ")
					}
					p := people[(k+w)%len(people)]
					// and half its articles are the other's too, in the other order.
					url := fmt.Sprintf("https://w%d.example/%d/%d", w, round, k)
					if k%2 == 0 {
						kk := k
						if w == 1 {
							kk = 18 - k
						}
						url = fmt.Sprintf("https://shared.example/%d/%d", round, kk)
					}
					a := storetest.Article(url, "Round "+fmt.Sprint(round), p+", the special envoy, said: "+b.String()+url, "2025-05-01")
					arts = append(arts, &a)
				}
				if _, err := db.PutArticles(ctx, arts); err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for range 2 {
		if err := <-errs; err != nil {
			t.Errorf("a writer beside another: %v", err)
		}
	}
}

// A rate-limit take waits for another process's take of the same bucket
// and then sees what it left, so that two takes never both spend the same
// token.
func TestRateTakeWaitsForTheOtherTake(t *testing.T) {
	db := freshDB(t)
	ctx := context.Background()
	t0 := time.Date(2025, 5, 1, 12, 0, 0, 0, time.UTC)
	if ok, _, err := db.TakeToken(ctx, "u", t0, 20, time.Minute); !ok || err != nil {
		t.Fatalf("first take: %v %v", ok, err)
	}
	// Another process is in the middle of a take that spends the rest.
	conn, err := pgx.Connect(ctx, db.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	other, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.Exec(ctx, "SELECT tokens FROM rate_buckets WHERE key = 'u' FOR UPDATE"); err != nil {
		t.Fatal(err)
	}
	if _, err := other.Exec(ctx, "UPDATE rate_buckets SET tokens = 0 WHERE key = 'u'"); err != nil {
		t.Fatal(err)
	}
	type result struct {
		ok  bool
		err error
	}
	done := make(chan result, 1)
	go func() {
		ok, _, err := db.TakeToken(ctx, "u", t0, 20, time.Minute)
		done <- result{ok, err}
	}()
	time.Sleep(300 * time.Millisecond) // time for the take to reach the row (were it not to, it would see 0 anyway)
	if err := other.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if r := <-done; r.err != nil || r.ok {
		t.Errorf("a take beside one that spent the bucket: ok %v, %v; want a refusal", r.ok, r.err)
	}
}

// Buckets idle for a window, full again, are forgotten: the table holds
// recent users only.
func TestIdleRateBucketsAreForgotten(t *testing.T) {
	db := freshDB(t)
	ctx := context.Background()
	t0 := time.Date(2025, 5, 1, 12, 0, 0, 0, time.UTC)
	for _, take := range []struct {
		key string
		at  time.Time
	}{{"idle", t0}, {"recent", t0.Add(2 * time.Minute)}} {
		if _, _, err := db.TakeToken(ctx, take.key, take.at, 5, time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	conn, err := pgx.Connect(ctx, db.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, "SELECT key FROM rate_buckets ORDER BY key")
	if err != nil {
		t.Fatal(err)
	}
	keys, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil || len(keys) != 1 || keys[0] != "recent" {
		t.Errorf("buckets kept: %v %v; want only the recent one", keys, err)
	}
}
