package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/attache-bot/attache/bot/discordtest"
	"github.com/attache-bot/attache/knowledge/postgres/pgtest"
	"github.com/attache-bot/attache/knowledge/sqlite"
	"github.com/attache-bot/attache/knowledge/synth"
)

// restartCorpus writes a corpus whose ingest takes long enough to be
// interrupted, and returns its path and how many articles a clean ingest
// stores (into SQLite, the reference).
func restartCorpus(t *testing.T, n int) (string, int) {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "corpus.jsonl")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := synth.New(11).WriteJSONL(f, n); err != nil {
		t.Fatal(err)
	}
	f.Close()
	ref := filepath.Join(dir, "ref.db")
	t.Setenv("ATTACHE_DB", ref)
	if code, _, errOut := attache(t, context.Background(), "ingest", "--quiet", path); code != 0 {
		t.Fatal(errOut)
	}
	db, err := sqlite.OpenReadOnly(context.Background(), ref)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	st, err := db.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return path, st.Articles
}

// articles counts the stored articles, -1 while the database does not answer.
func articles(url string) int {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return -1
	}
	defer conn.Close(context.Background())
	var n int
	if conn.QueryRow(ctx, "SELECT count(*) FROM articles").Scan(&n) != nil {
		return -1
	}
	return n
}

// ingestInBackground starts `attache ingest` and returns its outcome.
func ingestInBackground(t *testing.T, path string) <-chan [3]string {
	done := make(chan [3]string, 1)
	go func() {
		code, out, errOut := attache(t, context.Background(), "ingest", "--quiet", path)
		done <- [3]string{strings.Repeat("x", code), out, errOut}
	}()
	return done
}

// waitStored waits until some but not all articles are stored.
func waitStored(t *testing.T, url string, total int) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if n := articles(url); n > 0 && n < total {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("the ingest stored nothing to interrupt")
}

// An ingest across a server restart (pg_ctl restart -m fast) finishes,
// and run again ends with exactly a clean ingest's article count.
func TestIngestAcrossAPostgreSQLRestart(t *testing.T) {
	path, want := restartCorpus(t, 6000)
	c := pgtest.NewCluster(t)
	t.Setenv("ATTACHE_DB", c.URL())
	done := ingestInBackground(t, path)
	waitStored(t, c.URL(), want)
	during := articles(c.URL())
	c.Restart()
	var res [3]string
	select {
	case res = <-done:
	case <-time.After(3 * time.Minute):
		t.Fatal("the ingest hung across the restart")
	}
	if res[0] != "" {
		t.Fatalf("the ingest did not finish across the restart (exit %d):\n%s%s", len(res[0]), res[1], res[2])
	}
	code, out, errOut := attache(t, context.Background(), "ingest", "--quiet", path)
	if code != 0 {
		t.Fatalf("again: exit %d: %s", code, errOut)
	}
	if got := articles(c.URL()); got != want {
		t.Errorf("%d articles after the restart and a second run, want %d (a clean ingest)\n%s", got, want, out)
	}
	t.Logf("restarted with %d of %d articles stored; %s", during, want, strings.TrimSpace(res[1]))
}

// A server down for longer than ATTACHE_DB_RETRY stops the ingest with one
// clear message and nothing half-written; run again once the server is
// back, the ingest ends with a clean ingest's count.
func TestIngestStopsWhenPostgreSQLStaysDown(t *testing.T) {
	path, want := restartCorpus(t, 6000)
	c := pgtest.NewCluster(t)
	t.Setenv("ATTACHE_DB", c.URL())
	t.Setenv("ATTACHE_DB_RETRY", "2s")
	done := ingestInBackground(t, path)
	waitStored(t, c.URL(), want)
	c.Stop()
	var res [3]string
	select {
	case res = <-done:
	case <-time.After(2 * time.Minute):
		t.Fatal("the ingest hung while the server was down")
	}
	if res[0] == "" || !strings.Contains(res[2], "cannot be reached") || !strings.Contains(res[2], "run again") {
		t.Errorf("exit %d, want a failure that says what happened:\n%s%s", len(res[0]), res[1], res[2])
	}
	c.Start()
	stored := articles(c.URL())
	if stored < 0 || stored >= want {
		t.Errorf("%d articles stored before the stop", stored)
	}
	if code, _, errOut := attache(t, context.Background(), "ingest", "--quiet", path); code != 0 {
		t.Fatalf("again: exit %d: %s", code, errOut)
	}
	if got := articles(c.URL()); got != want {
		t.Errorf("%d articles after the second run, want %d", got, want)
	}
}

// serve on PostgreSQL keeps acknowledging while the server is down, says
// the archive is unavailable, and answers again once it is back.
func TestServeAcrossAPostgreSQLRestart(t *testing.T) {
	c := pgtest.NewCluster(t)
	t.Setenv("ATTACHE_DB", c.URL())
	if code, _, errOut := attache(t, context.Background(), "ingest", "--quiet", "../../sample"); code != 0 {
		t.Fatal(errOut)
	}
	fake := discordtest.New(t)
	defer fake.Close()
	srv := startServe(t, fake)
	if !fake.WaitFor(20*time.Second, func() bool { return len(fake.CommandsRegistered(fake.AppID)) > 0 }) {
		srv.stop(t)
		t.Fatalf("serve did not start:\n%s", srv.log())
	}
	ask := func(id string) {
		fake.Dispatch("INTERACTION_CREATE", discordtest.Interaction(id, fake.AppID, "search", map[string]any{"query": "Witkoff"}, "5"))
	}
	saw := func(id, text string) bool {
		return fake.WaitFor(20*time.Second, func() bool {
			for _, call := range fake.Calls() {
				if strings.Contains(call.Path, "itoken-"+id) && strings.Contains(fmt.Sprint(call.Body), text) {
					return true
				}
			}
			return false
		})
	}
	acked := func(id string) bool {
		for _, call := range fake.Calls() {
			if call.Method == "POST" && strings.Contains(call.Path, "/interactions/"+id+"/") {
				return true
			}
		}
		return false
	}
	ask("810000000000000001")
	if !saw("810000000000000001", "Witkoff") {
		t.Fatalf("not answered before the restart:\n%s", srv.log())
	}
	c.Stop()
	ask("810000000000000002")
	if !saw("810000000000000002", "archive is unavailable") || !acked("810000000000000002") {
		t.Errorf("while the server was down: not acknowledged, or not told the archive is unavailable:\n%s", srv.log())
	}
	c.Start()
	ask("810000000000000003")
	if !saw("810000000000000003", "Witkoff") {
		t.Errorf("not answered after the restart:\n%s", srv.log())
	}
	if code := srv.stop(t); code != 0 {
		t.Errorf("serve exited %d:\n%s", code, srv.log())
	}
}
